#include "resource_survey.h"

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/qr.h"
#include "renkei/common/validation.h"
#include "resource_store.h"
#include "testing.h"

namespace renkei::directory {
namespace {

using renkei::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records what it was asked to send (the survey integration test sends to a real SMTP server).
class RecordingMailer : public common::Mailer {
 public:
  absl::Status Send(const common::MailMessage& m) override {
    if (refuse) return absl::UnavailableError("refused");
    sent.push_back(m);
    return absl::OkStatus();
  }
  std::vector<common::MailMessage> sent;
  bool refuse = false;
};

std::vector<std::string> AllFamilies() {
  auto cfs = ResourceStore::ColumnFamilies();
  for (auto& cf : ResourceSurveys::ColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

class ResourceSurveyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261207)) +
                     10LL * 3600 * 1000000);
    DirectoryOptions options;
    directory_ = std::make_unique<Directory>(domain_.store.get(), domain_.outbox.get(),
                                             common::EventSource{"m132250", &clock_}, &vocab_,
                                             options, &clock_);
    ASSERT_TRUE(directory_->LoadIndex().ok());
    SurveyOptions survey;
    survey.municipality_code = "132250";
    survey.link_origin = "https://renkei.city.inagi.example.jp";
    surveys_ = std::make_unique<ResourceSurveys>(
        directory_.get(), domain_.outbox.get(), domain_.sealer.get(),
        common::EventSource{"m132250", &clock_}, nullptr, &mailer_, survey, &clock_);
    clinic_ = Add("稲城の診療所", v1::RESOURCE_KIND_CLINIC, "132250", {"home_visit_medical"},
                  "clinic@example.jp");
    station_ = Add("稲城の訪問看護", v1::RESOURCE_KIND_VISITING_NURSE_STATION, "132250",
                   {"home_visit_nursing"}, "");
    Add("調布の診療所", v1::RESOURCE_KIND_CLINIC, "132080", {}, "");
  }

  std::string Add(const std::string& name, v1::ResourceKind kind, const std::string& code,
                  const std::vector<std::string>& caps, const std::string& email) {
    v1::UpsertResourceRequest req;
    auto* r = req.mutable_resource();
    r->set_kind(kind);
    r->set_name(name);
    r->set_address("東京都稲城市東長沼2111");
    r->set_municipality_code(code);
    for (const auto& c : caps) r->add_capabilities(c);
    r->mutable_contact()->set_email(email);
    auto out = directory_->Upsert(req);
    EXPECT_TRUE(out.ok()) << out.status();
    return out->resource().id();
  }

  v1::StartResourceSurveyRequest Campaign() {
    v1::StartResourceSurveyRequest r;
    r.set_name("令和8年度 在宅医療・介護資源調査");
    *r.mutable_deadline() = common::DateFromNumber(20261225);
    r.mutable_targets()->add_kinds(v1::RESOURCE_KIND_CLINIC);
    r.mutable_targets()->add_kinds(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
    auto* q = r.mutable_questions();
    q->add_capabilities("parkinsons");
    q->add_capabilities("home_visit_medical");
    q->add_capabilities("home_visit_nursing");
    q->set_accepting_new_patients(true);
    q->set_liaison(true);
    q->set_note(true);
    r.set_contact_text("稲城市 高齢福祉課 042-378-2111");
    return r;
  }

  // The invitation of `resource_id` and the token of its link.
  std::pair<v1::ResourceSurveyInvitation, std::string> InvitationOf(const std::string& campaign,
                                                                    const std::string& resource) {
    v1::ListResourceSurveyInvitationsRequest q;
    q.set_campaign_id(campaign);
    auto list = surveys_->ListInvitations(q);
    EXPECT_TRUE(list.ok()) << list.status();
    for (const auto& i : list->invitations()) {
      if (i.resource_id() != resource) continue;
      auto link = surveys_->LinkOf(i);
      EXPECT_TRUE(link.ok());
      return {i, link->substr(link->find("#t=") + 3)};
    }
    ADD_FAILURE() << "no invitation for " << resource;
    return {};
  }

  v1::SaveResourceSurveyAnswerRequest Answer(const std::string& token, bool submit) {
    v1::SaveResourceSurveyAnswerRequest r;
    r.set_token(token);
    r.set_submit(submit);
    auto* a = r.mutable_answer();
    a->add_capabilities("parkinsons");
    a->add_capabilities("home_visit_medical");
    a->set_accepting_new_patients(v1::ACCEPTANCE_ACCEPTING);
    a->mutable_liaison()->set_department("地域連携室");
    a->mutable_liaison()->set_phone("042-377-0001");
    a->mutable_liaison()->set_internal(true);
    a->set_note("土曜午前も往診できます");
    return r;
  }

  renkei::testing::TempDir tmp_;
  renkei::testing::DomainStore domain_{tmp_.Sub("db"), AllFamilies()};
  common::FakeClock clock_;
  CapabilityVocabulary vocab_{{}};
  RecordingMailer mailer_;
  std::unique_ptr<Directory> directory_;
  std::unique_ptr<ResourceSurveys> surveys_;
  std::string clinic_, station_;
};

