// Trainings: registrations and the waitlist.
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

// --- registrations --------------------------------------------------------------------------

int Trainings::WaitlistPosition(const v1::TrainingLedger& ledger, const std::string& id) const {
  for (int i = 0; i < ledger.waitlist_size(); ++i) {
    if (ledger.waitlist(i) == id) return i + 1;
  }
  return 0;
}

absl::StatusOr<int> Trainings::Promote(const v1::Training& t, v1::TrainingLedger* ledger,
                                       common::CommandBatch* cmd) {
  if (ledger->waitlist().empty() || t.status() == v1::TRAINING_STATUS_CANCELLED) return 0;
  const std::vector<std::string> waiting(ledger->waitlist().begin(), ledger->waitlist().end());
  ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(waiting));
  int promoted = 0;
  for (auto& reg : regs) {
    if (!HasRoom(t, *ledger, reg.session_ids(), SeatsOf(reg))) continue;
    AddSeats(ledger, reg.session_ids(), +SeatsOf(reg));
    AddWaiting(ledger, reg.session_ids(), -SeatsOf(reg));
    RemoveFromWaitlist(ledger, reg.id());
    reg.set_status(v1::REGISTRATION_STATUS_CONFIRMED);
    reg.set_waitlist_position(0);
    *reg.mutable_confirmed_at() = clock_->NowTimestamp();
    reg.set_version(reg.version() + 1);
    store_.PutRegistration(&cmd->batch(), reg);
    auto e = NewEvent(t, "registration", reg.id(), reg.version());
    auto* p = e.mutable_registration_confirmed();
    p->set_registration_id(reg.id());
    p->set_training_id(t.id());
    p->set_municipality_code(reg.municipality_code());
    p->set_role(reg.role());
    *p->mutable_session_ids() = reg.session_ids();
    p->set_promoted_from_waitlist(true);
    cmd->AddEvent(e);
    if (reg.public_registration()) QueueResidentMail(t, reg, "promoted", cmd);
    ++promoted;
  }
  return promoted;
}

absl::StatusOr<google::protobuf::RepeatedPtrField<std::string>> Trainings::ResolveSessions(
    const v1::Training& t, const google::protobuf::RepeatedPtrField<std::string>& requested,
    std::string_view path) const {
  google::protobuf::RepeatedPtrField<std::string> sessions;
  if (t.sessions_are_one_course()) {
    for (const auto& s : t.sessions()) {
      if (!s.cancelled()) *sessions.Add() = s.id();
    }
  } else {
    if (requested.empty()) {
      // Nothing to choose between: the only session.
      std::vector<const v1::Session*> active;
      for (const auto& s : t.sessions()) {
        if (!s.cancelled()) active.push_back(&s);
      }
      if (active.size() != 1) {
        return common::InvalidField(path,
                                    "参加する回を指定してください / choose at least one session");
      }
      *sessions.Add() = active[0]->id();
    }
    for (int i = 0; i < requested.size(); ++i) {
      const std::string field = std::string(path) + "[" + std::to_string(i) + "]";
      const v1::Session* s = FindSession(t, requested[i]);
      if (s == nullptr)
        return common::InvalidField(field, "この研修にない回です / no such session");
      if (s->cancelled()) return common::NotAllowedNow(field, "中止された回です / cancelled");
      if (std::find(sessions.begin(), sessions.end(), s->id()) != sessions.end())
        return common::InvalidField(field, "重複しています / duplicate");
      *sessions.Add() = s->id();
    }
  }
  return sessions;
}

v1::Registration Trainings::StageNewRegistration(
    const v1::Training& t, v1::TrainingLedger* ledger, v1::Registration reg,
    const google::protobuf::RepeatedPtrField<std::string>& sessions, int64_t now,
    common::CommandBatch* cmd) {
  *reg.mutable_session_ids() = sessions;
  reg.clear_attendance();
  reg.set_survey_submitted(false);
  *reg.mutable_registered_at() = common::TimestampFromMicros(now);
  reg.clear_confirmed_at();
  reg.clear_cancelled_at();
  reg.set_version(1);
  auto e = NewEvent(t, "registration", reg.id(), reg.version());
  if (HasRoom(t, *ledger, sessions, SeatsOf(reg))) {
    AddSeats(ledger, sessions, +SeatsOf(reg));
    reg.set_status(v1::REGISTRATION_STATUS_CONFIRMED);
    *reg.mutable_confirmed_at() = reg.registered_at();
    auto* p = e.mutable_registration_confirmed();
    p->set_registration_id(reg.id());
    p->set_training_id(t.id());
    p->set_municipality_code(reg.municipality_code());
    p->set_role(reg.role());
    *p->mutable_session_ids() = sessions;
  } else {
    ledger->add_waitlist(reg.id());
    AddWaiting(ledger, sessions, +SeatsOf(reg));
    reg.set_status(v1::REGISTRATION_STATUS_WAITLISTED);
    auto* p = e.mutable_registration_waitlisted();
    p->set_registration_id(reg.id());
    p->set_training_id(t.id());
    p->set_municipality_code(reg.municipality_code());
    p->set_role(reg.role());
    p->set_position(ledger->waitlist_size());
    p->set_reason("定員に達しているため、キャンセル待ちです / the sessions are full");
  }
  reg.set_waitlist_position(0);  // computed on read
  (*ledger->mutable_active_by_municipality())[reg.municipality_code()] += 1;
  ledger->set_active(ledger->active() + 1);

  store_.PutRegistration(&cmd->batch(), reg);
  store_.AddToTraining(&cmd->batch(), reg);
  store_.PutLedger(&cmd->batch(), *ledger);
  cmd->AddEvent(e);
  cmd->OnCommitted([this, t, l = *ledger] { IndexPut(t, l); });
  return reg;
}

