#include "renkei/common/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "renkei/common/federation.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/version.h"

namespace renkei::common {

bool IsHostPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= address.size()) return false;
  std::string_view port = address.substr(colon + 1);
  if (port.size() > 5) return false;
  int p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + (c - '0');
  }
  return p <= 65535;
}

namespace {

// backup: `renkeictl backup` and `restore` (the services never read it).
void PrepareBackupConfig(v1::InstanceConfig* config, FieldViolations* v) {
  auto* backup = config->mutable_backup();
  if (backup->dir().empty()) {
    backup->set_dir(
        std::filesystem::path(config->data_root() + "/../backups").lexically_normal().string());
  }
  v->CheckText("backup.dir", backup->dir(), {.max_chars = 1024});
  auto normal = [](const std::string& dir) {
    auto p = std::filesystem::path(dir).lexically_normal();
    return p.has_filename() ? p : p.parent_path();  // "a/b/" is "a/b"
  };
  if (normal(backup->dir()) == normal(config->data_root())) {
    v->Add("backup.dir",
           "data_root とは別のディレクトリにしてください / must differ from data_root");
  }
  if (backup->generations() == 0) backup->set_generations(7);
  if (backup->generations() > 1000) v->Add("backup.generations", "1〜1000 です / 1..1000");
}

std::filesystem::path Normal(const std::string& p) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return (ec ? std::filesystem::path(p) : abs).lexically_normal();
}

// Whether `inner` is `outer` or lies below it (lexically, after making both absolute).
bool Within(const std::string& inner, const std::string& outer) {
  auto i = Normal(inner), o = Normal(outer);
  auto rel = i.lexically_relative(o);
  return !rel.empty() && *rel.begin() != "..";
}

// Data keys default to <data_root>/../keys/data and may not sit with the data they protect: a
// copy of the data directory (or of a backup) would carry its own key.
void ValidateDataKeyDir(v1::InstanceConfig* config, FieldViolations* v) {
  auto* security = config->mutable_security();
  if (security->data_key_dir().empty()) {
    security->set_data_key_dir(
        (std::filesystem::path(config->data_root()) / ".." / "keys" / "data").lexically_normal());
  }
  const std::string& dir = security->data_key_dir();
  if (dir.find('\n') != std::string::npos || dir.find('\0') != std::string::npos) {
    v->Add("security.data_key_dir", "不正なパスです / not a usable path");
    return;
  }
  if (Within(dir, config->data_root())) {
    v->Add("security.data_key_dir",
           "data_root の外に置いてください / must lie outside data_root: a copy of the data "
           "would carry the key that protects it");
  }
  if (!config->backup().dir().empty() && Within(dir, config->backup().dir())) {
    v->Add("security.data_key_dir",
           "backup.dir の外に置いてください / must lie outside backup.dir");
  }
}

// The keys of `value` (JSON read as a google.protobuf.Value) that `type` does not have, by path
// ("nats.future_key"): settings of a newer version, or misspelt ones.
void UnknownKeys(const google::protobuf::Value& value, const google::protobuf::Descriptor* type,
                 const std::string& path, std::vector<std::string>* unknown) {
  if (value.kind_case() == google::protobuf::Value::kListValue) {
    for (const auto& item : value.list_value().values()) UnknownKeys(item, type, path, unknown);
    return;
  }
  if (value.kind_case() != google::protobuf::Value::kStructValue) return;
  for (const auto& [key, member] : value.struct_value().fields()) {
    const google::protobuf::FieldDescriptor* field = type->FindFieldByName(key);
    for (int i = 0; field == nullptr && i < type->field_count(); ++i) {
      if (type->field(i)->json_name() == key) field = type->field(i);
    }
    std::string where = path;
    if (!where.empty()) where += '.';
    where += key;
    if (field == nullptr) {
      unknown->push_back(where);
    } else if (field->message_type() != nullptr && !field->is_map()) {
      UnknownKeys(member, field->message_type(), where, unknown);
    }
  }
}

// Why the instance file could not be read, naming the keys this version does not know.
absl::Status Unreadable(std::string_view json, std::string_view parse_error) {
  google::protobuf::Value tree;
  std::vector<std::string> unknown;
  if (google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &tree)
          .ok()) {
    UnknownKeys(tree, v1::InstanceConfig::descriptor(), "", &unknown);
  }
  if (unknown.empty()) {
    return absl::InvalidArgumentError("設定ファイルを読めません / config: " +
                                      std::string(parse_error));
  }
  std::sort(unknown.begin(), unknown.end());
  std::string keys;
  for (const auto& k : unknown) keys += (keys.empty() ? "" : ", ") + k;
  return absl::InvalidArgumentError(
      "この版の Renkei (" + std::string(RenkeiVersion()) + ") が知らない設定があります: " + keys +
      " / unknown settings: " + keys + ". A setting of a newer version of Renkei, or a misspelt " +
      "one: upgrade this instance before using it, or remove it (docs/compatibility.md)");
}

}  // namespace

