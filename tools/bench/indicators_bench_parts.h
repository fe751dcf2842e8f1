// What the files of indicators_bench share (indicators_bench.cc: the run and its report;
// indicators_bench_data.cc: the data, the queries and comparing answers;
// indicators_bench_sqlite.cc: SQLite with the same data; indicators_bench_process.cc: the floor
// server and watching the service's process): the data's shape, the queries' picks, the SQLite
// side and the helpers around the service process.
#pragma once

#include <sqlite3.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "renkei/v1/indicators.grpc.pb.h"

namespace renkei::bench {

using Clock = std::chrono::steady_clock;
using Stub = v1::IndicatorsService::Stub;

inline double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// --- the data ---------------------------------------------------------------------------------

struct Place {
  std::string code, prefecture, name;
};

// The municipalities that report: not the wards of designated cities (their city reports).
std::vector<Place> ReportingMunicipalities();

// Small-cell suppression, set explicitly in the instance file (the service's defaults): counts
// 1..9 and ratios over fewer than 10 are withheld from callers outside the jurisdiction, which
// on the national instance means every municipal cell. SQLite's answers apply the same rule.
inline constexpr int kSuppressionMaxCount = 9;
inline constexpr int kSuppressionMinDenominator = 10;

// Even indicators are counts, odd ones ratios.
inline bool IsRatio(int k) { return k % 2 == 1; }
// Whether the service withholds the cell (the rule above).
inline bool Withheld(bool ratio, double value, double denominator) {
  return ratio ? denominator < kSuppressionMinDenominator
               : value >= 1 && value <= kSuppressionMaxCount;
}
std::string IndicatorCode(int k);
v1::Direction DirectionOf(int k);
std::string PeriodName(int p);  // 2021-04 + p months

// One observation: counts are whole numbers (many small, so ranks tie and cells are
// suppressed); ratios have whole numerators and denominators, value = numerator / denominator.
struct Value {
  double value = 0;
  int64_t numerator = 0, denominator = 0;
};

// Indicator k's observation of municipality m in period p.
Value Generate(int k, int m, int p);

struct Shape {
  int indicators = 30, periods = 60;
  std::vector<Place> places;
  int64_t rows() const {
    return int64_t{indicators} * periods * static_cast<int64_t>(places.size());
  }
  // Row r: indicator-major, then municipality, then period.
  void Decode(int64_t r, int* k, int* m, int* p) const {
    *p = static_cast<int>(r % periods);
    *m = static_cast<int>((r / periods) % static_cast<int64_t>(places.size()));
    *k = static_cast<int>(r / (int64_t{periods} * static_cast<int64_t>(places.size())));
  }
};

// Rows [begin, end) as the CSV ImportObservations reads.
std::string Csv(const Shape& s, int64_t begin, int64_t end);
// Indicator k's national definition.
v1::DefineIndicatorRequest Definition(int k);

// --- the queries --------------------------------------------------------------------------

struct Pick {
  int indicator = 0, municipality = 0, period = 0;
  std::string prefecture;  // 2 digits
};

std::vector<Pick> Picks(const Shape& s, const std::vector<std::string>& prefectures, int n,
                        uint32_t seed);
v1::GetSeriesRequest SeriesRequest(const Shape& s, const Pick& p);
v1::CompareRequest CompareRequest(const Pick& p);
v1::RollUpRequest RollUpRequest(const Pick& p);

// --- comparing answers ----------------------------------------------------------------------

// "" when renkei's and SQLite's answers agree; else what differs.
std::string Differs(const v1::Series& renkei, const v1::Series& sqlite);
std::string Differs(const v1::Comparison& renkei, const v1::Comparison& sqlite);
std::string Differs(const v1::RollUpValue& renkei, const v1::RollUpValue& sqlite);

// --- SQLite -------------------------------------------------------------------------------

// The same rows in SQLite (indexed), and the three queries as prepared statements.
class Sqlite {
 public:
  ~Sqlite();

  bool Open(const std::string& path);
  // Every row in one transaction.
  bool Load(const Shape& s);
  bool PrepareQueries();

  // The same answers as the service's messages (the fields the comparison checks).
  // Small cells are withheld as the service does (in C++, per row).
  v1::Series GetSeries(const std::string& code, const std::string& jurisdiction, bool ratio);
  v1::Comparison Compare(const std::string& code, const std::string& period,
                         const std::string& prefecture, v1::Direction direction, bool ratio);
  // Σ by prefecture in SQL, then the nation from the prefectures: a ratio is Σ numerators /
  // Σ denominators, a count the sum.
  v1::RollUpValue RollUp(const std::string& code, const std::string& period, bool ratio);

 private:
  bool Fail(const char* what);
  bool Exec(const char* sql);
  sqlite3_stmt* Prepare(const char* sql);

  sqlite3* db_ = nullptr;
  sqlite3_stmt *series_ = nullptr, *compare_desc_ = nullptr, *compare_asc_ = nullptr,
               *rollup_ = nullptr;
};

// --- the floor and the service process ------------------------------------------------------

// Saves the service's answers the floor serves into `dir`: the series and the roll-up of the last
// period's first pick (series.bin, rollup.bin) and each prefecture's comparison
// (compare-<pp>.bin). False when a call fails.
bool SaveFloorAnswers(Stub& stub, const Shape& shape, const std::vector<std::string>& prefectures,
                      const std::string& dir);
// The note under the query tables: what each query is, and the sizes of the floor's answers in
// `dir`.
void PrintResponseSizes(const std::string& dir, const Shape& shape,
                        const std::vector<std::string>& prefectures,
                        const std::map<std::string, int>& per_prefecture);
// --floor-server DIR PORT: DIR holds series.bin, rollup.bin and compare-<pp>.bin.
int RunFloorServer(const std::string& dir, int port);

std::shared_ptr<Stub> NewStub(const std::string& address);
// Whether the service at `address` answers (a fresh channel: no reconnect backoff).
bool Serving(const std::string& address);
// Prints the first five failed calls.
void ReportFailure(const char* what, const google::protobuf::Message& request,
                   const grpc::Status& s);
// CPU time (clock ticks) the process has used.
long CpuTicks(pid_t pid);
long RssMiB(pid_t pid);
// GET /metrics from the service's Prometheus endpoint; the sum of the samples named `name` whose
// labels contain `label` (-1 when there are none).
double Metric(int port, const std::string& name, const std::string& label = "");

}  // namespace renkei::bench
