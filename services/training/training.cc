#include "training.h"

#include <algorithm>
#include <cctype>

#include "ical.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "training_parts.h"

namespace renkei::training {

Trainings::Trainings(common::Store* store, common::Outbox* outbox,
                     const common::RecordSealer* sealer, common::EventSource events,
                     TrainingOptions options, const common::Clock* clock)
    : options_(std::move(options)),
      clock_(clock),
      events_([&] {
        events.clock = clock;
        return events;
      }()),
      store_(store, sealer),
      raw_store_(store),
      store_sealer_(sealer),
      outbox_(outbox) {}

absl::Status Trainings::Load() {
  ASSIGN_OR_RETURN(common::LinkSigner links,
                   common::LinkSigner::LoadOrCreate(raw_store_, store_sealer_,
                                                    TrainingStore::kSecretsFamily, "links"));
  links_.emplace(std::move(links));
  ASSIGN_OR_RETURN(auto latest, store_.LatestFramework());
  {
    std::unique_lock lock(framework_mu_);
    framework_ = latest ? *latest : BuiltInSkillFramework();
  }
  std::unique_lock lock(index_mu_);
  list_.clear();
  first_of_.clear();
  sessions_.clear();
  lock.unlock();
  return store_.ForEachTraining([&](const v1::Training& t) {
    auto ledger = store_.GetLedger(t.id());
    if (!ledger.ok()) return false;
    IndexPut(t, *ledger);
    return true;
  });
}

void Trainings::CheckOrganizer(const v1::Training& in, FieldViolations* v) const {
  // Set by the service: what a caller gives must be this instance's, not silently replaced.
  v->CheckEnum("training.organizer_level", in.organizer_level(), v1::OrganizerLevel_IsValid,
               /*allow_unspecified=*/true);
  if (v1::OrganizerLevel_IsValid(in.organizer_level()) &&
      in.organizer_level() != v1::ORGANIZER_LEVEL_UNSPECIFIED &&
      in.organizer_level() != organizer_level()) {
    v->Add("training.organizer_level",
           "このインスタンスが主催する研修のみ作成できます (省略可) / only this instance's level "
           "may be given, or none");
  }
  v->CheckOwnCode("training.organizer_code", in.organizer_code(), options_.jurisdiction_code);
}

v1::OrganizerLevel Trainings::organizer_level() const {
  switch (options_.level) {
    case v1::INSTANCE_LEVEL_NATIONAL:
      return v1::ORGANIZER_LEVEL_NATIONAL;
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return v1::ORGANIZER_LEVEL_PREFECTURE;
    default:
      return v1::ORGANIZER_LEVEL_MUNICIPAL;
  }
}

v1::ShareLevel Trainings::share_level() const {
  return options_.level == v1::INSTANCE_LEVEL_NATIONAL ? v1::SHARE_LEVEL_NATIONAL
                                                       : v1::SHARE_LEVEL_PREFECTURE;
}

v1::SkillFramework Trainings::Framework() const {
  std::shared_lock lock(framework_mu_);
  return framework_;
}

v1::EventEnvelope Trainings::NewEvent(const v1::Training& training, std::string_view aggregate_type,
                                      std::string_view aggregate_id, int64_t version) const {
  return common::NewEvent(events_, aggregate_type, aggregate_id, version, training.share_level(),
                          training.organizer_code());
}

v1::EventEnvelope Trainings::ScheduledEvent(const v1::Training& t) const {
  auto e = NewEvent(t, "training", t.id(), t.version());
  auto* p = e.mutable_training_scheduled();
  p->set_training_id(t.id());
  p->set_organizer_level(t.organizer_level());
  p->set_organizer_code(t.organizer_code());
  p->set_title(t.title());
  *p->mutable_audiences() = t.audiences();
  *p->mutable_target_skills() = t.target_skills();
  *p->mutable_countermeasure() = t.countermeasure();
  for (const auto& s : t.sessions()) *p->add_sessions() = InfoOf(s);
  if (t.has_registration_deadline())
    *p->mutable_registration_deadline() = t.registration_deadline();
  p->set_quota_per_municipality(t.quota_per_municipality());
  p->set_status(t.status());
  p->set_sessions_are_one_course(t.sessions_are_one_course());
  p->set_version(t.version());
  p->set_description(t.description());
  return e;
}

v1::EventEnvelope Trainings::SessionEvent(const v1::Training& t, const v1::Session& s,
                                          const char* change) const {
  auto e = NewEvent(t, "training", t.id(), t.version());
  auto* p = e.mutable_session_changed();
  p->set_training_id(t.id());
  *p->mutable_session() = InfoOf(s);
  p->set_change(change);
  return e;
}

// --- skill framework ------------------------------------------------------------------------

absl::StatusOr<v1::SkillFramework> Trainings::GetSkillFramework(
    const v1::GetSkillFrameworkRequest& r) const {
  if (r.version() < 0) return common::InvalidField("version", "0 以上です / must be ≥ 0");
  v1::SkillFramework latest = Framework();
  if (r.version() == 0 || r.version() == latest.version()) return latest;
  if (r.version() == 1) return BuiltInSkillFramework();
  ASSIGN_OR_RETURN(auto f, store_.GetFramework(r.version()));
  if (!f) {
    return common::NotFoundError("renkei.v1.SkillFramework", std::to_string(r.version()),
                                 "スキル枠組みの版がありません / no such version");
  }
  return *f;
}

absl::StatusOr<v1::SkillFramework> Trainings::PublishSkillFramework(
    const v1::PublishSkillFrameworkRequest& r) {
  FieldViolations v;
  ValidateSkills(r.skills(), &v);
  CheckExpectedVersion(r.expected_version(), &v);
  RETURN_IF_ERROR(v.ToStatus());
  if (options_.level != v1::INSTANCE_LEVEL_NATIONAL) {
    return common::NotAllowedNow(
        "skills",
        "スキル枠組みは国のインスタンスだけが公開します / only the national instance publishes "
        "the skill framework");
  }
  std::lock_guard publish(publish_mu_);
  const v1::SkillFramework current = Framework();
  if (current.version() != r.expected_version())
    return common::StaleVersion(current, r.expected_version());
  v1::SkillFramework next;
  next.set_version(current.version() + 1);
  *next.mutable_skills() = r.skills();
  *next.mutable_published_at() = clock_->NowTimestamp();
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutFramework(&cmd.batch(), next);
  auto e = common::NewEvent(events_, "skill_framework", "national", next.version(),
                            v1::SHARE_LEVEL_NATIONAL, options_.jurisdiction_code);
  e.mutable_skill_framework_published()->set_version(next.version());
  *e.mutable_skill_framework_published()->mutable_framework() = next;
  cmd.AddEvent(e);
  cmd.SetAnswer(next);
  RETURN_IF_ERROR(cmd.Commit());
  std::unique_lock lock(framework_mu_);
  framework_ = next;
  return next;
}

}  // namespace renkei::training
