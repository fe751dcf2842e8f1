// indicators_bench: the national instance of renkei-indicators at national scale, over gRPC on
// loopback, next to SQLite (Debian's libsqlite3, in-process, indexed) answering the same queries
// from the same data, and a gRPC floor, all measured in the same run.
//
//   data:     every municipality that reports (kind != ward: cities, towns, villages and Tokyo's
//             special wards; 1,741) × --periods months from 2021-04 × --indicators monthly
//             indicators (even ones counts, odd ones ratios with numerator and denominator).
//             Values are whole numbers drawn from a seeded hash, so sums are exact and both
//             stores must give bit-identical answers.
//   renkei:   the real renkei-indicators binary as the NATIONAL instance (no instance code;
//             jurisdiction 000000) with a real nats-server, loaded through ImportObservations
//             (CSV chunks of --chunk-rows rows, under the 4 MiB message limit; the service
//             commits --batch-rows rows per synced write, every observation also an outbox
//             event), then restarted. Its Prometheus endpoint tells how far the relay and the
//             derived-indicator consumer (which reads the instance's own events back) have got.
//   sqlite:   observations(indicator, jurisdiction, prefecture, period, value, numerator,
//             denominator) with indexes (indicator, jurisdiction, period) and (indicator, period,
//             prefecture), loaded in one transaction, queried with prepared statements in this
//             process (no RPC). Small cells are withheld by the service's rule, in C++.
//   floor:    a server process on the same bootstrap (common::GrpcServer) answering the three
//             RPCs with canned responses captured from the service (per prefecture for Compare).
//
//   queries (random indicator, municipality, prefecture and period; seed 42), each measured
//   with 1 and 4 clients against renkei and the floor, and with 1 thread against SQLite:
//     series    GetSeries: one municipality's whole series (60 months)
//     compare   Compare: the municipalities of a prefecture for one period, ranked, with median
//               and quartiles (SQLite: RANK() in SQL, median and quartiles in C++)
//     rollup    RollUp 000000: the nation for one period (SQLite: sums grouped by prefecture in
//               SQL, combined in C++)
//   twice: "busy", right after the restart, while the consumer still works through the load's
//   events (about half an hour of them at national scale); "quiet", with nats-server stopped so
//   that neither the relay nor the consumer has anything to do.
//
//   build/bin/indicators_bench [--municipalities 0] [--periods 60] [--indicators 30]
//       [--batch-rows 5000] [--chunk-rows 50000] [--loaders 1] [--requests 2000]
//       [--clients 1,4] [--verify 300] [--settle 240]
//
// --municipalities N takes the first N (0: all); --verify N compares N random queries of each
// kind between renkei and SQLite; --settle bounds each wait (the relay draining, republishing
// after the restart, the service going idle). Prints a Markdown report; docs/benchmarks.md
// records the figures. Exits non-zero when renkei and SQLite disagree or a call fails.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "grpcpp/create_channel.h"
#include "indicators/stats.h"
#include "renkei/common/bus.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/server.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "testing.h"

namespace renkei::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Stub = v1::IndicatorsService::Stub;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// --- the data ---------------------------------------------------------------------------------

struct Place {
  std::string code, prefecture, name;
};

// The municipalities that report: not the wards of designated cities (their city reports).
std::vector<Place> ReportingMunicipalities() {
  std::vector<Place> out;
  for (const auto& m : common::Jurisdictions::Get().municipalities()) {
    if (m.kind == common::MunicipalityKind::kWard) continue;
    out.push_back({m.code, m.prefecture_code, m.prefecture_name + m.name});
  }
  return out;
}

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr uint64_t kSeed = 20261124;
// Small-cell suppression, set explicitly in the instance file (the service's defaults): counts
// 1..9 and ratios over fewer than 10 are withheld from callers outside the jurisdiction, which
// on the national instance means every municipal cell. SQLite's answers apply the same rule.
constexpr int kSuppressionMaxCount = 9;
constexpr int kSuppressionMinDenominator = 10;

bool IsRatio(int k) { return k % 2 == 1; }

