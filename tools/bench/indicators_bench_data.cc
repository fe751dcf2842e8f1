// indicators_bench's data (every reporting municipality × months × indicators, whole numbers
// from a seeded hash), the queries it picks, and the comparison of renkei's and SQLite's answers.
#include <cinttypes>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "indicators_bench_parts.h"
#include "renkei/common/jurisdiction.h"

namespace renkei::bench {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr uint64_t kSeed = 20261124;

bool SameNumber(bool has_a, double a, bool has_b, double b) {
  return has_a == has_b && (!has_a || a == b);
}

}  // namespace

std::vector<Place> ReportingMunicipalities() {
  std::vector<Place> out;
  for (const auto& m : common::Jurisdictions::Get().municipalities()) {
    if (m.kind == common::MunicipalityKind::kWard) continue;
    out.push_back({m.code, m.prefecture_code, m.prefecture_name + m.name});
  }
  return out;
}

std::string IndicatorCode(int k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "bench_%s_%02d", IsRatio(k) ? "ratio" : "count", k + 1);
  return buf;
}

v1::Direction DirectionOf(int k) {
  return k % 3 == 2 ? v1::DIRECTION_LOWER_IS_BETTER : v1::DIRECTION_HIGHER_IS_BETTER;
}

std::string PeriodName(int p) {  // 2021-04 + p months
  const int months = 2021 * 12 + 3 + p;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", months / 12, months % 12 + 1);
  return buf;
}

Value Generate(int k, int m, int p) {
  const uint64_t size = 1 + Mix(kSeed ^ (uint64_t(m) << 20)) % 200;  // the municipality's scale
  const uint64_t h = Mix(kSeed ^ (uint64_t(k) << 48) ^ (uint64_t(m) << 16) ^ uint64_t(p));
  Value v;
  if (IsRatio(k)) {
    v.denominator = static_cast<int64_t>(10 + size * 5 + h % 50);
    v.numerator = static_cast<int64_t>((h >> 16) % (v.denominator + 1));
    v.value = static_cast<double>(v.numerator) / static_cast<double>(v.denominator);
  } else {
    v.value = static_cast<double>(h % (size * 4 + 1));
  }
  return v;
}

std::string Csv(const Shape& s, int64_t begin, int64_t end) {
  std::string out = "indicator_code,jurisdiction_code,period,value,numerator,denominator\n";
  out.reserve(out.size() + (end - begin) * 48);
  char line[160];
  for (int64_t r = begin; r < end; ++r) {
    int k, m, p;
    s.Decode(r, &k, &m, &p);
    const Value v = Generate(k, m, p);
    int n;
    if (IsRatio(k)) {
      n = std::snprintf(line, sizeof line, "%s,%s,%s,,%" PRId64 ",%" PRId64 "\n",
                        IndicatorCode(k).c_str(), s.places[m].code.c_str(), PeriodName(p).c_str(),
                        v.numerator, v.denominator);
    } else {
      n = std::snprintf(line, sizeof line, "%s,%s,%s,%.0f,,\n", IndicatorCode(k).c_str(),
                        s.places[m].code.c_str(), PeriodName(p).c_str(), v.value);
    }
    out.append(line, n);
  }
  return out;
}

v1::DefineIndicatorRequest Definition(int k) {
  v1::DefineIndicatorRequest r;
  auto* d = r.mutable_definition();
  d->set_origin(v1::INDICATOR_ORIGIN_NATIONAL);
  auto* s = d->mutable_spec();
  s->set_code(IndicatorCode(k));
  char name[64];
  std::snprintf(name, sizeof name, IsRatio(k) ? "ベンチ割合 %02d" : "ベンチ件数 %02d", k + 1);
  s->set_name_ja(name);
  s->set_description("全国規模の負荷試験用の指標です。");
  s->set_unit(IsRatio(k) ? "%" : "件");
  s->set_kind(IsRatio(k) ? v1::INDICATOR_KIND_RATIO : v1::INDICATOR_KIND_COUNT);
  s->add_methods(v1::MEASUREMENT_METHOD_SYSTEM_DERIVED);
  s->set_frequency(v1::MEASUREMENT_FREQUENCY_MONTHLY);
  s->set_direction(DirectionOf(k));
  return r;
}

