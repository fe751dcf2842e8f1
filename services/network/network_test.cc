// The coordinator network's domain on real RocksDB stores: profiles shared as their
// coordinators agree, and peer requests between instances — each instance a Network over its own
// store, the events carried between them by hand as the federation's streams would.
#include "network.h"

#include <map>
#include <memory>

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "testing.h"

namespace renkei::network {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The instance's issues and indicators, as the issues and indicators services would answer.
class FakeWorksheets : public Worksheets {
 public:
  absl::StatusOr<v1::RegionalIssue> Issue(const std::string& id) override {
    auto it = issues.find(id);
    if (it == issues.end()) return absl::NotFoundError("no such issue");
    return it->second;
  }
  absl::StatusOr<v1::IssueProgress> Progress(const std::string& issue_id) override {
    auto it = progress.find(issue_id);
    return it == progress.end() ? v1::IssueProgress() : it->second;
  }
  std::map<std::string, v1::RegionalIssue> issues;
  std::map<std::string, v1::IssueProgress> progress;
};

struct Instance {
  Instance(const std::string& dir, const std::string& id, v1::InstanceLevel level,
           const std::string& code, const common::Clock* clock)
      : domain(dir, NetworkStore::ColumnFamilies()) {
    NetworkOptions o;
    o.level = level;
    o.jurisdiction_code = code;
    o.worksheets = &worksheets;
    network =
        std::make_unique<Network>(domain.store.get(), domain.outbox.get(), domain.sealer.get(),
                                  common::EventSource{id, clock}, o, clock);
  }
  renkei::testing::DomainStore domain;
  FakeWorksheets worksheets;
  std::unique_ptr<Network> network;
  size_t delivered = 0;  // events of this instance already carried to the others
};

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261207)) +
                     10LL * 3600 * 1000000);
    chofu_ = Make("chofu", "m132080", v1::INSTANCE_LEVEL_MUNICIPALITY, "132080");
    inagi_ = Make("inagi", "m132250", v1::INSTANCE_LEVEL_MUNICIPALITY, "132250");
    tokyo_ = Make("tokyo", "p13", v1::INSTANCE_LEVEL_PREFECTURE, "130001");
    kumagaya_ = Make("kumagaya", "m112020", v1::INSTANCE_LEVEL_MUNICIPALITY, "112020");
    osaka_ = Make("osaka", "p27", v1::INSTANCE_LEVEL_PREFECTURE, "270008");
  }

  std::unique_ptr<Instance> Make(const std::string& dir, const std::string& id,
                                 v1::InstanceLevel level, const std::string& code) {
    return std::make_unique<Instance>(tmp_.Sub(dir), id, level, code, &clock_);
  }

  // Carries every event `from` emitted since the last call to each of `to` (twice: a
  // redelivery changes nothing), one batch per event as the consumer commits it.
  void Carry(Instance& from, const std::vector<Instance*>& to) {
    const auto events = from.domain.Events();
    for (size_t i = from.delivered; i < events.size(); ++i) {
      for (Instance* target : to) {
        for (int times = 0; times < 2; ++times) {
          common::CommandBatch cmd(target->domain.store.get(), target->domain.outbox.get());
          ASSERT_TRUE(target->network->ApplyEvent(events[i], &cmd).ok());
          ASSERT_TRUE(cmd.Commit().ok());
        }
      }
    }
    from.delivered = events.size();
  }

  v1::CoordinatorProfile Profile(Instance& at, const std::string& name, v1::NetworkRole role,
                                 const std::vector<std::string>& expertise, v1::ShareLevel share) {
    v1::PutProfileRequest r;
    auto* p = r.mutable_profile();
    p->set_name(name);
    p->set_affiliation(name + "の所属");
    p->set_role(role);
    for (const auto& e : expertise) p->add_expertise(e);
    p->set_takes_peer_consultations(true);
    p->set_work_contact("042-000-0000");
    p->set_account(name + "-login");
    p->mutable_sharing()->set_level(share);
    p->mutable_sharing()->set_name(true);
    p->mutable_sharing()->set_expertise(true);
    auto out = at.network->PutProfile(r);
    EXPECT_TRUE(out.ok()) << out.status();
    return *out;
  }

  absl::StatusOr<v1::PeerRequest> Step(Instance& at, const std::string& id,
                                       const std::string& profile, v1::PeerStepKind kind,
                                       const std::string& text = "") {
    v1::RespondToPeerRequestRequest r;
    r.set_id(id);
    r.set_profile_id(profile);
    r.set_kind(kind);
    r.set_text(text);
    return at.network->Respond(r);
  }

  std::vector<v1::PeerRequest> Box(Instance& at, const std::string& profile, v1::PeerBox box) {
    v1::ListPeerRequestsRequest r;
    r.set_box(box);
    r.set_profile_id(profile);
    auto out = at.network->ListRequests(r);
    EXPECT_TRUE(out.ok()) << out.status();
    return {out->requests().begin(), out->requests().end()};
  }

  static std::vector<v1::PeerStepKind> Kinds(const v1::PeerRequest& r) {
    std::vector<v1::PeerStepKind> out;
    for (const auto& s : r.steps()) out.push_back(s.kind());
    return out;
  }

  renkei::testing::TempDir tmp_;
  common::FakeClock clock_;
  std::unique_ptr<Instance> chofu_, inagi_, tokyo_, kumagaya_, osaka_;
};