TEST_F(ResourceSurveyTest, ACampaignInvitesEachResourceOfItsKindsInTheMunicipality) {
  auto c = surveys_->Start(Campaign());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->progress().invited(), 2);  // 調布's clinic is another municipality's
  EXPECT_EQ(common::DateNumber(c->links_expire_on()), 20270108);  // deadline + 14 days
  EXPECT_EQ(domain_.EventTypes().back(), "resource_survey_started");
  auto [invitation, token] = InvitationOf(c->id(), clinic_);
  EXPECT_EQ(invitation.state(), v1::RESOURCE_SURVEY_STATE_NOT_ANSWERED);
  EXPECT_THAT(token, ::testing::StartsWith(invitation.id() + "."));
  EXPECT_EQ(token.size(), invitation.id().size() + 1 + 22);

  auto refused = Campaign();
  refused.clear_name();
  *refused.mutable_deadline() = common::DateFromNumber(20261201);
  refused.mutable_targets()->add_resource_ids(clinic_);
  std::vector<std::string> fields;
  for (const auto& [f, why] : common::FieldViolationsOf(surveys_->Start(refused).status())) {
    fields.push_back(f);
  }
  EXPECT_THAT(fields, ElementsAre("name", "deadline", "targets.resource_ids"));
}

TEST_F(ResourceSurveyTest, TheProviderSavesADraftSubmitsOnceAndTheCoordinatorAccepts) {
  auto c = surveys_->Start(Campaign());
  ASSERT_TRUE(c.ok());
  auto [invitation, token] = InvitationOf(c->id(), clinic_);

  v1::OpenResourceSurveyFormRequest open;
  open.set_token(token);
  auto form = surveys_->Open(open);
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_EQ(form->municipality_name(), "稲城市");
  EXPECT_EQ(form->resource().name(), "稲城の診療所");
  EXPECT_THAT(form->answer().capabilities(), ElementsAre("home_visit_medical"));  // pre-filled
  ASSERT_EQ(form->capability_choices_size(), 3);

  auto draft = surveys_->Save(Answer(token, /*submit=*/false));
  ASSERT_TRUE(draft.ok()) << draft.status();
  EXPECT_EQ(draft->state(), v1::RESOURCE_SURVEY_STATE_DRAFT);
  EXPECT_EQ(surveys_->Open(open)->answer().note(), "土曜午前も往診できます");

  // A malformed answer changes nothing and names its fields.
  auto bad = Answer(token, true);
  bad.mutable_answer()->add_capabilities("dementia");  // not asked
  bad.mutable_answer()->mutable_liaison()->set_email("renkei at example");
  std::vector<std::string> fields;
  for (const auto& [f, why] : common::FieldViolationsOf(surveys_->Save(bad).status())) {
    fields.push_back(f);
  }
  EXPECT_THAT(fields, ElementsAre("answer.capabilities[2]", "answer.liaison.email"));
  EXPECT_EQ(surveys_->Open(open)->state(), v1::RESOURCE_SURVEY_STATE_DRAFT);

  clock_.AdvanceMicros(86400LL * 1000000);  // submitted on 12-08
  auto submitted = surveys_->Save(Answer(token, true));
  ASSERT_TRUE(submitted.ok());
  EXPECT_EQ(submitted->state(), v1::RESOURCE_SURVEY_STATE_SUBMITTED);
  EXPECT_EQ(domain_.EventTypes().back(), "resource_survey_answered");
  auto twice = surveys_->Save(Answer(token, true));
  EXPECT_THAT(twice.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(common::ErrorReasonOf(twice.status()), "SURVEY_ALREADY_SUBMITTED");

  // The review queue compares answer and directory field by field.
  v1::ListResourceSurveyInvitationsRequest queue;
  queue.set_campaign_id(c->id());
  queue.set_state(v1::RESOURCE_SURVEY_STATE_SUBMITTED);
  auto waiting = surveys_->ListInvitations(queue);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->invitations_size(), 1);
  const auto& cmp = waiting->invitations(0).comparison();
  ASSERT_GE(cmp.size(), 3);
  EXPECT_EQ(cmp[0].label(), "対応できること");
  EXPECT_EQ(cmp[0].directory_value(), "訪問診療");
  EXPECT_EQ(cmp[0].answer_value(), "パーキンソン病、訪問診療");
  EXPECT_TRUE(cmp[0].differs());

  v1::ReviewResourceSurveyAnswerRequest review;
  review.set_invitation_id(invitation.id());
  review.set_expected_version(waiting->invitations(0).version());
  review.set_decision(v1::RESOURCE_SURVEY_DECISION_ACCEPT);
  auto accepted = surveys_->Review(review);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->state(), v1::RESOURCE_SURVEY_STATE_ACCEPTED);
  auto resource = directory_->Get(clinic_);
  ASSERT_TRUE(resource.ok());
  EXPECT_EQ(resource->version(), accepted->applied_resource_version());
  EXPECT_THAT(resource->capabilities(), ElementsAre("home_visit_medical", "parkinsons"));
  for (const auto& p : resource->capability_provenance()) {
    EXPECT_EQ(p.source(), v1::CAPABILITY_SOURCE_SURVEY) << p.capability();
    EXPECT_EQ(common::DateNumber(p.as_of()), 20261208);
  }
  EXPECT_EQ(common::DateNumber(resource->source().last_verified()), 20261208);
  EXPECT_EQ(resource->accepting_new_patients(), v1::ACCEPTANCE_ACCEPTING);
  EXPECT_EQ(resource->liaison().department(), "地域連携室");
  EXPECT_TRUE(resource->liaison().internal());
  auto types = domain_.EventTypes();
  EXPECT_THAT(std::vector<std::string>(types.end() - 2, types.end()),
              ElementsAre("resource_upserted", "resource_survey_reviewed"));
  // Search finds the surveyed clinic for Parkinson's, verified.
  v1::SearchResourcesRequest q;
  q.add_capabilities("parkinsons");
  q.set_municipality_code("132250");
  auto hits = directory_->Search(q);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->hits_size(), 1);
  EXPECT_TRUE(hits->hits(0).verified());

  auto again = surveys_->Review(review);
  EXPECT_THAT(again.status(), StatusIs(absl::StatusCode::kAborted));
  auto progress = surveys_->Get([&] {
    v1::GetResourceSurveyRequest g;
    g.set_id(c->id());
    return g;
  }());
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ(progress->progress().answered(), 1);
  EXPECT_EQ(progress->progress().accepted(), 1);
  EXPECT_DOUBLE_EQ(progress->progress().response_rate(), 0.5);
  ASSERT_EQ(progress->progress().by_kind_size(), 2);
  EXPECT_EQ(progress->progress().by_kind(0).label(), "診療所");
  EXPECT_DOUBLE_EQ(progress->progress().by_kind(0).rate(), 1.0);
  EXPECT_DOUBLE_EQ(progress->progress().by_kind(1).rate(), 0.0);
}

