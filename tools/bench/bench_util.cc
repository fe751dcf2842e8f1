#include "bench_util.h"

#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "renkei/common/server.h"

namespace renkei::bench {

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

Result Drive(int clients, int requests,
             const std::function<std::function<bool(int)>(int)>& make_caller) {
  using Clock = std::chrono::steady_clock;
  Result r;
  std::mutex mu;
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  threads.reserve(clients);
  auto t0 = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto call = make_caller(c);
      std::vector<double> local;
      size_t ok = 0, failed = 0;
      for (int i; (i = next.fetch_add(1)) < requests;) {
        auto q0 = Clock::now();
        bool good = call(i);
        local.push_back(std::chrono::duration<double, std::micro>(Clock::now() - q0).count());
        good ? ++ok : ++failed;
      }
      std::lock_guard<std::mutex> lock(mu);
      r.latency_us.insert(r.latency_us.end(), local.begin(), local.end());
      r.ok += ok;
      r.failed += failed;
    });
  }
  for (auto& t : threads) t.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

std::string MachineLine() {
  utsname u{};
  uname(&u);
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpu, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  long mem_kb = 0;
  std::ifstream mem("/proc/meminfo");
  while (std::getline(mem, line)) {
    if (line.rfind("MemTotal:", 0) == 0) mem_kb = std::atol(line.c_str() + 9);
  }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " cores, " +
         std::to_string(mem_kb / 1024 / 1024) + " GiB, " + u.sysname + " " + u.release;
}

int ServeUntilSignal(int port, grpc::Service* service) {
  common::ServerOptions options;
  options.listen_address = "127.0.0.1:" + std::to_string(port);
  auto server = common::GrpcServer::Start(options, {service});
  if (!server.ok()) return 1;
  common::WaitForTerminationSignal();
  (*server)->Shutdown(std::chrono::seconds(1));
  return 0;
}

std::vector<int> ParseIntList(const char* arg) {
  std::vector<int> out;
  std::stringstream ss(arg);
  std::string part;
  while (std::getline(ss, part, ',')) out.push_back(std::atoi(part.c_str()));
  return out;
}

std::string JoinInts(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

}  // namespace renkei::bench
