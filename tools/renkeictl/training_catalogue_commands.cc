// renkeictl training create|update|cancel|show|list: the catalogue of trainings — what each is
// about (audiences, target skills, survey items, materials, the countermeasure it carries out),
// how registration works, cancelling one, its table form and the list.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "list_pages.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training_parts.h"
#include "words.h"

namespace renkei::cli::training_commands {
namespace {

// The organizer once, as the console writes it: "国", "都道府県 (東京都)", "市区町村
// (東京都稲城市)".
std::string OrganizerText(v1::OrganizerLevel level, const std::string& code) {
  if (code == "000000") return "国";
  return LabelOf(kOrganizerLevels, level) + " (" + JurisdictionName(code) + ")";
}

// "看取りの過程の説明 (explain_dying_process) (実践者)".
std::string SkillsText(const google::protobuf::RepeatedPtrField<v1::SkillTarget>& skills) {
  std::string out;
  for (const auto& s : skills) {
    out += (out.empty() ? "" : "、") + SkillLabel(s.skill_code()) + " (" +
           LabelOf(kSkillLevels, s.level()) + ")";
  }
  return out;
}

// ---- structured values on the command line ----

// "explain_dying_process:practitioner".
bool ParseSkillTarget(const std::string& spec, v1::SkillTarget* out) {
  const auto parts = Split(spec, ':');
  if (parts.size() != 2 || Trim(parts[0]).empty() || !IsWord(kSkillLevels, Trim(parts[1]))) {
    return false;
  }
  out->set_skill_code(Trim(parts[0]));
  out->set_level(FromWord(kSkillLevels, Trim(parts[1]), v1::SKILL_LEVEL_UNSPECIFIED));
  return true;
}

// "q1:likert:説明に自信がある:explain_dying_process:required": the skill and "required" may be
// left out ("q3:text:感想", "q2:likert:役に立った::required"). The question holds no ASCII ':'.
bool ParseSurveyItem(const std::string& spec, v1::SurveyItem* out) {
  auto parts = Split(spec, ':');
  if (parts.size() < 3 || parts.size() > 5) return false;
  for (auto& p : parts) p = Trim(p);
  bool required = false;
  if (parts.size() >= 4 && parts.back() == "required") {
    required = true;
    parts.pop_back();
  }
  if (parts.size() == 5 || parts[0].empty() || parts[2].empty() ||
      !IsWord(kSurveyKinds, parts[1])) {
    return false;
  }
  out->set_id(parts[0]);
  out->set_kind(FromWord(kSurveyKinds, parts[1], v1::SURVEY_ITEM_KIND_UNSPECIFIED));
  out->set_question(parts[2]);
  if (parts.size() == 4) out->set_skill_code(parts[3]);
  out->set_required(required);
  return true;
}

// "iss_...:cm_...:M3": the countermeasure and its label may be left out.
bool ParseCountermeasure(const std::string& spec, v1::CountermeasureLink* out) {
  const auto parts = Split(spec, ':');
  if (parts.size() > 3 || Trim(parts[0]).empty()) return false;
  out->set_issue_id(Trim(parts[0]));
  if (parts.size() > 1) out->set_countermeasure_id(Trim(parts[1]));
  if (parts.size() > 2) out->set_label(Trim(parts[2]));
  return true;
}

// ---- output ----

// The table form (CallAndPrint prints JSON).
void PrintTraining(const v1::Training& t) {
  Field("ID", t.id());
  Field("テーマ", t.title());
  Field("主催", OrganizerText(t.organizer_level(), t.organizer_code()));
  Field("状態", LabelOf(kTrainingStatuses, t.status()));
  Field("対象", AudienceText(t.audiences()));
  Field("目標スキル", SkillsText(t.target_skills()));
  if (t.skill_framework_version() > 0) {
    Field("スキル枠組み", "第" + std::to_string(t.skill_framework_version()) + "版");
  }
  const auto& cm = t.countermeasure();
  if (!cm.issue_id().empty()) {
    std::string ids =
        cm.issue_id() + (cm.countermeasure_id().empty() ? "" : ", ") + cm.countermeasure_id();
    Field("対策", (cm.label().empty() ? "" : cm.label() + " ") + "(" + ids + ")");
  }
  Field("申込", t.sessions_are_one_course() ? "全回セット (one course)"
                                            : "回を選んで申込 (alternative dates)");
  Field("申込締切", t.has_registration_deadline() ? FormatTokyo(t.registration_deadline())
                                                  : "最初の回の開始まで");
  Field("市区町村枠", t.quota_per_municipality() > 0
                          ? std::to_string(t.quota_per_municipality()) + " 名まで"
                          : "制限なし");
  Field("版", std::to_string(t.version()));
  Field("登録日時", FormatTokyo(t.created_at()));
  Field("更新日時", FormatTokyo(t.updated_at()));
  Field("説明", t.description());

  std::printf("\n回 / sessions\n");
  PrintSessions(t);

  std::printf("\nアンケート / survey\n");
  if (t.survey_items_size() == 0) std::printf("(なし)\n");
  for (const auto& item : t.survey_items()) {
    std::printf(
        "  %s [%s] %s%s%s\n", item.id().c_str(), LabelOf(kSurveyKinds, item.kind()).c_str(),
        item.question().c_str(),
        item.skill_code().empty() ? "" : ("  スキル: " + SkillLabel(item.skill_code())).c_str(),
        item.required() ? "  必須" : "");
  }

  std::printf("\n資料 / materials\n");
  if (t.materials_size() == 0) std::printf("(なし)\n");
  for (const auto& m : t.materials()) {
    std::printf("  - %s%s\n", m.title().c_str(),
                m.reference().empty() ? "" : (" (" + m.reference() + ")").c_str());
  }
}

// ---- create and update ----
struct TrainingArgs {
  std::string id, from_json, title, description_file, deadline;
  int64_t version = 0;
  MaybeText description;
  int quota = -1;  // -1: not given
  bool one_course = false, clear_deadline = false, clear_skills = false, clear_materials = false,
       clear_survey = false, clear_countermeasure = false;
  std::vector<std::string> audiences, skills, sessions, survey_items, materials;
  std::string countermeasure;
  // Residents' public events: yes/no (empty: unchanged), themes, awareness items "id=statement".
  std::string public_event;
  std::vector<std::string> themes, awareness;
};

// "acp_known=人生会議 (ACP) を知っている".
bool ParseAwarenessItem(const std::string& spec, v1::AwarenessItem* out) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || Trim(spec.substr(0, eq)).empty() ||
      Trim(spec.substr(eq + 1)).empty()) {
    return false;
  }
  out->set_id(Trim(spec.substr(0, eq)));
  out->set_statement(Trim(spec.substr(eq + 1)));
  return true;
}

