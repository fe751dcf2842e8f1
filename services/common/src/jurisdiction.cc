#include "renkei/common/jurisdiction.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "renkei/common/csv.h"

namespace renkei::common {
namespace embedded {
extern const char municipalities_ext_csv[];
extern const unsigned long municipalities_ext_csv_size;
extern const char prefectures_csv[];
extern const unsigned long prefectures_csv_size;
}  // namespace embedded

namespace {

constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kDegToRad = M_PI / 180.0;

// Fast approximation (equirectangular), good to well under 1% at the distances compared here.
double ApproxKm(double lat1, double lon1, double lat2, double lon2) {
  double x = (lon2 - lon1) * kDegToRad * std::cos((lat1 + lat2) * 0.5 * kDegToRad);
  double y = (lat2 - lat1) * kDegToRad;
  return std::sqrt(x * x + y * y) * kEarthRadiusKm;
}

std::vector<std::vector<std::string>> ParseEmbedded(const char* data, unsigned long size) {
  std::vector<std::vector<std::string>> rows;
  CsvReader reader;
  reader.Feed(std::string_view(data, size));
  reader.Finish();
  CsvRecord rec;
  while (reader.Next(&rec)) rows.push_back(std::move(rec.fields));
  if (!rows.empty()) rows.erase(rows.begin());  // header
  return rows;
}

double ToDouble(const std::string& s) { return s.empty() ? 0.0 : std::strtod(s.c_str(), nullptr); }

}  // namespace

bool HasValidCheckDigit(std::string_view code) {
  if (code.size() != 6) return false;
  int sum = 0;
  static constexpr int kWeights[] = {6, 5, 4, 3, 2};
  for (int i = 0; i < 6; ++i) {
    if (code[i] < '0' || code[i] > '9') return false;
    if (i < 5) sum += (code[i] - '0') * kWeights[i];
  }
  return (11 - sum % 11) % 10 == code[5] - '0';
}

double HaversineKm(double lat1, double lon1, double lat2, double lon2) {
  double p1 = lat1 * kDegToRad, p2 = lat2 * kDegToRad;
  double dp = p2 - p1, dl = (lon2 - lon1) * kDegToRad;
  double h = std::sin(dp / 2) * std::sin(dp / 2) +
             std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

const Jurisdictions& Jurisdictions::Get() {
  static const Jurisdictions* registry = new Jurisdictions();
  return *registry;
}

Jurisdictions::Jurisdictions() {
  // code,prefecture_code,prefecture_name,municipality_name,municipality_kana,kind,parent_code,
  // office_lat,office_lon
  for (auto& f :
       ParseEmbedded(embedded::municipalities_ext_csv, embedded::municipalities_ext_csv_size)) {
    if (f.size() < 9) continue;
    Municipality m;
    m.code = f[0];
    m.prefecture_code = f[1];
    m.prefecture_name = f[2];
    m.name = f[3];
    m.kana = f[4];
    m.kind = f[5] == "ward"           ? MunicipalityKind::kWard
             : f[5] == "special_ward" ? MunicipalityKind::kSpecialWard
                                      : MunicipalityKind::kMunicipality;
    m.parent_code = f[6];
    m.office_lat = ToDouble(f[7]);
    m.office_lon = ToDouble(f[8]);
    municipalities_.push_back(std::move(m));
  }
  std::sort(municipalities_.begin(), municipalities_.end(),
            [](const Municipality& a, const Municipality& b) { return a.code < b.code; });
  // code,prefecture_code,prefecture_name,prefecture_kana,prefecture_en,iso3166_2,capital,
  // office_lat,office_lon
  for (auto& f : ParseEmbedded(embedded::prefectures_csv, embedded::prefectures_csv_size)) {
    if (f.size() < 9) continue;
    Prefecture p;
    p.code = f[0];
    p.prefecture_code = f[1];
    p.name = f[2];
    p.kana = f[3];
    p.name_en = f[4];
    p.office_lat = ToDouble(f[7]);
    p.office_lon = ToDouble(f[8]);
    prefectures_.push_back(std::move(p));
  }
}

CodeCheck Jurisdictions::CheckMunicipalityCode(std::string_view code) const {
  if (code.size() != 6) return CodeCheck::kMalformed;
  for (char c : code) {
    if (c < '0' || c > '9') return CodeCheck::kMalformed;
  }
  if (!HasValidCheckDigit(code)) return CodeCheck::kBadCheckDigit;
  return FindMunicipality(code) ? CodeCheck::kOk : CodeCheck::kUnknown;
}

const Municipality* Jurisdictions::FindMunicipality(std::string_view code) const {
  auto it = std::lower_bound(municipalities_.begin(), municipalities_.end(), code,
                             [](const Municipality& m, std::string_view c) { return m.code < c; });
  if (it == municipalities_.end() || it->code != code) return nullptr;
  return &*it;
}

const Prefecture* Jurisdictions::FindPrefecture(std::string_view code) const {
  for (const auto& p : prefectures_) {
    if (p.prefecture_code == code || p.code == code) return &p;
  }
  return nullptr;
}

std::vector<const Municipality*> Jurisdictions::MunicipalitiesOf(
    std::string_view prefecture_code) const {
  std::vector<const Municipality*> out;
  for (const auto& m : municipalities_) {
    if (m.prefecture_code == prefecture_code) out.push_back(&m);
  }
  return out;
}

double Jurisdictions::DistanceToPrefectureKm(std::string_view prefecture_code, double lat,
                                             double lon) const {
  double best = 1e9;
  for (const auto& m : municipalities_) {
    if (m.prefecture_code != prefecture_code || (m.office_lat == 0 && m.office_lon == 0)) continue;
    best = std::min(best, ApproxKm(lat, lon, m.office_lat, m.office_lon));
  }
  return best;
}

bool Jurisdictions::PlausiblyInPrefecture(std::string_view prefecture_code, double lat,
                                          double lon) const {
  double own = DistanceToPrefectureKm(prefecture_code, lat, lon);
  if (own <= 20.0) return true;
  if (own > 40.0) return false;
  double other = 1e9;
  for (const auto& m : municipalities_) {
    if (m.prefecture_code == prefecture_code || (m.office_lat == 0 && m.office_lon == 0)) continue;
    other = std::min(other, ApproxKm(lat, lon, m.office_lat, m.office_lon));
  }
  return !(other * 4 < own);
}

}  // namespace renkei::common
