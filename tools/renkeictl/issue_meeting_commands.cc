// renkeictl issue meeting record|update|get|list: the council's, the working groups' and the
// regular meetings' records — agenda, the issues discussed, notes, materials, minutes, opinions,
// decisions and action items.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "issue_parts.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli::issue_commands {
namespace {

// ---- structured values on the command line ----

// "majority:一般の訪問診療医で対応できる:physicians,visiting_nurses". The roles are the part
// after the last ':' when every word of it is a role; otherwise the whole rest is the text.
bool ParseOpinion(const std::string& spec, v1::Opinion* out) {
  const size_t weight_end = spec.find(':');
  if (weight_end == std::string::npos || !IsWord(kWeights, spec.substr(0, weight_end))) {
    return false;
  }
  std::string text = spec.substr(weight_end + 1);
  std::vector<v1::AudienceRole> roles;
  const size_t last = text.rfind(':');
  if (last != std::string::npos) {
    const auto words = Split(text.substr(last + 1), ',');
    if (std::all_of(words.begin(), words.end(),
                    [](const std::string& w) { return IsWord(kAudiences, w); })) {
      for (const auto& w : words) {
        roles.push_back(FromWord(kAudiences, w, v1::AUDIENCE_ROLE_UNSPECIFIED));
      }
      text = text.substr(0, last);
    }
  }
  text = Trim(text);
  if (text.empty()) return false;
  out->set_weight(FromWord(kWeights, spec.substr(0, weight_end), v1::OPINION_WEIGHT_UNSPECIFIED));
  out->set_summary(text);
  for (auto r : roles) out->add_from_roles(r);
  return true;
}

// "家族向け資料の作成|連携支援センター|2026-12-20": the owner and the due date may be left out.
bool ParseAction(const std::string& spec, v1::ActionItem* out) {
  const auto parts = Split(spec, '|');
  if (parts.size() > 3 || Trim(parts[0]).empty()) return false;
  out->set_task(Trim(parts[0]));
  if (parts.size() > 1) out->set_owner(Trim(parts[1]));
  return parts.size() <= 2 || Trim(parts[2]).empty() ||
         ParseDate(Trim(parts[2]), out->mutable_due());
}

// ---- output ----

// The table form (CallAndPrint prints JSON).
void PrintMeeting(const v1::Meeting& m) {
  Field("ID", m.id());
  Field("自治体", JurisdictionLabel(m.municipality_code()) + " (" + m.municipality_code() + ")");
  Field("日付", FormatDateOrEmpty(m.date()));
  Field("会議体", LabelOf(kBodies, m.body()));
  Field("件名", m.title());
  Field("版", std::to_string(m.version()));
  Field("更新日時", FormatTokyo(m.updated_at()));

  std::printf("\n議題 / agenda\n");
  if (m.agenda_size() == 0) std::printf("(なし)\n");
  for (int k = 0; k < m.agenda_size(); ++k) std::printf("  %d. %s\n", k + 1, m.agenda(k).c_str());

  std::printf("\n関係する課題 / issues\n");
  if (m.issue_ids_size() == 0) std::printf("(なし)\n");
  for (const auto& id : m.issue_ids()) std::printf("  %s\n", id.c_str());

  std::printf("\n事前メモ / pre-meeting notes\n");
  Block(m.pre_meeting_notes(), 2);

  std::printf("\n資料 / materials\n");
  if (m.materials_size() == 0) std::printf("(なし)\n");
  for (const auto& x : m.materials()) {
    std::printf("  - %s%s\n", x.title().c_str(),
                x.reference().empty() ? "" : (" (" + x.reference() + ")").c_str());
  }

  std::printf("\n議事録 / minutes\n");
  Block(m.minutes(), 2);

  std::printf("\n意見 / opinions\n");
  if (m.opinions_size() == 0) std::printf("(なし)\n");
  for (const auto& o : m.opinions()) {
    const std::string roles = AudienceText(o.from_roles());
    std::printf("  - [%s] %s%s\n", LabelOf(kWeights, o.weight()).c_str(), o.summary().c_str(),
                roles.empty() ? "" : ("  (" + roles + ")").c_str());
  }

  std::printf("\n決定事項 / decisions\n");
  if (m.decisions_size() == 0) std::printf("(なし)\n");
  for (const auto& d : m.decisions()) std::printf("  - %s\n", d.c_str());

  std::printf("\n対応事項 / action items\n");
  if (m.action_items_size() == 0) {
    std::printf("(なし)\n");
  } else {
    Table t({"内容", "担当", "期限", "状態", "ID"});
    for (const auto& a : m.action_items()) {
      t.Add(
          {a.task(), a.owner(), FormatDateOrEmpty(a.due()), a.done() ? "完了" : "未完了", a.id()});
    }
    t.Print({50, 20, 10, 6, 32});
  }
}

// ---- meetings ----
struct MeetingArgs {
  std::string id, date, body, title, notes_file, minutes_file;
  std::vector<std::string> agenda, issues, opinions, decisions, actions, materials, actions_done;
  int64_t version = 0;
};

// Applies the parts given on the command line to `m` (each replaces that part). A replaced
// action item keeps its id and done mark when its task is unchanged at the same position.
bool ApplyMeetingArgs(const MeetingArgs& a, v1::Meeting* m) {
  if (!a.date.empty()) ParseDate(a.date, m->mutable_date());
  if (!a.body.empty()) m->set_body(FromWord(kBodies, a.body, v1::MEETING_BODY_UNSPECIFIED));
  if (!a.title.empty()) m->set_title(a.title);
  if (!a.agenda.empty()) {
    m->clear_agenda();
    for (const auto& x : a.agenda) m->add_agenda(x);
  }
  if (!a.issues.empty()) {
    m->clear_issue_ids();
    for (const auto& x : a.issues) m->add_issue_ids(x);
  }
  if (!a.notes_file.empty() && !ReadWholeFile(a.notes_file, m->mutable_pre_meeting_notes())) {
    return false;
  }
  if (!a.minutes_file.empty() && !ReadWholeFile(a.minutes_file, m->mutable_minutes())) {
    return false;
  }
  if (!a.opinions.empty()) {
    m->clear_opinions();
    for (const auto& x : a.opinions) ParseOpinion(x, m->add_opinions());
  }
  if (!a.decisions.empty()) {
    m->clear_decisions();
    for (const auto& x : a.decisions) m->add_decisions(x);
  }
  if (!a.actions.empty()) {
    const auto before = m->action_items();
    m->clear_action_items();
    for (int k = 0; k < static_cast<int>(a.actions.size()); ++k) {
      auto* item = m->add_action_items();
      ParseAction(a.actions[k], item);
      if (k < before.size() && before[k].task() == item->task()) {
        item->set_id(before[k].id());
        item->set_done(before[k].done());
      }
    }
  }
  if (!a.materials.empty()) {
    m->clear_materials();
    for (const auto& x : a.materials) ParseMaterial(x, m->add_materials());
  }
  return true;
}

int RunMeetingRecord(const MeetingArgs& a) {
  v1::RecordMeetingRequest req;
  if (!ApplyMeetingArgs(a, req.mutable_meeting())) return kUsage;
  return Mutate(&v1::IssuesService::Stub::RecordMeeting, req, [](const v1::Meeting& m) {
    return "会議 " + m.id() + " を記録しました (版 " + std::to_string(m.version()) + ")";
  });
}

int RunMeetingUpdate(const MeetingArgs& a) {
  auto stub = Stub();
  v1::GetMeetingRequest get;
  get.set_id(a.id);
  v1::UpdateMeetingRequest req;
  auto* m = req.mutable_meeting();
  auto ctx = NewContext();
  grpc::Status s = stub->GetMeeting(ctx.get(), get, m);
  if (!s.ok()) return ReportError(s);
  if (!ApplyMeetingArgs(a, m)) return kUsage;
  for (const auto& done : a.actions_done) {
    auto it = std::find_if(m->mutable_action_items()->begin(), m->mutable_action_items()->end(),
                           [&](const v1::ActionItem& x) { return x.id() == done; });
    if (it == m->mutable_action_items()->end()) {
      std::fprintf(stderr, "対応事項が見つかりません / no such action item: %s\n", done.c_str());
      return kNotFound;
    }
    it->set_done(true);
  }
  // The version read is the one the user gives, not the one just fetched: a change made by
  // someone else in between is reported as stale, not overwritten.
  m->set_version(a.version);
  return Mutate(&v1::IssuesService::Stub::UpdateMeeting, req, [](const v1::Meeting& m) {
    return "会議 " + m.id() + " を更新しました (版 " + std::to_string(m.version()) + ")";
  });
}

int RunMeetingList(const std::string& issue_id, const std::string& from, const std::string& to) {
  v1::ListMeetingsRequest req;
  req.set_issue_id(issue_id);
  if (!from.empty()) ParseDate(from, req.mutable_from());
  if (!to.empty()) ParseDate(to, req.mutable_to());
  return CallAndPrint(*Stub(), &v1::IssuesService::Stub::ListMeetings, req,
                      [](const v1::ListMeetingsResponse& resp) {
                        if (resp.meetings_size() == 0) {
                          std::printf("該当する会議はありません / no meetings\n");
                          return;
                        }
                        Table t({"日付", "会議体", "件名", "課題", "未完了の対応事項", "版", "ID"});
                        for (const auto& m : resp.meetings()) {
                          const auto open =
                              std::count_if(m.action_items().begin(), m.action_items().end(),
                                            [](const v1::ActionItem& x) { return !x.done(); });
                          t.Add({FormatDateOrEmpty(m.date()), LabelOf(kBodies, m.body()), m.title(),
                                 std::to_string(m.issue_ids_size()),
                                 std::to_string(open) + "/" + std::to_string(m.action_items_size()),
                                 std::to_string(m.version()), m.id()});
                        }
                        t.Print({10, 16, 50, 4, 16, 6, 32});
                        std::printf("\n%d 件 / meetings\n", resp.meetings_size());
                      });
}

// The meeting options shared by `meeting record` and `meeting update`.
void AddMeetingOptions(CLI::App* cmd, MeetingArgs* a, bool record) {
  auto* date = cmd->add_option("--date", a->date, "開催日")->check(DateCheck());
  auto* body = cmd->add_option("--body", a->body, "会議体: " + Choices(kBodies))
                   ->check(WordCheck(kBodies, "会議体"));
  auto* title = cmd->add_option("--title", a->title, "件名");
  if (record) {
    date->required();
    body->required();
    title->required();
  }
  const std::string replaces = record ? "" : " (指定するとその部分を置き換え)";
  cmd->add_option("--agenda", a->agenda, "議題 (繰り返し指定可)" + replaces)
      ->allow_extra_args(false);
  cmd->add_option("--issue", a->issues, "話し合った課題のID (iss_...、繰り返し指定可)" + replaces)
      ->allow_extra_args(false);
  cmd->add_option("--notes-file", a->notes_file, "事前メモのファイル (UTF-8)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--minutes-file", a->minutes_file, "議事録のファイル (UTF-8)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--opinion", a->opinions,
                  "意見 WEIGHT:TEXT[:ROLE,ROLE] (WEIGHT: " + Choices(kWeights) +
                      "、ROLE は --audience と同じ語、繰り返し指定可)" + replaces)
      ->allow_extra_args(false)
      ->check(SpecCheck(&ParseOpinion, "WEIGHT:TEXT[:ROLE,...]",
                        "意見は WEIGHT:TEXT[:ROLE,ROLE] で指定してください (WEIGHT: " +
                            WordList(kWeights) + ")"));
  cmd->add_option("--decision", a->decisions, "決定事項 (繰り返し指定可)" + replaces)
      ->allow_extra_args(false);
  cmd->add_option("--action", a->actions,
                  "対応事項 TASK|OWNER|YYYY-MM-DD (担当・期限は省略可、繰り返し指定可)" + replaces)
      ->allow_extra_args(false)
      ->check(
          SpecCheck(&ParseAction, "TASK|OWNER|YYYY-MM-DD",
                    "対応事項は TASK|OWNER|YYYY-MM-DD で指定してください (期限は実在する日付)"));
  cmd->add_option(
         "--material", a->materials,
         "資料 TITLE|REFERENCE (REFERENCE はファイル名・URL、省略可、繰り返し指定可)" + replaces)
      ->allow_extra_args(false)
      ->check(SpecCheck(&ParseMaterial, "TITLE|REFERENCE",
                        "資料は TITLE|REFERENCE で指定してください"));
}

}  // namespace

