// Authentication, the authorization matrix, personal fields in answers and the audit log, against
// the five real service binaries of one municipal instance (Inagi, 132250) on a real nats-server.
#include <dirent.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/audit.h"
#include "renkei/common/auth.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/personal.h"
#include "renkei/common/store.h"
#include "renkei/common/tokens.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInagi[] = "132250";     // the instance
constexpr char kChiyoda[] = "131016";   // another municipality of Tokyo
constexpr char kTokyo[] = "130001";     // the instance's prefecture
constexpr char kKanagawa[] = "140007";  // another prefecture
constexpr char kNation[] = "000000";
constexpr char kYokohama[] = "141003";  // a municipality of another prefecture

const v1::Role kRoles[] = {v1::ROLE_COORDINATOR,      v1::ROLE_MUNICIPAL_STAFF,
                           v1::ROLE_PREFECTURE_STAFF, v1::ROLE_NATIONAL_STAFF,
                           v1::ROLE_LEAD_COORDINATOR, v1::ROLE_INTEGRATION_SYSTEM,
                           v1::ROLE_OPERATOR,         v1::ROLE_SERVICE};

// The binaries serving a method: "/renkei.v1.IntakeService/GetConsultation" -> {"intake"}; the
// AdminService is served by every one.
std::vector<std::string> ServicesOf(const std::string& path) {
  static const std::map<std::string, std::vector<std::string>> services = {
      {"DirectoryService", {"directory"}},
      {"ResourceSurveyService", {"directory"}},
      {"ResourceMapService", {"directory"}},
      {"IntakeService", {"intake"}},
      {"IssuesService", {"issues"}},
      {"TrainingService", {"training"}},
      {"IndicatorsService", {"indicators"}},
      {"NetworkService", {"network"}},
      {"SharingService", {"network"}},
      {"AdminService", {"directory", "intake", "issues", "training", "indicators", "network"}}};
  size_t dot = path.find('.', 1);
  size_t v1 = path.find('.', dot + 1);
  size_t slash = path.find('/', 1);
  std::string name = path.substr(v1 + 1, slash - v1 - 1);
  auto it = services.find(name);
  return it == services.end() ? std::vector<std::string>{} : it->second;
}

