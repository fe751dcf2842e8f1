// directory_bench: load tool for the resource directory, end to end over gRPC on loopback.
//
// It starts a real nats-server and the real renkei-directory binary (another process, as in
// production), then measures in one run:
//   floors  RocksDB synced batch writes of 1000 rows (the storage limit of an import), and the
//           latency of a trivial RPC on the same server (ListCapabilities: the gRPC limit);
//   import  every real file of reference-data/ (~129k facilities) through ImportResources, then
//           synthetic facilities (project CSV) up to --total resources;
//   search  p50/p99/max and throughput for three query shapes — capability + municipality,
//           distance from a point, free text — at the real-data size and at --total.
//
//   build/bin/directory_bench [--total 500000] [--queries 2000] [--data reference-data]
//
// Prints a report (Markdown) on stdout; docs/benchmarks.md records the figures.
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "directory/csv_formats.h"
#include "grpcpp/create_channel.h"
#include "renkei/common/bus.h"
#include "renkei/common/csv.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/store.h"
#include "renkei/common/text.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "testing.h"

namespace renkei::bench {
namespace {

constexpr size_t kChunkBytes = size_t{512} * 1024;  // per import request

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Latency {
  std::vector<double> us;
  double Percentile(double p) const { return bench::Percentile(us, p); }
  double Max() const { return us.empty() ? 0 : *std::max_element(us.begin(), us.end()); }
};

// ---- floors ----

// Rows/s of synced 1000-row batches of ~600-byte values: what an import could reach if parsing,
// validation and the outbox cost nothing.
double RocksDbBatchFloor(const std::string& dir) {
  auto store = common::Store::Open({.path = dir, .column_families = {"rows"}});
  if (!store.ok()) return 0;
  std::string value(600, 'x');
  const int kBatches = 60;
  auto t0 = Clock::now();
  for (int b = 0; b < kBatches; ++b) {
    common::Batch batch;
    for (int i = 0; i < 1000; ++i) {
      batch.Put((*store)->Cf("rows"), "k" + std::to_string(b * 1000 + i), value);
    }
    if (!(*store)->Write(batch, common::Durability::kSync).ok()) return 0;
  }
  return kBatches * 1000 / Seconds(t0, Clock::now());
}

// ---- import ----

struct ImportResult {
  int64_t rows = 0, inserted = 0, rejected = 0;
  double seconds = 0;
};

ImportResult StreamImport(v1::DirectoryService::Stub& stub,
                          const std::function<bool(std::string*)>& next_chunk,
                          const std::string& name) {
  ImportResult r;
  grpc::ClientContext ctx;
  auto t0 = Clock::now();
  auto stream = stub.ImportResources(&ctx);
  v1::ImportSummary summary;
  std::thread reader([&] {
    v1::ImportResourcesResponse resp;
    while (stream->Read(&resp)) {
      if (resp.has_summary()) summary = resp.summary();
    }
  });
  v1::ImportResourcesRequest req;
  req.mutable_options()->set_allow_partial(true);
  req.mutable_options()->set_file_name(name);
  bool ok = stream->Write(req);
  std::string chunk;
  while (ok && next_chunk(&chunk)) {
    req.Clear();
    req.set_chunk(chunk);
    ok = stream->Write(req);
  }
  stream->WritesDone();
  reader.join();
  grpc::Status s = stream->Finish();
  r.seconds = Seconds(t0, Clock::now());
  if (!s.ok()) std::fprintf(stderr, "import %s: %s\n", name.c_str(), s.error_message().c_str());
  r.rows = summary.rows_total();
  r.inserted = summary.inserted();
  r.rejected = summary.rejected();
  return r;
}

std::function<bool(std::string*)> FileChunks(const std::string& path) {
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  return [in](std::string* chunk) {
    chunk->resize(kChunkBytes);
    in->read(chunk->data(), static_cast<std::streamsize>(chunk->size()));
    chunk->resize(static_cast<size_t>(in->gcount()));
    return !chunk->empty();
  };
}

// Synthetic facilities in the project CSV format: real municipality codes, locations scattered
// around each office, kinds and capabilities drawn like the real mix, names from real tokens.
std::function<bool(std::string*)> SyntheticChunks(int64_t count, uint64_t seed) {
  struct State {
    std::mt19937_64 rng;
    int64_t left;
    bool header = true;
    std::vector<const common::Municipality*> munis;
  };
  auto st = std::make_shared<State>();
  st->rng.seed(seed);
  st->left = count;
  for (const auto& m : common::Jurisdictions::Get().municipalities()) {
    if (m.office_lat != 0 && m.kind != common::MunicipalityKind::kMunicipality) continue;
    if (m.office_lat != 0) st->munis.push_back(&m);
  }
  static const char* kKinds[] = {"clinic",
                                 "clinic",
                                 "clinic",
                                 "hospital",
                                 "visiting_nurse_station",
                                 "home_care_support_clinic",
                                 "home_help",
                                 "small_multifunctional",
                                 "pharmacy",
                                 "home_care_support_office"};
  static const char* kCaps[] = {"home_visit_medical", "home_visit_nursing", "dementia",
                                "parkinsons",         "end_of_life_care",   "palliative_care",
                                "response_24h",       "tube_feeding",       "ventilator",
                                "pediatric_home_care"};
  static const char* kTokens[] = {"さくら",   "みどり", "あおば",     "ひかり", "中央",
                                  "駅前",     "在宅",   "ファミリー", "ホーム", "やまなみ",
                                  "すずらん", "こころ", "ひだまり"};
  static const char* kSuffix[] = {"クリニック", "医院", "訪問看護ステーション", "診療所",
                                  "ケアセンター"};
  return [st](std::string* chunk) {
    chunk->clear();
    if (st->header) {
      common::AppendCsvRow(directory::ProjectCsvHeader(), chunk);
      st->header = false;
    }
    std::uniform_real_distribution<double> jitter(-0.04, 0.04);
    while (st->left > 0 && chunk->size() < kChunkBytes) {
      const auto* m = st->munis[st->rng() % st->munis.size()];
      std::string caps, sources;
      for (const char* c : kCaps) {
        if (st->rng() % 6 != 0) continue;
        caps += (caps.empty() ? "" : " ") + std::string(c);
        // Provenance like a directory part-way through its surveys: 40% answered in a survey,
        // 30% inferred from the name, the rest the file's own (verified). Search ranks on it.
        const uint64_t draw = st->rng() % 10;
        if (draw < 4)
          sources += (sources.empty() ? "" : " ") + std::string(c) + "=survey@2026-10-01";
        if (draw >= 4 && draw < 7)
          sources += (sources.empty() ? "" : " ") + std::string(c) + "=name";
      }
      std::string name =
          std::string(kTokens[st->rng() % 13]) + kTokens[st->rng() % 13] + kSuffix[st->rng() % 5];
      char lat[32], lon[32];
      std::snprintf(lat, sizeof lat, "%.6f", m->office_lat + jitter(st->rng) * 0.5);
      std::snprintf(lon, sizeof lon, "%.6f", m->office_lon + jitter(st->rng) * 0.5);
      std::string id = std::to_string(st->left);
      common::AppendCsvRow({"",
                            kKinds[st->rng() % 10],
                            name + id,
                            "",
                            m->name + "1-" + id,
                            m->code,
                            lat,
                            lon,
                            "exact",
                            "",
                            caps,
                            st->rng() % 3 ? "accepting" : "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "synthetic",
                            id,
                            "",
                            "",
                            "",
                            "",
                            sources,
                            "",
                            "",
                            "",
                            "",
                            "",
                            ""},
                           chunk);
      --st->left;
    }
    return !chunk->empty();
  };
}

// ---- search ----

struct Query {
  std::string shape;
  v1::SearchResourcesRequest request;
};

std::vector<Query> MakeQueries(int n, uint64_t seed, const std::vector<std::string>& name_samples) {
  std::mt19937_64 rng(seed);
  std::vector<const common::Municipality*> munis;
  for (const auto& m : common::Jurisdictions::Get().municipalities()) {
    if (m.office_lat != 0) munis.push_back(&m);
  }
  static const char* kCaps[] = {"home_visit_medical", "home_visit_nursing", "dementia",
                                "parkinsons",         "end_of_life_care",   "response_24h"};
  std::vector<Query> out;
  for (int i = 0; i < n; ++i) {
    const auto* m = munis[rng() % munis.size()];
    Query cap{"capability+municipality", {}};
    cap.request.add_capabilities(kCaps[rng() % 6]);
    if (rng() % 2) cap.request.add_capabilities(kCaps[rng() % 6]);
    cap.request.set_municipality_code(m->code);
    out.push_back(cap);

    Query dist{"distance", {}};
    dist.request.mutable_near()->set_latitude(m->office_lat + 0.01);
    dist.request.mutable_near()->set_longitude(m->office_lon - 0.01);
    dist.request.add_kinds(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
    dist.request.add_kinds(v1::RESOURCE_KIND_CLINIC);
    dist.request.set_max_distance_km(10);
    out.push_back(dist);

    Query text{"text", {}};
    const std::string& sample = name_samples[rng() % name_samples.size()];
    auto cps = common::DecodeUtf8(sample);
    size_t len = 2 + rng() % 3;
    size_t start = cps.size() > len ? rng() % (cps.size() - len) : 0;
    std::string fragment;
    for (size_t k = start; k < std::min(cps.size(), start + len); ++k)
      common::AppendUtf8(cps[k], &fragment);
    text.request.set_text(fragment);
    out.push_back(text);
  }
  return out;
}

struct ShapeResult {
  Latency latency;
  std::vector<std::pair<double, std::string>> slowest;  // (us, query) of the slowest few
  int64_t hits = 0;
  double qps = 0;
};

// Runs every query once per client thread (queries split between clients).
std::map<std::string, ShapeResult> RunQueries(const std::string& address,
                                              const std::vector<Query>& queries, int clients) {
  std::map<std::string, ShapeResult> results;
  std::mutex mu;
  std::map<std::string, double> busy;
  std::vector<std::thread> threads;
  threads.reserve(clients);
  auto t0 = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = v1::DirectoryService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      std::map<std::string, ShapeResult> local;
      for (size_t i = c; i < queries.size(); i += clients) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        v1::SearchResourcesResponse resp;
        auto q0 = Clock::now();
        grpc::Status s = stub->SearchResources(&ctx, queries[i].request, &resp);
        double us = std::chrono::duration<double, std::micro>(Clock::now() - q0).count();
        if (!s.ok()) {
          std::fprintf(stderr, "search failed: %s\n", s.error_message().c_str());
          continue;
        }
        auto& r = local[queries[i].shape];
        r.latency.us.push_back(us);
        r.slowest.emplace_back(us, queries[i].request.ShortDebugString());
        r.hits += resp.hits_size();
      }
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [shape, r] : local) {
        auto& agg = results[shape];
        agg.latency.us.insert(agg.latency.us.end(), r.latency.us.begin(), r.latency.us.end());
        agg.hits += r.hits;
        agg.slowest.insert(agg.slowest.end(), r.slowest.begin(), r.slowest.end());
        std::sort(agg.slowest.rbegin(), agg.slowest.rend());
        if (agg.slowest.size() > 5) agg.slowest.resize(5);
      }
    });
  }
  for (auto& t : threads) t.join();
  double wall = Seconds(t0, Clock::now());
  size_t total = 0;
  for (auto& [shape, r] : results) total += r.latency.us.size();
  for (auto& [shape, r] : results) r.qps = total / wall;  // all shapes share the run
  return results;
}

