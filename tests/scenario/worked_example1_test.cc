// Worked example 1 of DOMAIN.md (Inagi City, 132250), end to end through the public gRPC API of
// the real renkei-directory and renkei-intake binaries, a real nats-server, and the real
// facilities of reference-data/:
//
//   a care manager asks for a home-visit physician strong in Parkinson's disease; nothing in
//   Inagi offers both; the nearest are outside, with their distance; the coordinator refers to
//   one (too far, declined), sets a follow-up question for the care manager, records the seed of
//   a regional issue; the digest for the regular meeting shows all of it.
//
// Then: every message the scenario published to JetStream is read back, and none of them holds
// any of the personal data entered (names, contacts, birth date, address, narrative, notes); nor
// does any file of the services' RocksDB directories, their logs or the JetStream store
// (acceptance 2 of issue 8, at_rest_scan.h).
#include <set>

#include "at_rest_scan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/dates.h"
#include "renkei/common/events.h"
#include "renkei/common/personal.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/resource_survey.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::AllOf;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInagi[] = "132250";

// Whether a message holds, anywhere, a Date with these values or a string containing `text`.
bool Holds(const google::protobuf::Message& m, const std::string& text, const v1::Date* date) {
  const auto* r = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  if (date != nullptr) {
    if (const auto* d = dynamic_cast<const v1::Date*>(&m)) {
      if (d->year() == date->year() && d->month() == date->month() && d->day() == date->day())
        return true;
    }
  }
  for (const auto* f : fields) {
    const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
        std::string v = f->is_repeated() ? r->GetRepeatedString(m, f, i) : r->GetString(m, f);
        if (!text.empty() && v.find(text) != std::string::npos) return true;
      } else if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
        const auto& sub = f->is_repeated() ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f);
        if (Holds(sub, text, date)) return true;
      }
    }
  }
  return false;
}

class WorkedExample1 : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    instance_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), kInagi);
    ASSERT_TRUE(instance_->Start("directory").ok());
    ASSERT_TRUE(instance_->Start("intake").ok());
    directory_ = v1::DirectoryService::NewStub(instance_->channel("directory"));
    intake_ = v1::IntakeService::NewStub(instance_->channel("intake"));
  }
  void TearDown() override {
    if (instance_) {
      for (const char* s : {"intake", "directory"}) {
        if (instance_->process(s)) instance_->process(s)->Terminate();
      }
    }
  }

  template <typename Req, typename Resp>
  Resp Call(grpc::Status (v1::IntakeService::Stub::*method)(grpc::ClientContext*, const Req&,
                                                            Resp*),
            const Req& req) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    Resp resp;
    grpc::Status s = ((*intake_).*method)(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> instance_;
  std::unique_ptr<v1::DirectoryService::Stub> directory_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
};

