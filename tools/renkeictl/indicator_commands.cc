// renkeictl indicator define|get|list|record|history|series|compare|rollup|progress|export|
// import: indicators (指標) — definitions, observations with corrections and their history, time
// series, comparisons with ranks and quartiles, roll-ups from numerators and denominators, the
// progress of an issue's expected changes, export and import — over
// renkei.v1.IndicatorsService.
//
// Periods are "2026-11" (month), "2026-Q3" (quarter), "FY2026" (fiscal year from April) and
// "2026-11-24" (a day); their form is checked here, whether they fit an indicator's frequency is
// the service's to say. Values the service marks as small cells (suppressed) are shown as 秘匿, as
// the contract withholds them; -o json prints what the service sent.
//
// Each command makes one call, except `define --version` (it reads the definition, changes the
// parts given and writes it back at the version the user read).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "indicator_words.h"
#include "indicators/periods.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "renkei/v1/admin.pb.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "words.h"

namespace renkei::cli {
namespace {

std::unique_ptr<v1::IndicatorsService::Stub> Stub() {
  return v1::IndicatorsService::NewStub(Channel(Options().indicators_address));
}

// ---- words on the command line, and the labels people see ----

constexpr Word<v1::IndicatorOrigin> kOrigins[] = {
    {"national", v1::INDICATOR_ORIGIN_NATIONAL, "全国共通"},
    {"local", v1::INDICATOR_ORIGIN_LOCAL, "独自"},
    {"expected_change", v1::INDICATOR_ORIGIN_EXPECTED_CHANGE, "期待値"},
    {"derived", v1::INDICATOR_ORIGIN_DERIVED, "自動集計"},
};

// The origins a definition may be given (derived indicators are the service's own).
constexpr Word<v1::IndicatorOrigin> kDefinableOrigins[] = {
    {"local", v1::INDICATOR_ORIGIN_LOCAL, "独自 (このインスタンスで追加)"},
    {"national", v1::INDICATOR_ORIGIN_NATIONAL, "全国共通 (国のインスタンスのみ)"},
    {"expected_change", v1::INDICATOR_ORIGIN_EXPECTED_CHANGE, "期待値 (--issue が必要)"},
};

constexpr Word<v1::ObservationFormat> kFormats[] = {
    {"csv", v1::OBSERVATION_FORMAT_CSV, "CSV (UTF-8, BOM 付き)"},
    {"json", v1::OBSERVATION_FORMAT_DATA_VALUE_SET, "JSON (dataValues)"},
};

constexpr const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
constexpr char kWithheld[] = "秘匿";

std::string Trim(const std::string& s) { return std::string(common::TrimSpaces(s)); }

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

// "0.35 (7/20)", or the value alone.
std::string ValueText(double value, bool has_numerator, double numerator, bool has_denominator,
                      double denominator) {
  std::string out = FormatNumber(value);
  if (has_numerator && has_denominator) {
    out += " (" + FormatNumber(numerator) + "/" + FormatNumber(denominator) + ")";
  } else if (has_denominator) {
    out += " (回答 " + FormatNumber(denominator) + ")";
  }
  return out;
}

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

CLI::Validator PeriodCheck() {
  return ParseCheck(&ParsePeriodText,
                    "期間は 2026-11 (月)、2026-Q3 (四半期)、FY2026 (年度)、2026-11-24 (日) の形で"
                    "指定してください / not a period: ",
                    "PERIOD", "period");
}

// An option whose absence differs from an empty value (the optional parts of an edit).
struct MaybeText {
  bool given = false;
  std::string value;
};

CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeText* out,
                      const std::string& help) {
  return cmd->add_option_function<std::string>(
      name,
      [out](const std::string& v) {
        out->given = true;
        out->value = v;
      },
      help);
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

// ---- output ----

// "label  value" with the label padded to a display width of `width` after `indent` spaces; the
// further lines of a multi-line value are aligned under its first.
void Field(const std::string& label, const std::string& value, int indent = 0, int width = 14) {
  if (value.empty()) return;
  const int pad = std::max(1, width - common::DisplayWidth(label));
  const auto lines = Split(value, '\n');
  std::printf("%s%s%s %s\n", std::string(indent, ' ').c_str(), label.c_str(),
              std::string(pad, ' ').c_str(), lines[0].c_str());
  const std::string under(indent + common::DisplayWidth(label) + pad + 1, ' ');
  for (size_t k = 1; k < lines.size(); ++k) {
    std::printf("%s%s\n", under.c_str(), lines[k].c_str());
  }
}

// The scale of a sparkline: from the lowest to the highest of the values shown and the
// definition's baseline and target, so that the marks of both fall on it.
struct Scale {
  double lo = 0, hi = 0;
  bool empty = true;
  void Add(double v) {
    lo = empty ? v : std::min(lo, v);
    hi = empty ? v : std::max(hi, v);
    empty = false;
  }
  // The block of `v`: ▁ at the lowest, █ at the highest (▄ when all are equal).
  std::string Block(double v) const {
    if (!(hi > lo)) return kBlocks[3];
    const long level = std::lround((v - lo) / (hi - lo) * 7);
    return kBlocks[std::clamp(level, 0L, 7L)];
  }
};

// One block per point, "·" for a withheld value; then the range and the baseline's and target's
// marks: "▁▃▆█  最小 0.2 〜 最大 0.4  基準 0.2 ▁  目標 0.4 █".
std::string SparklineText(const google::protobuf::RepeatedPtrField<v1::SeriesPoint>& points,
                          const v1::IndicatorSpec& spec) {
  Scale scale;
  double lo = 0, hi = 0;
  bool any = false;
  for (const auto& p : points) {
    if (p.suppressed()) continue;
    scale.Add(p.value());
    lo = any ? std::min(lo, p.value()) : p.value();
    hi = any ? std::max(hi, p.value()) : p.value();
    any = true;
  }
  if (spec.has_baseline()) scale.Add(spec.baseline());
  if (spec.has_target()) scale.Add(spec.target());
  std::string line;
  for (const auto& p : points) line += p.suppressed() ? "·" : scale.Block(p.value());
  if (any) line += "  最小 " + FormatNumber(lo) + " 〜 最大 " + FormatNumber(hi);
  if (spec.has_baseline()) {
    line += "  基準 " + FormatNumber(spec.baseline()) +
            (spec.baseline_period().empty() ? "" : " (" + spec.baseline_period() + ")") + " " +
            scale.Block(spec.baseline());
  }
  if (spec.has_target()) {
    line += "  目標 " + FormatNumber(spec.target()) + " " + scale.Block(spec.target());
  }
  return line;
}

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
        t.Print({40, 40, 10, 10, 8, 12, 8, 40, 6});
        std::printf("\n%d 件 / indicators\n", resp.definitions_size());
      });
}

