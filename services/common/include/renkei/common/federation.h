// The federation municipal → prefecture → nation, built on NATS itself (docs/federation.md).
//
// Every instance runs its own nats-server in its own JetStream domain; a municipality's server is
// a leaf node of its prefecture's, a prefecture's a leaf node of the nation's. Events cross
// instances only through JetStream stream sourcing, and what is sourced is decided by the share
// level in the subject:
//
//   RENKEI_EVENTS          the instance's own events, every share level (the outbox publishes here)
//   RENKEI_SHARE_PREF      own `pref` events                    ← RENKEI_EVENTS, filtered
//   RENKEI_SHARE_NATIONAL  own `national` events                ← RENKEI_EVENTS, filtered
//                          (+ at a prefecture: its municipalities' `national` events)
//   RENKEI_CHILDREN        parents: what the children share    ← each child's SHARE streams
//   RENKEI_DOWN            parents: what flows down            ← own pref/national events, the
//                          children's resources (prefecture), RENKEI_PARENT (from further up)
//   RENKEI_PARENT          children: what flows down to them   ← the parent's RENKEI_DOWN
//
// nats-server 2.9 keys a stream's sources by stream name and domain, so one source stream can
// carry one filter only: that is why the share levels have streams of their own. `local` events
// are in RENKEI_EVENTS only, and a child's nats-server refuses its parent any API call on that
// stream (leaf-node deny_imports, rendered by RenderNatsServerConfig).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/bus.h"
#include "renkei/common/validation.h"
#include "renkei/v1/config.pb.h"

namespace renkei::common {

inline constexpr char kSharePrefStream[] = "RENKEI_SHARE_PREF";
inline constexpr char kShareNationalStream[] = "RENKEI_SHARE_NATIONAL";
inline constexpr char kChildrenStream[] = "RENKEI_CHILDREN";
inline constexpr char kDownStream[] = "RENKEI_DOWN";
inline constexpr char kParentStream[] = "RENKEI_PARENT";

// Every event subject (a consumer of all a stream holds, e.g. everything the children share).
inline constexpr char kEveryEvent[] = "renkei.>";

// A subject filter over events: renkei.<share>.<origin>.<aggregate>.<type>, "*" for any.
std::string EventFilter(std::string_view share, std::string_view origin, std::string_view aggregate,
                        std::string_view type);

bool HasParent(const v1::InstanceConfig& config);
bool HasChildren(const v1::InstanceConfig& config);
bool IsFederated(const v1::InstanceConfig& config);

// "m132250", "p13", "national".
std::string PeerInstanceId(const v1::FederationPeer& peer);
// The peer's JetStream domain (its instance id unless configured).
std::string PeerDomain(const v1::FederationPeer& peer);
// This instance's JetStream domain (nats.jetstream_domain, default its instance id).
std::string OwnDomain(const v1::InstanceConfig& config);

// The federation streams of the instance besides its own event stream, in creation order (a
// stream's local sources come before it). Empty for a standalone instance.
std::vector<StreamSpec> FederationStreams(const v1::InstanceConfig& config);

// Checks the federation section against the instance (levels, codes, who may be whose parent)
// and fills defaults. Called by ParseInstanceConfig.
void ValidateFederation(v1::InstanceConfig* config, FieldViolations* v);

struct NatsServerRenderOptions {
  std::string store_dir;  // JetStream store; default <data_root>/nats
};

// The instance's nats-server configuration: listen address from nats.url, its JetStream domain,
// the leaf-node hub for its children (one user per child), the leaf-node remote to its parent
// with the share-level protections, TLS when configured. Refuses a non-loopback address without
// TLS (only the local profile may be plaintext).
absl::StatusOr<std::string> RenderNatsServerConfig(const v1::InstanceConfig& config,
                                                   const NatsServerRenderOptions& options);

}  // namespace renkei::common
