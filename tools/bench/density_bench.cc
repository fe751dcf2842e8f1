// Hosting density (issue 23): how many municipal instances one host holds when each runs as it is
// deployed today — its own nats-server (JetStream) and its six services and gateway as processes.
// Starts N instances one after the other (Tokyo's first N municipalities), then, once all are
// idle, measures per process: resident memory (VmRSS; and PSS from smaps_rollup, which shares the
// pages of common libraries fairly between processes), threads, open file descriptors, and CPU
// used over an idle window; and per instance the time from its nats-server's start to its last
// process serving.
//
//   density_bench [--instances 20] [--idle-seconds 30] [--dir /tmp/renkei-density]
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "harness.h"
#include "renkei/common/jurisdiction.h"

namespace renkei::bench {
namespace {

constexpr const char* kProcesses[] = {"nats-server", "directory",  "intake",  "issues",
                                      "training",    "indicators", "network", "gateway"};

struct Sample {
  double rss_mib = 0, pss_mib = 0;
  int threads = 0, fds = 0;
  double cpu_seconds = 0;  // user + system since the process started
};

// A "Key:   value kB" line of a /proc file, in MiB (0 when absent).
double ProcKib(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream fields(line.substr(key.size() + 1));
      double kib = 0;
      fields >> kib;
      return kib / 1024.0;
    }
  }
  return 0;
}

