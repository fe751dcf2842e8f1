// renkeictl issue candidates|accept|merge|dismiss|create|get|list|update|countermeasure add|
// update|expect add|update|advance|back|new-cycle|escalate|worksheet|wide-area|meeting record|
// update|get|list: the municipality's and the coordinator's work on regional issues (地域課題)
// through the seven PDCA steps, over renkei.v1.IssuesService.
//
// This file registers `issue` and holds what its parts share (issue_parts.h); the commands are in
// issue_candidate_commands.cc, issue_cycle_commands.cc, issue_countermeasure_commands.cc,
// issue_wide_area_commands.cc and issue_meeting_commands.cc.
//
// Each command makes one call, except `update` with causes (it reads the issue first to keep the
// ids of unchanged causes) and `meeting update` (it reads the meeting, changes the parts given and
// writes it back).
#include <cstdio>
#include <functional>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "indicator_words.h"
#include "issue_parts.h"
#include "issues/issue_rules.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli {

namespace issue_commands {

std::unique_ptr<v1::IssuesService::Stub> Stub() {
  return v1::IssuesService::NewStub(Channel(Options().issues_address));
}

std::string JurisdictionLabel(const std::string& code) {
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->prefecture_name + m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// ---- output ----

void Block(const std::string& text, int indent) {
  const std::string pad(indent, ' ');
  if (Trim(text).empty()) {
    std::printf("%s(未記入)\n", pad.c_str());
    return;
  }
  for (const auto& line : Split(text, '\n')) std::printf("%s%s\n", pad.c_str(), line.c_str());
}

std::string StateText(const v1::RegionalIssue& i) {
  std::string out = i.cycle() > 1 ? "第" + std::to_string(i.cycle()) + "サイクル " : "";
  if (i.status() != v1::ISSUE_STATUS_OPEN) return out + std::string(common::Label(i.status()));
  return out + "ステップ" + std::to_string(i.current_step()) + "「" +
         common::StepName(i.current_step()) + "」";
}

std::string StateText(const v1::IssueSummary& s) {
  v1::RegionalIssue i;
  i.set_status(s.status());
  i.set_current_step(s.current_step());
  i.set_cycle(s.cycle());
  return StateText(i);
}

std::string IssueLine(const v1::RegionalIssue& i, const std::string& what) {
  return what + " (版 " + std::to_string(i.version()) + ", " + StateText(i) + ")";
}

// ---- options ----

void AddTarget(CLI::App* cmd, std::string* id, int64_t* version, const char* what) {
  cmd->add_option("id", *id, what)->required();
  cmd->add_option("--version", *version, "読み込んだ版 / the version you read")->required();
}

void AddScope(CLI::App* cmd, std::string* scope, std::vector<std::string>* related) {
  cmd->add_option("--scope", *scope, "範囲: " + Choices(kScopes))
      ->check(WordCheck(kScopes, "範囲"));
  cmd->add_option("--related", *related,
                  "関係市町村の団体コード (6桁、広域のとき必須、繰り返し指定可)")
      ->allow_extra_args(false);
}

}  // namespace issue_commands

// Registers `issue ...` on the app; the chosen command stores its runner in *run.
void AddIssueCommands(CLI::App& app, std::function<int()>* run) {
  auto* issue = app.add_subcommand(
      "issue", "地域課題 (issues): 課題候補、7つのステップ (PDCA)、対策、期待値、会議");
  issue->require_subcommand(1);

  // In the order the help lists them.
  issue_commands::AddCandidateCommands(issue, run);
  issue_commands::AddCycleCommands(issue, run);
  issue_commands::AddCountermeasureCommands(issue, run);
  issue_commands::AddStepCommands(issue, run);
  issue_commands::AddEscalateCommand(issue, run);
  issue_commands::AddWorksheetCommand(issue, run);
  issue_commands::AddWideAreaCommand(issue, run);
  issue_commands::AddMeetingCommands(issue, run);
}

}  // namespace renkei::cli
