// renkeictl issue create|get|list|update|advance|back|new-cycle|worksheet: an issue through the
// seven PDCA steps — opening it, reading it (the table form of every step), editing the steps'
// content, moving between the steps and cycles, and its worksheet.
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "indicator_words.h"
#include "issue_parts.h"
#include "issues/issue_rules.h"
#include "list_pages.h"
#include "renkei/common/labels.h"
#include "renkei/common/text.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli::issue_commands {
namespace {

// ---- structured values on the command line ----

// "survey:在宅看取り率 12%:稲城市調査 2025". The summary holds no ASCII ':' (a full-width '：' is
// fine); the reference may (a URL).
bool ParseEvidence(const std::string& spec, v1::Evidence* out) {
  const size_t kind_end = spec.find(':');
  if (kind_end == std::string::npos || !IsWord(kEvidenceKinds, spec.substr(0, kind_end))) {
    return false;
  }
  const std::string rest = spec.substr(kind_end + 1);
  const size_t summary_end = rest.find(':');
  const std::string summary = Trim(rest.substr(0, summary_end));
  if (summary.empty()) return false;
  out->set_kind(FromWord(kEvidenceKinds, spec.substr(0, kind_end), v1::EVIDENCE_KIND_UNSPECIFIED));
  out->set_summary(summary);
  if (summary_end != std::string::npos) out->set_reference(Trim(rest.substr(summary_end + 1)));
  return true;
}

// ---- output ----

std::string ScopeText(v1::IssueScope scope,
                      const google::protobuf::RepeatedPtrField<std::string>& related) {
  std::string label(common::Label(scope, common::Label(v1::ISSUE_SCOPE_MUNICIPAL)));
  if (scope != v1::ISSUE_SCOPE_WIDE_AREA) return label;
  std::string out;
  for (const auto& code : related) out += (out.empty() ? "" : "、") + JurisdictionLabel(code);
  return out.empty() ? label : label + " (" + out + ")";
}

void StepHeading(const v1::RegionalIssue& i, int from, int to, const std::string& name) {
  const bool current =
      i.status() == v1::ISSUE_STATUS_OPEN && i.current_step() >= from && i.current_step() <= to;
  const std::string steps =
      from == to ? std::to_string(from) : std::to_string(from) + "・" + std::to_string(to);
  std::printf("\n【ステップ%s】%s%s\n", steps.c_str(), name.c_str(), current ? "  ← 現在" : "");
}

std::string TransitionText(const v1::StepTransition& t) {
  if (t.back()) {
    return "ステップ" + std::to_string(t.from_step()) + " → ステップ" +
           std::to_string(t.to_step()) + " (戻り)";
  }
  if (t.from_step() == issues::kSteps && t.to_step() == issues::kSteps) {
    return "ステップ" + std::to_string(issues::kSteps) + " 完了 (" +
           std::string(common::Label(v1::ISSUE_STATUS_EVALUATED)) + ")";
  }
  if (t.from_step() == issues::kSteps && t.to_step() == 1) {
    return "第" + std::to_string(t.cycle()) + "サイクル開始";
  }
  return "ステップ" + std::to_string(t.from_step()) + " → ステップ" + std::to_string(t.to_step());
}

// The table form (CallAndPrint prints JSON).
void PrintIssue(const v1::IssueWithHistory& with_history, bool history) {
  const auto& i = with_history.issue();
  Field("ID", i.id());
  Field("自治体", JurisdictionLabel(i.municipality_code()) + " (" + i.municipality_code() + ")");
  Field("テーマ", i.theme());
  Field("範囲", ScopeText(i.scope(), i.related_municipality_codes()));
  Field("タグ", TagsText(i.theme_tags()));
  Field("状態", LabelOf(kIssueStatuses, i.status()));
  Field("ステップ",
        std::to_string(i.current_step()) + "「" + common::StepName(i.current_step()) + "」");
  Field("サイクル", "第" + std::to_string(i.cycle()) + "サイクル");
  Field("版", std::to_string(i.version()));
  Field("課題候補", i.candidate_id());
  if (!i.origin_issue_id().empty()) {
    Field("上げた自治体",
          JurisdictionLabel(i.origin_municipality_code()) + " (" + i.origin_issue_id() + ")");
  }
  Field("上げた日時", FormatTokyo(i.escalated_at()));
  if (!i.wide_area().prefecture_issue_id().empty()) {
    const auto& w = i.wide_area();
    Field("広域課題の状況", JurisdictionLabel(w.prefecture_code()) + " " + w.prefecture_issue_id() +
                                ": ステップ" + std::to_string(w.current_step()) + "「" +
                                common::StepName(w.current_step()) + "」 (" +
                                FormatTokyo(w.updated_at()) + ")");
  }
  Field("登録日時", FormatTokyo(i.created_at()));
  Field("更新日時", FormatTokyo(i.updated_at()));

  StepHeading(i, 1, 1, common::StepName(1));
  Block(i.target_state());

  StepHeading(i, 2, 2, common::StepName(2));
  std::printf("  現状\n");
  Block(i.current_state());
  std::printf("  根拠\n");
  if (i.evidence_size() == 0) std::printf("    (なし)\n");
  for (const auto& e : i.evidence()) {
    std::printf("    - [%s] %s%s\n", LabelOf(kEvidenceKinds, e.kind()).c_str(), e.summary().c_str(),
                e.reference().empty() ? "" : (" (" + e.reference() + ")").c_str());
  }

  StepHeading(i, 3, 3, common::StepName(3));
  if (i.issue_options_size() > 0) {
    std::printf("  課題案\n");
    for (int k = 0; k < i.issue_options_size(); ++k) {
      std::printf("    %d. %s\n", k + 1, i.issue_options(k).c_str());
    }
  }
  std::printf("  課題\n");
  Block(i.chosen_issue());

  StepHeading(i, 4, 4, common::StepName(4));
  std::printf("  要因 (最大4つ)\n");
  if (i.causes_size() == 0) std::printf("    (なし)\n");
  for (int k = 0; k < i.causes_size(); ++k) {
    std::printf("    %d. %s%s\n", k + 1, i.causes(k).text().c_str(),
                i.causes(k).main() ? "  ◎ 主たる原因" : "");
  }
  std::printf("  根本原因\n");
  Block(i.root_cause());

  StepHeading(i, 5, 6, common::StepName(5) + "・" + common::StepName(6));
  if (i.countermeasures_size() == 0) std::printf("    (なし)\n");
  for (const auto& c : i.countermeasures()) {
    std::printf("  %s  (%s)\n", c.label().c_str(), c.id().c_str());
    Field("誰に", AudienceText(c.audiences()), 4);
    Field("内容", c.content(), 4);
    Field("担当", c.owner(), 4);
    Field("状況", LabelOf(kCountermeasureStatuses, c.status()), 4);
    Field("期限", FormatDateOrEmpty(c.due()), 4);
    Field("研修", c.training_id(), 4);
  }

  StepHeading(i, 7, 7, "効果確認 (期待値と指標)");
  if (i.expected_changes_size() == 0) std::printf("    (なし)\n");
  for (const auto& e : i.expected_changes()) {
    const auto& ind = e.indicator();
    std::printf("  %s  %s  (%s)\n", e.label().c_str(), e.description().c_str(), e.id().c_str());
    Field("指標", ind.name_ja() + (ind.code().empty() ? "" : " (" + ind.code() + ")"), 4);
    Field("測るもの", ind.description(), 4);
    Field("種類", LabelOf(kIndicatorKinds, ind.kind()), 4);
    Field("測定方法", MethodsText(ind.methods()), 4);
    Field("頻度", LabelOf(kFrequencies, ind.frequency()), 4);
    Field("方向", LabelOf(kDirections, ind.direction()), 4);
    std::string baseline = "未測定";
    if (ind.has_baseline()) {
      baseline = Number(ind.baseline()) + ind.unit() +
                 (ind.baseline_period().empty() ? "" : " (" + ind.baseline_period() + ")");
    }
    Field("ベースライン", baseline, 4);
    Field("目標", ind.has_target() ? Number(ind.target()) + ind.unit() : "", 4);
  }

  std::printf("\nステップの経過 / transitions\n");
  if (i.transitions_size() == 0) {
    std::printf("(なし)\n");
  } else {
    Table t({"日時", "サイクル", "変更", "理由"});
    for (const auto& tr : i.transitions()) {
      t.Add({FormatTokyo(tr.at()), std::to_string(tr.cycle()), TransitionText(tr), tr.reason()});
    }
    t.Print({16, 8, 40, 60});
  }

  if (history) {
    std::printf("\n履歴 / history\n");
    if (with_history.history_size() == 0) {
      std::printf("(なし)\n");
    } else {
      Table t({"版", "日時", "操作", "内容"});
      for (const auto& h : with_history.history()) {
        t.Add({std::to_string(h.version()), FormatTokyo(h.at()), h.action(), h.detail()});
      }
      t.Print({6, 16, 30, 100});
    }
  }
}

// ---- list ----
struct ListArgs {
  std::string status, scope, tag, text, page_token;
  int step = 0, page_size = 0;
  bool all = false;
};

int RunList(const ListArgs& a) {
  v1::ListIssuesRequest req;
  if (!a.status.empty()) {
    req.set_status(FromWord(kIssueStatuses, a.status, v1::ISSUE_STATUS_UNSPECIFIED));
  }
  req.set_step(a.step);
  if (!a.scope.empty()) req.set_scope(FromWord(kScopes, a.scope, v1::ISSUE_SCOPE_UNSPECIFIED));
  req.set_theme_tag(a.tag);
  req.set_text(a.text);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);

