// The coordinator network on a local federation (the nation, Tokyo, Saitama, Inagi, Chofu,
// Kumagaya; real nats-servers with leaf links through proxies, renkei-network and renkei-intake
// as processes): a peer request between two Tokyo municipalities and back, the same with Inagi's
// link cut while asking (delivered once when it returns), a request to the national network
// taken by one lead coordinator, and a scan of the prefecture's and the nation's disks for the
// personal strings of the asking consultation (issue 18, acceptance 1, 2 and 4).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "federation_harness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/clock.h"
#include "renkei/common/federation.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "renkei/v1/network.grpc.pb.h"

namespace renkei::testing {
namespace {

using NetworkStub = v1::NetworkService::Stub;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPersonName[] = "網羅試験 太郎";
constexpr char kNarrative[] = "網羅試験の相談内容、自宅で転倒を繰り返している";
constexpr char kRequesterName[] = "網羅試験 ケアマネ";

// Whether any file under `dir` contains `needle` (raw bytes).
bool AnyFileContains(const std::string& dir, const std::string& needle) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (ReadFile(e.path().string()).find(needle) != std::string::npos) return true;
  }
  return false;
}

class NetworkFederationTest : public ::testing::Test {
 protected:
  // The six instances, with `municipal` in each municipality and the network everywhere.
  void Start(const std::vector<std::string>& municipal) {
    auto fed = LocalFederation::Start(
        tmp_.path(), LocalFederation::Standard(municipal, {"network"}, {"network"}));
    ASSERT_TRUE(fed.ok()) << fed.status();
    fed_ = std::move(*fed);
  }

  std::unique_ptr<NetworkStub> Network(const std::string& id) {
    return v1::NetworkService::NewStub(fed_->channel(id, "network"));
  }

