// What events add to the derived indicators (docs/indicators.md, "Derived indicators"), and the
// tally of it every service keeps in its own store.
//
// The contribution of an event is a pure function of the event (IncrementsOf). The indicators
// service adds it up from the stream; every service that publishes events adds the same up for
// its own events in the batch that commits them (CommandBatch::Commit, through a summing merge
// in the "sum_events" column family: no read, no lock). The two must agree while the stream
// holds every event: `renkeictl indicator reconcile` compares them (AdminService.CountEvents).
//
//   derived.consultations                 consultation_received, by received month
//   derived.consultations.src.<source>    the same by source type (patient_family, ...)
//   derived.consultations.institution.<inside|outside>
//                                         the same, when the requester is linked to an
//                                         institution, by whether it is in the municipality
//   derived.needs_matched_inside          match_found: a candidate inside / matched needs (needs
//                                         for a service; advice needs are not counted)
//   derived.resource_gaps[.cap.<cap>]     resource_gap_found
//   derived.referrals_outside             referral_made: outside / referrals
//   derived.issue_seeds                   issue_seed_raised
//   derived.issues_opened                 issue_opened
//   derived.issue_steps_completed.<n>     issue_step_completed
//   derived.trainings_scheduled           training_scheduled, first version, by organizer
//   derived.registrations                 registration_confirmed (not promotions) / _waitlisted
//   derived.attendance_rate               attendance_recorded: attended / recorded
//   derived.survey_score.<skill>          survey_submitted: Likert answers per skill
//   derived.resident_events_held          session_held of a public event (residents' events held)
//   derived.resident_participants         attendance_recorded of a public event: seats attended
//   derived.awareness.<item>.<before|after>  awareness_answered: share answering 4 or 5
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/store.h"
#include "renkei/v1/admin.pb.h"
#include "renkei/v1/events.pb.h"

namespace renkei::common {

// What one event adds to one derived figure.
struct Increment {
  std::string code;
  std::string jurisdiction;
  std::string period;                     // "2026-11" (Asia/Tokyo month)
  double value = 0;                       // counts
  double numerator = 0, denominator = 0;  // ratios and means
};

// The increments an event contributes (none for events no derived indicator counts).
std::vector<Increment> IncrementsOf(const v1::EventEnvelope& event);

// "SOURCE_TYPE_PATIENT_FAMILY" -> "patient_family" (the word in derived.consultations.src.*).
std::string SourceWord(v1::SourceType type);

// The tally column family (summing merge, store.h).
inline constexpr char kEventCountsFamily[] = "sum_events";

// Adds what `event` contributes to the tally in `batch` (nothing when `cf` is unset).
void TallyEvent(const v1::EventEnvelope& event, ColumnFamily cf, Batch* batch);

// Marks when the tally started, the first time a store with the tally family is opened: "since
// the beginning" (unset) for a new store, now for a store that held data before the tally existed.
absl::Status InitEventCounts(Store* store, bool store_was_new, int64_t now_micros);

// Every figure of the tally, sorted, and since when it counts.
absl::StatusOr<v1::EventCounts> ReadEventCounts(const Store& store);

}  // namespace renkei::common
