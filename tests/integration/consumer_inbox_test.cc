// Durable consumers with an inbox against a real nats-server: every event's effect is applied
// exactly once across redeliveries, consumer restarts and a full replay.
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/consumer.h"
#include "renkei/common/events.h"

namespace renkei::testing {
namespace {

class ConsumerInboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = std::move(*nats);
    std::vector<std::string> cfs = common::OutboxColumnFamilies();
    for (auto& c : common::InboxColumnFamilies()) cfs.push_back(c);
    cfs.push_back("effects");
    auto store = common::Store::Open({.path = tmp_.Sub("db"), .column_families = cfs});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    outbox_ = std::make_unique<common::Outbox>(store_.get());
    common::NatsOptions o;
    o.url = nats_->url();
    bus_ = std::move(*common::NatsBus::Connect(o));
    common::RelayOptions r;
    r.stream.name = "RENKEI_EVENTS";
    r.stream.subjects = common::InstanceStreamSubjects("m132250");
    relay_ = std::make_unique<common::OutboxRelay>(outbox_.get(), bus_.get(), r);
  }

  // Publishes n events through the outbox and the relay.
  void PublishEvents(int n) {
    for (int i = 0; i < n; ++i) PublishOne("res_" + std::to_string(i));
  }
  // Publishes one ResourceRemoved event about `id`, first changed by `change`.
  void PublishOne(const std::string& id,
                  const std::function<void(v1::EventEnvelope*)>& change = nullptr) {
    common::CommandBatch cmd(store_.get(), outbox_.get());
    auto e = common::NewEvent({"m132250"}, "resource", id, 1, v1::SHARE_LEVEL_NATIONAL, "132250");
    e.mutable_resource_removed()->set_resource_id(id);
    if (change) change(&e);
    if (common::EventTypeOf(e).empty()) {
      // A payload type this build has no name for: published as the newer version would, under
      // its own type's subject.
      auto published = bus_->PublishBatch(
          {{"renkei.national.m132250.resource.resource_archived", e.id(), e.SerializeAsString()}},
          5000);
      ASSERT_TRUE(published.at(0).status.ok()) << published.at(0).status;
      return;
    }
    cmd.AddEvent(e);
    ASSERT_TRUE(cmd.Commit().ok());
    while (relay_->PendingCount() > 0) ASSERT_TRUE(relay_->RunOnce().ok());
  }

  // The handler: counts applications per event in the "effects" family (a second application of
  // the same event would show as 2).
  common::EventHandler CountingHandler() {
    return [this](const v1::EventEnvelope& e, common::CommandBatch* cmd) -> absl::Status {
      if (ignore_.count(e.aggregate_id())) return absl::OkStatus();  // nothing to do
      if (fail_first_.count(e.aggregate_id()) && !failed_once_[e.aggregate_id()]) {
        failed_once_[e.aggregate_id()] = true;
        return absl::UnavailableError("simulated transient failure");
      }
      auto current = store_->Get(store_->Cf("effects"), e.id());
      int n = current.ok() ? std::stoi(*current) : 0;
      cmd->batch().Put(store_->Cf("effects"), e.id(), std::to_string(n + 1));
      return absl::OkStatus();
    };
  }

  std::map<std::string, int> Effects() {
    std::map<std::string, int> out;
    auto it = store_->NewIterator(store_->Cf("effects"));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      out[std::string(it->key())] = std::stoi(std::string(it->value()));
    return out;
  }

  std::unique_ptr<common::DurableConsumer> NewConsumer(
      bool skip_no_ops = false,
      std::function<bool(const v1::EventEnvelope&)> newer_than_this_build = nullptr,
      int parked_retry_ms = 60000) {
    common::ConsumerOptions o;
    o.parked_retry_ms = parked_retry_ms;
    o.skip_inbox_for_no_ops = skip_no_ops;
    o.newer_than_this_build = std::move(newer_than_this_build);
    o.consumer.stream = "RENKEI_EVENTS";
    o.consumer.durable = "effects_counter";
    o.consumer.filter_subject = "renkei.>";
    o.consumer.ack_wait_ms = 2000;
    o.retry_delay_ms = 50;
    return std::make_unique<common::DurableConsumer>(store_.get(), outbox_.get(), bus_.get(), o,
                                                     CountingHandler());
  }

