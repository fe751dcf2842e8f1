// Trainings: copies of trainings and registrations across instances (federation events).
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
#include "training.h"
#include "training_parts.h"

namespace renkei::training {

absl::Status Trainings::ApplyFederatedTraining(const v1::EventEnvelope& event,
                                               common::CommandBatch* cmd) {
  if (event.origin_instance() == events_.origin_instance) return absl::OkStatus();
  std::string id;
  if (event.has_training_scheduled()) {
    id = event.training_scheduled().training_id();
  } else if (event.has_session_changed()) {
    id = event.session_changed().training_id();
  } else {
    return absl::OkStatus();
  }
  if (!common::IsWellFormedId("trn", id))
    return absl::InvalidArgumentError("malformed training id");
  auto guard = locks_.LockShared(id);
  cmd->Hold(guard);
  auto existing = store_.GetTraining(id);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
  if (existing.ok() && OrganizedHere(*existing)) return absl::OkStatus();
  v1::Training t;
  if (event.has_training_scheduled()) {
    const auto& x = event.training_scheduled();
    if (x.organizer_code() == options_.jurisdiction_code) return absl::OkStatus();
    if (existing.ok() && existing->version() > x.version()) return absl::OkStatus();
    t.set_id(x.training_id());
    t.set_organizer_level(x.organizer_level());
    t.set_organizer_code(x.organizer_code());
    t.set_title(x.title());
    t.set_description(x.description());
    *t.mutable_audiences() = x.audiences();
    *t.mutable_target_skills() = x.target_skills();
    if (x.has_countermeasure()) *t.mutable_countermeasure() = x.countermeasure();
    for (const auto& info : x.sessions()) *t.add_sessions() = SessionOf(info);
    if (x.has_registration_deadline())
      *t.mutable_registration_deadline() = x.registration_deadline();
    t.set_quota_per_municipality(x.quota_per_municipality());
    t.set_sessions_are_one_course(x.sessions_are_one_course());
    t.set_status(x.status());
    t.set_share_level(event.share_level());
    t.set_version(x.version());
    *t.mutable_created_at() = existing.ok() ? existing->created_at() : event.occurred_at();
    *t.mutable_updated_at() = event.occurred_at();
  } else {
    if (!existing.ok()) {
      // Its training_scheduled travels first on the same stream: not here yet, try again.
      return absl::UnavailableError("training " + id + " not received yet");
    }
    t = *existing;
    const v1::Session changed = SessionOf(event.session_changed().session());
    bool found = false;
    for (auto& s : *t.mutable_sessions()) {
      if (s.id() == changed.id()) {
        s = changed;
        found = true;
      }
    }
    if (!found) *t.add_sessions() = changed;
    *t.mutable_updated_at() = event.occurred_at();
  }
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(id));
  StageTraining(t, ledger, cmd);
  return absl::OkStatus();
}