// ---- record and history ----
struct RecordArgs {
  std::string code, jurisdiction, period, source, note, by;
  std::optional<double> value, numerator, denominator;
  int64_t version = 0;
};

int RunRecord(const RecordArgs& a) {
  if (!a.value && !a.numerator) {
    std::fprintf(
        stderr,
        "--value か --numerator と --denominator (割合) を指定してください / give --value, "
        "or --numerator and --denominator for a ratio\n");
    return kUsage;
  }
  v1::RecordObservationRequest req;
  auto* o = req.mutable_observation();
  o->set_indicator_code(a.code);
  o->set_jurisdiction_code(a.jurisdiction);
  o->set_period(a.period);
  if (a.value) o->set_value(*a.value);
  if (a.numerator) o->set_numerator(*a.numerator);
  if (a.denominator) o->set_denominator(*a.denominator);
  o->set_source(a.source);
  o->set_note(a.note);
  o->set_recorded_by(a.by);
  req.set_expected_version(a.version);
  const int64_t read = a.version;
  return CallAndPrint(
      *Stub(), &v1::IndicatorsService::Stub::RecordObservation, req,
      [read](const v1::Observation& out) {
        const std::string what = out.indicator_code() + " " +
                                 JurisdictionText(out.jurisdiction_code()) + " " + out.period();
        const std::string value = ValueText(out.value(), out.has_numerator(), out.numerator(),
                                            out.has_denominator(), out.denominator());
        if (read > 0 && out.version() == read) {
          std::printf("%s は同じ値です。変更はありません: %s (版 %lld)\n", what.c_str(),
                      value.c_str(), static_cast<long long>(out.version()));
          return;
        }
        std::printf("%s を%sしました: %s (版 %lld)\n", what.c_str(), read > 0 ? "訂正" : "記録",
                    value.c_str(), static_cast<long long>(out.version()));
      });
}

