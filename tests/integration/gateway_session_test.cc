// The console's log-in as the guideline asks for it (issue 21), against the real gateway binary
// and the instance's real services: log-out ends the token in every service (the revocation list,
// durable across restarts), one's sessions listed and ended, accounts changed on disk taking
// effect without a restart, staff managing the instance's accounts, a second factor (TOTP, RFC
// 6238) required by role — enrolled, accepted once, refused when wrong or replayed, recovery
// codes used once —, the gateway's /metrics read by promtool, its OpenAPI document validated by
// an independent tool and used by a client written from it alone, and HTTPS served by the
// gateway itself and checked with real clients.
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "gateway/accounts.h"
#include "gateway/routes.h"
#include "gateway/totp.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "http_browser.h"
#include "renkei/common/clock.h"
#include "renkei/common/version.h"
#include "renkei/v1/gateway.pb.h"

namespace renkei::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kPassword[] = "inagi-session-password-1";

// A GET route of each of the six services, as the console calls them.
const std::vector<std::pair<std::string, std::string>>& OneRoutePerService() {
  static const std::vector<std::pair<std::string, std::string>> routes = {
      {"intake", "/api/v1/consultations"},
      {"directory", "/api/v1/resources?municipality_code=132250&page_size=1"},
      {"issues", "/api/v1/issues"},
      {"training", "/api/v1/trainings"},
      {"indicators", "/api/v1/indicators"},
      {"network", "/api/v1/coordinator-profiles"},
  };
  return routes;
}

template <typename M>
M Parse(const httplib::Result& r) {
  M m;
  EXPECT_TRUE(r) << "no answer";
  if (r) {
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &m).ok()) << r->body;
  }
  return m;
}

int64_t Now() { return common::SystemClock::Get()->NowMicros() / 1000000; }

// The current TOTP code of a base32 secret, computed here (gateway::Hotp is checked against RFC
// 6238's vectors in gateway_unit_test.cc).
std::string CodeAt(const std::string& secret, int64_t unix_seconds) {
  auto key = gateway::Base32Decode(secret);
  EXPECT_TRUE(key.ok());
  return gateway::Hotp(key.ok() ? *key : "", static_cast<uint64_t>(unix_seconds / 30));
}

class GatewaySessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = nats->release();
    InstanceSpec spec;
    spec.in_process = true;
    spec.services = {"directory", "intake", "issues", "training", "indicators", "network"};
    // Municipal staff must have a second factor; coordinators may.
    spec.gateway_json = R"("two_factor_roles": ["ROLE_MUNICIPAL_STAFF"])";
    instance_ = new InstanceProcesses(tmp_->Sub("inagi"), nats_->url(), spec);
    for (const auto& [login, role] : std::vector<std::pair<std::string, v1::Role>>{
             {"inagi-coord", v1::ROLE_COORDINATOR},
             {"inagi-coord2", v1::ROLE_COORDINATOR},
             {"inagi-staff", v1::ROLE_MUNICIPAL_STAFF},
             {"inagi-staff2", v1::ROLE_MUNICIPAL_STAFF}}) {
      v1::GatewayAccount a;
      a.set_login(login);
      a.set_role(role);
      a.set_jurisdiction("132250");
      a.set_display_name(login);
      ASSERT_TRUE(gateway::SaveAccount(instance_->accounts_file(), a, kPassword).ok());
    }
    for (const char* s :
         {"directory", "intake", "issues", "training", "indicators", "network", "gateway"}) {
      auto started = instance_->Start(s);
      ASSERT_TRUE(started.ok()) << started;
    }
  }
  static void TearDownTestSuite() {
    delete instance_;
    delete nats_;
    delete tmp_;
  }
  static int port() {
    const std::string a = instance_->address("gateway");
    return std::stoi(a.substr(a.rfind(':') + 1));
  }

  // Logs a staff member in through the second factor: enrolls one the first time (the secret
  // kept in `secrets_`), then answers with the current code. Waits for the next time step when
  // the current one was used already (a code is accepted once).
  static void LogInStaff(Browser& b, const std::string& login) {
    auto r = b.LogIn(login, kPassword);
    ASSERT_EQ(r->status, 200) << r->body;
    auto step = Parse<v1::ConsoleSession>(r);
    if (step.next_step() == "totp_enrollment") {
      auto enrollment =
          Parse<v1::TotpEnrollment>(b.Send("POST", "/api/v1/login/totp-enrollment", ""));
      secrets_[login] = enrollment.secret();
      r = b.Send("POST", "/api/v1/login/totp-confirmation",
                 R"({"code":")" + CodeAt(enrollment.secret(), Now()) + R"("})");
      ASSERT_EQ(r->status, 200) << r->body;
      last_step_[login] = Now() / 30;
      return;
    }
    ASSERT_EQ(step.next_step(), "totp") << r->body;
    while (Now() / 30 <= last_step_[login])
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    r = b.Send("POST", "/api/v1/login/second-factor",
               R"({"code":")" + CodeAt(secrets_[login], Now()) + R"("})");
    ASSERT_EQ(r->status, 200) << r->body;
    last_step_[login] = Now() / 30;
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* instance_;
  static std::map<std::string, std::string> secrets_;
  static std::map<std::string, int64_t> last_step_;
};

