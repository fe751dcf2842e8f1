#include "instance_provisioning.h"

#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"
#include "gateway/accounts.h"
#include "gateway/gateway.h"
#include "google/protobuf/util/json_util.h"
#include "instance_tls.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/federation.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/tokens.h"

namespace renkei::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kInstanceFile[] = "instance.json";
constexpr char kNatsFile[] = "nats.conf";
constexpr char kJoinRequestFile[] = "join-request.json";
constexpr char kAccountsFile[] = "accounts.json";

// The production layout's ports (deploy/federation/*.json).
constexpr int kNatsPort = 4222;
constexpr int kLeafPort = 7422;
constexpr int kGrpcPort = 7101;
constexpr int kMetricsPort = 9101;
constexpr int kGatewayPort = 7180;

// Every service in the order of their ports (…1 directory … …6 network).
constexpr const char* kServices[] = {"directory", "intake",     "issues",
                                     "training",  "indicators", "network"};

std::vector<std::string> ServicesOf(v1::InstanceLevel level) {
  switch (level) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY:
      return {"directory", "intake", "issues", "training", "indicators", "network"};
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return {"directory", "issues", "training", "indicators", "network"};
    default:
      return {"training", "indicators", "network"};
  }
}

int ServiceIndex(const std::string& service) {
  for (int i = 0; i < 6; ++i) {
    if (service == kServices[i]) return i;
  }
  return 0;
}

v1::ServerConfig* ServerOf(v1::InstanceConfig* c, const std::string& service) {
  if (service == "directory") return c->mutable_directory()->mutable_server();
  if (service == "intake") return c->mutable_intake()->mutable_server();
  if (service == "issues") return c->mutable_issues()->mutable_server();
  if (service == "training") return c->mutable_training()->mutable_server();
  if (service == "indicators") return c->mutable_indicators()->mutable_server();
  return c->mutable_network()->mutable_server();
}

bool HasSection(const v1::InstanceConfig& c, const std::string& service) {
  if (service == "directory") return c.has_directory();
  if (service == "intake") return c.has_intake();
  if (service == "issues") return c.has_issues();
  if (service == "training") return c.has_training();
  if (service == "indicators") return c.has_indicators();
  return c.has_network();
}

// Where one instance's processes listen: the local layout from a base port, or production's.
struct Layout {
  int base = 0;  // 0: production

  bool local() const { return base != 0; }
  std::string NatsUrl() const {
    return "nats://127.0.0.1:" + std::to_string(local() ? base : kNatsPort);
  }
  std::string LeafListen() const {
    return local() ? "127.0.0.1:" + std::to_string(base + 1)
                   : "0.0.0.0:" + std::to_string(kLeafPort);
  }
  std::string Gateway() const {
    return "127.0.0.1:" + std::to_string(local() ? base + 10 : kGatewayPort);
  }
  // The service's gRPC listen address.
  std::string Listen(const std::string& service) const {
    const int i = ServiceIndex(service);
    return local() ? "127.0.0.1:" + std::to_string(base + 11 + i)
                   : "0.0.0.0:" + std::to_string(kGrpcPort + i);
  }
  // Where the instance's other services reach it (same host).
  std::string Reach(const std::string& service) const {
    const int i = ServiceIndex(service);
    return "127.0.0.1:" + std::to_string(local() ? base + 11 + i : kGrpcPort + i);
  }
  std::string Metrics(const std::string& service) const {
    const int i = ServiceIndex(service);
    return "127.0.0.1:" + std::to_string(local() ? base + 21 + i : kMetricsPort + i);
  }
};

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = path;
  p = p.lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

absl::Status Exists(const std::string& path) {
  return absl::AlreadyExistsError(path + " があります。上書きしません / " + path +
                                  " exists: not overwritten");
}

// Creates `path` (failing when it exists) with exactly `mode`, writes and syncs it.
absl::Status WriteNew(const std::string& path, const std::string& content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return Exists(path);
    return absl::InternalError("作成できません / cannot create " + path + ": " +
                               std::strerror(errno));
  }
  bool ok = ::fchmod(fd, mode) == 0;
  size_t done = 0;
  while (ok && done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      break;
    }
    done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    return absl::InternalError("書き込めません / cannot write " + path + ": " +
                               std::strerror(errno));
  }
  return absl::OkStatus();
}