  v1::CoordinatorProfile Profile(const std::string& id, const std::string& name,
                                 v1::NetworkRole role, const std::vector<std::string>& expertise,
                                 v1::ShareLevel share) {
    v1::PutProfileRequest r;
    auto* p = r.mutable_profile();
    p->set_name(name);
    p->set_role(role);
    for (const auto& e : expertise) p->add_expertise(e);
    p->set_takes_peer_consultations(true);
    p->mutable_sharing()->set_level(share);
    p->mutable_sharing()->set_name(true);
    p->mutable_sharing()->set_expertise(true);
    v1::CoordinatorProfile out;
    auto stub = Network(id);
    grpc::Status s = Call(*stub, &NetworkStub::PutProfile, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<v1::PeerRequest> Box(const std::string& id, const std::string& profile,
                                   v1::PeerBox box) {
    v1::ListPeerRequestsRequest r;
    r.set_box(box);
    r.set_profile_id(profile);
    v1::ListPeerRequestsResponse out;
    auto stub = Network(id);
    if (!Call(*stub, &NetworkStub::ListPeerRequests, r, &out).ok()) return {};
    return {out.requests().begin(), out.requests().end()};
  }

  v1::PeerRequest Get(const std::string& id, const std::string& request) {
    v1::GetPeerRequestRequest r;
    r.set_id(request);
    v1::PeerRequest out;
    auto stub = Network(id);
    Call(*stub, &NetworkStub::GetPeerRequest, r, &out);
    return out;
  }

  v1::PeerRequest Step(const std::string& id, const std::string& request,
                       const std::string& profile, v1::PeerStepKind kind,
                       const std::string& text = "") {
    v1::RespondToPeerRequestRequest r;
    r.set_id(request);
    r.set_profile_id(profile);
    r.set_kind(kind);
    r.set_text(text);
    v1::PeerRequest out;
    auto stub = Network(id);
    grpc::Status s = Call(*stub, &NetworkStub::RespondToPeerRequest, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Waits (up to `limit`) until `id` holds `request` in `status`; how long it took, or -1.
  double WaitStatus(const std::string& id, const std::string& request, v1::PeerRequestStatus status,
                    std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    const auto start = std::chrono::steady_clock::now();
    const bool reached = WaitFor([&] { return Get(id, request).status() == status; }, limit);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return reached ? took.count() : -1;
  }

  // A consultation at Chofu with personal data, which a request refers to.
  std::string ChofuConsultation() {
    auto stub = v1::IntakeService::NewStub(fed_->channel("m132080", "intake"));
    v1::CreateConsultationRequest c;
    c.set_channel(v1::CHANNEL_PHONE);
    c.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
    c.mutable_requester()->set_name(kRequesterName);
    c.mutable_person()->set_name(kPersonName);
    c.set_narrative(kNarrative);
    v1::Consultation out;
    grpc::ClientContext ctx;
    grpc::Status s = stub->CreateConsultation(&ctx, c, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  TempDir tmp_;
  std::unique_ptr<LocalFederation> fed_;
};

TEST_F(NetworkFederationTest, ChofuAsksInagiByNameAndTheStepsComeBackAlsoAcrossACutLink) {
  ASSERT_NO_FATAL_FAILURE(Start({"intake", "network"}));
  auto inagi = Profile("m132250", "稲城 花子", v1::NETWORK_ROLE_COORDINATOR, {"parkinsons"},
                       v1::SHARE_LEVEL_PREFECTURE);
  auto chofu =
      Profile("m132080", "調布 太郎", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  // Inagi's profile reaches Chofu through Tokyo.
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::ListProfilesResponse out;
        auto stub = Network("m132080");
        Call(*stub, &NetworkStub::ListProfiles, v1::ListProfilesRequest(), &out);
        return std::any_of(out.profiles().begin(), out.profiles().end(),
                           [&](const v1::CoordinatorProfile& p) { return p.id() == inagi.id(); });
      },
      std::chrono::seconds(15)));

  const std::string consultation = ChofuConsultation();
  // The consultation's need is advice on Parkinson's (added and matched with the real renkeictl):
  // matching proposes Inagi's coordinator — the only one with that expertise who takes peer
  // consultations — and reports no resource gap.
  {
    auto& chofu_node = fed_->node("m132080");
    const std::map<std::string, std::string> env = {
        {"RENKEI_INTAKE", chofu_node.processes->address("intake")},
        {"RENKEI_TOKEN", chofu_node.processes->DefaultToken()}};
    const CliResult need = RunRenkeictl({"consultation", "need", consultation, "--expected-version",
                                         "1", "--capability", "parkinsons", "--advice"},
                                        env, tmp_.Sub("cli"));
    ASSERT_EQ(need.exit_code, 0) << need;
    const CliResult match = RunRenkeictl(
        {"consultation", "match", consultation, "--expected-version", "2"}, env, tmp_.Sub("cli"));
    ASSERT_EQ(match.exit_code, 0) << match;
    EXPECT_THAT(match.out, HasSubstr("助言: パーキンソン病"));
    EXPECT_THAT(match.out, HasSubstr("稲城 花子"));
    EXPECT_THAT(match.out, HasSubstr(inagi.id()));
    EXPECT_THAT(match.out, Not(HasSubstr("資源の空白")));
    auto intake = v1::IntakeService::NewStub(fed_->channel("m132080", "intake"));
    v1::GetConsultationRequest get;
    get.set_id(consultation);
    v1::Consultation matched;
    grpc::Status s = Call(*intake, &v1::IntakeService::Stub::GetConsultation, get, &matched);
    ASSERT_TRUE(s.ok()) << s.error_message();
    const auto& n = matched.needs(0);
    EXPECT_TRUE(n.advice());
    EXPECT_FALSE(n.resource_gap());
    EXPECT_EQ(n.candidates_size(), 0);
    ASSERT_EQ(n.coordinators_size(), 1);
    EXPECT_EQ(n.coordinators(0).profile_id(), inagi.id());
    EXPECT_EQ(n.coordinators(0).name(), "稲城 花子");
    EXPECT_EQ(n.coordinators(0).jurisdiction_code(), "132250");
    EXPECT_EQ(matched.seeds_size(), 0);
    EXPECT_EQ(matched.status(), v1::CONSULTATION_STATUS_MATCHED);
  }
  v1::AskPeerRequest ask;
  ask.set_asker_profile_id(chofu.id());
  ask.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_COORDINATOR);
  ask.mutable_recipient()->set_profile_id(inagi.id());
  ask.set_theme("パーキンソン病の方の訪問診療");
  ask.set_question("神経難病を診る訪問診療医を稲城市ではどう探していますか。");
  ask.set_consultation_id(consultation);
  v1::PeerRequest asked;
  auto chofu_stub = Network("m132080");
  ASSERT_TRUE(Call(*chofu_stub, &NetworkStub::AskPeer, ask, &asked).ok());

  // In Inagi's inbox within a second.
  const double delivered = WaitStatus("m132250", asked.id(), v1::PEER_REQUEST_STATUS_SENT,
                                      std::chrono::milliseconds(1000));
  EXPECT_GE(delivered, 0) << "not in Inagi's inbox within 1 s";
  std::printf("delivered to Inagi in %.0f ms\n", delivered * 1000);
  auto inbox = Box("m132250", inagi.id(), v1::PEER_BOX_INBOX);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].asker().name(), "調布 太郎");
  EXPECT_EQ(inbox[0].consultation_id(), "");

  Step("m132250", asked.id(), inagi.id(), v1::PEER_STEP_KIND_ASKED_BACK, "要介護度は？");
  EXPECT_GE(WaitStatus("m132080", asked.id(), v1::PEER_REQUEST_STATUS_ASKED_BACK), 0);
  Step("m132080", asked.id(), chofu.id(), v1::PEER_STEP_KIND_REPLIED, "要介護3です。");
  EXPECT_GE(WaitStatus("m132250", asked.id(), v1::PEER_REQUEST_STATUS_TAKEN), 0);
  Step("m132250", asked.id(), inagi.id(), v1::PEER_STEP_KIND_ANSWERED,
       "市の在宅療養支援診療所の一覧から神経内科の訪問診療医を紹介しています。");
  EXPECT_GE(WaitStatus("m132080", asked.id(), v1::PEER_REQUEST_STATUS_ANSWERED), 0);
  const auto answered = Get("m132080", asked.id());
  std::vector<v1::PeerStepKind> kinds;
  for (const auto& s : answered.steps()) {
    kinds.push_back(s.kind());
    EXPECT_TRUE(s.has_at());
  }
  EXPECT_THAT(kinds, ElementsAre(v1::PEER_STEP_KIND_ASKED, v1::PEER_STEP_KIND_ASKED_BACK,
                                 v1::PEER_STEP_KIND_REPLIED, v1::PEER_STEP_KIND_ANSWERED));
  // The asker's consultation lists it.
  v1::ListPeerRequestsRequest of;
  of.set_consultation_id(consultation);
  v1::ListPeerRequestsResponse listed;
  ASSERT_TRUE(Call(*chofu_stub, &NetworkStub::ListPeerRequests, of, &listed).ok());
  EXPECT_EQ(listed.requests_size(), 1);

  // Inagi's link to Tokyo cut while Chofu asks: the request waits, and arrives once.
  fed_->node("m132250").uplink->Cut();
  ask.set_theme("退院支援の手順");
  ask.set_question("病院との退院前カンファレンスの持ち方を教えてください。");
  v1::PeerRequest second;
  ASSERT_TRUE(Call(*chofu_stub, &NetworkStub::AskPeer, ask, &second).ok());
  {
    // Watched for 2 s: never at Inagi while the link is cut (NOT_FOUND on every look).
    v1::GetPeerRequestRequest r;
    r.set_id(second.id());
    grpc::StatusCode seen = grpc::StatusCode::NOT_FOUND;
    EXPECT_FALSE(WaitFor(
        [&] {
          v1::PeerRequest out;
          seen = Call(*Network("m132250"), &NetworkStub::GetPeerRequest, r, &out).error_code();
          return seen != grpc::StatusCode::NOT_FOUND;
        },
        std::chrono::seconds(2)))
        << "arrived through a cut link (or failed otherwise): " << seen;
  }
  fed_->node("m132250").uplink->Restore();
  EXPECT_GE(
      WaitStatus("m132250", second.id(), v1::PEER_REQUEST_STATUS_SENT, std::chrono::seconds(30)),
      0);
  EXPECT_EQ(Box("m132250", inagi.id(), v1::PEER_BOX_INBOX).size(), 2u);
  const auto copy = Get("m132250", second.id());
  EXPECT_EQ(copy.steps_size(), 1);
  EXPECT_EQ(copy.version(), 1);
  // Each change came down to Inagi once (passed on by Tokyo), whatever the link did: one event
  // per (type, record, version, step), whatever its id.
  std::set<std::string> changes;
  int events = 0;
  for (const auto& m :
       ReadStream(*fed_->node("m132250").bus, common::kParentStream, "renkei.*.p13.network.*")) {
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    ++events;
    const std::string key = std::to_string(e.payload_case()) + "/" + e.aggregate_id() + "/" +
                            std::to_string(e.aggregate_version()) + "/" +
                            (e.has_peer_reply_sent() ? e.peer_reply_sent().step().id() : "");
    EXPECT_TRUE(changes.insert(key).second) << "came down twice: " << key;
  }
  EXPECT_GE(events, 3);

  // A request about the same consultation to the national network: its text reaches the nation
  // (the control of the nation's scan below).
  v1::AskPeerRequest national = ask;
  national.mutable_recipient()->Clear();
  national.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK);
  national.set_theme("全国への相談");
  national.set_question("全国で在宅看取りの手順書を作った例を教えてください。");
  v1::PeerRequest to_network;
  ASSERT_TRUE(Call(*chofu_stub, &NetworkStub::AskPeer, national, &to_network).ok());
  EXPECT_TRUE(WaitFor(
      [&] { return AnyFileContains(fed_->node("national").dir, "在宅看取りの手順書を作った例"); },
      std::chrono::seconds(15)))
      << "control: the nation's scan finds what did travel";