// What travels of a profile is what its coordinator ticked; the log-in never does. Withdrawn,
// the copies go; a copy is not changed here.
TEST_F(NetworkTest, ProfilesTravelWithTheConsentedFieldsOnlyAndCanBeWithdrawn) {
  auto inagi = Profile(*inagi_, "稲城 花子", v1::NETWORK_ROLE_COORDINATOR, {"parkinsons"},
                       v1::SHARE_LEVEL_PREFECTURE);
  EXPECT_EQ(inagi.home_instance(), "m132250");
  EXPECT_EQ(inagi.jurisdiction_code(), "132250");
  auto events = inagi_->domain.Events();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].share_level(), v1::SHARE_LEVEL_PREFECTURE);
  const auto& shared = events[0].profile_shared().profile();
  EXPECT_EQ(shared.name(), "稲城 花子");
  EXPECT_THAT(shared.expertise(), ElementsAre("parkinsons"));
  EXPECT_EQ(shared.affiliation(), "");
  EXPECT_EQ(shared.work_contact(), "");
  EXPECT_EQ(shared.account(), "");

  // Chofu (same prefecture) and Tokyo keep a copy; Kumagaya (Saitama) does not.
  Carry(*inagi_, {chofu_.get(), tokyo_.get(), kumagaya_.get()});
  v1::ListProfilesRequest all;
  EXPECT_THAT(chofu_->network->ListProfiles(all)->profiles(), SizeIs(1));
  EXPECT_THAT(tokyo_->network->ListProfiles(all)->profiles(), SizeIs(1));
  EXPECT_THAT(kumagaya_->network->ListProfiles(all)->profiles(), IsEmpty());
  v1::ListProfilesRequest search;
  search.set_text("パーキンソン");
  EXPECT_THAT(chofu_->network->ListProfiles(search)->profiles(), SizeIs(1));
  search.set_text("神経難病");
  EXPECT_THAT(chofu_->network->ListProfiles(search)->profiles(), IsEmpty());

  // A copy is another instance's (its jurisdiction is not Chofu's either).
  v1::PutProfileRequest change;
  *change.mutable_profile() = chofu_->network->ListProfiles(all)->profiles(0);
  change.set_expected_version(1);
  EXPECT_EQ(chofu_->network->PutProfile(change).status().code(),
            absl::StatusCode::kInvalidArgument);
  change.mutable_profile()->clear_jurisdiction_code();
  EXPECT_EQ(chofu_->network->PutProfile(change).status().code(),
            absl::StatusCode::kFailedPrecondition);

  // No longer shared: a withdrawal at the level it was shared at; the copies go.
  v1::PutProfileRequest local;
  *local.mutable_profile() = inagi;
  local.mutable_profile()->mutable_sharing()->set_level(v1::SHARE_LEVEL_LOCAL);
  local.set_expected_version(inagi.version());
  ASSERT_TRUE(inagi_->network->PutProfile(local).ok());
  EXPECT_TRUE(inagi_->domain.Events().back().profile_shared().withdrawn());
  Carry(*inagi_, {chofu_.get(), tokyo_.get()});
  EXPECT_THAT(chofu_->network->ListProfiles(all)->profiles(), IsEmpty());
  EXPECT_THAT(tokyo_->network->ListProfiles(all)->profiles(), IsEmpty());
}

