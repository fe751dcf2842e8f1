// renkeictl: the command line over Renkei's gRPC API. See cli.h for exit codes.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/common/requests.h"

namespace renkei::cli {
void AddResourceCommands(CLI::App& app, std::function<int()>* run);
void AddConsultationCommands(CLI::App& app, std::function<int()>* run);
void AddIssueCommands(CLI::App& app, std::function<int()>* run);
void AddTrainingCommands(CLI::App& app, std::function<int()>* run);
void AddIndicatorCommands(CLI::App& app, std::function<int()>* run);
void AddNetworkCommands(CLI::App& app, std::function<int()>* run);
void AddSharingCommands(CLI::App& app, std::function<int()>* run);
void AddFederationCommands(CLI::App& app, std::function<int()>* run);
void AddTokenCommands(CLI::App& app, std::function<int()>* run);
void AddAccountCommands(CLI::App& app, std::function<int()>* run);
void AddAuditCommands(CLI::App& app, std::function<int()>* run);
void AddBackupCommands(CLI::App& app, std::function<int()>* run);
void AddDataCommands(CLI::App& app, std::function<int()>* run);
void AddInstanceCommands(CLI::App& app, std::function<int()>* run);
}  // namespace renkei::cli

namespace {

int Main(int argc, char** argv) {
  using namespace renkei::cli;
  CLI::App app{"renkeictl — 在宅医療・介護連携 (Renkei) の操作ツール"};
  app.require_subcommand(1);
  auto& o = Options();
  if (const char* env = std::getenv("RENKEI_DIRECTORY")) o.directory_address = env;
  if (const char* env = std::getenv("RENKEI_INTAKE")) o.intake_address = env;
  if (const char* env = std::getenv("RENKEI_ISSUES")) o.issues_address = env;
  if (const char* env = std::getenv("RENKEI_TRAINING")) o.training_address = env;
  if (const char* env = std::getenv("RENKEI_INDICATORS")) o.indicators_address = env;
  if (const char* env = std::getenv("RENKEI_NETWORK")) o.network_address = env;
  if (const char* env = std::getenv("RENKEI_TOKEN")) o.token = env;
  if (const char* env = std::getenv("RENKEI_TOKEN_FILE")) o.token_file = env;
  if (const char* env = std::getenv("RENKEI_TLS_CERT")) o.tls_cert = env;
  if (const char* env = std::getenv("RENKEI_TLS_KEY")) o.tls_key = env;
  if (const char* env = std::getenv("RENKEI_TLS_CA")) o.tls_ca = env;
  app.add_option("--directory", o.directory_address, "directory のアドレス (env RENKEI_DIRECTORY)")
      ->capture_default_str();
  app.add_option("--intake", o.intake_address, "intake のアドレス (env RENKEI_INTAKE)")
      ->capture_default_str();
  app.add_option("--issues", o.issues_address, "issues のアドレス (env RENKEI_ISSUES)")
      ->capture_default_str();
  app.add_option("--training", o.training_address, "training のアドレス (env RENKEI_TRAINING)")
      ->capture_default_str();
  app.add_option("--indicators", o.indicators_address,
                 "indicators のアドレス (env RENKEI_INDICATORS)")
      ->capture_default_str();
  app.add_option("--network", o.network_address, "network のアドレス (env RENKEI_NETWORK)")
      ->capture_default_str();
  app.add_option("--token-file", o.token_file,
                 "認証トークンのファイル (env RENKEI_TOKEN_FILE; または env RENKEI_TOKEN)");
  app.add_option("-o,--output", o.output, "table|json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--timeout", o.timeout_seconds, "1回の呼び出しの制限時間 (秒)")
      ->capture_default_str();
  app.add_option("--request-id", o.request_id,
                 "操作の ID (同じ ID で再実行しても二重に登録されません; 省略時は実行ごとに新しい "
                 "ID) / the command's request id: 8..56 characters of A-Z a-z 0-9 . _ : -")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            // The n-th command of an invocation sends "<id>:<n>": room for the suffix in 64.
            if (s.size() > 56 || !renkei::common::IsWellFormedRequestId(s)) {
              return "8〜56文字の英数字と . _ : - で指定してください / 8..56 characters of "
                     "A-Z a-z 0-9 . _ : -";
            }
            return "";
          },
          "ID", "request id"));
  app.add_option("--attempts", o.attempts,
                 "サービスに接続できないときの試行回数 / attempts when the service is unavailable")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();
  std::function<int()> run;
  AddResourceCommands(app, &run);
  AddConsultationCommands(app, &run);
  AddIssueCommands(app, &run);
  AddTrainingCommands(app, &run);
  AddIndicatorCommands(app, &run);
  AddNetworkCommands(app, &run);
  AddSharingCommands(app, &run);
  AddFederationCommands(app, &run);
  AddTokenCommands(app, &run);
  AddAccountCommands(app, &run);
  AddAuditCommands(app, &run);
  AddBackupCommands(app, &run);
  AddDataCommands(app, &run);
  AddInstanceCommands(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }
  return run ? run() : kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    // A failure no command expects (out of memory, a file system error): said, not aborted.
    std::fprintf(stderr, "renkeictl: 予期しないエラー / unexpected error: %s\n", e.what());
    return renkei::cli::kFailure;
  }
}