TempDir* GatewaySessionTest::tmp_ = nullptr;
NatsServer* GatewaySessionTest::nats_ = nullptr;
InstanceProcesses* GatewaySessionTest::instance_ = nullptr;
std::map<std::string, std::string> GatewaySessionTest::secrets_;
std::map<std::string, int64_t> GatewaySessionTest::last_step_;

TEST_F(GatewaySessionTest, LogOutEndsTheTokenInEveryServiceAndTheEndSurvivesRestarts) {
  Browser b(port());
  ASSERT_EQ(b.LogIn("inagi-coord", kPassword)->status, 200);
  const std::string token = b.cookies()["renkei_session"];
  Browser other(port());  // the same person on a second computer
  ASSERT_EQ(other.LogIn("inagi-coord", kPassword)->status, 200);
  const httplib::Headers bearer = {{"Authorization", "Bearer " + token}};
  for (const auto& [service, path] : OneRoutePerService()) {
    auto r = b.raw().Get(path, bearer);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << service << ": " << r->body;
  }

  std::string jti;
  const auto mine = Parse<v1::ConsoleSessionList>(b.Get("/api/v1/sessions"));
  for (const auto& s : mine.sessions()) {
    if (s.current()) jti = s.id();
  }
  ASSERT_EQ(jti.size(), 32u);
  ASSERT_EQ(b.Send("POST", "/api/v1/logout", "{}")->status, 200);
  EXPECT_FALSE(b.cookies().count("renkei_session"));
  const std::string list = ReadFile(tmp_->Sub("inagi") + "/data/revoked-tokens");
  EXPECT_THAT(list, HasSubstr(jti + " ")) << "the token's id is on the instance's revocation list";
  // Every service refuses the token now — its own check, not the gateway's.
  for (const auto& [service, path] : OneRoutePerService()) {
    auto r = b.raw().Get(path, bearer);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << service << ": " << r->body;
    EXPECT_THAT(ErrorOf(r).message(), HasSubstr("ログアウト済み")) << service;
  }
  EXPECT_EQ(b.raw().Get("/api/v1/session", bearer)->status, 401);
  // The other computer's session is another token: still valid.
  EXPECT_EQ(other.Get("/api/v1/consultations")->status, 200);

  // Durable: after the gateway and a service restart the token is still refused.
  instance_->Stop("gateway");
  instance_->Stop("intake");
  ASSERT_TRUE(instance_->Start("intake").ok());
  ASSERT_TRUE(instance_->Start("gateway").ok());
  Browser after(port());
  EXPECT_EQ(after.raw().Get("/api/v1/consultations", bearer)->status, 401);
  EXPECT_EQ(after.raw().Get("/api/v1/session", bearer)->status, 401);
}

