// The training service over gRPC, as the real renkei-training binary of Tokyo's prefectural
// instance (130001) with a real nats-server: concurrent registrations never exceed capacity, bad
// input names its field and writes nothing, and a kill -9 in the middle of registrations loses no
// acknowledged registration and doubles nothing.
#include <atomic>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/bus.h"
#include "renkei/common/clock.h"
#include "renkei/v1/events.pb.h"
#include "renkei/v1/training.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Stub = v1::TrainingService::Stub;

constexpr int64_t kHour = 3600LL * 1000000;

google::protobuf::Timestamp FromNow(int64_t micros) {
  return common::TimestampFromMicros(common::SystemClock::Get()->NowMicros() + micros);
}

v1::Session OnlineSession(int64_t start_in_hours, int capacity) {
  v1::Session s;
  *s.mutable_starts_at() = FromNow(start_in_hours * kHour);
  *s.mutable_ends_at() = FromNow((start_in_hours + 2) * kHour);
  s.set_online(true);
  s.set_online_url("https://meet.example.jp/tokyo");
  s.set_capacity(capacity);
  return s;
}

v1::Training Training(const std::string& title, std::vector<v1::Session> sessions) {
  v1::Training t;
  t.set_title(title);
  t.add_audiences(v1::AUDIENCE_ROLE_COORDINATORS);
  auto* skill = t.add_target_skills();
  skill->set_skill_code("explain_dying_process");
  skill->set_level(v1::SKILL_LEVEL_PRACTITIONER);
  t.set_sessions_are_one_course(true);
  for (auto& s : sessions) *t.add_sessions() = std::move(s);
  return t;
}

v1::RegisterRequest Registration(const std::string& training_id, const std::string& participant,
                                 const std::string& municipality = "132250") {
  v1::RegisterRequest r;
  auto* reg = r.mutable_registration();
  reg->set_training_id(training_id);
  reg->set_participant_id(participant);
  reg->set_participant_name("コーディネーター " + participant);
  reg->set_municipality_code(municipality);
  reg->set_role(v1::AUDIENCE_ROLE_COORDINATORS);
  return r;
}

class TrainingGrpcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = nats->release();
    InstanceSpec spec;
    spec.code = "130001";
    spec.prefecture = true;
    instance_ = new InstanceProcesses(tmp_->Sub("tokyo"), nats_->url(), spec);
    ASSERT_TRUE(instance_->Start("training").ok());
  }
  static void TearDownTestSuite() {
    instance_->Stop("training");
    delete instance_;
    delete nats_;
    delete tmp_;
  }

  void SetUp() override {
    stub_ = v1::TrainingService::NewStub(instance_->channel("training"));
    common::NatsOptions o;
    o.url = nats_->url();
    bus_ = std::move(*common::NatsBus::Connect(o));
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Resp local;
    return ((*stub_).*method)(&ctx, req, resp ? resp : &local);
  }

  v1::Training Create(const v1::Training& t) {
    v1::CreateTrainingRequest r;
    *r.mutable_training() = t;
    v1::Training out;
    auto s = Call(&Stub::CreateTraining, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  uint64_t SettledStreamCount() { return testing::SettledStreamCount(*bus_, "RENKEI_EVENTS"); }

  // Registration events on the stream for one training, by type.
  std::map<std::string, int> RegistrationEvents(const std::string& training_id) {
    std::map<std::string, int> out;
    for (const auto& m : ReadStream(*bus_, "RENKEI_EVENTS")) {
      v1::EventEnvelope e;
      EXPECT_TRUE(e.ParseFromString(m.data));
      std::string id;
      if (e.has_registration_confirmed()) id = e.registration_confirmed().training_id();
      if (e.has_registration_waitlisted()) id = e.registration_waitlisted().training_id();
      if (e.has_registration_cancelled()) id = e.registration_cancelled().training_id();
      if (id == training_id) out[std::string(common::EventTypeOf(e))]++;
    }
    return out;
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* instance_;
  std::unique_ptr<Stub> stub_;
  std::unique_ptr<common::NatsBus> bus_;
};

TempDir* TrainingGrpcTest::tmp_ = nullptr;
NatsServer* TrainingGrpcTest::nats_ = nullptr;
InstanceProcesses* TrainingGrpcTest::instance_ = nullptr;

TEST_F(TrainingGrpcTest, FiftyConcurrentRegistrationsForTwentySeatsConfirmExactlyTwenty) {
  for (int run = 0; run < 5; ++run) {
    const auto t = Create(Training("同時申込 " + std::to_string(run), {OnlineSession(48, 20)}));
    ASSERT_FALSE(t.id().empty());
    constexpr int kClients = 50;
    std::vector<v1::Registration> results(kClients);
    std::vector<grpc::Status> statuses(kClients);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    threads.reserve(kClients);
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        // Each client its own connection, all released at once.
        grpc::ChannelArguments args;
        args.SetInt("grpc.channel_id", i);  // distinct channels, not one shared subchannel
        common::ClientSecurity security;
        security.token = common::TokenSource::Fixed(instance_->DefaultToken());
        auto channel = *common::NewChannel(instance_->address("training"), security, args);
        auto stub = v1::TrainingService::NewStub(channel);
        channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5));
        ready.fetch_add(1);
        while (ready.load() < kClients) std::this_thread::yield();
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        statuses[i] = stub->Register(
            &ctx,
            Registration(t.id(), "run" + std::to_string(run) + "-p" + std::to_string(i),
                         i % 2 ? "132250" : "132080"),
            &results[i]);
      });
    }
    for (auto& th : threads) th.join();
    int confirmed = 0, waitlisted = 0;
    std::set<int> positions;
    for (int i = 0; i < kClients; ++i) {
      ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
      if (results[i].status() == v1::REGISTRATION_STATUS_CONFIRMED) ++confirmed;
      if (results[i].status() == v1::REGISTRATION_STATUS_WAITLISTED) {
        ++waitlisted;
        positions.insert(results[i].waitlist_position());
      }
    }
    EXPECT_EQ(confirmed, 20) << "run " << run;
    EXPECT_EQ(waitlisted, 30) << "run " << run;
    ASSERT_EQ(positions.size(), 30u);
    EXPECT_EQ(*positions.begin(), 1);
    EXPECT_EQ(*positions.rbegin(), 30);

    v1::GetTrainingRequest get;
    get.set_id(t.id());
    v1::Training now;
    ASSERT_TRUE(Call(&Stub::GetTraining, get, &now).ok());
    EXPECT_EQ(now.sessions(0).confirmed(), 20);
    EXPECT_EQ(now.sessions(0).waitlisted(), 30);
    v1::ListRegistrationsRequest list;
    list.set_training_id(t.id());
    list.set_status(v1::REGISTRATION_STATUS_CONFIRMED);
    v1::ListRegistrationsResponse regs;
    ASSERT_TRUE(Call(&Stub::ListRegistrations, list, &regs).ok());
    EXPECT_EQ(regs.registrations_size(), 20);
    SettledStreamCount();
    EXPECT_EQ(RegistrationEvents(t.id()),
              (std::map<std::string, int>{{"registration_confirmed", 20},
                                          {"registration_waitlisted", 30}}));
  }
}