  auto stub = Stub();
  // With --all, the pages are gathered into one response (one JSON document).
  v1::ListIssuesResponse all;
  grpc::Status s = ListPages(*stub, &v1::IssuesService::Stub::ListIssues, req, a.all, &all);
  if (!s.ok()) return ReportError(s);
  if (JsonOutput()) {
    PrintJson(all);
    return kOk;
  }
  if (all.issues_size() == 0) {
    std::printf("該当する課題はありません / no issues (該当 %d 件)\n", all.total());
    return kOk;
  }
  Table t({"更新日時", "テーマ", "範囲", "状態", "対策", "上げた自治体", "版", "ID"});
  for (const auto& i : all.issues()) {
    t.Add({FormatTokyo(i.updated_at()), i.theme(), LabelOf(kScopes, i.scope()), StateText(i),
           std::to_string(i.countermeasures()),
           i.origin_municipality_code().empty() ? ""
                                                : JurisdictionLabel(i.origin_municipality_code()),
           std::to_string(i.version()), i.id()});
  }
  t.Print({16, 50, 6, 36, 4, 20, 6, 32});
  std::printf(
      "\n%d 件を表示 (該当 %d 件)%s\n", all.issues_size(), all.total(),
      all.next_page_token().empty() ? "" : "  (続き: --page-token で次ページ、--all で全件)");
  if (!all.next_page_token().empty()) {
    std::printf("next page token: %s\n", all.next_page_token().c_str());
  }
  return kOk;
}

