// Intake's RPCs over real gRPC (the intake and directory modules in this
// process on their ServiceHosts, a real nats-server):
// invalid transitions, unknown capabilities and enum values, a referral to a resource that does
// not exist, malformed ids, oversized or invalid UTF-8 text and stale versions are each answered
// with an error naming the field, and nothing is written.
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/dates.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class IntakeGrpcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = nats->release();
    instance_ = new InstanceProcesses(tmp_->Sub("inagi"), nats_->url(), InProcess());
    ASSERT_TRUE(instance_->Start("directory").ok());
    ASSERT_TRUE(instance_->Start("intake").ok());
    auto directory = v1::DirectoryService::NewStub(instance_->channel("directory"));
    v1::UpsertResourceRequest up;
    auto* r = up.mutable_resource();
    r->set_kind(v1::RESOURCE_KIND_CLINIC);
    r->set_name("稲城テスト内科");
    r->set_municipality_code("132250");
    r->add_capabilities("parkinsons");
    grpc::ClientContext ctx;
    v1::UpsertResourceResponse resp;
    ASSERT_TRUE(directory->UpsertResource(&ctx, up, &resp).ok());
    resource_id_ = new std::string(resp.resource().id());
  }
  static void TearDownTestSuite() {
    instance_->Stop("intake");
    instance_->Stop("directory");
    delete instance_;
    delete nats_;
    delete tmp_;
  }

  void SetUp() override {
    stub_ = v1::IntakeService::NewStub(instance_->channel("intake"));
    v1::CreateConsultationRequest r = Valid();
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->CreateConsultation(&ctx, r, &consultation_).ok());
    common::NatsOptions o;
    o.url = nats_->url();
    bus_ = std::move(*common::NatsBus::Connect(o));
    // The creation's two events (and everything before) are on the stream before the baseline.
    ASSERT_TRUE(WaitFor([&] { return StreamCount() >= published_ + 2; }));
    stream_before_ = SettledStreamCount();
    published_ = stream_before_;
    consultations_before_ = CountConsultations();
  }

  static v1::CreateConsultationRequest Valid() {
    v1::CreateConsultationRequest r;
    r.set_channel(v1::CHANNEL_PHONE);
    r.set_source_type(v1::SOURCE_TYPE_PATIENT_FAMILY);
    r.mutable_person()->set_name("テスト 太郎");
    r.add_needs()->set_capability("parkinsons");
    return r;
  }

  uint64_t StreamCount() { return testing::StreamCount(*bus_, "RENKEI_EVENTS"); }
  uint64_t SettledStreamCount() { return testing::SettledStreamCount(*bus_, "RENKEI_EVENTS"); }
  int CountConsultations() {
    v1::ListConsultationsRequest req;
    req.set_page_size(200);
    grpc::ClientContext ctx;
    v1::ListConsultationsResponse resp;
    EXPECT_TRUE(stub_->ListConsultations(&ctx, req, &resp).ok());
    return resp.consultations_size();
  }
  // Nothing was written since SetUp: no consultation, no change, no event.
  void ExpectNothingWritten() {
    EXPECT_EQ(CountConsultations(), consultations_before_);
    v1::GetConsultationRequest get;
    get.set_id(consultation_.id());
    grpc::ClientContext ctx;
    v1::Consultation now;
    ASSERT_TRUE(stub_->GetConsultation(&ctx, get, &now).ok());
    EXPECT_EQ(now.version(), consultation_.version());
    EXPECT_EQ(SettledStreamCount(), stream_before_);
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (v1::IntakeService::Stub::*method)(grpc::ClientContext*,
                                                                    const Req&, Resp*),
                    const Req& req) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Resp resp;
    return ((*stub_).*method)(&ctx, req, &resp);
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* instance_;
  static std::string* resource_id_;
  static uint64_t published_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
  std::unique_ptr<common::NatsBus> bus_;
  v1::Consultation consultation_;
  uint64_t stream_before_ = 0;
  int consultations_before_ = 0;
};

TempDir* IntakeGrpcTest::tmp_ = nullptr;
NatsServer* IntakeGrpcTest::nats_ = nullptr;
InstanceProcesses* IntakeGrpcTest::instance_ = nullptr;
std::string* IntakeGrpcTest::resource_id_ = nullptr;
uint64_t IntakeGrpcTest::published_ = 1;  // the directory's resource_upserted