// Worked through as in acceptance 1: Chofu asks Inagi's coordinator by name; Inagi asks back,
// Chofu replies, Inagi answers; each step reaches the other side with its time, and the asker's
// consultation stays with the asker.
TEST_F(NetworkTest, ANamedPeerRequestGoesBackAndForthBetweenTwoMunicipalities) {
  auto inagi = Profile(*inagi_, "稲城 花子", v1::NETWORK_ROLE_COORDINATOR, {"parkinsons"},
                       v1::SHARE_LEVEL_PREFECTURE);
  auto chofu =
      Profile(*chofu_, "調布 太郎", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  Carry(*inagi_, {chofu_.get()});

  v1::AskPeerRequest ask;
  ask.set_asker_profile_id(chofu.id());
  ask.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_COORDINATOR);
  ask.mutable_recipient()->set_profile_id(inagi.id());
  ask.set_theme("パーキンソン病の方の訪問診療医探し");
  ask.set_question("稲城市ではどの訪問診療医に相談していますか。");
  ask.set_consultation_id(common::DeterministicId("con", "chofu-1"));
  *ask.mutable_answer_by() = common::DateFromNumber(20261209);
  auto asked = chofu_->network->Ask(ask);
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(asked->status(), v1::PEER_REQUEST_STATUS_SENT);
  EXPECT_EQ(asked->recipient_name(), "稲城 花子");
  const auto published = chofu_->domain.Events().back();
  EXPECT_EQ(published.share_level(), v1::SHARE_LEVEL_PREFECTURE);
  EXPECT_EQ(published.aggregate_type(), "network");
  EXPECT_EQ(published.peer_request_published().request().consultation_id(), "");

  Carry(*chofu_, {inagi_.get(), tokyo_.get()});
  auto inbox = Box(*inagi_, inagi.id(), v1::PEER_BOX_INBOX);
  ASSERT_THAT(inbox, SizeIs(1));
  EXPECT_TRUE(inbox[0].copy());
  EXPECT_EQ(inbox[0].question(), "稲城市ではどの訪問診療医に相談していますか。");
  EXPECT_EQ(inbox[0].consultation_id(), "");
  // Tokyo passes it on but keeps no copy: nobody there was asked.
  v1::GetPeerRequestRequest at_tokyo;
  at_tokyo.set_id(asked->id());
  EXPECT_EQ(tokyo_->network->GetRequest(at_tokyo).status().code(), absl::StatusCode::kNotFound);

  clock_.AdvanceMicros(3600LL * 1000000);
  auto back = Step(*inagi_, asked->id(), inagi.id(), v1::PEER_STEP_KIND_ASKED_BACK,
                   "要介護度と、主治医の有無を教えてください。");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->steps().rbegin()->pending());
  EXPECT_EQ(back->status(), v1::PEER_REQUEST_STATUS_SENT);  // until Chofu has applied it
  Carry(*inagi_, {chofu_.get()});
  auto mine = *chofu_->network->GetRequest([&] {
    v1::GetPeerRequestRequest g;
    g.set_id(asked->id());
    return g;
  }());
  EXPECT_EQ(mine.status(), v1::PEER_REQUEST_STATUS_ASKED_BACK);
  EXPECT_EQ(mine.taken_by().name(), "稲城 花子");
  Carry(*chofu_, {inagi_.get()});
  auto copy = Box(*inagi_, inagi.id(), v1::PEER_BOX_INBOX)[0];
  EXPECT_EQ(copy.status(), v1::PEER_REQUEST_STATUS_ASKED_BACK);
  EXPECT_FALSE(copy.steps().rbegin()->pending());

  ASSERT_TRUE(Step(*chofu_, asked->id(), chofu.id(), v1::PEER_STEP_KIND_REPLIED,
                   "要介護3、主治医は病院の神経内科です。")
                  .ok());
  Carry(*chofu_, {inagi_.get()});
  ASSERT_TRUE(Step(*inagi_, asked->id(), inagi.id(), v1::PEER_STEP_KIND_ANSWERED,
                   "稲城在宅クリニックが神経難病の訪問診療を受けています。")
                  .ok());
  Carry(*inagi_, {chofu_.get()});
  auto sent = Box(*chofu_, chofu.id(), v1::PEER_BOX_SENT);
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_EQ(sent[0].status(), v1::PEER_REQUEST_STATUS_ANSWERED);
  EXPECT_THAT(Kinds(sent[0]), ElementsAre(v1::PEER_STEP_KIND_ASKED, v1::PEER_STEP_KIND_ASKED_BACK,
                                          v1::PEER_STEP_KIND_REPLIED, v1::PEER_STEP_KIND_ANSWERED));
  EXPECT_EQ(common::MicrosFromTimestamp(sent[0].steps(1).at()),
            common::MicrosFromTimestamp(sent[0].asked_at()) + 3600LL * 1000000);
  v1::ListPeerRequestsRequest of;
  of.set_consultation_id(common::DeterministicId("con", "chofu-1"));
  EXPECT_THAT(chofu_->network->ListRequests(of)->requests(), SizeIs(1));

  // Settled: nothing more.
  EXPECT_EQ(Step(*inagi_, asked->id(), inagi.id(), v1::PEER_STEP_KIND_DECLINED, "やはり無理")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

// Acceptance 2's shape: Kumagaya asks the national network; two lead coordinators with the
// expertise receive it, and both try to take it. The owner takes the first reply; the second
// lead's copy shows it taken and drops its own step; a lead without the expertise never sees it.
TEST_F(NetworkTest, ARequestToTheNetworkIsTakenByOneLeadOnly) {
  auto asker =
      Profile(*kumagaya_, "熊谷 一郎", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  auto tokyo = Profile(*tokyo_, "東京 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR,
                       {"end_of_life_care"}, v1::SHARE_LEVEL_NATIONAL);
  auto osaka = Profile(*osaka_, "大阪 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR,
                       {"end_of_life_care", "parkinsons"}, v1::SHARE_LEVEL_NATIONAL);
  auto other = Profile(*inagi_, "稲城 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR, {"dementia"},
                       v1::SHARE_LEVEL_LOCAL);

  v1::AskPeerRequest ask;
  ask.set_asker_profile_id(asker.id());
  ask.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK);
  ask.mutable_recipient()->add_expertise("end_of_life_care");
  ask.set_theme("看取りの体制づくり");
  ask.set_question("多職種で看取りの手順を共有した例はありますか。");
  auto asked = kumagaya_->network->Ask(ask);
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(kumagaya_->domain.Events().back().share_level(), v1::SHARE_LEVEL_NATIONAL);
  Carry(*kumagaya_, {tokyo_.get(), osaka_.get(), inagi_.get()});
  EXPECT_THAT(Box(*tokyo_, tokyo.id(), v1::PEER_BOX_INBOX), SizeIs(1));
  EXPECT_THAT(Box(*osaka_, osaka.id(), v1::PEER_BOX_INBOX), SizeIs(1));
  EXPECT_THAT(Box(*inagi_, other.id(), v1::PEER_BOX_INBOX), IsEmpty());

  ASSERT_TRUE(Step(*tokyo_, asked->id(), tokyo.id(), v1::PEER_STEP_KIND_TAKEN).ok());
  ASSERT_TRUE(Step(*osaka_, asked->id(), osaka.id(), v1::PEER_STEP_KIND_TAKEN).ok());
  Carry(*tokyo_, {kumagaya_.get()});
  Carry(*osaka_, {kumagaya_.get()});
  Carry(*kumagaya_, {tokyo_.get(), osaka_.get()});
  auto theirs = Box(*osaka_, osaka.id(), v1::PEER_BOX_INBOX)[0];
  EXPECT_EQ(theirs.status(), v1::PEER_REQUEST_STATUS_TAKEN);
  EXPECT_EQ(theirs.taken_by().profile_id(), tokyo.id());
  EXPECT_EQ(theirs.taken_by().name(), "東京 統括");
  EXPECT_THAT(Kinds(theirs), ElementsAre(v1::PEER_STEP_KIND_ASKED, v1::PEER_STEP_KIND_TAKEN));
  auto refused = Step(*osaka_, asked->id(), osaka.id(), v1::PEER_STEP_KIND_ANSWERED, "回答");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("東京 統括"));

  ASSERT_TRUE(Step(*tokyo_, asked->id(), tokyo.id(), v1::PEER_STEP_KIND_ANSWERED,
                   "東京都の手順書を共有します。")
                  .ok());
  Carry(*tokyo_, {kumagaya_.get()});
  v1::GetPeerRequestRequest g;
  g.set_id(asked->id());
  EXPECT_EQ(kumagaya_->network->GetRequest(g)->status(), v1::PEER_REQUEST_STATUS_ANSWERED);
}