TEST_F(GatewaySessionTest, OnesSessionsAreListedAndOneEndedFromAnother) {
  Browser office(port());
  Browser home(port());
  ASSERT_EQ(office.LogIn("inagi-coord2", kPassword)->status, 200);
  ASSERT_EQ(home.LogIn("inagi-coord2", kPassword)->status, 200);
  auto list = Parse<v1::ConsoleSessionList>(office.Get("/api/v1/sessions"));
  ASSERT_THAT(list.sessions(), SizeIs(2));
  std::string other_id;
  int current = 0;
  for (const auto& s : list.sessions()) {
    EXPECT_EQ(s.address(), "127.0.0.1");
    EXPECT_GT(s.expires_at(), s.issued_at());
    if (s.current()) {
      ++current;
    } else {
      other_id = s.id();
    }
  }
  EXPECT_EQ(current, 1);
  // Nobody else's sessions are visible or endable.
  Browser stranger(port());
  ASSERT_EQ(stranger.LogIn("inagi-coord", kPassword)->status, 200);
  EXPECT_EQ(stranger.Send("DELETE", "/api/v1/sessions/" + other_id, "")->status, 404);
  EXPECT_EQ(home.Get("/api/v1/consultations")->status, 200);

  ASSERT_EQ(office.Send("DELETE", "/api/v1/sessions/" + other_id, "")->status, 200);
  EXPECT_EQ(home.Get("/api/v1/consultations")->status, 401) << "ended in the intake service";
  EXPECT_EQ(home.Get("/api/v1/session")->status, 401);
  EXPECT_THAT(Parse<v1::ConsoleSessionList>(office.Get("/api/v1/sessions")).sessions(), SizeIs(1));
}