int RunHistory(const std::string& code, const std::string& jurisdiction,
               const std::string& period) {
  v1::GetObservationHistoryRequest req;
  req.set_indicator_code(code);
  req.set_jurisdiction_code(jurisdiction);
  req.set_period(period);
  return CallAndPrint(
      *Stub(), &v1::IndicatorsService::Stub::GetObservationHistory, req,
      [&](const v1::ObservationHistory& h) {
        const std::string what = code + " " + JurisdictionText(jurisdiction) + " " + period;
        if (h.versions_size() == 0) {
          std::printf("%s の記録はありません / nothing recorded\n", what.c_str());
          return;
        }
        std::printf("%s の履歴 (%d 版、最後が現在の値)\n\n", what.c_str(), h.versions_size());
        Table t({"版", "値", "分子", "分母", "出典", "メモ", "記録者", "記録日時", "状態"});
        for (int k = 0; k < h.versions_size(); ++k) {
          const auto& o = h.versions(k);
          t.Add({std::to_string(o.version()), FormatNumber(o.value()),
                 o.has_numerator() ? FormatNumber(o.numerator()) : "",
                 o.has_denominator() ? FormatNumber(o.denominator()) : "", o.source(), o.note(),
                 o.recorded_by(), FormatTokyo(o.recorded_at()),
                 k + 1 == h.versions_size() ? "現在" : "訂正前"});
        }
        t.Print({6, 14, 12, 12, 40, 50, 20, 16, 6});
      });
}

// ---- series, comparisons, roll-ups ----
struct SeriesArgs {
  std::string code, jurisdiction, from, to;
};

int RunSeries(const SeriesArgs& a) {
  v1::GetSeriesRequest req;
  req.set_indicator_code(a.code);
  req.set_jurisdiction_code(a.jurisdiction);
  req.set_from_period(a.from);
  req.set_to_period(a.to);
  return CallAndPrint(
      *Stub(), &v1::IndicatorsService::Stub::GetSeries, req, [](const v1::Series& s) {
        std::printf("%s — %s%s\n", IndicatorText(s.definition()).c_str(),
                    JurisdictionText(s.jurisdiction_code()).c_str(),
                    s.rolled_up() ? " (下の団体の値から集計)" : "");
        if (s.points_size() == 0) {
          std::printf("\n値がありません / no values\n");
          return;
        }
        std::printf("\n");
        const bool ratios = std::any_of(
            s.points().begin(), s.points().end(),
            [](const v1::SeriesPoint& p) { return p.has_numerator() || p.has_denominator(); });
        std::vector<std::string> header = {"期間", "値"};
        if (ratios) header.insert(header.end(), {"分子", "分母"});
        if (s.rolled_up()) header.push_back("報告");
        Table t(header);
        for (const auto& p : s.points()) {
          std::vector<std::string> row = {p.period(),
                                          p.suppressed() ? kWithheld : FormatNumber(p.value())};
          if (ratios) {
            row.push_back(p.has_numerator() && !p.suppressed() ? FormatNumber(p.numerator()) : "");
            row.push_back(p.has_denominator() && !p.suppressed() ? FormatNumber(p.denominator())
                                                                 : "");
          }
          if (s.rolled_up()) {
            row.push_back(std::to_string(p.reporting()) + "/" + std::to_string(p.expected()));
          }
          t.Add(std::move(row));
        }
        t.Print();
        std::printf("\n推移 %s\n", SparklineText(s.points(), s.definition().spec()).c_str());
      });
}

