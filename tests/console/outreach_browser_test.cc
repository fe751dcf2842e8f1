// Residents' awareness and information sharing in a browser (issue 20, acceptance 1): Inagi's
// services (in this process), the real renkei-gateway serving console/dist (the staff console,
// /events/ and /board/), a real SMTP server (Debian's python3-aiosmtpd, a Maildir), and Debian's
// chromium driven by Playwright (console/tests/screens/outreach.mjs) with axe-core. Staff publish
// a 人生会議 workshop; a resident registers on the public page on a phone (390 px), receives the
// confirmation mail, cancels by its link; the waitlisted resident is promoted and mailed;
// attendance and the awareness questionnaire appear as indicators and as the progress of an
// expected change. Then the professionals' page: a document and a notice published, a subscriber
// confirmed by mail receives the notice once, and leaves by its link.
#include <filesystem>

#include "gateway/accounts.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "screens.h"

namespace renkei::testing {
namespace {

constexpr char kPassword[] = "outreach-test-password-1";

class OutreachInABrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(FindConsole("events/index.html", "axe-core", &console_));
    auto smtp = SmtpServer::Start(tmp_.Sub("smtp"));
    ASSERT_TRUE(smtp.ok()) << smtp.status();
    smtp_ = std::move(*smtp);
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    InstanceSpec spec = InProcess();
    spec.services = {"intake", "issues", "training", "indicators", "network"};
    // A light proof of work and no minimum fill time: Playwright types faster than people.
    spec.gateway_json = "\"static_dir\": \"" + console_.dir +
                        "/dist\", \"public_forms\": {\"proof_of_work_bits\": 12, "
                        "\"min_fill_seconds\": 0}";
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
    for (const char* s : {"intake", "issues", "training", "indicators", "network", "gateway"}) {
      auto started = instance_->Start(s);
      ASSERT_TRUE(started.ok()) << started;
    }
  }

  TempDir tmp_;
  std::unique_ptr<SmtpServer> smtp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> instance_;
  ConsoleForTests console_;
};

TEST_F(OutreachInABrowser, AWorkshopFromPublicationToTheIndicatorsAndTheProfessionalsPage) {
  RunScreens(console_, "outreach.mjs",
             {{"RENKEI_GATEWAY_URL", instance_->gateway_url()},
              {"RENKEI_LOGIN", "inagi-demo"},
              {"RENKEI_PASSWORD", kPassword},
              {"RENKEI_MAILDIR", tmp_.Sub("smtp") + "/maildir"}},
             tmp_.Sub("playwright-outreach.log"), "outreach");
  // What the SMTP server received, read here too: the residents' mails and the notice's.
  int confirmations = 0, promotions = 0, notices = 0;
  for (const auto& m : smtp_->Messages()) {
    if (m.find("お申し込みを受け付けました") != std::string::npos) ++confirmations;
    if (m.find("参加が確定しました") != std::string::npos) ++promotions;
    if (m.find("#unsubscribe=") != std::string::npos &&
        m.find("在宅医療・介護連携研修のお知らせ") != std::string::npos) {
      ++notices;
    }
  }
  EXPECT_GE(confirmations, 1);
  EXPECT_EQ(promotions, 1);
  EXPECT_EQ(notices, 1);
  for (const char* shot : {"26-events-mobile.png", "27-events-receipt.png", "28-events-cancel.png",
                           "29-awareness-results.png", "30-board.png"}) {
    EXPECT_TRUE(std::filesystem::exists(console_.screenshots + "/" + shot))
        << "no screenshot " << shot;
  }
}

}  // namespace
}  // namespace renkei::testing