// Calls any method (unary or streaming) with one empty request message; the final status.
grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& method) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  call->WritesDone(reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer response;
  do {
    call->Read(&response, reinterpret_cast<void*>(4));
    cq.Next(&tag, &ok);
  } while (ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class AuthorizationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = nats->release();
    InstanceSpec spec;
    spec.code = kInagi;
    spec.services = {"directory", "intake", "issues", "training", "indicators", "network"};
    instance_ = new InstanceProcesses(tmp_->Sub("inagi"), nats_->url(), spec);
    for (const char* s : {"directory", "intake", "issues", "training", "indicators", "network"}) {
      auto st = instance_->Start(s);
      ASSERT_TRUE(st.ok()) << st;
    }
  }
  static void TearDownTestSuite() {
    delete instance_;
    delete nats_;
    delete tmp_;
  }

  static v1::InstanceIdentity Identity() {
    v1::InstanceIdentity id;
    id.set_level(v1::INSTANCE_LEVEL_MUNICIPALITY);
    id.set_code(kInagi);
    return id;
  }

  // A consultation with personal data, created by a coordinator of Inagi.
  static v1::Consultation CreateConsultation(const std::string& subject = "coordinator-1") {
    auto stub = v1::IntakeService::NewStub(FastReconnectChannel(
        instance_->address("intake"), instance_->Token(v1::ROLE_COORDINATOR, "", subject)));
    v1::CreateConsultationRequest req;
    req.set_channel(v1::CHANNEL_PHONE);
    req.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
    req.mutable_requester()->set_name("認可 花子");
    req.mutable_person()->set_name("認可 太郎");
    req.mutable_person()->set_address("稲城市百村1-1");
    req.set_narrative("退院後の訪問診療の相談。");
    grpc::ClientContext ctx;
    v1::Consultation c;
    grpc::Status s = stub->CreateConsultation(&ctx, req, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  static grpc::Status GetConsultation(const std::string& token, const std::string& id,
                                      v1::Consultation* out) {
    auto stub =
        v1::IntakeService::NewStub(FastReconnectChannel(instance_->address("intake"), token));
    v1::GetConsultationRequest req;
    req.set_id(id);
    grpc::ClientContext ctx;
    return stub->GetConsultation(&ctx, req, out);
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* instance_;
};

TempDir* AuthorizationTest::tmp_ = nullptr;
NatsServer* AuthorizationTest::nats_ = nullptr;
InstanceProcesses* AuthorizationTest::instance_ = nullptr;

// Every rpc written in the .proto sources is compiled in and declares its access; a new rpc
// without a declaration fails here (and the services refuse to start).
TEST(AccessDeclarations, EveryRpcOfEveryServiceDeclaresItsAccess) {
  const std::string dir = SourceDir() + "/proto/renkei/v1";
  std::set<std::string> in_sources;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".proto") continue;
    std::ifstream in(entry.path());
    std::string line, service;
    static const std::regex kService(R"(^service (\w+) \{)");
    static const std::regex kRpc(R"(^\s+rpc (\w+)\()");
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, kService)) service = m[1];
      if (std::regex_search(line, m, kRpc))
        in_sources.insert("/renkei.v1." + service + "/" + m[1].str());
    }
  }
  ASSERT_GE(in_sources.size(), 75u);
  const auto& table = common::AccessTable::Get();
  std::set<std::string> compiled(table.methods().begin(), table.methods().end());
  EXPECT_EQ(compiled, in_sources);
  EXPECT_THAT(table.undeclared(), ::testing::IsEmpty());
  for (const auto& m : in_sources) {
    const v1::Access* a = table.Find(m);
    ASSERT_NE(a, nullptr) << m << " declares no access";
    EXPECT_GT(a->own_size() + a->covering_size(), 0) << m << " allows nobody";
    // Personal fields go only to roles allowed the call from their own jurisdiction.
    for (int r : a->personal()) {
      bool allowed = false;
      for (int o : a->own()) allowed = allowed || o == r;
      for (int c : a->covering()) allowed = allowed || c == r;
      EXPECT_TRUE(allowed) << m << ": personal role " << r << " is not allowed the call";
    }
  }
}

TEST(AccessDeclarations, ReachOfJurisdictions) {
  v1::InstanceIdentity inagi;
  inagi.set_level(v1::INSTANCE_LEVEL_MUNICIPALITY);
  inagi.set_code(kInagi);
  EXPECT_EQ(common::ReachOf(kInagi, inagi), common::Reach::kOwn);
  EXPECT_EQ(common::ReachOf(kTokyo, inagi), common::Reach::kCovering);
  EXPECT_EQ(common::ReachOf(kNation, inagi), common::Reach::kCovering);
  EXPECT_EQ(common::ReachOf(kChiyoda, inagi), common::Reach::kOther);
  EXPECT_EQ(common::ReachOf(kKanagawa, inagi), common::Reach::kOther);
  EXPECT_EQ(common::ReachOf(kYokohama, inagi), common::Reach::kOther);
  EXPECT_EQ(common::ReachOf("", inagi), common::Reach::kOther);
  v1::InstanceIdentity tokyo;
  tokyo.set_level(v1::INSTANCE_LEVEL_PREFECTURE);
  tokyo.set_code(kTokyo);
  EXPECT_EQ(common::ReachOf(kTokyo, tokyo), common::Reach::kOwn);
  EXPECT_EQ(common::ReachOf(kNation, tokyo), common::Reach::kCovering);
  EXPECT_EQ(common::ReachOf(kInagi, tokyo), common::Reach::kOther);  // a municipality is below
  EXPECT_EQ(common::ReachOf(kKanagawa, tokyo), common::Reach::kOther);
  v1::InstanceIdentity nation;
  nation.set_level(v1::INSTANCE_LEVEL_NATIONAL);
  nation.set_code(kNation);
  EXPECT_EQ(common::ReachOf(kNation, nation), common::Reach::kOwn);
  EXPECT_EQ(common::ReachOf(kTokyo, nation), common::Reach::kOther);
}

