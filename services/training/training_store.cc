#include "training_store.h"

#include "renkei/common/consumer.h"
#include "renkei/common/errors.h"
#include "renkei/common/keys.h"
#include "renkei/common/mail_queue.h"
#include "renkei/common/outbox.h"
#include "renkei/common/status_macros.h"

namespace renkei::training {
namespace {

constexpr char kTrainings[] = "trainings";
constexpr char kLedgers[] = "ledgers";
constexpr char kRegistrations[] = "registrations";
constexpr char kByParticipant[] = "participant_registrations";
constexpr char kSurveys[] = "surveys";
constexpr char kFrameworks[] = "skill_frameworks";
constexpr char kByTraining[] = "training_registrations";
constexpr char kActive[] = "active_participants";
constexpr char kAwareness[] = "awareness_answers";

std::string FrameworkKey(int32_t version) {
  return common::KeyBuilder().U64(static_cast<uint64_t>(version)).Release();
}

}  // namespace

std::vector<std::string> TrainingStore::ColumnFamilies() {
  std::vector<std::string> cfs = {kTrainings,
                                  kLedgers,
                                  kRegistrations,
                                  kByParticipant,
                                  kSurveys,
                                  kFrameworks,
                                  kByTraining,
                                  kActive,
                                  kAwareness,
                                  kSecretsFamily,
                                  common::MailQueue::kFamily};
  for (auto& cf : common::OutboxColumnFamilies()) cfs.push_back(cf);
  // Federation: the inbox of the consumers of trainings and registrations from other instances.
  for (auto& cf : common::InboxColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

TrainingStore::TrainingStore(common::Store* store, const common::RecordSealer* sealer)
    : store_(store),
      trainings_(store, sealer, kTrainings, {"研修", "training"}),
      ledgers_(store, sealer, kLedgers, {"台帳", "ledger"}),
      registrations_(store, sealer, kRegistrations, {"申込", "registration"}),
      surveys_(store, sealer, kSurveys, {"アンケート", "survey"}),
      frameworks_(store, sealer, kFrameworks, {"スキル枠組み", "skill framework"}),
      awareness_(store, nullptr, kAwareness, {"意識調査の回答", "awareness answers"}),
      by_participant_(store->Cf(kByParticipant)),
      by_training_(store->Cf(kByTraining)),
      active_(store->Cf(kActive)) {}

absl::StatusOr<v1::Training> TrainingStore::GetTraining(const std::string& id) const {
  return trainings_.Get(id);
}

void TrainingStore::PutTraining(common::Batch* batch, const v1::Training& training) const {
  trainings_.Put(batch, training.id(), training);
}

absl::Status TrainingStore::ForEachTraining(
    const std::function<bool(const v1::Training&)>& fn) const {
  return trainings_.ForEach("", [&](std::string_view, const v1::Training& t) { return fn(t); });
}

absl::StatusOr<v1::TrainingLedger> TrainingStore::GetLedger(const std::string& training_id) const {
  ASSIGN_OR_RETURN(std::optional<v1::TrainingLedger> ledger, ledgers_.Find(training_id));
  if (ledger.has_value()) return std::move(*ledger);
  v1::TrainingLedger empty;
  empty.set_training_id(training_id);
  return empty;
}

void TrainingStore::PutLedger(common::Batch* batch, const v1::TrainingLedger& ledger) const {
  ledgers_.Put(batch, ledger.training_id(), ledger);
}

absl::StatusOr<v1::Registration> TrainingStore::GetRegistration(const std::string& id) const {
  return registrations_.Get(id);
}

absl::StatusOr<std::vector<v1::Registration>> TrainingStore::GetRegistrations(
    const std::vector<std::string>& ids) const {
  return registrations_.GetMany(ids);
}

void TrainingStore::PutRegistration(common::Batch* batch, const v1::Registration& r) const {
  registrations_.Put(batch, r.id(), r);
  batch->Put(by_participant_, common::KeyBuilder().Str(r.participant_id()).Str(r.id()).Release(),
             "");
}

absl::StatusOr<std::vector<std::string>> TrainingStore::RegistrationsOf(
    const std::string& participant_id) const {
  std::vector<std::string> ids;
  const std::string prefix = common::KeyBuilder().Str(participant_id).Release();
  RETURN_IF_ERROR(
      store_->ScanPrefix(by_participant_, prefix, [&](std::string_view key, std::string_view) {
        common::KeyReader r(key);
        std::string participant, id;
        if (r.Str(&participant) && r.Str(&id)) ids.push_back(id);
        return true;
      }));
  return ids;
}

absl::StatusOr<std::vector<std::string>> TrainingStore::RegistrationIdsOf(
    const std::string& training_id) const {
  std::vector<std::string> ids;
  const std::string prefix = common::KeyBuilder().Str(training_id).Release();
  RETURN_IF_ERROR(
      store_->ScanPrefix(by_training_, prefix, [&](std::string_view key, std::string_view) {
        common::KeyReader r(key);
        std::string training, id;
        if (r.Str(&training) && r.Str(&id)) ids.push_back(std::move(id));
        return true;
      }));
  return ids;
}

absl::StatusOr<std::optional<std::string>> TrainingStore::ActiveRegistration(
    const std::string& training_id, const std::string& participant_id) const {
  auto value =
      store_->Get(active_, common::KeyBuilder().Str(training_id).Str(participant_id).Release());
  if (absl::IsNotFound(value.status())) return std::optional<std::string>();
  if (!value.ok()) return value.status();
  return std::optional<std::string>(std::move(*value));
}

void TrainingStore::AddToTraining(common::Batch* batch, const v1::Registration& r) const {
  batch->Put(by_training_, common::KeyBuilder().Str(r.training_id()).Str(r.id()).Release(), "");
  batch->Put(active_, common::KeyBuilder().Str(r.training_id()).Str(r.participant_id()).Release(),
             r.id());
}

void TrainingStore::Deactivate(common::Batch* batch, const v1::Registration& r) const {
  batch->Delete(active_,
                common::KeyBuilder().Str(r.training_id()).Str(r.participant_id()).Release());
}

absl::StatusOr<std::optional<v1::SurveyResponse>> TrainingStore::GetSurvey(
    const std::string& registration_id) const {
  return surveys_.Find(registration_id);
}

void TrainingStore::PutSurvey(common::Batch* batch, const v1::SurveyResponse& survey) const {
  surveys_.Put(batch, survey.registration_id(), survey);
}

absl::StatusOr<std::optional<v1::SkillFramework>> TrainingStore::LatestFramework() const {
  auto it = store_->NewIterator(frameworks_.cf());
  it->SeekToLast();
  if (!it->Valid()) {
    RETURN_IF_ERROR(it->status());
    return std::optional<v1::SkillFramework>();
  }
  ASSIGN_OR_RETURN(v1::SkillFramework f, frameworks_.Open(it->key(), it->value()));
  return std::optional<v1::SkillFramework>(std::move(f));
}

absl::StatusOr<std::optional<v1::SkillFramework>> TrainingStore::GetFramework(
    int32_t version) const {
  return frameworks_.Find(FrameworkKey(version));
}

void TrainingStore::PutFramework(common::Batch* batch, const v1::SkillFramework& f) const {
  frameworks_.Put(batch, FrameworkKey(f.version()), f);
}

}  // namespace renkei::training