// ---- update ----
struct UpdateArgs {
  std::string id, scope;
  int64_t version = 0;
  MaybeText theme, target_state, current_state, chosen, root_cause;
  std::vector<std::string> evidence, options, causes, related;
  bool clear_evidence = false, clear_options = false, clear_related = false;
  int main_cause = 0;
};

int RunUpdate(const UpdateArgs& a) {
  v1::UpdateIssueRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  if (a.theme.given) req.set_theme(a.theme.value);
  if (a.target_state.given) req.set_target_state(a.target_state.value);
  if (a.current_state.given) req.set_current_state(a.current_state.value);
  if (!a.evidence.empty() || a.clear_evidence) {
    req.set_replace_evidence(true);
    for (const auto& spec : a.evidence) {
      if (!ParseEvidence(spec, req.add_evidence())) return kUsage;  // checked when parsing
    }
  }
  if (!a.options.empty() || a.clear_options) {
    req.set_replace_issue_options(true);
    for (const auto& o : a.options) req.add_issue_options(o);
  }
  if (a.chosen.given) req.set_chosen_issue(a.chosen.value);
  if (a.root_cause.given) req.set_root_cause(a.root_cause.value);
  if (!a.scope.empty()) req.set_scope(FromWord(kScopes, a.scope, v1::ISSUE_SCOPE_UNSPECIFIED));
  if (!a.related.empty() || a.clear_related) {
    req.set_replace_related_municipalities(true);
    for (const auto& code : a.related) req.add_related_municipality_codes(code);
  }

  auto stub = Stub();
  if (!a.causes.empty() || a.main_cause > 0) {
    // The causes are replaced as a whole. A cause whose text is unchanged at the same position
    // keeps its id (and its main mark unless --main-cause is given), so the issue's history
    // reads as edits rather than new causes; --main-cause alone re-marks the existing causes.
    v1::GetIssueRequest get;
    get.set_id(a.id);
    v1::IssueWithHistory current;
    auto ctx = NewContext();
    grpc::Status s = stub->GetIssue(ctx.get(), get, &current);
    if (!s.ok()) return ReportError(s);
    const auto& before = current.issue().causes();
    if (a.causes.empty()) {
      *req.mutable_causes() = before;
    } else {
      for (int k = 0; k < static_cast<int>(a.causes.size()); ++k) {
        auto* c = req.add_causes();
        c->set_text(a.causes[k]);
        if (k < before.size() && before[k].text() == Trim(a.causes[k])) {
          c->set_id(before[k].id());
          c->set_main(before[k].main());
        }
      }
    }
    if (a.main_cause > 0) {
      if (a.main_cause > req.causes_size()) {
        std::fprintf(stderr,
                     "--main-cause: 要因は %d つです。1〜%d で指定してください / there are %d "
                     "causes\n",
                     req.causes_size(), req.causes_size(), req.causes_size());
        return kUsage;
      }
      for (int k = 0; k < req.causes_size(); ++k) {
        req.mutable_causes(k)->set_main(k == a.main_cause - 1);
      }
    }
    req.set_replace_causes(true);
  }

  return CallAndPrint(
      *stub, &v1::IssuesService::Stub::UpdateIssue, req, [](const v1::RegionalIssue& issue) {
        std::printf("%s\n", IssueLine(issue, "課題 " + issue.id() + " を更新しました").c_str());
      });
}

