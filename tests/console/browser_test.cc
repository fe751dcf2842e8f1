// The console in a real browser (issue 9): a real nats-server, the five real services, the real
// renkei-gateway serving console/dist, the real facilities of ../shared/data; then Playwright
// (playwright-core from npm, console/tests/run.mjs) drives Debian's chromium headless through
// worked example 1 and the worksheet of worked example 2, every screen, and the accessibility
// basics. A second instance, 東京都's (prefecture: renkei-indicators and its gateway), holds one
// indicator for ten of its municipalities, so the comparison screen ranks real municipalities
// with the median marked. Screenshots land in <build>/console-screenshots.
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

TEST(ConsoleInABrowser, WorkedExamplesEveryScreenAndAccessibility) {
  const std::string console = SourceDir() + "/console";
  ASSERT_TRUE(std::filesystem::exists(console + "/dist/index.html"))
      << "console/dist is not built: run tools/console-build.sh (tools/build.sh does)";
  ASSERT_TRUE(std::filesystem::exists(console + "/node_modules/playwright-core"))
      << "console/node_modules is not installed: run tools/console-build.sh";
  const char* chromium_env = std::getenv("RENKEI_CHROMIUM");
  const std::string chromium = chromium_env != nullptr ? chromium_env : "/usr/bin/chromium";
  ASSERT_TRUE(std::filesystem::exists(chromium))
      << chromium << " missing: tools/setup.sh installs it";

  TempDir tmp;
  auto nats = NatsServer::Start(tmp.Sub("nats"));
  ASSERT_TRUE(nats.ok()) << nats.status();
  InstanceSpec spec;
  spec.gateway_json = "\"static_dir\": \"" + console + "/dist\"";
  InstanceProcesses instance(tmp.Sub("inagi"), (*nats)->url(), spec);
  v1::GatewayAccount account;
  account.set_login("inagi-demo");
  account.set_role(v1::ROLE_MUNICIPAL_STAFF);
  account.set_jurisdiction("132250");
  account.set_display_name("稲城市 職員 (テスト)");
  ASSERT_TRUE(gateway::SaveAccount(instance.accounts_file(), account, kPassword).ok());
  account.set_login("inagi-coord");  // a coordinator: may not create trainings
  account.set_role(v1::ROLE_COORDINATOR);
  account.set_display_name("稲城市 コーディネーター (テスト)");
  ASSERT_TRUE(gateway::SaveAccount(instance.accounts_file(), account, kPassword).ok());
  for (const char* s : {"directory", "intake", "issues", "training", "indicators", "gateway"}) {
    auto started = instance.Start(s);
    ASSERT_TRUE(started.ok()) << started;
  }
  InstanceSpec tokyo_spec;
  tokyo_spec.prefecture = true;
  tokyo_spec.code = "130001";
  tokyo_spec.services = {"indicators"};
  tokyo_spec.gateway_json = spec.gateway_json;                 // the same console
  auto tokyo_nats = NatsServer::Start(tmp.Sub("tokyo-nats"));  // its own server and stream
  ASSERT_TRUE(tokyo_nats.ok()) << tokyo_nats.status();
  InstanceProcesses tokyo(tmp.Sub("tokyo"), (*tokyo_nats)->url(), tokyo_spec);
  StartPrefecture(tokyo);
  if (HasFatalFailure()) return;

  auto directory = v1::DirectoryService::NewStub(instance.channel("directory"));
  auto imported = ImportRealData(*directory);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_GT(*imported, 128000);

  const std::string screenshots =
      std::filesystem::path(BinaryPath("renkei-gateway")).parent_path().parent_path().string() +
      "/console-screenshots";
  std::filesystem::remove_all(screenshots);
  std::filesystem::create_directories(screenshots);
  const std::string log = tmp.Sub("playwright.log");
  auto node =
      ChildProcess::Spawn({"/bin/sh", "-c", "cd \"$CONSOLE_DIR\" && exec node tests/run.mjs"},
                          {{"RENKEI_GATEWAY_URL", instance.gateway_url()},
                           {"RENKEI_LOGIN", "inagi-demo"},
                           {"RENKEI_PASSWORD", kPassword},
                           {"RENKEI_SCREENSHOT_DIR", screenshots},
                           {"RENKEI_CHROMIUM", chromium},
                           {"RENKEI_COORDINATOR_LOGIN", "inagi-coord"},
                           {"RENKEI_COORDINATOR_PASSWORD", kPassword},
                           {"RENKEI_PREFECTURE_URL", tokyo.gateway_url()},
                           {"RENKEI_PREFECTURE_LOGIN", "tokyo-staff"},
                           {"RENKEI_PREFECTURE_PASSWORD", kPassword},
                           {"RENKEI_PREFECTURE_INDICATOR", kPrefectureIndicator},
                           {"RENKEI_PREFECTURE_PERIOD", kPrefecturePeriod},
                           {"CONSOLE_DIR", console}},
                          log);
  ASSERT_TRUE(node.ok()) << node.status();
  int status = 0;
  const bool exited = (*node)->WaitExit(std::chrono::minutes(8), &status);
  const std::string output = ReadFile(log);
  std::cout << output;
  ASSERT_TRUE(exited) << "the browser tests did not finish in 8 minutes";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "browser tests failed:\n" << output;
  EXPECT_GE(std::distance(std::filesystem::directory_iterator(screenshots),
                          std::filesystem::directory_iterator()),
            6)
      << "one screenshot per screen";
}

}  // namespace
}  // namespace renkei::testing
