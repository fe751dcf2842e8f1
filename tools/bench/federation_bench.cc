// Federation benchmark: how fast events travel municipal → prefecture → nation over the real
// federation (six nats-servers on loopback, leaf links through TCP proxies, JetStream domains and
// stream sourcing rendered from the instance files exactly as deployed; docs/federation.md).
//
//   1. Propagation latency under steady load: each municipality publishes `--rate` events/s into
//      its RENKEI_EVENTS for `--seconds`; consumers at Tokyo and at the nation read their
//      RENKEI_CHILDREN and record, per event, the time from the municipality's acknowledged
//      publish call to its arrival there (one clock: one machine).
//   2. Catch-up: Inagi's link is cut for `--outage-seconds` (default 300) while `--backlog`
//      events (default 10,000) pile up in Inagi; the link returns and the time until all of them
//      are in Tokyo's and the nation's RENKEI_CHILDREN is measured.
//   3. `--capacity N[,M...]`: one prefectural hub with N simulated municipal nats-servers (each
//      its own domain and leaf node, two sources each at the hub), every municipality publishing
//      `--capacity-rate` events/s: latency at the hub, catch-up of a backlog spread over all of
//      them, and the hub's memory.
//
// Usage: federation_bench [--rate 300] [--seconds 30] [--backlog 10000] [--outage-seconds 300]
//                         [--capacity 0] [--capacity-rate 5] [--capacity-backlog 20000]
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "bench_util.h"
#include "federation_harness.h"
#include "renkei/common/federation.h"
#include "renkei/common/jurisdiction.h"

namespace renkei::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Wall-clock ns: the streams stamp stored messages with the server's (same machine) clock.
int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Options {
  int rate = 300;
  int seconds = 30;
  int backlog = 10000;
  int outage_seconds = 300;
  std::vector<int> capacity;
  int capacity_rate = 5;
  int capacity_backlog = 20000;
};

// Reads the stream on a durable pull consumer and records, for every bench event, the time from
// its send (payload: ns) to when this stream stored it (the message's JetStream timestamp), so
// the probe's own speed does not count.
class LatencyProbe {
 public:
  LatencyProbe(common::NatsBus* bus, const std::string& stream, const std::string& durable)
      : bus_(bus), stream_(stream), durable_(durable) {}
  ~LatencyProbe() { Stop(); }
  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<double> TakeLatenciesMs() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(latencies_ms_);
  }
  size_t received() const { return received_; }

 private:
  void Run() {
    common::ConsumerSpec spec;
    spec.stream = stream_;
    spec.durable = durable_;
    spec.filter_subject = "renkei.*.*.bench.*";
    spec.max_ack_pending = 20000;
    auto sub = bus_->PullSubscribe(spec);
    if (!sub.ok()) {
      std::cerr << "probe " << durable_ << ": " << sub.status() << "\n";
      return;
    }
    while (!stop_) {
      auto msgs = (*sub)->Fetch(256, 200);
      if (!msgs.ok()) continue;
      for (auto& m : *msgs) {
        const int64_t now = m.stored_at_ns();
        int64_t sent = 0;
        if (m.data().size() == sizeof sent) std::memcpy(&sent, m.data().data(), sizeof sent);
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (sent > 0) latencies_ms_.push_back((now - sent) / 1e6);
        }
        ++received_;
        (void)m.Ack();
      }
    }
  }

  common::NatsBus* bus_;
  std::string stream_, durable_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> received_{0};
  std::mutex mu_;
  std::vector<double> latencies_ms_;
  std::thread thread_;
};

std::string Payload(int64_t sent_ns) {
  return std::string(reinterpret_cast<const char*>(&sent_ns), sizeof sent_ns);
}

// Publishes `rate` national-share bench events per second from `origin` for `seconds`.
void Publish(common::NatsBus* bus, const std::string& origin, int rate, int seconds,
             std::atomic<uint64_t>* counter) {
  const int ticks_per_second = 50;
  const auto tick = std::chrono::microseconds(1000000 / ticks_per_second);
  auto next = Clock::now();
  double owed = 0;
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    owed += static_cast<double>(rate) / ticks_per_second;
    std::vector<common::OutgoingMessage> batch;
    for (; owed >= 1; owed -= 1) {
      const uint64_t n = counter->fetch_add(1);
      batch.push_back({"renkei.national." + origin + ".bench.tick",
                       "bench-" + origin + "-" + std::to_string(n), Payload(NowNs())});
    }
    if (!batch.empty()) (void)bus->PublishBatch(batch, 5000);
    next += tick;
    std::this_thread::sleep_until(next);
  }
}

void Report(const std::string& what, const std::vector<double>& ms) {
  std::printf("  %-44s n=%-7zu p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n", what.c_str(), ms.size(),
              Percentile(ms, 50), Percentile(ms, 99), Percentile(ms, 100));
}

uint64_t Messages(common::NatsBus& bus, const std::string& stream) {
  auto st = bus.GetStreamState(stream);
  return st.ok() ? st->messages : 0;
}