absl::StatusOr<v1::InstanceConfig> ParseInstanceConfig(std::string_view json) {
  v1::InstanceConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &config, options);
  if (!parsed.ok()) return Unreadable(json, std::string(parsed.message()));
  FieldViolations v;
  // instance
  const auto& inst = config.instance();
  switch (inst.level()) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY:
      v.CheckMunicipalityCode("instance.code", inst.code());
      break;
    case v1::INSTANCE_LEVEL_PREFECTURE: {
      const Prefecture* p = Jurisdictions::Get().FindPrefecture(inst.code());
      if (inst.code().size() != 6 || p == nullptr) {
        v.Add("instance.code",
              "都道府県の6桁コードを指定してください (例: 130001) / prefecture code");
      }
      break;
    }
    case v1::INSTANCE_LEVEL_NATIONAL:
      if (!inst.code().empty())
        v.Add("instance.code", "国のインスタンスにコードは不要です / must be empty");
      break;
    default:
      v.Add("instance.level", "MUNICIPALITY, PREFECTURE, NATIONAL のいずれかです / required");
  }
  if (inst.name().empty() && v.empty()) {
    if (inst.level() == v1::INSTANCE_LEVEL_MUNICIPALITY) {
      config.mutable_instance()->set_name(Jurisdictions::Get().FindMunicipality(inst.code())->name);
    } else if (inst.level() == v1::INSTANCE_LEVEL_PREFECTURE) {
      config.mutable_instance()->set_name(Jurisdictions::Get().FindPrefecture(inst.code())->name);
    } else {
      config.mutable_instance()->set_name("国");
    }
  }
  v.CheckText("instance.name", config.instance().name(), {.max_chars = 100});
  ValidateFederation(&config, &v);
  // nats
  auto* nats = config.mutable_nats();
  if (nats->url().empty()) v.Add("nats.url", "必須です / required (e.g. nats://127.0.0.1:4222)");
  if (nats->stream().empty()) nats->set_stream("RENKEI_EVENTS");
  if (nats->duplicate_window_seconds() == 0) nats->set_duplicate_window_seconds(3600);
  if (nats->max_age_days() == 0) nats->set_max_age_days(365);
  // outbox
  auto* outbox = config.mutable_outbox();
  if (outbox->retention_seconds() == 0) outbox->set_retention_seconds(300);
  if (outbox->batch_size() == 0) outbox->set_batch_size(1000);
  if (outbox->batch_size() > 10000) v.Add("outbox.batch_size", "10000 以下 / at most 10000");
  if (nats->duplicate_window_seconds() < 2 * outbox->retention_seconds()) {
    v.Add("nats.duplicate_window_seconds",
          "outbox.retention_seconds の2倍以上が必要です / must be at least twice the outbox "
          "retention, so re-published events are deduplicated");
  }
  // commands: answers to request ids hold personal fields; they must not outlive retention.
  auto* commands = config.mutable_commands();
  if (commands->request_window_hours() == 0) commands->set_request_window_hours(168);
  if (commands->request_window_hours() > 2160) {
    v.Add("commands.request_window_hours", "2160 (90日) 以下 / at most 2160 (90 days)");
  }
  const uint32_t retention_days = config.intake().personal_retention_days();
  if (retention_days > 0 && commands->request_window_hours() > retention_days * 24) {
    v.Add("commands.request_window_hours",
          "intake.personal_retention_days より長くできません / must not exceed the personal data "
          "retention (answers hold personal fields)");
  }
  if (config.data_root().empty()) config.set_data_root("./data");
  PrepareBackupConfig(&config, &v);
  ValidateDataKeyDir(&config, &v);
  if (config.security().revoked_tokens_file().empty() && !config.data_root().empty()) {
    config.mutable_security()->set_revoked_tokens_file(
        (std::filesystem::path(config.data_root()) / "revoked-tokens").string());
  }
  if (!v.empty()) return v.ToStatus();
  return config;
}

absl::StatusOr<v1::InstanceConfig> LoadInstanceConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("設定ファイルが開けません / cannot open config: " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseInstanceConfig(buf.str());
}

void PrepareServerConfig(const v1::InstanceConfig& instance, std::string_view service,
                         std::string_view path, v1::ServerConfig* server, FieldViolations* v) {
  std::string p(path);
  if (!IsHostPort(server->listen_address())) {
    v->Add(p + ".listen_address", "host:port の形式で指定してください / required, host:port");
  }
  if (!server->metrics_address().empty() && !IsHostPort(server->metrics_address())) {
    v->Add(p + ".metrics_address", "host:port の形式で指定してください / host:port");
  }
  if (server->data_dir().empty()) {
    server->set_data_dir(instance.data_root() + "/" + std::string(service));
  }
  if (server->default_deadline_ms() == 0) server->set_default_deadline_ms(30000);
  // renkei-network takes shared documents' files (≤ 5 MiB, sharing.proto) in one message.
  if (server->max_message_bytes() == 0) {
    server->set_max_message_bytes(service == "network" ? 8u << 20 : 4u << 20);
  }
  if (server->max_message_bytes() < 64 * 1024) {
    v->Add(p + ".max_message_bytes", "65536 以上 / at least 65536");
  }
}

std::string PublicLinkOrigin(const v1::InstanceConfig& config, const std::string& configured) {
  if (!configured.empty()) return configured;
  if (!config.gateway().public_origin().empty()) return config.gateway().public_origin();
  return "http://" + config.gateway().listen_address();
}

}  // namespace renkei::common
