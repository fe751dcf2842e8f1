// renkeictl indicator define|get|list|record|history|series|compare|rollup|progress|export|
// import|recompute|reconcile: indicators (指標) — definitions, observations with corrections and
// their history, time series, comparisons with ranks and quartiles, roll-ups from numerators and
// denominators, the progress of an issue's expected changes, export and import, and the derived
// indicators recounted from the event history — over renkei.v1.IndicatorsService.
//
// This file registers `indicator`, holds the definitions' commands and what the other parts share
// (indicator_parts.h); the other commands are in indicator_observation_commands.cc,
// indicator_query_commands.cc, indicator_file_commands.cc and indicator_derived_commands.cc.
//
// Periods are "2026-11" (month), "2026-Q3" (quarter), "FY2026" (fiscal year from April) and
// "2026-11-24" (a day); their form is checked here, whether they fit an indicator's frequency is
// the service's to say. Values the service marks as small cells (suppressed) are shown as 秘匿, as
// the contract withholds them; -o json prints what the service sent.
//
// Each command makes one call, except `define --version` (it reads the definition, changes the
// parts given and writes it back at the version the user read).
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "indicator_parts.h"
#include "indicator_words.h"
#include "indicators/periods.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "words.h"

namespace renkei::cli::indicator_commands {
namespace {

// ---- words on the command line, and the labels people see ----

constexpr Word<v1::IndicatorOrigin> kOrigins[] = {
    {"national", v1::INDICATOR_ORIGIN_NATIONAL},
    {"local", v1::INDICATOR_ORIGIN_LOCAL},
    {"expected_change", v1::INDICATOR_ORIGIN_EXPECTED_CHANGE},
    {"derived", v1::INDICATOR_ORIGIN_DERIVED},
};

// The origins a definition may be given (derived indicators are the service's own).
constexpr Word<v1::IndicatorOrigin> kDefinableOrigins[] = {
    {"local", v1::INDICATOR_ORIGIN_LOCAL, "このインスタンスで追加"},
    {"national", v1::INDICATOR_ORIGIN_NATIONAL, "国のインスタンスのみ"},
    {"expected_change", v1::INDICATOR_ORIGIN_EXPECTED_CHANGE, "--issue が必要"},
};

// ---- values on the command line ----

// A finite number, all of the text.
bool ParseNumber(const std::string& s, double* out) {
  const std::string t = Trim(s);
  if (t.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && std::isfinite(*out);
}

bool ParsePeriodText(const std::string& s, std::string* out) {
  auto p = indicators::ParsePeriod(s);
  if (!p) return false;
  *out = p->ToString();
  return true;
}

CLI::Validator NumberCheck() {
  return ParseCheck(&ParseNumber, "数値を指定してください / not a number: ", "NUMBER", "number");
}

}  // namespace

std::unique_ptr<v1::IndicatorsService::Stub> Stub() {
  return v1::IndicatorsService::NewStub(Channel(Options().indicators_address));
}

// "東京都稲城市 (132250)".
std::string JurisdictionText(const std::string& code) {
  const std::string name = JurisdictionName(code);
  return name == code ? code : name + " (" + code + ")";
}

// "在宅看取り率 (home_death_rate)".
std::string IndicatorText(const v1::IndicatorDefinition& d) {
  return d.spec().name_ja().empty() ? d.spec().code()
                                    : d.spec().name_ja() + " (" + d.spec().code() + ")";
}

CLI::Validator PeriodCheck() {
  return ParseCheck(&ParsePeriodText,
                    "期間は 2026-11 (月)、2026-Q3 (四半期)、FY2026 (年度)、2026-11-24 (日) の形で"
                    "指定してください / not a period: ",
                    "PERIOD", "period");
}

CLI::Option* AddNumber(CLI::App* cmd, const std::string& name, std::optional<double>* out,
                       const std::string& help) {
  return cmd
      ->add_option_function<std::string>(
          name,
          [out](const std::string& v) {
            double d = 0;
            ParseNumber(v, &d);  // checked when parsing
            *out = d;
          },
          help)
      ->check(NumberCheck());
}

namespace {

// ---- output ----

void PrintDefinition(const v1::IndicatorDefinition& d) {
  const auto& s = d.spec();
  Field("コード", s.code());
  Field("名前", s.name_ja());
  Field("説明", s.description());
  Field("単位", s.unit());
  Field("種類", LabelOf(kIndicatorKinds, s.kind()));
  Field("測定方法", MethodsText(s.methods()));
  Field("頻度", LabelOf(kFrequencies, s.frequency()));
  Field("方向", LabelOf(kDirections, s.direction()));
  Field("ベースライン",
        s.has_baseline() ? FormatNumber(s.baseline()) + s.unit() +
                               (s.baseline_period().empty() ? "" : " (" + s.baseline_period() + ")")
                         : "未設定");
  Field("目標", s.has_target() ? FormatNumber(s.target()) + s.unit() : "未設定");
  Field("由来", LabelOf(kOrigins, d.origin()));
  Field("所管", JurisdictionText(d.owner_jurisdiction()));
  if (!d.issue_id().empty()) {
    std::string link = d.issue_id();
    if (!d.expected_change_label().empty()) link += " " + d.expected_change_label();
    if (!d.expected_change_id().empty()) link += " (" + d.expected_change_id() + ")";
    Field("期待値", link);
  }
  Field("版", std::to_string(d.version()));
  Field("更新日時", FormatTokyo(d.updated_at()));
}

// Reads a definition; a failed call is reported and its exit code returned.
int ReadDefinition(v1::IndicatorsService::Stub& stub, const std::string& code,
                   v1::IndicatorDefinition* out) {
  v1::GetIndicatorRequest get;
  get.set_code(code);
  auto ctx = NewContext();
  return ReportError(stub.GetIndicator(ctx.get(), get, out));
}

// ---- define ----
struct DefineArgs {
  std::string code, name, kind, frequency, direction, origin;
  std::vector<std::string> methods;
  MaybeText description, unit, baseline_period, issue, expected_change, label;
  std::optional<double> baseline, target;
  bool clear_baseline = false, clear_target = false;
  int64_t version = 0;
};

int RunDefine(const DefineArgs& a) {
  auto stub = Stub();
  v1::DefineIndicatorRequest req;
  v1::IndicatorDefinition* d = req.mutable_definition();
  if (a.version > 0) {
    if (int code = ReadDefinition(*stub, a.code, d); code != kOk) return code;
    // What the service assigns.
    d->clear_owner_jurisdiction();
    d->clear_version();
    d->clear_updated_at();
  } else {
    std::string missing;
    if (a.name.empty()) missing += " --name";
    if (a.kind.empty()) missing += " --kind";
    if (a.methods.empty()) missing += " --method";
    if (a.frequency.empty()) missing += " --frequency";
    if (a.direction.empty()) missing += " --direction";
    if (!missing.empty()) {
      std::fprintf(stderr,
                   "新しい指標には次の指定が必要です (更新は --version) / required for a new "
                   "indicator:%s\n",
                   missing.c_str());
      return kUsage;
    }
  }
  v1::IndicatorSpec* s = d->mutable_spec();
  s->set_code(a.code);
  if (!a.name.empty()) s->set_name_ja(a.name);
  if (a.description.given) s->set_description(a.description.value);
  if (a.unit.given) s->set_unit(a.unit.value);
  if (!a.kind.empty())
    s->set_kind(FromWord(kIndicatorKinds, a.kind, v1::INDICATOR_KIND_UNSPECIFIED));
  if (!a.methods.empty()) {
    s->clear_methods();
    for (const auto& m : a.methods) {
      s->add_methods(FromWord(kMethods, m, v1::MEASUREMENT_METHOD_UNSPECIFIED));
    }
  }
  if (!a.frequency.empty()) {
    s->set_frequency(FromWord(kFrequencies, a.frequency, v1::MEASUREMENT_FREQUENCY_UNSPECIFIED));
  }
  if (!a.direction.empty()) {
    s->set_direction(FromWord(kDirections, a.direction, v1::DIRECTION_UNSPECIFIED));
  }
  if (a.baseline) s->set_baseline(*a.baseline);
  if (a.clear_baseline) {
    s->clear_baseline();
    s->clear_baseline_period();
  }
  if (a.baseline_period.given) s->set_baseline_period(a.baseline_period.value);
  if (a.target) s->set_target(*a.target);
  if (a.clear_target) s->clear_target();
  if (!a.origin.empty()) {
    d->set_origin(FromWord(kDefinableOrigins, a.origin, v1::INDICATOR_ORIGIN_UNSPECIFIED));
  }
  if (a.issue.given) d->set_issue_id(a.issue.value);
  if (a.expected_change.given) d->set_expected_change_id(a.expected_change.value);
  if (a.label.given) d->set_expected_change_label(a.label.value);
  req.set_expected_version(a.version);
  const bool update = a.version > 0;
  return CallAndPrint(*stub, &v1::IndicatorsService::Stub::DefineIndicator, req,
                      [update](const v1::IndicatorDefinition& out) {
                        std::printf("指標 %s を%sしました (版 %lld、%s)\n",
                                    out.spec().code().c_str(), update ? "更新" : "定義",
                                    static_cast<long long>(out.version()),
                                    LabelOf(kOrigins, out.origin()).c_str());
                      });
}

// ---- list ----
int RunList(const std::string& origin, const std::string& issue) {
  v1::ListIndicatorsRequest req;
  if (!origin.empty()) req.set_origin(FromWord(kOrigins, origin, v1::INDICATOR_ORIGIN_UNSPECIFIED));
  req.set_issue_id(issue);
  return CallAndPrint(
      *Stub(), &v1::IndicatorsService::Stub::ListIndicators, req,
      [](const v1::ListIndicatorsResponse& resp) {
        if (resp.definitions_size() == 0) {
          std::printf("該当する指標はありません / no indicators\n");
          return;
        }
        Table t({"コード", "名前", "種類", "頻度", "単位", "方向", "由来", "期待値", "版"});
        for (const auto& d : resp.definitions()) {
          const auto& s = d.spec();
          std::string link = d.expected_change_label();
          if (!d.issue_id().empty()) link += (link.empty() ? "" : " ") + d.issue_id();
          t.Add({s.code(), s.name_ja(), LabelOf(kIndicatorKinds, s.kind()),
                 LabelOf(kFrequencies, s.frequency()), s.unit(),
                 LabelOf(kDirections, s.direction()), LabelOf(kOrigins, d.origin()), link,
                 std::to_string(d.version())});
        }
        t.Print({40, 40, 10, 10, 8, 12, 16, 40, 6});
        std::printf("\n%d 件 / indicators\n", resp.definitions_size());
      });
}

// Registers `define`, `get` and `list`.
void AddDefinitionCommands(CLI::App* indicator, std::function<int()>* run) {
  const std::string period_help = kPeriodHelp;
  auto da = std::make_shared<DefineArgs>();
  auto* define = indicator->add_subcommand(
      "define", "指標を定義、または --version で更新 (指定した部分だけ) / define an indicator");
  define->add_option("code", da->code, "指標コード (英数字と _ . -、64文字まで)")->required();
  define->add_option("--version", da->version,
                     "読み込んだ版 (更新のとき) / the version you read, to update");
  define->add_option("--name", da->name, "名前 (例: 在宅看取り率)");
  AddMaybe(define, "--description", &da->description, "何を測るか");
  AddMaybe(define, "--unit", &da->unit, "単位 (例: 件, 点, %)");
  define->add_option("--kind", da->kind, "種類: " + Choices(kIndicatorKinds))
      ->check(WordCheck(kIndicatorKinds, "指標の種類"));
  define
      ->add_option(
          "--method", da->methods,
          "測定方法 (カンマ区切り・繰り返し指定可、指定すると全体を置き換え): " + Choices(kMethods))
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kMethods, "測定方法"));
  define->add_option("--frequency", da->frequency, "測定頻度: " + Choices(kFrequencies))
      ->check(WordCheck(kFrequencies, "測定頻度"));
  define->add_option("--direction", da->direction, "望ましい向き: " + Choices(kDirections))
      ->check(WordCheck(kDirections, "向き"));
  auto* baseline = AddNumber(define, "--baseline", &da->baseline, "ベースライン値");
  AddMaybe(define, "--baseline-period", &da->baseline_period,
           "ベースラインの測定時期" + period_help)
      ->check(PeriodCheck());
  auto* target = AddNumber(define, "--target", &da->target, "目標値");
  define->add_flag("--clear-baseline", da->clear_baseline, "ベースラインを消す")
      ->excludes(baseline);
  define->add_flag("--clear-target", da->clear_target, "目標を消す")->excludes(target);
  define->add_option("--origin", da->origin, "由来 (既定 local): " + Choices(kDefinableOrigins))
      ->check(WordCheck(kDefinableOrigins, "由来"));
  AddMaybe(define, "--issue", &da->issue, "測る期待値の課題ID (iss_...)");
  AddMaybe(define, "--expected-change", &da->expected_change, "期待値ID (exp_...)");
  AddMaybe(define, "--label", &da->label, "期待値のラベル (例: E1)");
  define->callback([=] { *run = [=] { return RunDefine(*da); }; });

