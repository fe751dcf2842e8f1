// Trainings: the catalogue and its scheduling (create, read, list, change, sessions, cancel).
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

// --- trainings ------------------------------------------------------------------------------

void Trainings::CheckSchedule(const v1::Training& t, std::string_view path,
                              FieldViolations* v) const {
  if (t.status() == v1::TRAINING_STATUS_CANCELLED) return;
  std::vector<ScheduledSession> mine;
  for (const auto& s : t.sessions()) mine.push_back(ToScheduled(t, s));
  std::shared_lock lock(index_mu_);
  std::vector<const ScheduledSession*> others;
  for (const auto& [id, list] : sessions_) {
    if (id == t.id()) continue;
    for (const auto& s : list) others.push_back(&s);
  }
  for (int i = 0; i < t.sessions_size(); ++i) {
    if (t.sessions(i).cancelled()) continue;
    std::vector<const ScheduledSession*> candidates = others;
    // Earlier sessions of the same training collide too (a room or a person is in one place).
    for (int j = 0; j < i; ++j) {
      if (!t.sessions(j).cancelled()) candidates.push_back(&mine[j]);
    }
    CheckCollisions(mine[i], t.sessions(i), candidates,
                    std::string(path) + "sessions[" + std::to_string(i) + "]", v);
  }
}

absl::Status Trainings::CheckSessionSchedule(const v1::Training& t,
                                             const v1::Session& session) const {
  const ScheduledSession candidate = ToScheduled(t, session);
  std::vector<ScheduledSession> mine;
  for (const auto& existing : t.sessions()) {
    if (!existing.cancelled() && existing.id() != session.id())
      mine.push_back(ToScheduled(t, existing));
  }
  FieldViolations collisions;
  std::shared_lock lock(index_mu_);
  std::vector<const ScheduledSession*> others;
  for (const auto& [id, list] : sessions_) {
    if (id == t.id()) continue;
    for (const auto& o : list) others.push_back(&o);
  }
  for (const auto& m : mine) others.push_back(&m);
  CheckCollisions(candidate, session, others, "session", &collisions);
  return collisions.ToStatus();
}

void Trainings::FillCounts(const v1::TrainingLedger& ledger, v1::Training* t) const {
  for (auto& s : *t->mutable_sessions()) {
    auto it = ledger.confirmed_by_session().find(s.id());
    s.set_confirmed(it == ledger.confirmed_by_session().end() ? 0 : it->second);
    auto w = ledger.waiting_by_session().find(s.id());
    s.set_waitlisted(w == ledger.waiting_by_session().end() ? 0 : w->second);
    s.set_seats_taken(s.confirmed());
    s.set_seats_waiting(s.waitlisted());
  }
}

void Trainings::StageTraining(const v1::Training& training, const v1::TrainingLedger& ledger,
                              common::CommandBatch* cmd) {
  v1::Training stored = training;
  ClearCounts(&stored);
  store_.PutTraining(&cmd->batch(), stored);
  cmd->OnCommitted([this, stored, ledger] { IndexPut(stored, ledger); });
}

absl::StatusOr<v1::Training> Trainings::CommitTraining(const v1::Training& training,
                                                       const v1::TrainingLedger& ledger,
                                                       common::CommandBatch* cmd) {
  StageTraining(training, ledger, cmd);
  v1::Training answer = training;
  FillCounts(ledger, &answer);
  cmd->SetAnswer(answer);
  RETURN_IF_ERROR(cmd->Commit());
  return answer;
}

