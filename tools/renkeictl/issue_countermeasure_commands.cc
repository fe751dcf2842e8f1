// renkeictl issue countermeasure add|update, expect add|update: the countermeasures of steps 5
// and 6 (to whom, what, who, by when, with which training) and the expected changes with their
// indicators that step 7 evaluates (baseline and target).
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "indicator_words.h"
#include "issue_parts.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli::issue_commands {
namespace {

// ---- countermeasures ----
struct CountermeasureArgs {
  std::string id, countermeasure_id, content, label, status, due;
  std::vector<std::string> audiences;
  int64_t version = 0;
  MaybeText owner, training;
};

int RunCountermeasureAdd(const CountermeasureArgs& a) {
  v1::AddCountermeasureRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  auto* c = req.mutable_countermeasure();
  for (const auto& w : a.audiences) {
    c->add_audiences(FromWord(kAudiences, w, v1::AUDIENCE_ROLE_UNSPECIFIED));
  }
  c->set_content(a.content);
  c->set_label(a.label);
  c->set_owner(a.owner.value);
  if (!a.status.empty()) {
    c->set_status(
        FromWord(kCountermeasureStatuses, a.status, v1::COUNTERMEASURE_STATUS_UNSPECIFIED));
  }
  if (!a.due.empty()) ParseDate(a.due, c->mutable_due());
  c->set_training_id(a.training.value);
  return Mutate(&v1::IssuesService::Stub::AddCountermeasure, req, [](const v1::RegionalIssue& i) {
    const auto& added = i.countermeasures(i.countermeasures_size() - 1);
    return IssueLine(
        i, "課題 " + i.id() + " に対策 " + added.label() + " (" + added.id() + ") を追加しました");
  });
}

int RunCountermeasureUpdate(const CountermeasureArgs& a) {
  v1::UpdateCountermeasureRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  req.set_countermeasure_id(a.countermeasure_id);
  if (!a.status.empty()) {
    req.set_status(
        FromWord(kCountermeasureStatuses, a.status, v1::COUNTERMEASURE_STATUS_UNSPECIFIED));
  }
  if (a.owner.given) req.set_owner(a.owner.value);
  if (!a.due.empty()) ParseDate(a.due, req.mutable_due());
  if (a.training.given) req.set_training_id(a.training.value);
  const std::string cm_id = a.countermeasure_id;
  return Mutate(
      &v1::IssuesService::Stub::UpdateCountermeasure, req, [cm_id](const v1::RegionalIssue& i) {
        std::string what = "課題 " + i.id() + " の対策 " + cm_id + " を更新しました";
        for (const auto& c : i.countermeasures()) {
          if (c.id() != cm_id) continue;
          what = "課題 " + i.id() + " の対策 " + c.label() +
                 " を更新しました (状況: " + LabelOf(kCountermeasureStatuses, c.status()) + ")";
        }
        return IssueLine(i, what);
      });
}

// ---- expected changes ----
struct ExpectArgs {
  std::string id, expected_change_id, indicator, unit, kind, frequency, direction, code, label;
  std::vector<std::string> methods;
  int64_t version = 0;
  MaybeText description, measure, baseline_period;
  MaybeNumber baseline, target;
};

int RunExpectAdd(const ExpectArgs& a) {
  v1::AddExpectedChangeRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  auto* e = req.mutable_expected_change();
  e->set_label(a.label);
  e->set_description(a.description.value);
  auto* ind = e->mutable_indicator();
  ind->set_code(a.code);
  ind->set_name_ja(a.indicator);
  ind->set_description(a.measure.value);
  ind->set_unit(a.unit);
  if (!a.kind.empty())
    ind->set_kind(FromWord(kIndicatorKinds, a.kind, v1::INDICATOR_KIND_UNSPECIFIED));
  for (const auto& m : a.methods) {
    ind->add_methods(FromWord(kMethods, m, v1::MEASUREMENT_METHOD_UNSPECIFIED));
  }
  ind->set_frequency(FromWord(kFrequencies, a.frequency, v1::MEASUREMENT_FREQUENCY_UNSPECIFIED));
  if (!a.direction.empty()) {
    ind->set_direction(FromWord(kDirections, a.direction, v1::DIRECTION_UNSPECIFIED));
  }
  if (a.baseline.given) ind->set_baseline(a.baseline.value);
  ind->set_baseline_period(a.baseline_period.value);
  if (a.target.given) ind->set_target(a.target.value);
  return Mutate(&v1::IssuesService::Stub::AddExpectedChange, req, [](const v1::RegionalIssue& i) {
    const auto& added = i.expected_changes(i.expected_changes_size() - 1);
    return IssueLine(i, "課題 " + i.id() + " に期待値 " + added.label() + " (" + added.id() +
                            "、指標 " + added.indicator().code() + ") を追加しました");
  });
}

int RunExpectUpdate(const ExpectArgs& a) {
  v1::UpdateExpectedChangeRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  req.set_expected_change_id(a.expected_change_id);
  if (a.description.given) req.set_description(a.description.value);
  if (a.baseline.given) req.set_baseline(a.baseline.value);
  if (a.baseline_period.given) req.set_baseline_period(a.baseline_period.value);
  if (a.target.given) req.set_target(a.target.value);
  const std::string exp_id = a.expected_change_id;
  return Mutate(&v1::IssuesService::Stub::UpdateExpectedChange, req,
                [exp_id](const v1::RegionalIssue& i) {
                  std::string label = exp_id;
                  for (const auto& e : i.expected_changes()) {
                    if (e.id() == exp_id) label = e.label();
                  }
                  return IssueLine(i, "課題 " + i.id() + " の期待値 " + label + " を更新しました");
                });
}

}  // namespace

