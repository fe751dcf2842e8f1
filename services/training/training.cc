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

namespace renkei::training {
namespace {

using common::FieldViolations;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;

absl::Status CheckId(const std::string& prefix, const std::string& id, const std::string& field) {
  if (!common::IsWellFormedId(prefix, id)) {
    return common::InvalidField(field,
                                "IDの形式が不正です (" + prefix + "_ + 26文字) / malformed id");
  }
  return absl::OkStatus();
}

bool IsParticipantId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

int64_t Micros(const google::protobuf::Timestamp& t) { return common::MicrosFromTimestamp(t); }

void SortSessions(v1::Training* t) {
  std::stable_sort(t->mutable_sessions()->begin(), t->mutable_sessions()->end(),
                   [](const v1::Session& a, const v1::Session& b) {
                     return Micros(a.starts_at()) < Micros(b.starts_at());
                   });
}

// The stored form of a session: counts are output only.
void ClearCounts(v1::Training* t) {
  for (auto& s : *t->mutable_sessions()) {
    s.clear_confirmed();
    s.clear_waitlisted();
  }
}

const v1::Session* FindSession(const v1::Training& t, const std::string& id) {
  for (const auto& s : t.sessions()) {
    if (s.id() == id) return &s;
  }
  return nullptr;
}

int64_t FirstStart(const v1::Training& t) {
  int64_t first = INT64_MAX;
  for (const auto& s : t.sessions()) first = std::min(first, Micros(s.starts_at()));
  return first == INT64_MAX ? 0 : first;
}

int64_t LastEnd(const v1::Training& t) {
  int64_t last = 0;
  for (const auto& s : t.sessions()) last = std::max(last, Micros(s.ends_at()));
  return last;
}

// Registrations close at the deadline, and in any case when the first session starts.
int64_t ClosesAt(const v1::Training& t) {
  const int64_t first = FirstStart(t);
  if (!t.has_registration_deadline()) return first;
  return std::min(first, Micros(t.registration_deadline()));
}

v1::SessionInfo InfoOf(const v1::Session& s) {
  v1::SessionInfo info;
  info.set_session_id(s.id());
  *info.mutable_starts_at() = s.starts_at();
  *info.mutable_ends_at() = s.ends_at();
  info.set_venue(s.venue());
  info.set_online(s.online());
  info.set_capacity(s.capacity());
  info.set_cancelled(s.cancelled());
  info.set_online_url(s.online_url());
  return info;
}

v1::Session SessionOf(const v1::SessionInfo& info) {
  v1::Session s;
  s.set_id(info.session_id());
  *s.mutable_starts_at() = info.starts_at();
  *s.mutable_ends_at() = info.ends_at();
  s.set_venue(info.venue());
  s.set_online(info.online());
  s.set_capacity(info.capacity());
  s.set_cancelled(info.cancelled());
  s.set_online_url(info.online_url());
  return s;
}

bool HasRoom(const v1::Training& t, const v1::TrainingLedger& ledger,
             const google::protobuf::RepeatedPtrField<std::string>& session_ids) {
  for (const auto& id : session_ids) {
    const v1::Session* s = FindSession(t, id);
    if (s == nullptr || s->cancelled()) return false;
    auto it = ledger.confirmed_by_session().find(id);
    const int confirmed = it == ledger.confirmed_by_session().end() ? 0 : it->second;
    if (confirmed >= s->capacity()) return false;
  }
  return true;
}

void AddSeats(v1::TrainingLedger* ledger,
              const google::protobuf::RepeatedPtrField<std::string>& session_ids, int delta) {
  for (const auto& id : session_ids) (*ledger->mutable_confirmed_by_session())[id] += delta;
}

void AddWaiting(v1::TrainingLedger* ledger,
                const google::protobuf::RepeatedPtrField<std::string>& session_ids, int delta) {
  auto& waiting = *ledger->mutable_waiting_by_session();
  for (const auto& id : session_ids) {
    if ((waiting[id] += delta) <= 0) waiting.erase(id);
  }
}

void RemoveFromWaitlist(v1::TrainingLedger* ledger, const std::string& id) {
  auto* w = ledger->mutable_waitlist();
  for (int i = 0; i < w->size(); ++i) {
    if ((*w)[i] == id) {
      w->erase(w->begin() + i);
      return;
    }
  }
}

void ReleaseActive(v1::TrainingLedger* ledger, const v1::Registration& r) {
  auto& by_muni = *ledger->mutable_active_by_municipality();
  if (--by_muni[r.municipality_code()] <= 0) by_muni.erase(r.municipality_code());
  ledger->set_active(ledger->active() - 1);
}

bool Attended(const v1::Registration& r) {
  return std::any_of(r.attendance().begin(), r.attendance().end(),
                     [](const v1::SessionAttendance& a) { return a.attended(); });
}

void CheckPage(int32_t page_size, const std::string& token, FieldViolations* v) {
  if (page_size < 0 || page_size > kMaxPageSize) v->Add("page_size", "0〜200 です / 0..200");
  if (!token.empty() && (token.size() > 9 || !std::all_of(token.begin(), token.end(), ::isdigit))) {
    v->Add("page_token", "不正なページトークンです / malformed page token");
  }
}

}  // namespace

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
      outbox_(outbox) {}

absl::Status Trainings::Load() {
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
  if (r.expected_version() < 1)
    v.Add("expected_version", "読み込んだ版を指定してください / required");
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

void Trainings::FillCounts(const v1::TrainingLedger& ledger, v1::Training* t) const {
  for (auto& s : *t->mutable_sessions()) {
    auto it = ledger.confirmed_by_session().find(s.id());
    s.set_confirmed(it == ledger.confirmed_by_session().end() ? 0 : it->second);
    auto w = ledger.waiting_by_session().find(s.id());
    s.set_waitlisted(w == ledger.waiting_by_session().end() ? 0 : w->second);
  }
}

void Trainings::StageTraining(const v1::Training& training, const v1::TrainingLedger& ledger,
                              common::CommandBatch* cmd) {
  v1::Training stored = training;
  ClearCounts(&stored);
  store_.PutTraining(&cmd->batch(), stored);
  cmd->OnCommitted([this, stored, ledger] { IndexPut(stored, ledger); });
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
  bool placed = false;
  auto known = first_of_.find(t.id());
  if (known != first_of_.end()) {
    auto it =
        std::lower_bound(list_.begin(), list_.end(), std::make_pair(known->second, t.id()), before);
    if (it != list_.end() && it->id == t.id()) {
      if (it->first_us == e.first_us) {
        *it = std::move(e);  // same place (e.g. new counts)
        placed = true;
      } else {
        list_.erase(it);
      }
    }
  }
  if (!placed) {
    first_of_[t.id()] = e.first_us;
    const auto key = std::make_pair(e.first_us, t.id());
    list_.insert(std::lower_bound(list_.begin(), list_.end(), key, before), std::move(e));
  }
  if (active.empty()) {
    sessions_.erase(t.id());
  } else {
    sessions_[t.id()] = std::move(active);
  }
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
  StageTraining(t, ledger, &cmd);
  store_.PutLedger(&cmd.batch(), ledger);
  cmd.AddEvent(ScheduledEvent(t));
  v1::Training answer = t;
  FillCounts(ledger, &answer);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
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
  if (in.version() < 1)
    return common::InvalidField("training.version", "読み込んだ版を指定してください / required");
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
  common::NextVersion(&t, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  StageTraining(t, ledger, &cmd);
  cmd.AddEvent(ScheduledEvent(t));
  v1::Training answer = t;
  FillCounts(ledger, &answer);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

absl::StatusOr<v1::Training> Trainings::AddSession(const v1::AddSessionRequest& r) {
  RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
  FieldViolations v;
  if (r.expected_version() < 1)
    v.Add("expected_version", "読み込んだ版を指定してください / required");
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
  s.clear_confirmed();
  s.clear_waitlisted();
  {
    FieldViolations collisions;
    const ScheduledSession candidate = ToScheduled(t, s);
    std::vector<ScheduledSession> mine;
    for (const auto& existing : t.sessions()) {
      if (!existing.cancelled()) mine.push_back(ToScheduled(t, existing));
    }
    std::shared_lock lock(index_mu_);
    std::vector<const ScheduledSession*> others;
    for (const auto& [id, list] : sessions_) {
      if (id == t.id()) continue;
      for (const auto& o : list) others.push_back(&o);
    }
    for (const auto& m : mine) others.push_back(&m);
    CheckCollisions(candidate, s, others, "session", &collisions);
    lock.unlock();
    RETURN_IF_ERROR(collisions.ToStatus());
  }
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  common::CommandBatch cmd(raw_store_, outbox_);
  if (t.sessions_are_one_course()) {
    // A one-course registration takes every session: the active ones take this one too.
    const int confirmed = ledger.active() - ledger.waitlist_size();
    if (s.capacity() < confirmed) {
      return common::InvalidField("session.capacity",
                                  "一連の研修です。参加確定 " + std::to_string(confirmed) +
                                      " 名が入る定員にしてください / a one-course training: the "
                                      "capacity must hold the confirmed registrations");
    }
    ASSIGN_OR_RETURN(auto ids, store_.RegistrationIdsOf(t.id()));
    ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
    for (auto& reg : regs) {
      if (reg.status() == v1::REGISTRATION_STATUS_CANCELLED) continue;
      reg.add_session_ids(s.id());
      reg.set_version(reg.version() + 1);
      store_.PutRegistration(&cmd.batch(), reg);
    }
    (*ledger.mutable_confirmed_by_session())[s.id()] = confirmed;
    if (ledger.waitlist_size() > 0)
      (*ledger.mutable_waiting_by_session())[s.id()] = ledger.waitlist_size();
    store_.PutLedger(&cmd.batch(), ledger);
  }
  *t.add_sessions() = s;
  SortSessions(&t);
  common::NextVersion(&t, *clock_);
  StageTraining(t, ledger, &cmd);
  cmd.AddEvent(SessionEvent(t, s, "added"));
  v1::Training answer = t;
  FillCounts(ledger, &answer);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

absl::StatusOr<v1::Training> Trainings::UpdateSession(const v1::UpdateSessionRequest& r) {
  RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
  FieldViolations v;
  if (r.expected_version() < 1)
    v.Add("expected_version", "読み込んだ版を指定してください / required");
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
  *target = r.session();
  target->set_cancelled(cancelled);
  target->clear_confirmed();
  target->clear_waitlisted();
  const v1::Session changed = *target;
  {
    FieldViolations collisions;
    const ScheduledSession candidate = ToScheduled(t, changed);
    std::vector<ScheduledSession> mine;
    for (const auto& existing : t.sessions()) {
      if (!existing.cancelled() && existing.id() != changed.id())
        mine.push_back(ToScheduled(t, existing));
    }
    std::shared_lock lock(index_mu_);
    std::vector<const ScheduledSession*> others;
    for (const auto& [id, list] : sessions_) {
      if (id == t.id()) continue;
      for (const auto& o : list) others.push_back(&o);
    }
    for (const auto& m : mine) others.push_back(&m);
    CheckCollisions(candidate, changed, others, "session", &collisions);
    lock.unlock();
    RETURN_IF_ERROR(collisions.ToStatus());
  }
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
  StageTraining(t, ledger, &cmd);
  store_.PutLedger(&cmd.batch(), ledger);
  v1::Training answer = t;
  FillCounts(ledger, &answer);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

absl::StatusOr<v1::Training> Trainings::CancelTraining(const v1::CancelTrainingRequest& r) {
  RETURN_IF_ERROR(CheckId("trn", r.id(), "id"));
  FieldViolations v;
  if (r.expected_version() < 1)
    v.Add("expected_version", "読み込んだ版を指定してください / required");
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
  StageTraining(t, ledger, &cmd);
  cmd.AddEvent(ScheduledEvent(t));
  v1::Training answer = t;
  FillCounts(ledger, &answer);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

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
    if (!HasRoom(t, *ledger, reg.session_ids())) continue;
    AddSeats(ledger, reg.session_ids(), +1);
    AddWaiting(ledger, reg.session_ids(), -1);
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
    ++promoted;
  }
  return promoted;
}

absl::StatusOr<google::protobuf::RepeatedPtrField<std::string>> Trainings::ResolveSessions(
    const v1::Training& t, const google::protobuf::RepeatedPtrField<std::string>& requested) const {
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
        return common::InvalidField("registration.session_ids",
                                    "参加する回を指定してください / choose at least one session");
      }
      *sessions.Add() = active[0]->id();
    }
    for (int i = 0; i < requested.size(); ++i) {
      const std::string field = "registration.session_ids[" + std::to_string(i) + "]";
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
  if (HasRoom(t, *ledger, sessions)) {
    AddSeats(ledger, sessions, +1);
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
    AddWaiting(ledger, sessions, +1);
    reg.set_status(v1::REGISTRATION_STATUS_WAITLISTED);
    auto* p = e.mutable_registration_waitlisted();
    p->set_registration_id(reg.id());
    p->set_training_id(t.id());
    p->set_municipality_code(reg.municipality_code());
    p->set_role(reg.role());
    p->set_position(ledger->waitlist_size());
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
  if (!OrganizedHere(t)) return RequestFromAbove(t, in, sessions, now);
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
  } else if (event.has_registration_waitlisted()) {
    if (reg.status() != v1::REGISTRATION_STATUS_REQUESTED) return absl::OkStatus();
    reg.set_status(v1::REGISTRATION_STATUS_WAITLISTED);
    reg.set_waitlist_position(event.registration_waitlisted().position());
  } else {
    reg.set_status(v1::REGISTRATION_STATUS_CANCELLED);
    *reg.mutable_cancelled_at() = event.occurred_at();
    store_.Deactivate(&cmd->batch(), reg);
  }
  reg.set_version(reg.version() + 1);
  store_.PutRegistration(&cmd->batch(), reg);
  return absl::OkStatus();
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
    AddSeats(ledger, reg->session_ids(), -1);
  } else {
    RemoveFromWaitlist(ledger, reg->id());
    AddWaiting(ledger, reg->session_ids(), -1);
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
          "training_id か participant_id のどちらか一方を指定してください / "
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

// --- attendance and surveys -----------------------------------------------------------------

absl::StatusOr<v1::RecordAttendanceResponse> Trainings::RecordAttendance(
    const v1::RecordAttendanceRequest& r) {
  FieldViolations v;
  if (!common::IsWellFormedId("trn", r.training_id()))
    v.Add("training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
  if (!common::IsWellFormedId("ses", r.session_id()))
    v.Add("session_id", "IDの形式が不正です (ses_ + 26文字) / malformed id");
  if (r.entries().empty()) v.Add("entries", "1件以上指定してください / at least one entry");
  v.CheckCount("entries", r.entries_size(), kMaxCapacity);
  for (int i = 0; i < r.entries_size() && i < kMaxCapacity; ++i) {
    if (!common::IsWellFormedId("reg", r.entries(i).registration_id())) {
      v.Add("entries[" + std::to_string(i) + "].registration_id",
            "IDの形式が不正です (reg_ + 26文字) / malformed id");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  auto guard = locks_.Lock(r.training_id());
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.training_id()));
  const v1::Session* session = FindSession(t, r.session_id());
  if (session == nullptr) {
    return common::NotFoundError("renkei.v1.Session", r.session_id(),
                                 "回が見つかりません / no such session");
  }
  if (t.status() == v1::TRAINING_STATUS_CANCELLED) {
    return common::NotAllowedNow("training_id", "中止された研修です / the training is cancelled");
  }
  if (session->cancelled()) {
    return common::NotAllowedNow("session_id", "中止された回です / the session is cancelled");
  }
  std::vector<std::string> ids;
  for (const auto& entry : r.entries()) ids.push_back(entry.registration_id());
  std::vector<v1::Registration> regs;
  {
    auto loaded = store_.GetRegistrations(ids);
    if (!loaded.ok() && !absl::IsNotFound(loaded.status())) return loaded.status();
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string field = "entries[" + std::to_string(i) + "].registration_id";
      if (!loaded.ok()) {
        auto one = store_.GetRegistration(ids[i]);
        if (!one.ok())
          return common::InvalidField(field, "申込が見つかりません / no such registration");
        regs.push_back(*one);
      } else {
        regs.push_back((*loaded)[i]);
      }
      const auto& reg = regs.back();
      if (reg.training_id() != t.id())
        return common::InvalidField(field, "この研修の申込ではありません / another training's");
      if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED)
        return common::InvalidField(field, "参加確定ではありません / not confirmed");
      if (std::find(reg.session_ids().begin(), reg.session_ids().end(), session->id()) ==
          reg.session_ids().end()) {
        return common::InvalidField(field,
                                    "この回の申込ではありません / does not take this session");
      }
      for (size_t j = 0; j < i; ++j) {
        if (ids[j] == ids[i]) return common::InvalidField(field, "重複しています / duplicate");
      }
    }
  }
  common::CommandBatch cmd(raw_store_, outbox_);
  for (size_t i = 0; i < regs.size(); ++i) {
    auto& reg = regs[i];
    bool found = false;
    for (auto& a : *reg.mutable_attendance()) {
      if (a.session_id() == session->id()) {
        a.set_attended(r.entries(i).attended());
        found = true;
      }
    }
    if (!found) {
      auto* a = reg.add_attendance();
      a->set_session_id(session->id());
      a->set_attended(r.entries(i).attended());
    }
    reg.set_version(reg.version() + 1);
    store_.PutRegistration(&cmd.batch(), reg);
    auto e = NewEvent(t, "registration", reg.id(), reg.version());
    auto* p = e.mutable_attendance_recorded();
    p->set_registration_id(reg.id());
    p->set_training_id(t.id());
    p->set_session_id(session->id());
    p->set_municipality_code(reg.municipality_code());
    p->set_role(reg.role());
    p->set_attended(r.entries(i).attended());
    cmd.AddEvent(e);
  }
  // The session's attendance once this batch is in: the stored registrations (unchanged under
  // the training's lock) with this call's changes.
  v1::TrainingLedger ledger;
  ASSIGN_OR_RETURN(auto all, RegistrationsOfTraining(t.id(), &ledger));
  std::map<std::string, const v1::Registration*> changed;
  for (const auto& reg : regs) changed[reg.id()] = &reg;
  v1::RecordAttendanceResponse out;
  out.set_recorded(static_cast<int32_t>(regs.size()));
  int attended = 0;
  for (const auto& stored : all) {
    auto it = changed.find(stored.id());
    const v1::Registration& reg = it == changed.end() ? stored : *it->second;
    for (const auto& a : reg.attendance()) {
      if (a.session_id() == session->id() && a.attended()) ++attended;
    }
  }
  out.set_attended(attended);
  cmd.SetAnswer(out);
  RETURN_IF_ERROR(cmd.Commit());
  return out;
}

absl::StatusOr<v1::SurveyResponse> Trainings::SubmitSurvey(const v1::SubmitSurveyRequest& r) {
  RETURN_IF_ERROR(CheckId("reg", r.registration_id(), "registration_id"));
  FieldViolations v;
  v.CheckCount("answers", r.answers_size(), kMaxSurveyItems);
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(v1::Registration first, store_.GetRegistration(r.registration_id()));
  auto guard = locks_.Lock(first.training_id());
  ASSIGN_OR_RETURN(v1::Registration reg, store_.GetRegistration(r.registration_id()));
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg.training_id()));
  if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED || !Attended(reg)) {
    return common::InvalidField("registration_id",
                                "出席の記録がない申込です / no attendance recorded");
  }
  if (reg.survey_submitted()) {
    return absl::AlreadyExistsError("アンケートは提出済みです / survey already submitted");
  }
  std::vector<const v1::SurveyItem*> items;
  for (int i = 0; i < r.answers_size(); ++i) {
    const auto& a = r.answers(i);
    const std::string p = "answers[" + std::to_string(i) + "]";
    auto it = std::find_if(t.survey_items().begin(), t.survey_items().end(),
                           [&](const v1::SurveyItem& item) { return item.id() == a.item_id(); });
    if (it == t.survey_items().end()) {
      v.Add(p + ".item_id", "この研修のアンケートにない項目です / unknown item");
      items.push_back(nullptr);
      continue;
    }
    items.push_back(&*it);
    for (int j = 0; j < i; ++j) {
      if (r.answers(j).item_id() == a.item_id())
        v.Add(p + ".item_id", "重複しています / duplicate");
    }
    if (it->kind() == v1::SURVEY_ITEM_KIND_LIKERT) {
      if (a.likert() < 1 || a.likert() > 5) v.Add(p + ".likert", "1〜5 で答えてください / 1..5");
      if (!a.text().empty()) v.Add(p + ".text", "選択式の項目です / a Likert item");
    } else {
      if (a.likert() != 0) v.Add(p + ".likert", "自由記述の項目です / a free-text item");
      v.CheckText(p + ".text", a.text(), {.max_chars = 2000, .single_line = false});
    }
  }
  for (const auto& item : t.survey_items()) {
    if (!item.required()) continue;
    const bool answered =
        std::any_of(r.answers().begin(), r.answers().end(), [&](const v1::SurveyAnswer& a) {
          return a.item_id() == item.id() && (a.likert() != 0 || !a.text().empty());
        });
    if (!answered)
      v.Add("answers", "必須項目 " + item.id() + " が未回答です / required item missing");
  }
  RETURN_IF_ERROR(v.ToStatus());

  v1::SurveyResponse survey;
  survey.set_registration_id(reg.id());
  survey.set_training_id(t.id());
  survey.set_municipality_code(reg.municipality_code());
  survey.set_role(reg.role());
  *survey.mutable_answers() = r.answers();
  *survey.mutable_submitted_at() = clock_->NowTimestamp();
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  ledger.set_surveys(ledger.surveys() + 1);
  reg.set_survey_submitted(true);
  reg.set_version(reg.version() + 1);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutSurvey(&cmd.batch(), survey);
  store_.PutRegistration(&cmd.batch(), reg);
  store_.PutLedger(&cmd.batch(), ledger);
  auto e = NewEvent(t, "registration", reg.id(), reg.version());
  auto* p = e.mutable_survey_submitted();
  p->set_registration_id(reg.id());
  p->set_training_id(t.id());
  p->set_municipality_code(reg.municipality_code());
  p->set_role(reg.role());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i]->kind() != v1::SURVEY_ITEM_KIND_LIKERT) continue;  // free text stays here
    auto* a = p->add_answers();
    a->set_item_id(r.answers(static_cast<int>(i)).item_id());
    a->set_likert(r.answers(static_cast<int>(i)).likert());
    p->add_skill_codes(items[i]->skill_code());
  }
  cmd.AddEvent(e);
  cmd.SetAnswer(survey);
  RETURN_IF_ERROR(cmd.Commit());
  return survey;
}

