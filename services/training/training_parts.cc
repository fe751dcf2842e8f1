#include "training_parts.h"

#include <algorithm>
#include <cctype>

#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"

namespace renkei::training {

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
    s.clear_seats_taken();
    s.clear_seats_waiting();
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

int SeatsOf(const v1::Registration& r) { return std::max(1, r.party_size()); }

bool HasRoom(const v1::Training& t, const v1::TrainingLedger& ledger,
             const google::protobuf::RepeatedPtrField<std::string>& session_ids, int seats) {
  for (const auto& id : session_ids) {
    const v1::Session* s = FindSession(t, id);
    if (s == nullptr || s->cancelled()) return false;
    auto it = ledger.confirmed_by_session().find(id);
    const int confirmed = it == ledger.confirmed_by_session().end() ? 0 : it->second;
    if (confirmed + seats > s->capacity()) return false;
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

}  // namespace renkei::training