void Trainings::IndexPut(const v1::Training& t, const v1::TrainingLedger& ledger) {
  Entry e;
  auto& s = e.summary;
  s.set_id(t.id());
  s.set_organizer_level(t.organizer_level());
  s.set_organizer_code(t.organizer_code());
  s.set_title(t.title());
  e.first_us = FirstStart(t);
  e.last_us = LastEnd(t);
  *s.mutable_first_starts_at() = common::TimestampFromMicros(e.first_us);
  *s.mutable_last_ends_at() = common::TimestampFromMicros(e.last_us);
  s.set_session_count(t.sessions_size());
  int sum = 0, smallest = INT32_MAX;
  std::vector<ScheduledSession> active;
  for (const auto& session : t.sessions()) {
    if (session.cancelled() && t.status() != v1::TRAINING_STATUS_CANCELLED) continue;
    sum += session.capacity();
    smallest = std::min(smallest, session.capacity());
    if (t.status() != v1::TRAINING_STATUS_CANCELLED) active.push_back(ToScheduled(t, session));
  }
  // Registrations, not seats: a one-course registration takes a seat in every session.
  s.set_capacity(t.sessions_are_one_course() ? (smallest == INT32_MAX ? 0 : smallest) : sum);
  s.set_confirmed(ledger.active() - ledger.waitlist_size());
  s.set_waitlisted(ledger.waitlist_size());
  if (t.has_registration_deadline()) *s.mutable_registration_deadline() = t.registration_deadline();
  s.set_status(t.status());
  *s.mutable_target_skills() = t.target_skills();
  s.set_version(t.version());
  e.id = t.id();
  e.level = t.organizer_level();
  e.cancelled = t.status() == v1::TRAINING_STATUS_CANCELLED;
  if (t.organizer_code().size() == 6) {
    e.organizer = std::atoi(t.organizer_code().c_str());
    if (t.organizer_level() != v1::ORGANIZER_LEVEL_NATIONAL) e.prefecture = e.organizer / 10000;
  }
  for (const auto& target : t.target_skills()) e.skills.push_back(target.skill_code());

  auto before = [](const Entry& a, const std::pair<int64_t, std::string>& key) {
    return a.first_us != key.first ? a.first_us < key.first : a.id < key.second;
  };
  std::unique_lock lock(index_mu_);
  if (active.empty()) {
    sessions_.erase(t.id());
  } else {
    sessions_[t.id()] = std::move(active);
  }
  // The entry is overwritten in place when its first start stays (new counts, a new title);
  // otherwise the old one goes and the new one is inserted at its place in the order. (No
  // iterator is kept across the erase: it would no longer point into the list.)
  const auto key = std::make_pair(e.first_us, t.id());
  auto known = first_of_.find(t.id());
  if (known != first_of_.end()) {
    auto it =
        std::lower_bound(list_.begin(), list_.end(), std::make_pair(known->second, t.id()), before);
    if (it != list_.end() && it->id == t.id()) {
      if (it->first_us != key.first) {
        list_.erase(it);
      } else {
        *it = std::move(e);
        return;
      }
    }
  }
  first_of_[t.id()] = key.first;
  list_.insert(std::lower_bound(list_.begin(), list_.end(), key, before), std::move(e));
}

absl::StatusOr<v1::Training> Trainings::CreateTraining(const v1::CreateTrainingRequest& r) {
  const v1::Training& in = r.training();
  FieldViolations v;
  const v1::SkillFramework framework = Framework();
  ValidateTrainingContent(in, framework, "training", &v);
  if (!in.id().empty())
    v.Add("training.id", "新しい研修にIDは指定しません / assigned by the service");
  CheckOrganizer(in, &v);
  if (in.sessions().empty())
    v.Add("training.sessions", "回を1つ以上指定してください / at least one session");
  v.CheckCount("training.sessions", in.sessions_size(), kMaxSessions);
  for (int i = 0; i < in.sessions_size() && i < kMaxSessions; ++i) {
    const std::string p = "training.sessions[" + std::to_string(i) + "]";
    ValidateSession(in.sessions(i), p, &v);
    if (!in.sessions(i).id().empty())
      v.Add(p + ".id", "IDはサービスが付けます / assigned by the service");
  }
  RETURN_IF_ERROR(v.ToStatus());

  v1::Training t = in;
  t.set_id(common::NewId("trn", *clock_));
  t.set_organizer_level(organizer_level());
  t.set_organizer_code(options_.jurisdiction_code);
  t.set_title(std::string(common::TrimSpaces(t.title())));
  t.set_skill_framework_version(framework.version());
  t.set_status(v1::TRAINING_STATUS_SCHEDULED);
  t.set_share_level(share_level());
  t.set_version(1);
  *t.mutable_created_at() = clock_->NowTimestamp();
  *t.mutable_updated_at() = t.created_at();
  for (auto& s : *t.mutable_sessions()) {
    s.set_id(common::NewId("ses", *clock_));
    s.set_cancelled(false);
    s.set_held(false);
  }
  ClearCounts(&t);
  if (t.has_registration_deadline() && Micros(t.registration_deadline()) > FirstStart(t)) {
    return common::InvalidField("training.registration_deadline",
                                "申込締切は最初の回の開始より前にしてください / must not be "
                                "after the first session starts");
  }

  std::lock_guard schedule(schedule_mu_);
  {
    // Report collisions with the caller's session order (before sorting).
    FieldViolations collisions;
    CheckSchedule(t, "training.", &collisions);
    RETURN_IF_ERROR(collisions.ToStatus());
  }
  SortSessions(&t);
  v1::TrainingLedger ledger;
  ledger.set_training_id(t.id());
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutLedger(&cmd.batch(), ledger);
  cmd.AddEvent(ScheduledEvent(t));
  return CommitTraining(t, ledger, &cmd);
}

