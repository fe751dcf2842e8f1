// The transactional outbox against a real nats-server: exactly one JetStream message per event,
// through relay crashes, NATS outages and NATS restarts.
#include <filesystem>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/events.h"

namespace renkei::testing {
namespace {

v1::UpsertResourceRequest ClinicRequest(int i) {
  v1::UpsertResourceRequest req;
  auto* r = req.mutable_resource();
  r->set_kind(v1::RESOURCE_KIND_CLINIC);
  r->set_name("テストクリニック" + std::to_string(i));
  r->set_municipality_code("132250");
  r->mutable_location()->set_latitude(35.63 + i * 0.0001);
  r->mutable_location()->set_longitude(139.50);
  return req;
}

grpc::Status Upsert(v1::DirectoryService::Stub& stub, int i, v1::UpsertResourceResponse* resp) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return stub.UpsertResource(&ctx, ClinicRequest(i), resp);
}

TEST(OutboxRelayTest, AnUpsertYieldsExactlyOneMessageCarryingTheEventIdAsMsgId) {
  InProcessDirectory d;
  v1::UpsertResourceResponse resp;
  ASSERT_TRUE(Upsert(d.stub(), 1, &resp).ok());
  ASSERT_EQ(d.WaitForStreamCount(1), 1u);
  auto messages = ReadStream(d.bus(), InProcessDirectory::kStream);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].subject, "renkei.national.m132250.resource.resource_upserted");
  v1::EventEnvelope event;
  ASSERT_TRUE(event.ParseFromString(messages[0].data));
  EXPECT_EQ(messages[0].msg_id, event.id());
  EXPECT_EQ(event.aggregate_id(), resp.resource().id());
  EXPECT_EQ(event.aggregate_version(), 1);
  EXPECT_EQ(event.resource_upserted().resource().name(), "テストクリニック1");
  EXPECT_TRUE(event.resource_upserted().created());
}

TEST(OutboxRelayTest, CommandsSucceedWhileNatsIsDownAndTheirEventsArriveOnceAfterRestart) {
  InProcessDirectory d;
  v1::UpsertResourceResponse resp;
  ASSERT_TRUE(Upsert(d.stub(), 0, &resp).ok());
  ASSERT_EQ(d.WaitForStreamCount(1), 1u);
  std::set<std::string> ids = {resp.resource().id()};

  d.nats().Stop();
  for (int i = 1; i <= 20; ++i) {
    grpc::Status s = Upsert(d.stub(), i, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ids.insert(resp.resource().id());
  }
  EXPECT_EQ(d.relay().PendingCount(), 20);

  ASSERT_TRUE(d.nats().Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return d.relay().PendingCount() == 0; }, std::chrono::seconds(20)));
  auto messages = ReadStream(d.bus(), InProcessDirectory::kStream);
  std::set<std::string> msg_ids, aggregates;
  for (const auto& m : messages) {
    msg_ids.insert(m.msg_id);
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    aggregates.insert(e.aggregate_id());
  }
  EXPECT_EQ(messages.size(), 21u);
  EXPECT_EQ(msg_ids.size(), 21u);
  EXPECT_EQ(aggregates, ids);
  // The event published before the outage was retained and sent again after the reconnect; the
  // stream's duplicate window dropped it (21 acknowledged publishes of new events + 1 repeat).
  EXPECT_GE(d.relay().published_total(), 22u);
}

TEST(OutboxRelayTest, AKilledNatsServerLosesAndDoublesNothing) {
  InProcessDirectory d;
  v1::UpsertResourceResponse resp;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Upsert(d.stub(), i, &resp).ok());
  ASSERT_EQ(d.WaitForStreamCount(10), 10u);
  d.nats().Kill();
  for (int i = 10; i < 15; ++i) ASSERT_TRUE(Upsert(d.stub(), i, &resp).ok());
  ASSERT_TRUE(d.nats().Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return d.relay().PendingCount() == 0; }, std::chrono::seconds(20)));
  auto messages = ReadStream(d.bus(), InProcessDirectory::kStream);
  std::set<std::string> msg_ids;
  for (const auto& m : messages) msg_ids.insert(m.msg_id);
  EXPECT_EQ(messages.size(), 15u);
  EXPECT_EQ(msg_ids.size(), 15u);
}

