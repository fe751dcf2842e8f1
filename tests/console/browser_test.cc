// The console in a real browser (issue 9): a real nats-server, the six real services, the real
// renkei-gateway serving console/dist, the real facilities of reference-data/; then Playwright
// (playwright-core from npm, console/tests/screens/*.mjs, one test per screen) drives Debian's
// chromium headless through worked example 1 and the worksheet of worked example 2, every screen,
// and the accessibility basics. A second instance, 東京都's (prefecture: renkei-indicators and its
// gateway), holds one indicator for ten of its municipalities, so the comparison screen ranks real
// municipalities with the median marked. Screenshots land in <build>/console-screenshots.
#include <filesystem>

#include "gateway/accounts.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/v1/indicators.grpc.pb.h"

namespace renkei::testing {
namespace {

constexpr char kPassword[] = "browser-test-password-1";
constexpr char kPrefectureIndicator[] = "tokyo_home_visit_clinics";
constexpr char kPrefecturePeriod[] = "FY2025";

// 東京都's instance with one indicator observed in ten of its municipalities (values chosen so
// the ranking and the median are known: 稲城市 is 4th of 10, the median 50; every count is at
// least 10, so none is withheld as a small count).
void StartPrefecture(InstanceProcesses& tokyo) {
  v1::GatewayAccount account;
  account.set_login("tokyo-staff");
  account.set_role(v1::ROLE_PREFECTURE_STAFF);
  account.set_jurisdiction("130001");
  account.set_display_name("東京都 職員 (テスト)");
  ASSERT_TRUE(gateway::SaveAccount(tokyo.accounts_file(), account, kPassword).ok());
  for (const char* s : {"indicators", "gateway"}) {
    auto started = tokyo.Start(s);
    ASSERT_TRUE(started.ok()) << started;
  }
  auto stub = v1::IndicatorsService::NewStub(tokyo.channel("indicators"));
  v1::DefineIndicatorRequest define;
  auto* d = define.mutable_definition();
  d->set_origin(v1::INDICATOR_ORIGIN_LOCAL);
  auto* spec = d->mutable_spec();
  spec->set_code(kPrefectureIndicator);
  spec->set_name_ja("在宅療養支援診療所数");
  spec->set_description("東京都の比較用の指標です (テスト用の値)。");
  spec->set_unit("か所");
  spec->set_kind(v1::INDICATOR_KIND_COUNT);
  spec->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
  spec->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
  spec->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
  {
    grpc::ClientContext ctx;
    v1::IndicatorDefinition out;
    auto s = stub->DefineIndicator(&ctx, define, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const std::pair<const char*, double> values[] = {
      {"131016", 120}, {"131024", 90}, {"131032", 70}, {"132250", 60}, {"132080", 50},
      {"132012", 50},  {"132021", 40}, {"132039", 30}, {"132047", 20}, {"132055", 10}};
  for (const auto& [code, value] : values) {
    v1::RecordObservationRequest r;
    auto* o = r.mutable_observation();
    o->set_indicator_code(kPrefectureIndicator);
    o->set_jurisdiction_code(code);
    o->set_period(kPrefecturePeriod);
    o->set_value(value);
    o->set_source("東京都 テスト用の値");
    o->set_recorded_by("tokyo-staff");
    grpc::ClientContext ctx;
    v1::Observation out;
    auto s = stub->RecordObservation(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << code << ": " << s.error_message();
  }
}

// The instances once for the suite (starting them imports the real directory data, most of the
// suite's set-up); every test runs one screen's file, console/tests/screens/<screen>.mjs, which
// makes through the API whatever else it needs, so any one runs alone
// (--gtest_filter=ConsoleInABrowser.Digest).
class ConsoleInABrowser : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    console_ = new std::string(SourceDir() + "/console");
    ASSERT_TRUE(std::filesystem::exists(*console_ + "/dist/index.html"))
        << "console/dist is not built: run tools/console-build.sh (tools/build.sh does)";
    ASSERT_TRUE(std::filesystem::exists(*console_ + "/node_modules/playwright-core"))
        << "console/node_modules is not installed: run tools/console-build.sh";
    const char* chromium_env = std::getenv("RENKEI_CHROMIUM");
    chromium_ = new std::string(chromium_env != nullptr ? chromium_env : "/usr/bin/chromium");
    ASSERT_TRUE(std::filesystem::exists(*chromium_))
        << *chromium_ << " missing: tools/setup.sh installs it";

    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = nats->release();
    InstanceSpec spec;
    spec.gateway_json = "\"static_dir\": \"" + *console_ + "/dist\"";
    spec.services = {"directory", "intake", "issues", "training", "indicators", "network"};
    instance_ = new InstanceProcesses(tmp_->Sub("inagi"), nats_->url(), spec);
    v1::GatewayAccount account;
    account.set_login("inagi-demo");
    account.set_role(v1::ROLE_MUNICIPAL_STAFF);
    account.set_jurisdiction("132250");
    account.set_display_name("稲城市 職員 (テスト)");
    ASSERT_TRUE(gateway::SaveAccount(instance_->accounts_file(), account, kPassword).ok());
    account.set_login("inagi-coord");  // a coordinator: may not create trainings
    account.set_role(v1::ROLE_COORDINATOR);
    account.set_display_name("稲城市 コーディネーター (テスト)");
    ASSERT_TRUE(gateway::SaveAccount(instance_->accounts_file(), account, kPassword).ok());
    for (const char* s :
         {"directory", "intake", "issues", "training", "indicators", "network", "gateway"}) {
      auto started = instance_->Start(s);
      ASSERT_TRUE(started.ok()) << started;
    }
    InstanceSpec tokyo_spec;
    tokyo_spec.prefecture = true;
    tokyo_spec.code = "130001";
    tokyo_spec.services = {"indicators"};
    tokyo_spec.gateway_json = spec.gateway_json;                   // the same console
    auto tokyo_nats = NatsServer::Start(tmp_->Sub("tokyo-nats"));  // its own server and stream
    ASSERT_TRUE(tokyo_nats.ok()) << tokyo_nats.status();
    tokyo_nats_ = tokyo_nats->release();
    tokyo_ = new InstanceProcesses(tmp_->Sub("tokyo"), tokyo_nats_->url(), tokyo_spec);
    StartPrefecture(*tokyo_);
    if (HasFatalFailure()) return;

    auto directory = v1::DirectoryService::NewStub(instance_->channel("directory"));
    auto imported = ImportRealData(*directory);
    ASSERT_TRUE(imported.ok()) << imported.status();
    ASSERT_GT(*imported, 128000);

    screenshots_ = new std::string(
        std::filesystem::path(BinaryPath("renkei-gateway")).parent_path().parent_path().string() +
        "/console-screenshots");
    // Shared with the other browser suites running beside this one: each file's own
    // screenshots are removed before it runs (RunScreen), never the directory.
    std::filesystem::create_directories(*screenshots_);
    ready_ = true;
  }
  static void TearDownTestSuite() {
    delete tokyo_;
    delete tokyo_nats_;
    delete instance_;
    delete nats_;
    delete tmp_;
    delete screenshots_;
    delete chromium_;
    delete console_;
  }
  void SetUp() override { ASSERT_TRUE(ready_) << "the instances did not start (see above)"; }

  // Runs console/tests/screens/<screen>.mjs (node:test, Playwright, chromium headless) against
  // the instances and expects it to pass and to leave the named screenshots.
  void RunScreen(const std::string& screen, const std::vector<std::string>& screenshots) {
    for (const auto& name : screenshots) std::filesystem::remove(*screenshots_ + "/" + name);
    const std::string log = tmp_->Sub("playwright-" + screen + ".log");
    auto node = ChildProcess::Spawn(
        {"/bin/sh", "-c", "cd \"$CONSOLE_DIR\" && exec node \"tests/screens/$SCREEN.mjs\""},
        {{"RENKEI_GATEWAY_URL", instance_->gateway_url()},
         {"RENKEI_LOGIN", "inagi-demo"},
         {"RENKEI_PASSWORD", kPassword},
         {"RENKEI_SCREENSHOT_DIR", *screenshots_},
         {"RENKEI_CHROMIUM", *chromium_},
         {"RENKEI_COORDINATOR_LOGIN", "inagi-coord"},
         {"RENKEI_COORDINATOR_PASSWORD", kPassword},
         {"RENKEI_PREFECTURE_URL", tokyo_->gateway_url()},
         {"RENKEI_PREFECTURE_LOGIN", "tokyo-staff"},
         {"RENKEI_PREFECTURE_PASSWORD", kPassword},
         {"RENKEI_PREFECTURE_INDICATOR", kPrefectureIndicator},
         {"RENKEI_PREFECTURE_PERIOD", kPrefecturePeriod},
         {"CONSOLE_DIR", *console_},
         {"SCREEN", screen}},
        log);
    ASSERT_TRUE(node.ok()) << node.status();
    int status = 0;
    const bool exited = (*node)->WaitExit(std::chrono::minutes(5), &status);
    const std::string output = ReadFile(log);
    std::cout << output;
    ASSERT_TRUE(exited) << screen << ": the browser tests did not finish in 5 minutes";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << screen << ": browser tests failed:\n"
        << output;
    for (const auto& name : screenshots) {
      EXPECT_TRUE(std::filesystem::exists(*screenshots_ + "/" + name)) << "no screenshot " << name;
    }
  }

  static bool ready_;
  static std::string* console_;
  static std::string* chromium_;
  static std::string* screenshots_;
  static TempDir* tmp_;
  static NatsServer* nats_;
  static NatsServer* tokyo_nats_;
  static InstanceProcesses* instance_;
  static InstanceProcesses* tokyo_;
};

bool ConsoleInABrowser::ready_ = false;
std::string* ConsoleInABrowser::console_ = nullptr;
std::string* ConsoleInABrowser::chromium_ = nullptr;
std::string* ConsoleInABrowser::screenshots_ = nullptr;
TempDir* ConsoleInABrowser::tmp_ = nullptr;
NatsServer* ConsoleInABrowser::nats_ = nullptr;
NatsServer* ConsoleInABrowser::tokyo_nats_ = nullptr;
InstanceProcesses* ConsoleInABrowser::instance_ = nullptr;
InstanceProcesses* ConsoleInABrowser::tokyo_ = nullptr;

// The log-in screen, a session that ends mid-work, log-out.
TEST_F(ConsoleInABrowser, Login) { RunScreen("login", {"01-login.png"}); }

// 相談受付: worked example 1, field errors, the CSRF cookie renewed.
TEST_F(ConsoleInABrowser, Intake) {
  RunScreen("intake", {"02-intake-form.png", "03-consultation-matched.png",
                       "04-consultation-followed-up.png", "05-field-error.png"});
}

// 資源検索: filters, distance, the gap report.
TEST_F(ConsoleInABrowser, Resources) { RunScreen("resources", {"06-resources.png"}); }

// 地域課題: the worksheet of worked example 2, meetings, a candidate accepted.
TEST_F(ConsoleInABrowser, Issues) {
  RunScreen("issues", {"07-issues-board.png", "08-worksheet.png"});
}

// 研修: calendar and list, registration, attendance, survey, .ics; a coordinator's 403.
TEST_F(ConsoleInABrowser, Trainings) {
  RunScreen("trainings", {"09-trainings.png", "10-training-registered.png"});
}

// 指標: series, comparison, an issue's progress; 東京都's comparison of its municipalities.
TEST_F(ConsoleInABrowser, Indicators) {
  RunScreen("indicators", {"11-indicators.png", "14-prefecture-comparison.png"});
}

// 定例ミーティング資料: counts, print, 和暦.
TEST_F(ConsoleInABrowser, Digest) { RunScreen("digest", {"12-digest.png", "13-digest-print.png"}); }

// ネットワーク and 取組事例: a profile, a request answered, a practice published and found.
TEST_F(ConsoleInABrowser, Network) {
  RunScreen("network", {"15-peer-request.png", "16-practice.png"});
}

// Every screen: named controls, landmarks, Tab order.
TEST_F(ConsoleInABrowser, Accessibility) { RunScreen("accessibility", {}); }

}  // namespace
}  // namespace renkei::testing