// ---- worksheet ----
int RunWorksheet(const std::string& id, const std::string& format, const std::string& out) {
  v1::ExportWorksheetRequest req;
  req.set_id(id);
  req.set_format(format.empty()
                     ? v1::WORKSHEET_FORMAT_MARKDOWN
                     : FromWord(kWorksheetFormats, format, v1::WORKSHEET_FORMAT_UNSPECIFIED));
  v1::Worksheet w;
  auto ctx = NewContext();
  grpc::Status s = Stub()->ExportWorksheet(ctx.get(), req, &w);
  if (!s.ok()) return ReportError(s);
  const std::string& content = w.content();
  if (out.empty()) {
    if (JsonOutput()) {
      PrintJson(w);
    } else {
      std::fwrite(content.data(), 1, content.size(), stdout);
      if (!content.empty() && content.back() != '\n') std::fputc('\n', stdout);
    }
    return kOk;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) {
    std::fprintf(stderr, "ファイルに書き込めません / cannot write %s\n", out.c_str());
    return kFailure;
  }
  std::printf("ワークシートを %s に書き出しました (%zu バイト)\n", out.c_str(), content.size());
  return kOk;
}

}  // namespace

void AddCycleCommands(CLI::App* issue, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto related = std::make_shared<std::vector<std::string>>();
  auto scope = std::make_shared<std::string>();
  auto theme = std::make_shared<std::string>();

  auto tags = std::make_shared<std::vector<std::string>>();
  auto* create = issue->add_subcommand(
      "create", "候補なしで課題を登録 (例: 協議会で挙がったもの) / open an issue");
  create->add_option("--theme", *theme, "テーマ (例: 看取りで本人の希望がかなえられない)")
      ->required();
  create->add_option("--tag", *tags, "タグ (繰り返し指定可、例: --tag 看取り)")
      ->allow_extra_args(false);
  AddScope(create, scope.get(), related.get());
  create->callback([=] {
    *run = [=] {
      v1::CreateIssueRequest req;
      req.set_theme(*theme);
      for (const auto& t : *tags) req.add_theme_tags(t);
      if (!scope->empty()) req.set_scope(FromWord(kScopes, *scope, v1::ISSUE_SCOPE_UNSPECIFIED));
      for (const auto& code : *related) req.add_related_municipality_codes(code);
      return Mutate(&v1::IssuesService::Stub::CreateIssue, req, [](const v1::RegionalIssue& i) {
        return IssueLine(i, "課題 " + i.id() + " を登録しました");
      });
    };
  });

  auto history = std::make_shared<bool>(false);
  auto* get = issue->add_subcommand("get", "課題を表示 / show an issue");
  get->add_option("id", *id, "課題ID (iss_...)")->required();
  get->add_flag("--history", *history, "変更の履歴も表示 (版・日時・操作・内容)");
  get->callback([=] {
    *run = [=] {
      v1::GetIssueRequest req;
      req.set_id(*id);
      return CallAndPrint(*Stub(), &v1::IssuesService::Stub::GetIssue, req,
                          [history](const v1::IssueWithHistory& i) { PrintIssue(i, *history); });
    };
  });

  auto la = std::make_shared<ListArgs>();
  auto* list = issue->add_subcommand("list", "課題の一覧 (更新の新しい順) / list issues");
  list->add_option("--status", la->status, "状態で絞り込む: " + Choices(kIssueStatuses))
      ->check(WordCheck(kIssueStatuses, "状態"));
  list->add_option("--step", la->step, "現在のステップ (1-7)")->check(CLI::Range(1, 7));
  list->add_option("--scope", la->scope, "範囲: " + Choices(kScopes))
      ->check(WordCheck(kScopes, "範囲"));
  list->add_option("--tag", la->tag, "テーマのタグ (例: tag:看取り)");
  list->add_option("--text", la->text, "テーマに含む語");
  list->add_option("--page-size", la->page_size, "1ページの件数 (1-200、既定 50)")
      ->check(CLI::Range(1, 200));
  list->add_option("--page-token", la->page_token, "続きのページ");
  list->add_flag("--all", la->all, "全ページを表示");
  list->callback([=] { *run = [=] { return RunList(*la); }; });

  auto ua = std::make_shared<UpdateArgs>();
  auto* update = issue->add_subcommand(
      "update", "ステップの内容を更新 (現在とそれ以前のステップ) / edit the steps' content");
  update->add_option("id", ua->id, "課題ID (iss_...)")->required();
  update->add_option("--version", ua->version, "読み込んだ版 / the version you read")->required();
  AddMaybe(update, "--theme", &ua->theme, "テーマ");
  AddMaybe(update, "--target-state", &ua->target_state, "ステップ1: 目指す姿");
  AddMaybe(update, "--current-state", &ua->current_state, "ステップ2: 現状");
  auto* evidence =
      update
          ->add_option(
              "--evidence", ua->evidence,
              "ステップ2: 根拠 KIND:SUMMARY[:REFERENCE] (KIND: " + Choices(kEvidenceKinds) +
                  "。SUMMARY に半角 ':' は不可。繰り返し指定可、指定すると全体を置き換え)")
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseEvidence, "KIND:SUMMARY[:REFERENCE]",
                            "根拠は KIND:SUMMARY[:REFERENCE] で指定してください (KIND: " +
                                WordList(kEvidenceKinds) + ")"));
  update->add_flag("--clear-evidence", ua->clear_evidence, "根拠をすべて消す")->excludes(evidence);
  auto* options = update
                      ->add_option("--option", ua->options,
                                   "ステップ3: 課題案 (繰り返し指定可、指定すると全体を置き換え)")
                      ->allow_extra_args(false);
  update->add_flag("--clear-options", ua->clear_options, "課題案をすべて消す")->excludes(options);
  AddMaybe(update, "--chosen", &ua->chosen, "ステップ3: 選んだ課題");
  update
      ->add_option("--cause", ua->causes,
                   "ステップ4: 要因 (最大4つ、繰り返し指定可、指定すると全体を置き換え)")
      ->allow_extra_args(false);
  update
      ->add_option(
          "--main-cause", ua->main_cause,
          "ステップ4: 主たる原因の番号 (1から、--cause の順。--cause なしなら今の要因の順)")
      ->check(CLI::PositiveNumber);
  AddMaybe(update, "--root-cause", &ua->root_cause, "ステップ4: 根本原因");
  update->add_option("--scope", ua->scope, "範囲: " + Choices(kScopes))
      ->check(WordCheck(kScopes, "範囲"));
  auto* related_opt =
      update
          ->add_option("--related", ua->related,
                       "関係市町村の団体コード (繰り返し指定可、指定すると全体を置き換え)")
          ->allow_extra_args(false);
  update->add_flag("--clear-related", ua->clear_related, "関係市町村をすべて消す")
      ->excludes(related_opt);
  update->callback([=] { *run = [=] { return RunUpdate(*ua); }; });
}

