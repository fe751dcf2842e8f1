// renkeictl federation nats-config|status: the federation municipal → prefecture → nation
// (docs/federation.md).
//
//   nats-config  renders an instance's nats-server configuration from its instance file (the one
//                place the leaf links, domains, credentials and share-level protections are
//                written).
//   status       per instance: the link to the parent and to each child (from the heartbeats of
//                JetStream sourcing: a link is up when its source was heard from in the last 3 s),
//                the sourcing lag per child, and per service the outbox depth and whether the
//                stream still holds every event it published (from its metrics endpoint).
#include <cstdio>
#include <map>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "httplib.h"
#include "renkei/common/bus.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/federation.h"
#include "renkei/v1/admin.grpc.pb.h"

namespace renkei::cli {
namespace {

constexpr int64_t kLinkUpWithinMs = 3000;

struct ServiceMetrics {
  std::string name;
  std::string address;
};

std::vector<ServiceMetrics> MetricsAddresses(const v1::InstanceConfig& c) {
  std::vector<ServiceMetrics> out;
  auto add = [&](const char* name, const v1::ServerConfig& s) {
    if (!s.metrics_address().empty()) out.push_back({name, s.metrics_address()});
  };
  add("directory", c.directory().server());
  add("intake", c.intake().server());
  add("issues", c.issues().server());
  add("training", c.training().server());
  add("indicators", c.indicators().server());
  add("network", c.network().server());
  return out;
}

// What a service's metrics endpoint reports that status shows: pending outbox records
// (renkei_outbox_records{state="pending"}) and events missing from the stream
// (renkei_stream_history_gap); -1 each when the metrics cannot be read.
struct ServiceHealth {
  int64_t outbox_pending = -1;
  int64_t history_gap = -1;
};

ServiceHealth ReadServiceHealth(const std::string& address) {
  ServiceHealth out;
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return out;
  httplib::Client client(address.substr(0, colon), std::atoi(address.c_str() + colon + 1));
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return out;
  const std::string& body = res->body;
  size_t at = 0;
  while (at < body.size()) {
    size_t eol = body.find('\n', at);
    if (eol == std::string::npos) eol = body.size();
    const std::string line = body.substr(at, eol - at);
    at = eol + 1;
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const auto value = static_cast<int64_t>(std::atof(line.c_str() + space + 1));
    if (line.rfind("renkei_outbox_records{", 0) == 0 &&
        line.find("state=\"pending\"") != std::string::npos) {
      out.outbox_pending = value;
    } else if (line.rfind("renkei_stream_history_gap", 0) == 0) {
      out.history_gap = value;
    }
  }
  return out;
}

std::string LinkWord(int64_t active_ms) {
  if (active_ms < 0) return "未接続 (never)";
  if (active_ms <= kLinkUpWithinMs) return "接続中 (up)";
  return "切断 (down " + std::to_string(active_ms / 1000) + " s)";
}

struct InstanceStatus {
  std::string id;
  std::string nats;
  bool nats_reachable = false;
  std::string parent_link;  // "" when the instance has no parent
  uint64_t parent_lag = 0;
  struct Child {
    std::string domain;
    std::string link;
    uint64_t lag = 0;
  };
  std::vector<Child> children;
  std::map<std::string, ServiceHealth> services;
};

InstanceStatus Collect(const v1::InstanceConfig& c) {
  InstanceStatus st;
  st.id = common::InstanceId(c.instance());
  st.nats = c.nats().url();
  common::NatsOptions o;
  o.url = c.nats().url();
  o.client_name = "renkeictl-federation-status";
  o.connect_timeout_ms = 1000;
  o.api_timeout_ms = 2000;
  o.tls_cert_file = c.nats().tls().cert_file();
  o.tls_key_file = c.nats().tls().key_file();
  o.tls_ca_file = c.nats().tls().ca_file();
  o.allow_plaintext = c.nats().allow_plaintext();
  auto bus = common::NatsBus::Connect(o);
  if (bus.ok() && (*bus)->WaitConnected(1500)) {
    st.nats_reachable = true;
    if (common::HasParent(c)) {
      auto info = (*bus)->GetStreamInfo(common::kParentStream);
      int64_t active = -1;
      if (info.ok()) {
        for (const auto& s : info->sources) {
          active = s.active_ms;
          st.parent_lag = s.lag;
        }
      }
      st.parent_link = LinkWord(active);
    }
    if (common::HasChildren(c)) {
      auto info = (*bus)->GetStreamInfo(common::kChildrenStream);
      for (const auto& child : c.federation().children()) {
        InstanceStatus::Child ch;
        ch.domain = common::PeerDomain(child);
        int64_t active = -1;
        if (info.ok()) {
          for (const auto& s : info->sources) {
            if (s.domain != ch.domain) continue;
            ch.lag += s.lag;
            if (s.active_ms >= 0 && (active < 0 || s.active_ms > active)) active = s.active_ms;
          }
        }
        ch.link = LinkWord(active);
        st.children.push_back(std::move(ch));
      }
    }
  } else if (common::HasParent(c)) {
    st.parent_link = "不明 (nats-server unreachable)";
  }
  for (const auto& m : MetricsAddresses(c)) st.services[m.name] = ReadServiceHealth(m.address);
  return st;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

void PrintStatusJson(const std::vector<InstanceStatus>& all) {
  std::string out = "[";
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& s = all[i];
    if (i) out += ",";
    out += "\n  {\"instance\": " + JsonString(s.id) + ", \"nats\": " + JsonString(s.nats) +
           ", \"nats_reachable\": " + (s.nats_reachable ? "true" : "false");
    if (!s.parent_link.empty()) {
      out += ", \"parent\": {\"link\": " + JsonString(s.parent_link) +
             ", \"lag\": " + std::to_string(s.parent_lag) + "}";
    }
    out += ", \"children\": [";
    for (size_t j = 0; j < s.children.size(); ++j) {
      const auto& c = s.children[j];
      if (j) out += ", ";
      out += "{\"domain\": " + JsonString(c.domain) + ", \"link\": " + JsonString(c.link) +
             ", \"lag\": " + std::to_string(c.lag) + "}";
    }
    out += "], \"outbox_pending\": {";
    bool first = true;
    for (const auto& [svc, h] : s.services) {
      if (!first) out += ", ";
      first = false;
      out += JsonString(svc) + ": " + std::to_string(h.outbox_pending);
    }
    out += "}, \"stream_history_gap\": {";
    first = true;
    for (const auto& [svc, h] : s.services) {
      if (!first) out += ", ";
      first = false;
      out += JsonString(svc) + ": " + std::to_string(h.history_gap);
    }
    out += "}}";
  }
  out += "\n]\n";
  std::fputs(out.c_str(), stdout);
}

int Status(const std::vector<std::string>& paths) {
  std::vector<InstanceStatus> all;
  for (const auto& path : paths) {
    auto c = common::LoadInstanceConfig(path);
    if (!c.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), std::string(c.status().message()).c_str());
      return kInvalidInput;
    }
    all.push_back(Collect(*c));
  }
  if (JsonOutput()) {
    PrintStatusJson(all);
    return kOk;
  }
  Table t({"インスタンス", "項目", "状態", "遅れ (件)"});
  for (const auto& s : all) {
    t.Add({s.id, "nats-server",
           s.nats_reachable ? "応答あり (reachable)" : "応答なし (unreachable)", ""});
    if (!s.parent_link.empty()) {
      t.Add({s.id, "親への連携 (parent)", s.parent_link, std::to_string(s.parent_lag)});
    }
    for (const auto& c : s.children) {
      t.Add({s.id, "子 " + c.domain + " (child)", c.link, std::to_string(c.lag)});
    }
    for (const auto& [svc, h] : s.services) {
      const int64_t n = h.outbox_pending;
      t.Add({s.id, "送信待ち " + svc + " (outbox)", n < 0 ? "不明 (no metrics)" : std::to_string(n),
             ""});
    }
    for (const auto& [svc, h] : s.services) {
      const int64_t gap = h.history_gap;
      t.Add({s.id, "ストリームの履歴 " + svc + " (stream history)",
             gap < 0    ? "不明 (no metrics)"
             : gap == 0 ? "未確認の欠けなし (no unaccepted gap)"
                        : "欠けあり: " + std::to_string(gap) +
                              " 件のイベントがストリームにありません (gap; docs/operations.md)",
             ""});
    }
  }
  t.Print();
  return kOk;
}