// Bad input names its field and writes nothing; an overdue request shows on both sides.
TEST_F(NetworkTest, BadRequestsAreRefusedByFieldAndLateOnesShowOverdue) {
  auto chofu =
      Profile(*chofu_, "調布 太郎", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  const size_t before = chofu_->domain.EventCount();
  auto refused = [&](const v1::AskPeerRequest& r, const std::string& field) {
    auto out = chofu_->network->Ask(r);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_THAT(out.status().message(), HasSubstr(field)) << out.status();
  };
  v1::AskPeerRequest ok;
  ok.set_asker_profile_id(chofu.id());
  ok.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS);
  ok.mutable_recipient()->set_prefecture_code("130001");
  ok.set_theme("テーマ");
  ok.set_question("質問");
  auto r = ok;
  r.clear_theme();
  refused(r, "theme");
  r = ok;
  r.mutable_recipient()->set_prefecture_code("132250");
  refused(r, "recipient.prefecture_code");
  r = ok;
  r.mutable_recipient()->add_expertise("no_such_thing");
  refused(r, "recipient.expertise[0]");
  r = ok;
  *r.mutable_answer_by() = common::DateFromNumber(20261201);
  refused(r, "answer_by");
  r = ok;
  r.set_asker_profile_id("coo_00000000000000000000000000");
  refused(r, "asker_profile_id");
  r = ok;
  r.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_COORDINATOR);
  refused(r, "recipient.profile_id");
  EXPECT_EQ(chofu_->domain.EventCount(), before);

  *ok.mutable_answer_by() = common::DateFromNumber(20261208);
  auto asked = chofu_->network->Ask(ok);
  ASSERT_TRUE(asked.ok()) << asked.status();
  EXPECT_FALSE(asked->overdue());
  EXPECT_EQ(chofu_->domain.Events().back().share_level(), v1::SHARE_LEVEL_PREFECTURE);
  auto lead =
      Profile(*tokyo_, "東京 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  Carry(*chofu_, {tokyo_.get()});
  clock_.AdvanceMicros(2 * 86400LL * 1000000);
  EXPECT_TRUE(Box(*chofu_, chofu.id(), v1::PEER_BOX_SENT)[0].overdue());
  ASSERT_THAT(Box(*tokyo_, lead.id(), v1::PEER_BOX_INBOX), SizeIs(1));
  EXPECT_TRUE(Box(*tokyo_, lead.id(), v1::PEER_BOX_INBOX)[0].overdue());
  v1::ListPeerRequestsRequest late;
  late.set_box(v1::PEER_BOX_INBOX);
  late.set_profile_id(lead.id());
  late.set_overdue_only(true);
  EXPECT_THAT(tokyo_->network->ListRequests(late)->requests(), SizeIs(1));
}