TEST(OutboxRelayTest, ARelayKilledBetweenPublishAndBookkeepingDoesNotDuplicate) {
  TempDir tmp;
  auto nats = NatsServer::Start(tmp.Sub("nats"));
  ASSERT_TRUE(nats.ok()) << nats.status();
  InstanceProcesses dir(tmp.Sub("dir"), (*nats)->url());
  auto stub = v1::DirectoryService::NewStub(dir.channel("directory"));
  ASSERT_TRUE(dir.Start("directory", "outbox.after_publish").ok());

  v1::UpsertResourceResponse first;
  ASSERT_TRUE(Upsert(*stub, 1, &first).ok());
  int wait_status = 0;
  ASSERT_TRUE(dir.process("directory")->WaitExit(std::chrono::seconds(15), &wait_status))
      << "the failpoint should have ended the process";
  EXPECT_EQ(WEXITSTATUS(wait_status), 86);

  common::NatsOptions nopts;
  nopts.url = (*nats)->url();
  auto bus = common::NatsBus::Connect(nopts);
  ASSERT_TRUE(bus.ok());
  auto after_crash = ReadStream(**bus, "RENKEI_EVENTS");
  ASSERT_EQ(after_crash.size(), 1u) << "published before the crash";

  // Restart without the failpoint: the record is still pending and goes out again.
  ASSERT_TRUE(dir.Start("directory").ok());
  v1::UpsertResourceResponse second;
  ASSERT_TRUE(Upsert(*stub, 2, &second).ok());
  ASSERT_TRUE(WaitFor([&] {
    auto st = (*bus)->GetStreamState("RENKEI_EVENTS");
    return st.ok() && st->messages >= 2;
  }));
  dir.process("directory")->Terminate();

  auto messages = ReadStream(**bus, "RENKEI_EVENTS");
  ASSERT_EQ(messages.size(), 2u);
  std::set<std::string> aggregates;
  for (const auto& m : messages) {
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    aggregates.insert(e.aggregate_id());
  }
  EXPECT_EQ(aggregates, (std::set<std::string>{first.resource().id(), second.resource().id()}));
  // The restarted relay did publish the first event again (it kept it, unacknowledged): the
  // stream's duplicate window is what kept the count at two.
  std::string log = ReadFile(dir.log_path("directory"));
  EXPECT_THAT(log, ::testing::HasSubstr(
                       "\"msg\":\"outbox relay (re)publishing the events it keeps\",\"count\":1"));
}

}  // namespace
}  // namespace renkei::testing

namespace renkei::testing {
namespace {

TEST(OutboxRelayPruneTest, PublishedRecordsStayForTheRetentionWindowThenGoInOneRange) {
  TempDir tmp;
  auto nats = NatsServer::Start(tmp.Sub("nats"));
  ASSERT_TRUE(nats.ok());
  auto store = common::Store::Open(
      {.path = tmp.Sub("db"), .column_families = common::OutboxColumnFamilies()});
  ASSERT_TRUE(store.ok());
  common::Outbox outbox(store->get());
  common::NatsOptions o;
  o.url = (*nats)->url();
  auto bus = common::NatsBus::Connect(o);
  ASSERT_TRUE(bus.ok() && (*bus)->WaitConnected(5000));
  common::FakeClock clock;
  common::RelayOptions r;
  r.stream.name = "RENKEI_EVENTS";
  r.stream.subjects = common::InstanceStreamSubjects("m132250");
  r.retention_ms = 300000;
  common::OutboxRelay relay(&outbox, bus->get(), r, &clock);
  auto commit = [&](int n) {
    for (int i = 0; i < n; ++i) {
      common::CommandBatch cmd(store->get(), &outbox);
      auto e = common::NewEvent({"m132250", &clock}, "resource", "res_x", 1,
                                v1::SHARE_LEVEL_NATIONAL, "132250");
      e.mutable_resource_removed()->set_resource_id("res_x");
      cmd.AddEvent(e);
      ASSERT_TRUE(cmd.Commit().ok());
    }
  };
  commit(5);
  ASSERT_EQ(*relay.RunOnce(), 5);
  EXPECT_EQ(relay.PendingCount(), 0);
  EXPECT_EQ(relay.RetainedCount(), 5);  // kept in case the NATS host loses its unsynced tail

  clock.AdvanceMicros(200LL * 1000000);
  commit(3);
  ASSERT_EQ(*relay.RunOnce(), 3);
  EXPECT_EQ(relay.RetainedCount(), 8);
  clock.AdvanceMicros(101LL * 1000000);  // the first five are 301 s old, the last three 101 s
  ASSERT_TRUE(relay.RunOnce().ok());
  EXPECT_EQ(relay.RetainedCount(), 3);
  clock.AdvanceMicros(200LL * 1000000);
  ASSERT_TRUE(relay.RunOnce().ok());
  EXPECT_EQ(relay.RetainedCount(), 0);
  EXPECT_EQ((*bus)->GetStreamState("RENKEI_EVENTS")->messages, 8u);
}

}  // namespace
}  // namespace renkei::testing