absl::StatusOr<v1::SurveyResults> Trainings::GetSurveyResults(
    const v1::GetSurveyResultsRequest& r) const {
  RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.training_id()));
  v1::TrainingLedger ledger;
  ASSIGN_OR_RETURN(auto regs, RegistrationsOfTraining(t.id(), &ledger));

  struct Tally {
    int registered = 0, attended = 0, responses = 0;
    std::map<std::string, std::array<int, 5>> counts;  // item -> distribution
  };
  Tally overall;
  std::map<std::string, Tally> by_muni;
  v1::SurveyResults out;
  out.set_training_id(t.id());
  for (const auto& reg : regs) {
    if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED) continue;
    Tally& m = by_muni[reg.municipality_code()];
    ++overall.registered;
    ++m.registered;
    if (Attended(reg)) {
      ++overall.attended;
      ++m.attended;
    }
    if (!reg.survey_submitted()) continue;
    ASSIGN_OR_RETURN(auto survey, store_.GetSurvey(reg.id()));
    if (!survey) continue;
    ++overall.responses;
    ++m.responses;
    for (const auto& a : survey->answers()) {
      if (a.likert() >= 1 && a.likert() <= 5) {
        overall.counts[a.item_id()][a.likert() - 1]++;
        m.counts[a.item_id()][a.likert() - 1]++;
      } else if (r.include_free_text() && !a.text().empty()) {
        out.add_free_text(a.text());
      }
    }
  }
  auto fill = [&](const Tally& tally, const std::string& code, v1::SurveyGroupResults* g) {
    g->set_municipality_code(code);
    g->set_registered(tally.registered);
    g->set_attended(tally.attended);
    g->set_responses(tally.responses);
    for (const auto& item : t.survey_items()) {
      if (item.kind() != v1::SURVEY_ITEM_KIND_LIKERT) continue;
      auto* s = g->add_items();
      s->set_item_id(item.id());
      s->set_question(item.question());
      s->set_skill_code(item.skill_code());
      auto it = tally.counts.find(item.id());
      int n = 0, sum = 0;
      for (int k = 0; k < 5; ++k) {
        const int c = it == tally.counts.end() ? 0 : it->second[k];
        s->add_distribution(c);
        n += c;
        sum += c * (k + 1);
      }
      s->set_responses(n);
      s->set_mean(n ? static_cast<double>(sum) / n : 0);
    }
  };
  fill(overall, "", out.mutable_overall());
  for (const auto& [code, tally] : by_muni) fill(tally, code, out.add_by_municipality());
  return out;
}