  auto code = std::make_shared<std::string>();
  auto* get = indicator->add_subcommand("get", "指標の定義を表示 / show an indicator");
  get->add_option("code", *code, "指標コード")->required();
  get->callback([=] {
    *run = [=] {
      v1::GetIndicatorRequest req;
      req.set_code(*code);
      return CallAndPrint(*Stub(), &v1::IndicatorsService::Stub::GetIndicator, req,
                          PrintDefinition);
    };
  });

  auto list_origin = std::make_shared<std::string>();
  auto list_issue = std::make_shared<std::string>();
  auto* list = indicator->add_subcommand("list", "指標の一覧 (コード順) / list indicators");
  list->add_option("--origin", *list_origin, "由来: " + Choices(kOrigins))
      ->check(WordCheck(kOrigins, "由来"));
  list->add_option("--issue", *list_issue, "この課題の期待値の指標 (iss_...)");
  list->callback([=] { *run = [=] { return RunList(*list_origin, *list_issue); }; });
}

}  // namespace
}  // namespace renkei::cli::indicator_commands

namespace renkei::cli {

// Registers `indicator ...` on the app; the chosen command stores its runner in *run.
void AddIndicatorCommands(CLI::App& app, std::function<int()>* run) {
  auto* indicator = app.add_subcommand(
      "indicator",
      "指標 (indicators): 定義、値の記録と訂正、推移、比較、集計、課題の進捗、書き出しと取り込み");
  indicator->require_subcommand(1);
  const std::string period_help = " (2026-11 / 2026-Q3 / FY2026 / 2026-11-24)";
  // In the order the help lists them.
  indicator_commands::AddDefinitionCommands(indicator, run);
  indicator_commands::AddObservationCommands(indicator, run);
  indicator_commands::AddQueryCommands(indicator, run);
  indicator_commands::AddFileCommands(indicator, run);
  indicator_commands::AddDerivedCommands(indicator, run);
}

}  // namespace renkei::cli
