// renkeictl backup [list] | restore: consistent checkpoints of every service of an instance, kept
// in generations, and the restore of an instance from one (renkei/common/backup.h;
// docs/operations.md, "Backups and restore").
//
//   backup       asks every service with a section in the instance file for a checkpoint of its
//                store (AdminService.Checkpoint) into <backup.dir>/<generation>/<service>/,
//                writes the generation's manifest last, then keeps backup.generations complete
//                generations and removes older ones.
//   backup list  the generations, complete or not.
//   restore      the newest complete generation (or --generation): refuses while any service
//                holds its data directory, then replaces each service's data directory with a
//                copy of its checkpoint (the generation stays as it is).
//
// Paths in the instance file that are relative (data_root, backup.dir, data_dir) are taken from
// the current directory: run renkeictl where the services run, or use absolute paths. The
// services write the checkpoints on their own host; restore runs on the host of the data
// directories.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/common/backup.h"
#include "renkei/common/clock.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/v1/admin.grpc.pb.h"

namespace renkei::cli {
namespace {

namespace fs = std::filesystem;

struct ServiceTarget {
  std::string name;
  v1::ServerConfig server;  // defaults filled in; data_dir absolute
};

// An absolute, normal path without a trailing '/'.
std::string Absolute(const std::string& path) {
  fs::path p = fs::absolute(path).lexically_normal();
  return (p.has_filename() ? p : p.parent_path()).string();
}

// Where to reach a service that listens on every interface.
std::string DialAddress(const std::string& listen) {
  const auto colon = listen.rfind(':');
  const std::string host = listen.substr(0, colon);
  if (host == "0.0.0.0" || host == "[::]" || host.empty()) {
    return "127.0.0.1" + listen.substr(colon);
  }
  return listen;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
  return ExitCodeFor(grpc::Status(static_cast<grpc::StatusCode>(s.code()), ""));
}

std::string Bytes(uint64_t n) {
  char buf[32];
  if (n < (1u << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", n / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", n / 1048576.0);
  }
  return buf;
}

std::string UtcNow() {
  const int64_t micros = common::SystemClock::Get()->NowMicros();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s.%06lld", common::GenerationTimeName(micros).c_str(),
                static_cast<long long>(micros % 1000000));
  return buf;
}

// What every command works on: the instance file, its services and its backup directory.
struct Instance {
  v1::InstanceConfig config;
  std::vector<ServiceTarget> services;  // those with a section, in a fixed order
  std::string backup_dir;               // absolute
  std::unique_ptr<common::BackupLock> lock;
};

// Loads the instance file; with `lock`, takes the backup directory's lock (one backup or restore
// at a time).
int Load(const std::string& path, bool lock, Instance* instance) {
  auto c = common::LoadInstanceConfig(path);
  if (!c.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), std::string(c.status().message()).c_str());
    return kInvalidInput;
  }
  instance->config = std::move(*c);
  v1::InstanceConfig* config = &instance->config;
  std::vector<ServiceTarget>* out = &instance->services;
  struct Section {
    const char* name;
    bool present;
    v1::ServerConfig* server;
  };
  const Section sections[] = {
      {"directory", config->has_directory(), config->mutable_directory()->mutable_server()},
      {"intake", config->has_intake(), config->mutable_intake()->mutable_server()},
      {"issues", config->has_issues(), config->mutable_issues()->mutable_server()},
      {"training", config->has_training(), config->mutable_training()->mutable_server()},
      {"indicators", config->has_indicators(), config->mutable_indicators()->mutable_server()},
      {"network", config->has_network(), config->mutable_network()->mutable_server()},
  };
  common::FieldViolations v;
  for (const auto& s : sections) {
    if (!s.present) continue;
    common::PrepareServerConfig(*config, s.name, std::string(s.name) + ".server", s.server, &v);
    ServiceTarget t{s.name, *s.server};
    t.server.set_data_dir(Absolute(t.server.data_dir()));
    out->push_back(std::move(t));
  }
  if (!v.empty()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), std::string(v.ToStatus().message()).c_str());
    return kInvalidInput;
  }
  if (out->empty()) {
    std::fprintf(stderr, "%s: サービスの設定がありません / no service sections\n", path.c_str());
    return kInvalidInput;
  }
  instance->backup_dir = Absolute(config->backup().dir());
  if (!lock) return kOk;
  auto held = common::BackupLock::Acquire(instance->backup_dir);
  if (!held.ok()) return Fail(held.status());
  instance->lock = std::move(*held);
  return kOk;
}