// --- calendar and network -------------------------------------------------------------------

absl::StatusOr<v1::Calendar> Trainings::ExportCalendar(const v1::ExportCalendarRequest& r) const {
  std::vector<v1::Training> trainings;
  std::vector<CalendarEntry> entries;
  std::string name, file;
  switch (r.scope_case()) {
    case v1::ExportCalendarRequest::kTrainingId: {
      RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
      ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.training_id()));
      trainings.push_back(std::move(t));
      name = trainings[0].title();
      file = trainings[0].id() + ".ics";
      entries.reserve(trainings[0].sessions_size());
      for (const auto& s : trainings[0].sessions())
        entries.push_back({&trainings[0], &s, "", false});
      break;
    }
    case v1::ExportCalendarRequest::kParticipantId: {
      if (!IsParticipantId(r.participant_id())) {
        return common::InvalidField("participant_id",
                                    "英数字と _ - . の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
      }
      ASSIGN_OR_RETURN(auto ids, store_.RegistrationsOf(r.participant_id()));
      ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
      std::vector<v1::Registration> active;
      for (auto& reg : regs) {
        if (reg.status() == v1::REGISTRATION_STATUS_CANCELLED) continue;
        ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg.training_id()));
        if (reg.status() == v1::REGISTRATION_STATUS_WAITLISTED) {
          ASSIGN_OR_RETURN(auto ledger, store_.GetLedger(reg.training_id()));
          reg.set_waitlist_position(WaitlistPosition(ledger, reg.id()));
        }
        trainings.push_back(std::move(t));
        active.push_back(std::move(reg));
      }
      for (size_t i = 0; i < trainings.size(); ++i) {
        const auto& reg = active[i];
        for (const auto& s : trainings[i].sessions()) {
          if (std::find(reg.session_ids().begin(), reg.session_ids().end(), s.id()) ==
              reg.session_ids().end()) {
            continue;
          }
          const bool waiting = reg.status() == v1::REGISTRATION_STATUS_WAITLISTED;
          entries.push_back(
              {&trainings[i], &s,
               waiting ? "（キャンセル待ち " + std::to_string(reg.waitlist_position()) + "番）"
                       : "",
               waiting});
        }
      }
      name = "研修の申込";
      file = "registrations-" + r.participant_id() + ".ics";
      break;
    }
    case v1::ExportCalendarRequest::kMunicipalityCode: {
      FieldViolations v;
      v.CheckMunicipalityCode("municipality_code", r.municipality_code());
      RETURN_IF_ERROR(v.ToStatus());
      std::vector<std::string> ids;
      {
        std::shared_lock lock(index_mu_);
        const int municipality = std::atoi(r.municipality_code().c_str());
        for (const Entry& e : list_) {
          if (!e.cancelled && VisibleTo(e, municipality)) ids.push_back(e.id);
        }
      }
      trainings.reserve(ids.size());
      for (const auto& id : ids) {
        ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(id));
        trainings.push_back(std::move(t));
      }
      for (const auto& t : trainings) {
        for (const auto& s : t.sessions()) entries.push_back({&t, &s, "", false});
      }
      const auto* m = common::Jurisdictions::Get().FindMunicipality(r.municipality_code());
      name = (m ? m->name : r.municipality_code()) + "の研修";
      file = "trainings-" + r.municipality_code() + ".ics";
      break;
    }
    default:
      return common::InvalidField("scope",
                                  "training_id, participant_id, municipality_code のどれかを指定"
                                  "してください / one of training_id, participant_id, "
                                  "municipality_code");
  }
  v1::Calendar out;
  out.set_content_type("text/calendar; charset=utf-8");
  out.set_file_name(file);
  out.set_content(RenderCalendar(name, entries, clock_->NowMicros()));
  out.set_event_count(static_cast<int32_t>(entries.size()));
  return out;
}

