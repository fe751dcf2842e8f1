// renkeictl federation nats-config|status: the federation municipal → prefecture → nation
// (docs/federation.md).
//
//   nats-config  renders an instance's nats-server configuration from its instance file (the one
//                place the leaf links, domains, credentials and share-level protections are
//                written).
//   status       per instance: the link to the parent and to each child (from the heartbeats of
//                JetStream sourcing: a link is up when its source was heard from in the last 3 s),
//                the sourcing lag per child, and the outbox depth of each service (from its
//                metrics endpoint).
#include <cstdio>
#include <map>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "httplib.h"
#include "renkei/common/bus.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/federation.h"

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
  return out;
}

// The pending outbox records a service reports (renkei_outbox_records{state="pending"}); -1 when
// its metrics cannot be read.
int64_t OutboxPending(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return -1;
  httplib::Client client(address.substr(0, colon), std::atoi(address.c_str() + colon + 1));
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return -1;
  const std::string& body = res->body;
  size_t at = 0;
  while ((at = body.find("renkei_outbox_records{", at)) != std::string::npos) {
    const size_t eol = body.find('\n', at);
    const std::string line = body.substr(at, eol - at);
    at = eol;
    if (line.find("state=\"pending\"") == std::string::npos) continue;
    const auto space = line.rfind(' ');
    return static_cast<int64_t>(std::atof(line.c_str() + space + 1));
  }
  return -1;
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
  std::map<std::string, int64_t> outbox;  // service -> pending (-1: unreadable)
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
  for (const auto& m : MetricsAddresses(c)) st.outbox[m.name] = OutboxPending(m.address);
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
    for (const auto& [svc, n] : s.outbox) {
      if (!first) out += ", ";
      first = false;
      out += JsonString(svc) + ": " + std::to_string(n);
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
    for (const auto& [svc, n] : s.outbox) {
      t.Add({s.id, "送信待ち " + svc + " (outbox)", n < 0 ? "不明 (no metrics)" : std::to_string(n),
             ""});
    }
  }
  t.Print();
  return kOk;
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

  auto* status = fed->add_subcommand(
      "status", "連携の状態 (リンク、子ごとの遅れ、送信待ち) / link state, lag, outbox depth");
  static std::vector<std::string> configs;
  status->add_option("--config", configs, "インスタンス設定 (複数可)")->required();
  status->callback([run] { *run = [] { return Status(configs); }; });
}

}  // namespace renkei::cli