absl::Status Trainings::ApplyRegistrationRequest(const v1::EventEnvelope& event,
                                                 common::CommandBatch* cmd) {
  if (event.has_registration_cancelled() && event.origin_instance() != events_.origin_instance) {
    // A municipality cancelled a registration it sent up.
    const auto& x = event.registration_cancelled();
    auto first = store_.GetRegistration(x.registration_id());
    if (!first.ok()) return absl::OkStatus();
    auto guard = locks_.LockShared(first->training_id());
    cmd->Hold(guard);
    ASSIGN_OR_RETURN(v1::Registration reg, store_.GetRegistration(x.registration_id()));
    if (reg.status() == v1::REGISTRATION_STATUS_CANCELLED) return absl::OkStatus();
    if (reg.municipality_code() != x.municipality_code()) return absl::OkStatus();
    ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg.training_id()));
    if (!OrganizedHere(t)) return absl::OkStatus();
    ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
    return StageCancel(t, &ledger, &reg, cmd);
  }
  if (!event.has_registration_requested()) return absl::OkStatus();
  const auto& x = event.registration_requested();
  if (x.organizer_code() != options_.jurisdiction_code) return absl::OkStatus();
  if (!common::IsWellFormedId("reg", x.registration_id()) ||
      !common::IsWellFormedId("trn", x.training_id())) {
    return absl::InvalidArgumentError("registration request with malformed ids");
  }
  auto guard = locks_.LockShared(x.training_id());
  cmd->Hold(guard);
  if (store_.GetRegistration(x.registration_id()).ok()) return absl::OkStatus();  // seen
  // The municipality's participant id, qualified by the municipality: ids are per municipality.
  v1::Registration reg;
  reg.set_id(x.registration_id());
  reg.set_training_id(x.training_id());
  reg.set_participant_id(x.municipality_code() + "." + x.participant_id());
  reg.set_municipality_code(x.municipality_code());
  reg.set_role(x.role());
  reg.set_network_consent(x.network_consent());
  auto refuse = [&](const v1::Training* t, const std::string& reason) {
    // The municipality hears why; nothing else is kept here.
    auto e = common::NewEvent(events_, "registration", reg.id(), 1,
                              t ? t->share_level() : v1::SHARE_LEVEL_PREFECTURE,
                              options_.jurisdiction_code);
    auto* p = e.mutable_registration_cancelled();
    p->set_registration_id(reg.id());
    p->set_training_id(reg.training_id());
    p->set_municipality_code(reg.municipality_code());
    p->set_previous_status(v1::REGISTRATION_STATUS_REQUESTED);
    p->set_reason(reason);
    cmd->AddEvent(e);
    return absl::OkStatus();
  };
  auto t = store_.GetTraining(x.training_id());
  if (absl::IsNotFound(t.status()))
    return refuse(nullptr, "研修が見つかりません / no such training");
  if (!t.ok()) return t.status();
  if (!OrganizedHere(*t)) return absl::OkStatus();
  if (t->status() == v1::TRAINING_STATUS_CANCELLED) {
    return refuse(&*t, "中止された研修です / the training is cancelled");
  }
  const int64_t now = clock_->NowMicros();
  if (now >= ClosesAt(*t)) return refuse(&*t, "申込は締め切られました / registration closed");
  auto sessions = ResolveSessions(*t, x.session_ids());
  if (!sessions.ok()) return refuse(&*t, std::string(sessions.status().message()));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t->id()));
  ASSIGN_OR_RETURN(auto active, store_.ActiveRegistration(t->id(), reg.participant_id()));
  if (active) return refuse(&*t, "この参加者はすでに申し込んでいます / already registered");
  if (t->quota_per_municipality() > 0) {
    auto it = ledger.active_by_municipality().find(reg.municipality_code());
    const int used = it == ledger.active_by_municipality().end() ? 0 : it->second;
    if (used >= t->quota_per_municipality()) {
      return refuse(&*t, "この市区町村の申込枠 (" + std::to_string(t->quota_per_municipality()) +
                             " 名) は埋まっています / the municipality's quota is used");
    }
  }
  StageNewRegistration(*t, &ledger, std::move(reg), *sessions, now, cmd);
  return absl::OkStatus();
}

absl::Status Trainings::ApplyRegistrationOutcome(const v1::EventEnvelope& event,
                                                 common::CommandBatch* cmd) {
  if (event.origin_instance() == events_.origin_instance) return absl::OkStatus();
  std::string id;
  if (event.has_registration_confirmed()) {
    id = event.registration_confirmed().registration_id();
  } else if (event.has_registration_waitlisted()) {
    id = event.registration_waitlisted().registration_id();
  } else if (event.has_registration_cancelled()) {
    id = event.registration_cancelled().registration_id();
  } else {
    return absl::OkStatus();
  }
  auto first = store_.GetRegistration(id);
  if (absl::IsNotFound(first.status())) return absl::OkStatus();  // another municipality's
  if (!first.ok()) return first.status();
  auto guard = locks_.LockShared(first->training_id());
  cmd->Hold(guard);
  ASSIGN_OR_RETURN(v1::Registration reg, store_.GetRegistration(id));
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg.training_id()));
  if (OrganizedHere(t) || reg.status() == v1::REGISTRATION_STATUS_CANCELLED) {
    return absl::OkStatus();
  }
  if (event.has_registration_confirmed()) {
    if (reg.status() == v1::REGISTRATION_STATUS_CONFIRMED) return absl::OkStatus();
    reg.set_status(v1::REGISTRATION_STATUS_CONFIRMED);
    *reg.mutable_confirmed_at() = event.occurred_at();
    *reg.mutable_session_ids() = event.registration_confirmed().session_ids();
    reg.set_waitlist_position(0);
    reg.clear_organizer_reason();
  } else if (event.has_registration_waitlisted()) {
    if (reg.status() != v1::REGISTRATION_STATUS_REQUESTED) return absl::OkStatus();
    reg.set_status(v1::REGISTRATION_STATUS_WAITLISTED);
    reg.set_waitlist_position(event.registration_waitlisted().position());
    reg.set_organizer_reason(event.registration_waitlisted().reason());
  } else {
    reg.set_status(v1::REGISTRATION_STATUS_CANCELLED);
    *reg.mutable_cancelled_at() = event.occurred_at();
    reg.set_organizer_reason(event.registration_cancelled().reason());
    store_.Deactivate(&cmd->batch(), reg);
  }
  reg.set_version(reg.version() + 1);
  store_.PutRegistration(&cmd->batch(), reg);
  return absl::OkStatus();
}

}  // namespace renkei::training