std::vector<Pick> Picks(const Shape& s, const std::vector<std::string>& prefectures, int n,
                        uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Pick> out(n);
  for (auto& p : out) {
    p.indicator = static_cast<int>(rng() % s.indicators);
    p.municipality = static_cast<int>(rng() % s.places.size());
    p.period = static_cast<int>(rng() % s.periods);
    p.prefecture = prefectures[rng() % prefectures.size()];
  }
  return out;
}

v1::GetSeriesRequest SeriesRequest(const Shape& s, const Pick& p) {
  v1::GetSeriesRequest r;
  r.set_indicator_code(IndicatorCode(p.indicator));
  r.set_jurisdiction_code(s.places[p.municipality].code);
  return r;
}

v1::CompareRequest CompareRequest(const Pick& p) {
  v1::CompareRequest r;
  r.set_indicator_code(IndicatorCode(p.indicator));
  r.set_period(PeriodName(p.period));
  r.set_scope(p.prefecture);
  return r;
}

v1::RollUpRequest RollUpRequest(const Pick& p) {
  v1::RollUpRequest r;
  r.set_indicator_code(IndicatorCode(p.indicator));
  r.set_period(PeriodName(p.period));
  r.set_jurisdiction_code("000000");
  return r;
}

std::string Differs(const v1::Series& renkei, const v1::Series& sqlite) {
  if (renkei.points_size() != sqlite.points_size())
    return "points " + std::to_string(renkei.points_size()) + " vs " +
           std::to_string(sqlite.points_size());
  for (int i = 0; i < renkei.points_size(); ++i) {
    const auto &a = renkei.points(i), &b = sqlite.points(i);
    if (a.period() != b.period() || a.value() != b.value() || a.suppressed() != b.suppressed() ||
        !SameNumber(a.has_numerator(), a.numerator(), b.has_numerator(), b.numerator()) ||
        !SameNumber(a.has_denominator(), a.denominator(), b.has_denominator(), b.denominator()))
      return "point " + std::to_string(i) + ": " + a.ShortDebugString() + " vs " +
             b.ShortDebugString();
  }
  return "";
}

std::string Differs(const v1::Comparison& renkei, const v1::Comparison& sqlite) {
  if (renkei.rows_size() != sqlite.rows_size())
    return "rows " + std::to_string(renkei.rows_size()) + " vs " +
           std::to_string(sqlite.rows_size());
  for (int i = 0; i < renkei.rows_size(); ++i) {
    const auto &a = renkei.rows(i), &b = sqlite.rows(i);
    if (a.jurisdiction_code() != b.jurisdiction_code() || a.name() != b.name() ||
        a.value() != b.value() || a.rank() != b.rank() || a.suppressed() != b.suppressed() ||
        !SameNumber(a.has_numerator(), a.numerator(), b.has_numerator(), b.numerator()) ||
        !SameNumber(a.has_denominator(), a.denominator(), b.has_denominator(), b.denominator()))
      return "row " + std::to_string(i) + ": " + a.ShortDebugString() + " vs " +
             b.ShortDebugString();
  }
  if (renkei.reporting() != sqlite.reporting() || renkei.median() != sqlite.median() ||
      renkei.q1() != sqlite.q1() || renkei.q3() != sqlite.q3()) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "reporting/median/q1/q3 %d %.17g %.17g %.17g vs %d %.17g %.17g %.17g",
                  renkei.reporting(), renkei.median(), renkei.q1(), renkei.q3(), sqlite.reporting(),
                  sqlite.median(), sqlite.q1(), sqlite.q3());
    return buf;
  }
  return "";
}

std::string Differs(const v1::RollUpValue& renkei, const v1::RollUpValue& sqlite) {
  if (renkei.reporting() != sqlite.reporting() || renkei.value() != sqlite.value() ||
      renkei.suppressed() != sqlite.suppressed() ||
      !SameNumber(renkei.has_numerator(), renkei.numerator(), sqlite.has_numerator(),
                  sqlite.numerator()) ||
      !SameNumber(renkei.has_denominator(), renkei.denominator(), sqlite.has_denominator(),
                  sqlite.denominator())) {
    return renkei.ShortDebugString() + " vs " + sqlite.ShortDebugString();
  }
  return "";
}

}  // namespace renkei::bench