// "東京都の市区町村" for a prefecture, "都道府県" for the nation.
std::string ScopeText(const std::string& scope) {
  if (scope == "000000") return "全国の都道府県";
  return JurisdictionName(scope) + "の市区町村";
}

int RunCompare(const std::string& code, const std::string& period, const std::string& scope) {
  v1::CompareRequest req;
  req.set_indicator_code(code);
  req.set_period(period);
  req.set_scope(scope);
  return CallAndPrint(
      *Stub(), &v1::IndicatorsService::Stub::Compare, req, [scope](const v1::Comparison& c) {
        std::printf("%s %s — %s (報告 %d/%d)\n", IndicatorText(c.definition()).c_str(),
                    c.period().c_str(), ScopeText(scope).c_str(), c.reporting(), c.expected());
        if (c.rows_size() == 0) {
          std::printf("\n値がありません / no values\n");
          return;
        }
        std::printf("\n");
        Table t({"順位", "団体コード", "名前", "値", "分子", "分母"});
        for (const auto& r : c.rows()) {
          t.Add({std::to_string(r.rank()), r.jurisdiction_code(), r.name(),
                 r.suppressed() ? kWithheld : FormatNumber(r.value()),
                 r.has_numerator() && !r.suppressed() ? FormatNumber(r.numerator()) : "",
                 r.has_denominator() && !r.suppressed() ? FormatNumber(r.denominator()) : ""});
        }
        t.Print({6, 10, 30, 14, 12, 12});
        std::printf("\n中央値 %s  第1四分位 %s  第3四分位 %s  (%s)\n",
                    FormatNumber(c.median()).c_str(), FormatNumber(c.q1()).c_str(),
                    FormatNumber(c.q3()).c_str(),
                    LabelOf(kDirections, c.definition().spec().direction()).c_str());
      });
}

int RunRollUp(const std::string& code, const std::string& period, const std::string& jurisdiction) {
  v1::RollUpRequest req;
  req.set_indicator_code(code);
  req.set_period(period);
  req.set_jurisdiction_code(jurisdiction);
  return CallAndPrint(
      *Stub(), &v1::IndicatorsService::Stub::RollUp, req, [code](const v1::RollUpValue& r) {
        Field("指標", code);
        Field("団体", JurisdictionText(r.jurisdiction_code()));
        Field("期間", r.period());
        if (r.reporting() == 0) {
          Field("値", "報告なし");
        } else if (r.suppressed()) {
          Field("値", std::string(kWithheld) + " (少数のため)");
        } else {
          Field("値", FormatNumber(r.value()));
          if (r.has_numerator() && r.has_denominator()) {
            Field("分子/分母", FormatNumber(r.numerator()) + " / " + FormatNumber(r.denominator()));
          } else if (r.has_denominator()) {
            Field("回答数", FormatNumber(r.denominator()));
          }
        }
        Field("報告", std::to_string(r.reporting()) + "/" + std::to_string(r.expected()));
      });
}

// ---- progress ----
int RunProgress(const std::string& issue, const std::string& jurisdiction) {
  v1::GetIssueProgressRequest req;
  req.set_issue_id(issue);
  req.set_jurisdiction_code(jurisdiction);
  return CallAndPrint(
      *Stub(), &v1::IndicatorsService::Stub::GetIssueProgress, req,
      [jurisdiction](const v1::IssueProgress& p) {
        std::printf(
            "課題 %s の指標%s\n", p.issue_id().c_str(),
            jurisdiction.empty() ? "" : (" (" + JurisdictionText(jurisdiction) + ")").c_str());
        if (p.indicators_size() == 0) {
          std::printf("\n指標がありません / no indicators\n");
          return;
        }
        std::printf("\n");
        Table t({"期待値", "指標", "ベースライン", "目標", "最新", "進捗", "推移"});
        for (const auto& ip : p.indicators()) {
          const auto& d = ip.definition();
          std::string progress;
          if (ip.has_progress()) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%.0f%%", ip.progress() * 100);
            progress = buf;
          }
          if (ip.target_reached()) progress += (progress.empty() ? "" : " ") + std::string("達成");
          std::string spark;
          Scale scale;
          for (const auto& pt : ip.points()) {
            if (!pt.suppressed()) scale.Add(pt.value());
          }
          if (ip.has_baseline()) scale.Add(ip.baseline());
          if (ip.has_target()) scale.Add(ip.target());
          for (const auto& pt : ip.points())
            spark += pt.suppressed() ? "·" : scale.Block(pt.value());
          t.Add({d.expected_change_label(), IndicatorText(d),
                 ip.has_baseline() ? FormatNumber(ip.baseline()) : "未測定",
                 ip.has_target() ? FormatNumber(ip.target()) : "未設定",
                 ip.has_latest() ? FormatNumber(ip.latest()) + " (" + ip.latest_period() + ")"
                                 : "未測定",
                 progress, spark});
        }
        t.Print({8, 80, 16, 10, 24, 12, 40});
      });
}