// Replaces `path` atomically (a synced temporary file renamed over it), keeping its mode, owner
// and group.
absl::Status Replace(const std::string& path, const std::string& content, mode_t mode) {
  struct stat st {};
  const bool existed = ::stat(path.c_str(), &st) == 0;
  if (existed) mode = st.st_mode & 07777;
  const std::string tmp = path + ".new-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove(tmp, ec);
  RETURN_IF_ERROR(WriteNew(tmp, content, mode));
  if (existed && (st.st_uid != ::geteuid() || st.st_gid != ::getegid()) &&
      ::chown(tmp.c_str(), st.st_uid, st.st_gid) != 0) {
    const int err = errno;
    fs::remove(tmp, ec);
    return absl::InternalError("所有者を保てません / cannot keep the owner of " + path + ": " +
                               std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    fs::remove(tmp, ec);
    return absl::InternalError("置き換えられません / cannot replace " + path + ": " +
                               std::strerror(err));
  }
  return absl::OkStatus();
}

struct Owner {
  uid_t uid;
  gid_t gid;
};

// The user the services run as (e.g. "renkei", docs/packaging.md) and its group.
absl::StatusOr<Owner> LookUpUser(const std::string& name) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return absl::InvalidArgumentError("--service-user: そのユーザーはいません: " + name +
                                      " / no such user");
  }
  return Owner{pw.pw_uid, pw.pw_gid};
}

// chown of `path` alone (a symbolic link itself); -1 leaves an id as it is.
absl::Status Chown(const std::string& path, uid_t uid, gid_t gid) {
  if (::lchown(path.c_str(), uid, gid) != 0) {
    return absl::InternalError("所有者を変えられません / cannot chown " + path + ": " +
                               std::strerror(errno));
  }
  return absl::OkStatus();
}

// Creates `path` and its missing parents (`perms` on `path` itself), adding each directory it
// creates to `created`, parents first: what init may give to the service user is what it made.
absl::Status MakeDir(const std::string& path, fs::perms perms, std::vector<std::string>* created) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return absl::OkStatus();
  std::vector<std::string> missing;
  for (fs::path p = path; !fs::exists(p, ec) && p != p.parent_path(); p = p.parent_path()) {
    missing.push_back(p.string());
  }
  if (!fs::create_directories(path, ec) || ec) {
    return absl::InternalError("ディレクトリを作れません / cannot create " + path + ": " +
                               ec.message());
  }
  created->insert(created->end(), missing.rbegin(), missing.rend());
  fs::permissions(path, perms, ec);
  return absl::OkStatus();
}

// `path` is `base` or below it (absolute, normalized paths).
bool Within(const std::string& path, const std::string& base) {
  return path == base || base == "/" || path.rfind(base + "/", 0) == 0;
}

// Whether the directory `dir` holds nothing but `except` (absent or empty: checked on its own).
bool HoldsOnly(const std::string& dir, const std::string& except) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().string() != except) return false;
  }
  return !ec;
}

// The content of a file admit or join is about to replace, to put back when what follows fails;
// nullopt when there is no regular file there.
absl::StatusOr<std::optional<std::string>> Snapshot(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::optional<std::string>();
  std::ifstream in(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || in.bad()) {
    return absl::InternalError("読めません / cannot read " + path);
  }
  return std::optional<std::string>(std::move(content));
}

// Puts back what Snapshot read (best effort: the caller reports the first failure).
void PutBack(const std::string& path, const std::optional<std::string>& before) {
  std::error_code ec;
  if (before) {
    (void)Replace(path, *before, 0640);
  } else {
    fs::remove(path, ec);
  }
}

std::string ToJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  o.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(m, &json, o);
  // protobuf indents by one space a level, the repository's files by two. (A line break inside a
  // JSON string is escaped: every line of the text starts a member or a bracket.)
  std::string out;
  size_t at = 0;
  while (at < json.size()) {
    size_t eol = json.find('\n', at);
    if (eol == std::string::npos) eol = json.size();
    size_t indent = 0;
    while (at + indent < eol && json[at + indent] == ' ') ++indent;
    out.append(indent, ' ');
    out.append(json, at, eol - at);
    out += '\n';
    at = eol + 1;
  }
  return out;
}

// A JSON file in the protobuf JSON mapping, unknown keys refused.
absl::Status ReadJsonFile(const std::string& path, const std::string& what,
                          google::protobuf::Message* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(what + "を開けません / cannot open " + path);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto s = google::protobuf::util::JsonStringToMessage(buf.str(), out, options);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        path + ": " + what + "として読めません / not readable: " + std::string(s.message()));
  }
  return absl::OkStatus();
}

// The instance file as written (no defaults filled in), to change and write back.
absl::StatusOr<v1::InstanceConfig> ReadInstanceFile(const std::string& dir) {
  v1::InstanceConfig c;
  RETURN_IF_ERROR(ReadJsonFile(dir + "/" + kInstanceFile, "インスタンス設定", &c));
  return c;
}

// Checks the instance file as the services will (the common sections, each service's server
// section, the gateway's) and renders its nats-server configuration: what may be written.
absl::StatusOr<std::string> CheckAndRender(const v1::InstanceConfig& raw) {
  auto parsed = common::ParseInstanceConfig(ToJson(raw));
  if (!parsed.ok()) return parsed.status();
  v1::InstanceConfig c = *std::move(parsed);
  common::FieldViolations v;
  for (const char* service : kServices) {
    if (!HasSection(c, service)) continue;
    common::PrepareServerConfig(c, service, std::string(service) + ".server", ServerOf(&c, service),
                                &v);
  }
  RETURN_IF_ERROR(v.ToStatus());
  if (c.has_gateway()) RETURN_IF_ERROR(gateway::PrepareGatewayConfig(&c));
  return common::RenderNatsServerConfig(c, {});
}