bool Withheld(bool ratio, double value, double denominator) {
  return ratio ? denominator < kSuppressionMinDenominator
               : value >= 1 && value <= kSuppressionMaxCount;
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

// One observation: counts are whole numbers (many small, so ranks tie and cells are
// suppressed); ratios have whole numerators and denominators, value = numerator / denominator.
struct Value {
  double value = 0;
  int64_t numerator = 0, denominator = 0;
};

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

struct Shape {
  int indicators = 30, periods = 60;
  std::vector<Place> places;
  int64_t rows() const { return int64_t{indicators} * periods * places.size(); }
  // Row r: indicator-major, then municipality, then period.
  void Decode(int64_t r, int* k, int* m, int* p) const {
    *p = static_cast<int>(r % periods);
    *m = static_cast<int>((r / periods) % static_cast<int64_t>(places.size()));
    *k = static_cast<int>(r / (int64_t{periods} * static_cast<int64_t>(places.size())));
  }
};

// Rows [begin, end) as the CSV ImportObservations reads.
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

// --- the queries --------------------------------------------------------------------------

struct Pick {
  int indicator = 0, municipality = 0, period = 0;
  std::string prefecture;  // 2 digits
};

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

// --- SQLite -------------------------------------------------------------------------------

class Sqlite {
 public:
  ~Sqlite() {
    for (auto* s : {series_, compare_desc_, compare_asc_, rollup_}) sqlite3_finalize(s);
    if (db_) sqlite3_close(db_);
  }

  bool Open(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return Fail("open");
    return Exec("PRAGMA cache_size = -262144") &&  // 256 MiB
           Exec(
               "CREATE TABLE observations(indicator TEXT NOT NULL, jurisdiction TEXT NOT NULL, "
               "prefecture TEXT NOT NULL, period TEXT NOT NULL, value REAL NOT NULL, numerator "
               "REAL, denominator REAL)") &&
           Exec(
               "CREATE INDEX observations_series ON observations(indicator, jurisdiction, "
               "period)") &&
           Exec(
               "CREATE INDEX observations_period ON observations(indicator, period, "
               "prefecture)") &&
           Exec(
               "CREATE TABLE jurisdictions(code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT "
               "ROWID");
  }

  // Every row in one transaction.
  bool Load(const Shape& s) {
    if (!Exec("BEGIN")) return false;
    sqlite3_stmt* place = Prepare("INSERT INTO jurisdictions VALUES (?, ?)");
    for (const auto& p : s.places) {
      sqlite3_bind_text(place, 1, p.code.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(place, 2, p.name.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(place) != SQLITE_DONE) return Fail("insert jurisdiction");
      sqlite3_reset(place);
    }
    sqlite3_finalize(place);
    sqlite3_stmt* ins = Prepare("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!ins) return false;
    std::vector<std::string> codes, periods;
    for (int k = 0; k < s.indicators; ++k) codes.push_back(IndicatorCode(k));
    for (int p = 0; p < s.periods; ++p) periods.push_back(PeriodName(p));
    for (int64_t r = 0; r < s.rows(); ++r) {
      int k, m, p;
      s.Decode(r, &k, &m, &p);
      const Value v = Generate(k, m, p);
      sqlite3_bind_text(ins, 1, codes[k].c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 2, s.places[m].code.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 3, s.places[m].prefecture.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 4, periods[p].c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_double(ins, 5, v.value);
      if (IsRatio(k)) {
        sqlite3_bind_double(ins, 6, static_cast<double>(v.numerator));
        sqlite3_bind_double(ins, 7, static_cast<double>(v.denominator));
      } else {
        sqlite3_bind_null(ins, 6);
        sqlite3_bind_null(ins, 7);
      }
      if (sqlite3_step(ins) != SQLITE_DONE) return Fail("insert");
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    return Exec("COMMIT") && Exec("ANALYZE");
  }

  bool PrepareQueries() {
    series_ = Prepare(
        "SELECT period, value, numerator, denominator FROM observations WHERE indicator = ?1 AND "
        "jurisdiction = ?2 ORDER BY period");
    const char* compare =
        "SELECT o.jurisdiction, j.name, o.value, o.numerator, o.denominator, RANK() OVER (ORDER "
        "BY o.value %s) AS r FROM observations o JOIN jurisdictions j ON j.code = o.jurisdiction "
        "WHERE o.indicator = ?1 AND o.period = ?2 AND o.prefecture = ?3 ORDER BY r, "
        "o.jurisdiction";
    char sql[512];
    std::snprintf(sql, sizeof sql, compare, "DESC");
    compare_desc_ = Prepare(sql);
    std::snprintf(sql, sizeof sql, compare, "ASC");
    compare_asc_ = Prepare(sql);
    rollup_ = Prepare(
        "SELECT prefecture, SUM(value), SUM(numerator), SUM(denominator) FROM observations "
        "WHERE indicator = ?1 AND period = ?2 GROUP BY prefecture");
    return series_ && compare_desc_ && compare_asc_ && rollup_;
  }

  // The same answers as the service's messages (the fields the comparison checks).
  // Small cells are withheld as the service does (in C++, per row).
  v1::Series GetSeries(const std::string& code, const std::string& jurisdiction, bool ratio) {
    v1::Series out;
    sqlite3_bind_text(series_, 1, code.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(series_, 2, jurisdiction.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(series_) == SQLITE_ROW) {
      auto* pt = out.add_points();
      pt->set_period(reinterpret_cast<const char*>(sqlite3_column_text(series_, 0)));
      pt->set_reporting(1);
      pt->set_expected(1);
      const double value = sqlite3_column_double(series_, 1);
      if (Withheld(ratio, value, sqlite3_column_double(series_, 3))) {
        pt->set_suppressed(true);
        continue;
      }
      pt->set_value(value);
      if (sqlite3_column_type(series_, 2) != SQLITE_NULL)
        pt->set_numerator(sqlite3_column_double(series_, 2));
      if (sqlite3_column_type(series_, 3) != SQLITE_NULL)
        pt->set_denominator(sqlite3_column_double(series_, 3));
    }
    sqlite3_reset(series_);
    return out;
  }

  v1::Comparison Compare(const std::string& code, const std::string& period,
                         const std::string& prefecture, v1::Direction direction, bool ratio) {
    sqlite3_stmt* st = direction == v1::DIRECTION_LOWER_IS_BETTER ? compare_asc_ : compare_desc_;
    v1::Comparison out;
    out.set_period(period);
    sqlite3_bind_text(st, 1, code.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, period.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, prefecture.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<double> values;
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto* row = out.add_rows();
      row->set_jurisdiction_code(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      row->set_name(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
      row->set_rank(sqlite3_column_int(st, 5));
      const double value = sqlite3_column_double(st, 2);
      values.push_back(value);
      if (Withheld(ratio, value, sqlite3_column_double(st, 4))) {
        row->set_suppressed(true);
        continue;
      }
      row->set_value(value);
      if (sqlite3_column_type(st, 3) != SQLITE_NULL)
        row->set_numerator(sqlite3_column_double(st, 3));
      if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        row->set_denominator(sqlite3_column_double(st, 4));
    }
    sqlite3_reset(st);
    out.set_reporting(out.rows_size());
    out.set_median(indicators::Quantile(values, 0.5));
    out.set_q1(indicators::Quantile(values, 0.25));
    out.set_q3(indicators::Quantile(values, 0.75));
    return out;
  }

  // Σ by prefecture in SQL, then the nation from the prefectures: a ratio is Σ numerators /
  // Σ denominators, a count the sum.
  v1::RollUpValue RollUp(const std::string& code, const std::string& period, bool ratio) {
    v1::RollUpValue out;
    out.set_jurisdiction_code("000000");
    out.set_period(period);
    sqlite3_bind_text(rollup_, 1, code.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(rollup_, 2, period.c_str(), -1, SQLITE_TRANSIENT);
    double value = 0, num = 0, den = 0;
    int prefectures = 0;
    while (sqlite3_step(rollup_) == SQLITE_ROW) {
      ++prefectures;
      value += sqlite3_column_double(rollup_, 1);
      num += sqlite3_column_double(rollup_, 2);
      den += sqlite3_column_double(rollup_, 3);
    }
    sqlite3_reset(rollup_);
    out.set_reporting(prefectures);
    if (prefectures == 0) return out;
    if (Withheld(ratio, value, den)) {
      out.set_suppressed(true);
    } else if (ratio) {
      out.set_numerator(num);
      out.set_denominator(den);
      out.set_value(num / den);
    } else {
      out.set_value(value);
    }
    return out;
  }

 private:
  bool Fail(const char* what) {
    std::fprintf(stderr, "sqlite %s: %s\n", what, db_ ? sqlite3_errmsg(db_) : "no database");
    return false;
  }
  bool Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : "?");
      sqlite3_free(err);
      return false;
    }
    return true;
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
      Fail(sql);
      return nullptr;
    }
    return st;
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt *series_ = nullptr, *compare_desc_ = nullptr, *compare_asc_ = nullptr,
               *rollup_ = nullptr;
};

// --- the floor ------------------------------------------------------------------------------

class FloorService final : public v1::IndicatorsService::Service {
 public:
  FloorService(v1::Series series, std::map<std::string, v1::Comparison> comparisons,
               v1::RollUpValue rollup)
      : series_(std::move(series)),
        comparisons_(std::move(comparisons)),
        rollup_(std::move(rollup)) {}
  grpc::Status GetSeries(grpc::ServerContext*, const v1::GetSeriesRequest*,
                         v1::Series* out) override {
    *out = series_;
    return grpc::Status::OK;
  }
  grpc::Status Compare(grpc::ServerContext*, const v1::CompareRequest* r,
                       v1::Comparison* out) override {
    auto it = comparisons_.find(r->scope());
    if (it == comparisons_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, r->scope());
    *out = it->second;
    return grpc::Status::OK;
  }
  grpc::Status RollUp(grpc::ServerContext*, const v1::RollUpRequest*,
                      v1::RollUpValue* out) override {
    *out = rollup_;
    return grpc::Status::OK;
  }

 private:
  v1::Series series_;
  std::map<std::string, v1::Comparison> comparisons_;
  v1::RollUpValue rollup_;
};

// --floor-server DIR PORT: DIR holds series.bin, rollup.bin and compare-<pp>.bin.
int RunFloorServer(const std::string& dir, int port) {
  common::BlockTerminationSignals();
  v1::Series series;
  v1::RollUpValue rollup;
  if (!series.ParseFromString(testing::ReadFile(dir + "/series.bin")) ||
      !rollup.ParseFromString(testing::ReadFile(dir + "/rollup.bin"))) {
    return 1;
  }
  std::map<std::string, v1::Comparison> comparisons;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("compare-", 0) != 0) continue;
    if (!comparisons[name.substr(8, 2)].ParseFromString(testing::ReadFile(e.path().string())))
      return 1;
  }
  FloorService service(std::move(series), std::move(comparisons), std::move(rollup));
  return ServeUntilSignal(port, &service);
}

// --- the service process --------------------------------------------------------------------

std::shared_ptr<Stub> NewStub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  return std::shared_ptr<Stub>(v1::IndicatorsService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
}

bool Serving(const std::string& address) {
  auto stub = NewStub(address);  // a fresh channel: no reconnect backoff
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  v1::ListIndicatorsResponse r;
  return stub->ListIndicators(&ctx, {}, &r).ok();
}

void ReportFailure(const char* what, const google::protobuf::Message& request,
                   const grpc::Status& s) {
  static std::atomic<int> shown{0};
  if (shown.fetch_add(1) >= 5) return;
  std::fprintf(stderr, "%s failed: code %d: %s\n  request: %s\n", what,
               static_cast<int>(s.error_code()), s.error_message().c_str(),
               request.ShortDebugString().substr(0, 300).c_str());
}

// CPU time (clock ticks) the process has used.
long CpuTicks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  if (content.empty()) return 0;
  std::istringstream rest(content.substr(content.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atol(field.c_str());
    if (i == 15) stime = std::atol(field.c_str());
  }
  return utime + stime;
}

long RssMiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) / 1024;
  }
  return 0;
}

// GET /metrics from the service's Prometheus endpoint; the sum of the samples named `name` whose
// labels contain `label` (-1 when there are none).
double Metric(int port, const std::string& name, const std::string& label = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string body;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[16384];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) body.append(buf, n);
    }
  }
  close(fd);
  std::istringstream lines(body);
  std::string line;
  double sum = -1;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0 || line.find(label) == std::string::npos) continue;
    if (line.size() > name.size() && line[name.size()] != '{' && line[name.size()] != ' ') continue;
    sum = std::max(sum, 0.0) + std::atof(line.c_str() + line.rfind(' ') + 1);
  }
  return sum;
}