// The matrix, by hand, for the calls the issue names: a coordinator reads and writes only their
// municipality's consultations; prefecture staff see de-identified data of their municipalities;
// national staff see aggregates.
TEST(AccessDeclarations, TheMatrixSaysWhatTheIssueAsks) {
  const auto& t = common::AccessTable::Get();
  auto decide = [&](const std::string& m, v1::Role role, common::Reach reach) {
    const v1::Access* a = t.Find(m);
    EXPECT_NE(a, nullptr) << m;
    return a == nullptr ? common::AccessDecision{} : common::Decide(*a, role, reach);
  };
  const std::string get = "/renkei.v1.IntakeService/GetConsultation";
  const std::string create = "/renkei.v1.IntakeService/CreateConsultation";
  const std::string digest = "/renkei.v1.IntakeService/GetDigest";
  using common::Reach;
  EXPECT_TRUE(decide(create, v1::ROLE_COORDINATOR, Reach::kOwn).allowed);
  EXPECT_TRUE(decide(get, v1::ROLE_COORDINATOR, Reach::kOwn).personal);
  EXPECT_FALSE(decide(get, v1::ROLE_COORDINATOR, Reach::kOther).allowed);
  EXPECT_FALSE(decide(create, v1::ROLE_PREFECTURE_STAFF, Reach::kCovering).allowed);
  EXPECT_TRUE(decide(get, v1::ROLE_PREFECTURE_STAFF, Reach::kCovering).allowed);
  EXPECT_FALSE(decide(get, v1::ROLE_PREFECTURE_STAFF, Reach::kCovering).personal);
  EXPECT_FALSE(decide(get, v1::ROLE_NATIONAL_STAFF, Reach::kCovering).allowed);
  EXPECT_TRUE(decide(digest, v1::ROLE_NATIONAL_STAFF, Reach::kCovering).allowed);
  EXPECT_FALSE(decide(digest, v1::ROLE_NATIONAL_STAFF, Reach::kCovering).personal);
  // Another system of the municipality hands consultations over and reads them back, never their
  // personal fields, and nothing of another municipality.
  EXPECT_TRUE(decide(create, v1::ROLE_INTEGRATION_SYSTEM, Reach::kOwn).allowed);
  EXPECT_TRUE(decide(get, v1::ROLE_INTEGRATION_SYSTEM, Reach::kOwn).allowed);
  EXPECT_FALSE(decide(get, v1::ROLE_INTEGRATION_SYSTEM, Reach::kOwn).personal);
  EXPECT_FALSE(decide(create, v1::ROLE_INTEGRATION_SYSTEM, Reach::kOwn).personal);
  EXPECT_FALSE(decide(get, v1::ROLE_INTEGRATION_SYSTEM, Reach::kCovering).allowed);
  EXPECT_FALSE(decide(get, v1::ROLE_OPERATOR, Reach::kOwn).allowed);
  EXPECT_FALSE(decide(get, v1::ROLE_SERVICE, Reach::kOwn).allowed);
  EXPECT_TRUE(
      decide("/renkei.v1.DirectoryService/SearchResources", v1::ROLE_SERVICE, Reach::kOwn).allowed);
}

