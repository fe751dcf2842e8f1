// renkeictl audit verify|query: checks the hash chain of the services' audit logs and answers
// "who saw or changed this record" (renkei/common/audit.h). Reads the services' RocksDB
// directories read-only, so it works while the services run and on copies or backups.
#include <cstdio>
#include <ctime>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "google/protobuf/util/json_util.h"
#include "renkei/common/audit.h"
#include "renkei/common/config.h"
#include "renkei/common/labels.h"
#include "renkei/common/store.h"
#include "renkei/common/validation.h"

namespace renkei::cli {
namespace {

constexpr const char* kServices[] = {"directory", "intake",     "issues",
                                     "training",  "indicators", "network"};

struct AuditArgs {
  std::string config_path;
  std::string data_dir;
  std::string service;  // with --config: only this service
  std::string record;
  std::string subject;
};

struct Target {
  std::string service;
  std::string data_dir;
};

// The data directories to read: --data-dir, or every service section of --config.
absl::StatusOr<std::vector<Target>> Targets(const AuditArgs& a) {
  if (!a.data_dir.empty()) return std::vector<Target>{{a.service, a.data_dir}};
  if (a.config_path.empty()) {
    return absl::InvalidArgumentError(
        "--config か --data-dir を指定してください / give --config or --data-dir");
  }
  auto config = common::LoadInstanceConfig(a.config_path);
  if (!config.ok()) return config.status();
  std::vector<Target> out;
  for (const char* s : kServices) {
    if (!a.service.empty() && a.service != s) continue;
    const auto* section = v1::InstanceConfig::descriptor()->FindFieldByName(s);
    if (!config->GetReflection()->HasField(*config, section)) continue;
    v1::ServerConfig server = s == std::string("directory")  ? config->directory().server()
                              : s == std::string("intake")   ? config->intake().server()
                              : s == std::string("issues")   ? config->issues().server()
                              : s == std::string("training") ? config->training().server()
                              : s == std::string("network")  ? config->network().server()
                                                             : config->indicators().server();
    common::FieldViolations v;
    common::PrepareServerConfig(*config, s, std::string(s) + ".server", &server, &v);
    out.push_back({s, server.data_dir()});
  }
  if (out.empty()) return absl::NotFoundError("no service in " + a.config_path);
  return out;
}

absl::StatusOr<std::unique_ptr<common::Store>> OpenReadOnly(const std::string& dir) {
  common::StoreOptions o;
  o.path = dir;
  o.read_only = true;
  o.block_cache_bytes = 8u << 20;
  return common::Store::Open(o);
}

// "閲覧 read": both labels, as operators read the log in either language.
std::string ActionWord(v1::AuditAction a) {
  const std::string_view ja = common::Label(a, "");
  return ja.empty() ? "?" : std::string(ja) + " " + std::string(common::LabelEn(a));
}

std::string Time(int64_t micros) {
  std::time_t t = micros / 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int RunVerify(const AuditArgs& a) {
  auto targets = Targets(a);
  if (!targets.ok()) {
    std::fprintf(stderr, "%s\n", std::string(targets.status().message()).c_str());
    return kUsage;
  }
  bool all_ok = true;
  Table table({"サービス", "記録数", "結果"});
  for (const auto& t : *targets) {
    auto store = OpenReadOnly(t.data_dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s: %s\n", t.data_dir.c_str(),
                   std::string(store.status().message()).c_str());
      return kNotFound;
    }
    if (!common::AuditLog::Present(**store)) {
      table.Add({t.service.empty() ? t.data_dir : t.service, "0", "監査ログなし / no audit log"});
      all_ok = false;
      continue;
    }
    common::AuditLog log(store->get());
    common::AuditVerification v = log.Verify();
    all_ok = all_ok && v.ok;
    table.Add({t.service.empty() ? t.data_dir : t.service, std::to_string(v.entries),
               v.ok ? "改ざんなし / intact" : v.problem});
  }
  table.Print();
  return all_ok ? kOk : kFailure;
}

int RunQuery(const AuditArgs& a) {
  if (a.record.empty() && a.subject.empty()) {
    std::fprintf(stderr, "--record か --subject を指定してください / give --record or --subject\n");
    return kUsage;
  }
  auto targets = Targets(a);
  if (!targets.ok()) {
    std::fprintf(stderr, "%s\n", std::string(targets.status().message()).c_str());
    return kUsage;
  }
  Table table({"サービス", "番号", "時刻 (UTC)", "操作", "主体", "役割", "管轄", "RPC", "記録"});
  int found = 0;
  for (const auto& t : *targets) {
    auto store = OpenReadOnly(t.data_dir);
    if (!store.ok() || !common::AuditLog::Present(**store)) continue;  // never started
    common::AuditLog log(store->get());
    auto entries = a.record.empty() ? log.QueryAll() : log.Query(a.record);
    if (!entries.ok()) {
      std::fprintf(stderr, "%s\n", std::string(entries.status().message()).c_str());
      return kFailure;
    }
    for (const auto& e : *entries) {
      if (!a.subject.empty() && e.subject() != a.subject) continue;
      ++found;
      if (JsonOutput()) {
        PrintJson(e);
        continue;
      }
      std::string rpc = e.rpc();
      if (size_t slash = rpc.rfind('/'); slash != std::string::npos) rpc = rpc.substr(slash + 1);
      table.Add({t.service, std::to_string(e.seq()), Time(e.at_micros()), ActionWord(e.action()),
                 e.subject(), std::string(common::Label(e.role())), e.jurisdiction(), rpc,
                 e.record_id()});
    }
  }
  if (!JsonOutput()) {
    if (table.empty()) {
      std::printf("該当する記録はありません / no entries\n");
    } else {
      table.Print();
    }
  }
  return kOk;
}

void AddTargetOptions(CLI::App* cmd, AuditArgs* a) {
  cmd->add_option("--config", a->config_path, "インスタンス設定 (全サービスの監査ログ)");
  cmd->add_option("--data-dir", a->data_dir, "1サービスのデータディレクトリ");
  cmd->add_option("--service", a->service, "--config のうちこのサービスだけ");
}

}  // namespace

void AddAuditCommands(CLI::App& app, std::function<int()>* run) {
  auto* audit = app.add_subcommand("audit", "監査ログ / the audit log");
  audit->require_subcommand(1);
  auto a = std::make_shared<AuditArgs>();

  auto* verify = audit->add_subcommand(
      "verify",
      "改ざんの検査 (ハッシュ連鎖) / check the hash chain for edits, deletions, reordering");
  AddTargetOptions(verify, a.get());
  verify->callback([run, a] { *run = [a] { return RunVerify(*a); }; });

  auto* query = audit->add_subcommand(
      "query", "記録を見た・変えた人 / who read or changed a record (or what a subject did)");
  AddTargetOptions(query, a.get());
  query->add_option("--record", a->record, "記録の ID (例: 相談 ID)");
  query->add_option("--subject", a->subject, "主体 (トークンの sub)");
  query->callback([run, a] { *run = [a] { return RunQuery(*a); }; });
}

}  // namespace renkei::cli
