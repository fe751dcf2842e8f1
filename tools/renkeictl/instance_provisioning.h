// Provisioning an instance and its leaf link to the parent (`renkeictl instance init | admit |
// join`, docs/provisioning.md):
//
//   init   (the new instance) writes its directory: the instance file, the nats-server
//          configuration rendered from it, the token signing key, TLS (a key and a CSR for the
//          instance's own PKI, or a certificate of the development CA), the console's first staff
//          account and, below the nation, a join request for the parent (no secret in it);
//   admit  (the parent) adds the requesting child with a new leaf password to its
//          federation.children, renders its nats-server configuration again, and writes the
//          child's credentials file (0600): the child's federation.parent entry, complete;
//   join   (the child) takes that entry as its federation.parent and renders its configuration
//          again.
//
// Every file written is checked first: the instance file must load and validate
// (common::ParseInstanceConfig, each service section, the gateway's) and the nats-server
// configuration must render (common::RenderNatsServerConfig), or nothing is written. Nothing that
// exists is overwritten, except that admit and join replace the instance file and nats.conf they
// change (atomically: a synced temporary file renamed over the old), nats.conf first and the
// instance file last: one that fails halfway leaves nothing changed (the credentials file removed,
// nats.conf put back) or, at worst, a nats.conf that the same command run again renders anew.
//
// Errors: ALREADY_EXISTS (a file that would be overwritten, a child already admitted, an
// instance already joined), INVALID_ARGUMENT (a bad code, level, option or request; the message
// names the problem), NOT_FOUND (a missing instance file, request, credentials or CA),
// INTERNAL (the file system, OpenSSL).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/v1/config.pb.h"

namespace renkei::cli {

struct InitOptions {
  v1::InstanceLevel level = v1::INSTANCE_LEVEL_UNSPECIFIED;
  // A municipality's 6-digit code (check digit verified), a prefecture's "13" or "130001";
  // empty or "000000" for the nation.
  std::string code;
  // Where the files go (created when missing; files in it are never overwritten).
  std::string dir;
  // Default: <dir>/data in the local layout, /var/lib/renkei/<id>/data in production (the
  // package's layout, docs/packaging.md). Its parent, the state directory, holds what the services
  // and the gateway write besides: the data keys (keys/data/, the default data_key_dir) and the
  // accounts file. Neither may be /; the data root must be absent or empty, and so must the state
  // directory (but for the data root) unless it is `dir` (the local layout).
  std::string data_root;
  // The token signing keys. Default: <dir>/keys in the local layout, <dir>/../keys/<id> in
  // production (/etc/renkei/keys/m132250).
  std::string key_dir;
  // The user the services run as (e.g. "renkei"). What init makes for the services becomes its
  // own — the token keys and the TLS key it writes, the accounts file, and the directories it
  // creates of the key directory and the state directory (the state directory itself, keys/data/,
  // the data root) — and the configuration it writes (instance.json, nats.conf: 0640, the caller's)
  // readable by its group. Nothing that existed before changes hands. `dir` must not be inside the
  // state or key directory (refused: so not in the local layout without --data-root elsewhere).
  // Empty: everything the caller's.
  std::string service_user;
  // The local layout (every address on loopback, plaintext unless dev_ca_dir): nats-server B,
  // leaf-node hub B+1, gateway B+10, gRPC B+11..B+16 (directory, intake, issues, training,
  // indicators, network), metrics B+21..B+26 — tools/federation.sh's. 0: the production layout
  // (nats-server 127.0.0.1:4222, leaf-node hub 0.0.0.0:7422, gRPC 0.0.0.0:7101..7106 over TLS,
  // metrics 127.0.0.1:9101..9106, gateway 127.0.0.1:7180).
  int base_port = 0;
  // The parent, checked against the level's (a municipality's is its prefecture, a
  // prefecture's the nation); unspecified/empty: that one.
  v1::InstanceLevel parent_level = v1::INSTANCE_LEVEL_UNSPECIFIED;
  std::string parent_code;
  // The parent's leaf-node URL (nats-leaf:// or tls://). Empty: the parent entry is written by
  // join, from the credentials.
  std::string parent_url;
  // A development CA (tools/dev-ca.sh: ca.crt, ca.key) that signs the instance's certificate.
  // Empty: a key and a CSR, and the instance file points at where the signed certificate goes.
  std::string dev_ca_dir;
  // Host names the certificate is for besides the instance id and localhost.
  std::vector<std::string> hosts;
  std::string staff_login;  // default <id>-admin
  std::string key_id;       // default <id>-services
  std::string console_dir;  // gateway.static_dir; empty: the API only
};

struct InitResult {
  std::string instance_id;         // "m132250"
  std::string name;                // "東京都稲城市"
  std::vector<std::string> files;  // written (absolute paths)
  std::string staff_login;
  std::string temporary_password;      // shown once
  bool tls = false;                    // the instance file uses TLS
  bool certificate_requested = false;  // the CSR waits for the instance's CA
  std::string cert_file, ca_file, csr_file;
  std::string parent_id;    // "" for the nation
  bool parent_url = false;  // the parent's URL is already in the instance file
};

absl::StatusOr<InitResult> InitInstance(const InitOptions& options);

struct AdmitOptions {
  std::string dir;      // the parent's directory (instance.json, nats.conf)
  std::string request;  // the child's join-request.json
  // The credentials file to write; default <dir>/credentials-<child id>.json.
  std::string out;
  // Where the hub listens, when the instance file has no federation.leafnode_listen yet. Default:
  // 0.0.0.0:7422 when nats.url uses port 4222 (the production layout), else
  // 127.0.0.1:<nats port + 1> (the local layout).
  std::string leafnode_listen;
  // The URL the child connects to. Default: from federation.leafnode_advertise, else from the
  // listen address (refused when that is 0.0.0.0). Given while the hub listens on every address
  // and advertises nothing, it becomes federation.leafnode_advertise.
  std::string leaf_url;
};

struct AdmitResult {
  std::string instance_id;  // the parent
  std::string child_id;
  std::string credentials_file;
  std::string leaf_url;
  bool hub_added = false;  // leafnode_listen was set now: the first child
};

absl::StatusOr<AdmitResult> AdmitChild(const AdmitOptions& options);

struct JoinOptions {
  std::string dir;          // the child's directory
  std::string credentials;  // the file admit wrote
};

struct JoinResult {
  std::string instance_id;
  std::string parent_id;
  std::string leaf_url;
  bool kept_own_url = false;  // the URL given at init was kept over the credentials'
};

absl::StatusOr<JoinResult> JoinParent(const JoinOptions& options);

// "市区町村", "都道府県", "国".
std::string LevelJa(v1::InstanceLevel level);

}  // namespace renkei::cli