// Applies the options given to `t`; each given list replaces that part.
bool ApplyTrainingArgs(const TrainingArgs& a, v1::Training* t) {
  if (!a.title.empty()) t->set_title(a.title);
  if (a.description.given) t->set_description(a.description.value);
  if (!a.description_file.empty() && !ReadWholeFile(a.description_file, t->mutable_description())) {
    return false;
  }
  if (!a.audiences.empty()) {
    t->clear_audiences();
    for (const auto& w : a.audiences) {
      t->add_audiences(FromWord(kAudiences, w, v1::AUDIENCE_ROLE_UNSPECIFIED));
    }
  }
  if (!a.skills.empty() || a.clear_skills) {
    t->clear_target_skills();
    for (const auto& s : a.skills) ParseSkillTarget(s, t->add_target_skills());
  }
  if (!a.sessions.empty()) {
    t->clear_sessions();
    for (const auto& s : a.sessions) ParseSessionSpec(s, t->add_sessions());
  }
  if (!a.deadline.empty()) ParseTokyoTime(a.deadline, t->mutable_registration_deadline());
  if (a.clear_deadline) t->clear_registration_deadline();
  if (a.quota >= 0) t->set_quota_per_municipality(a.quota);
  if (a.one_course) t->set_sessions_are_one_course(true);
  if (!a.countermeasure.empty()) {
    t->clear_countermeasure();
    ParseCountermeasure(a.countermeasure, t->mutable_countermeasure());
  }
  if (a.clear_countermeasure) t->clear_countermeasure();
  if (!a.survey_items.empty() || a.clear_survey) {
    t->clear_survey_items();
    for (const auto& s : a.survey_items) ParseSurveyItem(s, t->add_survey_items());
  }
  if (!a.materials.empty() || a.clear_materials) {
    t->clear_materials();
    for (const auto& m : a.materials) ParseMaterial(m, t->add_materials());
  }
  if (!a.public_event.empty()) t->set_public_event(a.public_event == "yes");
  if (!a.themes.empty()) {
    t->clear_theme_tags();
    for (const auto& theme : a.themes) t->add_theme_tags(Trim(theme));
  }
  if (!a.awareness.empty()) {
    t->clear_awareness_items();
    for (const auto& item : a.awareness) ParseAwarenessItem(item, t->add_awareness_items());
  }
  return true;
}