Latency TrivialRpcFloor(const std::string& address, int n) {
  auto stub = v1::DirectoryService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  Latency l;
  for (int i = 0; i < n; ++i) {
    grpc::ClientContext ctx;
    v1::ListCapabilitiesResponse resp;
    auto t0 = Clock::now();
    if (stub->ListCapabilities(&ctx, {}, &resp).ok()) {
      l.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
  }
  return l;
}

long RssMiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) / 1024;
  }
  return -1;
}

// Waits until the instance's stream holds `events` messages (the outbox relay drained); returns
// the seconds waited.
double WaitForEvents(common::NatsBus& bus, uint64_t events) {
  auto t0 = Clock::now();
  testing::WaitFor(
      [&] {
        auto st = bus.GetStreamState("RENKEI_EVENTS");
        return st.ok() && st->messages >= events;
      },
      std::chrono::minutes(10));
  return Seconds(t0, Clock::now());
}

int64_t CountResources(v1::DirectoryService::Stub& stub) {
  grpc::ClientContext ctx;
  v1::SearchResourcesRequest q;
  q.set_page_size(1);
  v1::SearchResourcesResponse resp;
  return stub.SearchResources(&ctx, q, &resp).ok() ? resp.total_matches() : -1;
}

void PrintSearchTable(const char* title, const std::map<std::string, ShapeResult>& r,
                      const Latency& floor) {
  std::printf(
      "\n### %s\n\n| query | n | p50 ms | p99 ms | max ms | mean hits | p99 / trivial-RPC p99 |\n"
      "|---|---|---|---|---|---|---|\n",
      title);
  for (const auto& [shape, s] : r) {
    std::printf("| %s | %zu | %.2f | %.2f | %.2f | %.1f | %.1f× |\n", shape.c_str(),
                s.latency.us.size(), s.latency.Percentile(50) / 1000,
                s.latency.Percentile(99) / 1000, s.latency.Max() / 1000,
                s.latency.us.empty() ? 0.0 : static_cast<double>(s.hits) / s.latency.us.size(),
                s.latency.Percentile(99) / std::max(1.0, floor.Percentile(99)));
  }
  if (!r.empty())
    std::printf("\nthroughput, all shapes mixed: %.0f queries/s\n", r.begin()->second.qps);
  if (std::getenv("RENKEI_BENCH_SLOWEST")) {
    for (const auto& [shape, s] : r) {
      for (const auto& [us, q] : s.slowest)
        std::fprintf(stderr, "slow %s %.2f ms: %s\n", shape.c_str(), us / 1000, q.c_str());
    }
  }
}