absl::StatusOr<v1::ListPeersResponse> Trainings::ListPeers(const v1::ListPeersRequest& r) const {
  FieldViolations v;
  for (int i = 0; i < r.roles_size() && i < 20; ++i) {
    v.CheckEnum("roles[" + std::to_string(i) + "]", r.roles(i), v1::AudienceRole_IsValid, false);
  }
  v.CheckCount("roles", r.roles_size(), 20);
  std::vector<std::string> training_ids;
  std::string self;
  switch (r.scope_case()) {
    case v1::ListPeersRequest::kTrainingId:
      if (!common::IsWellFormedId("trn", r.training_id())) {
        v.Add("training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
      }
      training_ids.push_back(r.training_id());
      break;
    case v1::ListPeersRequest::kParticipantId:
      if (!IsParticipantId(r.participant_id())) {
        v.Add("participant_id", "英数字と _ - . の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
      }
      self = r.participant_id();
      break;
    default:
      v.Add("scope",
            "training_id か participant_id を指定してください / training_id or "
            "participant_id");
  }
  RETURN_IF_ERROR(v.ToStatus());
  if (!self.empty()) {
    ASSIGN_OR_RETURN(auto ids, store_.RegistrationsOf(self));
    ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
    for (const auto& reg : regs) {
      if (reg.status() == v1::REGISTRATION_STATUS_CONFIRMED && Attended(reg))
        training_ids.push_back(reg.training_id());
    }
  } else {
    RETURN_IF_ERROR(store_.GetTraining(training_ids[0]).status());
  }
  std::vector<int> roles(r.roles().begin(), r.roles().end());
  if (roles.empty()) roles.push_back(v1::AUDIENCE_ROLE_COORDINATORS);
  std::map<std::string, v1::Peer> peers;
  for (const auto& training_id : training_ids) {
    v1::TrainingLedger ledger;
    ASSIGN_OR_RETURN(auto regs, RegistrationsOfTraining(training_id, &ledger));
    for (const auto& reg : regs) {
      if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED || !Attended(reg)) continue;
      if (reg.participant_id() == self) continue;
      if (std::find(roles.begin(), roles.end(), reg.role()) == roles.end()) continue;
      v1::Peer& p = peers[reg.participant_id()];
      p.set_participant_id(reg.participant_id());
      if (reg.network_consent()) p.set_name(reg.participant_name());
      p.set_municipality_code(reg.municipality_code());
      p.set_role(reg.role());
      if (!reg.directory_resource_id().empty())
        p.set_directory_resource_id(reg.directory_resource_id());
      p.add_training_ids(training_id);
    }
  }
  v1::ListPeersResponse out;
  std::vector<v1::Peer> list;
  for (auto& [id, p] : peers) list.push_back(std::move(p));
  std::sort(list.begin(), list.end(), [](const v1::Peer& a, const v1::Peer& b) {
    return a.municipality_code() != b.municipality_code()
               ? a.municipality_code() < b.municipality_code()
               : a.participant_id() < b.participant_id();
  });
  for (auto& p : list) *out.add_peers() = std::move(p);
  return out;
}

}  // namespace renkei::training