// Every RPC of every service × every role × own, neighbouring, prefecture, other-prefecture and
// national jurisdiction, with real gRPC calls: refused with PERMISSION_DENIED exactly where the
// declaration says so, and otherwise reaching the service (which then judges the empty request).
TEST_F(AuthorizationTest, EveryRpcAsEveryRoleFromEveryJurisdiction) {
  const std::vector<std::string> jurisdictions = {kInagi, kChiyoda, kTokyo, kKanagawa, kNation};
  const auto& table = common::AccessTable::Get();
  int calls = 0, denied = 0;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (v1::Role role : kRoles) {
    for (const auto& jur : jurisdictions) {
      channels.clear();
      for (const char* s : {"directory", "intake", "issues", "training", "indicators", "network"}) {
        channels[s] = FastReconnectChannel(instance_->address(s), instance_->Token(role, jur));
      }
      for (const auto& method : table.methods()) {
        const std::vector<std::string> services = ServicesOf(method);
        ASSERT_FALSE(services.empty()) << method << " belongs to no service this test knows";
        const v1::Access* access = table.Find(method);
        ASSERT_NE(access, nullptr) << method;
        const bool allowed =
            common::Decide(*access, role, common::ReachOf(jur, Identity())).allowed;
        for (const auto& service : services) {
          grpc::Status s = CallWithEmptyRequest(channels[service], method);
          ++calls;
          if (allowed) {
            EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
                << v1::Role_Name(role) << " of " << jur << " " << method << " on " << service
                << ": " << s.error_message();
            EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
          } else {
            ++denied;
            EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
                << v1::Role_Name(role) << " of " << jur << " " << method << " on " << service
                << ": " << s.error_code() << " " << s.error_message();
          }
        }
      }
    }
  }
  int expected = 0;
  for (const auto& method : table.methods()) {
    expected += static_cast<int>(ServicesOf(method).size()) * 8 * 5;
  }
  EXPECT_EQ(calls, expected);
  EXPECT_GT(denied, calls / 2);
  std::printf(
      "[ matrix ] %d calls (%zu RPCs, the AdminService on each of the 5 binaries, x 8 roles x 5 "
      "jurisdictions), %d refused\n",
      calls, table.methods().size(), denied);
}

