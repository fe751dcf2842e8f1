// A full disk (issue 16): renkei-intake and renkei-training keep their data on a 20 MiB tmpfs
// that fills up under creates. No process aborts; writes are answered RESOURCE_EXHAUSTED (a full
// disk, ErrorInfo DISK_FULL) naming no server path, health says NOT_SERVING, reads that need no
// write go on, renkeictl says ディスクの空きがありません; once space is freed the same process
// takes writes again within 30 s, with no operator action. What was acknowledged is stored, and
// nothing that failed is. Real binaries, real RocksDB on a real tmpfs (CI runs as root: a refused
// mount fails the test, it is not skipped).
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/clock.h"
#include "renkei/common/ids.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/training.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kHour = 3600LL * 1000000;

// A tmpfs of `megabytes` mounted at `dir` (created), unmounted when destroyed.
class Tmpfs {
 public:
  Tmpfs(const std::string& dir, int megabytes) : dir_(dir) {
    std::filesystem::create_directories(dir);
    const std::string size = "size=" + std::to_string(megabytes) + "m";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, size.c_str()) != 0) {
      error_ = std::string("mount tmpfs at ") + dir + ": " + std::strerror(errno);
    }
  }
  ~Tmpfs() {
    if (error_.empty()) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  const std::string& error() const { return error_; }
  uint64_t Free() const {
    struct statvfs st {};
    if (::statvfs(dir_.c_str(), &st) != 0) return 0;
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }
  // Fills the filesystem up to `leave` free bytes with a file of its own.
  void FillLeaving(uint64_t leave) {
    const uint64_t free = Free();
    if (free <= leave) return;
    std::ofstream out(dir_ + "/filler", std::ios::binary);
    const std::string block(1 << 16, 'x');
    for (uint64_t left = free - leave; left > 0;) {
      const uint64_t n = std::min<uint64_t>(left, block.size());
      out.write(block.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
  }
  void Unfill() { std::filesystem::remove(dir_ + "/filler"); }

 private:
  std::string dir_;
  std::string error_;
};

// Calls `call(ctx)` until it answers something else than DEADLINE_EXCEEDED: a call that timed
// out may have committed, so it is sent again (with its request id) until answered.
template <typename Call>
grpc::Status CallUntilAnswered(Call call) {
  grpc::Status s;
  do {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    s = call(&ctx);
  } while (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  return s;
}

std::string ReasonOf(const grpc::Status& s) {
  google::rpc::Status detail;
  if (s.error_details().empty() || !detail.ParseFromString(s.error_details())) return "";
  for (const auto& any : detail.details()) {
    google::rpc::ErrorInfo info;
    if (any.type_url() == "type.googleapis.com/google.rpc.ErrorInfo" &&
        info.ParseFromString(any.value())) {
      return info.reason();
    }
  }
  return "";
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    InstanceSpec spec;
    spec.services = {"intake", "training"};
    inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), spec);
  }

  // Sends creates from 4 clients until the service refuses them; returns the first refusal.
  // `create` makes one (true when acknowledged).
  grpc::Status FillWithCreates(const std::function<grpc::Status(int)>& create) {
    std::atomic<bool> refused{false};
    std::mutex mu;
    grpc::Status first;
    std::vector<std::thread> clients;
    clients.reserve(4);
    std::atomic<int> n{0};
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&] {
        for (int i = 0; i < 100000 && !refused; ++i) {
          grpc::Status s = create(n++);
          if (!s.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            if (!refused.exchange(true)) first = s;
          }
        }
      });
    }
    for (auto& t : clients) t.join();
    return first;
  }

  // What every service must do while its disk is full, and after it was freed.
  void ExpectRefusedThenRecovered(const std::string& service, Tmpfs& disk,
                                  const grpc::Status& refusal,
                                  const std::function<grpc::Status(int)>& create) {
    // The answer: a full disk, said so, no server path in it.
    EXPECT_EQ(refusal.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << refusal.error_message();
    EXPECT_EQ(ReasonOf(refusal), "DISK_FULL");
    EXPECT_THAT(refusal.error_message(), HasSubstr("ディスクの空きがありません"));
    EXPECT_THAT(refusal.error_message(), Not(HasSubstr(inagi_->data_dir())));
    EXPECT_THAT(refusal.error_message(), Not(HasSubstr(".log")));
    // Later writes too, and the process is alive and says NOT_SERVING.
    grpc::Status again = create(-1);
    EXPECT_TRUE(again.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                again.error_code() == grpc::StatusCode::UNAVAILABLE)
        << again.error_code() << " " << again.error_message();
    EXPECT_THAT(again.error_message(), Not(HasSubstr(inagi_->data_dir())));
    const pid_t pid = inagi_->process(service)->pid();
    EXPECT_TRUE(
        WaitFor([&] { return !Healthy(inagi_->address(service)); }, std::chrono::seconds(10)));
    EXPECT_TRUE(inagi_->process(service)->Running());

    // Space freed: the same process takes writes again within 30 s, by itself.
    disk.Unfill();
    const auto freed = std::chrono::steady_clock::now();
    grpc::Status after;
    const bool recovered = WaitFor(
        [&] {
          after = create(-2);
          return after.ok();
        },
        std::chrono::seconds(30));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - freed).count();
    std::printf("%s: writes again %.2f s after space was freed\n", service.c_str(), seconds);
    RecordProperty(service + "_recovery_seconds", std::to_string(seconds));
    EXPECT_TRUE(recovered) << after.error_code() << " " << after.error_message();
    EXPECT_EQ(inagi_->process(service)->pid(), pid);
    EXPECT_TRUE(inagi_->process(service)->Running());
    EXPECT_TRUE(
        WaitFor([&] { return Healthy(inagi_->address(service)); }, std::chrono::seconds(10)));
    const std::string log = ReadFile(inagi_->log_path(service));
    EXPECT_THAT(log, HasSubstr("store refuses writes"));
    EXPECT_THAT(log, Not(HasSubstr("Assertion")));
    // How it recovered: a reopen (a failed WAL write stops RocksDB's writes for good).
    EXPECT_THAT(log, HasSubstr("store reopened after a write error"));
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> inagi_;
};