// The 6-digit code of the instance ("" for the nation), or why `code` is not one of `level`.
absl::StatusOr<std::string> NormalizeCode(v1::InstanceLevel level, const std::string& code,
                                          const std::string& option) {
  const auto& j = common::Jurisdictions::Get();
  switch (level) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY: {
      common::FieldViolations v;
      v.CheckMunicipalityCode(option, code);
      RETURN_IF_ERROR(v.ToStatus());
      return code;
    }
    case v1::INSTANCE_LEVEL_PREFECTURE: {
      const common::Prefecture* p = j.FindPrefecture(code);
      if (p == nullptr || (code.size() != 2 && code.size() != 6)) {
        return absl::InvalidArgumentError(
            option + ": 都道府県のコードではありません (例: 13 または 130001): " + code +
            " / not a prefecture code (e.g. 13 or 130001)");
      }
      return p->code;
    }
    case v1::INSTANCE_LEVEL_NATIONAL:
      if (!code.empty() && code != "000000") {
        return absl::InvalidArgumentError(
            option + ": 国にコードは不要です (000000 は可) / the nation has no code");
      }
      return std::string();
    default:
      return absl::InvalidArgumentError(
          "--level: municipality, prefecture, national のいずれかです / one of municipality, "
          "prefecture, national");
  }
}

// The parent an instance of this identity must have (level and code); NOT_FOUND for the nation.
absl::StatusOr<v1::FederationPeer> ExpectedParent(const v1::InstanceIdentity& id) {
  v1::FederationPeer p;
  switch (id.level()) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY: {
      const auto* pref = common::Jurisdictions::Get().FindPrefecture(id.code().substr(0, 2));
      if (pref == nullptr) return absl::InvalidArgumentError("unknown prefecture of " + id.code());
      p.set_level(v1::INSTANCE_LEVEL_PREFECTURE);
      p.set_code(pref->code);
      return p;
    }
    case v1::INSTANCE_LEVEL_PREFECTURE:
      p.set_level(v1::INSTANCE_LEVEL_NATIONAL);
      return p;
    default:
      return absl::InvalidArgumentError("国に親はありません / the nation has no parent");
  }
}

std::string Describe(v1::InstanceLevel level, const std::string& code) {
  if (level == v1::INSTANCE_LEVEL_NATIONAL) return "国";
  return JurisdictionName(code);
}

std::string PeerLabel(const v1::FederationPeer& p) {
  return common::PeerInstanceId(p) + " (" + Describe(p.level(), p.code()) + ")";
}

// Letters and digits from libsodium's generator.
std::string RandomText(const char* alphabet, int length, int group) {
  const uint32_t n = static_cast<uint32_t>(std::strlen(alphabet));
  std::string out;
  for (int i = 0; i < length; ++i) {
    if (group > 0 && i > 0 && i % group == 0) out += '-';
    out += alphabet[randombytes_uniform(n)];
  }
  return out;
}

// A child's leaf-node password: 24 letters and digits (~143 bits), nothing nats-server's
// configuration syntax or a URL's user information would have to escape.
std::string LeafPassword() {
  return RandomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 24, 0);
}

v1::Role StaffRole(v1::InstanceLevel level) {
  switch (level) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY:
      return v1::ROLE_MUNICIPAL_STAFF;
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return v1::ROLE_PREFECTURE_STAFF;
    default:
      return v1::ROLE_NATIONAL_STAFF;
  }
}

// "host" of "host:port" (brackets of an IPv6 address removed).
std::string HostOf(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  std::string host = colon == std::string::npos ? host_port : host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host;
}

bool IsWildcard(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::";
}

// The port of the first URL of nats.url; 0 when there is none.
int NatsPort(const std::string& url) {
  std::string first = url.substr(0, url.find(','));
  const auto scheme = first.find("://");
  if (scheme != std::string::npos) first = first.substr(scheme + 3);
  const auto colon = first.rfind(':');
  if (colon == std::string::npos) return 0;
  return std::atoi(first.c_str() + colon + 1);
}

bool FederationTls(const v1::InstanceConfig& c) {
  return !c.federation().tls().cert_file().empty();
}

}  // namespace

std::string LevelJa(v1::InstanceLevel level) {
  switch (level) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY:
      return "市区町村";
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return "都道府県";
    case v1::INSTANCE_LEVEL_NATIONAL:
      return "国";
    default:
      return "不明";
  }
}