// ---- export and import ----
struct ExportArgs {
  std::string format, from, to, file;
  std::vector<std::string> codes;
  bool unsuppressed = false;
};

int RunExport(const ExportArgs& a) {
  v1::ExportObservationsRequest req;
  req.set_format(a.format.empty()
                     ? v1::OBSERVATION_FORMAT_CSV
                     : FromWord(kFormats, a.format, v1::OBSERVATION_FORMAT_UNSPECIFIED));
  for (const auto& c : a.codes) req.add_indicator_codes(c);
  req.set_from_period(a.from);
  req.set_to_period(a.to);
  req.set_unsuppressed(a.unsuppressed);
  v1::ExportedFile f;
  auto ctx = NewContext();
  grpc::Status s = Stub()->ExportObservations(ctx.get(), req, &f);
  if (!s.ok()) return ReportError(s);
  if (a.file == "-") {
    if (JsonOutput()) {
      PrintJson(f);
    } else {
      std::fwrite(f.content().data(), 1, f.content().size(), stdout);
    }
    return kOk;
  }
  const std::string path = a.file.empty() ? f.file_name() : a.file;
  if (!WriteWholeFile(path, f.content())) return kFailure;
  std::printf("%s を %s に書き出しました (%d 行、秘匿 %d 行、%zu バイト)\n",
              LabelOf(kFormats, req.format()).c_str(), path.c_str(), f.rows(), f.suppressed(),
              f.content().size());
  return kOk;
}

struct ImportArgs {
  std::string file, format, by;
  bool allow_partial = false;
};

