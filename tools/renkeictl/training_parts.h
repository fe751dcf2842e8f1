// What the files of `renkeictl training` share (training_commands.cc and its parts: the catalogue,
// sessions, registrations, attendance and surveys, calendars and peers): the stub, the words, the
// --session spec, the confirmation of a changed training and reading one for an edit. Not part of
// renkeictl's interface.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/v1/training.grpc.pb.h"
#include "words.h"

namespace renkei::cli {

namespace training_commands {

std::unique_ptr<v1::TrainingService::Stub> Stub();

// ---- words on the command line, and the labels people see ----

inline constexpr Word<v1::SkillLevel> kSkillLevels[] = {
    {"beginner", v1::SKILL_LEVEL_BEGINNER},
    {"practitioner", v1::SKILL_LEVEL_PRACTITIONER},
    {"lead", v1::SKILL_LEVEL_LEAD},
};

inline constexpr Word<v1::SkillGroup> kSkillGroups[] = {
    {"training_planning", v1::SKILL_GROUP_TRAINING_PLANNING},
    {"data_analysis", v1::SKILL_GROUP_DATA_ANALYSIS},
    {"survey_design", v1::SKILL_GROUP_SURVEY_DESIGN},
    {"explaining", v1::SKILL_GROUP_EXPLAINING},
    {"conveying_seeds", v1::SKILL_GROUP_CONVEYING_SEEDS},
    {"peer_support", v1::SKILL_GROUP_PEER_SUPPORT},
};

inline constexpr Word<v1::OrganizerLevel> kOrganizerLevels[] = {
    {"national", v1::ORGANIZER_LEVEL_NATIONAL},
    {"prefecture", v1::ORGANIZER_LEVEL_PREFECTURE},
    {"municipal", v1::ORGANIZER_LEVEL_MUNICIPAL},
};

inline constexpr Word<v1::TrainingStatus> kTrainingStatuses[] = {
    {"scheduled", v1::TRAINING_STATUS_SCHEDULED},
    {"cancelled", v1::TRAINING_STATUS_CANCELLED},
};

inline constexpr Word<v1::RegistrationStatus> kRegistrationStatuses[] = {
    {"confirmed", v1::REGISTRATION_STATUS_CONFIRMED},
    {"waitlisted", v1::REGISTRATION_STATUS_WAITLISTED},
    {"cancelled", v1::REGISTRATION_STATUS_CANCELLED},
    {"requested", v1::REGISTRATION_STATUS_REQUESTED},
};

inline constexpr Word<v1::SurveyItemKind> kSurveyKinds[] = {
    {"likert", v1::SURVEY_ITEM_KIND_LIKERT},
    {"text", v1::SURVEY_ITEM_KIND_FREE_TEXT},
};

// 1 to 9 digits.
bool AllDigits(const std::string& s);

// "看取りの過程の説明 (explain_dying_process)": a built-in skill's name with the code renkeictl
// takes; the bare code for a skill the instance added to its framework.
std::string SkillLabel(const std::string& code);

// "start=2026-12-05 14:00,end=16:00,venue=東京都庁 第一会議室,capacity=20,
// lecturer=山田花子@稲城市立病院,online=https://...": start and end are required (end may be
// "HH:MM" on the start's day); `online` alone marks an online session without a URL; lecturer may
// be repeated. A part that does not begin with a key belongs to the value before it (a venue may
// hold a comma). In training_session_commands.cc.
bool ParseSessionSpec(const std::string& spec, v1::Session* out);

// ---- output ----

// The sessions as a table (the table form of `show`).
void PrintSessions(const v1::Training& t);
// The confirmation of a changed training: "<what> (版 2)" and its sessions, one line each.
void PrintChanged(const v1::Training& t, const std::string& what);

// ---- calls ----

// Calls a method that changes something; prints the response as JSON with -o json, or else the
// line `say` makes of it.
template <typename Request, typename Response>
using TrainingMethod = grpc::Status (v1::TrainingService::Stub::*)(grpc::ClientContext*,
                                                                   const Request&, Response*);

template <typename Request, typename Response, typename Say>
int Mutate(TrainingMethod<Request, Response> method, const Request& req, Say say) {
  return CallAndPrint(*Stub(), method, req,
                      [&say](const Response& r) { std::printf("%s\n", say(r).c_str()); });
}

// Reads a training for an edit; a failed call is reported and its exit code returned.
int ReadTraining(v1::TrainingService::Stub& stub, const std::string& id, v1::Training* out);

// The training, the participant or the municipality a list or a calendar is about.
struct ScopeArgs {
  std::string training_id, participant, municipality;
};

// How many of the scope options were given.
int ScopeCount(const ScopeArgs& a);

// ---- the commands ----
// Each registers some subcommands of `training`; the chosen one stores its runner in *run.
// AddTrainingCommands (training_commands.cc) calls them in the order `renkeictl training --help`
// lists.

// training_catalogue_commands.cc: create, update; cancel, show, list.
void AddCreateCommands(CLI::App* training, std::function<int()>* run);
void AddCatalogueCommands(CLI::App* training, std::function<int()>* run);
// training_session_commands.cc: add-session, update-session.
void AddSessionCommands(CLI::App* training, std::function<int()>* run);
// training_registration_commands.cc: register, unregister, registration, registrations.
void AddRegistrationCommands(CLI::App* training, std::function<int()>* run);
// training_attendance_commands.cc: attend, survey, results.
void AddAttendanceCommands(CLI::App* training, std::function<int()>* run);
// training_calendar_commands.cc: ics, peers.
void AddCalendarCommands(CLI::App* training, std::function<int()>* run);
// training_public_commands.cc: events, awareness, answer-sheet.
void AddPublicEventCommands(CLI::App* training, std::function<int()>* run);

}  // namespace training_commands
}  // namespace renkei::cli