int RunCreate(const TrainingArgs& a) {
  v1::CreateTrainingRequest req;
  v1::Training* t = req.mutable_training();
  if (!a.from_json.empty()) {
    std::string json;
    if (!ReadWholeFile(a.from_json, &json) || !ParseJson(a.from_json, json, t)) return kUsage;
    // A training printed by `-o json training show` may be the start of a new one: what the
    // service assigns is dropped, and so are cancelled sessions.
    for (auto* f : {"id", "organizer_level", "organizer_code", "skill_framework_version", "status",
                    "share_level", "version", "created_at", "updated_at"}) {
      v1::Training::GetReflection()->ClearField(t, v1::Training::descriptor()->FindFieldByName(f));
    }
    auto* sessions = t->mutable_sessions();
    sessions->erase(std::remove_if(sessions->begin(), sessions->end(),
                                   [](const v1::Session& s) { return s.cancelled(); }),
                    sessions->end());
    for (auto& s : *sessions) {
      s.clear_id();
      s.clear_confirmed();
      s.clear_waitlisted();
    }
  } else {
    std::string missing;
    if (a.title.empty()) missing += " --title";
    if (a.audiences.empty()) missing += " --audience";
    if (a.sessions.empty()) missing += " --session";
    if (!missing.empty()) {
      std::fprintf(stderr,
                   "次の指定が必要です (または --from-json) / required unless --from-json:%s\n",
                   missing.c_str());
      return kUsage;
    }
  }
  if (!ApplyTrainingArgs(a, t)) return kUsage;
  return CallAndPrint(
      *Stub(), &v1::TrainingService::Stub::CreateTraining, req,
      [](const v1::Training& out) { PrintChanged(out, "研修 " + out.id() + " を登録しました"); });
}

int RunUpdate(const TrainingArgs& a) {
  auto stub = Stub();
  v1::UpdateTrainingRequest req;
  v1::Training* t = req.mutable_training();
  if (int code = ReadTraining(*stub, a.id, t); code != kOk) return code;
  if (!ApplyTrainingArgs(a, t)) return kUsage;
  // The version read is the one the user gives, not the one just fetched: a change made by
  // someone else in between is reported as stale, not overwritten.
  t->set_version(a.version);
  return CallAndPrint(
      *stub, &v1::TrainingService::Stub::UpdateTraining, req,
      [](const v1::Training& out) { PrintChanged(out, "研修 " + out.id() + " を更新しました"); });
}

// ---- list ----
struct ListArgs {
  std::string municipality, from, to, level, skill, page_token;
  int page_size = 0;
  bool include_cancelled = false, all = false;
};