int RunImport(const ImportArgs& a) {
  v1::ImportObservationsRequest req;
  if (!ReadWholeFile(a.file, req.mutable_content())) return kUsage;
  std::string format = a.format;
  if (format.empty()) {
    // By the file's name: a data value set is JSON, anything else is taken for CSV.
    const bool json = a.file.size() >= 5 && a.file.compare(a.file.size() - 5, 5, ".json") == 0;
    format = json ? "json" : "csv";
  }
  req.set_format(FromWord(kFormats, format, v1::OBSERVATION_FORMAT_UNSPECIFIED));
  req.set_allow_partial(a.allow_partial);
  req.set_recorded_by(a.by);
  v1::ImportObservationsResponse resp;
  grpc::Status s =
      CallWithRetry(req, [&](const google::protobuf::Message& sent, grpc::ClientContext* ctx) {
        return Stub()->ImportObservations(
            ctx, static_cast<const v1::ImportObservationsRequest&>(sent), &resp);
      });
  if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT && !JsonOutput()) {
    // Bad rows, nothing imported: each as "row <n> (<field>)" in the answer's field violations.
    std::vector<std::string> lines;
    for (const auto& [field, description] : common::FieldViolationsOf(common::FromGrpcStatus(s))) {
      int row = 0;
      char column[128] = "";
      if (std::sscanf(field.c_str(), "row %d (%127[^)])", &row, column) < 1) continue;
      lines.push_back("  データ " + std::to_string(row) + " 行目" +
                      (column[0] ? " [" + std::string(column) + "]" : "") + ": " + description);
    }
    if (!lines.empty()) {
      std::printf(
          "%s (%s): エラー %zu 行、取り込みませんでした (--allow-partial "
          "で正しい行のみ取り込めます)\n",
          a.file.c_str(), LabelOf(kFormats, req.format()).c_str(), lines.size());
      for (const auto& line : lines) std::printf("%s\n", line.c_str());
      return kInvalidInput;
    }
  }
  if (!s.ok()) return ReportError(s);
  const bool written = resp.recorded() + resp.unchanged() > 0;
  if (JsonOutput()) {
    PrintJson(resp);
  } else {
    std::printf("%s (%s): %d 行、記録 %d、変更なし %d、エラー %d\n", a.file.c_str(),
                LabelOf(kFormats, req.format()).c_str(), resp.rows(), resp.recorded(),
                resp.unchanged(), resp.errors_size());
    if (resp.withheld() > 0) {
      std::printf("  秘匿されたセル %d 行は取り込みませんでした (公表用の出力の秘匿行)\n",
                  resp.withheld());
    }
    for (const auto& e : resp.errors()) {
      std::printf("  データ %d 行目%s: %s\n", e.row(),
                  e.field().empty() ? "" : (" [" + e.field() + "]").c_str(),
                  e.description().c_str());
    }
    if (resp.errors_size() > 0 && !a.allow_partial) {
      std::printf("  取り込みませんでした (--allow-partial で正しい行のみ取り込めます)\n");
    }
  }
  if (resp.errors_size() == 0) return kOk;
  return a.allow_partial && written ? kPartial : kInvalidInput;
}

}  // namespace

