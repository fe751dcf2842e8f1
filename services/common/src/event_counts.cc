#include "renkei/common/event_counts.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "absl/strings/numbers.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/keys.h"
#include "renkei/common/status_macros.h"

namespace renkei::common {
namespace {

// The tally's own record, before every figure (figure keys start with a non-empty code).
constexpr char kSinceKey[] = "\x00since";

std::string MonthOf(const google::protobuf::Timestamp& t) {
  const v1::Date d = TokyoDate(MicrosFromTimestamp(t));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", d.year(), d.month());
  return buf;
}

Increment Count(const std::string& code, const std::string& j, const std::string& period) {
  Increment i;
  i.code = code;
  i.jurisdiction = j;
  i.period = period;
  i.value = 1;
  return i;
}

Increment Fraction(const std::string& code, const std::string& j, const std::string& period,
                   double numerator, double denominator) {
  Increment i;
  i.code = code;
  i.jurisdiction = j;
  i.period = period;
  i.numerator = numerator;
  i.denominator = denominator;
  return i;
}

std::string FigureKey(std::string_view code, std::string_view jurisdiction,
                      std::string_view period) {
  return KeyBuilder().Str(code).Str(jurisdiction).Str(period).Release();
}

}  // namespace

std::string SourceWord(v1::SourceType t) {
  std::string name = v1::SourceType_Name(t);
  const std::string prefix = "SOURCE_TYPE_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

std::vector<Increment> IncrementsOf(const v1::EventEnvelope& e) {
  std::vector<Increment> out;
  const std::string month = MonthOf(e.occurred_at());
  const std::string& j = e.jurisdiction_code();
  switch (e.payload_case()) {
    case v1::EventEnvelope::kConsultationReceived: {
      const auto& p = e.consultation_received();
      const std::string m = MonthOf(p.received_at());
      out.push_back(Count("derived.consultations", p.municipality_code(), m));
      out.push_back(Count("derived.consultations.src." + SourceWord(p.source_type()),
                          p.municipality_code(), m));
      if (!p.requester_municipality_code().empty()) {
        const bool inside = p.requester_municipality_code() == p.municipality_code();
        out.push_back(Count(
            std::string("derived.consultations.institution.") + (inside ? "inside" : "outside"),
            p.municipality_code(), m));
      }
      break;
    }
    case v1::EventEnvelope::kMatchFound:
      // Advice needs are matched to coordinators, not resources: not in the share matched inside.
      if (e.match_found().advice()) break;
      out.push_back(Fraction("derived.needs_matched_inside", j, month,
                             e.match_found().inside() > 0 ? 1 : 0, 1));
      break;
    case v1::EventEnvelope::kResourceGapFound: {
      const auto& p = e.resource_gap_found();
      out.push_back(Count("derived.resource_gaps", p.municipality_code(), month));
      if (!p.capability().empty()) {
        out.push_back(
            Count("derived.resource_gaps.cap." + p.capability(), p.municipality_code(), month));
      }
      break;
    }
    case v1::EventEnvelope::kReferralMade:
      out.push_back(Fraction("derived.referrals_outside", j, month,
                             e.referral_made().outside_municipality() ? 1 : 0, 1));
      break;
    case v1::EventEnvelope::kIssueSeedRaised:
      out.push_back(Count("derived.issue_seeds", e.issue_seed_raised().municipality_code(), month));
      break;
    case v1::EventEnvelope::kIssueOpened:
      out.push_back(Count("derived.issues_opened", e.issue_opened().municipality_code(), month));
      break;
    case v1::EventEnvelope::kIssueStepCompleted: {
      const auto& p = e.issue_step_completed();
      if (p.step() >= 1 && p.step() <= 7) {
        out.push_back(Count("derived.issue_steps_completed." + std::to_string(p.step()),
                            p.municipality_code(), month));
      }
      break;
    }
    case v1::EventEnvelope::kTrainingScheduled:
      // Published again on edits: only the first version counts.
      if (e.aggregate_version() == 1) {
        out.push_back(
            Count("derived.trainings_scheduled", e.training_scheduled().organizer_code(), month));
      }
      break;
    case v1::EventEnvelope::kRegistrationConfirmed:
      if (!e.registration_confirmed().promoted_from_waitlist()) {
        out.push_back(
            Count("derived.registrations", e.registration_confirmed().municipality_code(), month));
      }
      break;
    case v1::EventEnvelope::kRegistrationWaitlisted:
      out.push_back(
          Count("derived.registrations", e.registration_waitlisted().municipality_code(), month));
      break;
    case v1::EventEnvelope::kAttendanceRecorded: {
      const auto& p = e.attendance_recorded();
      out.push_back(Fraction("derived.attendance_rate", p.municipality_code(), month,
                             p.attended() ? 1 : 0, 1));
      // Residents who came, by the seats their registrations took; a correction counts the
      // difference.
      const int now_in = p.attended() ? std::max(1, p.party_size()) : 0;
      const int before = p.previously_attended() ? std::max(1, p.party_size()) : 0;
      if (p.public_event() && now_in != before) {
        Increment i = Count("derived.resident_participants", p.municipality_code(), month);
        i.value = now_in - before;
        out.push_back(i);
      }
      break;
    }
    case v1::EventEnvelope::kSessionHeld:
      if (e.session_held().public_event()) {
        out.push_back(
            Count("derived.resident_events_held", e.session_held().organizer_code(), month));
      }
      break;
    case v1::EventEnvelope::kAwarenessAnswered: {
      const auto& p = e.awareness_answered();
      const char* phase = p.phase() == v1::AWARENESS_PHASE_BEFORE ? ".before" : ".after";
      for (const auto& a : p.answers()) {
        if (a.likert() < 1 || a.likert() > 5) continue;
        out.push_back(Fraction("derived.awareness." + a.item_id() + phase, p.organizer_code(),
                               month, a.likert() >= 4 ? 1 : 0, 1));
      }
      break;
    }
    case v1::EventEnvelope::kSurveySubmitted: {
      const auto& p = e.survey_submitted();
      std::map<std::string, std::pair<double, double>> by_skill;
      for (int i = 0; i < p.answers_size() && i < p.skill_codes_size(); ++i) {
        if (p.skill_codes(i).empty() || p.answers(i).likert() < 1) continue;
        auto& [sum, n] = by_skill[p.skill_codes(i)];
        sum += p.answers(i).likert();
        n += 1;
      }
      for (const auto& [skill, sn] : by_skill) {
        out.push_back(Fraction("derived.survey_score." + skill, p.municipality_code(), month,
                               sn.first, sn.second));
      }
      break;
    }
    default:
      break;
  }
  return out;
}

void TallyEvent(const v1::EventEnvelope& event, ColumnFamily cf, Batch* batch) {
  if (!cf.valid()) return;
  for (const auto& inc : IncrementsOf(event)) {
    if (inc.jurisdiction.empty()) continue;
    batch->Merge(cf, FigureKey(inc.code, inc.jurisdiction, inc.period),
                 EncodeSums({inc.value, inc.numerator, inc.denominator}));
  }
}

absl::Status InitEventCounts(Store* store, bool store_was_new, int64_t now_micros) {
  if (!store->HasCf(kEventCountsFamily)) return absl::OkStatus();
  const ColumnFamily cf = store->Cf(kEventCountsFamily);
  auto since = store->Get(cf, std::string_view(kSinceKey, sizeof kSinceKey - 1));
  if (since.ok()) return absl::OkStatus();
  if (!absl::IsNotFound(since.status())) return since.status();
  Batch batch;
  batch.Put(cf, std::string_view(kSinceKey, sizeof kSinceKey - 1),
            std::to_string(store_was_new ? 0 : now_micros));
  return store->Write(batch);
}

absl::StatusOr<v1::EventCounts> ReadEventCounts(const Store& store) {
  v1::EventCounts out;
  if (!store.HasCf(kEventCountsFamily)) return out;
  const ColumnFamily cf = store.Cf(kEventCountsFamily);
  auto it = store.NewIterator(cf);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    if (!key.empty() && key[0] == '\0') {
      if (key == std::string_view(kSinceKey, sizeof kSinceKey - 1)) {
        int64_t micros = 0;
        if (absl::SimpleAtoi(std::string(it->value()), &micros) && micros > 0) {
          *out.mutable_counting_since() = TimestampFromMicros(micros);
        }
      }
      continue;
    }
    KeyReader r(key);
    auto* c = out.add_counts();
    std::string code, jurisdiction, period;
    if (!r.Str(&code) || !r.Str(&jurisdiction) || !r.Str(&period)) {
      return absl::DataLossError("event count key unreadable");
    }
    c->set_code(code);
    c->set_jurisdiction(jurisdiction);
    c->set_period(period);
    Sums sums;
    if (!DecodeSums(it->value(), &sums)) return absl::DataLossError("event count unreadable");
    c->set_value(sums.a);
    c->set_numerator(sums.b);
    c->set_denominator(sums.c);
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace renkei::common