TEST_F(ResourceSurveyTest, AnEditedAnswerIsAppliedAsEditedAndARejectionNeedsAReason) {
  auto c = surveys_->Start(Campaign());
  ASSERT_TRUE(c.ok());
  auto [invitation, token] = InvitationOf(c->id(), station_);
  ASSERT_TRUE(surveys_->Save(Answer(token, true)).ok());
  v1::ReviewResourceSurveyAnswerRequest review;
  review.set_invitation_id(invitation.id());
  review.set_expected_version(invitation.version() + 1);
  review.set_decision(v1::RESOURCE_SURVEY_DECISION_REJECT);
  EXPECT_EQ(common::FieldViolationsOf(surveys_->Review(review).status())[0].first, "note");
  review.set_decision(v1::RESOURCE_SURVEY_DECISION_ACCEPT);
  auto* edited = review.mutable_edited();
  edited->add_capabilities("home_visit_nursing");  // a nurse station: not Parkinson's doctors
  edited->set_accepting_new_patients(v1::ACCEPTANCE_NOT_ACCEPTING);
  auto accepted = surveys_->Review(review);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  auto resource = directory_->Get(station_);
  EXPECT_THAT(resource->capabilities(), ElementsAre("home_visit_nursing"));
  EXPECT_EQ(resource->accepting_new_patients(), v1::ACCEPTANCE_NOT_ACCEPTING);
  EXPECT_FALSE(resource->has_liaison());  // the edited values had none
}

