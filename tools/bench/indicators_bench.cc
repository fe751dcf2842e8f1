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
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "indicators_bench_parts.h"
#include "renkei/common/bus.h"
#include "testing.h"

namespace renkei::bench {
namespace {

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
  threads.reserve(loaders);
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
  if (!SaveFloorAnswers(*stub, shape, prefectures, tmp.Sub("floor"))) return 1;
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
  PrintResponseSizes(tmp.Sub("floor"), shape, prefectures, per_prefecture);
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
