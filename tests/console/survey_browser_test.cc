// A resource survey end to end (issue 19, acceptance 1): Inagi's real visiting nurse stations and
// home-help offices (reference-data/, this municipality's rows), the real renkei-directory (in
// this process, on a clock the test moves on so that a link can expire), the real renkei-gateway
// serving console/dist and the public answer form, Debian's chromium driven by Playwright
// (console/tests/screens/survey.mjs), and a real SMTP server (Debian's python3-aiosmtpd, a Maildir)
// for the reminder. Phase 1: staff start a campaign and print the letters; two providers answer on
// a phone (a draft kept across a reload, a malformed e-mail address refused by name, one
// submission accepted and a second one refused). Two days later, phase 2: the third provider's
// link has expired, staff reissue it and the provider answers; the coordinator accepts two answers
// and edits one; the directory shows the survey's capabilities with their provenance; the response
// rate counts three; a reminder reaches the SMTP server.
#include <filesystem>
#include <fstream>

#include "gateway/accounts.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "screens.h"

namespace renkei::testing {
namespace {

constexpr char kPassword[] = "survey-test-password-1";

class SurveyInABrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(FindConsole("survey/index.html", "playwright-core", &console_));

    // The SMTP server: Debian's aiosmtpd storing what it receives in a Maildir.
    auto smtp = SmtpServer::Start(tmp_.Sub("smtp"));
    ASSERT_TRUE(smtp.ok()) << smtp.status();
    smtp_ = std::move(*smtp);

    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    clock_.SetMicros(common::SystemClock::Get()->NowMicros());
    InstanceSpec spec = InProcess();
    spec.services = {"directory", "intake"};  // the console opens on the consultations
    spec.clock = &clock_;
    spec.gateway_json = "\"static_dir\": \"" + console_.dir + "/dist\"";
    spec.extra_json = smtp_->MailJson();
    instance_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), spec);
    for (const auto& [login, role] : {std::pair{"inagi-demo", v1::ROLE_MUNICIPAL_STAFF},
                                      std::pair{"inagi-coord", v1::ROLE_COORDINATOR}}) {
      v1::GatewayAccount account;
      account.set_login(login);
      account.set_role(role);
      account.set_jurisdiction("132250");
      account.set_display_name("稲城市 (テスト)");
      ASSERT_TRUE(gateway::SaveAccount(instance_->accounts_file(), account, kPassword).ok());
    }
    for (const char* s : {"directory", "intake", "gateway"}) {
      auto started = instance_->Start(s);
      ASSERT_TRUE(started.ok()) << started;
    }
    auto directory = v1::DirectoryService::NewStub(instance_->channel("directory"));
    auto imported = ImportRealData(*directory, {"132250"});
    ASSERT_TRUE(imported.ok()) << imported.status();
    ASSERT_GT(*imported, 50);
  }

  // Runs one phase of console/tests/screens/survey.mjs; its shared state is a JSON file.
  void RunPhase(const std::string& phase) {
    RunScreens(console_, "survey.mjs",
               {{"RENKEI_GATEWAY_URL", instance_->gateway_url()},
                {"RENKEI_LOGIN", "inagi-demo"},
                {"RENKEI_PASSWORD", kPassword},
                {"RENKEI_COORDINATOR_LOGIN", "inagi-coord"},
                {"RENKEI_COORDINATOR_PASSWORD", kPassword},
                {"RENKEI_SURVEY_PHASE", phase},
                {"RENKEI_SURVEY_STATE", tmp_.Sub("survey-state.json")}},
               tmp_.Sub("playwright-survey-" + phase + ".log"), phase);
  }

  TempDir tmp_;
  common::FakeClock clock_;
  std::unique_ptr<SmtpServer> smtp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> instance_;
  ConsoleForTests console_;
};

TEST_F(SurveyInABrowser, ACampaignOverInagisRealResourcesFromLettersToTheDirectory) {
  ASSERT_NO_FATAL_FAILURE(RunPhase("start"));
  // The first letter's QR code, read by an independent decoder (zbar) from the letter rendered at
  // print resolution, is that letter's answer link.
  {
    const std::string state = ReadFile(tmp_.Sub("survey-state.json"));
    const size_t at = state.find("\"token\":\"");
    ASSERT_NE(at, std::string::npos) << state;
    const std::string token = state.substr(at + 9, state.find('"', at + 9) - at - 9);
    const std::string decoded_path = tmp_.Sub("qr.txt");
    auto zbar = ChildProcess::Spawn(
        {"/usr/bin/zbarimg", "--raw", "-q", console_.screenshots + "/17-survey-letter.png"}, {},
        decoded_path);
    ASSERT_TRUE(zbar.ok()) << zbar.status();
    int status = 0;
    ASSERT_TRUE((*zbar)->WaitExit(std::chrono::seconds(60), &status));
    // The log holds stderr too (zbar's D-Bus notices): the symbol is its last line.
    std::string decoded = ReadFile(decoded_path);
    while (!decoded.empty() && decoded.back() == '\n') decoded.pop_back();
    decoded = decoded.substr(decoded.find_last_of('\n') + 1);
    EXPECT_EQ(decoded, instance_->gateway_url() + "/survey/#t=" + token);
  }
  // Two days later.
  clock_.AdvanceMicros(2LL * 86400 * 1000000);  // the links' last day is past
  ASSERT_NO_FATAL_FAILURE(RunPhase("review"));
  // The reminder the review phase sent, as the SMTP server received it.
  const std::string state = ReadFile(tmp_.Sub("survey-state.json"));
  const std::string marker = "\"remindedAddress\":\"";
  const size_t at = state.find(marker);
  ASSERT_NE(at, std::string::npos) << state;
  const std::string address =
      state.substr(at + marker.size(), state.find('"', at + marker.size()) - at - marker.size());
  const auto messages = smtp_->Messages();
  int to_address = 0;
  for (const auto& m : messages) {
    if (m.find("To: " + address) == std::string::npos) continue;
    ++to_address;
    EXPECT_NE(m.find("From: renkei@city.example.lg.jp"), std::string::npos) << m;
    EXPECT_NE(m.find("Subject: =?UTF-8?B?"), std::string::npos) << m;
    EXPECT_NE(m.find("/survey/#t=rsi_"), std::string::npos) << m;
    EXPECT_NE(m.find("改めてご連絡いたします"), std::string::npos) << m;
  }
  EXPECT_EQ(to_address, 1) << messages.size() << " messages in the Maildir";
  for (const char* shot :
       {"17-survey-letter.png", "18-survey-form-mobile.png", "19-survey-link-expired.png",
        "20-survey-review.png", "21-survey-campaign.png", "22-survey-review-panel.png"}) {
    EXPECT_TRUE(std::filesystem::exists(console_.screenshots + "/" + shot))
        << "no screenshot " << shot;
  }
}

}  // namespace
}  // namespace renkei::testing