int RunList(const ListArgs& a) {
  v1::ListTrainingsRequest req;
  req.set_municipality_code(a.municipality);
  if (!a.from.empty()) ParseDate(a.from, req.mutable_from());
  if (!a.to.empty()) ParseDate(a.to, req.mutable_to());
  if (!a.level.empty()) {
    req.set_organizer_level(FromWord(kOrganizerLevels, a.level, v1::ORGANIZER_LEVEL_UNSPECIFIED));
  }
  req.set_skill_code(a.skill);
  req.set_include_cancelled(a.include_cancelled);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);

  auto stub = Stub();
  // With --all, the pages are gathered into one response (one JSON document).
  v1::ListTrainingsResponse all;
  grpc::Status s = ListPages(*stub, &v1::TrainingService::Stub::ListTrainings, req, a.all, &all);
  if (!s.ok()) return ReportError(s);
  if (JsonOutput()) {
    PrintJson(all);
    return kOk;
  }
  if (all.trainings_size() == 0) {
    std::printf("該当する研修はありません / no trainings (該当 %d 件)\n", all.total());
    return kOk;
  }
  Table t({"開始", "テーマ", "主催", "回", "参加確定/定員", "キャンセル待ち", "申込締切", "状態",
           "版", "ID"});
  for (const auto& s : all.trainings()) {
    t.Add({FormatTokyo(s.first_starts_at()), s.title(),
           OrganizerText(s.organizer_level(), s.organizer_code()),
           std::to_string(s.session_count()),
           std::to_string(s.confirmed()) + "/" + std::to_string(s.capacity()),
           std::to_string(s.waitlisted()),
           FormatTokyo(s.has_registration_deadline() ? s.registration_deadline()
                                                     : s.first_starts_at()),
           LabelOf(kTrainingStatuses, s.status()), std::to_string(s.version()), s.id()});
  }
  t.Print({16, 50, 24, 4, 14, 14, 16, 8, 6, 30});
  std::printf(
      "\n%d 件を表示 (該当 %d 件)%s\n", all.trainings_size(), all.total(),
      all.next_page_token().empty() ? "" : "  (続き: --page-token で次ページ、--all で全件)");
  if (!all.next_page_token().empty()) {
    std::printf("next page token: %s\n", all.next_page_token().c_str());
  }
  return kOk;
}