TEST_F(ResourceSurveyTest, ExpiredRevokedAndForgedLinksAreRefusedAndReissuingReplacesOne) {
  auto c = surveys_->Start(Campaign());
  ASSERT_TRUE(c.ok());
  auto [invitation, token] = InvitationOf(c->id(), clinic_);
  v1::OpenResourceSurveyFormRequest open;
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  open.set_token(forged);
  EXPECT_EQ(common::ErrorReasonOf(surveys_->Open(open).status()), "SURVEY_LINK_INVALID");
  open.set_token("rsi_nonsense");
  EXPECT_EQ(common::FieldViolationsOf(surveys_->Open(open).status())[0].first, "token");
  EXPECT_EQ(common::ErrorReasonOf(surveys_->Open(open).status()), "SURVEY_LINK_INVALID");

  v1::RevokeResourceSurveyLinkRequest revoke;
  revoke.set_invitation_id(invitation.id());
  revoke.set_expected_version(invitation.version());
  auto revoked = surveys_->Revoke(revoke);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  open.set_token(token);
  auto refused = surveys_->Open(open);
  EXPECT_EQ(common::ErrorReasonOf(refused.status()), "SURVEY_LINK_INVALID");
  EXPECT_THAT(refused.status().message(), HasSubstr("無効"));

  v1::ReissueResourceSurveyLinkRequest reissue;
  reissue.set_invitation_id(invitation.id());
  reissue.set_expected_version(revoked->version());
  auto reissued = surveys_->Reissue(reissue);
  ASSERT_TRUE(reissued.ok()) << reissued.status();
  EXPECT_EQ(reissued->link_generation(), 1);
  EXPECT_EQ(reissued->state(), v1::RESOURCE_SURVEY_STATE_NOT_ANSWERED);
  EXPECT_EQ(common::ErrorReasonOf(surveys_->Open(open).status()), "SURVEY_LINK_INVALID");
  auto [now, new_token] = InvitationOf(c->id(), clinic_);
  open.set_token(new_token);
  EXPECT_TRUE(surveys_->Open(open).ok());

  // Past the link's last day (2027-01-08): expired, and saying until when it was valid.
  clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20270109)));
  auto expired = surveys_->Save(Answer(new_token, true));
  EXPECT_EQ(common::ErrorReasonOf(expired.status()), "SURVEY_LINK_EXPIRED");
  EXPECT_THAT(expired.status().message(), HasSubstr("2027年1月8日"));
}