absl::StatusOr<InitResult> InitInstance(const InitOptions& o) {
  InitResult r;
  v1::InstanceIdentity identity;
  identity.set_level(o.level);
  ASSIGN_OR_RETURN(std::string code, NormalizeCode(o.level, o.code, "--code"));
  identity.set_code(code);
  r.instance_id = common::InstanceId(identity);
  r.name = Describe(o.level, code);

  // The parent: the one the level implies, and what the options say must agree.
  v1::FederationPeer parent;
  if (o.level == v1::INSTANCE_LEVEL_NATIONAL) {
    if (o.parent_level != v1::INSTANCE_LEVEL_UNSPECIFIED || !o.parent_code.empty() ||
        !o.parent_url.empty()) {
      return absl::InvalidArgumentError("国に親はありません / the nation has no parent");
    }
  } else {
    ASSIGN_OR_RETURN(parent, ExpectedParent(identity));
    r.parent_id = common::PeerInstanceId(parent);
    if (o.parent_level != v1::INSTANCE_LEVEL_UNSPECIFIED && o.parent_level != parent.level()) {
      return absl::InvalidArgumentError("--parent-level: " + LevelJa(o.level) + "の親は" +
                                        LevelJa(parent.level()) + "です / a " +
                                        common::InstanceLevelWord(o.level) + "'s parent is the " +
                                        common::InstanceLevelWord(parent.level()) + " level");
    }
    if (!o.parent_code.empty()) {
      ASSIGN_OR_RETURN(std::string given,
                       NormalizeCode(parent.level(), o.parent_code, "--parent-code"));
      if (given != parent.code()) {
        return absl::InvalidArgumentError(
            "--parent-code: " + r.name + "の親は " + PeerLabel(parent) + " です (" + o.parent_code +
            " ではありません) / the parent of " + r.instance_id + " is " +
            common::PeerInstanceId(parent) + ", not " + o.parent_code);
      }
    }
    parent.set_leafnode_url(o.parent_url);
  }

  if (o.base_port != 0 && (o.base_port < 1024 || o.base_port > 65535 - 26)) {
    return absl::InvalidArgumentError("--base-port: 1024〜65509 です / 1024..65509");
  }
  const std::string key_id = o.key_id.empty() ? r.instance_id + "-services" : o.key_id;
  if (!common::IsKeyId(key_id)) {
    return absl::InvalidArgumentError(
        "--key-id: [A-Za-z0-9_-] の1〜64文字です / [A-Za-z0-9_-]{1,64}");
  }
  r.staff_login = o.staff_login.empty() ? r.instance_id + "-admin" : o.staff_login;
  for (const auto& h : o.hosts) {
    if (!IsDnsName(h)) {
      return absl::InvalidArgumentError("--host: ホスト名ではありません: " + h +
                                        " / not a host name");
    }
  }

  const Layout layout{o.base_port};
  const std::string dir = Absolute(o.dir);
  // Where the files go. Production follows the package's layout (docs/packaging.md): the
  // configuration in /etc/renkei/<id>, token keys in /etc/renkei/keys/<id>, what the services and
  // the gateway write under /var/lib/renkei/<id> (data_root data/, data keys keys/data/ — the
  // default — and the accounts file, which the gateway rewrites).
  const std::string data_root = !o.data_root.empty() ? Absolute(o.data_root)
                                : layout.local()     ? dir + "/data"
                                                     : "/var/lib/renkei/" + r.instance_id + "/data";
  const std::string state_dir = fs::path(data_root).parent_path().string();
  const std::string key_dir = !o.key_dir.empty() ? Absolute(o.key_dir)
                              : layout.local()
                                  ? dir + "/keys"
                                  : (fs::path(dir).parent_path() / "keys" / r.instance_id).string();
  const std::string data_key_dir = state_dir + "/keys/data";
  const std::string accounts_file = state_dir + "/" + kAccountsFile;
  const std::string tls_dir = dir + "/tls";
  r.tls = !layout.local() || !o.dev_ca_dir.empty();
  r.certificate_requested = r.tls && o.dev_ca_dir.empty();
  const std::string key_file = tls_dir + "/" + r.instance_id + ".key";
  if (r.tls) {
    r.cert_file = tls_dir + "/" + r.instance_id + ".crt";
    r.ca_file = tls_dir + "/ca.crt";
    if (r.certificate_requested) r.csr_file = tls_dir + "/" + r.instance_id + ".csr";
  }
  std::optional<Owner> owner;
  if (!o.service_user.empty()) {
    ASSIGN_OR_RETURN(owner, LookUpUser(o.service_user));
  }

  // The instance file.
  v1::InstanceConfig c;
  *c.mutable_instance() = identity;
  c.mutable_nats()->set_url(layout.NatsUrl());
  c.mutable_nats()->set_jetstream_domain(r.instance_id);
  c.set_data_root(data_root);
  auto* security = c.mutable_security();
  security->set_key_dir(key_dir);
  security->set_service_key_id(key_id);
  if (r.tls) {
    auto* nats_tls = c.mutable_nats()->mutable_tls();
    nats_tls->set_cert_file(r.cert_file);
    nats_tls->set_key_file(key_file);
    nats_tls->set_ca_file(r.ca_file);
    auto* grpc_tls = security->mutable_grpc_tls();
    grpc_tls->set_cert_file(r.cert_file);
    grpc_tls->set_key_file(key_file);
    grpc_tls->set_ca_file(r.ca_file);
    auto* fed_tls = c.mutable_federation()->mutable_tls();
    fed_tls->set_cert_file(r.cert_file);
    fed_tls->set_key_file(key_file);
    fed_tls->set_ca_file(r.ca_file);
    fed_tls->set_verify_clients(true);
    if (!layout.local()) {
      // Production runs a patched nats-server 2.10+ (deploy/nats/README.md).
      fed_tls->set_min_version("1.3");
      c.mutable_federation()->set_sync_interval("always");
    }
  }
  if (!o.parent_url.empty()) {
    r.parent_url = true;
    *c.mutable_federation()->mutable_parent() = parent;
    if (o.level != v1::INSTANCE_LEVEL_MUNICIPALITY) {
      c.mutable_federation()->set_leafnode_listen(layout.LeafListen());
    }
  }
  for (const auto& service : ServicesOf(o.level)) {
    auto* server = ServerOf(&c, service);
    server->set_listen_address(layout.Listen(service));
    server->set_metrics_address(layout.Metrics(service));
  }
  if (c.has_intake()) {
    c.mutable_intake()->set_directory_address(layout.Reach("directory"));
    c.mutable_intake()->set_network_address(layout.Reach("network"));
  }
  if (o.level != v1::INSTANCE_LEVEL_NATIONAL) {
    c.mutable_network()->set_issues_address(layout.Reach("issues"));
    c.mutable_network()->set_indicators_address(layout.Reach("indicators"));
  }
  auto* gw = c.mutable_gateway();
  gw->set_listen_address(layout.Gateway());
  gw->set_accounts_file(accounts_file);
  if (!o.console_dir.empty()) gw->set_static_dir(Absolute(o.console_dir));

  // The console's first account.
  v1::GatewayAccount account;
  account.set_login(r.staff_login);
  account.set_role(StaffRole(o.level));
  account.set_jurisdiction(code.empty() ? "000000" : code);
  account.set_display_name(r.name + " 管理担当");
  account.set_must_change_password(true);
  account.set_created_at(static_cast<int64_t>(std::time(nullptr)));
  if (std::string problem = gateway::AccountProblem(account); !problem.empty()) {
    return absl::InvalidArgumentError("--staff-login: " + problem);
  }

  // Everything checked before anything is written: the files, the data root, the configuration.
  std::vector<std::string> files = {dir + "/" + kInstanceFile, dir + "/" + kNatsFile,
                                    key_dir + "/" + key_id + ".key",
                                    key_dir + "/" + key_id + ".pub", accounts_file};
  if (o.level != v1::INSTANCE_LEVEL_NATIONAL) files.push_back(dir + "/" + kJoinRequestFile);
  if (r.tls) {
    files.push_back(key_file);
    files.push_back(r.cert_file);
    files.push_back(r.certificate_requested ? r.csr_file : r.ca_file);
  }
  // The data root and its parent, the state directory, are the instance's own: never /, the
  // data root empty, the state directory too (but for the data root) unless it is the
  // configuration directory (the local layout), whose files are checked below.
  if (state_dir == "/" || data_root == "/") {
    return absl::InvalidArgumentError(
        "--data-root: データの置き場所 (" + data_root +
        ") とその親 (データ鍵とアカウントの置き場所) に / は使えません / neither the data root nor "
        "its parent (the state directory: data keys, accounts file) may be /");
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return absl::AlreadyExistsError(dir + " はディレクトリではありません / not a directory");
  }
  for (const auto& f : files) {
    if (fs::exists(f, ec)) return Exists(f);
  }
  if (fs::exists(data_root, ec) && !fs::is_empty(data_root, ec)) {
    return absl::AlreadyExistsError(data_root + " にデータがあります (data_root) / data_root " +
                                    data_root + " is not empty");
  }
  if (state_dir != dir && fs::exists(state_dir, ec) && !HoldsOnly(state_dir, data_root)) {
    return absl::AlreadyExistsError(
        state_dir + " は空ではありません (data_root の親: データ鍵とアカウントの置き場所) / " +
        state_dir + " (data_root's parent: data keys, accounts file) is not empty");
  }
  // The service user owns the state directory and the key directory when init makes them: the
  // configuration must not be inside them, or it could replace instance.json and nats.conf.
  const std::string& owned = Within(dir, state_dir) ? state_dir : key_dir;
  if (owner && Within(dir, owned)) {
    return absl::InvalidArgumentError(
        "--service-user: 設定のディレクトリ " + dir + " が " + owned +
        " (サービスのユーザーのもの) の中にあります。--data-root, --key-dir を別の場所に / "
        "the configuration directory is inside " +
        owned + ", which the service user would own: give --data-root (and --key-dir) elsewhere");
  }
  auto nats_conf = CheckAndRender(c);
  if (!nats_conf.ok()) return nats_conf.status();
  TlsMaterial tls;
  if (r.tls) {
    TlsSubject subject;
    subject.common_name = r.instance_id;
    subject.dns_names = {r.instance_id, "localhost"};
    subject.dns_names.insert(subject.dns_names.end(), o.hosts.begin(), o.hosts.end());
    subject.ip_addresses = {"127.0.0.1", "::1"};
    ASSIGN_OR_RETURN(tls,
                     MakeTlsMaterial(subject, o.dev_ca_dir.empty() ? "" : Absolute(o.dev_ca_dir)));
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  r.temporary_password = gateway::TemporaryPassword();

  // Then written, secrets first.
  const auto kPrivate = fs::perms::owner_all;
  const auto kShared = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec;
  std::vector<std::string> created;  // the directories init makes
  RETURN_IF_ERROR(MakeDir(dir, kShared, &created));
  RETURN_IF_ERROR(MakeDir(key_dir, kPrivate, &created));
  RETURN_IF_ERROR(MakeDir(state_dir, kShared, &created));
  RETURN_IF_ERROR(MakeDir(data_key_dir, kPrivate, &created));
  RETURN_IF_ERROR(MakeDir(data_root, kPrivate, &created));
  RETURN_IF_ERROR(common::GenerateKeyPair(key_dir, key_id));
  if (r.tls) {
    RETURN_IF_ERROR(MakeDir(tls_dir, kShared, &created));
    RETURN_IF_ERROR(WriteNew(key_file, tls.key_pem, 0600));
    if (r.certificate_requested) {
      RETURN_IF_ERROR(WriteNew(r.csr_file, tls.csr_pem, 0644));
    } else {
      RETURN_IF_ERROR(WriteNew(r.cert_file, tls.cert_pem, 0644));
      RETURN_IF_ERROR(WriteNew(r.ca_file, tls.ca_pem, 0644));
    }
  }
  RETURN_IF_ERROR(gateway::SaveAccount(accounts_file, account, r.temporary_password));
  // Leaf passwords will be in these two (admit, join): readable by the owner and the group.
  RETURN_IF_ERROR(WriteNew(dir + "/" + kInstanceFile, ToJson(c), 0640));
  RETURN_IF_ERROR(WriteNew(dir + "/" + kNatsFile, *nats_conf, 0640));
  if (o.level != v1::INSTANCE_LEVEL_NATIONAL) {
    v1::FederationPeer request;
    request.set_level(o.level);
    request.set_code(code);
    request.set_jetstream_domain(r.instance_id);
    request.set_leaf_user(r.instance_id);
    RETURN_IF_ERROR(WriteNew(dir + "/" + kJoinRequestFile, ToJson(request), 0644));
  }
  if (owner) {
    // With a service user, what init made for the services to read or write becomes its own
    // (the keys, the TLS key, the accounts file, the directories it made of the state and key
    // directories), the configuration it wrote (root's) readable by its group. Nothing that
    // existed before changes hands.
    std::vector<std::string> own = {key_dir + "/" + key_id + ".key",
                                    key_dir + "/" + key_id + ".pub", accounts_file};
    std::vector<std::string> shared = {dir + "/" + kInstanceFile, dir + "/" + kNatsFile};
    if (fs::exists(accounts_file + ".lock", ec)) own.push_back(accounts_file + ".lock");
    if (r.tls) {
      own.push_back(key_file);
      if (r.certificate_requested) {
        shared.push_back(r.csr_file);
      } else {
        shared.push_back(r.cert_file);
        shared.push_back(r.ca_file);
      }
    }
    for (const auto& d : created) {
      if (Within(d, state_dir) || Within(d, key_dir)) {
        own.push_back(d);
      } else if (d == dir || d == tls_dir) {
        shared.push_back(d);
      }
    }
    constexpr auto kKeep = static_cast<uid_t>(-1);
    for (const auto& path : shared) RETURN_IF_ERROR(Chown(path, kKeep, owner->gid));
    for (const auto& path : own) RETURN_IF_ERROR(Chown(path, owner->uid, owner->gid));
  }
  for (const auto& f : files) {
    if (fs::exists(f, ec)) r.files.push_back(f);
  }
  r.files.push_back(data_key_dir + "/");
  return r;
}

absl::StatusOr<AdmitResult> AdmitChild(const AdmitOptions& o) {
  AdmitResult r;
  const std::string dir = Absolute(o.dir);
  ASSIGN_OR_RETURN(v1::InstanceConfig c, ReadInstanceFile(dir));
  v1::FederationPeer request;
  RETURN_IF_ERROR(ReadJsonFile(o.request, "参加申請", &request));
  r.instance_id = common::InstanceId(c.instance());
  const v1::InstanceLevel own = c.instance().level();

  // Who may be admitted here: the level one below, of this jurisdiction.
  v1::InstanceLevel child_level = v1::INSTANCE_LEVEL_UNSPECIFIED;
  if (own == v1::INSTANCE_LEVEL_PREFECTURE) child_level = v1::INSTANCE_LEVEL_MUNICIPALITY;
  if (own == v1::INSTANCE_LEVEL_NATIONAL) child_level = v1::INSTANCE_LEVEL_PREFECTURE;
  if (child_level == v1::INSTANCE_LEVEL_UNSPECIFIED) {
    return absl::InvalidArgumentError(r.instance_id + " は" + LevelJa(own) +
                                      "です: 子を持てません / a " + common::InstanceLevelWord(own) +
                                      " has no children");
  }
  if (request.level() != child_level) {
    const std::string from = request.level() == v1::INSTANCE_LEVEL_UNSPECIFIED
                                 ? std::string("level unknown")
                                 : common::PeerInstanceId(request);
    return absl::InvalidArgumentError(
        "参加申請の階層が違います: 申請は" + LevelJa(request.level()) + " (" + from + ") から、" +
        r.instance_id + " (" + LevelJa(own) + ") が受け入れるのは" + LevelJa(child_level) +
        "です / wrong level: the request is from a " + common::InstanceLevelWord(request.level()) +
        " (" + from + "), " + r.instance_id + " admits " + common::InstanceLevelWord(child_level) +
        " instances only");
  }
  ASSIGN_OR_RETURN(std::string child_code,
                   NormalizeCode(request.level(), request.code(), "request.code"));
  if (child_code != request.code()) {
    return absl::InvalidArgumentError("request.code: 6桁のコードです / the 6-digit code");
  }
  if (child_level == v1::INSTANCE_LEVEL_MUNICIPALITY &&
      child_code.substr(0, 2) != c.instance().code().substr(0, 2)) {
    return absl::InvalidArgumentError(
        "参加申請の" + Describe(request.level(), child_code) + " (" +
        common::PeerInstanceId(request) + ") は " + r.instance_id + " (" +
        Describe(own, c.instance().code()) + ") の市区町村ではありません / " +
        common::PeerInstanceId(request) + " is not a municipality of " + r.instance_id);
  }
  r.child_id = common::PeerInstanceId(request);
  if (request.leaf_user() != r.child_id) {
    return absl::InvalidArgumentError("request.leaf_user: " + r.child_id +
                                      " です (申請したインスタンスのID) / must be " + r.child_id);
  }
  for (const auto& child : c.federation().children()) {
    if (common::PeerDomain(child) == common::PeerDomain(request) ||
        child.leaf_user() == request.leaf_user()) {
      return absl::AlreadyExistsError(r.child_id + " は参加済みです (" + r.instance_id +
                                      " の federation.children) / already admitted");
    }
  }
  r.credentials_file =
      o.out.empty() ? dir + "/credentials-" + r.child_id + ".json" : Absolute(o.out);
  std::error_code ec;
  if (fs::exists(r.credentials_file, ec)) return Exists(r.credentials_file);

  // The hub and the URL the child is given.
  auto* fed = c.mutable_federation();
  if (fed->leafnode_listen().empty()) {
    std::string listen = o.leafnode_listen;
    if (listen.empty()) {
      const int port = NatsPort(c.nats().url());
      listen = port == kNatsPort || port == 0 ? "0.0.0.0:" + std::to_string(kLeafPort)
                                              : "127.0.0.1:" + std::to_string(port + 1);
    }
    fed->set_leafnode_listen(listen);
    r.hub_added = true;
  }
  const std::string scheme = FederationTls(c) ? "tls://" : "nats-leaf://";
  const bool wildcard = IsWildcard(HostOf(fed->leafnode_listen()));
  if (!o.leaf_url.empty()) {
    r.leaf_url = o.leaf_url;
    const auto at = o.leaf_url.find("://");
    if (at == std::string::npos || !common::IsHostPort(o.leaf_url.substr(at + 3))) {
      return absl::InvalidArgumentError(
          "--leaf-url: tls://host:port か nats-leaf://host:port です / tls://host:port or "
          "nats-leaf://host:port");
    }
    if (wildcard && fed->leafnode_advertise().empty()) {
      fed->set_leafnode_advertise(o.leaf_url.substr(at + 3));
    }
  } else if (!fed->leafnode_advertise().empty()) {
    r.leaf_url = scheme + fed->leafnode_advertise();
  } else if (!wildcard) {
    r.leaf_url = scheme + fed->leafnode_listen();
  } else {
    return absl::InvalidArgumentError(
        "--leaf-url: 子が接続する URL を指定してください (例: tls://renkei.pref.example.jp:7422; "
        "federation.leafnode_listen が " +
        fed->leafnode_listen() + " のため) / give the URL children connect to");
  }

  v1::FederationPeer child;
  child.set_level(request.level());
  child.set_code(child_code);
  if (!request.jetstream_domain().empty() && request.jetstream_domain() != r.child_id) {
    child.set_jetstream_domain(request.jetstream_domain());
  }
  child.set_leaf_user(request.leaf_user());
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  child.set_leaf_password(LeafPassword());
  *fed->add_children() = child;
  ASSIGN_OR_RETURN(std::string nats_conf, CheckAndRender(c));

  // The child's federation.parent entry, complete.
  v1::FederationPeer credentials;
  credentials.set_level(own);
  credentials.set_code(c.instance().code());
  if (!c.nats().jetstream_domain().empty() && c.nats().jetstream_domain() != r.instance_id) {
    credentials.set_jetstream_domain(c.nats().jetstream_domain());
  }
  credentials.set_leafnode_url(r.leaf_url);
  credentials.set_leaf_user(child.leaf_user());
  credentials.set_leaf_password(child.leaf_password());

  // Written so that a failure leaves nothing changed, or what a second run completes: the
  // credentials (a new file, removed again), nats.conf (put back; else rendered again by the
  // second run), and last the instance file, where the child counts as admitted.
  const std::string instance_file = dir + "/" + kInstanceFile;
  const std::string nats_file = dir + "/" + kNatsFile;
  ASSIGN_OR_RETURN(std::optional<std::string> old_nats, Snapshot(nats_file));
  RETURN_IF_ERROR(WriteNew(r.credentials_file, ToJson(credentials), 0600));
  absl::Status s = Replace(nats_file, nats_conf, 0640);
  if (s.ok()) {
    s = Replace(instance_file, ToJson(c), 0640);
    if (!s.ok()) PutBack(nats_file, old_nats);
  }
  if (!s.ok()) {
    fs::remove(r.credentials_file, ec);
    return s;
  }
  return r;
}

absl::StatusOr<JoinResult> JoinParent(const JoinOptions& o) {
  JoinResult r;
  const std::string dir = Absolute(o.dir);
  ASSIGN_OR_RETURN(v1::InstanceConfig c, ReadInstanceFile(dir));
  v1::FederationPeer credentials;
  RETURN_IF_ERROR(ReadJsonFile(o.credentials, "参加の資格情報", &credentials));
  r.instance_id = common::InstanceId(c.instance());
  ASSIGN_OR_RETURN(v1::FederationPeer expected, ExpectedParent(c.instance()));
  r.parent_id = common::PeerInstanceId(expected);
  if (credentials.level() != expected.level() || credentials.code() != expected.code()) {
    return absl::InvalidArgumentError(
        "資格情報の親が違います: " + r.instance_id + " の親は " + PeerLabel(expected) +
        " です / the credentials are from another parent than " + r.parent_id);
  }
  if (credentials.leaf_user() != r.instance_id) {
    return absl::InvalidArgumentError("この資格情報は " + credentials.leaf_user() +
                                      " のものです (このインスタンスは " + r.instance_id +
                                      ") / these credentials are for " + credentials.leaf_user());
  }
  if (credentials.leaf_password().empty() && credentials.leaf_credentials_file().empty()) {
    return absl::InvalidArgumentError(
        "資格情報にパスワードがありません / the credentials hold no leaf password");
  }
  if (credentials.leafnode_url().empty()) {
    return absl::InvalidArgumentError("資格情報に leafnode_url がありません / no leafnode_url");
  }
  auto* fed = c.mutable_federation();
  v1::FederationPeer parent = credentials;
  r.leaf_url = credentials.leafnode_url();
  if (fed->has_parent()) {
    const auto& before = fed->parent();
    if (!before.leaf_password().empty() || !before.leaf_credentials_file().empty()) {
      return absl::AlreadyExistsError(r.instance_id +
                                      " は参加済みです (federation.parent に認証情報" +
                                      "があります) / already joined: federation.parent has its "
                                      "credentials");
    }
    if (before.level() != credentials.level() || before.code() != credentials.code()) {
      return absl::InvalidArgumentError(
          "federation.parent が資格情報の親と違います / "
          "federation.parent names another parent");
    }
    if (!before.leafnode_url().empty() && before.leafnode_url() != credentials.leafnode_url()) {
      // The URL given at init stays: the operator chose it (a proxy, a name of its network).
      parent.set_leafnode_url(before.leafnode_url());
      r.leaf_url = before.leafnode_url();
      r.kept_own_url = true;
    }
  }
  *fed->mutable_parent() = parent;
  ASSIGN_OR_RETURN(std::string nats_conf, CheckAndRender(c));
  // nats.conf first, the instance file (where the parent's credentials count as joined) last:
  // a failure leaves nothing changed, or (nats.conf not put back) what a second run completes.
  const std::string instance_file = dir + "/" + kInstanceFile;
  const std::string nats_file = dir + "/" + kNatsFile;
  ASSIGN_OR_RETURN(std::optional<std::string> old_nats, Snapshot(nats_file));
  RETURN_IF_ERROR(Replace(nats_file, nats_conf, 0640));
  if (absl::Status s = Replace(instance_file, ToJson(c), 0640); !s.ok()) {
    PutBack(nats_file, old_nats);
    return s;
  }
  return r;
}

}  // namespace renkei::cli