  // Acceptance 4: none of the consultation's personal strings anywhere at Tokyo or the nation
  // (RocksDB, JetStream, logs); the requests' own text, which does travel, is found there by
  // the same scan.
  for (const char* id : {"p13", "national"}) {
    const std::string dir = fed_->node(id).dir;
    for (const char* personal : {kPersonName, kNarrative, kRequesterName}) {
      EXPECT_FALSE(AnyFileContains(dir, personal)) << id << " holds " << personal;
    }
  }
  // The request left Chofu without its consultation (whose own de-identified events carry its
  // id to Tokyo, as every consultation's do).
  for (const auto& m :
       ReadStream(*fed_->node("p13").bus, common::kChildrenStream, "renkei.*.*.network.*")) {
    EXPECT_EQ(m.data.find(consultation), std::string::npos) << m.subject;
  }
  EXPECT_TRUE(AnyFileContains(fed_->node("p13").dir, "病院との退院前カンファレンス"))
      << "control: the scan finds what did travel";
}

TEST_F(NetworkFederationTest, KumagayaAsksTheNationalNetworkAndOneTokyoLeadTakesIt) {
  ASSERT_NO_FATAL_FAILURE(Start({"network"}));
  auto asker =
      Profile("m112020", "熊谷 一郎", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  auto tokyo = Profile("p13", "東京 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR, {"end_of_life_care"},
                       v1::SHARE_LEVEL_NATIONAL);
  auto second = Profile("m132250", "稲城 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR,
                        {"end_of_life_care", "dementia"}, v1::SHARE_LEVEL_NATIONAL);
  auto elsewhere = Profile("m132080", "調布 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR, {"dementia"},
                           v1::SHARE_LEVEL_LOCAL);

  v1::AskPeerRequest ask;
  ask.set_asker_profile_id(asker.id());
  ask.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK);
  ask.mutable_recipient()->add_expertise("end_of_life_care");
  ask.set_theme("看取りの体制づくり");
  ask.set_question("多職種で看取りの手順を共有した例はありますか。");
  v1::PeerRequest asked;
  auto stub = Network("m112020");
  ASSERT_TRUE(Call(*stub, &NetworkStub::AskPeer, ask, &asked).ok());
  const double reached = WaitStatus("p13", asked.id(), v1::PEER_REQUEST_STATUS_SENT);
  EXPECT_GE(reached, 0);
  std::printf("Kumagaya -> nation -> Tokyo in %.0f ms\n", reached * 1000);
  EXPECT_EQ(Box("p13", tokyo.id(), v1::PEER_BOX_INBOX).size(), 1u);
  EXPECT_GE(WaitStatus("m132250", asked.id(), v1::PEER_REQUEST_STATUS_SENT), 0);
  EXPECT_TRUE(Box("m132080", elsewhere.id(), v1::PEER_BOX_INBOX).empty());

  Step("p13", asked.id(), tokyo.id(), v1::PEER_STEP_KIND_TAKEN);
  EXPECT_GE(WaitStatus("m112020", asked.id(), v1::PEER_REQUEST_STATUS_TAKEN), 0);
  EXPECT_GE(WaitStatus("m132250", asked.id(), v1::PEER_REQUEST_STATUS_TAKEN), 0);
  EXPECT_EQ(Get("m132250", asked.id()).taken_by().name(), "東京 統括");
  // The second lead can no longer take it.
  v1::RespondToPeerRequestRequest take;
  take.set_id(asked.id());
  take.set_profile_id(second.id());
  take.set_kind(v1::PEER_STEP_KIND_TAKEN);
  v1::PeerRequest refused;
  EXPECT_EQ(
      Call(*Network("m132250"), &NetworkStub::RespondToPeerRequest, take, &refused).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);

  Step("p13", asked.id(), tokyo.id(), v1::PEER_STEP_KIND_ANSWERED,
       "東京都の看取り手順書を共有します。");
  EXPECT_GE(WaitStatus("m112020", asked.id(), v1::PEER_REQUEST_STATUS_ANSWERED), 0);
  EXPECT_EQ(Get("m112020", asked.id()).taken_by().profile_id(), tokyo.id());
}