TEST_F(TrainingGrpcTest, BadInputNamesTheFieldAndWritesNothing) {
  // A training in a room with a lecturer, 2 days ahead, 14:00-16:00-ish.
  v1::Session room = OnlineSession(48, 10);
  room.set_online(false);
  room.clear_online_url();
  room.set_venue("東京都庁 第一本庁舎 会議室A");
  auto* lecturer = room.add_lecturers();
  lecturer->set_name("山田 花子");
  lecturer->set_affiliation("訪問看護ステーション");
  const auto base = Create(Training("看取りの過程の説明", {room}));
  ASSERT_FALSE(base.id().empty());
  const uint64_t stream_before = SettledStreamCount();
  v1::ListTrainingsRequest all;
  v1::ListTrainingsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListTrainings, all, &listed).ok());
  const int total_before = listed.total();

  auto expect_rejected = [&](const v1::CreateTrainingRequest& r,
                             const std::vector<std::string>& fields,
                             const std::string& mention = "") {
    v1::Training out;
    auto s = Call(&Stub::CreateTraining, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(ViolatedFields(s), fields);
    if (!mention.empty()) {
      EXPECT_THAT(ViolationDescriptions(s), HasSubstr(mention));
    }
  };
  v1::CreateTrainingRequest r;

  // The same room, overlapping by an hour (the venue written with a full-width space).
  v1::Session overlapping = room;
  *overlapping.mutable_starts_at() = FromNow(49 * kHour);
  *overlapping.mutable_ends_at() = FromNow(51 * kHour);
  overlapping.clear_lecturers();
  overlapping.set_venue("東京都庁　第一本庁舎　会議室A");
  *r.mutable_training() = Training("重なる会場", {overlapping});
  expect_rejected(r, {"training.sessions[0].venue"}, base.sessions(0).id());

  // The same lecturer elsewhere at the same time.
  v1::Session elsewhere = overlapping;
  elsewhere.set_venue("立川会場");
  *elsewhere.add_lecturers() = room.lecturers(0);
  elsewhere.mutable_lecturers(0)->set_name("山田花子");
  *r.mutable_training() = Training("重なる講師", {elsewhere});
  expect_rejected(r, {"training.sessions[0].lecturers[0].name"}, base.sessions(0).id());

  // End before start; capacity 0.
  v1::Session backwards = OnlineSession(100, 10);
  *backwards.mutable_ends_at() = FromNow(99 * kHour);
  *r.mutable_training() = Training("逆順", {backwards});
  expect_rejected(r, {"training.sessions[0].ends_at"});
  *r.mutable_training() = Training("定員0", {OnlineSession(100, 0)});
  expect_rejected(r, {"training.sessions[0].capacity"});

  // Unknown skill; a level the skill does not have.
  *r.mutable_training() = Training("不明なスキル", {OnlineSession(100, 10)});
  r.mutable_training()->mutable_target_skills(0)->set_skill_code("telepathy");
  expect_rejected(r, {"training.target_skills[0].skill_code"}, "telepathy");
  r.mutable_training()->mutable_target_skills(0)->set_skill_code("peer_support");
  r.mutable_training()->mutable_target_skills(0)->set_level(static_cast<v1::SkillLevel>(7));
  expect_rejected(r, {"training.target_skills[0].level"});

  // A session added later into the same room and time.
  v1::AddSessionRequest add;
  add.set_training_id(base.id());
  add.set_expected_version(base.version());
  *add.mutable_session() = overlapping;
  v1::Training out;
  auto s = Call(&Stub::AddSession, add, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("session.venue"));

  v1::GetTrainingRequest get;
  get.set_id(base.id());
  v1::Training now;
  ASSERT_TRUE(Call(&Stub::GetTraining, get, &now).ok());
  EXPECT_EQ(now.version(), base.version());
  ASSERT_TRUE(Call(&Stub::ListTrainings, all, &listed).ok());
  EXPECT_EQ(listed.total(), total_before);
  EXPECT_EQ(SettledStreamCount(), stream_before);
}