TEST_F(DiskFullTest, IntakeRefusesClearlyKeepsReadingAndRecoversInTheSameProcess) {
  Tmpfs disk(inagi_->data_dir() + "/data/intake", 20);
  ASSERT_TRUE(disk.error().empty()) << disk.error() << " (the test needs root to mount a tmpfs)";
  ASSERT_TRUE(inagi_->Start("intake").ok());
  auto stub = v1::IntakeService::NewStub(inagi_->channel("intake"));
  std::mutex mu;
  std::set<std::string> acknowledged;
  auto create = [&](int n) {
    v1::CreateConsultationRequest r;
    r.set_request_id(common::NewId("req"));
    r.set_channel(v1::CHANNEL_PHONE);
    r.set_source_type(v1::SOURCE_TYPE_PATIENT_FAMILY);
    r.mutable_person()->set_name("稲城 太郎 " + std::to_string(n));
    r.set_narrative(std::string(400, 'n'));
    v1::Consultation out;
    grpc::Status s = CallUntilAnswered(
        [&](grpc::ClientContext* ctx) { return stub->CreateConsultation(ctx, r, &out); });
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      acknowledged.insert(out.id());
    }
    return s;
  };
  ASSERT_TRUE(create(0).ok());
  disk.FillLeaving(uint64_t{1536} * 1024);
  const grpc::Status refusal = FillWithCreates(create);
  std::printf("intake: %zu consultations acknowledged before the disk was full\n",
              acknowledged.size());

  // Reads that need no write go on while writes are refused.
  {
    v1::ListConsultationsRequest list;
    list.set_page_size(1);
    v1::ListConsultationsResponse page;
    grpc::ClientContext ctx;
    grpc::Status s = stub->ListConsultations(&ctx, list, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  // renkeictl names the cause.
  CliResult cli = RunRenkeictl(
      {"consultation", "create", "--channel", "phone", "--source", "family", "--person-name",
       "稲城 花子"},
      {{"RENKEI_INTAKE", inagi_->address("intake")}, {"RENKEI_TOKEN", inagi_->DefaultToken()}},
      tmp_.Sub("cli"));
  EXPECT_EQ(cli.exit_code, 6) << cli;
  EXPECT_THAT(cli.err, HasSubstr("ディスクの空きがありません")) << cli;

  ExpectRefusedThenRecovered("intake", disk, refusal, create);

  // Acknowledged = stored, in the running process and after a restart; nothing refused is.
  std::set<std::string> stored;
  for (const auto& c : ListAllConsultations(*stub)) stored.insert(c.id());
  EXPECT_EQ(stored, acknowledged);
  inagi_->Stop("intake");
  ASSERT_TRUE(inagi_->Start("intake").ok());
  stored.clear();
  for (const auto& c : ListAllConsultations(*stub)) stored.insert(c.id());
  EXPECT_EQ(stored, acknowledged);
}

TEST_F(DiskFullTest, TrainingRefusesClearlyAndRecoversInTheSameProcess) {
  Tmpfs disk(inagi_->data_dir() + "/data/training", 20);
  ASSERT_TRUE(disk.error().empty()) << disk.error() << " (the test needs root to mount a tmpfs)";
  ASSERT_TRUE(inagi_->Start("training").ok());
  auto stub = v1::TrainingService::NewStub(inagi_->channel("training"));
  std::mutex mu;
  std::set<std::string> acknowledged;
  auto create = [&](int n) {
    v1::CreateTrainingRequest r;
    r.set_request_id(common::NewId("req"));
    auto* t = r.mutable_training();
    t->set_title("在宅医療と介護の連携研修 " + std::to_string(n));
    t->set_description(std::string(600, 'd'));
    t->add_audiences(v1::AUDIENCE_ROLE_COORDINATORS);
    auto* s = t->add_sessions();
    const int64_t start = common::SystemClock::Get()->NowMicros() + (48 + n % 1000) * kHour;
    *s->mutable_starts_at() = common::TimestampFromMicros(start);
    *s->mutable_ends_at() = common::TimestampFromMicros(start + 2 * kHour);
    s->set_online(true);
    s->set_online_url("https://meet.example.jp/inagi");
    s->set_capacity(30);
    v1::Training out;
    grpc::Status status = CallUntilAnswered(
        [&](grpc::ClientContext* ctx) { return stub->CreateTraining(ctx, r, &out); });
    if (status.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      acknowledged.insert(out.id());
    }
    return status;
  };
  {
    grpc::Status first = create(0);
    ASSERT_TRUE(first.ok()) << first.error_message();
  }
  disk.FillLeaving(uint64_t{1536} * 1024);
  const grpc::Status refusal = FillWithCreates(create);
  std::printf("training: %zu trainings acknowledged before the disk was full\n",
              acknowledged.size());
  {
    v1::ListTrainingsRequest list;
    v1::ListTrainingsResponse page;
    grpc::ClientContext ctx;
    grpc::Status s = stub->ListTrainings(&ctx, list, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  ExpectRefusedThenRecovered("training", disk, refusal, create);

  std::set<std::string> stored;
  std::string token;
  do {
    v1::ListTrainingsRequest list;
    list.set_page_size(200);
    list.set_page_token(token);
    v1::ListTrainingsResponse page;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->ListTrainings(&ctx, list, &page).ok());
    for (const auto& t : page.trainings()) stored.insert(t.id());
    token = page.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(stored, acknowledged);
}

}  // namespace
}  // namespace renkei::testing
