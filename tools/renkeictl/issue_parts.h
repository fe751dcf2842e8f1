// What the files of `renkeictl issue` share (issue_commands.cc and its parts: candidates, the
// PDCA cycle, countermeasures and expected changes, escalation and wide-area issues, meetings):
// the stub, the words, the lines that confirm a change and the options of the commands that
// change an issue. Not part of renkeictl's interface.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "indicator_words.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli {

namespace issue_commands {

std::unique_ptr<v1::IssuesService::Stub> Stub();

// ---- words on the command line, and the labels coordinators see ----

inline constexpr Word<v1::CandidateStatus> kCandidateStatuses[] = {
    {"proposed", v1::CANDIDATE_STATUS_PROPOSED},
    {"accepted", v1::CANDIDATE_STATUS_ACCEPTED},
    {"merged", v1::CANDIDATE_STATUS_MERGED},
    {"dismissed", v1::CANDIDATE_STATUS_DISMISSED},
};

inline constexpr Word<v1::IssueScope> kScopes[] = {
    {"municipal", v1::ISSUE_SCOPE_MUNICIPAL},
    {"wide_area", v1::ISSUE_SCOPE_WIDE_AREA},
};

inline constexpr Word<v1::IssueStatus> kIssueStatuses[] = {
    {"open", v1::ISSUE_STATUS_OPEN},
    {"evaluated", v1::ISSUE_STATUS_EVALUATED},
    {"closed", v1::ISSUE_STATUS_CLOSED},
};

inline constexpr Word<v1::EvidenceKind> kEvidenceKinds[] = {
    {"data", v1::EVIDENCE_KIND_DATA},
    {"survey", v1::EVIDENCE_KIND_SURVEY},
    {"hearing", v1::EVIDENCE_KIND_HEARING},
    {"seed", v1::EVIDENCE_KIND_SEED},
    {"consultation", v1::EVIDENCE_KIND_CONSULTATION},
};

inline constexpr Word<v1::CountermeasureStatus> kCountermeasureStatuses[] = {
    {"planned", v1::COUNTERMEASURE_STATUS_PLANNED},
    {"in_progress", v1::COUNTERMEASURE_STATUS_IN_PROGRESS},
    {"done", v1::COUNTERMEASURE_STATUS_DONE},
    {"cancelled", v1::COUNTERMEASURE_STATUS_CANCELLED},
};

inline constexpr Word<v1::WorksheetFormat> kWorksheetFormats[] = {
    {"md", v1::WORKSHEET_FORMAT_MARKDOWN},
    {"csv", v1::WORKSHEET_FORMAT_CSV},
};

inline constexpr Word<v1::MeetingBody> kBodies[] = {
    {"council", v1::MEETING_BODY_COUNCIL},
    {"working_group", v1::MEETING_BODY_WORKING_GROUP},
    {"regular", v1::MEETING_BODY_REGULAR_MEETING},
    {"wide_area", v1::MEETING_BODY_WIDE_AREA},
};

inline constexpr Word<v1::OpinionWeight> kWeights[] = {
    {"majority", v1::OPINION_WEIGHT_MAJORITY},
    {"minority", v1::OPINION_WEIGHT_MINORITY},
    {"individual", v1::OPINION_WEIGHT_INDIVIDUAL},
};

// A municipality's or a prefecture's name (a prefecture's instance keeps issues too); the code
// itself when it is neither.
std::string JurisdictionLabel(const std::string& code);
// A number with printf's %g.
std::string Number(double v);

// ---- output ----

// Multi-line text, each line indented; "(未記入)" when empty.
void Block(const std::string& text, int indent = 4);
// "ステップ5「対策立案」", "効果確認済み" or "終了"; the cycle when past the first.
std::string StateText(const v1::RegionalIssue& i);
std::string StateText(const v1::IssueSummary& s);
// The confirmation line of a changed issue: "<what> (版 4, ステップ5「対策立案」)".
std::string IssueLine(const v1::RegionalIssue& i, const std::string& what);

// Calls a method that changes something; prints the response as JSON with -o json, or else the
// line `say` makes of it.
template <typename Request, typename Response>
using IssuesMethod = grpc::Status (v1::IssuesService::Stub::*)(grpc::ClientContext*, const Request&,
                                                               Response*);

template <typename Request, typename Response, typename Say>
int Mutate(IssuesMethod<Request, Response> method, const Request& req, Say say) {
  return CallAndPrint(*Stub(), method, req,
                      [&say](const Response& r) { std::printf("%s\n", say(r).c_str()); });
}

// ---- options ----

// The id (described as `what`) and the version read, of the issue or candidate a command
// changes.
void AddTarget(CLI::App* cmd, std::string* id, int64_t* version, const char* what);
// --scope and --related, of an issue accepted or created.
void AddScope(CLI::App* cmd, std::string* scope, std::vector<std::string>* related);

// ---- the commands ----
// Each registers some subcommands of `issue`; the chosen one stores its runner in *run.
// AddIssueCommands (issue_commands.cc) calls them in the order `renkeictl issue --help` lists.

// issue_candidate_commands.cc: candidates, accept, merge, dismiss.
void AddCandidateCommands(CLI::App* issue, std::function<int()>* run);
// issue_cycle_commands.cc: create, get, list, update; advance, back, new-cycle; worksheet.
void AddCycleCommands(CLI::App* issue, std::function<int()>* run);
void AddStepCommands(CLI::App* issue, std::function<int()>* run);
void AddWorksheetCommand(CLI::App* issue, std::function<int()>* run);
// issue_countermeasure_commands.cc: countermeasure add|update, expect add|update.
void AddCountermeasureCommands(CLI::App* issue, std::function<int()>* run);
// issue_wide_area_commands.cc: escalate; wide-area.
void AddEscalateCommand(CLI::App* issue, std::function<int()>* run);
void AddWideAreaCommand(CLI::App* issue, std::function<int()>* run);
// issue_meeting_commands.cc: meeting record|update|get|list.
void AddMeetingCommands(CLI::App* issue, std::function<int()>* run);

}  // namespace issue_commands
}  // namespace renkei::cli