TEST_F(AuthorizationTest, ExpiredTamperedWrongKeyWrongInstanceAndMissingTokensAreUnauthenticated) {
  const v1::Consultation c = CreateConsultation();
  ASSERT_FALSE(c.id().empty());
  v1::Consultation out;
  // The good token works.
  ASSERT_TRUE(GetConsultation(instance_->Token(v1::ROLE_COORDINATOR), c.id(), &out).ok());

  auto key = common::LoadSigningKey(instance_->key_dir(), "k1");
  ASSERT_TRUE(key.ok());
  v1::TokenClaims claims;
  claims.set_iss(instance_->instance_id());
  claims.set_aud(instance_->instance_id());
  claims.set_sub("coordinator-1");
  claims.set_role(v1::ROLE_COORDINATOR);
  claims.set_jur(kInagi);
  const uint32_t now = static_cast<uint32_t>(std::time(nullptr));

  v1::TokenClaims expired = claims;
  expired.set_iat(now - 7200);
  expired.set_exp(now - 3600);
  grpc::Status s = GetConsultation(*common::IssueToken(*key, expired), c.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();

  // Tampered: the payload says coordinator of Inagi but was signed saying Chiyoda.
  v1::TokenClaims chiyoda = claims;
  chiyoda.set_iat(now);
  chiyoda.set_exp(now + 600);
  chiyoda.set_jur(kChiyoda);
  std::string signed_chiyoda = *common::IssueToken(*key, chiyoda);
  v1::TokenClaims inagi = chiyoda;
  inagi.set_jur(kInagi);
  std::string signed_inagi = *common::IssueToken(*key, inagi);
  size_t d1 = signed_chiyoda.find('.'), d2 = signed_chiyoda.rfind('.');
  size_t e1 = signed_inagi.find('.'), e2 = signed_inagi.rfind('.');
  std::string tampered =
      signed_chiyoda.substr(0, d1) + signed_inagi.substr(e1, e2 - e1) + signed_chiyoda.substr(d2);
  ASSERT_NE(tampered, signed_inagi);
  s = GetConsultation(tampered, c.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();

  // Wrong key: a key the instance never accepted, with the same key id.
  const std::string other_keys = tmp_->Sub("other-keys");
  std::filesystem::create_directories(other_keys);
  ASSERT_TRUE(common::GenerateKeyPair(other_keys, "k1").ok());
  auto other = common::LoadSigningKey(other_keys, "k1");
  s = GetConsultation(*common::IssueToken(*other, inagi), c.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  // Unknown key id.
  ASSERT_TRUE(common::GenerateKeyPair(other_keys, "k9").ok());
  s = GetConsultation(*common::IssueToken(*common::LoadSigningKey(other_keys, "k9"), inagi), c.id(),
                      &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();

  // For another instance (Chofu's).
  v1::TokenClaims chofu = inagi;
  chofu.set_aud("m132080");
  s = GetConsultation(*common::IssueToken(*key, chofu), c.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();

  // No token at all, and a token that is not a bearer token.
  s = GetConsultation("", c.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();

  // Wrong jurisdiction: validly signed, but a coordinator of Chiyoda.
  s = GetConsultation(signed_chiyoda, c.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  // ... and of another prefecture.
  s = GetConsultation(instance_->Token(v1::ROLE_COORDINATOR, kYokohama), c.id(), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  // The health service answers without a token (probes carry none).
  EXPECT_TRUE(Healthy(instance_->address("intake")));
}

TEST_F(AuthorizationTest, PersonalFieldsReachOnlyTheMunicipalitysOwnStaff) {
  const v1::Consultation c = CreateConsultation();
  ASSERT_EQ(c.person().name(), "認可 太郎");  // the creator sees what they wrote

  v1::Consultation own;
  ASSERT_TRUE(GetConsultation(instance_->Token(v1::ROLE_MUNICIPAL_STAFF), c.id(), &own).ok());
  EXPECT_EQ(own.person().name(), "認可 太郎");
  EXPECT_EQ(own.narrative(), "退院後の訪問診療の相談。");

  // Tokyo's prefecture staff: the consultation, de-identified.
  v1::Consultation pref;
  grpc::Status s =
      GetConsultation(instance_->Token(v1::ROLE_PREFECTURE_STAFF, kTokyo), c.id(), &pref);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(pref.id(), c.id());
  EXPECT_EQ(pref.status(), own.status());
  EXPECT_THAT(common::PersonalStrings(pref), ::testing::IsEmpty());
  EXPECT_THAT(pref.DebugString(), Not(HasSubstr("認可")));
  EXPECT_FALSE(common::PersonalStrings(own).empty());

  // One connection, a different token on each call (as a gateway serving many users does): each
  // call is judged by its own token, never by an earlier call's.
  {
    auto shared = v1::IntakeService::NewStub(FastReconnectChannel(instance_->address("intake")));
    auto get = [&](const std::string& token) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + token);
      v1::GetConsultationRequest req;
      req.set_id(c.id());
      v1::Consultation out;
      grpc::Status s = shared->GetConsultation(&ctx, req, &out);
      EXPECT_TRUE(s.ok()) << s.error_message();
      return out;
    };
    const std::string staff = instance_->Token(v1::ROLE_MUNICIPAL_STAFF);
    const std::string prefecture = instance_->Token(v1::ROLE_PREFECTURE_STAFF, kTokyo);
    for (int round = 0; round < 3; ++round) {
      EXPECT_EQ(get(staff).person().name(), "認可 太郎") << round;
      EXPECT_THAT(common::PersonalStrings(get(prefecture)), ::testing::IsEmpty()) << round;
    }
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + instance_->Token(v1::ROLE_COORDINATOR, kChiyoda));
    v1::GetConsultationRequest req;
    req.set_id(c.id());
    v1::Consultation out;
    EXPECT_EQ(shared->GetConsultation(&ctx, req, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  // Prefecture staff inside their own prefecture's instance would be "own"; here they are not.
  // National staff: aggregates only (the digest), never a consultation.
  s = GetConsultation(instance_->Token(v1::ROLE_NATIONAL_STAFF, kNation), c.id(), &pref);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto intake = [&](v1::Role role, const std::string& jur) {
    return v1::IntakeService::NewStub(
        FastReconnectChannel(instance_->address("intake"), instance_->Token(role, jur)));
  };
  v1::GetDigestRequest dreq;
  const v1::Date today = common::TokyoDate(common::SystemClock::Get()->NowMicros());
  *dreq.mutable_from() = today;
  *dreq.mutable_to() = today;
  v1::Digest national, municipal;
  {
    grpc::ClientContext ctx;
    s = intake(v1::ROLE_NATIONAL_STAFF, kNation)->GetDigest(&ctx, dreq, &national);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    s = intake(v1::ROLE_COORDINATOR, kInagi)->GetDigest(&ctx, dreq, &municipal);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_GE(national.consultations(), 1);
  EXPECT_EQ(national.consultations(), municipal.consultations());
  EXPECT_TRUE(national.markdown().empty());
  EXPECT_FALSE(municipal.markdown().empty());
}

// Acceptance 3: every access of a scripted session is found by `renkeictl audit query`, and
// `renkeictl audit verify` finds an edited, a deleted and a reordered entry.
TEST_F(AuthorizationTest, AuditQueryFindsEveryAccessAndVerifyFindsEveryTampering) {
  const v1::Consultation c = CreateConsultation("coordinator-audit");
  v1::Consultation out;
  ASSERT_TRUE(
      GetConsultation(instance_->Token(v1::ROLE_COORDINATOR, "", "coordinator-audit"), c.id(), &out)
          .ok());
  ASSERT_TRUE(
      GetConsultation(instance_->Token(v1::ROLE_MUNICIPAL_STAFF, "", "staff-7"), c.id(), &out)
          .ok());
  // De-identified: not a read of personal data.
  ASSERT_TRUE(
      GetConsultation(instance_->Token(v1::ROLE_PREFECTURE_STAFF, kTokyo, "pref-3"), c.id(), &out)
          .ok());
  // Refused.
  EXPECT_EQ(
      GetConsultation(instance_->Token(v1::ROLE_COORDINATOR, kChiyoda, "chiyoda-1"), c.id(), &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  const std::string cli = tmp_->Sub("cli");
  std::filesystem::create_directories(cli);
  // The created record's id is sealed into the log within the sealing interval (100 ms).
  CliResult q;
  EXPECT_TRUE(WaitFor(
      [&] {
        q = RunRenkeictl({"-o", "json", "audit", "query", "--config", instance_->config_path(),
                          "--record", c.id()},
                         {}, cli);
        return q.exit_code == 0 && q.out.find("AUDIT_ACTION_CHANGE") != std::string::npos;
      },
      std::chrono::seconds(5)));
  ASSERT_EQ(q.exit_code, 0) << q;
  // Created (change) and seen by its creator, read twice more by the two own-jurisdiction users.
  EXPECT_THAT(q.out, HasSubstr("\"subject\": \"coordinator-audit\""));
  EXPECT_THAT(q.out, HasSubstr("\"subject\": \"staff-7\""));
  EXPECT_THAT(q.out, Not(HasSubstr("pref-3")));
  EXPECT_THAT(q.out, HasSubstr("AUDIT_ACTION_CHANGE"));
  int reads = 0, changes = 0;
  for (size_t p = 0; (p = q.out.find("AUDIT_ACTION_READ", p)) != std::string::npos; ++p) ++reads;
  for (size_t p = 0; (p = q.out.find("AUDIT_ACTION_CHANGE", p)) != std::string::npos; ++p)
    ++changes;
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(reads, 2);
  CliResult denied = RunRenkeictl({"-o", "json", "audit", "query", "--config",
                                   instance_->config_path(), "--subject", "chiyoda-1"},
                                  {}, cli);
  ASSERT_EQ(denied.exit_code, 0) << denied;
  EXPECT_THAT(denied.out, HasSubstr("AUDIT_ACTION_DENIED"));
  EXPECT_THAT(denied.out, HasSubstr("/renkei.v1.IntakeService/GetConsultation"));

  // For people: the roles as the console names them, the method without its package path.
  CliResult table = RunRenkeictl(
      {"audit", "query", "--config", instance_->config_path(), "--record", c.id()}, {}, cli);
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("在宅医療・介護連携コーディネーター"));
  EXPECT_THAT(table.out, HasSubstr("GetConsultation"));
  EXPECT_THAT(table.out, Not(HasSubstr("ROLE_")));

  // Intact while the services run.
  CliResult v = RunRenkeictl({"audit", "verify", "--config", instance_->config_path()}, {}, cli);
  ASSERT_EQ(v.exit_code, 0) << v;
  EXPECT_THAT(v.out, HasSubstr("改ざんなし"));

  // Tampering, each on its own copy of intake's data (taken with the service stopped).
  instance_->Stop("intake");
  const std::string data = instance_->data_dir() + "/data/intake";
  auto tamper = [&](const std::string& name,
                    const std::function<void(common::Store&, common::ColumnFamily)>& edit) {
    const std::string copy = tmp_->Sub("tampered-" + name);
    std::filesystem::copy(data, copy, std::filesystem::copy_options::recursive);
    {
      common::StoreOptions o;
      o.path = copy;
      auto store = common::Store::Open(o);
      EXPECT_TRUE(store.ok()) << store.status();
      if (!store.ok()) return CliResult{};
      edit(**store, (*store)->Cf("audit"));
    }
    return RunRenkeictl({"audit", "verify", "--data-dir", copy}, {}, cli);
  };
  auto get = [](common::Store& s, common::ColumnFamily cf, uint64_t seq) {
    v1::AuditEntry e;
    e.ParseFromString(*s.Get(cf, common::AuditLog::EntryKey(seq)));
    return e;
  };
  CliResult modified = tamper("modified", [&](common::Store& s, common::ColumnFamily cf) {
    v1::AuditEntry e = get(s, cf, 2);
    e.set_subject("someone-else");
    common::Batch b;
    b.Put(cf, common::AuditLog::EntryKey(2), e.SerializeAsString());
    ASSERT_TRUE(s.Write(b).ok());
  });
  EXPECT_NE(modified.exit_code, 0) << modified;
  EXPECT_THAT(modified.out, HasSubstr("entry 2 was modified"));

  CliResult deleted = tamper("deleted", [&](common::Store& s, common::ColumnFamily cf) {
    common::Batch b;
    b.Delete(cf, common::AuditLog::EntryKey(2));
    ASSERT_TRUE(s.Write(b).ok());
  });
  EXPECT_NE(deleted.exit_code, 0) << deleted;
  EXPECT_THAT(deleted.out, HasSubstr("entry 2 is missing (deleted)"));

  CliResult reordered = tamper("reordered", [&](common::Store& s, common::ColumnFamily cf) {
    v1::AuditEntry e2 = get(s, cf, 2), e3 = get(s, cf, 3);
    common::Batch b;
    b.Put(cf, common::AuditLog::EntryKey(2), e3.SerializeAsString());
    b.Put(cf, common::AuditLog::EntryKey(3), e2.SerializeAsString());
    ASSERT_TRUE(s.Write(b).ok());
  });
  EXPECT_NE(reordered.exit_code, 0) << reordered;
  EXPECT_THAT(reordered.out, HasSubstr("out of place (reordered)"));

  ASSERT_TRUE(instance_->Start("intake").ok());
}

}  // namespace
}  // namespace renkei::testing
