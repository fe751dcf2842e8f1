#include "renkei/common/federation.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/jurisdiction.h"

namespace renkei::common {
namespace {

// "nats://host:port" (first of a list) -> "host:port".
std::string HostPortOfUrl(std::string_view url) {
  std::string_view u = url.substr(0, url.find(','));
  if (auto at = u.find("://"); at != std::string_view::npos) u = u.substr(at + 3);
  if (auto at = u.rfind('@'); at != std::string_view::npos) u = u.substr(at + 1);
  return std::string(u);
}

std::string HostOf(std::string_view host_port) {
  std::string_view h = host_port;
  if (auto at = h.rfind(':'); at != std::string_view::npos) h = h.substr(0, at);
  return std::string(h);
}

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string QuotedList(const std::vector<std::string>& items, const std::string& indent) {
  std::string out = "[\n";
  for (const auto& i : items) absl::StrAppend(&out, indent, "  ", Quote(i), ",\n");
  return absl::StrCat(out, indent, "]");
}

std::string TlsBlock(const v1::NatsTlsConfig& tls, const std::string& indent) {
  std::string out = absl::StrCat(indent, "tls {\n");
  absl::StrAppend(&out, indent, "  cert_file: ", Quote(tls.cert_file()), "\n");
  absl::StrAppend(&out, indent, "  key_file: ", Quote(tls.key_file()), "\n");
  if (!tls.ca_file().empty())
    absl::StrAppend(&out, indent, "  ca_file: ", Quote(tls.ca_file()), "\n");
  if (tls.verify_clients()) absl::StrAppend(&out, indent, "  verify: true\n");
  if (!tls.min_version().empty()) {
    absl::StrAppend(&out, indent, "  min_version: ", Quote(tls.min_version()), "\n");
  }
  absl::StrAppend(&out, indent, "  timeout: 2\n", indent, "}\n");
  return out;
}

bool HasTls(const v1::NatsTlsConfig& tls) { return !tls.cert_file().empty(); }

}  // namespace

std::string EventFilter(std::string_view share, std::string_view origin, std::string_view aggregate,
                        std::string_view type) {
  std::string s = "renkei.";
  s.append(share).append(".").append(origin).append(".").append(aggregate).append(".").append(type);
  return s;
}

bool HasParent(const v1::InstanceConfig& config) {
  return config.federation().has_parent() &&
         config.federation().parent().level() != v1::INSTANCE_LEVEL_UNSPECIFIED;
}
bool HasChildren(const v1::InstanceConfig& config) {
  return config.federation().children_size() > 0;
}
bool IsFederated(const v1::InstanceConfig& config) {
  return HasParent(config) || HasChildren(config);
}

std::string PeerInstanceId(const v1::FederationPeer& peer) {
  v1::InstanceIdentity id;
  id.set_level(peer.level());
  id.set_code(peer.code());
  return InstanceId(id);
}

std::string PeerDomain(const v1::FederationPeer& peer) {
  return peer.jetstream_domain().empty() ? PeerInstanceId(peer) : peer.jetstream_domain();
}

std::string OwnDomain(const v1::InstanceConfig& config) {
  return config.nats().jetstream_domain().empty() ? InstanceId(config.instance())
                                                  : config.nats().jetstream_domain();
}

std::vector<StreamSpec> FederationStreams(const v1::InstanceConfig& config) {
  std::vector<StreamSpec> streams;
  if (!IsFederated(config)) return streams;
  const std::string self = InstanceId(config.instance());
  const std::string& events = config.nats().stream();
  const v1::InstanceLevel level = config.instance().level();
  auto spec = [&](std::string name) {
    StreamSpec s;
    s.name = std::move(name);
    s.duplicate_window_seconds = config.nats().duplicate_window_seconds();
    s.max_age_seconds = int64_t{config.nats().max_age_days()} * 86400;
    return s;
  };
  if (level != v1::INSTANCE_LEVEL_NATIONAL) {
    StreamSpec pref = spec(kSharePrefStream);
    pref.sources.push_back({events, EventFilter("pref", self, "*", "*"), ""});
    streams.push_back(std::move(pref));
  }
  if (HasChildren(config)) {
    StreamSpec children = spec(kChildrenStream);
    for (const auto& child : config.federation().children()) {
      const std::string domain = PeerDomain(child);
      // A prefecture sees its municipalities' pref and national events; the nation sees the
      // national events of each prefecture (its own and its municipalities').
      if (level == v1::INSTANCE_LEVEL_PREFECTURE) {
        children.sources.push_back({kSharePrefStream, "", domain});
      }
      children.sources.push_back({kShareNationalStream, "", domain});
    }
    streams.push_back(std::move(children));
  }
  {
    StreamSpec national = spec(kShareNationalStream);
    national.sources.push_back({events, EventFilter("national", self, "*", "*"), ""});
    if (HasChildren(config) && level == v1::INSTANCE_LEVEL_PREFECTURE) {
      national.sources.push_back({kChildrenStream, "renkei.national.>", ""});
    }
    streams.push_back(std::move(national));
  }
  if (HasParent(config)) {
    StreamSpec parent = spec(kParentStream);
    parent.sources.push_back({kDownStream, "", PeerDomain(config.federation().parent())});
    streams.push_back(std::move(parent));
  }
  if (HasChildren(config)) {
    // What every child receives: this instance's own shared events, the resources of every child
    // (a prefecture only: each municipality holds its prefecture's resources), and what came down
    // from further up.
    StreamSpec down = spec(kDownStream);
    if (level != v1::INSTANCE_LEVEL_NATIONAL) down.sources.push_back({kSharePrefStream, "", ""});
    down.sources.push_back({events, EventFilter("national", self, "*", "*"), ""});
    if (level == v1::INSTANCE_LEVEL_PREFECTURE) {
      down.sources.push_back({kChildrenStream, EventFilter("*", "*", "resource", "*"), ""});
    }
    if (HasParent(config)) down.sources.push_back({kParentStream, "", ""});
    streams.push_back(std::move(down));
  }
  return streams;
}

void ValidateFederation(v1::InstanceConfig* config, FieldViolations* v) {
  if (!config->has_federation()) return;
  auto* fed = config->mutable_federation();
  const auto& inst = config->instance();
  const auto& jur = Jurisdictions::Get();
  const std::string own_pref = inst.code().substr(0, 2);

  auto check_peer = [&](const v1::FederationPeer& peer, const std::string& path) -> bool {
    switch (peer.level()) {
      case v1::INSTANCE_LEVEL_MUNICIPALITY:
        if (jur.FindMunicipality(peer.code()) == nullptr) {
          v->Add(path + ".code", "市区町村の6桁コードです / a municipality code");
          return false;
        }
        return true;
      case v1::INSTANCE_LEVEL_PREFECTURE:
        if (peer.code().size() != 6 || jur.FindPrefecture(peer.code()) == nullptr) {
          v->Add(path + ".code", "都道府県の6桁コードです (例: 130001) / a prefecture code");
          return false;
        }
        return true;
      case v1::INSTANCE_LEVEL_NATIONAL:
        if (!peer.code().empty()) v->Add(path + ".code", "国にコードは不要です / must be empty");
        return peer.code().empty();
      default:
        v->Add(path + ".level", "MUNICIPALITY, PREFECTURE, NATIONAL のいずれかです / required");
        return false;
    }
  };

  if (fed->has_parent()) {
    const auto& parent = fed->parent();
    if (check_peer(parent, "federation.parent")) {
      const bool ok = (inst.level() == v1::INSTANCE_LEVEL_MUNICIPALITY &&
                       parent.level() == v1::INSTANCE_LEVEL_PREFECTURE &&
                       parent.code().substr(0, 2) == own_pref) ||
                      (inst.level() == v1::INSTANCE_LEVEL_PREFECTURE &&
                       parent.level() == v1::INSTANCE_LEVEL_NATIONAL);
      if (!ok) {
        v->Add("federation.parent",
               "市区町村の親はその都道府県、都道府県の親は国です / a municipality's parent is its "
               "prefecture, a prefecture's the nation");
      }
    }
    if (inst.level() == v1::INSTANCE_LEVEL_NATIONAL) {
      v->Add("federation.parent", "国に親はありません / the nation has no parent");
    }
    if (parent.leafnode_url().empty()) {
      v->Add("federation.parent.leafnode_url",
             "必須です (例: nats-leaf://127.0.0.1:7422) / required");
    } else if (parent.leafnode_url().rfind("nats-leaf://", 0) != 0 &&
               parent.leafnode_url().rfind("tls://", 0) != 0) {
      v->Add("federation.parent.leafnode_url",
             "nats-leaf:// か tls:// で始まります / starts with nats-leaf:// or tls://");
    }
  }
  std::set<std::string> seen;
  for (int i = 0; i < fed->children_size(); ++i) {
    const std::string path = "federation.children[" + std::to_string(i) + "]";
    const auto& child = fed->children(i);
    if (!check_peer(child, path)) continue;
    const bool ok = (inst.level() == v1::INSTANCE_LEVEL_PREFECTURE &&
                     child.level() == v1::INSTANCE_LEVEL_MUNICIPALITY &&
                     child.code().substr(0, 2) == own_pref) ||
                    (inst.level() == v1::INSTANCE_LEVEL_NATIONAL &&
                     child.level() == v1::INSTANCE_LEVEL_PREFECTURE);
    if (!ok) {
      v->Add(path,
             "都道府県の子はその市区町村、国の子は都道府県です / a prefecture's children are "
             "its municipalities, the nation's the prefectures");
    }
    if (!seen.insert(PeerDomain(child)).second) {
      v->Add(path + ".jetstream_domain", "子の重複です / duplicate child");
    }
    if (child.leaf_user().empty() && child.leaf_credentials_file().empty()) {
      v->Add(path + ".leaf_user", "子ごとの認証情報が必要です / each child needs its credentials");
    }
  }
  if (fed->children_size() > 0 && fed->leafnode_listen().empty()) {
    v->Add("federation.leafnode_listen", "子を持つインスタンスに必須です / required with children");
  } else if (!fed->leafnode_listen().empty() && !IsHostPort(fed->leafnode_listen())) {
    v->Add("federation.leafnode_listen", "host:port です / host:port");
  }
  if (fed->children_size() == 0 && !fed->has_parent() && !fed->leafnode_listen().empty()) {
    v->Add("federation", "親か子を指定してください / name a parent or children");
  }
  if (fed->has_tls() && (fed->tls().cert_file().empty() || fed->tls().key_file().empty())) {
    v->Add("federation.tls", "cert_file と key_file が必要です / cert_file and key_file required");
  }
}

absl::StatusOr<std::string> RenderNatsServerConfig(const v1::InstanceConfig& config,
                                                   const NatsServerRenderOptions& options) {
  const std::string self = InstanceId(config.instance());
  const std::string domain = OwnDomain(config);
  const auto& fed = config.federation();
  const std::string listen = HostPortOfUrl(config.nats().url());
  const bool tls = HasTls(fed.tls());
  // The local profile: every address on loopback. Anything else needs TLS.
  std::vector<std::string> hosts = {HostOf(listen)};
  if (!fed.leafnode_listen().empty()) hosts.push_back(HostOf(fed.leafnode_listen()));
  if (HasParent(config)) hosts.push_back(HostOf(HostPortOfUrl(fed.parent().leafnode_url())));
  for (const auto& h : hosts) {
    if (!IsLoopbackHost(h) && !tls) {
      return absl::FailedPreconditionError(
          "ループバック以外は TLS が必要です (federation.tls) / a non-loopback address (" + h +
          ") needs federation.tls: plaintext is for the local profile only");
    }
  }
  std::string store = options.store_dir;
  if (store.empty()) store = (config.data_root().empty() ? "data" : config.data_root()) + "/nats";

  std::string out;
  absl::StrAppend(
      &out, "# nats-server for the ", InstanceLevelWord(config.instance().level()), " instance ",
      self, " (", config.instance().name(), ").\n",
      "# Rendered by `renkeictl federation nats-config` from the instance file; ",
      tls ? "production profile (TLS).\n" : "local profile (loopback, plaintext).\n",
      "# nats-server 2.9.10 (Debian) is the floor; production targets a patched 2.10+.\n");
  if (!fed.sync_interval().empty() || !fed.tls().min_version().empty()) {
    absl::StrAppend(&out,
                    "# Uses 2.10+ settings (tls min_version, jetstream sync_interval): run a "
                    "patched 2.10+ release,\n# not Debian's 2.9.10 (authentication-bypass "
                    "advisories such as CVE-2023-47090).\n");
  }
  absl::StrAppend(&out, "server_name: ", Quote(self), "\n");
  absl::StrAppend(&out, "listen: ", Quote(listen), "\n");
  if (tls) out += TlsBlock(fed.tls(), "");
  absl::StrAppend(&out, "jetstream {\n  domain: ", Quote(domain), "\n  store_dir: ", Quote(store),
                  "\n  max_memory_store: 256MB\n  max_file_store: 64GB\n");
  if (!fed.sync_interval().empty()) {
    absl::StrAppend(&out, "  sync_interval: ", Quote(fed.sync_interval()), "\n");
  }
  out += "}\n";
  if (!fed.leafnode_listen().empty() || HasParent(config)) {
    out += "leafnodes {\n";
    if (!fed.leafnode_listen().empty()) {
      absl::StrAppend(&out, "  listen: ", Quote(fed.leafnode_listen()), "\n");
      if (!fed.leafnode_advertise().empty()) {
        absl::StrAppend(&out, "  advertise: ", Quote(fed.leafnode_advertise()), "\n");
      }
      if (tls) out += TlsBlock(fed.tls(), "  ");
      // One user per child: a child's link is refused without its own credentials.
      std::vector<std::string> users;
      for (const auto& child : fed.children()) {
        if (child.leaf_user().empty()) continue;
        users.push_back(absl::StrCat("      { user: ", Quote(child.leaf_user()),
                                     ", password: ", Quote(child.leaf_password()), " }"));
      }
      if (!users.empty()) {
        absl::StrAppend(&out, "  authorization {\n    users: [\n", absl::StrJoin(users, ",\n"),
                        "\n    ]\n  }\n");
      }
    }
    if (HasParent(config)) {
      const auto& parent = fed.parent();
      std::string url = parent.leafnode_url();
      if (parent.leaf_credentials_file().empty() && !parent.leaf_user().empty()) {
        const auto scheme_end = url.find("://") + 3;
        url = absl::StrCat(url.substr(0, scheme_end), parent.leaf_user(), ":",
                           parent.leaf_password(), "@", url.substr(scheme_end));
      }
      // Protections of this instance against its parent, enforced by this server: `local`
      // events never cross the link in either direction, and the parent may not read or change
      // any stream but the share streams it sources (no consumer, message get or direct get on
      // them; no stream created, changed, purged or deleted; no consumer deleted).
      std::vector<std::string> deny_imports = {"renkei.local.>"};
      const std::string api = "$JS." + domain + ".API.";
      std::vector<std::string> guarded = {config.nats().stream(), kParentStream};
      if (HasChildren(config)) {
        guarded.push_back(kChildrenStream);
        guarded.push_back(kDownStream);
        // The nation sources a prefecture's national share only.
        guarded.push_back(kSharePrefStream);
      }
      for (const auto& s : guarded) {
        for (const auto& suffix :
             {"CONSUMER.CREATE." + s, "CONSUMER.CREATE." + s + ".>",
              "CONSUMER.DURABLE.CREATE." + s + ".>", "CONSUMER.DELETE." + s + ".>",
              "STREAM.MSG.GET." + s, "DIRECT.GET." + s, "DIRECT.GET." + s + ".>"}) {
          deny_imports.push_back(api + suffix);
        }
      }
      for (const char* op :
           {"STREAM.CREATE.>", "STREAM.UPDATE.>", "STREAM.DELETE.>", "STREAM.PURGE.>",
            "STREAM.MSG.DELETE.>", "STREAM.SNAPSHOT.>", "STREAM.RESTORE.>", "META.>", "SERVER.>"}) {
        deny_imports.push_back(api + op);
      }
      out += "  remotes: [\n    {\n";
      absl::StrAppend(&out, "      url: ", Quote(url), "\n");
      if (!parent.leaf_credentials_file().empty()) {
        absl::StrAppend(&out, "      credentials: ", Quote(parent.leaf_credentials_file()), "\n");
      }
      if (tls) out += TlsBlock(fed.tls(), "      ");
      absl::StrAppend(&out, "      deny_exports: ", QuotedList({"renkei.local.>"}, "      "), "\n");
      absl::StrAppend(&out, "      deny_imports: ", QuotedList(deny_imports, "      "), "\n");
      out += "    }\n  ]\n";
    }
    out += "}\n";
  }
  return out;
}

}  // namespace renkei::common
