// The rules of trainings: the built-in national skill framework, what valid content is and when
// two sessions collide. The labels of its enum values are the protos' (renkei/common/labels.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "renkei/common/validation.h"
#include "renkei/v1/training.pb.h"

namespace renkei::training {

inline constexpr int kMaxSessions = 100;
inline constexpr int kMaxCapacity = 10000;
inline constexpr int kMaxSurveyItems = 50;
inline constexpr int kMaxPartySize = 10;
inline constexpr int kMaxThemeTags = 10;
inline constexpr int kMaxAwarenessItems = 20;

// Version 1 of the national skill framework, used until a national instance publishes another:
// the six groups of DOMAIN.md, each skill defined at the levels beginner, practitioner and lead.
v1::SkillFramework BuiltInSkillFramework();

// A framework a national instance may publish: unique codes, known groups, names, levels.
void ValidateSkills(const google::protobuf::RepeatedPtrField<v1::Skill>& skills,
                    common::FieldViolations* v);

// Whether the framework defines `code` at `level`; sets *known_skill for the first question.
bool DefinesSkillLevel(const v1::SkillFramework& framework, std::string_view code,
                       v1::SkillLevel level, bool* known_skill);

// Content checks of a training (paths under `path`), against the framework for target skills
// and survey items' skills. Sessions are checked on their own (ValidateSession) and for
// collisions (Collisions).
void ValidateTrainingContent(const v1::Training& t, const v1::SkillFramework& framework,
                             std::string_view path, common::FieldViolations* v);
void ValidateSession(const v1::Session& s, std::string_view path, common::FieldViolations* v);

// A session as the collision check sees it.
struct ScheduledSession {
  std::string training_id;
  std::string training_title;
  std::string session_id;
  int64_t starts_us = 0, ends_us = 0;
  std::string venue_key;                   // normalized venue; empty when online only
  std::vector<std::string> lecturer_keys;  // normalized lecturer names
};

ScheduledSession ToScheduled(const v1::Training& t, const v1::Session& s);

// Adds a violation for every venue or lecturer of `candidate` (at `path`, e.g.
// "training.sessions[1]") booked in an overlapping session of `others` (sessions with the same id
// as the candidate are skipped), naming the conflicting training and session and its time.
void CheckCollisions(const ScheduledSession& candidate, const v1::Session& session,
                     const std::vector<const ScheduledSession*>& others, std::string_view path,
                     common::FieldViolations* v);

// "2026/12/05 14:00–16:00" in Asia/Tokyo.
std::string FormatSessionTime(int64_t starts_us, int64_t ends_us);

}  // namespace renkei::training