TEST_F(IntakeGrpcTest, CreateNamesBadCodesEnumsDatesAndText) {
  v1::CreateConsultationRequest r = Valid();
  r.set_channel(static_cast<v1::Channel>(99));
  r.set_source_type(v1::SOURCE_TYPE_UNSPECIFIED);
  *r.mutable_person()->mutable_birth_date() = common::DateFromNumber(20260230);
  r.mutable_person()->set_care_level(static_cast<v1::CareLevel>(42));
  r.set_narrative(std::string(4001, 'x'));
  r.mutable_needs(0)->set_capability("telepathy");
  r.mutable_needs(0)->set_kind(static_cast<v1::ResourceKind>(500));
  grpc::Status s = Call(&v1::IntakeService::Stub::CreateConsultation, r);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s),
              ElementsAre("channel", "source_type", "person.birth_date", "person.care_level",
                          "narrative", "needs[0].capability", "needs[0].kind"));

  v1::CreateConsultationRequest utf = Valid();
  utf.mutable_requester()->set_contact("042\xFF");
  s = Call(&v1::IntakeService::Stub::CreateConsultation, utf);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("requester.contact"));
  ExpectNothingWritten();
}

TEST_F(IntakeGrpcTest, InvalidTransitionsAndStaleVersionsChangeNothing) {
  v1::ChangeStatusRequest req;
  req.set_id(consultation_.id());
  req.set_expected_version(consultation_.version());
  req.set_status(v1::CONSULTATION_STATUS_CLOSED);  // received -> closed
  grpc::Status s = Call(&v1::IntakeService::Stub::ChangeStatus, req);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("status"));
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("受付 から 終結 へは変更できません / transition not allowed: received -> closed"));

  req.set_status(static_cast<v1::ConsultationStatus>(42));
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::ChangeStatus, req)),
              ElementsAre("status"));

  req.set_status(v1::CONSULTATION_STATUS_ASSESSING);
  req.set_expected_version(consultation_.version() + 3);
  s = Call(&v1::IntakeService::Stub::ChangeStatus, req);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::ABORTED));
  EXPECT_THAT(s.error_message(), HasSubstr("stale version"));
  ExpectNothingWritten();
}

TEST_F(IntakeGrpcTest, ReferralsToUnknownResourcesAndMalformedIdsAreRejected) {
  v1::ReferRequest refer;
  refer.set_id(consultation_.id());
  refer.set_expected_version(consultation_.version());
  refer.set_need_id(consultation_.needs(0).id());
  refer.set_resource_id("res_01JZZZZZZZZZZZZZZZZZZZZZZZ");  // well-formed, not in the directory
  *refer.mutable_response_due() = common::DateFromNumber(29991231);
  grpc::Status s = Call(&v1::IntakeService::Stub::Refer, refer);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("resource_id"));

  refer.set_resource_id(*resource_id_);
  refer.set_need_id("need_bogus");
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::Refer, refer)), ElementsAre("need_id"));

  v1::GetConsultationRequest get;
  get.set_id("../con");
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::GetConsultation, get)),
              ElementsAre("id"));
  get.set_id("con_01JZZZZZZZZZZZZZZZZZZZZZZZ");
  EXPECT_THAT(Call(&v1::IntakeService::Stub::GetConsultation, get),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND));
  ExpectNothingWritten();
}

TEST_F(IntakeGrpcTest, NeedsSeedsFollowUpsAndDigestsNameTheirFields) {
  v1::AddNeedRequest need;
  need.set_id(consultation_.id());
  need.set_expected_version(consultation_.version());
  need.mutable_need()->set_capability("flying");
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::AddNeed, need)),
              ElementsAre("need.capability"));

  v1::RaiseIssueSeedRequest seed;
  seed.set_id(consultation_.id());
  seed.set_expected_version(consultation_.version());
  seed.set_theme(std::string(size_t{201} * 3, 'a'));
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::RaiseIssueSeed, seed)),
              ElementsAre("theme", "tags"));

  v1::AddFollowUpRequest follow;
  follow.set_id(consultation_.id());
  follow.set_expected_version(consultation_.version());
  follow.set_task("確認");
  *follow.mutable_due() = common::DateFromNumber(20261332);
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::AddFollowUp, follow)),
              ElementsAre("due"));

  v1::RecordReferralOutcomeRequest outcome;
  outcome.set_id(consultation_.id());
  outcome.set_expected_version(consultation_.version());
  outcome.set_referral_id("ref_01JZZZZZZZZZZZZZZZZZZZZZZZ");
  outcome.set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::RecordReferralOutcome, outcome)),
              ElementsAre("referral_id"));

  v1::GetDigestRequest digest;
  *digest.mutable_from() = common::DateFromNumber(20261130);
  *digest.mutable_to() = common::DateFromNumber(20261101);
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::GetDigest, digest)), ElementsAre("to"));

  v1::MatchResourcesRequest match;
  match.set_id(consultation_.id());
  match.set_expected_version(consultation_.version());
  match.set_candidates_per_need(99);
  EXPECT_THAT(ViolatedFields(Call(&v1::IntakeService::Stub::MatchResources, match)),
              ElementsAre("candidates_per_need"));
  ExpectNothingWritten();
}

}  // namespace
}  // namespace renkei::testing
