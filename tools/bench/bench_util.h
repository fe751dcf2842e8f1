// What the end-to-end benchmarks share: latency percentiles, a closed-loop load driver over
// several client threads, and the machine line printed with every report.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace grpc {
class Service;
}

namespace renkei::bench {

// The p-th percentile (0..100) of the values (0 when empty).
double Percentile(std::vector<double> values, double p);

struct Result {
  double seconds = 0;
  size_t ok = 0, failed = 0;
  std::vector<double> latency_us;
  double Percentile(double p) const { return bench::Percentile(latency_us, p); }
  double Rate() const { return ok / seconds; }
};

// `clients` threads share `requests` calls. Each thread gets its caller from make_caller(thread)
// (e.g. with its own channel) and calls it with the index of the request; a call returns whether
// it succeeded.
Result Drive(int clients, int requests,
             const std::function<std::function<bool(int)>(int)>& make_caller);

// Serves `service` on 127.0.0.1:port on the services' own bootstrap (common::GrpcServer) until
// SIGTERM/SIGINT, which the caller has blocked (common::BlockTerminationSignals) before starting
// any thread. Returns the process exit code. Benchmarks use it for their floor servers.
int ServeUntilSignal(int port, grpc::Service* service);

// "1,8" -> {1, 8} (command-line lists), and back.
std::vector<int> ParseIntList(const char* arg);
std::string JoinInts(const std::vector<int>& values);

// "CPU model, N cores, M GiB, kernel".
std::string MachineLine();

}  // namespace renkei::bench