int Main(int argc, char** argv) {
  int64_t total = 500000;
  int queries_per_shape = 2000;
  int clients = 1;
  std::string data;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--total" && i + 1 < argc)
      total = std::atoll(argv[++i]);
    else if (a == "--queries" && i + 1 < argc)
      queries_per_shape = std::atoi(argv[++i]);
    else if (a == "--clients" && i + 1 < argc)
      clients = std::atoi(argv[++i]);
    else if (a == "--data" && i + 1 < argc)
      data = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: directory_bench [--total N] [--queries N] [--clients N] [--data DIR]\n");
      return 2;
    }
  }
  if (data.empty()) data = testing::SourceDir() + "/reference-data";
  testing::TempDir tmp;
  std::printf("## directory_bench\n\nmachine: %s\n", MachineLine().c_str());
  std::printf("command: directory_bench --total %lld --queries %d --clients %d\n",
              static_cast<long long>(total), queries_per_shape, clients);

  double floor_rows = RocksDbBatchFloor(tmp.Sub("floor"));

  auto nats = testing::NatsServer::Start(tmp.Sub("nats"));
  if (!nats.ok()) {
    std::fprintf(stderr, "%s\n", nats.status().ToString().c_str());
    return 1;
  }
  int port = testing::FreePort();
  std::string address = "127.0.0.1:" + std::to_string(port);
  {
    std::ofstream cfg(tmp.Sub("instance.json"));
    cfg << R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
      "nats": {"url": ")"
        << (*nats)->url() << R"("}, "data_root": ")" << tmp.Sub("data") << R"(",
      "security": {"unauthenticated_loopback": true},
      "directory": {"server": {"listen_address": ")"
        << address << R"("}}})";
  }
  auto start_directory = [&]() -> std::unique_ptr<testing::ChildProcess> {
    auto p = testing::ChildProcess::Spawn(
        {testing::BinaryPath("renkei-directory"), "--config", tmp.Sub("instance.json")}, {},
        tmp.Sub("directory.log"));
    if (!p.ok()) return nullptr;
    auto stub = v1::DirectoryService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    testing::WaitFor(
        [&] {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
          v1::ListCapabilitiesResponse r;
          return stub->ListCapabilities(&ctx, {}, &r).ok();
        },
        std::chrono::seconds(120));
    return std::move(*p);
  };
  auto process = start_directory();
  auto stub = v1::DirectoryService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  common::NatsOptions nats_options;
  nats_options.url = (*nats)->url();
  auto bus = common::NatsBus::Connect(nats_options);
  if (!bus.ok()) return 1;

  // Import the real files.
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(data + "/mhlw-kaigo-opendata"))
    files.push_back(e.path());
  std::sort(files.begin(), files.end());
  files.push_back(data + "/visiting_nursing_stations.csv");
  files.push_back(data + "/medical_institutions_ika.csv");
  ImportResult real;
  for (const auto& f : files) {
    ImportResult r = StreamImport(*stub, FileChunks(f), f);
    real.rows += r.rows;
    real.inserted += r.inserted;
    real.rejected += r.rejected;
    real.seconds += r.seconds;
  }
  int64_t after_real = CountResources(*stub);
  std::printf(
      "\n### import\n\n| what | rows | inserted | rejected | seconds | rows/s | vs RocksDB "
      "synced-batch floor |\n|---|---|---|---|---|---|---|\n");
  std::printf("| real files (%zu) | %lld | %lld | %lld | %.2f | %.0f | %.1f%% of %.0f rows/s |\n",
              files.size(), static_cast<long long>(real.rows),
              static_cast<long long>(real.inserted), static_cast<long long>(real.rejected),
              real.seconds, real.rows / real.seconds, 100.0 * real.rows / real.seconds / floor_rows,
              floor_rows);

  // Search is measured in steady state: after the relay published every import event.
  double drain_real = WaitForEvents(**bus, static_cast<uint64_t>(real.inserted));
  std::printf("\noutbox drained %lld events %.2f s after the import finished\n",
              static_cast<long long>(real.inserted), drain_real);

  // Names to draw text queries from.
  std::vector<std::string> names;
  {
    common::CsvReader r;
    std::ifstream in(data + "/medical_institutions_ika.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    r.Feed(ss.str());
    r.Finish();
    common::CsvRecord rec;
    r.Next(&rec);
    while (r.Next(&rec)) {
      if (rec.fields.size() > 4 && names.size() < 100000) names.push_back(rec.fields[4]);
    }
  }
  auto queries = MakeQueries(queries_per_shape, 42, names);
  const std::vector<Query> warm_up(queries.data(),
                                   queries.data() + std::min<size_t>(300, queries.size()));
  // Warm up the connection and caches, then measure.
  RunQueries(address, warm_up, 1);
  Latency floor_real = TrivialRpcFloor(address, 2000);
  auto at_real = RunQueries(address, queries, clients);
  std::printf("\ntrivial RPC (ListCapabilities, same server) p50 %.3f ms, p99 %.3f ms\n",
              floor_real.Percentile(50) / 1000, floor_real.Percentile(99) / 1000);
  PrintSearchTable(("search at " + std::to_string(after_real) + " resources (real data)").c_str(),
                   at_real, floor_real);

  // Synthetic facilities up to the total.
  int64_t synthetic = std::max<int64_t>(0, total - after_real);
  ImportResult syn = StreamImport(*stub, SyntheticChunks(synthetic, 7), "synthetic.csv");
  int64_t after_syn = CountResources(*stub);
  std::printf(
      "\n| synthetic (project CSV) | %lld | %lld | %lld | %.2f | %.0f | %.1f%% of %.0f rows/s |\n",
      static_cast<long long>(syn.rows), static_cast<long long>(syn.inserted),
      static_cast<long long>(syn.rejected), syn.seconds, syn.rows / syn.seconds,
      100.0 * syn.rows / syn.seconds / floor_rows, floor_rows);

  double drain_syn = WaitForEvents(**bus, static_cast<uint64_t>(real.inserted + syn.inserted));
  std::printf("\noutbox drained %lld more events %.2f s after the import finished\n",
              static_cast<long long>(syn.inserted), drain_syn);
  RunQueries(address, warm_up, 1);
  Latency floor_full = TrivialRpcFloor(address, 2000);
  auto at_full = RunQueries(address, queries, clients);
  std::printf("\ntrivial RPC (ListCapabilities, same server) p50 %.3f ms, p99 %.3f ms\n",
              floor_full.Percentile(50) / 1000, floor_full.Percentile(99) / 1000);
  PrintSearchTable(("search at " + std::to_string(after_syn) + " resources").c_str(), at_full,
                   floor_full);

  std::printf("\nrenkei-directory resident memory with %lld resources: %ld MiB\n",
              static_cast<long long>(after_syn), RssMiB(process->pid()));
  // Start-up time with everything stored (index rebuilt from RocksDB).
  process->Terminate();
  auto t0 = Clock::now();
  process = start_directory();
  std::printf("\nrestart until serving with %lld resources: %.2f s\n",
              static_cast<long long>(CountResources(*stub)), Seconds(t0, Clock::now()));
  process->Terminate();
  return 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) { return renkei::bench::Main(argc, argv); }