TEST_F(ResourceSurveyTest, RemindersGoByMailWhereThereIsAnAddressAndAsLettersElsewhere) {
  auto c = surveys_->Start(Campaign());
  ASSERT_TRUE(c.ok());
  v1::RemindResourceSurveyRequest remind;
  remind.set_campaign_id(c->id());
  auto out = surveys_->Remind(remind);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->emailed(), 1);
  EXPECT_EQ(out->letters(), 1);
  ASSERT_EQ(mailer_.sent.size(), 1u);
  EXPECT_EQ(mailer_.sent[0].to, "clinic@example.jp");
  EXPECT_THAT(mailer_.sent[0].subject, HasSubstr("【稲城市】"));
  EXPECT_THAT(mailer_.sent[0].body,
              HasSubstr("https://renkei.city.inagi.example.jp/survey/#t=rsi_"));
  EXPECT_THAT(out->printable().html(), HasSubstr("稲城の訪問看護"));
  EXPECT_THAT(out->printable().html(), HasSubstr("【再送】"));
  EXPECT_THAT(out->printable().html(), ::testing::Not(HasSubstr("稲城の診療所")));
  auto [invitation, token] = InvitationOf(c->id(), clinic_);
  EXPECT_EQ(invitation.reminders(), 1);

  // A refusing server: the reminder becomes a letter.
  mailer_.refuse = true;
  auto again = surveys_->Remind(remind);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->email_failed(), 1);
  EXPECT_EQ(again->letters(), 2);

  v1::RenderResourceSurveyLettersRequest letters;
  letters.set_campaign_id(c->id());
  auto rendered = surveys_->Letters(letters);
  ASSERT_TRUE(rendered.ok());
  EXPECT_EQ(rendered->letters(), 2);
  EXPECT_THAT(rendered->html(), HasSubstr("<svg"));
  EXPECT_THAT(rendered->html(), HasSubstr("2026年12月25日"));
  EXPECT_THAT(rendered->html(), HasSubstr("稲城市 高齢福祉課 042-378-2111"));
  letters.add_invitation_ids("rsi_00000000000000000000000000");
  EXPECT_EQ(common::FieldViolationsOf(surveys_->Letters(letters).status())[0].first,
            "invitation_ids[0]");
}

TEST(QrSvgTest, DrawsModulesForALink) {
  std::string svg = common::QrSvg("https://renkei.example.jp/survey/#t=rsi_x.y", "30mm",
                                  "回答用リンクの QR コード");
  EXPECT_THAT(svg, ::testing::StartsWith("<svg"));
  EXPECT_THAT(svg, HasSubstr("width=\"30mm\""));
  EXPECT_THAT(svg, HasSubstr("h1v1h-1z"));
}

TEST_F(ResourceSurveyTest, LiaisonContactsExportAsACsvContactListKeepingInternalOnesOut) {
  // The clinic's 地域連携室 (public), the station's line for professionals only, and a name that
  // would be a formula in Excel.
  auto edit = [&](const std::string& id, const std::string& department, bool internal) {
    auto r = directory_->Get(id);
    ASSERT_TRUE(r.ok());
    v1::UpsertResourceRequest up;
    *up.mutable_resource() = *r;
    up.set_expected_version(r->version());
    up.mutable_resource()->mutable_liaison()->set_department(department);
    up.mutable_resource()->mutable_liaison()->set_phone("042-378-2111");
    up.mutable_resource()->mutable_liaison()->set_internal(internal);
    auto changed = directory_->Upsert(up);
    ASSERT_TRUE(changed.ok()) << changed.status();
  };
  edit(clinic_, "地域連携室", false);
  edit(station_, "=HYPERLINK(\"http://x\")", true);
  v1::ExportLiaisonContactsRequest r;
  auto list = surveys_->ExportLiaisonContacts(r);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rows(), 1);
  EXPECT_EQ(list->file_name(), "連携窓口一覧_132250_20261207.csv");
  EXPECT_EQ(list->content().substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_THAT(list->content(),
              HasSubstr("稲城の診療所,診療所,東京都稲城市東長沼2111,地域連携室,042-378-2111"));
  EXPECT_THAT(list->content(), ::testing::Not(HasSubstr("HYPERLINK")));
  r.set_include_internal(true);
  list = surveys_->ExportLiaisonContacts(r);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->rows(), 2);
  EXPECT_EQ(list->internal_rows(), 1);
  // Never a formula: the cell starts with an apostrophe (and is quoted for its comma-free quotes).
  EXPECT_THAT(list->content(), HasSubstr("'=HYPERLINK"));
}

}  // namespace
}  // namespace renkei::directory