absl::StatusOr<v1::Training> Trainings::GetTraining(const v1::GetTrainingRequest& r) const {
  RETURN_IF_ERROR(CheckId("trn", r.id(), "id"));
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.id()));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(r.id()));
  FillCounts(ledger, &t);
  return t;
}

bool Trainings::VisibleTo(const Entry& e, int municipality) {
  switch (e.level) {
    case v1::ORGANIZER_LEVEL_NATIONAL:
      return true;
    case v1::ORGANIZER_LEVEL_PREFECTURE:
      return e.prefecture == municipality / 10000;
    case v1::ORGANIZER_LEVEL_MUNICIPAL:
      return e.organizer == municipality;
    default:
      return false;
  }
}

absl::StatusOr<v1::ListTrainingsResponse> Trainings::ListTrainings(
    const v1::ListTrainingsRequest& r) const {
  FieldViolations v;
  v.CheckMunicipalityCode("municipality_code", r.municipality_code(), false);
  v.CheckDate("from", r.from().year(), r.from().month(), r.from().day());
  v.CheckDate("to", r.to().year(), r.to().month(), r.to().day());
  v.CheckEnum("organizer_level", r.organizer_level(), v1::OrganizerLevel_IsValid, true);
  v.CheckText("skill_code", r.skill_code(), {.max_chars = 40});
  CheckPage(r.page_size(), r.page_token(), &v);
  if (v.empty() && r.from().year() != 0 && r.to().year() != 0 &&
      common::DateNumber(r.to()) < common::DateNumber(r.from())) {
    v.Add("to", "from より前です / before from");
  }
  RETURN_IF_ERROR(v.ToStatus());
  const int64_t from = r.from().year() ? common::TokyoStartOfDay(r.from()) : INT64_MIN;
  const int64_t to =
      r.to().year() ? common::TokyoStartOfDay(r.to()) + 86400LL * 1000000 : INT64_MAX;
  const int page_size = r.page_size() ? r.page_size() : kDefaultPageSize;
  const int offset = r.page_token().empty() ? 0 : std::stoi(r.page_token());

  const int municipality =
      r.municipality_code().empty() ? -1 : std::atoi(r.municipality_code().c_str());
  v1::ListTrainingsResponse out;
  int total = 0;
  std::shared_lock lock(index_mu_);
  for (const Entry& e : list_) {
    if (e.first_us >= to) break;  // sorted by first start
    if (e.last_us < from) continue;
    if (e.cancelled && !r.include_cancelled()) continue;
    if (municipality >= 0 && !VisibleTo(e, municipality)) continue;
    if (r.organizer_level() && e.level != r.organizer_level()) continue;
    if (!r.skill_code().empty() &&
        std::find(e.skills.begin(), e.skills.end(), r.skill_code()) == e.skills.end()) {
      continue;
    }
    if (total >= offset && out.trainings_size() < page_size) *out.add_trainings() = e.summary;
    ++total;
  }
  out.set_total(total);
  if (offset + out.trainings_size() < total)
    out.set_next_page_token(std::to_string(offset + out.trainings_size()));
  return out;
}

absl::StatusOr<v1::Training> Trainings::LoadForChange(const std::string& id,
                                                      int64_t expected_version,
                                                      std::string_view id_field) const {
  return common::LoadForChange(
      store_.trainings(), id, expected_version,
      {.id_field = id_field,
       .owner =
           [&](const v1::Training& t) {
             return OrganizedHere(t) ? absl::OkStatus()
                                     : common::NotAllowedNow(
                                           id_field, "他の自治体 (" + t.organizer_code() +
                                                         ") が主催する研修です。"
                                                         "変更は主催者が行います / organized by "
                                                         "another instance");
           },
       .state =
           [&](const v1::Training& t) {
             return t.status() != v1::TRAINING_STATUS_CANCELLED
                        ? absl::OkStatus()
                        : common::NotAllowedNow(
                              id_field,
                              "中止された研修は変更できません / the training is cancelled");
           }});
}

