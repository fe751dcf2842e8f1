#include "federation_harness.h"

#include <filesystem>
#include <fstream>

#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/federation.h"
#include "renkei/common/jurisdiction.h"

namespace renkei::testing {
namespace {

std::string CodeOf(const std::string& id) {
  if (id == "national") return "";
  if (id[0] == 'p') return common::Jurisdictions::Get().FindPrefecture(id.substr(1))->code;
  return id.substr(1);
}

std::string LevelOf(const std::string& id) {
  if (id == "national") return "INSTANCE_LEVEL_NATIONAL";
  return id[0] == 'p' ? "INSTANCE_LEVEL_PREFECTURE" : "INSTANCE_LEVEL_MUNICIPALITY";
}

std::string PeerJson(const std::string& id, const std::string& user) {
  std::string j = "{\"level\": \"" + LevelOf(id) + "\"";
  if (!CodeOf(id).empty()) j += ", \"code\": \"" + CodeOf(id) + "\"";
  return j + ", \"leaf_user\": \"" + user + "\", \"leaf_password\": \"pw-" + user + "\"";
}

}  // namespace

std::vector<FederationNodeSpec> LocalFederation::Standard(
    const std::vector<std::string>& municipal, const std::vector<std::string>& prefecture,
    const std::vector<std::string>& national) {
  return {{"national", "", national},      {"p13", "national", prefecture},
          {"p11", "national", prefecture}, {"m132250", "p13", municipal},
          {"m132080", "p13", municipal},   {"m112020", "p11", municipal}};
}

std::vector<std::string> LocalFederation::ids() const { return order_; }

absl::StatusOr<std::unique_ptr<LocalFederation>> LocalFederation::Start(
    const std::string& dir, const std::vector<FederationNodeSpec>& nodes,
    const std::map<std::string, std::string>& extra_json) {
  auto fed = std::make_unique<LocalFederation>();
  for (const auto& s : nodes) {
    auto n = std::make_unique<Node>();
    n->spec = s;
    n->code = CodeOf(s.id);
    n->dir = dir + "/" + s.id;
    n->nats_port = FreePort();
    fed->order_.push_back(s.id);
    fed->nodes_[s.id] = std::move(n);
  }
  // Leaf hubs and the proxies in front of them.
  for (const auto& id : fed->order_) {
    auto& n = *fed->nodes_[id];
    for (const auto& [cid, child] : fed->nodes_) {
      if (child->spec.parent == id && n.leaf_port == 0) n.leaf_port = FreePort();
    }
  }
  for (const auto& id : fed->order_) {
    auto& n = *fed->nodes_[id];
    if (n.spec.parent.empty()) continue;
    auto proxy = TcpProxy::Start(fed->nodes_.at(n.spec.parent)->leaf_port);
    if (!proxy.ok()) return proxy.status();
    n.uplink = std::move(*proxy);
  }
  // Instance files and nats-server configurations.
  for (const auto& id : fed->order_) {
    auto& n = *fed->nodes_[id];
    std::string federation = "{";
    std::vector<std::string> parts;
    if (!n.spec.parent.empty()) {
      parts.push_back("\"parent\": " + PeerJson(n.spec.parent, id) +
                      ", \"leafnode_url\": \"nats-leaf://127.0.0.1:" +
                      std::to_string(n.uplink->port()) + "\"}");
    }
    std::string children;
    for (const auto& cid : fed->order_) {
      if (fed->nodes_[cid]->spec.parent != id) continue;
      if (!children.empty()) children += ", ";
      children += PeerJson(cid, cid) + "}";
    }
    if (!children.empty()) {
      parts.push_back("\"leafnode_listen\": \"127.0.0.1:" + std::to_string(n.leaf_port) + "\"");
      // Every child reaches the hub through its own proxy. A hub tells its leaf nodes where to
      // reconnect (its advertised leaf-node address), and a leaf adds that to its remote's URLs:
      // advertising the real port would let a cut link come back around the proxy. The hub
      // advertises a closed port instead, so the only way in is the proxy.
      parts.push_back("\"leafnode_advertise\": \"127.0.0.1:" + std::to_string(FreePort()) + "\"");
      parts.push_back("\"children\": [" + children + "]");
    }
    for (size_t i = 0; i < parts.size(); ++i) federation += (i ? ", " : "") + parts[i];
    federation += "}";
    InstanceSpec spec;
    spec.code = n.code;
    spec.prefecture = id[0] == 'p';
    spec.national = id == "national";
    spec.jetstream_domain = id;
    spec.federation_json = federation;
    spec.services = n.spec.services;
    if (auto it = extra_json.find(id); it != extra_json.end()) spec.extra_json = it->second;
    n.processes = std::make_unique<InstanceProcesses>(
        n.dir, "nats://127.0.0.1:" + std::to_string(n.nats_port), spec);
    auto config = common::LoadInstanceConfig(n.processes->config_path());
    if (!config.ok()) return config.status();
    auto rendered = common::RenderNatsServerConfig(*config, {.store_dir = n.dir + "/nats/store"});
    if (!rendered.ok()) return rendered.status();
    std::filesystem::create_directories(n.dir + "/nats");
    std::ofstream(n.dir + "/nats.conf") << *rendered;
  }
  for (const auto& id : fed->order_) {  // parents first: the order given
    auto& n = *fed->nodes_[id];
    auto nats = NatsServer::StartConfigured(n.dir + "/nats", n.dir + "/nats.conf");
    if (!nats.ok()) return nats.status();
    n.nats = std::move(*nats);
    common::NatsOptions o;
    o.url = "nats://127.0.0.1:" + std::to_string(n.nats_port);
    auto bus = common::NatsBus::Connect(o);
    if (!bus.ok()) return bus.status();
    n.bus = std::move(*bus);
  }
  for (const auto& id : fed->order_) {
    auto& n = *fed->nodes_[id];
    for (const auto& s : n.spec.services) {
      if (auto st = n.processes->Start(s); !st.ok()) return st;
    }
  }
  return fed;
}

absl::Status LocalFederation::EnsureStreams() {
  for (const auto& id : order_) {
    auto& n = *nodes_[id];
    auto config = common::LoadInstanceConfig(n.processes->config_path());
    if (!config.ok()) return config.status();
    if (!n.bus->WaitConnected(10000)) return absl::UnavailableError(id + ": nats not reachable");
    common::StreamSpec events;
    events.name = config->nats().stream();
    events.subjects = common::InstanceStreamSubjects(id);
    events.duplicate_window_seconds = config->nats().duplicate_window_seconds();
    if (auto s = n.bus->EnsureStream(events); !s.ok()) return s;
    for (const auto& spec : common::FederationStreams(*config)) {
      if (auto s = n.bus->EnsureStream(spec); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status LocalFederation::KillAndRestartNats(const std::string& id) {
  auto& n = node(id);
  n.nats->Kill();
  return n.nats->Restart();
}

std::vector<std::string> StreamIds(common::NatsBus& bus, const std::string& stream,
                                   const std::string& filter) {
  std::vector<std::string> ids;
  for (const auto& m : ReadStream(bus, stream, filter)) ids.push_back(m.msg_id);
  return ids;
}

}  // namespace renkei::testing