void AddStepCommands(CLI::App* issue, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  auto reason = std::make_shared<std::string>();

  auto* advance =
      issue->add_subcommand("advance", "現在のステップを完了して次へ / complete the current step");
  AddTarget(advance, id.get(), version.get(), "課題ID (iss_...)");
  advance->callback([=] {
    *run = [=] {
      v1::AdvanceStepRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      return Mutate(&v1::IssuesService::Stub::AdvanceStep, req, [](const v1::RegionalIssue& i) {
        const int done = i.transitions_size() > 0
                             ? i.transitions(i.transitions_size() - 1).from_step()
                             : i.current_step();
        return IssueLine(i, "課題 " + i.id() + " のステップ" + std::to_string(done) + "「" +
                                common::StepName(done) + "」を完了しました");
      });
    };
  });

  auto step = std::make_shared<int>(0);
  auto* back = issue->add_subcommand("back", "前のステップに戻る / return to an earlier step");
  AddTarget(back, id.get(), version.get(), "課題ID (iss_...)");
  back->add_option("--step", *step, "戻り先のステップ (1-7)")->required()->check(CLI::Range(1, 7));
  back->add_option("--reason", *reason, "戻る理由")->required();
  back->callback([=] {
    *run = [=] {
      v1::ReturnToStepRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_step(*step);
      req.set_reason(*reason);
      return Mutate(&v1::IssuesService::Stub::ReturnToStep, req, [](const v1::RegionalIssue& i) {
        return IssueLine(i, "課題 " + i.id() + " をステップ" + std::to_string(i.current_step()) +
                                "に戻しました");
      });
    };
  });

  auto* new_cycle = issue->add_subcommand(
      "new-cycle", "効果確認の後、次のサイクルをステップ1から始める / start the next cycle");
  AddTarget(new_cycle, id.get(), version.get(), "課題ID (iss_...)");
  new_cycle->callback([=] {
    *run = [=] {
      v1::StartNewCycleRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      return Mutate(&v1::IssuesService::Stub::StartNewCycle, req, [](const v1::RegionalIssue& i) {
        return IssueLine(
            i, "課題 " + i.id() + " の第" + std::to_string(i.cycle()) + "サイクルを始めました");
      });
    };
  });
}

void AddWorksheetCommand(CLI::App* issue, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* worksheet = issue->add_subcommand(
      "worksheet", "ワークシート (問1〜問5) を書き出す / export the worksheet");
  worksheet->add_option("id", *id, "課題ID (iss_...)")->required();
  worksheet->add_option("--format", *format, "形式 (既定 md): " + Choices(kWorksheetFormats))
      ->check(WordCheck(kWorksheetFormats, "形式"));
  worksheet->add_option("--out", *out, "書き出すファイル (省略時は標準出力)");
  worksheet->callback([=] { *run = [=] { return RunWorksheet(*id, *format, *out); }; });
}

}  // namespace renkei::cli::issue_commands
