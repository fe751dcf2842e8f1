// Intake's domain logic, independent of gRPC (intake_service.h is the edge). Every command loads
// the consultation, checks the caller's expected_version (ABORTED when stale), applies the change
// and writes it with its de-identified events as one synced batch. Changes to one consultation
// are serialized by striped locks. Calls to the directory go through ResourceFinder.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "consultation_store.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/locks.h"
#include "renkei/common/vocabulary.h"
#include "resource_finder.h"

namespace renkei::intake {

struct IntakeOptions {
  std::string municipality_code;  // the instance's municipality
  int default_candidates = 5;     // per need, when the request gives none
  // renkei-network, for advice needs (not owned); null: matching refuses an advice need.
  CoordinatorFinder* coordinators = nullptr;
};

class Intake {
 public:
  Intake(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
         common::EventSource events, const common::CapabilityVocabulary* vocabulary,
         ResourceFinder* finder, IntakeOptions options,
         const common::Clock* clock = common::SystemClock::Get());

  absl::StatusOr<v1::Consultation> Create(const v1::CreateConsultationRequest& request);
  absl::StatusOr<v1::Consultation> Get(const std::string& id) const;
  absl::StatusOr<v1::ListConsultationsResponse> List(
      const v1::ListConsultationsRequest& request) const;
  absl::StatusOr<v1::Consultation> Update(const v1::UpdateConsultationRequest& request);
  absl::StatusOr<v1::Consultation> ChangeStatus(const v1::ChangeStatusRequest& request);
  absl::StatusOr<v1::Consultation> AddNeed(const v1::AddNeedRequest& request);
  absl::StatusOr<v1::MatchResourcesResponse> Match(const v1::MatchResourcesRequest& request);
  absl::StatusOr<v1::Consultation> Refer(const v1::ReferRequest& request);
  absl::StatusOr<v1::Consultation> RecordOutcome(const v1::RecordReferralOutcomeRequest& request);
  absl::StatusOr<v1::Consultation> AddFollowUp(const v1::AddFollowUpRequest& request);
  absl::StatusOr<v1::Consultation> CompleteFollowUp(const v1::CompleteFollowUpRequest& request);
  absl::StatusOr<v1::ListOverdueFollowUpsResponse> Overdue(
      const v1::ListOverdueFollowUpsRequest& request) const;
  absl::StatusOr<v1::Consultation> RaiseSeed(const v1::RaiseIssueSeedRequest& request);
  absl::StatusOr<v1::ListIssueSeedsResponse> Seeds(const v1::ListIssueSeedsRequest& request) const;
  absl::StatusOr<v1::Digest> Digest(const v1::GetDigestRequest& request) const;
  absl::StatusOr<v1::NeedGapReport> NeedGaps(const v1::GetNeedGapsRequest& request) const;

  // Retention: erases the personal fields of every consultation that ended (CLOSED or
  // UNRESOLVED) more than `retention_days` ago by the injected clock, in synced batches of at
  // most `batch_size`, each under the consultations' locks. The de-identified record stays byte
  // for byte (so the digest's counts, the list and the events already published are unchanged)
  // and nothing is published. When something was erased, the consultations' files are compacted
  // so the erased values leave the disk. Returns how many were erased; 0 days erases nothing.
  absl::StatusOr<int> ErasePersonalData(uint32_t retention_days, size_t batch_size = 500);

 private:
  using Events = std::vector<v1::EventEnvelope>;
  // Loads the consultation, checks id, version and (unless allow_closed) that it is open, lets
  // `change` modify it and add events, then commits with version + 1.
  // `answer_of` makes the command's answer from the changed consultation (default: itself).
  absl::StatusOr<v1::Consultation> Mutate(
      const std::string& id, int64_t expected_version, bool allow_closed,
      const std::function<absl::Status(v1::Consultation*, Events*)>& change,
      const std::function<std::unique_ptr<google::protobuf::Message>(const v1::Consultation&)>&
          answer_of = nullptr);
  v1::EventEnvelope NewEvent(const v1::Consultation& c) const;
  // Records a status change (history + consultation_closed when it ends).
  void SetStatus(v1::Consultation* c, v1::ConsultationStatus to, const std::string& reason,
                 Events* events) const;
  v1::Need MakeNeed(const v1::NewNeed& n, const std::string& consultation_id, Events* events,
                    const v1::Consultation& c) const;
  v1::Date Today() const;
  // FAILED_PRECONDITION naming `path`.advice when `need` is advice and no network service is
  // configured (it could never be matched).
  absl::Status CheckAdviceMatchable(const v1::NewNeed& need, const std::string& path) const;
  // Matching of an advice need: the coordinators of the network with its expertise who take peer
  // consultations (the municipality's own first, then lead coordinators), at most `per_need`.
  absl::StatusOr<v1::EventEnvelope> ProposeCoordinators(const v1::Consultation& c, v1::Need* need,
                                                        int per_need) const;
  // Fills the requester's institution (name, municipality) from the directory when it names one,
  // clears them when not. INVALID_ARGUMENT when the directory has no such resource.
  absl::Status ResolveInstitution(v1::Requester* requester) const;
  // The de-identified event of a seed just raised on `c`.
  v1::EventEnvelope SeedRaised(const v1::Consultation& c, const v1::IssueSeed& seed) const;

  const common::CapabilityVocabulary* vocabulary_;
  ResourceFinder* finder_;
  IntakeOptions options_;
  const common::Clock* clock_;
  common::EventSource events_;
  ConsultationStore store_;
  common::StripedLocks locks_;
};

}  // namespace renkei::intake
