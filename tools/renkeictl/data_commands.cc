// renkeictl data keygen|keys|reseal: the instance's data keys for personal fields at rest
// (renkei/common/at_rest.h, docs/security.md "Personal fields at rest"). `keys` and `reseal`
// open a service's RocksDB directory themselves, so that service must be stopped.
#include <cstdio>
#include <filesystem>
#include <map>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/store.h"

namespace renkei::cli {
namespace {

using Kind = common::RecordSealer::Inspection::Kind;

// Local errors end like RPC errors (the codes are the same; cli.h).
int Fail(const absl::Status& s) {
  std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
  return ExitCodeFor(common::ToGrpcStatus(s));
}

// Opens an existing service store (every column family it has); never creates one.
absl::StatusOr<std::unique_ptr<common::Store>> OpenExisting(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/CURRENT", ec)) {
    return absl::NotFoundError(
        "RocksDB のディレクトリではありません / not a service data directory: " + dir);
  }
  return common::Store::Open({.path = dir, .column_families = {}});
}

// What every value of every family of the store is: plain, sealed under which key, erased.
int RunKeys(const std::string& data_dir) {
  auto store = OpenExisting(data_dir);
  if (!store.ok()) return Fail(store.status());
  std::printf("%-28s %-34s %s\n", "column family", "stored as", "records");
  for (const auto& family : (*store)->column_family_names()) {
    std::map<std::string, int64_t> counts;
    auto it = (*store)->NewIterator((*store)->Cf(family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const auto info = common::RecordSealer::Inspect(it->value());
      switch (info.kind) {
        case Kind::kPlain:
          ++counts["plain"];
          break;
        case Kind::kSealed:
          ++counts["sealed " + info.key_id];
          break;
        case Kind::kNothingSealed:
          ++counts["sealed, nothing personal"];
          break;
        case Kind::kErased:
          ++counts["personal fields erased"];
          break;
        case Kind::kUnreadable:
          ++counts["unreadable"];
          break;
      }
    }
    if (!it->status().ok()) return Fail(it->status());
    for (const auto& [what, n] : counts) {
      std::printf("%-28s %-34s %lld\n", family.c_str(), what.c_str(), static_cast<long long>(n));
    }
  }
  return kOk;
}

// Seals every record sealed under an older key again under the newest, in synced batches.
int RunReseal(const std::string& data_dir, const std::string& key_dir, int batch_size) {
  auto keys = common::DataKeys::Load(key_dir, /*create_if_empty=*/false);
  if (!keys.ok()) return Fail(keys.status());
  common::RecordSealer sealer(keys->get());
  auto store = OpenExisting(data_dir);
  if (!store.ok()) return Fail(store.status());
  int64_t total = 0;
  for (const auto& family : (*store)->column_family_names()) {
    const common::ColumnFamily cf = (*store)->Cf(family);
    common::Batch batch;
    int64_t resealed = 0;
    auto it = (*store)->NewIterator(cf);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto value = sealer.Reseal(family, it->key(), it->value());
      if (!value.ok()) return Fail(value.status());
      if (!value->has_value()) continue;
      batch.Put(cf, it->key(), **value);
      ++resealed;
      if (batch.Count() >= batch_size) {
        if (auto s = (*store)->Write(batch); !s.ok()) return Fail(s);
        batch.Clear();
      }
    }
    if (!it->status().ok()) return Fail(it->status());
    if (auto s = (*store)->Write(batch); !s.ok()) return Fail(s);
    if (resealed > 0) {
      // The old ciphertexts leave the disk too.
      if (auto s = (*store)->Compact(cf); !s.ok()) return Fail(s);
      std::printf("%s: %lld\n", family.c_str(), static_cast<long long>(resealed));
    }
    total += resealed;
  }
  std::printf("%lld 件を鍵 %s で封印し直しました / records resealed under %s\n",
              static_cast<long long>(total), (*keys)->newest_id().c_str(),
              (*keys)->newest_id().c_str());
  return kOk;
}

}  // namespace

void AddDataCommands(CLI::App& app, std::function<int()>* run) {
  auto* data = app.add_subcommand(
      "data", "個人情報の保存時暗号化の鍵 / data keys for personal fields at rest");
  data->require_subcommand(1);

  auto keygen_dir = std::make_shared<std::string>();
  auto* keygen = data->add_subcommand(
      "keygen",
      "新しいデータ鍵 <鍵ID>.dkey (0600) を作る。再起動後の書き込みから使われる / new "
      "data key, used for writes after the services restart");
  keygen->add_option("--key-dir", *keygen_dir, "データ鍵のディレクトリ (security.data_key_dir)")
      ->required();
  keygen->callback([=] {
    *run = [=] {
      const std::string id = common::DataKeys::NewId(*common::SystemClock::Get());
      if (auto s = common::DataKeys::Create(*keygen_dir, id); !s.ok()) return Fail(s);
      std::printf("%s\n", id.c_str());
      return static_cast<int>(kOk);
    };
  });

  auto keys_data = std::make_shared<std::string>();
  auto* keys = data->add_subcommand(
      "keys",
      "記録がどの鍵で封印されているか (サービス停止中) / which key each record is sealed "
      "under (service stopped)");
  keys->add_option("--data-dir", *keys_data, "サービスのデータディレクトリ (例: data/intake)")
      ->required();
  keys->callback([=] { *run = [=] { return RunKeys(*keys_data); }; });

  auto reseal_data = std::make_shared<std::string>();
  auto reseal_keys = std::make_shared<std::string>();
  auto reseal_batch = std::make_shared<int>(1000);
  auto* reseal = data->add_subcommand(
      "reseal",
      "古い鍵の記録を最新の鍵で封印し直す (サービス停止中) / reseal records under the "
      "newest key (service stopped)");
  reseal->add_option("--data-dir", *reseal_data, "サービスのデータディレクトリ")->required();
  reseal->add_option("--key-dir", *reseal_keys, "データ鍵のディレクトリ")->required();
  reseal->add_option("--batch", *reseal_batch, "1回の同期書き込みの件数 (既定 1000)")
      ->check(CLI::Range(1, 100000));
  reseal->callback(
      [=] { *run = [=] { return RunReseal(*reseal_data, *reseal_keys, *reseal_batch); }; });
}

}  // namespace renkei::cli