// Acceptance 3's shape: Inagi publishes its 看取り issue nationally; Kumagaya finds it by text
// and by capability; an evaluation value recorded at Inagi reaches the copies; a Tokyo lead
// features it; withdrawn, it is gone everywhere. Nothing personal of the issue travels.
TEST_F(NetworkTest, APracticeFollowsItsIssueAcrossTheNetworkUntilWithdrawn) {
  auto contact =
      Profile(*inagi_, "稲城 花子", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  v1::RegionalIssue issue;
  issue.set_id(common::DeterministicId("iss", "mitori"));
  issue.set_municipality_code("132250");
  issue.set_theme("【看取り】本人の意向に沿った在宅での看取り");
  issue.add_theme_tags("tag:看取り");
  issue.add_theme_tags("capability:end_of_life_care");
  issue.set_status(v1::ISSUE_STATUS_OPEN);
  issue.set_current_step(5);
  issue.set_cycle(1);
  issue.set_target_state("終末期も本人の意向を尊重した在宅生活を継続できる");
  issue.set_current_state("看取り期に家族が救急車を呼び、入院となる例がある");
  issue.set_chosen_issue("家族が看取りの経過を知らない");
  auto* cause = issue.add_causes();
  cause->set_text("家族への説明の機会がない");
  cause->set_main(true);
  auto* change = issue.add_expected_changes();
  change->set_label("E1");
  change->set_description("自宅で看取った割合が上がる");
  change->mutable_indicator()->set_name_ja("在宅看取り率");
  change->mutable_indicator()->set_unit("%");
  change->mutable_indicator()->set_baseline(30);
  change->mutable_indicator()->set_baseline_period("2026-10");
  inagi_->worksheets.issues[issue.id()] = issue;

  v1::PublishPracticeRequest publish;
  publish.set_issue_id(issue.id());
  publish.set_share_level(v1::SHARE_LEVEL_NATIONAL);
  publish.set_contact_profile_id(contact.id());
  auto practice = inagi_->network->PublishPractice(publish);
  ASSERT_TRUE(practice.ok()) << practice.status();
  EXPECT_EQ(practice->step_reached(), 5);
  EXPECT_THAT(practice->tags(), ElementsAre("看取り"));
  EXPECT_THAT(practice->capabilities(), ElementsAre("end_of_life_care"));
  EXPECT_EQ(inagi_->domain.Events().back().share_level(), v1::SHARE_LEVEL_NATIONAL);
  Carry(*inagi_, {kumagaya_.get(), tokyo_.get()});

  auto search = [&](Instance& at, const v1::SearchPracticesRequest& r) {
    auto out = at.network->SearchPractices(r);
    EXPECT_TRUE(out.ok()) << out.status();
    return std::vector<v1::Practice>(out->practices().begin(), out->practices().end());
  };
  v1::SearchPracticesRequest by_text;
  by_text.set_text("看取リ");  // katakana リ: the same after normalization
  ASSERT_THAT(search(*kumagaya_, by_text), SizeIs(1));
  v1::SearchPracticesRequest by_capability;
  by_capability.set_capability("end_of_life_care");
  EXPECT_THAT(search(*kumagaya_, by_capability), SizeIs(1));
  by_capability.set_capability("dementia");
  EXPECT_THAT(search(*kumagaya_, by_capability), IsEmpty());
  v1::SearchPracticesRequest saitama;
  saitama.set_prefecture_code("11");
  EXPECT_THAT(search(*kumagaya_, saitama), IsEmpty());

  // An evaluation value recorded at Inagi: the practice follows it.
  v1::IssueProgress progress;
  auto* measured = progress.add_indicators();
  measured->mutable_definition()->mutable_spec()->set_code(issue.id() + ".E1");
  auto* baseline = measured->add_points();  // the baseline is an observation of its period too
  baseline->set_period("2026-10");
  baseline->set_value(30);
  auto* point = measured->add_points();
  point->set_period("2026-11");
  point->set_value(42);
  inagi_->worksheets.progress[issue.id()] = progress;
  auto observed =
      common::NewEvent({"m132250", &clock_}, "observation", issue.id() + ".E1/132250/2026-11", 1,
                       v1::SHARE_LEVEL_LOCAL, "132250");
  observed.mutable_observation_recorded()->set_indicator_code(issue.id() + ".E1");
  {
    common::CommandBatch cmd(inagi_->domain.store.get(), inagi_->domain.outbox.get());
    ASSERT_TRUE(inagi_->network->FollowIssue(observed, &cmd).ok());
    ASSERT_TRUE(cmd.Commit().ok());
  }
  Carry(*inagi_, {kumagaya_.get(), tokyo_.get()});
  auto found = search(*kumagaya_, by_text);
  ASSERT_THAT(found, SizeIs(1));
  ASSERT_THAT(found[0].expected_changes(0).values(), SizeIs(1));  // not the baseline's
  EXPECT_EQ(found[0].expected_changes(0).values(0).value(), 42);
  EXPECT_EQ(found[0].expected_changes(0).baseline(), 30);
  EXPECT_EQ(found[0].version(), 2);

  // A Tokyo lead features it; everyone sees the note.
  auto lead =
      Profile(*tokyo_, "東京 統括", v1::NETWORK_ROLE_LEAD_COORDINATOR, {}, v1::SHARE_LEVEL_LOCAL);
  v1::AnnotatePracticeRequest note;
  note.set_id(practice->id());
  note.set_profile_id(lead.id());
  note.set_text("家族向けの説明資料が参考になります。");
  note.set_featured(true);
  ASSERT_TRUE(tokyo_->network->AnnotatePractice(note).ok());
  Carry(*tokyo_, {kumagaya_.get(), inagi_.get()});
  v1::SearchPracticesRequest featured;
  featured.set_featured_only(true);
  EXPECT_THAT(search(*kumagaya_, featured), SizeIs(1));
  note.set_profile_id(contact.id());
  EXPECT_EQ(inagi_->network->AnnotatePractice(note).status().code(),
            absl::StatusCode::kInvalidArgument);  // not a lead

  v1::WithdrawPracticeRequest withdraw;
  withdraw.set_id(practice->id());
  ASSERT_TRUE(inagi_->network->WithdrawPractice(withdraw).ok());
  Carry(*inagi_, {kumagaya_.get(), tokyo_.get()});
  for (Instance* at : {inagi_.get(), kumagaya_.get(), tokyo_.get()}) {
    EXPECT_THAT(search(*at, v1::SearchPracticesRequest()), IsEmpty());
  }
}

// The relay: Tokyo passes its municipalities' `pref` network events on as its own, with an id
// derived from the original's, and only what it checked; Chofu accepts what Tokyo passes on, not
// what another prefecture claims to, and nobody accepts a step forged for another instance.
TEST_F(NetworkTest, ThePrefecturePassesOnOnlyWhatItChecked) {
  auto apply = [&](Instance& at, const v1::EventEnvelope& e) {
    common::CommandBatch cmd(at.domain.store.get(), at.domain.outbox.get());
    absl::Status s = at.network->ApplyEvent(e, &cmd);
    if (s.ok()) {
      EXPECT_TRUE(cmd.Commit().ok());
    }
    return s;
  };
  Profile(*inagi_, "稲城 花子", v1::NETWORK_ROLE_COORDINATOR, {}, v1::SHARE_LEVEL_PREFECTURE);
  const v1::EventEnvelope original = inagi_->domain.Events().back();
  ASSERT_TRUE(apply(*tokyo_, original).ok());
  auto relayed = tokyo_->domain.Events();
  ASSERT_THAT(relayed, SizeIs(1));
  EXPECT_EQ(relayed[0].origin_instance(), "p13");
  EXPECT_EQ(relayed[0].id(), common::DeterministicId("evt", original.id() + "@p13"));
  EXPECT_EQ(relayed[0].profile_shared().profile().SerializeAsString(),
            original.profile_shared().profile().SerializeAsString());
  // Chofu takes it from Tokyo; the same from Saitama is refused.
  ASSERT_TRUE(apply(*chofu_, relayed[0]).ok());
  EXPECT_THAT(chofu_->network->ListProfiles(v1::ListProfilesRequest())->profiles(), SizeIs(1));
  auto from_saitama = relayed[0];
  from_saitama.set_origin_instance("p11");
  EXPECT_EQ(apply(*chofu_, from_saitama).code(), absl::StatusCode::kInvalidArgument);

  // A reply Chofu forges for Inagi's coordinator, and an asker's step sent as a reply: refused
  // at Tokyo, and not passed on.
  const size_t before = tokyo_->domain.EventCount();
  auto forged = common::NewEvent({"m132080", &clock_}, "network", common::NewId("preq", clock_), 1,
                                 v1::SHARE_LEVEL_PREFECTURE, "132080");
  auto* step = forged.mutable_peer_reply_sent()->mutable_step();
  forged.mutable_peer_reply_sent()->set_owner_instance("m132250");
  step->set_id(common::NewId("pstep", clock_));
  step->set_kind(v1::PEER_STEP_KIND_DECLINED);
  step->mutable_by()->set_instance("m132250");
  step->mutable_by()->set_jurisdiction_code("132250");
  EXPECT_EQ(apply(*tokyo_, forged).code(), absl::StatusCode::kInvalidArgument);
  step->mutable_by()->set_instance("m132080");
  step->mutable_by()->set_jurisdiction_code("132250");  // Chofu's instance, Inagi's jurisdiction
  EXPECT_EQ(apply(*tokyo_, forged).code(), absl::StatusCode::kInvalidArgument);
  step->mutable_by()->set_jurisdiction_code("132080");
  step->set_kind(v1::PEER_STEP_KIND_WITHDRAWN);
  EXPECT_EQ(apply(*tokyo_, forged).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tokyo_->domain.EventCount(), before);

  // A coordinator who does not share their name asks: the request names their municipality only.
  v1::PutProfileRequest quiet;
  quiet.mutable_profile()->set_name("名前を出さない人");
  quiet.mutable_profile()->set_role(v1::NETWORK_ROLE_COORDINATOR);
  auto anonymous = chofu_->network->PutProfile(quiet);
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  v1::AskPeerRequest ask;
  ask.set_asker_profile_id(anonymous->id());
  ask.mutable_recipient()->set_kind(v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK);
  ask.set_theme("テーマ");
  ask.set_question("質問");
  ASSERT_TRUE(chofu_->network->Ask(ask).ok());
  const auto asked = chofu_->domain.Events().back();
  EXPECT_EQ(asked.peer_request_published().request().asker().name(), "");
  EXPECT_EQ(asked.peer_request_published().request().asker().jurisdiction_code(), "132080");
  EXPECT_EQ(asked.SerializeAsString().find("名前を出さない人"), std::string::npos);
}

}  // namespace
}  // namespace renkei::network
