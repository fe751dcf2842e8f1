// Persistence of the training service. Callers build one CommandBatch per command from the Put*
// calls below (with the events) and commit it; reads go straight to RocksDB.
//
// Column families: "trainings" (id -> Training, without seat counts), "ledgers" (training id ->
// TrainingLedger: seats, waitlist, quotas), "registrations" (id -> Registration),
// "participant_registrations" ((participant id, registration id) -> ""), "surveys" (registration
// id -> SurveyResponse), "skill_frameworks" (version -> SkillFramework),
// "training_registrations" ((training id, registration id) -> "": a training's registrations in
// registration order, ids being time-ordered), "active_participants" ((training id, participant
// id) -> registration id), plus the outbox's. Every record is stored through
// common::RecordSealer: participants' names and contacts, lecturers' names and free-text survey
// answers are sealed at rest. Index keys hold ids only (participant ids are the organization's
// ids, not names). Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/storage.pb.h"
#include "renkei/v1/training.pb.h"

namespace renkei::training {

class TrainingStore {
 public:
  static std::vector<std::string> ColumnFamilies();
  TrainingStore(common::Store* store, const common::RecordSealer* sealer);

  // NOT_FOUND (naming what) when absent.
  absl::StatusOr<v1::Training> GetTraining(const std::string& id) const;
  void PutTraining(common::Batch* batch, const v1::Training& training) const;
  absl::Status ForEachTraining(const std::function<bool(const v1::Training&)>& fn) const;

  // An empty ledger for a training that has none yet.
  absl::StatusOr<v1::TrainingLedger> GetLedger(const std::string& training_id) const;
  void PutLedger(common::Batch* batch, const v1::TrainingLedger& ledger) const;

  absl::StatusOr<v1::Registration> GetRegistration(const std::string& id) const;
  absl::StatusOr<std::optional<v1::Registration>> FindRegistration(const std::string& id) const {
    return registrations_.Find(id);
  }
  // Many at once, in the order of `ids`.
  absl::StatusOr<std::vector<v1::Registration>> GetRegistrations(
      const std::vector<std::string>& ids) const;
  void PutRegistration(common::Batch* batch, const v1::Registration& registration) const;
  // Registration ids of a participant, oldest first.
  absl::StatusOr<std::vector<std::string>> RegistrationsOf(const std::string& participant_id) const;

  // A training's registration ids, in registration order.
  absl::StatusOr<std::vector<std::string>> RegistrationIdsOf(const std::string& training_id) const;
  // The participant's active (confirmed or waiting) registration of the training, if any.
  absl::StatusOr<std::optional<std::string>> ActiveRegistration(
      const std::string& training_id, const std::string& participant_id) const;
  // A new registration: listed under its training and active for its participant.
  void AddToTraining(common::Batch* batch, const v1::Registration& r) const;
  // A cancelled registration is no longer active.
  void Deactivate(common::Batch* batch, const v1::Registration& r) const;

  absl::StatusOr<std::optional<v1::SurveyResponse>> GetSurvey(
      const std::string& registration_id) const;
  void PutSurvey(common::Batch* batch, const v1::SurveyResponse& survey) const;

  // The latest published framework, if any was stored.
  absl::StatusOr<std::optional<v1::SkillFramework>> LatestFramework() const;
  absl::StatusOr<std::optional<v1::SkillFramework>> GetFramework(int32_t version) const;
  void PutFramework(common::Batch* batch, const v1::SkillFramework& framework) const;

  common::Store* store() const { return store_; }
  const common::Table<v1::Training>& trainings() const { return trainings_; }
  // Anonymous awareness answer sheets: "<training id>/<sheet id>" (public events).
  const common::Table<v1::SubmitAwarenessAnswersRequest>& awareness() const { return awareness_; }
  static constexpr char kSecretsFamily[] = "training_secrets";

 private:
  common::Store* store_;
  common::Table<v1::Training> trainings_;
  common::Table<v1::TrainingLedger> ledgers_;
  common::Table<v1::Registration> registrations_;
  common::Table<v1::SurveyResponse> surveys_;
  common::Table<v1::SkillFramework> frameworks_;
  common::Table<v1::SubmitAwarenessAnswersRequest> awareness_;
  common::ColumnFamily by_participant_, by_training_, active_;
};

}  // namespace renkei::training