// Acceptance 3: Inagi publishes its 看取り issue as a practice; a Kumagaya coordinator finds it by
// text and by capability; an evaluation value recorded at Inagi shows in Kumagaya's copy;
// withdrawn, it disappears everywhere.
TEST_F(NetworkFederationTest, InagisPracticeIsFoundInKumagayaFollowsItsValuesAndIsWithdrawn) {
  ASSERT_NO_FATAL_FAILURE(Start({"issues", "indicators", "network"}));
  auto issues = v1::IssuesService::NewStub(fed_->channel("m132250", "issues"));
  auto indicators = v1::IndicatorsService::NewStub(fed_->channel("m132250", "indicators"));
  auto ok = [](const grpc::Status& s) {
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok();
  };
  v1::CreateIssueRequest create;
  create.set_theme("【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある");
  create.add_theme_tags("tag:看取り");
  create.add_theme_tags("capability:end_of_life_care");
  v1::RegionalIssue issue;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(ok(issues->CreateIssue(&ctx, create, &issue)));
  }
  // Steps 1–4 with their content: expected changes come at step 5.
  ASSERT_NO_FATAL_FAILURE(ThroughStepFour(*issues, &issue));
  ASSERT_EQ(issue.current_step(), 5);
  v1::AddExpectedChangeRequest add;
  add.set_id(issue.id());
  add.set_expected_version(issue.version());
  auto* e = add.mutable_expected_change();
  e->set_label("E1");
  e->set_description("自宅で看取った割合が上がる");
  auto* spec = e->mutable_indicator();
  spec->set_name_ja("在宅看取り率");
  spec->set_unit("%");
  spec->set_kind(v1::INDICATOR_KIND_COUNT);
  spec->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
  spec->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
  spec->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
  spec->set_target(60);
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(ok(issues->AddExpectedChange(&ctx, add, &issue)));
  }
  // The indicators service defines E1 from the issue's event.
  ASSERT_TRUE(WaitFor([&] {
    v1::ListIndicatorsRequest list;
    list.set_issue_id(issue.id());
    v1::ListIndicatorsResponse defined;
    grpc::ClientContext ctx;
    return indicators->ListIndicators(&ctx, list, &defined).ok() && defined.definitions_size() == 1;
  }));

  auto contact =
      Profile("m132250", "稲城 花子", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  v1::PublishPracticeRequest publish;
  publish.set_issue_id(issue.id());
  publish.set_share_level(v1::SHARE_LEVEL_NATIONAL);
  publish.set_contact_profile_id(contact.id());
  v1::Practice practice;
  ASSERT_TRUE(ok(Call(*Network("m132250"), &NetworkStub::PublishPractice, publish, &practice)));

  auto search = [&](const std::string& id, const v1::SearchPracticesRequest& r) {
    v1::SearchPracticesResponse out;
    Call(*Network(id), &NetworkStub::SearchPractices, r, &out);
    return out;
  };
  v1::SearchPracticesRequest by_text;
  by_text.set_text("看取り");
  ASSERT_TRUE(WaitFor([&] { return search("m112020", by_text).practices_size() == 1; },
                      std::chrono::seconds(15)));
  v1::SearchPracticesRequest by_capability;
  by_capability.set_capability("end_of_life_care");
  EXPECT_EQ(search("m112020", by_capability).practices_size(), 1);
  EXPECT_TRUE(search("m112020", by_text).practices(0).expected_changes(0).values().empty());

  // An evaluation value recorded at Inagi.
  v1::RecordObservationRequest record;
  auto* o = record.mutable_observation();
  o->set_indicator_code(issue.id() + ".E1");
  o->set_jurisdiction_code("132250");
  o->set_period("FY2026");
  o->set_value(42);
  o->set_source("稲城市 在宅看取りの集計");
  {
    v1::Observation stored;
    grpc::ClientContext ctx;
    ASSERT_TRUE(ok(indicators->RecordObservation(&ctx, record, &stored)));
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        auto found = search("m112020", by_text);
        return found.practices_size() == 1 &&
               found.practices(0).expected_changes(0).values_size() == 1 &&
               found.practices(0).expected_changes(0).values(0).value() == 42;
      },
      std::chrono::seconds(15)));

  // Every instance holds it (shared nationally) before it is withdrawn.
  const char* everywhere[] = {"m132250", "m132080", "m112020", "p13", "p11", "national"};
  for (const char* id : everywhere) {
    EXPECT_TRUE(WaitFor([&] { return search(id, v1::SearchPracticesRequest()).total() == 1; },
                        std::chrono::seconds(15)))
        << id;
  }
  v1::WithdrawPracticeRequest withdraw;
  withdraw.set_id(practice.id());
  v1::Practice gone;
  ASSERT_TRUE(ok(Call(*Network("m132250"), &NetworkStub::WithdrawPractice, withdraw, &gone)));
  for (const char* id : everywhere) {
    EXPECT_TRUE(WaitFor([&] { return search(id, v1::SearchPracticesRequest()).total() == 0; },
                        std::chrono::seconds(15)))
        << id;
  }
}

}  // namespace
}  // namespace renkei::testing