// Seconds until the stream holds `target` messages (polled every 10 ms); -1 on timeout.
double SecondsUntil(common::NatsBus& bus, const std::string& stream, uint64_t target,
                    Clock::time_point from, int timeout_s = 600) {
  while (Clock::now() - from < std::chrono::seconds(timeout_s)) {
    if (Messages(bus, stream) >= target) {
      return std::chrono::duration<double>(Clock::now() - from).count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int64_t RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

int RunStandard(const Options& o) {
  testing::TempDir tmp;
  std::printf("== the local federation: nation, Tokyo, Saitama, Inagi, Chofu, Kumagaya\n");
  auto fed =
      testing::LocalFederation::Start(tmp.path(), testing::LocalFederation::Standard({}, {}, {}));
  if (!fed.ok()) {
    std::cerr << fed.status() << "\n";
    return 1;
  }
  auto& f = **fed;
  if (auto s = f.EnsureStreams(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // sources start

  // 1. Steady load.
  std::printf(
      "\n== 1. propagation under steady load: %d events/s from each of 3 municipalities, "
      "%d s\n",
      o.rate, o.seconds);
  LatencyProbe at_tokyo(f.node("p13").bus.get(), common::kChildrenStream, "bench_tokyo");
  LatencyProbe at_nation(f.node("national").bus.get(), common::kChildrenStream, "bench_nation");
  at_tokyo.Start();
  at_nation.Start();
  std::atomic<uint64_t> counter{0};
  std::vector<std::thread> publishers;
  for (const char* m : {"m132250", "m132080", "m112020"}) {
    publishers.emplace_back(
        [&, m] { Publish(f.node(m).bus.get(), m, o.rate, o.seconds, &counter); });
  }
  for (auto& t : publishers) t.join();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  at_tokyo.Stop();
  at_nation.Stop();
  const uint64_t sent = counter.load();
  std::printf("  sent %llu events (%d/s in all)\n", static_cast<unsigned long long>(sent),
              o.rate * 3);
  Report("municipality -> prefecture (Tokyo: Inagi, Chofu)", at_tokyo.TakeLatenciesMs());
  Report("municipality -> nation (all three, via prefecture)", at_nation.TakeLatenciesMs());

  // 2. Catch-up after an outage.
  std::printf("\n== 2. catch-up: Inagi's link cut for %d s while %d events pile up\n",
              o.outage_seconds, o.backlog);
  auto& inagi = *f.node("m132250").bus;
  const uint64_t tokyo_before = Messages(*f.node("p13").bus, common::kChildrenStream);
  const uint64_t nation_before = Messages(*f.node("national").bus, common::kChildrenStream);
  const auto cut_at = Clock::now();
  f.node("m132250").uplink->Cut();
  for (int i = 0; i < o.backlog; i += 1000) {
    std::vector<common::OutgoingMessage> batch;
    for (int j = i; j < std::min(o.backlog, i + 1000); ++j) {
      batch.push_back(
          {"renkei.national.m132250.bench.backlog", "backlog-" + std::to_string(j), Payload(0)});
    }
    (void)inagi.PublishBatch(batch, 10000);
  }
  std::printf("  backlog in Inagi's stream after %.1f s; Tokyo received meanwhile: %llu\n",
              std::chrono::duration<double>(Clock::now() - cut_at).count(),
              static_cast<unsigned long long>(
                  Messages(*f.node("p13").bus, common::kChildrenStream) - tokyo_before));
  std::this_thread::sleep_until(cut_at + std::chrono::seconds(o.outage_seconds));
  std::printf("  at the end of the outage Tokyo had received %llu of them\n",
              static_cast<unsigned long long>(
                  Messages(*f.node("p13").bus, common::kChildrenStream) - tokyo_before));
  const auto restored = Clock::now();
  f.node("m132250").uplink->Restore();
  const double first_s =
      SecondsUntil(*f.node("p13").bus, common::kChildrenStream, tokyo_before + 1, restored);
  const double tokyo_s =
      SecondsUntil(*f.node("p13").bus, common::kChildrenStream, tokyo_before + o.backlog, restored);
  const double nation_s = SecondsUntil(*f.node("national").bus, common::kChildrenStream,
                                       nation_before + o.backlog, restored);
  std::printf(
      "  link restored: Tokyo has all %d after %.2f s (%.0f events/s), the nation after "
      "%.2f s (%.0f events/s) — including the leaf node's reconnect\n",
      o.backlog, tokyo_s, o.backlog / tokyo_s, nation_s, o.backlog / nation_s);
  std::printf(
      "  of which reconnecting (leaf link up, sourcing resumed, first event in Tokyo): "
      "%.2f s; then the backlog drained at %.0f events/s\n",
      first_s, (o.backlog - 1) / (tokyo_s - first_s));
  // Exactly once: the count settles at the backlog.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  std::printf("  Tokyo +%llu, nation +%llu messages (expected %d each)\n",
              static_cast<unsigned long long>(
                  Messages(*f.node("p13").bus, common::kChildrenStream) - tokyo_before),
              static_cast<unsigned long long>(
                  Messages(*f.node("national").bus, common::kChildrenStream) - nation_before),
              o.backlog);
  return 0;
}

int RunCapacity(const Options& o, int n) {
  testing::TempDir tmp;
  // N municipalities of Hokkaido under its prefecture (real codes; as many as asked).
  std::vector<testing::FederationNodeSpec> nodes = {{"p01", "", {}}};
  for (const auto* m : common::Jurisdictions::Get().MunicipalitiesOf("01")) {
    if (static_cast<int>(nodes.size()) > n) break;
    if (m->kind != common::MunicipalityKind::kMunicipality) continue;
    nodes.push_back({"m" + m->code, "p01", {}});
  }
  n = static_cast<int>(nodes.size()) - 1;
  std::printf("\n== 3. capacity: Hokkaido's hub with %d municipal nats-servers (%d sources)\n", n,
              2 * n);
  const auto t0 = Clock::now();
  auto fed = testing::LocalFederation::Start(tmp.path(), nodes);
  if (!fed.ok()) {
    std::cerr << fed.status() << "\n";
    return 1;
  }
  auto& f = **fed;
  if (auto s = f.EnsureStreams(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  std::printf("  started and streams ensured in %.1f s\n",
              std::chrono::duration<double>(Clock::now() - t0).count());
  auto& hub = *f.node("p01").bus;
  // Wait until every source is active.
  for (int i = 0; i < 600; ++i) {
    auto info = hub.GetStreamInfo(common::kChildrenStream);
    int active = 0;
    if (info.ok()) {
      for (const auto& s : info->sources) active += s.active_ms >= 0 && s.active_ms < 3000;
    }
    if (active == 2 * n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("  all sources active after %.1f s; hub RSS %lld MiB\n",
              std::chrono::duration<double>(Clock::now() - t0).count(),
              static_cast<long long>(RssKb(f.node("p01").nats->pid()) / 1024));

  LatencyProbe probe(&hub, common::kChildrenStream, "bench_capacity");
  probe.Start();
  std::atomic<uint64_t> counter{0};
  std::vector<std::thread> publishers;
  for (const auto& id : f.ids()) {
    if (id == "p01") continue;
    publishers.emplace_back(
        [&, id] { Publish(f.node(id).bus.get(), id, o.capacity_rate, o.seconds, &counter); });
  }
  for (auto& t : publishers) t.join();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  probe.Stop();
  std::printf("  steady: %d events/s from each (%d/s in all), %d s\n", o.capacity_rate,
              o.capacity_rate * n, o.seconds);
  Report("municipality -> prefecture hub", probe.TakeLatenciesMs());
  std::printf("  hub RSS %lld MiB\n",
              static_cast<long long>(RssKb(f.node("p01").nats->pid()) / 1024));

  // Catch-up: every link cut, a backlog spread over all municipalities, links restored at once.
  const uint64_t before = Messages(hub, common::kChildrenStream);
  for (const auto& id : f.ids()) {
    if (id != "p01") f.node(id).uplink->Cut();
  }
  const int per = std::max(1, o.capacity_backlog / n);
  for (const auto& id : f.ids()) {
    if (id == "p01") continue;
    std::vector<common::OutgoingMessage> batch;
    batch.reserve(per);
    for (int j = 0; j < per; ++j) {
      batch.push_back({"renkei.national." + id + ".bench.backlog",
                       "backlog-" + id + "-" + std::to_string(j), Payload(0)});
    }
    (void)f.node(id).bus->PublishBatch(batch, 10000);
  }
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const auto restored = Clock::now();
  for (const auto& id : f.ids()) {
    if (id != "p01") f.node(id).uplink->Restore();
  }
  const double s = SecondsUntil(hub, common::kChildrenStream, before + uint64_t(per) * n, restored);
  std::printf(
      "  catch-up: %d events (%d from each) after every link returned at once: %.2f s "
      "(%.0f events/s)\n",
      per * n, per, s, per * n / s);
  return 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) {
  using namespace renkei::bench;
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--rate")
      o.rate = std::atoi(v);
    else if (k == "--seconds")
      o.seconds = std::atoi(v);
    else if (k == "--backlog")
      o.backlog = std::atoi(v);
    else if (k == "--outage-seconds")
      o.outage_seconds = std::atoi(v);
    else if (k == "--capacity")
      o.capacity = ParseIntList(v);
    else if (k == "--capacity-rate")
      o.capacity_rate = std::atoi(v);
    else if (k == "--capacity-backlog")
      o.capacity_backlog = std::atoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  std::printf("federation_bench — %s\nnats-server: Debian's 2.9.10, JetStream file storage\n",
              MachineLine().c_str());
  if (o.capacity.empty()) return RunStandard(o);
  for (int n : o.capacity) {
    if (n <= 0) continue;
    if (int rc = RunCapacity(o, n); rc != 0) return rc;
  }
  return 0;
}
