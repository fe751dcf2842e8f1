// Resource surveys (在宅医療・介護資源調査, resource_survey.proto): campaigns, one invitation and
// answer link per resource, the providers' drafts and submissions, the coordinator's review that
// writes accepted answers into the directory, reminders and letters.
//
// Storage (sealed at rest): "survey_campaigns" (id -> ResourceSurveyCampaign), "survey_secrets"
// (campaign id -> its 32-byte link secret), "survey_invitations" (id -> ResourceSurveyInvitation;
// the id is derived from campaign and resource). Every command is one synced batch with its
// event (local share: ids and counts only) and its audit record (who, which step, which record).
//
// Links: "<invitation id>.<22 characters>" — base64url of the first 16 bytes of
// HMAC-SHA256(secret, "<invitation id>:<link generation>"). A reissue counts the generation up,
// so the old link stops working; revocation and expiry are checked on every use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "directory.h"
#include "google/protobuf/wrappers.pb.h"
#include "renkei/common/audit.h"
#include "renkei/common/clock.h"
#include "renkei/common/locks.h"
#include "renkei/common/mail.h"
#include "renkei/common/table.h"
#include "renkei/v1/resource_survey.pb.h"

namespace renkei::directory {

struct SurveyOptions {
  std::string municipality_code;  // the instance's; empty: surveys are refused (not a municipality)
  std::string link_origin;        // "https://renkei.city.example.lg.jp"
};

class ResourceSurveys {
 public:
  static std::vector<std::string> ColumnFamilies();

  // `mailer` may be null (no SMTP server: reminders are letters); `audit` may be null (tests).
  ResourceSurveys(Directory* directory, common::Outbox* outbox, const common::RecordSealer* sealer,
                  common::EventSource events, common::AuditLog* audit, common::Mailer* mailer,
                  SurveyOptions options, const common::Clock* clock = common::SystemClock::Get());

  absl::StatusOr<v1::ResourceSurveyCampaign> Start(const v1::StartResourceSurveyRequest& r);
  absl::StatusOr<v1::ResourceSurveyCampaign> Get(const v1::GetResourceSurveyRequest& r) const;
  absl::StatusOr<v1::ListResourceSurveysResponse> List() const;
  absl::StatusOr<v1::ListResourceSurveyInvitationsResponse> ListInvitations(
      const v1::ListResourceSurveyInvitationsRequest& r) const;
  absl::StatusOr<v1::ResourceSurveyLetters> Letters(
      const v1::RenderResourceSurveyLettersRequest& r) const;
  absl::StatusOr<v1::ResourceSurveyInvitation> Revoke(const v1::RevokeResourceSurveyLinkRequest& r);
  absl::StatusOr<v1::ResourceSurveyInvitation> Reissue(
      const v1::ReissueResourceSurveyLinkRequest& r);
  absl::StatusOr<v1::ResourceSurveyInvitation> Review(
      const v1::ReviewResourceSurveyAnswerRequest& r);
  absl::StatusOr<v1::RemindResourceSurveyResponse> Remind(const v1::RemindResourceSurveyRequest& r);
  // The liaison contacts of the municipality's resources as a CSV contact list.
  absl::StatusOr<v1::LiaisonContactList> ExportLiaisonContacts(
      const v1::ExportLiaisonContactsRequest& r) const;

  // The provider's form.
  absl::StatusOr<v1::ResourceSurveyForm> Open(const v1::OpenResourceSurveyFormRequest& r) const;
  absl::StatusOr<v1::ResourceSurveyForm> Save(const v1::SaveResourceSurveyAnswerRequest& r);

  // The answer link of an invitation (tests; letters use it).
  absl::StatusOr<std::string> LinkOf(const v1::ResourceSurveyInvitation& invitation) const;

 private:
  struct Loaded {
    v1::ResourceSurveyCampaign campaign;
    v1::ResourceSurveyInvitation invitation;
  };
  // The invitation and campaign a token names, once its MAC, revocation and expiry are checked.
  absl::StatusOr<Loaded> Authenticate(const std::string& token) const;
  absl::StatusOr<std::string> Token(const v1::ResourceSurveyInvitation& invitation) const;
  absl::StatusOr<v1::ResourceSurveyCampaign> LoadCampaign(const std::string& id,
                                                          std::string_view field) const;
  absl::StatusOr<std::vector<v1::ResourceSurveyInvitation>> InvitationsOf(
      const std::string& campaign_id) const;
  v1::ResourceSurveyProgress Progress(
      const std::vector<v1::ResourceSurveyInvitation>& invitations) const;
  v1::ResourceSurveyForm Form(const Loaded& loaded, const v1::Resource* resource) const;
  // An answer's fields the campaign asks, checked (violations under `path`).
  void ValidateAnswer(const v1::ResourceSurveyAnswer& a, const v1::ResourceSurveyQuestions& q,
                      const std::string& path, common::FieldViolations* v) const;
  std::vector<v1::ResourceSurveyComparison> Compare(const v1::ResourceSurveyAnswer& a,
                                                    const v1::ResourceSurveyQuestions& q,
                                                    const v1::Resource& r) const;
  std::string LettersHtml(const v1::ResourceSurveyCampaign& campaign,
                          const std::vector<v1::ResourceSurveyInvitation>& invitations,
                          bool reminder) const;
  // Commits the invitation's new state with its event and the audit record of `rpc` (the
  // method's name) as the command's answer.
  absl::StatusOr<v1::ResourceSurveyInvitation> CommitInvitation(
      common::CommandBatch* cmd, const v1::ResourceSurveyInvitation& invitation,
      const v1::EventEnvelope& event, std::string_view rpc) const;
  // An event of the campaign's aggregate (shared locally).
  v1::EventEnvelope SurveyEvent(const std::string& campaign_id, int64_t version) const;
  // The invitation a staff command changes: a well-formed id, the version the caller read.
  absl::StatusOr<v1::ResourceSurveyInvitation> LoadInvitation(const std::string& id,
                                                              int64_t expected_version) const;
  // The audit record of a step: the caller, the method, the record it changed.
  void Audit(common::CommandBatch* cmd, std::string_view rpc, std::string_view record_type,
             std::string_view record_id) const;
  v1::Date Today() const;

  Directory* directory_;
  common::Outbox* outbox_;
  common::EventSource events_;
  common::AuditLog* audit_;
  common::Mailer* mailer_;
  SurveyOptions options_;
  const common::Clock* clock_;
  common::Table<v1::ResourceSurveyCampaign> campaigns_;
  common::Table<google::protobuf::BytesValue> secrets_;
  common::Table<v1::ResourceSurveyInvitation> invitations_;
  mutable common::StripedLocks locks_;
};

}  // namespace renkei::directory