int Backup(const std::string& config_path) {
  Instance instance;
  if (int rc = Load(config_path, /*lock=*/true, &instance); rc != kOk) return rc;
  const v1::InstanceConfig& config = instance.config;
  const std::vector<ServiceTarget>& services = instance.services;
  const std::string& dir = instance.backup_dir;
  const common::Clock& clock = *common::SystemClock::Get();
  v1::BackupManifest manifest;
  *manifest.mutable_started_at() = clock.NowTimestamp();
  auto generation = common::CreateGeneration(dir, clock);
  if (!generation.ok()) return Fail(generation.status());
  const std::string path = dir + "/" + *generation;
  manifest.set_generation(*generation);
  manifest.set_instance(common::InstanceId(config.instance()));
  auto abandon = [&](int rc) {
    std::error_code ec;
    fs::remove_all(path, ec);
    std::fprintf(stderr, "バックアップを中止しました (世代 %s は削除しました) / backup abandoned\n",
                 generation->c_str());
    return rc;
  };
  for (const auto& s : services) {
    auto stub = v1::AdminService::NewStub(Channel(DialAddress(s.server.listen_address())));
    v1::CheckpointRequest request;
    request.set_target_dir(path + "/" + s.name);
    auto ctx = NewContext();
    grpc::Status status = stub->Checkpoint(ctx.get(), request, manifest.add_services());
    if (!status.ok()) {
      std::fprintf(stderr, "%s (%s) のチェックポイントに失敗しました / checkpoint of %s failed\n",
                   s.name.c_str(), s.server.listen_address().c_str(), s.name.c_str());
      return abandon(ReportError(status));
    }
  }
  *manifest.mutable_completed_at() = clock.NowTimestamp();
  if (auto s = common::WriteManifest(path, manifest); !s.ok()) return abandon(Fail(s));
  auto removed = common::PruneGenerations(dir, static_cast<int>(config.backup().generations()));
  if (!removed.ok()) {
    std::fprintf(stderr, "古い世代を削除できません / cannot prune old generations: %s\n",
                 std::string(removed.status().message()).c_str());
  }
  if (JsonOutput()) {
    PrintJson(manifest);
    return removed.ok() ? kOk : kFailure;
  }
  std::printf("バックアップを取得しました / backup taken: %s (%s)\n", generation->c_str(),
              path.c_str());
  Table t({"サービス", "シーケンス", "ファイル", "容量", "ディレクトリ"});
  for (const auto& r : manifest.services()) {
    t.Add({r.service(), std::to_string(r.sequence()), std::to_string(r.files()), Bytes(r.bytes()),
           r.dir()});
  }
  t.Print();
  if (removed.ok() && !removed->empty()) {
    std::string names;
    for (const auto& n : *removed) names += (names.empty() ? "" : ", ") + n;
    std::printf("保持数 %u を超えた世代を削除しました / removed: %s\n",
                config.backup().generations(), names.c_str());
  }
  return removed.ok() ? kOk : kFailure;
}

int List(const std::string& config_path) {
  Instance instance;
  if (int rc = Load(config_path, /*lock=*/false, &instance); rc != kOk) return rc;
  const std::string& dir = instance.backup_dir;
  auto all = common::ListGenerations(dir);
  if (!all.ok()) return Fail(all.status());
  if (JsonOutput()) {
    v1::BackupGenerationList out;
    out.set_dir(dir);
    for (const auto& g : *all) {
      auto* e = out.add_generations();
      e->set_generation(g.name);
      e->set_path(g.path);
      e->set_complete(g.complete);
      e->set_problem(g.problem);
      if (g.complete) *e->mutable_manifest() = g.manifest;
    }
    PrintJson(out);
    return kOk;
  }
  std::printf("%s (保持数 / kept: %u)\n", dir.c_str(), instance.config.backup().generations());
  Table t({"世代", "状態", "サービス", "容量", "取得完了 (東京)"});
  for (const auto& g : *all) {
    if (!g.complete) {
      t.Add({g.name, "不完全 (incomplete): " + g.problem, "", "", ""});
      continue;
    }
    std::string names;
    uint64_t bytes = 0;
    for (const auto& s : g.manifest.services()) {
      names += (names.empty() ? "" : " ") + s.service();
      bytes += s.bytes();
    }
    t.Add({g.name, "完全 (complete)", names, Bytes(bytes), FormatTokyo(g.manifest.completed_at())});
  }
  t.Print();
  return kOk;
}