TEST_F(WorkedExample1, FromTheCareManagersCallToTheMeetingDigest) {
  auto imported = ImportRealData(*directory_);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_GT(*imported, 128000);

  const v1::Date today = common::TokyoDate(common::SystemClock::Get()->NowMicros());
  auto day = [&](int offset) {
    return common::TokyoDate(common::TokyoStartOfDay(today) + offset * 86400LL * 1000000);
  };

  // 1. The care manager's call (相談受付).
  v1::CreateConsultationRequest create;
  create.set_channel(v1::CHANNEL_PHONE);
  create.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
  create.mutable_requester()->set_name("ケアマネジャー 山田 花子");
  create.mutable_requester()->set_organization("稲城ひまわり居宅介護支援事業所");
  create.mutable_requester()->set_contact("042-378-5555");
  create.mutable_person()->set_name("稲城 一郎");
  *create.mutable_person()->mutable_birth_date() = common::DateFromNumber(19480312);
  create.mutable_person()->set_address("稲城市東長沼2111-7");
  create.mutable_person()->set_care_level(v1::CARE_LEVEL_CARE_2);
  create.mutable_person()->add_conditions(v1::CONDITION_CATEGORY_NEUROLOGICAL);
  create.set_narrative(
      "パーキンソン病。通院が難しくなってきたため、パーキンソン病に強い訪問診療医を探している。");
  auto* need = create.add_needs();
  need->set_capability("parkinsons");
  need->add_also_requires("home_visit_medical");
  v1::Consultation c = Call(&v1::IntakeService::Stub::CreateConsultation, create);
  ASSERT_FALSE(c.id().empty());
  // Every request that carried personal data, as sent (for the scans at the end).
  std::vector<std::unique_ptr<google::protobuf::Message>> sent;
  auto keep = [&](const google::protobuf::Message& r) {
    sent.emplace_back(r.New());
    sent.back()->CopyFrom(r);
  };
  keep(create);
  EXPECT_EQ(c.status(), v1::CONSULTATION_STATUS_RECEIVED);
  EXPECT_EQ(c.age_band(), v1::AGE_BAND_75_84);

  // Inagi has home-visit physicians and a neurologist, but no resource that is both.
  for (const char* cap : {"home_visit_medical", "parkinsons"}) {
    v1::SearchResourcesRequest q;
    q.add_capabilities(cap);
    q.set_municipality_code(kInagi);
    q.set_outside_fallback(v1::OUTSIDE_FALLBACK_NONE);
    grpc::ClientContext ctx;
    v1::SearchResourcesResponse r;
    ASSERT_TRUE(directory_->SearchResources(&ctx, q, &r).ok());
    EXPECT_GE(r.total_matches(), 1) << cap;
  }

  // 2. Matching: nothing inside Inagi, the nearest ones outside with their distance.
  v1::MatchResourcesRequest match;
  match.set_id(c.id());
  match.set_expected_version(c.version());
  c = Call(&v1::IntakeService::Stub::MatchResources, match).consultation();
  ASSERT_EQ(c.needs_size(), 1);
  const v1::Need& n = c.needs(0);
  EXPECT_TRUE(n.resource_gap());
  ASSERT_GE(n.candidates_size(), 2);
  for (const auto& cand : n.candidates()) {
    EXPECT_EQ(cand.relation(), v1::AREA_RELATION_OUTSIDE);
    EXPECT_NE(cand.municipality_code(), kInagi);
    EXPECT_TRUE(cand.has_distance_km());
  }
  EXPECT_EQ(n.candidates(0).name(), "てんかんと脳神経内科の訪問クリニック柏");
  EXPECT_EQ(n.candidates(0).municipality_code(), "122173");  // 柏市: too far for home visits
  EXPECT_NEAR(n.candidates(0).distance_km(), 49.7, 0.5);
  EXPECT_LT(n.candidates(0).distance_km(), n.candidates(1).distance_km());
  EXPECT_EQ(c.status(), v1::CONSULTATION_STATUS_MATCHED);
  ASSERT_EQ(c.seeds_size(), 1);  // the gap raised a seed by itself
  EXPECT_TRUE(c.seeds(0).automatic());

  // 3. Referral to the nearest outside, and its outcome: too far for home visits.
  v1::ReferRequest refer;
  refer.set_id(c.id());
  refer.set_expected_version(c.version());
  refer.set_need_id(n.id());
  refer.set_resource_id(n.candidates(0).resource_id());
  *refer.mutable_response_due() = day(7);
  c = Call(&v1::IntakeService::Stub::Refer, refer);
  EXPECT_EQ(c.status(), v1::CONSULTATION_STATUS_REFERRED);
  ASSERT_EQ(c.referrals_size(), 1);
  EXPECT_TRUE(c.referrals(0).outside_municipality());
  v1::RecordReferralOutcomeRequest outcome;
  outcome.set_id(c.id());
  outcome.set_expected_version(c.version());
  outcome.set_referral_id(c.referrals(0).id());
  outcome.set_outcome(v1::REFERRAL_OUTCOME_DECLINED);
  outcome.set_decline_reason(v1::DECLINE_REASON_TOO_FAR);
  outcome.set_note("約50kmあり訪問範囲外とのこと（山田様へ電話で回答）");
  c = Call(&v1::IntakeService::Stub::RecordReferralOutcome, outcome);
  keep(outcome);
  EXPECT_EQ(c.referrals(0).outcome(), v1::REFERRAL_OUTCOME_DECLINED);

  // 4. The follow-up question the coordinator had not asked yet, and one already late.
  v1::AddFollowUpRequest follow;
  follow.set_id(c.id());
  follow.set_expected_version(c.version());
  follow.set_task("ケアマネジャーに、一般の訪問診療医でも対応できるか確認する");
  follow.set_owner("コーディネーター 佐藤");
  *follow.mutable_due() = day(3);
  c = Call(&v1::IntakeService::Stub::AddFollowUp, follow);
  keep(follow);
  follow.set_expected_version(c.version());
  follow.set_task("協議会で医師・看護師の意見を聞く準備");
  *follow.mutable_due() = day(-1);
  c = Call(&v1::IntakeService::Stub::AddFollowUp, follow);
  keep(follow);
  EXPECT_EQ(c.follow_ups_size(), 2);

  // 5. The theme the region must solve (地域課題のタネ).
  v1::RaiseIssueSeedRequest seed;
  seed.set_id(c.id());
  seed.set_expected_version(c.version());
  seed.set_theme("訪問診療医やケアマネジャーが専門医に相談しやすい仕組みがない");
  seed.add_tags("専門医連携");
  seed.add_tags("パーキンソン病");
  seed.set_capability("parkinsons");
  c = Call(&v1::IntakeService::Stub::RaiseIssueSeed, seed);
  keep(seed);
  EXPECT_EQ(c.seeds_size(), 2);

  // 6. The digest for the regular meeting shows all of it.
  v1::GetDigestRequest digest_request;
  *digest_request.mutable_from() = day(-30);
  *digest_request.mutable_to() = today;
  v1::Digest d = Call(&v1::IntakeService::Stub::GetDigest, digest_request);
  EXPECT_EQ(d.consultations(), 1);
  auto count = [](const google::protobuf::RepeatedPtrField<v1::CountByKey>& rows,
                  const std::string& key) {
    for (const auto& r : rows) {
      if (r.key() == key) return r.count();
    }
    return -1;
  };
  EXPECT_EQ(count(d.by_source_type(), "SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER"), 1);
  EXPECT_EQ(count(d.by_capability(), "parkinsons"), 1);
  EXPECT_EQ(count(d.by_outcome(), "REFERRAL_OUTCOME_DECLINED"), 1);
  ASSERT_EQ(d.resource_gaps_size(), 1);
  EXPECT_EQ(d.resource_gaps(0).capability(), "parkinsons");
  EXPECT_EQ(d.resource_gaps(0).label(), "パーキンソン病＋訪問診療");  // the combination asked for
  EXPECT_EQ(d.resource_gaps(0).nearest_outside_name(), "てんかんと脳神経内科の訪問クリニック柏");
  ASSERT_EQ(d.referrals_outside_size(), 1);
  EXPECT_EQ(d.referrals_outside(0).resource_municipality_code(), "122173");
  ASSERT_EQ(d.overdue_follow_ups_size(), 1);
  EXPECT_EQ(d.overdue_follow_ups(0).follow_up().task(), "協議会で医師・看護師の意見を聞く準備");
  EXPECT_EQ(d.seeds_size(), 2);
  EXPECT_THAT(
      d.markdown(),
      AllOf(HasSubstr("ケアマネジャー／地域包括支援センター | 1"), HasSubstr("パーキンソン病"),
            HasSubstr("てんかんと脳神経内科の訪問クリニック柏"),
            HasSubstr("訪問診療医やケアマネジャーが専門医に相談しやすい仕組みがない"),
            HasSubstr("協議会で医師・看護師の意見を聞く準備"), HasSubstr("辞退")));

  // 7. The gap as the year's demand beside the supply (issue 19): one consultation asked for
  // Parkinson's with home visits and was matched only outside; nothing in or serving Inagi offers
  // both.
  v1::NeedGapReport gaps = Call(&v1::IntakeService::Stub::GetNeedGaps, v1::GetNeedGapsRequest());
  EXPECT_FALSE(gaps.supply_unavailable());
  ASSERT_GE(gaps.gaps_size(), 1);
  EXPECT_EQ(gaps.gaps(0).label(), "パーキンソン病＋訪問診療");
  EXPECT_EQ(gaps.gaps(0).consultations(), 1);
  EXPECT_EQ(gaps.gaps(0).matched_outside(), 1);
  EXPECT_TRUE(gaps.gaps(0).supply_gap());
  EXPECT_EQ(gaps.gaps(0).nearest_outside().name(), "てんかんと脳神経内科の訪問クリニック柏");

  // 8. Inagi surveys a home-visit clinic of a neighbouring city. It answers that it sees
  // Parkinson's patients at home and visits Inagi; the coordinator accepts the answer.
  auto surveys = v1::ResourceSurveyService::NewStub(instance_->channel("directory"));
  auto form = v1::ResourceSurveyService::NewStub(
      instance_->channel("directory", v1::ROLE_SERVICE));  // the gateway's public page
  v1::Resource neighbour;
  for (const char* city : {"132241", "132080", "132063", "132098"}) {  // 多摩, 調布, 府中, 町田
    v1::SearchResourcesRequest q;
    q.add_capabilities("home_visit_medical");
    q.set_municipality_code(city);
    q.set_area_match(v1::AREA_MATCH_LOCATED_IN);
    q.set_outside_fallback(v1::OUTSIDE_FALLBACK_NONE);
    grpc::ClientContext ctx;
    v1::SearchResourcesResponse r;
    ASSERT_TRUE(directory_->SearchResources(&ctx, q, &r).ok());
    if (r.hits_size() > 0) {
      neighbour = r.hits(0).resource();
      break;
    }
  }
  ASSERT_FALSE(neighbour.id().empty()) << "no home-visit clinic in the neighbouring cities";
  v1::StartResourceSurveyRequest start;
  start.set_name("在宅医療・介護資源調査 (近隣市の訪問診療)");
  *start.mutable_deadline() = day(14);
  start.mutable_targets()->add_resource_ids(neighbour.id());
  start.mutable_questions()->add_capabilities("parkinsons");
  start.mutable_questions()->add_capabilities("home_visit_medical");
  start.mutable_questions()->set_service_area(true);
  v1::ResourceSurveyCampaign campaign;
  {
    grpc::ClientContext ctx;
    auto s = surveys->StartResourceSurvey(&ctx, start, &campaign);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::ResourceSurveyLetters letters;
  {
    v1::RenderResourceSurveyLettersRequest r;
    r.set_campaign_id(campaign.id());
    grpc::ClientContext ctx;
    ASSERT_TRUE(surveys->RenderResourceSurveyLetters(&ctx, r, &letters).ok());
  }
  const size_t t = letters.html().find("#t=");
  ASSERT_NE(t, std::string::npos);
  v1::SaveResourceSurveyAnswerRequest answer;
  answer.set_token(letters.html().substr(t + 3, letters.html().find('<', t) - t - 3));
  answer.mutable_answer()->add_capabilities("parkinsons");
  answer.mutable_answer()->add_capabilities("home_visit_medical");
  answer.mutable_answer()->add_service_area(kInagi);
  answer.set_submit(true);
  {
    v1::ResourceSurveyForm saved;
    grpc::ClientContext ctx;
    auto s = form->SaveResourceSurveyAnswer(&ctx, answer, &saved);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(saved.state(), v1::RESOURCE_SURVEY_STATE_SUBMITTED);
  }
  {
    v1::ListResourceSurveyInvitationsRequest r;
    r.set_campaign_id(campaign.id());
    v1::ListResourceSurveyInvitationsResponse list;
    grpc::ClientContext ctx;
    ASSERT_TRUE(surveys->ListResourceSurveyInvitations(&ctx, r, &list).ok());
    ASSERT_EQ(list.invitations_size(), 1);
    v1::ReviewResourceSurveyAnswerRequest review;
    review.set_invitation_id(list.invitations(0).id());
    review.set_expected_version(list.invitations(0).version());
    review.set_decision(v1::RESOURCE_SURVEY_DECISION_ACCEPT);
    v1::ResourceSurveyInvitation reviewed;
    grpc::ClientContext ctx2;
    auto s = surveys->ReviewResourceSurveyAnswer(&ctx2, review, &reviewed);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // 9. The next such consultation: matching now ranks the surveyed clinic first, serving Inagi,
  // verified, with its distance from Inagi's office; no gap.
  v1::CreateConsultationRequest again;
  again.set_channel(v1::CHANNEL_PHONE);
  again.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
  auto* need2 = again.add_needs();
  need2->set_capability("parkinsons");
  need2->add_also_requires("home_visit_medical");
  v1::Consultation c2 = Call(&v1::IntakeService::Stub::CreateConsultation, again);
  v1::MatchResourcesRequest match2;
  match2.set_id(c2.id());
  match2.set_expected_version(c2.version());
  c2 = Call(&v1::IntakeService::Stub::MatchResources, match2).consultation();
  ASSERT_EQ(c2.needs_size(), 1);
  EXPECT_FALSE(c2.needs(0).resource_gap());
  ASSERT_GE(c2.needs(0).candidates_size(), 1);
  const v1::Candidate& first = c2.needs(0).candidates(0);
  EXPECT_EQ(first.resource_id(), neighbour.id());
  EXPECT_EQ(first.relation(), v1::AREA_RELATION_SERVES);
  EXPECT_TRUE(first.has_distance_km());
  EXPECT_LT(first.distance_km(), 15);
  EXPECT_THAT(first.reasons(), ::testing::Contains("verified"));
  // The demand now: two consultations, one matched only outside, one inside; supply serving 1.
  gaps = Call(&v1::IntakeService::Stub::GetNeedGaps, v1::GetNeedGapsRequest());
  ASSERT_GE(gaps.gaps_size(), 1);
  const v1::NeedGap* both = nullptr;
  for (const auto& g : gaps.gaps()) {
    if (g.label() == "パーキンソン病＋訪問診療") both = &g;
  }
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->consultations(), 2);
  EXPECT_EQ(both->matched_outside(), 1);
  EXPECT_EQ(both->matched_inside(), 1);
  EXPECT_FALSE(both->supply_gap());
  EXPECT_EQ(both->serving(), 1);

  // Acceptance 2: nothing personal on the bus. Every string of a personal field of the stored
  // consultation (requester, person, narrative, notes, tasks, owners, seed themes) and the birth
  // date in common spellings, against every message of the stream, raw and decoded.
  std::vector<std::string> personal = common::PersonalStrings(c);
  for (const char* extra : {"1948-03-12", "1948/03/12", "19480312", "昭和23年", "稲城市東長沼2111",
                            "042-378-5555", "山田", "稲城 一郎"}) {
    personal.push_back(extra);
  }
  ASSERT_GE(personal.size(), 12u);
  common::NatsOptions o;
  o.url = nats_->url();
  auto bus = common::NatsBus::Connect(o);
  ASSERT_TRUE(bus.ok());
  // Wait until the intake's events (at least: received, need, gap, seed, referral, outcome,
  // seed) are on the stream.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto st = (*bus)->GetStreamState("RENKEI_EVENTS");
        return st.ok() && st->messages >= static_cast<uint64_t>(*imported) + 7;
      },
      std::chrono::seconds(60)));
  auto messages = ReadStream(**bus, "RENKEI_EVENTS");
  std::set<std::string> intake_types;
  int scanned = 0;
  const v1::Date birth = common::DateFromNumber(19480312);
  for (const auto& m : messages) {
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    if (e.aggregate_type() != "consultation") continue;
    intake_types.insert(std::string(common::EventTypeOf(e)));
    EXPECT_EQ(e.share_level(), v1::SHARE_LEVEL_PREFECTURE);
    EXPECT_THAT(m.subject, HasSubstr("renkei.pref.m132250."));
    EXPECT_FALSE(Holds(e, "", &birth)) << "birth date in " << m.subject;
    for (const auto& p : personal) {
      EXPECT_EQ(m.data.find(p), std::string::npos) << "'" << p << "' in " << m.subject;
      EXPECT_FALSE(Holds(e, p, nullptr)) << "'" << p << "' in " << m.subject;
    }
    ++scanned;
  }
  EXPECT_EQ(intake_types,
            (std::set<std::string>{"consultation_received", "need_recorded", "resource_gap_found",
                                   "issue_seed_raised", "referral_made",
                                   "referral_outcome_recorded", "match_found"}));
  EXPECT_GE(scanned, 7);
  // Nor in the services' logs.
  for (const char* service : {"intake", "directory"}) {
    std::string log = ReadFile(instance_->log_path(service));
    for (const auto& p : personal)
      EXPECT_EQ(log.find(p), std::string::npos) << p << " in " << service << " log";
  }

  // Acceptance 2, at rest: every personal string of the requests sent, and the birth date as
  // protobuf would store it, in no file of either service's RocksDB directory (before and after
  // an uncompressed compaction), log, or the JetStream store. The controls — the name of the
  // facility the consultation was referred to, kept in the consultation's clear part, and a seed
  // tag — are found by the same scans.
  std::vector<const google::protobuf::Message*> requests;
  requests.reserve(sent.size());
  for (const auto& r : sent) requests.push_back(r.get());
  std::vector<std::string> entered = PersonalStringsOf(requests);
  ASSERT_GE(entered.size(), 12u);
  entered.push_back(birth.SerializeAsString());
  ExpectNothingPersonalAtRest(*instance_, {"intake", "directory"}, entered,
                              {{"intake", "てんかんと脳神経内科の訪問クリニック柏"},
                               {"intake", "専門医連携"},
                               {"directory", "てんかんと脳神経内科の訪問クリニック柏", true}});
  ExpectNothingPersonalInJetStreamFiles(*nats_, tmp_.Sub("nats"), entered, c.id());
}

}  // namespace
}  // namespace renkei::testing