absl::StatusOr<v1::Registration> Trainings::Register(const v1::RegisterRequest& request) {
  const v1::Registration& in = request.registration();
  FieldViolations v;
  if (!common::IsWellFormedId("trn", in.training_id()))
    v.Add("registration.training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
  if (!IsParticipantId(in.participant_id())) {
    v.Add("registration.participant_id", "英数字と _ - . の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
  }
  v.CheckText("registration.participant_name", in.participant_name(),
              {.required = true, .max_chars = 100});
  v.CheckText("registration.participant_contact", in.participant_contact(), {.max_chars = 200});
  v.CheckMunicipalityCode("registration.municipality_code", in.municipality_code());
  v.CheckEnum("registration.role", in.role(), v1::AudienceRole_IsValid, false);
  if (!in.directory_resource_id().empty() &&
      !common::IsWellFormedId("res", in.directory_resource_id())) {
    v.Add("registration.directory_resource_id",
          "IDの形式が不正です (res_ + 26文字) / malformed id");
  }
  if (!in.id().empty())
    v.Add("registration.id", "IDはサービスが付けます / assigned by the service");
  if (in.party_size() < 0 || in.party_size() > kMaxPartySize) {
    v.Add("registration.party_size", "1〜10 人です / 1..10");
  }
  v.CheckCount("registration.session_ids", in.session_ids_size(), kMaxSessions);
  RETURN_IF_ERROR(v.ToStatus());

  auto guard = locks_.Lock(in.training_id());
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(in.training_id()));
  if (t.status() == v1::TRAINING_STATUS_CANCELLED) {
    return common::NotAllowedNow("registration.training_id",
                                 "中止された研修です / the training is cancelled");
  }
  const int64_t now = clock_->NowMicros();
  if (now >= ClosesAt(t)) {
    return common::InvalidField("registration_deadline",
                                "申込は締め切られました (締切 " +
                                    FormatSessionTime(ClosesAt(t), ClosesAt(t)).substr(0, 16) +
                                    ") / registration closed");
  }
  ASSIGN_OR_RETURN(auto sessions, ResolveSessions(t, in.session_ids()));
  if (!OrganizedHere(t)) {
    // The organizer above counts one seat per registration it is sent.
    if (in.party_size() > 1) {
      return common::InvalidField(
          "registration.party_size",
          "ほかの団体が主催する研修は 1 名ずつ申し込みます / one person per "
          "registration for a training organized above");
    }
    return RequestFromAbove(t, in, sessions, now);
  }
  RETURN_IF_ERROR(CheckPartyFits(t, sessions, SeatsOf(in), "registration.party_size"));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  ASSIGN_OR_RETURN(auto active, store_.ActiveRegistration(t.id(), in.participant_id()));
  if (active) {
    return absl::AlreadyExistsError("この参加者はすでに申し込んでいます (" + *active +
                                    ") / the participant already holds registration " + *active);
  }
  if (t.quota_per_municipality() > 0) {
    auto it = ledger.active_by_municipality().find(in.municipality_code());
    const int used = it == ledger.active_by_municipality().end() ? 0 : it->second;
    if (used >= t.quota_per_municipality()) {
      return common::InvalidField("registration.municipality_code",
                                  "この市区町村の申込枠 (" +
                                      std::to_string(t.quota_per_municipality()) +
                                      " 名) は埋まっています / the municipality's quota is used");
    }
  }

  common::CommandBatch cmd(raw_store_, outbox_);
  v1::Registration reg = in;
  reg.set_id(common::NewId("reg", *clock_));
  reg = StageNewRegistration(t, &ledger, std::move(reg), sessions, now, &cmd);
  reg.set_waitlist_position(WaitlistPosition(ledger, reg.id()));
  cmd.SetAnswer(reg);
  RETURN_IF_ERROR(cmd.Commit());
  return reg;
}

absl::StatusOr<v1::Registration> Trainings::RequestFromAbove(
    const v1::Training& t, const v1::Registration& in,
    const google::protobuf::RepeatedPtrField<std::string>& sessions, int64_t now) {
  ASSIGN_OR_RETURN(auto active, store_.ActiveRegistration(t.id(), in.participant_id()));
  if (active) {
    return absl::AlreadyExistsError("この参加者はすでに申し込んでいます (" + *active +
                                    ") / the participant already holds registration " + *active);
  }
  v1::Registration reg = in;
  reg.set_id(common::NewId("reg", *clock_));
  *reg.mutable_session_ids() = sessions;
  reg.set_status(v1::REGISTRATION_STATUS_REQUESTED);
  *reg.mutable_registered_at() = common::TimestampFromMicros(now);
  reg.set_version(1);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutRegistration(&cmd.batch(), reg);
  store_.AddToTraining(&cmd.batch(), reg);
  // Up to the organizer: the prefecture's trainings within the prefecture, the nation's
  // nationally. Names and contacts stay here.
  auto e = common::NewEvent(events_, "registration", reg.id(), reg.version(),
                            t.organizer_level() == v1::ORGANIZER_LEVEL_NATIONAL
                                ? v1::SHARE_LEVEL_NATIONAL
                                : v1::SHARE_LEVEL_PREFECTURE,
                            reg.municipality_code());
  auto* p = e.mutable_registration_requested();
  p->set_registration_id(reg.id());
  p->set_training_id(t.id());
  p->set_organizer_code(t.organizer_code());
  p->set_municipality_code(reg.municipality_code());
  p->set_role(reg.role());
  *p->mutable_session_ids() = sessions;
  p->set_participant_id(reg.participant_id());
  p->set_network_consent(reg.network_consent());
  cmd.AddEvent(e);
  cmd.SetAnswer(reg);
  RETURN_IF_ERROR(cmd.Commit());
  return reg;
}

absl::StatusOr<v1::Registration> Trainings::CancelRegistration(
    const v1::CancelRegistrationRequest& r) {
  RETURN_IF_ERROR(CheckId("reg", r.id(), "id"));
  FieldViolations v;
  v.CheckText("reason", r.reason(), {.max_chars = 500, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(v1::Registration first, store_.GetRegistration(r.id()));
  auto guard = locks_.Lock(first.training_id());
  ASSIGN_OR_RETURN(v1::Registration reg, store_.GetRegistration(r.id()));
  if (reg.status() == v1::REGISTRATION_STATUS_CANCELLED) return reg;  // already: nothing to do
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg.training_id()));
  common::CommandBatch cmd(raw_store_, outbox_);
  if (!OrganizedHere(t)) {
    // A registration sent up: cancelled here, and the organizer is told (it frees the seat and
    // promotes whoever waits; their confirmation comes back down).
    const v1::RegistrationStatus previous = reg.status();
    reg.set_status(v1::REGISTRATION_STATUS_CANCELLED);
    *reg.mutable_cancelled_at() = clock_->NowTimestamp();
    reg.set_version(reg.version() + 1);
    store_.PutRegistration(&cmd.batch(), reg);
    store_.Deactivate(&cmd.batch(), reg);
    auto e = common::NewEvent(events_, "registration", reg.id(), reg.version(),
                              t.organizer_level() == v1::ORGANIZER_LEVEL_NATIONAL
                                  ? v1::SHARE_LEVEL_NATIONAL
                                  : v1::SHARE_LEVEL_PREFECTURE,
                              reg.municipality_code());
    auto* p = e.mutable_registration_cancelled();
    p->set_registration_id(reg.id());
    p->set_training_id(t.id());
    p->set_municipality_code(reg.municipality_code());
    p->set_previous_status(previous);
    cmd.AddEvent(e);
    cmd.SetAnswer(reg);
    RETURN_IF_ERROR(cmd.Commit());
    return reg;
  }
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  RETURN_IF_ERROR(StageCancel(t, &ledger, &reg, &cmd));
  cmd.SetAnswer(reg);
  RETURN_IF_ERROR(cmd.Commit());
  return reg;
}

absl::Status Trainings::StageCancel(const v1::Training& t, v1::TrainingLedger* ledger,
                                    v1::Registration* reg, common::CommandBatch* cmd) {
  const v1::RegistrationStatus previous = reg->status();
  if (previous == v1::REGISTRATION_STATUS_CONFIRMED) {
    AddSeats(ledger, reg->session_ids(), -SeatsOf(*reg));
  } else {
    RemoveFromWaitlist(ledger, reg->id());
    AddWaiting(ledger, reg->session_ids(), -SeatsOf(*reg));
  }
  ReleaseActive(ledger, *reg);
  reg->set_status(v1::REGISTRATION_STATUS_CANCELLED);
  *reg->mutable_cancelled_at() = clock_->NowTimestamp();
  reg->set_version(reg->version() + 1);
  store_.PutRegistration(&cmd->batch(), *reg);
  store_.Deactivate(&cmd->batch(), *reg);
  auto e = NewEvent(t, "registration", reg->id(), reg->version());
  auto* p = e.mutable_registration_cancelled();
  p->set_registration_id(reg->id());
  p->set_training_id(t.id());
  p->set_municipality_code(reg->municipality_code());
  p->set_previous_status(previous);
  cmd->AddEvent(e);
  ASSIGN_OR_RETURN(int promoted, Promote(t, ledger, cmd));
  (void)promoted;
  store_.PutLedger(&cmd->batch(), *ledger);
  cmd->OnCommitted([this, t, l = *ledger] { IndexPut(t, l); });
  return absl::OkStatus();
}

absl::StatusOr<v1::Registration> Trainings::GetRegistration(
    const v1::GetRegistrationRequest& r) const {
  RETURN_IF_ERROR(CheckId("reg", r.id(), "id"));
  ASSIGN_OR_RETURN(v1::Registration reg, store_.GetRegistration(r.id()));
  if (reg.status() == v1::REGISTRATION_STATUS_WAITLISTED) {
    ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(reg.training_id()));
    // (A registration sent up keeps the position its organizer reported.)
    if (const int pos = WaitlistPosition(ledger, reg.id()); pos > 0) reg.set_waitlist_position(pos);
  }
  return reg;
}