int Restore(const std::string& config_path, const std::string& name) {
  Instance instance;
  if (int rc = Load(config_path, /*lock=*/true, &instance); rc != kOk) return rc;
  const std::vector<ServiceTarget>& services = instance.services;
  const std::string& dir = instance.backup_dir;
  auto generation = common::FindGeneration(dir, name);
  if (!generation.ok()) return Fail(generation.status());
  // Everything is checked before anything is replaced.
  for (const auto& s : services) {
    bool taken = false;
    for (const auto& r : generation->manifest.services()) taken |= r.service() == s.name;
    if (!taken || !fs::is_directory(generation->path + "/" + s.name)) {
      std::fprintf(stderr,
                   "世代 %s に %s のチェックポイントがありません / generation %s has no "
                   "checkpoint of %s\n",
                   generation->name.c_str(), s.name.c_str(), generation->name.c_str(),
                   s.name.c_str());
      return kNotFound;
    }
  }
  std::vector<std::string> running;
  for (const auto& s : services) {
    auto in_use = common::StoreInUse(s.server.data_dir());
    if (!in_use.ok()) return Fail(in_use.status());
    if (*in_use) {
      running.push_back(s.name);
      std::fprintf(stderr,
                   "%s が稼働中です (%s を使用中)。停止してから復元してください / %s is running "
                   "(holds %s); stop it before restoring\n",
                   s.name.c_str(), s.server.data_dir().c_str(), s.name.c_str(),
                   s.server.data_dir().c_str());
    }
  }
  if (!running.empty()) {
    std::fprintf(stderr,
                 "復元を中止しました。何も変更していません / restore refused; nothing changed\n");
    return kConflict;
  }
  const std::string marker = generation->name + " restored " + UtcNow();
  Table t({"サービス", "データディレクトリ", "以前のデータ"});
  for (const auto& s : services) {
    auto restored =
        common::RestoreStore(generation->path + "/" + s.name, s.server.data_dir(), marker);
    if (!restored.ok()) {
      std::fprintf(stderr,
                   "%s の復元に失敗しました。もう一度 restore を実行してください / restoring %s "
                   "failed; run restore again\n",
                   s.name.c_str(), s.name.c_str());
      return Fail(restored.status());
    }
    t.Add({s.name, restored->data_dir, restored->previous.empty() ? "(なし)" : restored->previous});
  }
  if (JsonOutput()) {
    PrintJson(generation->manifest);
    return kOk;
  }
  std::printf("世代 %s から復元しました / restored from generation %s\n", generation->name.c_str(),
              generation->name.c_str());
  t.Print();
  std::printf(
      "取得完了 %s (東京) 以降に受け付けた書き込みは含まれません。サービスを起動してください / "
      "writes acknowledged after the backup are not in it; start the services\n",
      FormatTokyo(generation->manifest.completed_at()).c_str());
  return kOk;
}

}  // namespace

void AddBackupCommands(CLI::App& app, std::function<int()>* run) {
  auto* backup = app.add_subcommand(
      "backup", "全サービスのチェックポイントを新しい世代として取得 / back up every service");
  backup->require_subcommand(0, 1);
  static std::string backup_config;
  backup->add_option("--config", backup_config, "インスタンス設定 (JSON)");
  auto* list = backup->add_subcommand("list", "バックアップの世代一覧 / list generations");
  static std::string list_config;
  list->add_option("--config", list_config, "インスタンス設定 (JSON)")->required();
  list->callback([run] { *run = [] { return List(list_config); }; });
  backup->callback([run, list] {
    if (list->parsed()) return;
    if (backup_config.empty()) throw CLI::RequiredError("--config");
    *run = [] { return Backup(backup_config); };
  });

  auto* restore = app.add_subcommand(
      "restore", "バックアップの世代からインスタンスを復元 / restore an instance from a backup");
  static std::string restore_config, generation;
  restore->add_option("--config", restore_config, "インスタンス設定 (JSON)")->required();
  restore->add_option("--generation", generation, "世代 (既定: 最新の完全な世代)");
  restore->callback([run] { *run = [] { return Restore(restore_config, generation); }; });
}

}  // namespace renkei::cli