TEST_F(TrainingGrpcTest, RegistrationAfterTheDeadlineNamesTheDeadlineAndWritesNothing) {
  auto t = Training("締切済み", {OnlineSession(72, 10)});
  *t.mutable_registration_deadline() = FromNow(-kHour);
  const auto created = Create(t);
  ASSERT_FALSE(created.id().empty());
  const uint64_t stream_before = SettledStreamCount();
  v1::Registration out;
  auto s = Call(&Stub::Register, Registration(created.id(), "late"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("registration_deadline"));
  v1::ListRegistrationsRequest list;
  list.set_training_id(created.id());
  v1::ListRegistrationsResponse regs;
  ASSERT_TRUE(Call(&Stub::ListRegistrations, list, &regs).ok());
  EXPECT_EQ(regs.registrations_size(), 0);
  EXPECT_EQ(SettledStreamCount(), stream_before);
}

TEST_F(TrainingGrpcTest, KillNineDuringRegistrationsLosesNothingAcknowledgedAndDoublesNothing) {
  const auto t = Create(Training("中断試験", {OnlineSession(200, 30)}));
  ASSERT_FALSE(t.id().empty());
  constexpr int kClients = 4, kEach = 150;
  std::vector<std::vector<std::string>> acked(kClients);
  std::atomic<bool> killed{false};
  std::atomic<int> acked_so_far{0};
  std::vector<std::thread> threads;
  threads.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = v1::TrainingService::NewStub(instance_->channel("training"));
      for (int i = 0; i < kEach; ++i) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        v1::Registration out;
        auto s = stub->Register(
            &ctx, Registration(t.id(), "k" + std::to_string(c) + "-" + std::to_string(i)), &out);
        if (s.ok()) {
          acked[c].push_back(out.id());
          ++acked_so_far;
        }
        if (killed) return;
      }
    });
  }
  // Killed in the middle: once a few dozen registrations are acknowledged, whatever the
  // machine's speed.
  EXPECT_TRUE(WaitFor([&] { return acked_so_far >= 40; }, std::chrono::seconds(30)));
  instance_->process("training")->Kill();
  killed = true;
  for (auto& th : threads) th.join();
  ASSERT_TRUE(instance_->Start("training").ok());
  stub_ = v1::TrainingService::NewStub(instance_->channel("training"));

  size_t acknowledged = 0;
  for (const auto& ids : acked) {
    for (const auto& id : ids) {
      v1::GetRegistrationRequest get;
      get.set_id(id);
      v1::Registration reg;
      EXPECT_TRUE(Call(&Stub::GetRegistration, get, &reg).ok()) << "lost " << id;
      ++acknowledged;
    }
  }
  EXPECT_GT(acknowledged, 0u);
  EXPECT_LT(acknowledged, static_cast<size_t>(kClients * kEach)) << "killed after the last call";
  v1::ListRegistrationsRequest list;
  list.set_training_id(t.id());
  v1::ListRegistrationsResponse regs;
  ASSERT_TRUE(Call(&Stub::ListRegistrations, list, &regs).ok());
  // Everything stored is consistent: seats counted once, each stored registration one event.
  int confirmed = 0, waitlisted = 0;
  for (const auto& r : regs.registrations()) {
    confirmed += r.status() == v1::REGISTRATION_STATUS_CONFIRMED;
    waitlisted += r.status() == v1::REGISTRATION_STATUS_WAITLISTED;
  }
  EXPECT_GE(static_cast<size_t>(regs.registrations_size()), acknowledged);
  EXPECT_EQ(confirmed, std::min(regs.registrations_size(), 30));
  v1::GetTrainingRequest get;
  get.set_id(t.id());
  v1::Training now;
  ASSERT_TRUE(Call(&Stub::GetTraining, get, &now).ok());
  EXPECT_EQ(now.sessions(0).confirmed(), confirmed);
  EXPECT_EQ(now.sessions(0).waitlisted(), waitlisted);
  // The relay republishes what it kept; the stream's duplicate window drops repeats.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto events = RegistrationEvents(t.id());
        return events["registration_confirmed"] + events["registration_waitlisted"] ==
               regs.registrations_size();
      },
      std::chrono::seconds(10)));
  SettledStreamCount();
  auto events = RegistrationEvents(t.id());
  EXPECT_EQ(events["registration_confirmed"], confirmed);
  EXPECT_EQ(events["registration_waitlisted"], waitlisted);
}

}  // namespace
}  // namespace renkei::testing