TEST_F(GatewaySessionTest, AccountsChangedOnDiskTakeEffectWithoutARestart) {
  v1::GatewayAccount a;
  a.set_login("inagi-late");
  a.set_role(v1::ROLE_COORDINATOR);
  a.set_jurisdiction("132250");
  a.set_display_name("後から追加");
  ASSERT_TRUE(gateway::SaveAccount(instance_->accounts_file(), a, kPassword).ok());
  Browser b(port());
  // The gateway re-reads a changed file at most a second later.
  int status = 0;
  for (int i = 0; i < 30 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    status = b.LogIn("inagi-late", kPassword)->status;
  }
  ASSERT_EQ(status, 200);
  EXPECT_EQ(Parse<v1::ConsoleSession>(b.Get("/api/v1/session")).display_name(), "後から追加");
  // Disabled in the file (as an operator would with an editor): refused from then on.
  ASSERT_TRUE(gateway::UpdateAccountsFile(instance_->accounts_file(), [](v1::GatewayAccounts* f) {
                for (auto& x : *f->mutable_accounts()) {
                  if (x.login() == "inagi-late") x.set_disabled(true);
                }
                return absl::OkStatus();
              }).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  Browser again(port());
  auto r = again.LogIn("inagi-late", kPassword);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_THAT(ErrorOf(r).message(), HasSubstr("停止"));
  // The session opened before is over too — in the services, not only at the gateway.
  r = b.Get("/api/v1/consultations");
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_THAT(ErrorOf(r).message(), HasSubstr("ログアウト済み"));
}

TEST_F(GatewaySessionTest, ASecondFactorIsRequiredByRoleAcceptedOnceAndRecoveryCodesWorkOnce) {
  Browser b(port());
  auto r = b.LogIn("inagi-staff2", kPassword);
  ASSERT_EQ(r->status, 200);
  auto step = Parse<v1::ConsoleSession>(r);
  EXPECT_EQ(step.next_step(), "totp_enrollment");
  EXPECT_TRUE(step.permissions().empty()) << "no session yet";
  EXPECT_FALSE(b.cookies().count("renkei_session"));
  EXPECT_EQ(b.Get("/api/v1/consultations")->status, 401);
  // Skipping the step does not help.
  EXPECT_EQ(b.Send("POST", "/api/v1/login/second-factor", R"({"code":"123456"})")->status, 401);

  auto enrollment = Parse<v1::TotpEnrollment>(b.Send("POST", "/api/v1/login/totp-enrollment", ""));
  EXPECT_THAT(enrollment.otpauth_uri(), ::testing::StartsWith("otpauth://totp/"));
  EXPECT_THAT(enrollment.otpauth_uri(), HasSubstr("secret=" + enrollment.secret()));
  EXPECT_THAT(enrollment.otpauth_uri(), HasSubstr("inagi-staff2"));
  EXPECT_THAT(enrollment.qr_svg(), HasSubstr("<svg"));
  EXPECT_EQ(gateway::Base32Decode(enrollment.secret())->size(), 20u);
  // A wrong code does not enroll; the right one does, with ten recovery codes shown once.
  r = b.Send("POST", "/api/v1/login/totp-confirmation", R"({"code":"000000"})");
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(FieldsOf(ErrorOf(r)), Contains("code"));
  const std::string first_code = CodeAt(enrollment.secret(), Now());
  r = b.Send("POST", "/api/v1/login/totp-confirmation", R"({"code":")" + first_code + R"("})");
  ASSERT_EQ(r->status, 200) << r->body;
  auto enrolled = Parse<v1::TotpEnrolled>(r);
  ASSERT_THAT(enrolled.recovery_codes(), SizeIs(10));
  EXPECT_EQ(enrolled.session().login(), "inagi-staff2");
  EXPECT_TRUE(enrolled.session().two_factor());
  EXPECT_THAT(enrolled.session().permissions(), Contains("IntakeService.CreateConsultation"));
  EXPECT_EQ(b.Get("/api/v1/consultations")->status, 200);
  const std::string file = ReadFile(instance_->accounts_file());
  EXPECT_THAT(file, Not(HasSubstr(enrolled.recovery_codes(0)))) << "only hashes are kept";

  // The next log-in asks for a code: the enrollment's code again is a replay, refused.
  Browser second(port());
  step = Parse<v1::ConsoleSession>(second.LogIn("inagi-staff2", kPassword));
  ASSERT_EQ(step.next_step(), "totp");
  r = second.Send("POST", "/api/v1/login/second-factor", R"({"code":")" + first_code + R"("})");
  EXPECT_EQ(r->status, 401) << "a code is accepted once";
  EXPECT_THAT(FieldsOf(ErrorOf(r)), Contains("code"));
  r = second.Send("POST", "/api/v1/login/second-factor", R"({"code":"99999a"})");
  EXPECT_EQ(r->status, 401);
  // A recovery code works once.
  const std::string& recovery = enrolled.recovery_codes(3);
  r = second.Send("POST", "/api/v1/login/second-factor",
                  R"({"recoveryCode":")" + recovery + R"("})");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(second.Get("/api/v1/consultations")->status, 200);
  Browser third(port());
  ASSERT_EQ(Parse<v1::ConsoleSession>(third.LogIn("inagi-staff2", kPassword)).next_step(), "totp");
  r = third.Send("POST", "/api/v1/login/second-factor",
                 R"({"recoveryCode":")" + recovery + R"("})");
  EXPECT_EQ(r->status, 401) << "a recovery code is used once";
}

TEST_F(GatewaySessionTest, StaffCreateDisableAndResetTheInstancesAccounts) {
  Browser staff(port());
  LogInStaff(staff, "inagi-staff");
  auto session = Parse<v1::ConsoleSession>(staff.Get("/api/v1/session"));
  EXPECT_THAT(session.permissions(), Contains("Gateway.ManageAccounts"));
  // A coordinator manages no accounts and is not told it may.
  Browser coordinator(port());
  ASSERT_EQ(coordinator.LogIn("inagi-coord", kPassword)->status, 200);
  EXPECT_THAT(Parse<v1::ConsoleSession>(coordinator.Get("/api/v1/session")).permissions(),
              Not(Contains("Gateway.ManageAccounts")));
  auto r = coordinator.Get("/api/v1/accounts");
  EXPECT_EQ(r->status, 403);
  EXPECT_THAT(ErrorOf(r).message(), HasSubstr("職員が行います"));

  // Bad input is named field by field; nothing is written.
  r = staff.Send("POST", "/api/v1/accounts", R"({"login":"X","role":"ROLE_OPERATOR"})");
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(FieldsOf(ErrorOf(r)),
              ::testing::UnorderedElementsAre("login", "role", "display_name"));

  r = staff.Send(
      "POST", "/api/v1/accounts",
      R"({"login":"inagi-new","role":"ROLE_COORDINATOR","displayName":"新任 コーディネーター"})");
  ASSERT_EQ(r->status, 201) << r->body;
  auto created = Parse<v1::AccountCreated>(r);
  EXPECT_TRUE(created.account().must_change_password());
  EXPECT_GE(created.temporary_password().size(), 12u);
  EXPECT_EQ(staff
                .Send("POST", "/api/v1/accounts",
                      R"({"login":"inagi-new","role":"ROLE_COORDINATOR","displayName":"x"})")
                ->status,
            400)
      << "a login is taken once";
  auto list = Parse<v1::AccountList>(staff.Get("/api/v1/accounts"));
  std::vector<std::string> logins;
  for (const auto& a : list.accounts()) logins.push_back(a.login());
  EXPECT_THAT(logins, Contains("inagi-new"));

  // The new coordinator replaces the temporary password at the first log-in.
  Browser newcomer(port());
  auto step = Parse<v1::ConsoleSession>(newcomer.LogIn("inagi-new", created.temporary_password()));
  ASSERT_EQ(step.next_step(), "new_password");
  EXPECT_EQ(newcomer.Get("/api/v1/consultations")->status, 401);
  r = newcomer.Send("POST", "/api/v1/login/new-password", R"({"newPassword":"short"})");
  EXPECT_THAT(FieldsOf(ErrorOf(r)), Contains("new_password"));
  r = newcomer.Send("POST", "/api/v1/login/new-password",
                    R"({"newPassword":"newcomer-password-2026"})");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(newcomer.Get("/api/v1/consultations")->status, 200);

  // Disabled: the session ends at once in the services, and log-in is refused.
  r = staff.Send("POST", "/api/v1/accounts/inagi-new/disable", R"({"disabled":true})");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(Parse<v1::AccountSummary>(r).disabled());
  EXPECT_EQ(newcomer.Get("/api/v1/consultations")->status, 401);
  EXPECT_EQ(Browser(port()).LogIn("inagi-new", "newcomer-password-2026")->status, 403);
  EXPECT_EQ(
      staff.Send("POST", "/api/v1/accounts/inagi-staff/disable", R"({"disabled":true})")->status,
      400)
      << "no one disables themselves";
  ASSERT_EQ(
      staff.Send("POST", "/api/v1/accounts/inagi-new/disable", R"({"disabled":false})")->status,
      200);
  // A reset password is temporary again.
  auto reset = Parse<v1::AccountCreated>(
      staff.Send("POST", "/api/v1/accounts/inagi-new/password-reset", ""));
  EXPECT_EQ(Browser(port()).LogIn("inagi-new", "newcomer-password-2026")->status, 401);
  EXPECT_EQ(
      Parse<v1::ConsoleSession>(Browser(port()).LogIn("inagi-new", reset.temporary_password()))
          .next_step(),
      "new_password");
  EXPECT_EQ(staff.Send("POST", "/api/v1/accounts/nobody/password-reset", "")->status, 404);
  // Not one's own (that is 自分のアカウント's), nor an account of a role staff do not give.
  EXPECT_EQ(staff.Send("POST", "/api/v1/accounts/inagi-staff/password-reset", "")->status, 400);
  EXPECT_EQ(staff.Send("POST", "/api/v1/accounts/inagi-staff/two-factor-reset", "")->status, 400);
  v1::GatewayAccount operator_account;
  operator_account.set_login("inagi-operator");
  operator_account.set_role(v1::ROLE_OPERATOR);
  operator_account.set_jurisdiction("132250");
  ASSERT_TRUE(gateway::SaveAccount(instance_->accounts_file(), operator_account, kPassword).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(
      staff.Send("POST", "/api/v1/accounts/inagi-operator/disable", R"({"disabled":true})")->status,
      404);
}

TEST_F(GatewaySessionTest, MetricsAreReadByPromtoolAndNameRoutesNotPaths) {
  Browser b(port());
  ASSERT_EQ(b.LogIn("inagi-coord", kPassword)->status, 200);
  ASSERT_EQ(b.Get("/api/v1/consultations/con_00000000000000000000000000")->status, 404);
  auto r = b.raw().Get("/metrics");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/plain"));
  const std::string file = tmp_->Sub("metrics.txt");
  std::ofstream(file) << r->body;
  auto [rc, out] = RunShell("promtool check metrics < " + file);
  EXPECT_EQ(rc, 0) << out;
  std::cout << "promtool check metrics: exit " << rc << " " << out << "\n";
  EXPECT_THAT(r->body, HasSubstr(R"(route="/api/v1/consultations/{id}",status="404")"));
  EXPECT_THAT(r->body,
              HasSubstr(R"(renkei_gateway_logins_total{service="gateway",result="success"})"));
  EXPECT_THAT(r->body, Not(HasSubstr("con_0000"))) << "labels hold patterns, never ids";
  // promtool can fail: a malformed exposition is refused.
  std::ofstream(file) << "renkei_gateway_requests_total{route=\"x\" 1\n";
  EXPECT_NE(RunShell("promtool check metrics < " + file).first, 0);
}

TEST_F(GatewaySessionTest, TheOpenApiDocumentValidatesAndAClientWrittenFromItWorks) {
  Browser b(port());
  auto r = b.raw().Get("/api/v1/openapi.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string doc = tmp_->Sub("openapi.json");
  std::ofstream(doc) << r->body;
  const std::string console = SourceDir() + "/console";
  auto [rc, out] = RunShell("cd " + console + " && node tests/openapi-validate.mjs " + doc);
  std::cout << out;
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("valid: "));
  // Every route of the table is described.
  for (const auto& route : gateway::Routes()) {
    EXPECT_THAT(r->body, HasSubstr(std::string("\"") + route.path + "\"")) << route.path;
  }
  // The validator can fail: a reference to a schema that is not there.
  std::string broken = r->body;
  broken.replace(broken.find("renkei.v1.ConsoleSession\""), 24, "renkei.v1.NoSuchMessage0");
  std::ofstream(tmp_->Sub("broken.json")) << broken;
  EXPECT_NE(
      RunShell("cd " + console + " && node tests/openapi-validate.mjs " + tmp_->Sub("broken.json"))
          .first,
      0);

  const std::string token_file = tmp_->Sub("system-token");
  std::ofstream(token_file) << instance_->Token(v1::ROLE_INTEGRATION_SYSTEM, "132250");
  auto [crc, cout] = RunShell("cd " + console + " && node tests/openapi-client.mjs " +
                              instance_->gateway_url() + " " + token_file);
  std::cout << cout;
  ASSERT_EQ(crc, 0) << cout;
  EXPECT_THAT(cout, HasSubstr("the same request id again answered the same consultation"));
  EXPECT_THAT(cout, HasSubstr("person's name withheld (personal: true)"));
  const std::string id = FindFirst(cout, "created (con_[0-9A-Z]+)");
  ASSERT_FALSE(id.empty()) << cout;

  // The coordinator refers it to a clinic, which accepts; the system reads the outcome.
  Browser coordinator(port());
  ASSERT_EQ(coordinator.LogIn("inagi-coord2", kPassword)->status, 200);
  auto r2 = coordinator.Send("POST", "/api/v1/resources", R"json({"resource": {
      "kind": "RESOURCE_KIND_CLINIC", "name": "稲城 在宅クリニック (テスト)", "address": "稲城市東長沼2111",
      "municipalityCode": "132250", "location": {"latitude": 35.638, "longitude": 139.504},
      "capabilities": ["home_visit_medical"]}})json");
  ASSERT_EQ(r2->status, 200) << r2->body;
  const std::string resource = FindFirst(r2->body, R"re("id":"(res_[0-9A-Z]+)")re");
  r2 = coordinator.Send("POST", "/api/v1/consultations/" + id + "/match",
                        R"({"expectedVersion": "1"})");
  ASSERT_EQ(r2->status, 200) << r2->body;
  const std::string need = FindFirst(r2->body, R"re("id":"(need_[0-9A-Z]+)")re");
  r2 = coordinator.Send("POST", "/api/v1/consultations/" + id + "/referrals",
                        R"({"expectedVersion": "2", "needId": ")" + need + R"(", "resourceId": ")" +
                            resource +
                            R"(", "responseDue": {"year": 2099, "month": 1, "day": 31}})");
  ASSERT_EQ(r2->status, 200) << r2->body;
  const std::string referral = FindFirst(r2->body, R"re("id":"(ref_[0-9A-Z]+)")re");
  r2 = coordinator.Send("POST",
                        "/api/v1/consultations/" + id + "/referrals/" + referral + "/outcome",
                        R"({"expectedVersion": "3", "outcome": "REFERRAL_OUTCOME_ACCEPTED"})");
  ASSERT_EQ(r2->status, 200) << r2->body;
  auto [orc, oout] = RunShell("cd " + console + " && node tests/openapi-client.mjs " +
                              instance_->gateway_url() + " " + token_file + " " + id);
  std::cout << oout;
  ASSERT_EQ(orc, 0) << oout;
  EXPECT_THAT(oout, HasSubstr("referral outcomes of " + id +
                              ": 稲城 在宅クリニック (テスト): REFERRAL_OUTCOME_ACCEPTED"));
}

