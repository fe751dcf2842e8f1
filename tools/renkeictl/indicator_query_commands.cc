// renkeictl indicator series|compare|rollup|progress: one jurisdiction over time (with a
// sparkline), the jurisdictions of a scope ranked for one period, a prefecture's or the nation's
// value rolled up, and the progress of an issue's expected changes. Withheld small cells show as
// 秘匿.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "indicator_parts.h"
#include "indicator_words.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "words.h"

namespace renkei::cli::indicator_commands {
namespace {

constexpr const char* kBlocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
constexpr char kWithheld[] = "秘匿";

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

}  // namespace

void AddQueryCommands(CLI::App* indicator, std::function<int()>* run) {
  const std::string period_help = kPeriodHelp;
  auto code = std::make_shared<std::string>();
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
}

}  // namespace renkei::cli::indicator_commands
