#include "training_store.h"

#include "renkei/common/consumer.h"
#include "renkei/common/errors.h"
#include "renkei/common/keys.h"
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

std::string FrameworkKey(int32_t version) {
  return common::KeyBuilder().U64(static_cast<uint64_t>(version)).Release();
}

}  // namespace

std::vector<std::string> TrainingStore::ColumnFamilies() {
  std::vector<std::string> cfs = {kTrainings, kLedgers,    kRegistrations, kByParticipant,
                                  kSurveys,   kFrameworks, kByTraining,    kActive};
  for (auto& cf : common::OutboxColumnFamilies()) cfs.push_back(cf);
  // Federation: the inbox of the consumers of trainings and registrations from other instances.
  for (auto& cf : common::InboxColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

TrainingStore::TrainingStore(common::Store* store, const common::RecordSealer* sealer)
    : store_(store),
      sealer_(sealer),
      trainings_(store->Cf(kTrainings)),
      ledgers_(store->Cf(kLedgers)),
      registrations_(store->Cf(kRegistrations)),
      by_participant_(store->Cf(kByParticipant)),
      surveys_(store->Cf(kSurveys)),
      frameworks_(store->Cf(kFrameworks)),
      by_training_(store->Cf(kByTraining)),
      active_(store->Cf(kActive)) {}

template <typename T>
absl::StatusOr<T> TrainingStore::GetProto(const char* family, common::ColumnFamily cf,
                                          const std::string& key, const char* what_ja,
                                          const char* what_en) const {
  auto value = store_->Get(cf, key);
  if (absl::IsNotFound(value.status())) {
    return common::NotFoundError(T::descriptor()->full_name(), key,
                                 std::string(what_ja) + "が見つかりません / no such " + what_en);
  }
  if (!value.ok()) return value.status();
  return sealer_->Open<T>(family, key, *value);
}

void TrainingStore::PutProto(common::Batch* batch, const char* family, common::ColumnFamily cf,
                             const std::string& key,
                             const google::protobuf::Message& record) const {
  batch->Put(cf, key, sealer_->Seal(family, key, record));
}

absl::StatusOr<v1::Training> TrainingStore::GetTraining(const std::string& id) const {
  return GetProto<v1::Training>(kTrainings, trainings_, id, "研修", "training");
}

void TrainingStore::PutTraining(common::Batch* batch, const v1::Training& training) const {
  PutProto(batch, kTrainings, trainings_, training.id(), training);
}

absl::Status TrainingStore::ForEachTraining(
    const std::function<bool(const v1::Training&)>& fn) const {
  absl::Status inner;
  RETURN_IF_ERROR(
      store_->ScanPrefix(trainings_, "", [&](std::string_view key, std::string_view value) {
        v1::Training t;
        inner = sealer_->Open(kTrainings, key, value, &t);
        if (!inner.ok()) return false;
        return fn(t);
      }));
  return inner;
}

absl::StatusOr<v1::TrainingLedger> TrainingStore::GetLedger(const std::string& training_id) const {
  auto ledger = GetProto<v1::TrainingLedger>(kLedgers, ledgers_, training_id, "台帳", "ledger");
  if (absl::IsNotFound(ledger.status())) {
    v1::TrainingLedger empty;
    empty.set_training_id(training_id);
    return empty;
  }
  return ledger;
}

void TrainingStore::PutLedger(common::Batch* batch, const v1::TrainingLedger& ledger) const {
  PutProto(batch, kLedgers, ledgers_, ledger.training_id(), ledger);
}

absl::StatusOr<v1::Registration> TrainingStore::GetRegistration(const std::string& id) const {
  return GetProto<v1::Registration>(kRegistrations, registrations_, id, "申込", "registration");
}

absl::StatusOr<std::vector<v1::Registration>> TrainingStore::GetRegistrations(
    const std::vector<std::string>& ids) const {
  auto values = store_->MultiGet(registrations_, ids);
  std::vector<v1::Registration> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!values[i].ok()) return values[i].status();
    RETURN_IF_ERROR(sealer_->Open(kRegistrations, ids[i], *values[i], &out[i]));
  }
  return out;
}

void TrainingStore::PutRegistration(common::Batch* batch, const v1::Registration& r) const {
  PutProto(batch, kRegistrations, registrations_, r.id(), r);
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
  auto s =
      GetProto<v1::SurveyResponse>(kSurveys, surveys_, registration_id, "アンケート", "survey");
  if (absl::IsNotFound(s.status())) return std::optional<v1::SurveyResponse>();
  if (!s.ok()) return s.status();
  return std::optional<v1::SurveyResponse>(std::move(*s));
}

void TrainingStore::PutSurvey(common::Batch* batch, const v1::SurveyResponse& survey) const {
  PutProto(batch, kSurveys, surveys_, survey.registration_id(), survey);
}

absl::StatusOr<std::optional<v1::SkillFramework>> TrainingStore::LatestFramework() const {
  auto it = store_->NewIterator(frameworks_);
  it->SeekToLast();
  if (!it->Valid()) {
    RETURN_IF_ERROR(it->status());
    return std::optional<v1::SkillFramework>();
  }
  v1::SkillFramework f;
  RETURN_IF_ERROR(sealer_->Open(kFrameworks, it->key(), it->value(), &f));
  return std::optional<v1::SkillFramework>(std::move(f));
}

absl::StatusOr<std::optional<v1::SkillFramework>> TrainingStore::GetFramework(
    int32_t version) const {
  auto f = GetProto<v1::SkillFramework>(kFrameworks, frameworks_, FrameworkKey(version),
                                        "スキル枠組み", "skill framework");
  if (absl::IsNotFound(f.status())) return std::optional<v1::SkillFramework>();
  if (!f.ok()) return f.status();
  return std::optional<v1::SkillFramework>(std::move(*f));
}

void TrainingStore::PutFramework(common::Batch* batch, const v1::SkillFramework& f) const {
  PutProto(batch, kFrameworks, frameworks_, FrameworkKey(f.version()), f);
}

}  // namespace renkei::training