// --- comparing answers ----------------------------------------------------------------------

bool SameNumber(bool has_a, double a, bool has_b, double b) {
  return has_a == has_b && (!has_a || a == b);
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

// --- the run ----------------------------------------------------------------------------------

std::string Thousands(double v) {
  std::string s = std::to_string(static_cast<long long>(std::llround(v)));
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(i, ",");
  return s;
}

int Main(int argc, char** argv) {
  int municipalities = 0, requests = 2000, verify = 300, batch_rows = 5000, chunk_rows = 50000,
      loaders = 1, settle_s = 240;
  Shape shape;
  std::vector<int> client_counts = {1, 4};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--floor-server" && i + 2 < argc)
      return RunFloorServer(argv[i + 1], std::atoi(argv[i + 2]));
    auto next = [&] { return std::atoi(argv[++i]); };
    if (i + 1 >= argc) a = "--help";
    if (a == "--municipalities") {
      municipalities = next();
    } else if (a == "--periods") {
      shape.periods = next();
    } else if (a == "--indicators") {
      shape.indicators = next();
    } else if (a == "--batch-rows") {
      batch_rows = next();
    } else if (a == "--chunk-rows") {
      chunk_rows = next();
    } else if (a == "--loaders") {
      loaders = next();
    } else if (a == "--requests") {
      requests = next();
    } else if (a == "--verify") {
      verify = next();
    } else if (a == "--settle") {
      settle_s = next();
    } else if (a == "--clients") {
      client_counts = ParseIntList(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: indicators_bench [--municipalities N] [--periods 60] [--indicators 30] "
                   "[--batch-rows 5000] [--chunk-rows 50000] [--loaders 1] [--requests 2000] "
                   "[--clients 1,4] [--verify 300] [--settle 240]\n");
      return 2;
    }
  }
  shape.places = ReportingMunicipalities();
  const size_t all_places = shape.places.size();
  if (municipalities > 0 && static_cast<size_t>(municipalities) < shape.places.size())
    shape.places.resize(municipalities);
  if (shape.periods < 1 || shape.periods > 600 || shape.indicators < 1 || shape.indicators > 99 ||
      batch_rows < 1 || chunk_rows < 1 || loaders < 1 || requests < 1)
    return 2;
  std::vector<std::string> prefectures;
  std::map<std::string, int> per_prefecture;
  for (const auto& p : shape.places) {
    if (per_prefecture[p.prefecture]++ == 0) prefectures.push_back(p.prefecture);
  }
  const int64_t rows = shape.rows();

  std::printf("## indicators_bench\n\nmachine: %s\n", MachineLine().c_str());
  std::printf(
      "command: indicators_bench --municipalities %d --periods %d --indicators %d --batch-rows %d "
      "--chunk-rows %d --loaders %d --requests %d --clients %s --verify %d --settle %d\n\n",
      municipalities, shape.periods, shape.indicators, batch_rows, chunk_rows, loaders, requests,
      JoinInts(client_counts).c_str(), verify, settle_s);
  std::printf(
      "reporting municipalities (kind != ward) in the registry: %zu; used %zu in %zu prefectures; "
      "%d indicators × %d months (%s to %s) = %s observations\n\n",
      all_places, shape.places.size(), prefectures.size(), shape.indicators, shape.periods,
      PeriodName(0).c_str(), PeriodName(shape.periods - 1).c_str(), Thousands(rows).c_str());
  std::fflush(stdout);

  testing::TempDir tmp;
  auto nats = testing::NatsServer::Start(tmp.Sub("nats"));
  if (!nats.ok()) {
    std::fprintf(stderr, "nats-server: %s\n", nats.status().ToString().c_str());
    return 1;
  }
  const int port = testing::FreePort(), metrics_port = testing::FreePort(),
            floor_port = testing::FreePort();
  {
    std::ofstream cfg(tmp.Sub("instance.json"));
    // The national instance has no code (config.cc); its jurisdiction is "000000".
    cfg << R"({"instance": {"level": "INSTANCE_LEVEL_NATIONAL"},
      "nats": {"url": ")"
        << (*nats)->url() << R"("},
      "data_root": ")"
        << tmp.Sub("data") << R"(",
      "security": {"unauthenticated_loopback": true},
      "indicators": {"server": {"listen_address": "127.0.0.1:)"
        << port << R"(", "metrics_address": "127.0.0.1:)" << metrics_port << R"("},
                     "import_batch_rows": )"
        << batch_rows << R"(, "suppression_max_count": )" << kSuppressionMaxCount
        << R"(, "suppression_min_denominator": )" << kSuppressionMinDenominator << "}}";
  }
  const std::string address = "127.0.0.1:" + std::to_string(port);
  const std::string floor_address = "127.0.0.1:" + std::to_string(floor_port);
  auto start = [&]() -> std::unique_ptr<testing::ChildProcess> {
    auto p = testing::ChildProcess::Spawn(
        {testing::BinaryPath("renkei-indicators"), "--config", tmp.Sub("instance.json")}, {},
        tmp.Sub("indicators.log"));
    if (!p.ok()) return nullptr;
    bool up = testing::WaitFor([&] { return !(*p)->Running() || Serving(address); },
                               std::chrono::seconds(300));
    return up && (*p)->Running() ? std::move(*p) : nullptr;
  };
  auto service = start();
  if (!service) {
    std::fprintf(stderr, "renkei-indicators did not start; see %s\n", tmp.path().c_str());
    return 1;
  }
  common::NatsOptions nats_options;
  nats_options.url = (*nats)->url();
  auto bus = common::NatsBus::Connect(nats_options);
  if (!bus.ok()) return 1;
  auto stream_messages = [&]() -> uint64_t {
    auto st = (*bus)->GetStreamState("RENKEI_EVENTS");
    return st.ok() ? st->messages : 0;
  };
  auto consumed = [&] {
    return std::max(0.0, Metric(metrics_port, "renkei_events_consumed_total",
                                "consumer=\"indicators_derived\""));
  };

  auto stub = NewStub(address);
  for (int k = 0; k < shape.indicators; ++k) {
    grpc::ClientContext ctx;
    v1::IndicatorDefinition out;
    auto req = Definition(k);
    grpc::Status st = stub->DefineIndicator(&ctx, req, &out);
    if (!st.ok() && st.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      ReportFailure("DefineIndicator", req, st);
      return 1;
    }
  }

  // --- load renkei ---
  const int64_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  std::atomic<int64_t> next_chunk{0}, recorded{0};
  std::atomic<int> load_failures{0};
  std::atomic<size_t> largest_chunk{0};
  std::vector<double> chunk_seconds(chunks);
  const long load_ticks0 = CpuTicks(service->pid());
  auto load0 = Clock::now();
  std::vector<std::thread> threads;
  for (int l = 0; l < loaders; ++l) {
    threads.emplace_back([&] {
      auto s = NewStub(address);
      for (int64_t c; (c = next_chunk.fetch_add(1)) < chunks;) {
        v1::ImportObservationsRequest req;
        req.set_format(v1::OBSERVATION_FORMAT_CSV);
        req.set_recorded_by("indicators_bench");
        req.set_content(Csv(shape, c * chunk_rows, std::min(rows, (c + 1) * chunk_rows)));
        size_t bytes = req.ByteSizeLong();
        for (size_t seen = largest_chunk.load(); bytes > seen;) {
          if (largest_chunk.compare_exchange_weak(seen, bytes)) break;
        }
        grpc::ClientContext ctx;
        v1::ImportObservationsResponse resp;
        auto q0 = Clock::now();
        grpc::Status st = s->ImportObservations(&ctx, req, &resp);
        chunk_seconds[c] = Since(q0);
        if (!st.ok() || resp.errors_size() > 0) {
          if (!st.ok()) ReportFailure("ImportObservations", v1::ImportObservationsRequest(), st);
          if (resp.errors_size() > 0)
            std::fprintf(stderr, "import row errors: %s\n",
                         resp.errors(0).ShortDebugString().c_str());
          load_failures.fetch_add(1);
          continue;
        }
        recorded.fetch_add(resp.recorded() + resp.unchanged());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double load_s = Since(load0);
  const double load_cpu_s = double(CpuTicks(service->pid()) - load_ticks0) / sysconf(_SC_CLK_TCK);
  if (load_failures.load() || recorded.load() != rows) {
    std::fprintf(stderr, "load failed: %d chunks failed, %" PRId64 " of %" PRId64 " recorded\n",
                 load_failures.load(), recorded.load(), rows);
    return 1;
  }
  const uint64_t events = static_cast<uint64_t>(rows) + shape.indicators;
  const uint64_t published_at_load_end = stream_messages();
  const double consumed_at_load_end = consumed();
  std::printf(
      "### Load\n\nrenkei: ImportObservations, %" PRId64
      " CSV chunks of ≤ %d rows (largest request %.2f MiB) from %d client(s), import_batch_rows "
      "%d: %s observations in **%.1f s (%s observations/s)**; import call p50 %.2f s, max "
      "%.2f s; service CPU %.0f s (%.1f µs/observation); RSS after load %ld MiB\n",
      chunks, chunk_rows, largest_chunk.load() / 1048576.0, loaders, batch_rows,
      Thousands(rows).c_str(), load_s, Thousands(rows / load_s).c_str(),
      Percentile(chunk_seconds, 50), Percentile(chunk_seconds, 100), load_cpu_s,
      1e6 * load_cpu_s / rows, RssMiB(service->pid()));
  std::printf(
      "when the load returned, the stream held %s of %s events and the derived-indicator "
      "consumer had handled %s\n",
      Thousands(published_at_load_end).c_str(), Thousands(events).c_str(),
      Thousands(consumed_at_load_end).c_str());
  std::fflush(stdout);

  // The relay publishing the rest, and the instance's own consumer reading them back: wait until
  // the stream has every event, then (up to --settle in all) until the process is idle.
  auto drain0 = Clock::now();
  const double consumed_at_drain0 = consumed();
  bool drained =
      testing::WaitFor([&] { return stream_messages() >= events; }, std::chrono::seconds(settle_s));
  const double drain_s = Since(drain0);
  const double consumed_at_drain = consumed();
  std::printf(
      "outbox: %s after the load returned (%s of %s events in the stream); in that time the "
      "derived-indicator consumer handled %s events (%.0f/s)\n",
      drained ? ("drained " + std::to_string(static_cast<int>(drain_s)) + " s").c_str()
              : "NOT drained",
      Thousands(stream_messages()).c_str(), Thousands(events).c_str(),
      Thousands(consumed_at_drain - consumed_at_drain0).c_str(),
      (consumed_at_drain - consumed_at_drain0) / std::max(drain_s, 1e-9));
  std::fflush(stdout);

  // --- load SQLite (after the relay has drained: it shares the 2 cores) ---
  std::filesystem::remove(tmp.Sub("observations.db"));
  Sqlite sqlite;
  auto sq0 = Clock::now();
  if (!sqlite.Open(tmp.Sub("observations.db")) || !sqlite.Load(shape) || !sqlite.PrepareQueries()) {
    return 1;
  }
  const double sqlite_load_s = Since(sq0);
  std::printf(
      "SQLite %s: the same rows in one transaction (indexes in place, then ANALYZE): **%.1f s "
      "(%s rows/s)**, file %.0f MiB\n",
      sqlite3_libversion(), sqlite_load_s, Thousands(rows / sqlite_load_s).c_str(),
      std::filesystem::file_size(tmp.Sub("observations.db")) / 1048576.0);
  std::fflush(stdout);

  // --- restart ---
  const double consumed_before_restart = consumed();
  auto stop0 = Clock::now();
  service->Terminate();
  const double stop_s = Since(stop0);
  auto r0 = Clock::now();
  service = start();
  if (!service) return 1;
  const double restart_s = Since(r0);
  std::printf("restart: SIGTERM to exit %.2f s; **start to serving %.2f s**\n", stop_s, restart_s);
  std::fflush(stdout);
  // The relay publishes again every record it keeps (published within the retention window);
  // the stream drops them as duplicates. Wait until its counter stops moving.
  auto republish0 = Clock::now();
  double republished = 0;
  for (int still = 0; still < 3 && Since(republish0) < settle_s;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const double now = Metric(metrics_port, "renkei_outbox_events_published_total");
    still = now == republished ? still + 1 : 0;
    republished = now;
  }
  const double republish_s = Since(republish0) - 3;
  const double consumed_after_republish = consumed();
  std::printf(
      "after the restart the relay republished %s kept events in %.0f s; meanwhile the "
      "derived-indicator consumer handled %s (%s of %s events since the load began)\n\n",
      Thousands(republished).c_str(), republish_s, Thousands(consumed_after_republish).c_str(),
      Thousands(consumed_before_restart + consumed_after_republish).c_str(),
      Thousands(events).c_str());
  std::fflush(stdout);

  // --- the floor, with the service's own answers ---
  std::filesystem::create_directories(tmp.Sub("floor"));
  {
    const Pick sample{0, 0, shape.periods - 1, prefectures[0]};
    grpc::ClientContext c1, c2;
    v1::Series series;
    v1::RollUpValue rollup;
    if (!stub->GetSeries(&c1, SeriesRequest(shape, sample), &series).ok() ||
        !stub->RollUp(&c2, RollUpRequest(sample), &rollup).ok())
      return 1;
    std::ofstream(tmp.Sub("floor/series.bin")) << series.SerializeAsString();
    std::ofstream(tmp.Sub("floor/rollup.bin")) << rollup.SerializeAsString();
    for (const auto& pref : prefectures) {
      Pick p = sample;
      p.prefecture = pref;
      grpc::ClientContext ctx;
      v1::Comparison c;
      if (!stub->Compare(&ctx, CompareRequest(p), &c).ok()) return 1;
      std::ofstream(tmp.Sub("floor/compare-" + pref + ".bin")) << c.SerializeAsString();
    }
  }
  auto floor = testing::ChildProcess::Spawn(
      {"/proc/self/exe", "--floor-server", tmp.Sub("floor"), std::to_string(floor_port)}, {},
      tmp.Sub("floor.log"));
  if (!floor.ok() ||
      !testing::WaitFor(
          [&] {
            auto f = NewStub(floor_address);
            grpc::ClientContext ctx;
            ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
            v1::RollUpValue r;
            return f->RollUp(&ctx, {}, &r).ok();
          },
          std::chrono::seconds(30))) {
    std::fprintf(stderr, "floor server did not start\n");
    return 1;
  }

  // --- agreement ---
  int failures = 0;
  {
    const auto picks = Picks(shape, prefectures, verify, 7);
    int checked = 0, mismatched = 0;
    auto mismatch = [&](const char* what, const google::protobuf::Message& req,
                        const std::string& how) {
      if (++mismatched <= 5)
        std::printf("MISMATCH %s %s: %s\n", what, req.ShortDebugString().c_str(), how.c_str());
    };
    for (const auto& p : picks) {
      const std::string code = IndicatorCode(p.indicator), period = PeriodName(p.period);
      const bool ratio = IsRatio(p.indicator);
      grpc::ClientContext c1, c2, c3;
      v1::Series series;
      v1::Comparison comparison;
      v1::RollUpValue rollup;
      auto sr = SeriesRequest(shape, p);
      auto cr = CompareRequest(p);
      auto rr = RollUpRequest(p);
      if (!stub->GetSeries(&c1, sr, &series).ok() || !stub->Compare(&c2, cr, &comparison).ok() ||
          !stub->RollUp(&c3, rr, &rollup).ok()) {
        mismatch("call", sr, "failed");
        continue;
      }
      std::string d = Differs(series, sqlite.GetSeries(code, sr.jurisdiction_code(), ratio));
      if (!d.empty()) mismatch("GetSeries", sr, d);
      d = Differs(comparison,
                  sqlite.Compare(code, period, p.prefecture, DirectionOf(p.indicator), ratio));
      if (!d.empty()) mismatch("Compare", cr, d);
      if (comparison.expected() != per_prefecture[p.prefecture] && municipalities == 0)
        mismatch("Compare", cr, "expected " + std::to_string(comparison.expected()));
      d = Differs(rollup, sqlite.RollUp(code, period, ratio));
      if (!d.empty()) mismatch("RollUp", rr, d);
      checked += 3;
    }
    std::printf("agreement: %d random queries (%d of each kind, seed 7): renkei and SQLite %s\n\n",
                checked, verify,
                mismatched
                    ? ("DISAGREE on " + std::to_string(mismatched)).c_str()
                    : "give identical answers (periods, values, numerators, denominators, "
                      "withheld cells, rows in order with names and ranks, medians, quartiles, "
                      "reporting counts)");
    failures += mismatched;
  }
  std::fflush(stdout);

  // --- latency ---
  const auto picks = Picks(shape, prefectures, requests, 42);
  struct Query {
    const char* name;
    std::function<bool(Stub&, int)> rpc;
    std::function<bool(int)> sql;
  };
  const std::vector<Query> queries = {
      {"(a) series",
       [&](Stub& s, int i) {
         grpc::ClientContext ctx;
         v1::Series r;
         auto req = SeriesRequest(shape, picks[i]);
         grpc::Status st = s.GetSeries(&ctx, req, &r);
         if (!st.ok()) ReportFailure("GetSeries", req, st);
         return st.ok() && r.points_size() == shape.periods;
       },
       [&](int i) {
         const auto& p = picks[i];
         return sqlite
                    .GetSeries(IndicatorCode(p.indicator), shape.places[p.municipality].code,
                               IsRatio(p.indicator))
                    .points_size() == shape.periods;
       }},
      {"(b) compare",
       [&](Stub& s, int i) {
         grpc::ClientContext ctx;
         v1::Comparison r;
         auto req = CompareRequest(picks[i]);
         grpc::Status st = s.Compare(&ctx, req, &r);
         if (!st.ok()) ReportFailure("Compare", req, st);
         return st.ok() && r.rows_size() == per_prefecture[picks[i].prefecture];
       },
       [&](int i) {
         const auto& p = picks[i];
         return sqlite
                    .Compare(IndicatorCode(p.indicator), PeriodName(p.period), p.prefecture,
                             DirectionOf(p.indicator), IsRatio(p.indicator))
                    .rows_size() == per_prefecture.at(p.prefecture);
       }},
      {"(c) roll-up",
       [&](Stub& s, int i) {
         grpc::ClientContext ctx;
         v1::RollUpValue r;
         auto req = RollUpRequest(picks[i]);
         grpc::Status st = s.RollUp(&ctx, req, &r);
         if (!st.ok()) ReportFailure("RollUp", req, st);
         return st.ok() && r.reporting() == static_cast<int>(prefectures.size());
       },
       [&](int i) {
         const auto& p = picks[i];
         return sqlite
                    .RollUp(IndicatorCode(p.indicator), PeriodName(p.period), IsRatio(p.indicator))
                    .reporting() == static_cast<int>(prefectures.size());
       }},
  };
  auto caller_for = [&](const std::string& a, const Query& q) {
    return [&, a](int) {
      auto s = NewStub(a);
      return std::function<bool(int)>([s, &q](int i) { return q.rpc(*s, i); });
    };
  };
  struct Row {
    std::string name, condition;
    std::map<int, Result> renkei, floor;
    std::map<int, double> cpu_ms;
    Result sqlite;
  };
  std::vector<Row> results;
  // Every query in one condition of the service; returns the service's CPU use (cores) over it.
  const int warmup = std::min(requests, 200);
  auto measure = [&](const std::string& condition) {
    const long ticks0 = CpuTicks(service->pid());
    auto t0 = Clock::now();
    for (const auto& q : queries) {
      Row row{q.name, condition, {}, {}, {}, {}};
      for (int clients : client_counts) {
        Drive(clients, warmup, caller_for(address, q));
        Drive(clients, warmup, caller_for(floor_address, q));
        const long ticks = CpuTicks(service->pid());
        row.renkei[clients] = Drive(clients, requests, caller_for(address, q));
        row.cpu_ms[clients] =
            1000.0 * (CpuTicks(service->pid()) - ticks) / sysconf(_SC_CLK_TCK) / requests;
        row.floor[clients] = Drive(clients, requests, caller_for(floor_address, q));
        failures += static_cast<int>(row.renkei[clients].failed + row.floor[clients].failed);
      }
      Drive(1, warmup, [&](int) { return q.sql; });
      row.sqlite = Drive(1, requests, [&](int) { return q.sql; });
      failures += static_cast<int>(row.sqlite.failed);
      results.push_back(std::move(row));
    }
    return double(CpuTicks(service->pid()) - ticks0) / sysconf(_SC_CLK_TCK) / Since(t0);
  };

  // Busy: as the service is now, its own consumer still reading back the load's events.
  const double consumed_before_busy = consumed();
  auto busy0 = Clock::now();
  const double busy_cores = measure("busy");
  const double busy_s = Since(busy0);
  const double busy_consumed = consumed() - consumed_before_busy;
  // Quiet: nats-server stopped, so neither the relay nor the consumer has anything to do; then
  // until the process is idle (< 5% of a core for 2 s), at most --settle seconds.
  const double consumed_total = consumed_before_restart + consumed();
  (*nats)->Stop();
  auto idle0 = Clock::now();
  bool idle = false;
  while (!idle && Since(idle0) < settle_s) {
    const long before = CpuTicks(service->pid());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    idle = CpuTicks(service->pid()) - before < 0.1 * sysconf(_SC_CLK_TCK);
  }
  const double idle_s = Since(idle0);
  const double quiet_cores = measure("quiet");

  std::printf(
      "### Queries (%d calls a row, random picks, seed 42; renkei and the floor over gRPC on "
      "loopback, SQLite in this process without any RPC)\n\n",
      requests);
  const double consumer_rate = busy_consumed / busy_s;
  std::printf(
      "- busy: right after the restart; the service used %.2f cores while measured, its "
      "derived-indicator consumer handling %s events/s (%s of %s events handled when the quiet "
      "part began: the rest would take another %.0f min at that rate)\n",
      busy_cores, Thousands(consumer_rate).c_str(), Thousands(consumed_total).c_str(),
      Thousands(events).c_str(), (events - consumed_total) / std::max(consumer_rate, 1.0) / 60);
  std::printf(
      "- quiet: nats-server stopped (relay and consumer wait for it); the service was %s after "
      "%.0f s and used %.2f cores while measured\n\n",
      idle ? "idle" : "STILL BUSY", idle_s, quiet_cores);
  std::printf("| query | service |");
  for (int c : client_counts)
    std::printf(" renkei %d client%s p50 / p99 ms |", c, c > 1 ? "s" : "");
  for (int c : client_counts) std::printf(" floor %d p50 / p99 ms |", c);
  std::printf(" SQLite 1 thread p50 / p99 ms | p99 renkei %d / SQLite |\n|---|---|",
              client_counts[0]);
  for (size_t i = 0; i < 2 * client_counts.size() + 2; ++i) std::printf("---|");
  std::printf("\n");
  for (const auto& r : results) {
    std::printf("| %s | %s |", r.name.c_str(), r.condition.c_str());
    for (int c : client_counts)
      std::printf(" %.2f / **%.2f** |", r.renkei.at(c).Percentile(50) / 1000,
                  r.renkei.at(c).Percentile(99) / 1000);
    for (int c : client_counts)
      std::printf(" %.2f / %.2f |", r.floor.at(c).Percentile(50) / 1000,
                  r.floor.at(c).Percentile(99) / 1000);
    const double ratio =
        r.renkei.at(client_counts[0]).Percentile(99) / std::max(r.sqlite.Percentile(99), 1e-3);
    std::printf(" %.3f / %.3f | %.1f× |\n", r.sqlite.Percentile(50) / 1000,
                r.sqlite.Percentile(99) / 1000, ratio);
  }
  std::printf("\n| query | service |");
  for (int c : client_counts)
    std::printf(" renkei calls/s (%d) | service CPU ms/call (%d) | max ms (%d) |", c, c, c);
  std::printf(" floor calls/s (%d) | SQLite calls/s |\n|---|---|", client_counts.back());
  for (size_t i = 0; i < 3 * client_counts.size() + 2; ++i) std::printf("---|");
  std::printf("\n");
  for (const auto& r : results) {
    std::printf("| %s | %s |", r.name.c_str(), r.condition.c_str());
    for (int c : client_counts)
      std::printf(" %s | %.2f | %.2f |", Thousands(r.renkei.at(c).Rate()).c_str(), r.cpu_ms.at(c),
                  r.renkei.at(c).Percentile(100) / 1000);
    std::printf(" %s | %s |\n", Thousands(r.floor.at(client_counts.back()).Rate()).c_str(),
                Thousands(r.sqlite.Rate()).c_str());
  }
  {
    // Response sizes (the floor's canned answers).
    v1::Series series;
    v1::RollUpValue rollup;
    series.ParseFromString(testing::ReadFile(tmp.Sub("floor/series.bin")));
    rollup.ParseFromString(testing::ReadFile(tmp.Sub("floor/rollup.bin")));
    size_t smallest = SIZE_MAX, largest = 0;
    for (const auto& pref : prefectures) {
      v1::Comparison c;
      c.ParseFromString(testing::ReadFile(tmp.Sub("floor/compare-" + pref + ".bin")));
      smallest = std::min(smallest, c.ByteSizeLong());
      largest = std::max(largest, c.ByteSizeLong());
    }
    auto by_count = [](const auto& a, const auto& b) { return a.second < b.second; };
    std::printf(
        "\n(a) one municipality's %d-month series (GetSeries), (b) the municipalities of a "
        "prefecture for one month with ranks, median and quartiles (Compare), (c) the nation for "
        "one indicator and month (RollUp 000000). Response sizes: series %zu bytes; compare "
        "%zu–%zu bytes (%d–%d rows); roll-up %zu bytes\n",
        shape.periods, series.ByteSizeLong(), smallest, largest,
        std::min_element(per_prefecture.begin(), per_prefecture.end(), by_count)->second,
        std::max_element(per_prefecture.begin(), per_prefecture.end(), by_count)->second,
        rollup.ByteSizeLong());
  }
  std::printf("\ntarget p99 ≤ 20 ms over gRPC:");
  for (const auto& r : results) {
    double worst = 0;
    for (const auto& [c, res] : r.renkei) worst = std::max(worst, res.Percentile(99) / 1000);
    std::printf(" %s %s %s (worst %.2f ms);", r.name.substr(0, 3).c_str(), r.condition.c_str(),
                worst <= 20 ? "met" : "NOT met", worst);
  }
  std::printf("\nservice RSS at the end %ld MiB\n", RssMiB(service->pid()));
  if (failures) std::printf("\n(failures: %d)\n", failures);
  std::fflush(stdout);
  (*floor)->Terminate();
  // Not SIGTERM: with nats-server gone, the consumer finishes its fetched batch first, each
  // message's synchronous ack waiting for its timeout (minutes; see docs/benchmarks.md).
  service->Kill();
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) { return renkei::bench::Main(argc, argv); }