// Registers `indicator ...` on the app; the chosen command stores its runner in *run.
void AddIndicatorCommands(CLI::App& app, std::function<int()>* run) {
  auto* indicator = app.add_subcommand(
      "indicator",
      "指標 (indicators): 定義、値の記録と訂正、推移、比較、集計、課題の進捗、書き出しと取り込み");
  indicator->require_subcommand(1);
  const std::string period_help = " (2026-11 / 2026-Q3 / FY2026 / 2026-11-24)";

  // ---- definitions ----
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

  // ---- observations ----
  auto ra = std::make_shared<RecordArgs>();
  auto* record = indicator->add_subcommand(
      "record", "値を記録、または --version で訂正 (履歴は残る) / record or correct a value");
  record->add_option("code", ra->code, "指標コード")->required();
  record
      ->add_option("--jurisdiction", ra->jurisdiction,
                   "団体コード (市区町村・都道府県の6桁、全国は 000000)")
      ->required();
  record->add_option("--period", ra->period, "期間" + period_help)
      ->required()
      ->check(PeriodCheck());
  auto* value =
      AddNumber(record, "--value", &ra->value, "値 (割合は --numerator と --denominator から計算)");
  AddNumber(record, "--numerator", &ra->numerator, "分子 (割合)")->excludes(value);
  AddNumber(record, "--denominator", &ra->denominator, "分母 (割合)、平均・得点では回答数");
  record->add_option("--source", ra->source, "出典 (例: アンケート調査 2026年11月)");
  record->add_option("--note", ra->note, "メモ");
  record->add_option("--by", ra->by, "記録した人 (職員番号など)");
  record->add_option("--version", ra->version,
                     "訂正するとき、読み込んだ版 / the version you read, to correct it");
  record->callback([=] { *run = [=] { return RunRecord(*ra); }; });

  auto cell = std::make_shared<RecordArgs>();
  auto* history =
      indicator->add_subcommand("history", "値の履歴 (訂正前の値も) / the versions of a value");
  history->add_option("code", cell->code, "指標コード")->required();
  history->add_option("--jurisdiction", cell->jurisdiction, "団体コード (6桁)")->required();
  history->add_option("--period", cell->period, "期間" + period_help)
      ->required()
      ->check(PeriodCheck());
  history->callback(
      [=] { *run = [=] { return RunHistory(cell->code, cell->jurisdiction, cell->period); }; });

  // ---- queries ----
  auto sa = std::make_shared<SeriesArgs>();
  auto* series = indicator->add_subcommand(
      "series",
      "推移 (表とスパークライン。都道府県・全国は下の団体から集計) / one jurisdiction over time");
  series->add_option("code", sa->code, "指標コード")->required();
  series->add_option("--jurisdiction", sa->jurisdiction, "団体コード (6桁、全国は 000000)")
      ->required();
  series->add_option("--from", sa->from, "この期間から" + period_help)->check(PeriodCheck());
  series->add_option("--to", sa->to, "この期間まで" + period_help)->check(PeriodCheck());
  series->callback([=] { *run = [=] { return RunSeries(*sa); }; });

  auto query_period = std::make_shared<std::string>();
  auto scope = std::make_shared<std::string>();
  auto* compare = indicator->add_subcommand(
      "compare", "比較 (順位・中央値・四分位、少数は秘匿) / rank jurisdictions for one period");
  compare->add_option("code", *code, "指標コード")->required();
  compare->add_option("--period", *query_period, "期間" + period_help)
      ->required()
      ->check(PeriodCheck());
  compare
      ->add_option("--scope", *scope,
                   "都道府県 (13 か 130001: その市区町村) か 000000 (全国: 都道府県)")
      ->required();
  compare->callback([=] { *run = [=] { return RunCompare(*code, *query_period, *scope); }; });

  auto rollup_jurisdiction = std::make_shared<std::string>();
  auto* rollup = indicator->add_subcommand(
      "rollup",
      "集計 (分子・分母の合計から、報告した団体の数も) / a prefecture's or the nation's value");
  rollup->add_option("code", *code, "指標コード")->required();
  rollup->add_option("--period", *query_period, "期間" + period_help)
      ->required()
      ->check(PeriodCheck());
  rollup->add_option("--jurisdiction", *rollup_jurisdiction, "都道府県 (130001 など) か 000000")
      ->required();
  rollup->callback(
      [=] { *run = [=] { return RunRollUp(*code, *query_period, *rollup_jurisdiction); }; });

  auto issue = std::make_shared<std::string>();
  auto progress_jurisdiction = std::make_shared<std::string>();
  auto* progress = indicator->add_subcommand(
      "progress", "課題の期待値の指標: ベースライン・目標・最新・進捗 / an issue's progress");
  progress->add_option("issue", *issue, "課題ID (iss_...)")->required();
  progress->add_option("--jurisdiction", *progress_jurisdiction,
                       "団体コード (省略時はインスタンスの団体)");
  progress->callback([=] { *run = [=] { return RunProgress(*issue, *progress_jurisdiction); }; });

  // ---- export and import ----
  auto ea = std::make_shared<ExportArgs>();
  auto* export_cmd = indicator->add_subcommand(
      "export", "値を書き出す (既定 CSV、少数は秘匿) / export observations");
  export_cmd->add_option("--format", ea->format, "形式 (既定 csv): " + Choices(kFormats))
      ->check(WordCheck(kFormats, "形式"));
  export_cmd->add_option("--code", ea->codes, "指標コード (繰り返し指定可、省略時はすべて)")
      ->allow_extra_args(false);
  export_cmd->add_option("--from", ea->from, "この期間から" + period_help)->check(PeriodCheck());
  export_cmd->add_option("--to", ea->to, "この期間まで" + period_help)->check(PeriodCheck());
  export_cmd->add_flag("--unsuppressed", ea->unsuppressed,
                       "少数も秘匿しない (所管する団体の内部利用のみ)");
  export_cmd->add_option("-f,--file", ea->file,
                         "書き出すファイル (省略時はサービスが付ける名前でカレントディレクトリに、"
                         "'-' で標準出力)");
  export_cmd->callback([=] { *run = [=] { return RunExport(*ea); }; });

  auto ia = std::make_shared<ImportArgs>();
  auto* import_cmd = indicator->add_subcommand(
      "import",
      "値を取り込む (同じ値は変更なし、違う値は訂正。エラーの行は行番号と項目を表示) / import");
  import_cmd->add_option("file", ia->file, "CSV か JSON (dataValues) のファイル")
      ->required()
      ->check(CLI::ExistingFile);
  import_cmd
      ->add_option("--format", ia->format,
                   "形式 (省略時は .json なら json、それ以外は csv): " + Choices(kFormats))
      ->check(WordCheck(kFormats, "形式"));
  import_cmd->add_flag("--allow-partial", ia->allow_partial,
                       "正しい行だけ取り込む (省略時はエラーがあれば何も取り込まない)");
  import_cmd->add_option("--by", ia->by, "取り込んだ人 (職員番号など)");
  import_cmd->callback([=] { *run = [=] { return RunImport(*ia); }; });

  // ---- the derived indicators and the event history ----
  auto accept_gap = std::make_shared<bool>(false);
  auto* recompute = indicator->add_subcommand(
      "recompute",
      "自動集計の指標をストリームの履歴から数え直す (履歴に欠けがあれば断る) / recompute the "
      "derived indicators from the stream");
  recompute->add_flag("--accept-history-gap", *accept_gap,
                      "履歴の欠けを承知で数え直す (件数は減る。あとで reconcile --repair) / "
                      "recompute although events are missing from the stream");
  recompute->callback([=] {
    *run = [=] {
      v1::RecomputeDerivedRequest req;
      req.set_accept_history_gap(*accept_gap);
      return CallAndPrint(
          *Stub(), &v1::IndicatorsService::Stub::RecomputeDerived, req,
          [](const v1::RecomputeDerivedResponse& r) {
            std::printf("数え直しを始めました (第 %u 世代) / recomputing\n", r.generation());
            for (const auto& h : r.histories()) {
              std::printf(
                  "  %s: %s\n", h.service().c_str(),
                  h.complete() ? "履歴に欠けなし (complete)" : "履歴に欠けあり (gap accepted)");
            }
          });
    };
  });

  auto repair = std::make_shared<bool>(false);
  auto* reconcile = indicator->add_subcommand(
      "reconcile",
      "自動集計の指標を各サービスの記録の件数と照合し、--repair で直す / compare the derived "
      "indicators with what each service counts, and repair them");
  reconcile->add_flag("--repair", *repair, "違う値をサービスの件数に直す / set them to the counts");
  reconcile->callback([=] {
    *run = [=] {
      v1::ReconcileDerivedRequest req;
      req.set_repair(*repair);
      v1::ReconcileDerivedResponse resp;
      grpc::Status s =
          CallWithRetry(req, [&](const google::protobuf::Message& sent, grpc::ClientContext* ctx) {
            return Stub()->ReconcileDerived(
                ctx, static_cast<const v1::ReconcileDerivedRequest&>(sent), &resp);
          });
      if (!s.ok()) return ReportError(s);
      if (JsonOutput()) {
        PrintJson(resp);
      } else {
        std::printf("照合した値 %d、違い %d%s\n", resp.compared(), resp.differences_size(),
                    resp.repaired() ? " (直しました / repaired)" : "");
        Table table({"指標", "団体", "期間", "サービス", "指標の値", "サービスの件数"});
        auto shown = [](const v1::EventCount& c) {
          return c.denominator() != 0 || c.numerator() != 0
                     ? FormatNumber(c.numerator()) + " / " + FormatNumber(c.denominator())
                     : FormatNumber(c.value());
        };
        for (const auto& d : resp.differences()) {
          table.Add({d.code(), JurisdictionName(d.jurisdiction()), d.period(), d.service(),
                     shown(d.held()), shown(d.counted())});
        }
        if (!table.empty()) table.Print();
        if (resp.skipped_periods_size() > 0) {
          std::printf("  件数を記録する前の期間は照合していません / not compared: %s\n",
                      Join(resp.skipped_periods()).c_str());
        }
      }
      if (resp.differences_size() == 0 || resp.repaired()) return static_cast<int>(kOk);
      return static_cast<int>(kConflict);
    };
  });
}

}  // namespace renkei::cli
