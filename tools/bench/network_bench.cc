// Coordinator-network benchmark (issue 18, acceptance 6, first half): how long a peer request
// takes from a coordinator in Kumagaya (Saitama) to the inbox of a lead coordinator in Inagi
// (Tokyo) — municipality → Saitama → nation → Tokyo → municipality — on the local federation of
// the tests (six nats-servers on loopback, leaf links through TCP proxies, renkei-network as a
// process in every instance, JetStream sourcing as deployed; docs/network.md).
//
//   delivery  AskPeer at Kumagaya returns → GetPeerRequest at Inagi finds the copy (polled every
//             millisecond): Kumagaya's outbox relay, the sourcing up to the nation, the nation's
//             network service passing it on (its consumer, commit and outbox), the sourcing down
//             to Inagi, Inagi's consumer and its commit. Sequential requests, one at a time.
//   floor     the same path for a bare network message no service keeps (a request to the
//             national network for an expertise no lead has; a reply to no one's request is
//             refused by the nation's checks and never passed on): published into Kumagaya's
//             RENKEI_EVENTS → counted in Inagi's
//             RENKEI_PARENT (stream state polled every millisecond): the sourcing and the
//             nation's relay, without Kumagaya's outbox or Inagi's consumer.
//
// Usage: network_bench [--requests 200]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "bench_util.h"
#include "federation_harness.h"
#include "renkei/common/events.h"
#include "renkei/common/federation.h"
#include "renkei/common/ids.h"
#include "renkei/v1/network.grpc.pb.h"

namespace renkei::bench {
namespace {

using Clock = std::chrono::steady_clock;
using NetworkStub = v1::NetworkService::Stub;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void Report(const char* what, const std::vector<double>& ms) {
  std::printf("%-44s n=%zu  p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n", what,
              ms.size(), Percentile(ms, 50), Percentile(ms, 90), Percentile(ms, 99),
              Percentile(ms, 100));
}

v1::CoordinatorProfile Put(NetworkStub& stub, const std::string& name, v1::NetworkRole role,
                           v1::ShareLevel share) {
  v1::PutProfileRequest r;
  r.mutable_profile()->set_name(name);
  r.mutable_profile()->set_role(role);
  r.mutable_profile()->add_expertise("end_of_life_care");
  r.mutable_profile()->set_takes_peer_consultations(true);
  r.mutable_profile()->mutable_sharing()->set_level(share);
  v1::CoordinatorProfile out;
  grpc::ClientContext ctx;
  grpc::Status s = stub.PutProfile(&ctx, r, &out);
  if (!s.ok()) {
    std::fprintf(stderr, "PutProfile: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  return out;
}

int Run(int requests) {
  testing::TempDir tmp;
  auto fed = testing::LocalFederation::Start(
      tmp.path(), testing::LocalFederation::Standard({"network"}, {"network"}, {"network"}));
  if (!fed.ok()) {
    std::fprintf(stderr, "federation: %s\n", fed.status().ToString().c_str());
    return 1;
  }
  auto kumagaya = v1::NetworkService::NewStub((*fed)->channel("m112020", "network"));
  auto inagi = v1::NetworkService::NewStub((*fed)->channel("m132250", "network"));
  const auto asker =
      Put(*kumagaya, "熊谷 一郎", v1::NETWORK_ROLE_COORDINATOR, v1::SHARE_LEVEL_LOCAL);
  Put(*inagi, "稲城 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR, v1::SHARE_LEVEL_LOCAL);

  std::printf("network_bench: %d requests, Kumagaya -> national network -> Inagi\n", requests);
  std::printf("machine: %s\n", MachineLine().c_str());

  std::vector<double> delivery;
  int lost = 0;
  for (int i = 0; i < requests + 5; ++i) {  // the first 5 warm up the paths
    v1::AskPeerRequest ask;
    ask.set_asker_profile_id(asker.id());
    ask.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK);
    ask.mutable_recipient()->add_expertise("end_of_life_care");
    ask.set_theme("看取りの体制づくり " + std::to_string(i));
    ask.set_question("多職種で看取りの手順を共有した例はありますか。");
    v1::PeerRequest asked;
    {
      grpc::ClientContext ctx;
      grpc::Status s = kumagaya->AskPeer(&ctx, ask, &asked);
      if (!s.ok()) {
        std::fprintf(stderr, "AskPeer: %s\n", s.error_message().c_str());
        return 1;
      }
    }
    const auto start = Clock::now();
    v1::GetPeerRequestRequest get;
    get.set_id(asked.id());
    bool found = false;
    while (MsSince(start) < 10000) {
      v1::PeerRequest copy;
      grpc::ClientContext ctx;
      if (inagi->GetPeerRequest(&ctx, get, &copy).ok()) {
        found = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!found) ++lost;
    if (found && i >= 5) delivery.push_back(MsSince(start));
  }

  // The floor: a bare network message, Kumagaya's RENKEI_EVENTS → (the nation passes it on) →
  // Inagi's RENKEI_PARENT; nothing keeps it.
  auto& source = *(*fed)->node("m112020").bus;
  auto& target = *(*fed)->node("m132250").bus;
  std::vector<double> floor;
  for (int i = 0; i < requests + 5; ++i) {
    auto before = target.GetStreamState(common::kParentStream);
    if (!before.ok()) return 1;
    // A request to the national network for an expertise no lead has: the nation checks it,
    // keeps nothing and passes it on; Inagi keeps nothing either.
    const std::string id = common::NewId("preq");
    v1::EventEnvelope e =
        common::NewEvent({"m112020"}, "network", id, 1, v1::SHARE_LEVEL_NATIONAL, "112020");
    auto* r = e.mutable_peer_request_published()->mutable_request();
    r->set_id(id);
    r->set_version(1);
    r->mutable_asker()->set_instance("m112020");
    r->mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK);
    r->mutable_recipient()->add_expertise("ventilator");
    common::OutgoingMessage m{common::EventSubject(e), e.id(), e.SerializeAsString()};
    const auto start = Clock::now();
    auto published = source.PublishBatch({m}, 5000);
    if (published.empty() || !published[0].status.ok()) return 1;
    bool arrived = false;
    while (MsSince(start) < 10000) {
      auto now = target.GetStreamState(common::kParentStream);
      if (now.ok() && now->messages > before->messages) {
        arrived = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (arrived && i >= 5) floor.push_back(MsSince(start));
  }

  Report("delivery (AskPeer -> copy at Inagi)", delivery);
  Report("floor (bare message: sourcing + relay)", floor);
  std::printf("not delivered within 10 s: %d\n", lost);
  const double p99 = Percentile(delivery, 99);
  std::printf("target p99 <= 1000 ms: %s (%.1f ms)\n", p99 <= 1000 && lost == 0 ? "met" : "MISSED",
              p99);
  return p99 <= 1000 && lost == 0 ? 0 : 3;
}

}  // namespace
}  // namespace renkei::bench

int main(int argc, char** argv) {
  int requests = 200;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--requests") == 0 && i + 1 < argc) requests = std::atoi(argv[++i]);
  }
  return renkei::bench::Run(requests);
}
