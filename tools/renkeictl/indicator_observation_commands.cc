// renkeictl indicator record|history: an observation recorded, or corrected at the version read
// (an unchanged value is no new version), and the versions of one value.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "indicator_parts.h"
#include "renkei/v1/indicators.grpc.pb.h"

namespace renkei::cli::indicator_commands {
namespace {

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

}  // namespace

void AddObservationCommands(CLI::App* indicator, std::function<int()>* run) {
  const std::string period_help = kPeriodHelp;
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
}

}  // namespace renkei::cli::indicator_commands