absl::StatusOr<std::vector<v1::Registration>> Trainings::RegistrationsOfTraining(
    const std::string& training_id, v1::TrainingLedger* ledger) const {
  ASSIGN_OR_RETURN(*ledger, store_.GetLedger(training_id));
  ASSIGN_OR_RETURN(auto ids, store_.RegistrationIdsOf(training_id));
  ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
  for (auto& reg : regs) reg.set_waitlist_position(WaitlistPosition(*ledger, reg.id()));
  return regs;
}

absl::StatusOr<v1::ListRegistrationsResponse> Trainings::ListRegistrations(
    const v1::ListRegistrationsRequest& r) const {
  FieldViolations v;
  if (r.training_id().empty() == r.participant_id().empty()) {
    v.Add("training_id",
          "研修か参加者のどちらか一方を指定してください / "
          "exactly one of training_id, participant_id");
  } else if (!r.training_id().empty() && !common::IsWellFormedId("trn", r.training_id())) {
    v.Add("training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
  } else if (!r.participant_id().empty() && !IsParticipantId(r.participant_id())) {
    v.Add("participant_id", "英数字と _ - . の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
  }
  v.CheckEnum("status", r.status(), v1::RegistrationStatus_IsValid, true);
  RETURN_IF_ERROR(v.ToStatus());
  std::vector<v1::Registration> regs;
  if (!r.training_id().empty()) {
    RETURN_IF_ERROR(store_.GetTraining(r.training_id()).status());
    v1::TrainingLedger ledger;
    ASSIGN_OR_RETURN(regs, RegistrationsOfTraining(r.training_id(), &ledger));
    auto rank = [](const v1::Registration& x) {
      return x.status() == v1::REGISTRATION_STATUS_CONFIRMED    ? 0
             : x.status() == v1::REGISTRATION_STATUS_WAITLISTED ? 1
                                                                : 2;
    };
    std::stable_sort(regs.begin(), regs.end(), [&](const auto& a, const auto& b) {
      if (rank(a) != rank(b)) return rank(a) < rank(b);
      if (rank(a) == 0) return Micros(a.confirmed_at()) < Micros(b.confirmed_at());
      if (rank(a) == 1) return a.waitlist_position() < b.waitlist_position();
      return false;
    });
  } else {
    ASSIGN_OR_RETURN(auto ids, store_.RegistrationsOf(r.participant_id()));
    ASSIGN_OR_RETURN(regs, store_.GetRegistrations(ids));
    for (auto& reg : regs) {
      if (reg.status() != v1::REGISTRATION_STATUS_WAITLISTED) continue;
      ASSIGN_OR_RETURN(auto ledger, store_.GetLedger(reg.training_id()));
      reg.set_waitlist_position(WaitlistPosition(ledger, reg.id()));
    }
    std::reverse(regs.begin(), regs.end());  // ids are time-ordered: newest first
  }
  v1::ListRegistrationsResponse out;
  for (auto& reg : regs) {
    if (r.status() && reg.status() != r.status()) continue;
    *out.add_registrations() = std::move(reg);
  }
  return out;
}

}  // namespace renkei::training