std::string AddressOf(const std::string& service) {
  const auto& o = Options();
  if (service == "directory") return o.directory_address;
  if (service == "intake") return o.intake_address;
  if (service == "issues") return o.issues_address;
  if (service == "training") return o.training_address;
  if (service == "network") return o.network_address;
  return o.indicators_address;
}

void PrintHistory(const v1::StreamHistory& h) {
  std::printf("%s (%s): %s\n", h.service().c_str(), h.stream().c_str(),
              h.complete() ? "欠けなし / complete" : "欠けあり / events missing");
  if (!h.has_checked_at())
    std::printf("  まだ確認していません (NATS に未接続) / not checked yet\n");
  for (const auto& g : h.gaps()) {
    std::printf("  %s  %s%s\n    %s\n", FormatTokyo(g.detected_at()).c_str(),
                g.expected() ? "保存期間切れ (想定どおり)"
                : g.events_lost()
                    ? (std::to_string(g.events_lost()) + " 件以上が失われました").c_str()
                    : "件数不明",
                g.has_accepted_at() ? ("  確認済み " + g.accepted_by()).c_str() : "  未確認",
                g.cause().c_str());
  }
}

int RunHistory(const std::string& service, bool accept) {
  auto stub = v1::AdminService::NewStub(Channel(AddressOf(service)));
  if (accept) {
    return CallAndPrint(*stub, &v1::AdminService::Stub::AcceptStreamHistoryGap,
                        v1::AcceptStreamHistoryGapRequest(), PrintHistory);
  }
  return CallAndPrint(*stub, &v1::AdminService::Stub::GetStreamHistory,
                      v1::GetStreamHistoryRequest(), PrintHistory);
}

}  // namespace