void AddCountermeasureCommands(CLI::App* issue, std::function<int()>* run) {
  auto* countermeasure =
      issue->add_subcommand("countermeasure", "対策 (ステップ5・6) / countermeasures");
  countermeasure->require_subcommand(1);
  auto ca = std::make_shared<CountermeasureArgs>();
  auto add_cm_common = [&](CLI::App* cmd) {
    cmd->add_option("id", ca->id, "課題ID (iss_...)")->required();
    cmd->add_option("--version", ca->version, "読み込んだ版 / the version you read")->required();
    cmd->add_option("--status", ca->status, "状況: " + Choices(kCountermeasureStatuses))
        ->check(WordCheck(kCountermeasureStatuses, "状況"));
    AddMaybe(cmd, "--owner", &ca->owner, "担当 (組織や役割)");
    cmd->add_option("--due", ca->due, "期限")->check(DateCheck());
    AddMaybe(cmd, "--training", &ca->training, "実施する研修のID (trn_...)");
  };
  auto* cm_add = countermeasure->add_subcommand("add", "対策を追加 / add a countermeasure");
  add_cm_common(cm_add);
  cm_add
      ->add_option("--audience", ca->audiences,
                   "誰に (カンマ区切り・繰り返し指定可): " + Choices(kAudiences))
      ->required()
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kAudiences, "対象"));
  cm_add->add_option("--content", ca->content, "対策の内容")->required();
  cm_add->add_option("--label", ca->label, "ラベル (既定: M1, M2, ...)");
  cm_add->callback([=] { *run = [=] { return RunCountermeasureAdd(*ca); }; });

  auto* cm_update =
      countermeasure->add_subcommand("update", "対策の状況・担当・期限を更新 / update one");
  add_cm_common(cm_update);
  cm_update->add_option("--countermeasure", ca->countermeasure_id, "対策ID (cm_...)")->required();
  cm_update->callback([=] { *run = [=] { return RunCountermeasureUpdate(*ca); }; });

  // ---- expected changes ----
  auto* expect = issue->add_subcommand(
      "expect", "期待値と指標 (ステップ5から、ステップ7にはベースラインが必要) / expected changes");
  expect->require_subcommand(1);
  auto ea = std::make_shared<ExpectArgs>();
  auto add_expect_common = [&](CLI::App* cmd) {
    cmd->add_option("id", ea->id, "課題ID (iss_...)")->required();
    cmd->add_option("--version", ea->version, "読み込んだ版 / the version you read")->required();
    AddMaybe(cmd, "--baseline", &ea->baseline, "ベースライン値");
    AddMaybe(cmd, "--baseline-period", &ea->baseline_period,
             "ベースラインの測定時期 (例: 2026-11, FY2026)");
    AddMaybe(cmd, "--target", &ea->target, "目標値");
  };
  auto* exp_add = expect->add_subcommand("add", "期待値を追加 / add an expected change");
  add_expect_common(exp_add);
  AddMaybe(exp_add, "--description", &ea->description,
           "期待値: 何がどうなることを期待するか (例: 説明スキルが上がる)")
      ->required();
  exp_add->add_option("--indicator", ea->indicator, "指標の名前 (例: 家族への説明スキル)")
      ->required();
  AddMaybe(exp_add, "--measure", &ea->measure, "測るもの (指標の説明)");
  exp_add->add_option("--unit", ea->unit, "単位 (例: 点, %, 件)");
  exp_add->add_option("--kind", ea->kind, "指標の種類: " + Choices(kIndicatorKinds))
      ->check(WordCheck(kIndicatorKinds, "指標の種類"));
  exp_add
      ->add_option("--method", ea->methods,
                   "測定方法 (カンマ区切り・繰り返し指定可): " + Choices(kMethods))
      ->required()
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kMethods, "測定方法"));
  exp_add->add_option("--frequency", ea->frequency, "測定頻度: " + Choices(kFrequencies))
      ->required()
      ->check(WordCheck(kFrequencies, "測定頻度"));
  exp_add->add_option("--direction", ea->direction, "望ましい向き: " + Choices(kDirections))
      ->check(WordCheck(kDirections, "向き"));
  exp_add->add_option("--code", ea->code,
                      "既存の指標コード (省略時は <課題ID>.<ラベル> で新しく定義)");
  exp_add->add_option("--label", ea->label, "ラベル (既定: E1, E2, ...)");
  exp_add->callback([=] { *run = [=] { return RunExpectAdd(*ea); }; });

  auto* exp_update = expect->add_subcommand(
      "update", "期待値の内容・ベースライン・目標を更新 / update an expected change");
  add_expect_common(exp_update);
  exp_update->add_option("--expected-change", ea->expected_change_id, "期待値ID (exp_...)")
      ->required();
  AddMaybe(exp_update, "--description", &ea->description, "期待値");
  exp_update->callback([=] { *run = [=] { return RunExpectUpdate(*ea); }; });
}

}  // namespace renkei::cli::issue_commands