  void DrainUntil(common::DurableConsumer& c, uint64_t applied) {
    ASSERT_TRUE(WaitFor(
        [&] {
          auto r = c.PollOnce(200);
          return r.ok() && c.stats().applied >= applied;
        },
        std::chrono::seconds(20)));
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<common::Outbox> outbox_;
  std::unique_ptr<common::NatsBus> bus_;
  std::unique_ptr<common::OutboxRelay> relay_;
  std::set<std::string> fail_first_;
  std::set<std::string> ignore_;
  std::map<std::string, bool> failed_once_;
};

TEST_F(ConsumerInboxTest, TransientFailuresAreRedeliveredAndAppliedOnce) {
  fail_first_ = {"res_3", "res_7"};
  PublishEvents(20);
  auto consumer = NewConsumer();
  DrainUntil(*consumer, 20);
  auto effects = Effects();
  ASSERT_EQ(effects.size(), 20u);
  for (const auto& [id, n] : effects) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(consumer->stats().retried, 2u);
}

TEST_F(ConsumerInboxTest, ARestartedConsumerAndAFullReplayChangeNothing) {
  PublishEvents(30);
  {
    auto consumer = NewConsumer();
    DrainUntil(*consumer, 30);
  }
  // Same durable after a restart: nothing new to apply.
  PublishEvents(5);
  {
    auto consumer = NewConsumer();
    DrainUntil(*consumer, 5);
    EXPECT_EQ(consumer->stats().applied, 5u);
  }
  // Replay everything: the server forgets the consumer's position and delivers all 35 again.
  ASSERT_TRUE(bus_->DeleteConsumer("RENKEI_EVENTS", "effects_counter").ok());
  auto replay = NewConsumer();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = replay->PollOnce(200);
        return r.ok() && replay->stats().duplicates >= 35;
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(replay->stats().applied, 0u);
  auto effects = Effects();
  ASSERT_EQ(effects.size(), 35u);
  for (const auto& [id, n] : effects) EXPECT_EQ(n, 1) << id;
}

TEST_F(ConsumerInboxTest, AnUndecodableEventIsRejectedOnceAndDoesNotBlockTheRest) {
  PublishEvents(3);
  ASSERT_TRUE(
      bus_->PublishCore("renkei.national.m132250.none.garbage", "not a protobuf \xFF").ok());
  // Core publish into a stream subject is stored by JetStream too.
  ASSERT_TRUE(WaitFor([&] { return bus_->GetStreamState("RENKEI_EVENTS")->messages == 4; }));
  PublishEvents(2);
  auto consumer = NewConsumer();
  DrainUntil(*consumer, 5);
  EXPECT_EQ(consumer->stats().rejected, 1u);
  EXPECT_EQ(Effects().size(), 5u);
}

TEST_F(ConsumerInboxTest, NoOpsAreAcknowledgedWithoutAnInboxRecordWhenTheHandlerSaysSo) {
  ignore_ = {"res_1", "res_3", "res_5"};
  PublishEvents(8);
  auto consumer = NewConsumer(/*skip_no_ops=*/true);
  DrainUntil(*consumer, 5);
  ASSERT_TRUE(WaitFor([&] {
    auto r = consumer->PollOnce(200);
    return r.ok() && consumer->stats().ignored >= 3;
  }));
  EXPECT_EQ(consumer->stats().applied, 5u);
  EXPECT_EQ(consumer->stats().ignored, 3u);
  EXPECT_EQ(Effects().size(), 5u);
  size_t inbox = 0;
  auto it = store_->NewIterator(store_->Cf(common::InboxColumnFamilies()[0]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++inbox;
  EXPECT_EQ(inbox, 5u);  // one synced record per applied event, none for the ignored ones
}

// What a newer version may send (docs/compatibility.md): a payload type this build does not know,
// and a known payload with a field it does not know — written here as raw unknown fields, exactly
// what such an event looks like to this build.
void UnknownPayloadType(v1::EventEnvelope* e) {
  e->clear_payload();
  v1::EventEnvelope::GetReflection()->MutableUnknownFields(e)->AddLengthDelimited(990,
                                                                                  "\x0a\x03new");
}
void UnknownFieldInAKnownPayload(v1::EventEnvelope* e) {
  auto* removed = e->mutable_resource_removed();
  v1::ResourceRemoved::GetReflection()->MutableUnknownFields(removed)->AddVarint(77, 1);
}
void UnknownEnumValue(v1::EventEnvelope* e) {
  v1::Resource* resource = e->mutable_resource_upserted()->mutable_resource();
  resource->set_id(e->aggregate_id());
  resource->set_kind(static_cast<v1::ResourceKind>(999));  // a kind a newer version added
}

TEST_F(ConsumerInboxTest, EventsOfANewerVersionAreParkedNotAppliedInPartAndTheStreamMovesOn) {
  PublishEvents(3);
  PublishOne("res_newer_type", UnknownPayloadType);
  PublishOne("res_newer_field", UnknownFieldInAKnownPayload);
  PublishOne("res_newer_enum", UnknownEnumValue);
  for (int i = 3; i < 6; ++i) PublishOne("res_" + std::to_string(i));
  {
    auto consumer = NewConsumer();
    DrainUntil(*consumer, 6);
    EXPECT_EQ(consumer->stats().parked, 3u);
    EXPECT_EQ(consumer->stats().rejected, 0u);
    EXPECT_EQ(Effects().size(), 6u);  // the six this build understands, nothing of the others
  }
  // A restart of the same build, then every event delivered again (the consumer recreated):
  // the three stay parked, once each; nothing is applied twice.
  {
    auto consumer = NewConsumer();
    ASSERT_TRUE(consumer->PollOnce(200).ok());
    EXPECT_EQ(consumer->stats().parked, 3u);
  }
  ASSERT_TRUE(bus_->DeleteConsumer("RENKEI_EVENTS", "effects_counter").ok());
  auto replay = NewConsumer();
  ASSERT_TRUE(WaitFor([&] {
    auto r = replay->PollOnce(200);
    return r.ok() && replay->stats().duplicates >= 6;
  }));
  EXPECT_EQ(replay->stats().parked, 3u);
  EXPECT_EQ(replay->stats().applied, 0u);
  size_t parked = 0;
  auto it = store_->NewIterator(store_->Cf("parked"));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++parked;
  EXPECT_EQ(parked, 3u);
  for (const auto& [id, n] : Effects()) EXPECT_EQ(n, 1) << id;
}

TEST_F(ConsumerInboxTest, ParkedEventsAreAppliedOnceWhenTheServiceIsUpgraded) {
  // The older build: one that does not know the events about "upgrade_*" resources yet.
  auto older = [](const v1::EventEnvelope& e) {
    return common::FromANewerVersion(e) || e.aggregate_id().rfind("upgrade_", 0) == 0;
  };
  PublishEvents(2);
  PublishOne("upgrade_1");
  PublishOne("upgrade_2");
  PublishEvents(4);  // eight events in all, six of them known to the older build
  {
    auto consumer = NewConsumer(false, older);
    DrainUntil(*consumer, 6);
    EXPECT_EQ(consumer->stats().parked, 2u);
    EXPECT_EQ(Effects().size(), 6u);
  }
  // The upgrade: the same store and stream, a build that understands them. They are applied
  // as the consumer starts, before anything new is fetched, once.
  {
    auto upgraded = NewConsumer();
    ASSERT_TRUE(upgraded->PollOnce(200).ok());
    EXPECT_EQ(upgraded->stats().applied, 2u);
    EXPECT_EQ(upgraded->stats().parked, 0u);
    EXPECT_EQ(Effects().size(), 8u);
  }
  // Restarted again and the whole stream delivered again: nothing more.
  ASSERT_TRUE(bus_->DeleteConsumer("RENKEI_EVENTS", "effects_counter").ok());
  auto replay = NewConsumer();
  ASSERT_TRUE(WaitFor([&] {
    auto r = replay->PollOnce(200);
    return r.ok() && replay->stats().duplicates >= 8;
  }));
  EXPECT_EQ(replay->stats().applied, 0u);
  const auto effects = Effects();
  EXPECT_EQ(effects.size(), 8u);
  for (const auto& [id, n] : effects) EXPECT_EQ(n, 1) << id;
}

TEST_F(ConsumerInboxTest, AParkedEventThatAsksForARetryDoesNotHoldUpTheStream) {
  auto older = [](const v1::EventEnvelope& e) {
    return common::FromANewerVersion(e) || e.aggregate_id().rfind("upgrade_", 0) == 0;
  };
  PublishEvents(2);
  PublishOne("upgrade_1");
  {
    auto consumer = NewConsumer(false, older);
    DrainUntil(*consumer, 2);
    EXPECT_EQ(consumer->stats().parked, 1u);
  }
  // After the upgrade its handler first fails for a moment (a service it calls is restarting):
  // the events after it are applied meanwhile, and it is applied at the next try, once.
  fail_first_ = {"upgrade_1"};
  PublishEvents(3);
  auto upgraded = NewConsumer(false, nullptr, /*parked_retry_ms=*/3000);
  const auto started = std::chrono::steady_clock::now();
  DrainUntil(*upgraded, 3);
  ASSERT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
  EXPECT_EQ(upgraded->stats().retried, 1u);
  EXPECT_EQ(upgraded->stats().parked, 1u);   // still waiting for its retry...
  EXPECT_EQ(upgraded->stats().applied, 3u);  // ...while the stream went on
  DrainUntil(*upgraded, 4);
  EXPECT_EQ(upgraded->stats().parked, 0u);
  const auto effects = Effects();
  EXPECT_EQ(effects.size(), 6u);
  for (const auto& [id, n] : effects) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace renkei::testing
