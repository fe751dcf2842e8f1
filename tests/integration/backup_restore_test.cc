// Backups and restore with the real binaries, a real nats-server and real RocksDB (issue 8,
// acceptance 5; docs/operations.md, "Backups and restore"):
//   - the restore drill: client threads write to intake (consultations, seeds on some) while
//     nats-server is down for a while and `renkeictl backup` runs; then the processes die and
//     their data directories are deleted; `renkeictl restore` and a restart bring back every
//     write acknowledged before the backup started, none started after it finished, and the
//     restored outbox publishes what only the checkpoint held; renkei-indicators counts every
//     event of the stream exactly once;
//   - a downstream service restored to a checkpoint older than its consumer's position on the
//     server reads its stream again and counts the events it had applied after the backup once;
//   - generations are pruned to backup.generations, an incomplete generation is never restored,
//     a restore is refused while a service runs, and a bad checkpoint target is named.
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/v1/admin.grpc.pb.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using SteadyClock = std::chrono::steady_clock;

// One acknowledged write to intake.
struct Write {
  bool seed = false;  // RaiseIssueSeed; otherwise CreateConsultation
  std::string consultation_id;
  SteadyClock::time_point started, acked;
};

// Client threads that write to intake until stopped: each creates consultations and raises a
// seed on every third one.
class WriteLoad {
 public:
  WriteLoad(const std::shared_ptr<grpc::Channel>& channel, int threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, channel] { Run(v1::IntakeService::NewStub(channel)); });
    }
  }
  ~WriteLoad() { Stop(); }

  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<Write> writes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return writes_;
  }
  int AckedAfter(SteadyClock::time_point t) const {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& w : writes_) n += w.acked > t;
    return n;
  }
  int failures() const { return failures_.load(); }
  std::string last_error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_error_;
  }

 private:
  void Run(std::unique_ptr<v1::IntakeService::Stub> intake) {
    for (int i = 0; !stop_; ++i) {
      v1::CreateConsultationRequest create;
      create.set_channel(v1::CHANNEL_PHONE);
      create.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
      create.mutable_person()->set_name("復元 確認");
      create.set_narrative("退院後の在宅療養について相談したい。");
      v1::Consultation c;
      Write w;
      w.started = SteadyClock::now();
      if (!Call(&v1::IntakeService::Stub::CreateConsultation, *intake, create, &c)) continue;
      w.acked = SteadyClock::now();
      w.consultation_id = c.id();
      Record(w);
      if (i % 3 != 0) continue;
      v1::RaiseIssueSeedRequest seed;
      seed.set_id(c.id());
      seed.set_expected_version(c.version());
      seed.set_theme("退院時の情報共有");
      seed.add_tags("退院支援");
      w.seed = true;
      w.started = SteadyClock::now();
      if (!Call(&v1::IntakeService::Stub::RaiseIssueSeed, *intake, seed, &c)) continue;
      w.acked = SteadyClock::now();
      Record(w);
    }
  }
  template <typename Request>
  bool Call(grpc::Status (v1::IntakeService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                            v1::Consultation*),
            v1::IntakeService::Stub& stub, const Request& request, v1::Consultation* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = (stub.*method)(&ctx, request, out);
    if (s.ok()) return true;
    ++failures_;
    std::lock_guard<std::mutex> lock(mu_);
    last_error_ = s.error_message();
    return false;
  }
  void Record(const Write& w) {
    std::lock_guard<std::mutex> lock(mu_);
    writes_.push_back(w);
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};
  mutable std::mutex mu_;
  std::vector<Write> writes_;
  std::string last_error_;
  std::vector<std::thread> threads_;
};

// The instance's events in the stream, per consultation.
struct StreamView {
  std::map<std::string, int> received;  // consultation id -> consultation_received messages
  std::map<std::string, int> seeds;     // consultation id -> issue_seed_raised messages
  int intake_events = 0;                // both kinds
  int repeated_msg_ids = 0;             // messages whose Nats-Msg-Id an earlier message already had
};

class BackupRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    common::NatsOptions o;
    o.url = nats_->url();
    o.reconnect_wait_ms = 100;
    bus_ = std::move(*common::NatsBus::Connect(o));
    ASSERT_TRUE(bus_->WaitConnected(5000));
    fs::create_directories(tmp_.Sub("cli"));
  }

  std::unique_ptr<InstanceProcesses> Instance(std::vector<std::string> services,
                                              const std::string& backup_json = "") {
    InstanceSpec spec;
    spec.services = std::move(services);
    spec.backup_json = backup_json;
    auto instance = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), spec);
    operator_token_ = instance->Token(v1::ROLE_OPERATOR, "", "operator-1");
    return instance;
  }

  // renkeictl as the instance's operator (backups are the operator's; no personal data).
  CliResult Ctl(const std::vector<std::string>& args) {
    return RunRenkeictl(args, {{"RENKEI_TOKEN", operator_token_}}, tmp_.Sub("cli"));
  }
  std::string operator_token_;

  // The data directories are lost (the disaster of the drill).
  void DestroyData(InstanceProcesses& instance) {
    fs::remove_all(instance.data_dir() + "/data");
    ASSERT_FALSE(fs::exists(instance.data_dir() + "/data/intake"));
  }

  std::set<std::string> ConsultationIds(InstanceProcesses& instance) {
    auto intake = v1::IntakeService::NewStub(instance.channel("intake"));
    std::set<std::string> ids;
    for (const auto& c : ListAllConsultations(*intake)) ids.insert(c.id());
    return ids;
  }

  StreamView Events() {
    StreamView view;
    std::set<std::string> msg_ids;
    for (const auto& m : ReadStream(*bus_, "RENKEI_EVENTS", "renkei.*.m132250.>")) {
      if (!msg_ids.insert(m.msg_id).second) ++view.repeated_msg_ids;
      v1::EventEnvelope e;
      if (!e.ParseFromString(m.data)) continue;
      if (e.has_consultation_received()) {
        ++view.received[e.consultation_received().consultation_id()];
        ++view.intake_events;
      }
      if (e.has_issue_seed_raised()) {
        ++view.seeds[e.issue_seed_raised().consultation_id()];
        ++view.intake_events;
      }
    }
    return view;
  }

  // The sum of a derived indicator's monthly figures for Inagi; -1 before it is defined.
  double Derived(InstanceProcesses& instance, const std::string& code) {
    auto stub = v1::IndicatorsService::NewStub(instance.channel("indicators"));
    v1::GetSeriesRequest r;
    r.set_indicator_code(code);
    r.set_jurisdiction_code("132250");
    v1::Series series;
    grpc::ClientContext ctx;
    if (!stub->GetSeries(&ctx, r, &series).ok()) return -1;
    double sum = 0;
    for (const auto& p : series.points()) sum += p.value();
    return sum;
  }

  std::string Create(InstanceProcesses& instance) {
    auto intake = v1::IntakeService::NewStub(instance.channel("intake"));
    v1::CreateConsultationRequest r;
    r.set_channel(v1::CHANNEL_VISIT);
    r.set_source_type(v1::SOURCE_TYPE_PATIENT_FAMILY);
    r.mutable_person()->set_name("復元 確認");
    v1::Consultation c;
    grpc::ClientContext ctx;
    auto s = intake->CreateConsultation(&ctx, r, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c.id();
  }

  grpc::StatusCode GetCode(InstanceProcesses& instance, const std::string& id,
                           v1::Consultation* out = nullptr) {
    auto intake = v1::IntakeService::NewStub(instance.channel("intake"));
    v1::GetConsultationRequest r;
    r.set_id(id);
    v1::Consultation c;
    grpc::ClientContext ctx;
    auto s = intake->GetConsultation(&ctx, r, &c);
    if (out) *out = c;
    return s.error_code();
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<common::NatsBus> bus_;
};

TEST_F(BackupRestoreTest, RestoreDrillUnderWriteLoad) {
  auto inagi = Instance({"intake", "indicators"});
  ASSERT_TRUE(inagi->Start("intake").ok());
  ASSERT_TRUE(inagi->Start("indicators").ok());
  WriteLoad load(inagi->channel("intake"), 4);
  ASSERT_TRUE(WaitFor([&] { return load.writes().size() >= 40; }, std::chrono::seconds(30)));

  // nats-server goes down while the load runs: commands still succeed, their events wait in the
  // outbox, so the checkpoint holds events nothing has published.
  nats_->Stop();
  const auto outage = SteadyClock::now();
  ASSERT_TRUE(WaitFor([&] { return load.AckedAfter(outage) >= 30; }, std::chrono::seconds(30)));

  const auto backup_started = SteadyClock::now();
  const CliResult backup = Ctl({"backup", "--config", inagi->config_path()});
  const auto backup_done = SteadyClock::now();
  ASSERT_EQ(backup.exit_code, 0) << backup;
  const std::string generation = FindFirst(backup.out, "backup taken: (\\S+)");
  ASSERT_FALSE(generation.empty()) << backup;
  // Writes acknowledged after the checkpoint: the restore cannot bring them back.
  ASSERT_TRUE(WaitFor([&] { return load.AckedAfter(backup_done) >= 20; }));

  // A restore while the services run is refused, naming each, and changes nothing.
  const CliResult refused = Ctl({"restore", "--config", inagi->config_path()});
  EXPECT_EQ(refused.exit_code, 5) << refused;
  EXPECT_THAT(refused.err, HasSubstr("intake が稼働中です"));
  EXPECT_THAT(refused.err, HasSubstr("indicators が稼働中です"));
  EXPECT_THAT(refused.err, HasSubstr(inagi->data_dir() + "/data/intake"));

  load.Stop();
  ASSERT_EQ(load.failures(), 0) << load.last_error();
  const std::vector<Write> writes = load.writes();

  // The disaster: both processes die and their data directories are gone.
  inagi->process("intake")->Kill();
  inagi->process("indicators")->Kill();
  DestroyData(*inagi);
  ASSERT_TRUE(nats_->Restart().ok());

  const CliResult restored = Ctl({"restore", "--config", inagi->config_path()});
  ASSERT_EQ(restored.exit_code, 0) << restored;
  EXPECT_THAT(restored.out, HasSubstr("restored from generation " + generation));
  ASSERT_TRUE(inagi->Start("intake").ok());
  ASSERT_TRUE(inagi->Start("indicators").ok());

  // Every write acknowledged before the backup started is there; nothing started after it
  // finished is.
  int before = 0, after = 0;
  for (const auto& w : writes) {
    v1::Consultation c;
    if (w.acked < backup_started) {
      ++before;
      ASSERT_EQ(GetCode(*inagi, w.consultation_id, &c), grpc::StatusCode::OK) << w.consultation_id;
      if (w.seed) {
        EXPECT_EQ(c.seeds_size(), 1) << w.consultation_id;
      }
    } else if (!w.seed && w.started > backup_done) {
      ++after;
      EXPECT_EQ(GetCode(*inagi, w.consultation_id), grpc::StatusCode::NOT_FOUND);
    }
  }
  EXPECT_GE(before, 70);
  EXPECT_GE(after, 1);
  const std::set<std::string> restored_ids = ConsultationIds(*inagi);
  std::set<std::string> restored_seeds;
  std::set<std::string> created;
  int published_by_the_restored_outbox = 0;
  for (const auto& w : writes) {
    if (!w.seed) created.insert(w.consultation_id);
    if (!restored_ids.count(w.consultation_id)) continue;
    if (w.seed) {
      v1::Consultation c;
      ASSERT_EQ(GetCode(*inagi, w.consultation_id, &c), grpc::StatusCode::OK);
      if (c.seeds_size() == 1) restored_seeds.insert(w.consultation_id);
    }
    if (w.acked > outage && (!w.seed || restored_seeds.count(w.consultation_id))) {
      ++published_by_the_restored_outbox;
    }
  }
  for (const auto& id : restored_ids) EXPECT_TRUE(created.count(id)) << id;
  EXPECT_GE(published_by_the_restored_outbox, 30);

  // Downstream: renkei-indicators (restored too) counts each event exactly once, and the
  // restored outbox resumes: the events of exactly the restored writes are in the stream, those
  // of the outage included, each once; the lost writes' events were never published.
  const double consultations = restored_ids.size();
  const double seeds = restored_seeds.size();
  EXPECT_TRUE(WaitFor(
      [&] {
        return Derived(*inagi, "derived.consultations") == consultations &&
               Derived(*inagi, "derived.issue_seeds") == seeds;
      },
      std::chrono::seconds(30)));
  SettledStreamCount(*bus_, "RENKEI_EVENTS");
  EXPECT_EQ(Derived(*inagi, "derived.consultations"), consultations);
  EXPECT_EQ(Derived(*inagi, "derived.issue_seeds"), seeds);
  const StreamView view = Events();
  std::set<std::string> in_stream, seeds_in_stream;
  for (const auto& [id, n] : view.received) {
    in_stream.insert(id);
    EXPECT_EQ(n, 1) << id;
  }
  for (const auto& [id, n] : view.seeds) {
    seeds_in_stream.insert(id);
    EXPECT_EQ(n, 1) << id;
  }
  EXPECT_EQ(in_stream, restored_ids);
  EXPECT_EQ(seeds_in_stream, restored_seeds);
  EXPECT_EQ(view.intake_events, static_cast<int>(restored_ids.size() + restored_seeds.size()));
  EXPECT_EQ(view.repeated_msg_ids, 0);
  std::printf(
      "restore drill: %zu writes acknowledged (%d before the backup), %zu consultations and %zu "
      "seeds restored, %d of them published only by the restored outbox\n",
      writes.size(), before, restored_ids.size(), restored_seeds.size(),
      published_by_the_restored_outbox);
  inagi->Stop("indicators");
  inagi->Stop("intake");
}

TEST_F(BackupRestoreTest, ARestoredConsumerCountsWhatItHadAppliedAfterTheBackupOnce) {
  auto inagi = Instance({"intake", "indicators"});
  ASSERT_TRUE(inagi->Start("intake").ok());
  ASSERT_TRUE(inagi->Start("indicators").ok());
  std::set<std::string> kept;
  for (int i = 0; i < 10; ++i) kept.insert(Create(*inagi));
  ASSERT_TRUE(WaitFor([&] { return Derived(*inagi, "derived.consultations") == 10; },
                      std::chrono::seconds(20)));
  const CliResult backup = Ctl({"backup", "--config", inagi->config_path()});
  ASSERT_EQ(backup.exit_code, 0) << backup;
  // Applied by indicators and acknowledged on the server after the checkpoint.
  for (int i = 0; i < 15; ++i) Create(*inagi);
  ASSERT_TRUE(WaitFor([&] { return Derived(*inagi, "derived.consultations") == 25; },
                      std::chrono::seconds(20)));

  inagi->Stop("indicators");
  inagi->Stop("intake");
  DestroyData(*inagi);
  const CliResult restored = Ctl({"restore", "--config", inagi->config_path()});
  ASSERT_EQ(restored.exit_code, 0) << restored;
  ASSERT_TRUE(inagi->Start("intake").ok());
  ASSERT_TRUE(inagi->Start("indicators").ok());

  // Intake is back at the checkpoint. The 15 later consultations are gone from it, but their
  // events had reached the stream before the disaster; the restored indicators store lacked their
  // effects while the server had their acks, so its consumer reads the stream again and counts
  // each event of the stream once: 25.
  EXPECT_EQ(ConsultationIds(*inagi), kept);
  EXPECT_TRUE(WaitFor([&] { return Derived(*inagi, "derived.consultations") == 25; },
                      std::chrono::seconds(20)));
  SettledStreamCount(*bus_, "RENKEI_EVENTS");
  EXPECT_EQ(Derived(*inagi, "derived.consultations"), 25);
  EXPECT_THAT(ReadFile(inagi->log_path("indicators")),
              HasSubstr("consumer replays its stream after a restore"));
  // The restored outbox published its retained records again: the stream dropped them as
  // duplicates.
  StreamView view = Events();
  EXPECT_EQ(view.received.size(), 25u);
  EXPECT_EQ(view.repeated_msg_ids, 0);

  // New writes after the restore get new event ids: published and counted like any other.
  for (int i = 0; i < 5; ++i) kept.insert(Create(*inagi));
  EXPECT_TRUE(WaitFor([&] { return Derived(*inagi, "derived.consultations") == 30; },
                      std::chrono::seconds(20)));
  EXPECT_EQ(ConsultationIds(*inagi).size(), 15u);
  view = Events();
  EXPECT_EQ(view.received.size(), 30u);
  EXPECT_EQ(view.repeated_msg_ids, 0);
  inagi->Stop("indicators");
  inagi->Stop("intake");
}

TEST_F(BackupRestoreTest, GenerationsArePrunedAndAnIncompleteOneIsNeverRestored) {
  auto inagi = Instance({"intake"}, R"({"generations": 2})");
  ASSERT_TRUE(inagi->Start("intake").ok());
  const std::string backups = inagi->data_dir() + "/backups";  // <data_root>/../backups

  // The checkpoint target is checked by the service.
  auto admin = v1::AdminService::NewStub(inagi->channel("intake", v1::ROLE_OPERATOR));
  for (const std::string& dir : {std::string("backups/x/intake"), inagi->data_dir()}) {
    v1::CheckpointRequest r;
    r.set_target_dir(dir);
    v1::CheckpointResponse out;
    grpc::ClientContext ctx;
    auto s = admin->Checkpoint(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << dir;
    EXPECT_THAT(ViolatedFields(s), ElementsAre("target_dir")) << dir;
  }

  std::vector<std::string> ids, generations;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(Create(*inagi));
    const CliResult backup = Ctl({"backup", "--config", inagi->config_path()});
    ASSERT_EQ(backup.exit_code, 0) << backup;
    generations.push_back(FindFirst(backup.out, "backup taken: (\\S+)"));
    if (i == 2) {
      EXPECT_THAT(backup.out, HasSubstr("removed: " + generations[0]));
    }
  }
  EXPECT_FALSE(fs::exists(backups + "/" + generations[0]));
  // A later generation whose manifest was never written (the backup died after the checkpoint).
  const std::string incomplete = "29991231T235959Z";
  fs::copy(backups + "/" + generations[2], backups + "/" + incomplete, fs::copy_options::recursive);
  fs::remove(backups + "/" + incomplete + "/manifest.json");

  const CliResult list = Ctl({"backup", "list", "--config", inagi->config_path()});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, Not(HasSubstr("\n" + generations[0] + " ")));
  EXPECT_THAT(list.out, ContainsRegex(generations[1] + " +完全 \\(complete\\) +intake"));
  EXPECT_THAT(list.out, ContainsRegex(generations[2] + " +完全 \\(complete\\) +intake"));
  EXPECT_THAT(list.out, ContainsRegex(incomplete + " +不完全 \\(incomplete\\)"));

  const CliResult running = Ctl({"restore", "--config", inagi->config_path()});
  EXPECT_EQ(running.exit_code, 5) << running;
  EXPECT_THAT(running.err, HasSubstr("intake が稼働中です"));
  inagi->Stop("intake");

  const CliResult named =
      Ctl({"restore", "--config", inagi->config_path(), "--generation", incomplete});
  EXPECT_EQ(named.exit_code, 5) << named;
  EXPECT_THAT(named.err, HasSubstr("incomplete"));

  const CliResult older =
      Ctl({"restore", "--config", inagi->config_path(), "--generation", generations[1]});
  ASSERT_EQ(older.exit_code, 0) << older;
  ASSERT_TRUE(inagi->Start("intake").ok());
  EXPECT_EQ(GetCode(*inagi, ids[0]), grpc::StatusCode::OK);
  EXPECT_EQ(GetCode(*inagi, ids[1]), grpc::StatusCode::OK);
  EXPECT_EQ(GetCode(*inagi, ids[2]), grpc::StatusCode::NOT_FOUND);
  inagi->Stop("intake");

  // By default: the newest complete generation, not the incomplete one after it.
  const CliResult newest = Ctl({"restore", "--config", inagi->config_path()});
  ASSERT_EQ(newest.exit_code, 0) << newest;
  EXPECT_THAT(newest.out, HasSubstr("restored from generation " + generations[2]));
  ASSERT_TRUE(inagi->Start("intake").ok());
  EXPECT_EQ(GetCode(*inagi, ids[2]), grpc::StatusCode::OK);
  EXPECT_TRUE(fs::exists(inagi->data_dir() + "/data/intake.pre-restore"));
  inagi->Stop("intake");
}

}  // namespace
}  // namespace renkei::testing