void AddMeetingCommands(CLI::App* issue, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto* meeting =
      issue->add_subcommand("meeting", "協議会・作業部会・定例ミーティングの記録 / meetings");
  meeting->require_subcommand(1);
  auto ma = std::make_shared<MeetingArgs>();
  auto* record = meeting->add_subcommand("record", "会議を記録 / record a meeting");
  AddMeetingOptions(record, ma.get(), /*record=*/true);
  record->callback([=] { *run = [=] { return RunMeetingRecord(*ma); }; });

  auto* mtg_update = meeting->add_subcommand(
      "update", "会議の記録を更新 (指定した部分を置き換え) / update a meeting");
  mtg_update->add_option("id", ma->id, "会議ID (mtg_...)")->required();
  mtg_update->add_option("--version", ma->version, "読み込んだ版 / the version you read")
      ->required();
  AddMeetingOptions(mtg_update, ma.get(), /*record=*/false);
  mtg_update
      ->add_option("--action-done", ma->actions_done,
                   "完了した対応事項のID (act_...、繰り返し指定可)")
      ->allow_extra_args(false);
  mtg_update->callback([=] { *run = [=] { return RunMeetingUpdate(*ma); }; });

  auto* mtg_get = meeting->add_subcommand("get", "会議を表示 / show a meeting");
  mtg_get->add_option("id", *id, "会議ID (mtg_...)")->required();
  mtg_get->callback([=] {
    *run = [=] {
      v1::GetMeetingRequest req;
      req.set_id(*id);
      return CallAndPrint(*Stub(), &v1::IssuesService::Stub::GetMeeting, req, PrintMeeting);
    };
  });

  auto mtg_issue = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto until = std::make_shared<std::string>();
  auto* mtg_list = meeting->add_subcommand("list", "会議の一覧 (新しい順) / list meetings");
  mtg_list->add_option("--issue", *mtg_issue, "この課題を話し合った会議 (iss_...)");
  mtg_list->add_option("--from", *from, "開催日 (この日から)")->check(DateCheck());
  mtg_list->add_option("--to", *until, "開催日 (この日まで)")->check(DateCheck());
  mtg_list->callback([=] { *run = [=] { return RunMeetingList(*mtg_issue, *from, *until); }; });
}

}  // namespace renkei::cli::issue_commands