// The options of `create` and `update` that describe what the training is about.
void AddContentOptions(CLI::App* cmd, TrainingArgs* a, bool create) {
  const std::string replaces = create ? "" : " (指定すると全体を置き換え)";
  cmd->add_option("--title", a->title, "テーマ");
  auto* description = AddMaybe(cmd, "--description", &a->description, "説明");
  cmd->add_option("--description-file", a->description_file, "説明のファイル (UTF-8)")
      ->check(CLI::ExistingFile)
      ->excludes(description);
  cmd->add_option("--audience", a->audiences,
                  "対象者 (カンマ区切り・繰り返し指定可): " + Choices(kAudiences) + replaces)
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kAudiences, "対象"));
  auto* skill =
      cmd->add_option("--skill", a->skills,
                      "目標スキル CODE:LEVEL (例: explain_dying_process:practitioner。"
                      "LEVEL: " +
                          Choices(kSkillLevels) +
                          "。CODE は `renkeictl training skills` で確認、繰り返し指定可)" +
                          replaces)
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseSkillTarget, "CODE:LEVEL",
                            "目標スキルは CODE:LEVEL で指定してください (LEVEL: " +
                                WordList(kSkillLevels) + ")"));
  auto* deadline = cmd->add_option("--deadline", a->deadline,
                                   "申込締切 YYYY-MM-DD HH:MM (東京時間。省略時は最初の回の開始)")
                       ->check(TokyoTimeCheck());
  cmd->add_option("--quota", a->quota, "1市区町村あたりの申込枠 (0: 制限なし)")
      ->check(CLI::Range(0, 10000));
  auto* countermeasure =
      cmd->add_option("--countermeasure", a->countermeasure,
                      "実施する地域課題の対策 ISSUE_ID:COUNTERMEASURE_ID:LABEL (例: "
                      "iss_...:cm_...:M3。対策IDとラベルは省略可)")
          ->check(SpecCheck(&ParseCountermeasure, "ISSUE_ID:COUNTERMEASURE_ID:LABEL",
                            "対策は ISSUE_ID:COUNTERMEASURE_ID:LABEL で指定してください"));
  auto* survey =
      cmd->add_option("--survey-item", a->survey_items,
                      "アンケート項目 ID:KIND:QUESTION[:SKILL][:required] (例: "
                      "q1:likert:説明に自信がある:explain_dying_process:required。KIND: " +
                          Choices(kSurveyKinds) + "。QUESTION に半角 ':' は不可、繰り返し指定可)" +
                          replaces)
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseSurveyItem, "ID:KIND:QUESTION[:SKILL][:required]",
                            "アンケート項目は ID:KIND:QUESTION[:SKILL][:required] で指定してくださ"
                            "い (KIND: " +
                                WordList(kSurveyKinds) + ")"));
  auto* material =
      cmd->add_option("--material", a->materials,
                      "資料 TITLE|REFERENCE (REFERENCE はファイル名・URL、省略可、繰り返し指定可)" +
                          replaces)
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseMaterial, "TITLE|REFERENCE",
                            "資料は TITLE|REFERENCE で指定してください"));
  cmd->add_option("--public-event", a->public_event,
                  "住民向けの公開イベントにする (yes/no。公開ページで申込を受け付ける; 対象に "
                  "residents か family を含める)")
      ->check(CLI::IsMember({"yes", "no"}));
  cmd->add_option("--theme", a->themes, "テーマのタグ (例: 看取り、ACP。繰り返し指定可)" + replaces)
      ->allow_extra_args(false);
  cmd->add_option(
         "--awareness", a->awareness,
         "意識調査の項目 ID=文 (例: acp_known=人生会議 (ACP) を知っている。繰り返し指定可)" +
             replaces)
      ->allow_extra_args(false)
      ->check(SpecCheck(&ParseAwarenessItem, "ID=STATEMENT",
                        "意識調査の項目は ID=文 で指定してください"));
  if (create) return;
  cmd->add_flag("--clear-skills", a->clear_skills, "目標スキルをすべて消す")->excludes(skill);
  cmd->add_flag("--clear-deadline", a->clear_deadline, "申込締切を消す (最初の回の開始まで)")
      ->excludes(deadline);
  cmd->add_flag("--clear-countermeasure", a->clear_countermeasure, "対策とのつながりを消す")
      ->excludes(countermeasure);
  cmd->add_flag("--clear-survey-items", a->clear_survey, "アンケート項目をすべて消す")
      ->excludes(survey);
  cmd->add_flag("--clear-materials", a->clear_materials, "資料をすべて消す")->excludes(material);
}

}  // namespace