void AddFederationCommands(CLI::App& app, std::function<int()>* run) {
  auto* fed = app.add_subcommand("federation", "連携 (市区町村 → 都道府県 → 国) / federation");
  fed->require_subcommand(1);

  auto* render = fed->add_subcommand(
      "nats-config", "インスタンス設定から nats-server の設定を出力 / render nats-server config");
  static std::string config_path, store_dir;
  render->add_option("--config", config_path, "インスタンス設定 (JSON)")->required();
  render->add_option("--store-dir", store_dir, "JetStream の保存先 (既定: <data_root>/nats)");
  render->callback([run] {
    *run = [] {
      auto c = common::LoadInstanceConfig(config_path);
      if (!c.ok()) {
        std::fprintf(stderr, "%s: %s\n", config_path.c_str(),
                     std::string(c.status().message()).c_str());
        return static_cast<int>(kInvalidInput);
      }
      auto conf = common::RenderNatsServerConfig(*c, {.store_dir = store_dir});
      if (!conf.ok()) {
        std::fprintf(stderr, "%s\n", std::string(conf.status().message()).c_str());
        return static_cast<int>(kConflict);
      }
      std::fputs(conf->c_str(), stdout);
      return static_cast<int>(kOk);
    };
  });

  // The stream history of one service (AdminService): whether the instance's stream still holds
  // every event it published, and the operator's acceptance of a gap (docs/operations.md).
  static std::string history_service = "intake";
  auto* history = fed->add_subcommand(
      "history", "サービスの送信イベントがストリームに揃っているか / a service's stream history");
  history
      ->add_option("--service", history_service,
                   "directory|intake|issues|training|indicators|network")
      ->check(CLI::IsMember({"directory", "intake", "issues", "training", "indicators", "network"}))
      ->capture_default_str();
  history->callback([run] { *run = [] { return RunHistory(history_service, false); }; });
  auto* accept = fed->add_subcommand(
      "accept-gap",
      "ストリームの履歴の欠けを確認済みにする (警告を止める) / accept the service's history gaps");
  accept
      ->add_option("--service", history_service,
                   "directory|intake|issues|training|indicators|network")
      ->check(CLI::IsMember({"directory", "intake", "issues", "training", "indicators", "network"}))
      ->required();
  accept->callback([run] { *run = [] { return RunHistory(history_service, true); }; });

  auto* status = fed->add_subcommand(
      "status", "連携の状態 (リンク、子ごとの遅れ、送信待ち) / link state, lag, outbox depth");
  static std::vector<std::string> configs;
  status->add_option("--config", configs, "インスタンス設定 (複数可)")->required();
  status->callback([run] { *run = [] { return Status(configs); }; });
}

}  // namespace renkei::cli
