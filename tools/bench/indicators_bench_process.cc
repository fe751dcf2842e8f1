// indicators_bench's floor (a server answering the three RPCs with the service's canned answers)
// and what it watches of the service's process: its channel, CPU time, memory and Prometheus
// counters.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench_util.h"
#include "grpcpp/create_channel.h"
#include "indicators_bench_parts.h"
#include "renkei/common/server.h"
#include "testing.h"

namespace renkei::bench {
namespace {

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

}  // namespace

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
double Metric(int port, const std::string& name, const std::string& label) {
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

bool SaveFloorAnswers(Stub& stub, const Shape& shape, const std::vector<std::string>& prefectures,
                      const std::string& dir) {
  const Pick sample{0, 0, shape.periods - 1, prefectures[0]};
  grpc::ClientContext c1, c2;
  v1::Series series;
  v1::RollUpValue rollup;
  if (!stub.GetSeries(&c1, SeriesRequest(shape, sample), &series).ok() ||
      !stub.RollUp(&c2, RollUpRequest(sample), &rollup).ok())
    return false;
  std::ofstream(dir + "/series.bin") << series.SerializeAsString();
  std::ofstream(dir + "/rollup.bin") << rollup.SerializeAsString();
  for (const auto& pref : prefectures) {
    Pick p = sample;
    p.prefecture = pref;
    grpc::ClientContext ctx;
    v1::Comparison c;
    if (!stub.Compare(&ctx, CompareRequest(p), &c).ok()) return false;
    std::ofstream(absl::StrCat(dir, "/compare-", pref, ".bin")) << c.SerializeAsString();
  }
  return true;
}

void PrintResponseSizes(const std::string& dir, const Shape& shape,
                        const std::vector<std::string>& prefectures,
                        const std::map<std::string, int>& per_prefecture) {
  v1::Series series;
  v1::RollUpValue rollup;
  series.ParseFromString(testing::ReadFile(dir + "/series.bin"));
  rollup.ParseFromString(testing::ReadFile(dir + "/rollup.bin"));
  size_t smallest = SIZE_MAX, largest = 0;
  for (const auto& pref : prefectures) {
    v1::Comparison c;
    c.ParseFromString(testing::ReadFile(absl::StrCat(dir, "/compare-", pref, ".bin")));
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

}  // namespace renkei::bench
