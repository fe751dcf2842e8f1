// renkeictl indicator export|import: observations written out (CSV or a JSON data value set,
// small cells withheld unless --unsuppressed) and read in (an unchanged value is left, a
// different one corrected; bad rows reported by row and field, nothing imported unless
// --allow-partial).
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "indicator_parts.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/validation.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "words.h"

namespace renkei::cli::indicator_commands {
namespace {

constexpr Word<v1::ObservationFormat> kFormats[] = {
    {"csv", v1::OBSERVATION_FORMAT_CSV},
    {"json", v1::OBSERVATION_FORMAT_DATA_VALUE_SET},
};

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

void AddFileCommands(CLI::App* indicator, std::function<int()>* run) {
  const std::string period_help = kPeriodHelp;
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
}

}  // namespace renkei::cli::indicator_commands