Sample Measure(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  Sample s;
  s.rss_mib = ProcKib(proc + "/status", "VmRSS");
  s.pss_mib = ProcKib(proc + "/smaps_rollup", "Pss");
  s.threads = static_cast<int>(ProcKib(proc + "/status", "Threads") * 1024.0);
  if (DIR* dir = opendir((proc + "/fd").c_str())) {
    while (const dirent* entry = readdir(dir)) s.fds += entry->d_name[0] != '.';
    closedir(dir);
  }
  std::ifstream stat(proc + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command (which may hold spaces) start after the last ')'.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return s;
}

struct Instance {
  std::string code;
  std::unique_ptr<testing::NatsServer> nats;
  std::unique_ptr<testing::InstanceProcesses> processes;
  double start_seconds = 0;
  pid_t pid(const std::string& process) const {
    return process == "nats-server" ? nats->pid() : processes->process(process)->pid();
  }
};

int Run(int instances, int idle_seconds, const std::string& dir) {
  std::printf("density_bench: %d municipal instances, idle window %d s\n%s\n", instances,
              idle_seconds, MachineLine().c_str());
  std::filesystem::remove_all(dir);
  // The host's view, beside the per-process sums: memory the kernel could still hand out.
  const double available_before = ProcKib("/proc/meminfo", "MemAvailable");
  const auto tokyo = common::Jurisdictions::Get().MunicipalitiesOf("13");
  std::vector<std::unique_ptr<Instance>> running;
  const auto all_started = std::chrono::steady_clock::now();
  for (int i = 0; i < instances && i < static_cast<int>(tokyo.size()); ++i) {
    auto instance = std::make_unique<Instance>();
    instance->code = tokyo[static_cast<size_t>(i)]->code;
    const std::string home = dir + "/m" + instance->code;
    const auto begin = std::chrono::steady_clock::now();
    auto nats = testing::NatsServer::Start(home + "/nats");
    if (!nats.ok()) {
      std::fprintf(stderr, "nats-server of %s: %s\n", instance->code.c_str(),
                   nats.status().ToString().c_str());
      return 1;
    }
    instance->nats = std::move(*nats);
    testing::InstanceSpec spec;
    spec.code = instance->code;
    spec.services = {"directory", "intake", "issues", "training", "indicators", "network"};
    instance->processes =
        std::make_unique<testing::InstanceProcesses>(home, instance->nats->url(), spec);
    for (const char* process : kProcesses) {
      if (std::strcmp(process, "nats-server") == 0) continue;
      if (absl::Status s = instance->processes->Start(process); !s.ok()) {
        std::fprintf(stderr, "%s of %s: %s\n", process, instance->code.c_str(),
                     s.ToString().c_str());
        return 1;
      }
    }
    instance->start_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    std::printf("  m%s started in %.2f s\n", instance->code.c_str(), instance->start_seconds);
    std::fflush(stdout);
    running.push_back(std::move(instance));
  }
  const double start_all =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - all_started).count();

  // Settle (consumers created, first audit seals, caches), then the idle window.
  std::this_thread::sleep_for(std::chrono::seconds(10));
  std::map<std::string, std::vector<Sample>> before, after;
  for (const auto& instance : running) {
    for (const char* process : kProcesses)
      before[process].push_back(Measure(instance->pid(process)));
  }
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  for (const auto& instance : running) {
    for (const char* process : kProcesses)
      after[process].push_back(Measure(instance->pid(process)));
  }

  const double available_after = ProcKib("/proc/meminfo", "MemAvailable");
  const double n = static_cast<double>(running.size());
  std::printf("\nper process, mean over %zu instances (idle CPU: %% of one core over %d s)\n",
              running.size(), idle_seconds);
  std::printf("%-12s %9s %9s %8s %6s %9s\n", "process", "RSS MiB", "PSS MiB", "threads", "fds",
              "idle CPU");
  Sample total;
  double total_cpu = 0;
  for (const char* process : kProcesses) {
    Sample mean;
    double cpu = 0;
    for (size_t i = 0; i < running.size(); ++i) {
      const Sample& a = after[process][i];
      mean.rss_mib += a.rss_mib / n;
      mean.pss_mib += a.pss_mib / n;
      mean.threads += a.threads;
      mean.fds += a.fds;
      cpu += (a.cpu_seconds - before[process][i].cpu_seconds) / n;
    }
    const double cpu_pct = 100.0 * cpu / idle_seconds;
    std::printf("%-12s %9.1f %9.1f %8.1f %6.1f %8.2f%%\n", process, mean.rss_mib, mean.pss_mib,
                mean.threads / n, mean.fds / n, cpu_pct);
    total.rss_mib += mean.rss_mib;
    total.pss_mib += mean.pss_mib;
    total.threads += mean.threads;
    total.fds += mean.fds;
    total_cpu += cpu_pct;
  }
  std::printf("%-12s %9.1f %9.1f %8.1f %6.1f %8.2f%%\n", "instance", total.rss_mib, total.pss_mib,
              total.threads / n, total.fds / n, total_cpu);
  std::vector<double> starts;
  starts.reserve(running.size());
  for (const auto& instance : running) starts.push_back(instance->start_seconds);
  std::printf(
      "\nper instance: %zu processes, start to serving p50 %.2f s, max %.2f s; all %zu started "
      "in %.1f s\nhost: %.0f MiB PSS for %zu instances (MemAvailable fell by %.0f MiB: %.1f MiB "
      "per instance); at this footprint a 24 GiB host holds %.0f instances by memory\n",
      std::size(kProcesses), Percentile(starts, 50), Percentile(starts, 100), running.size(),
      start_all, total.pss_mib * n, running.size(), available_before - available_after,
      (available_before - available_after) / n, 24.0 * 1024 / total.pss_mib);
  return 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) {
  int instances = 20;
  int idle_seconds = 30;
  std::string dir = "/tmp/renkei-density";
  if ((argc - 1) % 2 != 0) {
    std::fprintf(stderr, "usage: density_bench [--instances N] [--idle-seconds S] [--dir D]\n");
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--instances") {
      instances = std::atoi(argv[i + 1]);
    } else if (flag == "--idle-seconds") {
      idle_seconds = std::atoi(argv[i + 1]);
    } else if (flag == "--dir") {
      dir = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: density_bench [--instances N] [--idle-seconds S] [--dir D]\n");
      return 2;
    }
  }
  return renkei::bench::Run(instances, idle_seconds, dir);
}
