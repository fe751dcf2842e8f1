#include "renkei/common/service_host.h"

#include <filesystem>

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

// Opens the probe's store as a service would find it on disk, with `format` recorded (0: none,
// as every version before formats were recorded wrote it) and one thing in it.
void WriteOlderStore(const std::string& data_dir, int format) {
  std::filesystem::create_directories(data_dir);
  auto store = Store::Open({.path = data_dir, .column_families = {"things"}});
  ASSERT_TRUE(store.ok()) << store.status();
  Batch batch;
  batch.Put((*store)->Cf("things"), "thing-1", "old layout");
  if (format > 0) batch.Put((*store)->Cf("default"), kDataFormatKey, std::to_string(format));
  ASSERT_TRUE((*store)->Write(batch).ok());
}

std::string FormatOf(ServiceHost& host) {
  return *host.store()->Get(host.store()->Cf("default"), kDataFormatKey);
}

TEST(ServiceHostTest, ANewStoreRecordsItsFormatAndAnUnrecordedOneIsFormatOne) {
  TempDir tmp;
  Probe probe;
  v1::InstanceConfig config = InProcessConfig(tmp.path(), "municipality", "132250");
  {
    auto host = ServiceHost::Open(config, ProbeModule(&probe));
    ASSERT_TRUE(host.ok()) << host.status();
    EXPECT_EQ((*host)->data_format(), 1);
    EXPECT_EQ(FormatOf(**host), "1");
  }
  TempDir older;
  config = InProcessConfig(older.path(), "municipality", "132250");
  WriteOlderStore(older.path() + "/data/training", 0);
  auto host = ServiceHost::Open(config, ProbeModule(&probe));
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ((*host)->data_format(), 1);
  EXPECT_EQ(FormatOf(**host), "1");
  EXPECT_EQ(*(*host)->store()->Get((*host)->store()->Cf("things"), "thing-1"), "old layout");
}

TEST(ServiceHostTest, OlderDataIsMigratedForwardOnceAtStartUpAndNewerDataIsRefused) {
  TempDir tmp;
  Probe probe;
  v1::InstanceConfig config = InProcessConfig(tmp.path(), "municipality", "132250");
  const std::string data_dir = tmp.path() + "/data/training";
  WriteOlderStore(data_dir, 1);
  // This build writes format 3: format 2 renamed the things, format 3 added an index of them.
  int runs_2 = 0, runs_3 = 0;
  ServiceModule module = ProbeModule(&probe);
  module.migrations = {
      {2, "things renamed",
       [&runs_2](Store* store) {
         ++runs_2;
         Batch batch;
         auto value = store->Get(store->Cf("things"), "thing-1");
         if (value.ok()) {
           batch.Put(store->Cf("things"), "thing/1", *value + ", renamed");
           batch.Delete(store->Cf("things"), "thing-1");
         }
         return store->Write(batch);
       }},
      {3, "things indexed",
       [&runs_3](Store* store) {
         ++runs_3;
         Batch batch;
         batch.Put(store->Cf("things"), "index/old layout", "thing/1");
         return store->Write(batch);
       }},
  };
  {
    auto host = ServiceHost::Open(config, module);
    ASSERT_TRUE(host.ok()) << host.status();
    EXPECT_EQ((*host)->data_format(), 3);
    EXPECT_EQ(FormatOf(**host), "3");
    Store* store = (*host)->store();
    EXPECT_EQ(*store->Get(store->Cf("things"), "thing/1"), "old layout, renamed");
    EXPECT_TRUE(absl::IsNotFound(store->Get(store->Cf("things"), "thing-1").status()));
    EXPECT_EQ(*store->Get(store->Cf("things"), "index/old layout"), "thing/1");
  }
  {  // started again: nothing to migrate
    auto host = ServiceHost::Open(config, module);
    ASSERT_TRUE(host.ok()) << host.status();
    EXPECT_EQ((*host)->data_format(), 3);
  }
  EXPECT_EQ(runs_2, 1);
  EXPECT_EQ(runs_3, 1);

  // The previous build (format 2) on this data: refused, saying what to do, nothing changed.
  module.migrations.pop_back();
  auto refused = ServiceHost::Open(config, module);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("has data format 3, written by a newer version of "
                                   "renkei-training; this version"));
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("understands formats up to 2"));
  auto reopened = Store::Open({.path = data_dir, .column_families = {}, .read_only = true});
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->Get((*reopened)->Cf("default"), kDataFormatKey), "3");
}

}  // namespace
}  // namespace renkei::common
