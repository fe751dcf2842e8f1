// A local federation for tests and benchmarks: one nats-server per instance (its own JetStream
// domain, rendered from the instance file by RenderNatsServerConfig — the same configuration
// tools/federation.sh and a deployment use), children's leaf links through a TcpProxy each so a
// test can cut and restore a link, and the services of each instance as real processes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "renkei/common/bus.h"

namespace renkei::testing {

struct FederationNodeSpec {
  std::string id;      // "national", "p13", "m132250"
  std::string parent;  // the parent's id; "" for the nation
  std::vector<std::string> services;
};

class LocalFederation {
 public:
  struct Node {
    FederationNodeSpec spec;
    std::string code;  // the instance code ("" for the nation)
    std::string dir;
    int nats_port = 0;
    int leaf_port = 0;                 // parents: the leaf-node hub
    std::unique_ptr<TcpProxy> uplink;  // children: the link to the parent goes through it
    std::unique_ptr<NatsServer> nats;
    std::unique_ptr<InstanceProcesses> processes;
    std::unique_ptr<common::NatsBus> bus;  // a client of the instance's own nats-server
  };

  // Starts the nats-servers (parents first) and the services of every node.
  // `extra_json`: extra top-level members of a node's instance file, by id (e.g. its "mail").
  static absl::StatusOr<std::unique_ptr<LocalFederation>> Start(
      const std::string& dir, const std::vector<FederationNodeSpec>& nodes,
      const std::map<std::string, std::string>& extra_json = {});
  // The standard six: the nation, Tokyo (13) and Saitama (11), Inagi, Chofu and Kumagaya, each
  // with the given services (by level).
  static std::vector<FederationNodeSpec> Standard(
      const std::vector<std::string>& municipal_services,
      const std::vector<std::string>& prefecture_services,
      const std::vector<std::string>& national_services);

  Node& node(const std::string& id) { return *nodes_.at(id); }
  std::shared_ptr<grpc::Channel> channel(const std::string& id, const std::string& service) {
    return node(id).processes->channel(service);
  }
  std::vector<std::string> ids() const;

  // Creates every node's event stream and federation streams, as the services do on start-up
  // (for runs without services, e.g. the federation benchmark).
  absl::Status EnsureStreams();

  // Restarts a node's nats-server after kill -9 (same port, config and store).
  absl::Status KillAndRestartNats(const std::string& id);

 private:
  std::map<std::string, std::unique_ptr<Node>> nodes_;
  std::vector<std::string> order_;
};

// The ids (Nats-Msg-Id) of every message in a stream whose subject matches `filter`, in order.
std::vector<std::string> StreamIds(common::NatsBus& bus, const std::string& stream,
                                   const std::string& filter = "renkei.>");

}  // namespace renkei::testing