absl::StatusOr<v1::Training> Trainings::UpdateTraining(const v1::UpdateTrainingRequest& r) {
  const v1::Training& in = r.training();
  RETURN_IF_ERROR(CheckId("trn", in.id(), "training.id"));
  RETURN_IF_ERROR(CheckExpectedVersion(in.version(), "training.version"));
  FieldViolations v;
  ValidateTrainingContent(in, Framework(), "training", &v);
  CheckOrganizer(in, &v);
  RETURN_IF_ERROR(v.ToStatus());
  auto guard = locks_.Lock(in.id());
  ASSIGN_OR_RETURN(v1::Training t, LoadForChange(in.id(), in.version(), "training.id"));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  if (ledger.surveys() > 0) {
    // Answers refer to items by id: an item answered may not disappear or change kind.
    for (const auto& old_item : t.survey_items()) {
      auto it = std::find_if(in.survey_items().begin(), in.survey_items().end(),
                             [&](const v1::SurveyItem& i) { return i.id() == old_item.id(); });
      if (it == in.survey_items().end() || it->kind() != old_item.kind()) {
        return common::InvalidField(
            "training.survey_items",
            "回答済みのアンケート項目 " + old_item.id() +
                " は削除・種類変更できません / answered items cannot be removed or change kind");
      }
    }
  }
  if (in.has_registration_deadline() && Micros(in.registration_deadline()) > FirstStart(t)) {
    return common::InvalidField("training.registration_deadline",
                                "申込締切は最初の回の開始より前にしてください / must not be "
                                "after the first session starts");
  }
  t.set_title(std::string(common::TrimSpaces(in.title())));
  t.set_description(in.description());
  *t.mutable_audiences() = in.audiences();
  *t.mutable_target_skills() = in.target_skills();
  t.set_skill_framework_version(Framework().version());
  *t.mutable_countermeasure() = in.countermeasure();
  *t.mutable_materials() = in.materials();
  if (in.has_registration_deadline()) {
    *t.mutable_registration_deadline() = in.registration_deadline();
  } else {
    t.clear_registration_deadline();
  }
  t.set_quota_per_municipality(in.quota_per_municipality());
  *t.mutable_survey_items() = in.survey_items();
  t.set_public_event(in.public_event());
  *t.mutable_theme_tags() = in.theme_tags();
  *t.mutable_awareness_items() = in.awareness_items();
  common::NextVersion(&t, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  cmd.AddEvent(ScheduledEvent(t));
  return CommitTraining(t, ledger, &cmd);
}

absl::StatusOr<v1::Training> Trainings::AddSession(const v1::AddSessionRequest& r) {
  RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
  FieldViolations v;
  CheckExpectedVersion(r.expected_version(), &v);
  ValidateSession(r.session(), "session", &v);
  if (!r.session().id().empty())
    v.Add("session.id", "IDはサービスが付けます / assigned by the service");
  RETURN_IF_ERROR(v.ToStatus());
  std::lock_guard schedule(schedule_mu_);
  auto guard = locks_.Lock(r.training_id());
  ASSIGN_OR_RETURN(v1::Training t,
                   LoadForChange(r.training_id(), r.expected_version(), "training_id"));
  if (t.sessions_size() >= kMaxSessions) {
    return common::InvalidField("session", "回は100までです / at most 100 sessions");
  }
  v1::Session s = r.session();
  s.set_id(common::NewId("ses", *clock_));
  s.set_cancelled(false);
  s.set_held(false);
  s.clear_confirmed();
  s.clear_waitlisted();
  RETURN_IF_ERROR(CheckSessionSchedule(t, s));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  common::CommandBatch cmd(raw_store_, outbox_);
  if (t.sessions_are_one_course()) {
    // A one-course registration takes every session: the active ones take this one too.
    ASSIGN_OR_RETURN(auto ids, store_.RegistrationIdsOf(t.id()));
    ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
    int confirmed = 0, waiting = 0;
    for (const auto& reg : regs) {
      if (reg.status() == v1::REGISTRATION_STATUS_CONFIRMED) confirmed += SeatsOf(reg);
      if (reg.status() == v1::REGISTRATION_STATUS_WAITLISTED) waiting += SeatsOf(reg);
    }
    if (s.capacity() < confirmed) {
      return common::InvalidField("session.capacity",
                                  "一連の研修です。参加確定 " + std::to_string(confirmed) +
                                      " 名が入る定員にしてください / a one-course training: the "
                                      "capacity must hold the confirmed registrations");
    }
    for (auto& reg : regs) {
      if (reg.status() == v1::REGISTRATION_STATUS_CANCELLED) continue;
      reg.add_session_ids(s.id());
      reg.set_version(reg.version() + 1);
      store_.PutRegistration(&cmd.batch(), reg);
    }
    (*ledger.mutable_confirmed_by_session())[s.id()] = confirmed;
    if (waiting > 0) (*ledger.mutable_waiting_by_session())[s.id()] = waiting;
    store_.PutLedger(&cmd.batch(), ledger);
  }
  *t.add_sessions() = s;
  SortSessions(&t);
  common::NextVersion(&t, *clock_);
  cmd.AddEvent(SessionEvent(t, s, "added"));
  return CommitTraining(t, ledger, &cmd);
}

absl::StatusOr<v1::Training> Trainings::UpdateSession(const v1::UpdateSessionRequest& r) {
  RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
  FieldViolations v;
  CheckExpectedVersion(r.expected_version(), &v);
  if (!common::IsWellFormedId("ses", r.session().id()))
    v.Add("session.id", "IDの形式が不正です (ses_ + 26文字) / malformed id");
  ValidateSession(r.session(), "session", &v);
  RETURN_IF_ERROR(v.ToStatus());
  std::lock_guard schedule(schedule_mu_);
  auto guard = locks_.Lock(r.training_id());
  ASSIGN_OR_RETURN(v1::Training t,
                   LoadForChange(r.training_id(), r.expected_version(), "training_id"));
  v1::Session* target = nullptr;
  for (auto& s : *t.mutable_sessions()) {
    if (s.id() == r.session().id()) target = &s;
  }
  if (target == nullptr) {
    return common::NotFoundError("renkei.v1.Session", r.session().id(),
                                 "回が見つかりません / no such session");
  }
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  auto it = ledger.confirmed_by_session().find(target->id());
  const int confirmed = it == ledger.confirmed_by_session().end() ? 0 : it->second;
  if (r.session().capacity() < confirmed) {
    return common::InvalidField("session.capacity",
                                "参加確定 " + std::to_string(confirmed) +
                                    " 名を下回る定員にはできません / below the confirmed count");
  }
  const bool cancelled = target->cancelled();
  const bool held = target->held();
  *target = r.session();
  target->set_cancelled(cancelled);
  target->set_held(held);
  target->clear_confirmed();
  target->clear_waitlisted();
  const v1::Session changed = *target;
  RETURN_IF_ERROR(CheckSessionSchedule(t, changed));
  SortSessions(&t);
  if (t.has_registration_deadline() && Micros(t.registration_deadline()) > FirstStart(t)) {
    return common::InvalidField("session.starts_at",
                                "申込締切より前には始められません / must start after the "
                                "registration deadline");
  }
  common::NextVersion(&t, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  cmd.AddEvent(SessionEvent(t, changed, "updated"));
  // A larger capacity lets waiting registrations in.
  ASSIGN_OR_RETURN(int promoted, Promote(t, &ledger, &cmd));
  (void)promoted;
  store_.PutLedger(&cmd.batch(), ledger);
  return CommitTraining(t, ledger, &cmd);
}

absl::StatusOr<v1::Training> Trainings::CancelTraining(const v1::CancelTrainingRequest& r) {
  RETURN_IF_ERROR(CheckId("trn", r.id(), "id"));
  FieldViolations v;
  CheckExpectedVersion(r.expected_version(), &v);
  v.CheckText("reason", r.reason(), {.max_chars = 500, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  auto guard = locks_.Lock(r.id());
  ASSIGN_OR_RETURN(v1::Training t, LoadForChange(r.id(), r.expected_version(), "id"));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  t.set_status(v1::TRAINING_STATUS_CANCELLED);
  t.set_cancellation_reason(r.reason());
  for (auto& s : *t.mutable_sessions()) s.set_cancelled(true);
  common::NextVersion(&t, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  cmd.AddEvent(ScheduledEvent(t));
  return CommitTraining(t, ledger, &cmd);
}

}  // namespace renkei::training