// HTTPS by the gateway itself, with the instance's certificates (tools/dev-ca.sh here).
TEST(GatewayTlsTest, TheGatewayServesHttpsCheckedByRealClients) {
  TempDir tmp;
  const std::string ca = tmp.Sub("ca");
  auto [rc, out] = RunShell("bash " + SourceDir() + "/tools/dev-ca.sh " + ca + " gateway");
  ASSERT_EQ(rc, 0) << out;
  auto nats = NatsServer::Start(tmp.Sub("nats"));
  ASSERT_TRUE(nats.ok()) << nats.status();
  InstanceSpec spec;
  spec.in_process = true;
  spec.services = {"intake"};
  spec.gateway_json = R"("tls": {"cert_file": ")" + ca + R"(/gateway.crt", "key_file": ")" + ca +
                      R"(/gateway.key"})";
  InstanceProcesses instance(tmp.Sub("inagi"), (*nats)->url(), spec);
  v1::GatewayAccount a;
  a.set_login("inagi-coord");
  a.set_role(v1::ROLE_COORDINATOR);
  a.set_jurisdiction("132250");
  ASSERT_TRUE(gateway::SaveAccount(instance.accounts_file(), a, kPassword).ok());
  ASSERT_TRUE(instance.Start("intake").ok());
  ASSERT_TRUE(instance.Start("gateway").ok());
  const std::string address = instance.address("gateway");
  const int port = std::stoi(address.substr(address.rfind(':') + 1));

  // cpp-httplib verifying the certificate against the CA; the session cookie is Secure.
  Browser b("localhost", port, ca + "/ca.crt");
  auto r = b.LogIn("inagi-coord", kPassword);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
  bool secure = false;
  for (size_t i = 0; i < r->get_header_value_count("Set-Cookie"); ++i) {
    const std::string c = r->get_header_value("Set-Cookie", i);
    if (c.rfind("renkei_session=", 0) == 0) secure = c.find("; Secure") != std::string::npos;
  }
  EXPECT_TRUE(secure);
  EXPECT_EQ(b.Get("/api/v1/consultations")->status, 200);
  // curl (OpenSSL) verifies the chain and the name; openssl s_client says what was negotiated.
  auto [curl_rc, curl_out] =
      RunShell("curl -sS --cacert " + ca +
               "/ca.crt -o /dev/null -w '%{http_code} %{ssl_verify_result}' https://localhost:" +
               std::to_string(port) + "/api/v1/openapi.json");
  EXPECT_EQ(curl_rc, 0) << curl_out;
  EXPECT_EQ(curl_out, "200 0");
  auto [s_rc, s_out] = RunShell("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                                " -servername localhost -CAfile " + ca + "/ca.crt </dev/null");
  std::cout << "openssl s_client: " << FindFirst(s_out, "(Protocol *: *[^\n]*|New, [^\n]*)") << "; "
            << FindFirst(s_out, "(Verify return code: [^\n]*)") << "\n";
  EXPECT_THAT(s_out, HasSubstr("Verify return code: 0 (ok)"));
  // Plain HTTP on the HTTPS port gets no answer; a client without the CA refuses the certificate.
  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(5, 0);
  auto p = plain.Get("/api/v1/openapi.json");
  EXPECT_TRUE(!p || p->status == 400) << "plaintext served";
  EXPECT_NE(RunShell("curl -sS -o /dev/null https://localhost:" + std::to_string(port) + "/").first,
            0);
  // /metrics (loopback) reports when the certificate expires: openssl's notAfter, to the second.
  auto [date_rc, not_after] = RunShell("date -u +%s -d \"$(openssl x509 -noout -enddate -in " + ca +
                                       "/gateway.crt | cut -d= -f2)\"");
  ASSERT_EQ(date_rc, 0) << not_after;
  auto [m_rc, metrics] = RunShell("curl -sS --cacert " + ca +
                                  "/ca.crt https://localhost:" + std::to_string(port) + "/metrics");
  ASSERT_EQ(m_rc, 0) << metrics;
  const std::string expiry = FindFirst(
      metrics,
      "renkei_certificate_expiry_timestamp_seconds\\{[^}]*gateway.crt[^}]*\\} ([0-9.e+]+)");
  ASSERT_FALSE(expiry.empty()) << metrics;
  EXPECT_EQ(static_cast<int64_t>(std::stod(expiry)), std::stoll(not_after));
  EXPECT_THAT(metrics, HasSubstr("renkei_build_info{service=\"gateway\",version=\"" +
                                 std::string(common::RenkeiVersion()) + "\"} 1"));
}

}  // namespace
}  // namespace renkei::testing
