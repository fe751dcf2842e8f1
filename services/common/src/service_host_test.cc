#include "renkei/common/service_host.h"

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "renkei/v1/admin.grpc.pb.h"
#include "testing.h"

namespace renkei::common {
namespace {

using testing::HasViolation;
using testing::InProcessConfig;
using testing::StatusIs;
using testing::TempDir;

// A module with one family, one check of its own and a record of what the host did with it.
struct Probe {
  std::vector<std::string> events;
};

ServiceModule ProbeModule(Probe* probe) {
  std::vector<std::string> families = OutboxColumnFamilies();
  families.push_back("things");
  return {"training", families,
          [](v1::InstanceConfig* c) { return c->mutable_training()->mutable_server(); },
          [](const v1::InstanceConfig& config, FieldViolations* v) {
            if (config.training().has_server() && config.instance().code() == "132241") {
              v->Add("instance.code", "the probe refuses 132241");
            }
          },
          [probe](ServiceHost& host) -> absl::StatusOr<Services> {
            probe->events.push_back("build at " + std::to_string(host.clock()->NowMicros()));
            host.OnShutdown([probe] { probe->events.push_back("first registered"); });
            host.OnShutdown([probe] { probe->events.push_back("second registered"); });
            return Services{};
          }};
}

TEST(ServiceHostTest, EveryBadFieldIsNamedTheServerSectionsAndTheModules) {
  TempDir tmp;
  Probe probe;
  v1::InstanceConfig config = InProcessConfig(tmp.path(), "municipality", "132241");
  config.mutable_training()->mutable_server()->set_listen_address("no port");
  auto host = ServiceHost::Open(config, ProbeModule(&probe));
  EXPECT_THAT(host.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(host.status(), HasViolation("training.server.listen_address"));
  EXPECT_THAT(host.status(), HasViolation("instance.code"));
  EXPECT_TRUE(probe.events.empty());  // nothing built
}

TEST(ServiceHostTest, AModuleRunsInProcessOnPortZeroWithTheGivenClock) {
  TempDir tmp;
  Probe probe;
  FakeClock clock(1'800'000'000'000'000);
  auto host = ServiceHost::Open(InProcessConfig(tmp.path(), "municipality", "132250"),
                                ProbeModule(&probe), {.clock = &clock});
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ((*host)->event_source().clock, &clock);
  ASSERT_TRUE((*host)->Serve().ok());
  ASSERT_GT((*host)->port(), 0);

  // The host adds the AdminService: it answers on the chosen port.
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*host)->port()),
                                     grpc::InsecureChannelCredentials());
  auto admin = v1::AdminService::NewStub(channel);
  grpc::ClientContext ctx;
  v1::GetStreamHistoryRequest request;
  v1::StreamHistory history;
  grpc::Status answered = admin->GetStreamHistory(&ctx, request, &history);
  EXPECT_TRUE(answered.ok()) << answered.error_message();

  (*host)->Shutdown();
  EXPECT_THAT(probe.events, ::testing::ElementsAre("build at 1800000000000000", "second registered",
                                                   "first registered"));
}

}  // namespace
}  // namespace renkei::common
