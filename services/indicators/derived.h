// Derived indicators: monthly figures computed from the events of intake, issues and training
// (origin DERIVED), by the jurisdiction each event concerns and the month (Asia/Tokyo) it
// happened in. What each event adds is a pure function of the event, so the figures can be
// recomputed from the event history.
//
//   derived.consultations                 相談件数 (consultation_received, by received month)
//   derived.consultations.src.<source>    相談件数 by source type (patient_family, …)
//   derived.consultations.institution.<inside|outside>
//                                         相談件数 by where the requester's institution is
//   derived.needs_matched_inside          needs whose matching found a resource inside / matched
//   derived.resource_gaps                 資源の空白 (resource_gap_found)
//   derived.resource_gaps.cap.<capability>
//   derived.referrals_outside             referrals outside the municipality / referrals
//   derived.issue_seeds                   地域課題のタネ (issue_seed_raised)
//   derived.issues_opened                 地域課題 (issue_opened)
//   derived.issue_steps_completed.<n>     PDCA step n completed (issue_step_completed)
//   derived.trainings_scheduled           研修 (training_scheduled, first version), by organizer
//   derived.registrations                 研修の申込 (confirmed or waitlisted on registering)
//   derived.attendance_rate               attended / attendance recorded, per session
//   derived.survey_score.<skill>          mean Likert answer of survey items measuring the skill
//   derived.resident_events_held          session_held of a public event (residents' events held)
//   derived.resident_participants         attendance_recorded of a public event: seats attended
//   derived.awareness.<item>.<before|after>  awareness_answered: share answering 4 or 5
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "renkei/common/event_counts.h"
#include "renkei/v1/events.pb.h"
#include "renkei/v1/indicators.pb.h"

namespace renkei::indicators {

inline constexpr char kDerivedPrefix[] = "derived.";

// What one event adds to one derived figure (common/event_counts.h: every service tallies the
// same for its own events).
using common::Increment;
using common::IncrementsOf;

// The definition of a derived code (nullopt when `code` names none).
std::optional<v1::IndicatorDefinition> DerivedDefinition(const std::string& code);

}  // namespace renkei::indicators
