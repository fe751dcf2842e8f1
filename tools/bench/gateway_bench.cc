// Gateway overhead (issue 9, acceptance 4): the same resource search made directly over gRPC and
// as JSON through renkei-gateway, in the same run, against one real renkei-directory holding the
// ~129,000 real facilities of reference-data/, with the instance's bearer tokens on (as deployed).
//
//   1. The same closed-loop driver (bench_util's Drive, `--clients` threads) for both paths: gRPC
//      calls SearchResources with a channel per thread; HTTP sends GET /api/v1/resources?... with
//      keep-alive (a cpp-httplib client per thread). Rounds alternate the two.
//   2. wrk (`--wrk`, when installed) against the gateway's URL for an outside view: requests/s
//      and its latency distribution.
//
// Usage: gateway_bench [--clients 8] [--requests 20000] [--rounds 4] [--wrk-seconds 15]
#include <httplib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "bench_util.h"
#include "harness.h"
#include "renkei/common/server.h"
#include "renkei/v1/directory.grpc.pb.h"

namespace renkei::bench {
namespace {

struct Options {
  int clients = 8;
  int requests = 20000;
  int rounds = 4;
  int wrk_seconds = 15;
};

// The query of worked example 1: home-visit physicians strong in Parkinson's for Inagi, the
// nearest outside when none inside; first page of 20.
constexpr char kQuery[] =
    "/api/v1/resources?capabilities=parkinsons&capabilities=home_visit_medical"
    "&municipality_code=132250&outside_fallback=OUTSIDE_FALLBACK_NEAREST_WHEN_EMPTY&page_size=20";

v1::SearchResourcesRequest GrpcQuery() {
  v1::SearchResourcesRequest q;
  q.add_capabilities("parkinsons");
  q.add_capabilities("home_visit_medical");
  q.set_municipality_code("132250");
  q.set_outside_fallback(v1::OUTSIDE_FALLBACK_NEAREST_WHEN_EMPTY);
  q.set_page_size(20);
  return q;
}

void Print(const char* name, const Result& r) {
  std::printf("  %-22s %9.0f req/s   p50 %7.0f us   p99 %7.0f us   max %8.0f us   failed %zu\n",
              name, r.Rate(), r.Percentile(50), r.Percentile(99), r.Percentile(100), r.failed);
}

void Add(Result* total, const Result& r) {
  total->seconds += r.seconds;
  total->ok += r.ok;
  total->failed += r.failed;
  total->latency_us.insert(total->latency_us.end(), r.latency_us.begin(), r.latency_us.end());
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--clients"))
      o.clients = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--requests"))
      o.requests = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rounds"))
      o.rounds = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--wrk-seconds"))
      o.wrk_seconds = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr,
                   "usage: gateway_bench [--clients N] [--requests N] [--rounds N] "
                   "[--wrk-seconds N]\n");
      return 2;
    }
  }
  testing::TempDir tmp;
  auto nats = testing::NatsServer::Start(tmp.Sub("nats"));
  if (!nats.ok()) {
    std::cerr << nats.status() << "\n";
    return 1;
  }
  testing::InstanceSpec spec;
  spec.services = {"directory"};
  testing::InstanceProcesses instance(tmp.Sub("inagi"), (*nats)->url(), spec);
  for (const char* s : {"directory", "gateway"}) {
    if (auto st = instance.Start(s); !st.ok()) {
      std::cerr << st << "\n";
      return 1;
    }
  }
  const std::string token = instance.Token(v1::ROLE_COORDINATOR, "132250", "bench");
  {
    auto stub = v1::DirectoryService::NewStub(instance.channel("directory"));
    auto imported = testing::ImportRealData(*stub);
    if (!imported.ok()) {
      std::cerr << imported.status() << "\n";
      return 1;
    }
    std::printf("imported %lld real facilities\n", static_cast<long long>(*imported));
  }
  const std::string gateway = instance.address("gateway");
  const int port = std::stoi(gateway.substr(gateway.rfind(':') + 1));

  // Both paths answer the same: the gateway's JSON holds the same resource ids.
  const v1::SearchResourcesRequest query = GrpcQuery();
  v1::SearchResourcesResponse direct;
  {
    auto stub = v1::DirectoryService::NewStub(
        testing::FastReconnectChannel(instance.address("directory"), token));
    grpc::ClientContext ctx;
    if (!stub->SearchResources(&ctx, query, &direct).ok() || direct.hits_size() == 0) {
      std::cerr << "the gRPC search found nothing\n";
      return 1;
    }
    httplib::Client http("127.0.0.1", port);
    auto r = http.Get(kQuery, {{"Authorization", "Bearer " + token}});
    if (!r || r->status != 200 ||
        r->body.find(direct.hits(0).resource().id()) == std::string::npos) {
      std::cerr << "the gateway's answer differs from gRPC's: "
                << (r ? r->body.substr(0, 300) : "none") << "\n";
      return 1;
    }
    std::printf("one search: %d resources, %zu bytes as protobuf, %zu bytes as JSON\n",
                direct.hits_size(), direct.ByteSizeLong(), r->body.size());
  }

  auto grpc_caller = [&](int) -> std::function<bool(int)> {
    auto stub = std::shared_ptr<v1::DirectoryService::Stub>(v1::DirectoryService::NewStub(
        testing::FastReconnectChannel(instance.address("directory"), token)));
    return [stub, &query](int) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::SearchResourcesResponse resp;
      return stub->SearchResources(&ctx, query, &resp).ok();
    };
  };
  auto http_caller = [&](int) -> std::function<bool(int)> {
    auto client = std::make_shared<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
    return [client, headers](int) {
      auto r = client->Get(kQuery, headers);
      return r && r->status == 200;
    };
  };

  std::printf("\n%s\n", MachineLine().c_str());
  std::printf(
      "resource search (worked example 1's query), %d client threads, %d requests per path "
      "in %d alternating rounds, bearer tokens on\n",
      o.clients, o.requests, o.rounds);
  Drive(o.clients, 500, grpc_caller);  // warm-up
  Drive(o.clients, 500, http_caller);
  Result g, h;
  for (int r = 0; r < o.rounds; ++r) {
    Add(&g, Drive(o.clients, o.requests / o.rounds, grpc_caller));
    Add(&h, Drive(o.clients, o.requests / o.rounds, http_caller));
  }
  Print("gRPC (direct)", g);
  Print("JSON via gateway", h);
  std::printf("  gateway / gRPC throughput: %.0f%%   (target >= 50%%)\n",
              100.0 * h.Rate() / g.Rate());

  if (o.wrk_seconds > 0 && std::filesystem::exists("/usr/bin/wrk")) {
    std::printf("\nwrk -t2 -c%d -d%ds --latency (the gateway, same query)\n", o.clients,
                o.wrk_seconds);
    std::fflush(stdout);
    const std::string cmd = "wrk -t2 -c" + std::to_string(o.clients) + " -d" +
                            std::to_string(o.wrk_seconds) +
                            "s --latency -H 'Authorization: Bearer " + token + "' 'http://" +
                            gateway + kQuery + "' 2>&1";
    if (std::system(cmd.c_str()) != 0) std::printf("wrk failed\n");
  }
  return 0;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) { return renkei::bench::Main(argc, argv); }