void AddCreateCommands(CLI::App* training, std::function<int()>* run) {
  auto ca = std::make_shared<TrainingArgs>();
  auto* create = training->add_subcommand("create", "研修を登録 / create a training");
  AddContentOptions(create, ca.get(), /*create=*/true);
  create
      ->add_option("--session", ca->sessions,
                   "回 'start=YYYY-MM-DD HH:MM,end=HH:MM,venue=会場,capacity=N,"
                   "lecturer=NAME@所属,online=URL' (東京時間。start・end は必須、end は別の日なら "
                   "YYYY-MM-DD HH:MM、online は URL なしでも可、lecturer は複数可。回ごとに繰り返し"
                   "指定)")
      ->allow_extra_args(false)
      ->check(SpecCheck(&ParseSessionSpec,
                        "start=...,end=...[,venue=...][,online[=URL]][,capacity=N][,lecturer=...]",
                        "回は start=YYYY-MM-DD HH:MM,end=HH:MM,... で指定してください (キー: "
                        "start, end, venue, online, capacity, lecturer)"));
  create->add_flag("--one-course", ca->one_course, "全回セットで申込む (省略時は回を選んで申込む)");
  create
      ->add_option("--from-json", ca->from_json,
                   "研修全体の JSON (Training。`-o json training show` の出力も可。他の指定はその"
                   "部分を置き換え)")
      ->check(CLI::ExistingFile);
  create->callback([=] { *run = [=] { return RunCreate(*ca); }; });

  auto ua = std::make_shared<TrainingArgs>();
  auto* update = training->add_subcommand(
      "update", "研修の内容を更新 (回は add-session / update-session) / edit a training");
  update->add_option("id", ua->id, "研修ID (trn_...)")->required();
  update->add_option("--version", ua->version, "読み込んだ版 / the version you read")->required();
  AddContentOptions(update, ua.get(), /*create=*/false);
  update->callback([=] { *run = [=] { return RunUpdate(*ua); }; });
}

void AddCatalogueCommands(CLI::App* training, std::function<int()>* run) {
  auto cancel_id = std::make_shared<std::string>();
  auto cancel_version = std::make_shared<int64_t>(0);
  auto cancel_reason = std::make_shared<std::string>();
  auto* cancel =
      training->add_subcommand("cancel", "研修を中止 (申込は記録として残る) / cancel a training");
  cancel->add_option("id", *cancel_id, "研修ID (trn_...)")->required();
  cancel->add_option("--version", *cancel_version, "読み込んだ版 / the version you read")
      ->required();
  cancel->add_option("--reason", *cancel_reason, "中止の理由");
  cancel->callback([=] {
    *run = [=] {
      v1::CancelTrainingRequest req;
      req.set_id(*cancel_id);
      req.set_expected_version(*cancel_version);
      req.set_reason(*cancel_reason);
      return Mutate(&v1::TrainingService::Stub::CancelTraining, req, [](const v1::Training& t) {
        return "研修 " + t.id() + " を中止しました (版 " + std::to_string(t.version()) + ")";
      });
    };
  });

  auto show_id = std::make_shared<std::string>();
  auto* show = training->add_subcommand(
      "show", "研修を表示 (回ごとの参加確定/定員とキャンセル待ち) / show a training");
  show->add_option("id", *show_id, "研修ID (trn_...)")->required();
  show->callback([=] {
    *run = [=] {
      v1::GetTrainingRequest req;
      req.set_id(*show_id);
      return CallAndPrint(*Stub(), &v1::TrainingService::Stub::GetTraining, req, PrintTraining);
    };
  });

  auto la = std::make_shared<ListArgs>();
  auto* list = training->add_subcommand("list", "研修の一覧 (最初の回の開始順) / list trainings");
  list->add_option("--municipality", la->municipality,
                   "この市区町村が参加できる研修 (国・その都道府県・その市区町村のもの、団体コード"
                   "6桁)");
  list->add_option("--from", la->from, "この日以降に回があるもの")->check(DateCheck());
  list->add_option("--to", la->to, "この日までに回があるもの")->check(DateCheck());
  list->add_option("--level", la->level, "主催: " + Choices(kOrganizerLevels))
      ->check(WordCheck(kOrganizerLevels, "主催"));
  list->add_option("--skill", la->skill, "目標スキルのコード (例: explain_dying_process)");
  list->add_flag("--include-cancelled", la->include_cancelled, "中止した研修も表示");
  list->add_option("--page-size", la->page_size, "1ページの件数 (1-200、既定 50)")
      ->check(CLI::Range(1, 200));
  list->add_option("--page-token", la->page_token, "続きのページ");
  list->add_flag("--all", la->all, "全ページを表示");
  list->callback([=] { *run = [=] { return RunList(*la); }; });
}

}  // namespace renkei::cli::training_commands
