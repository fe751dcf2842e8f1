// The gateway's configuration, its HTTP server (limits, error answers, security headers, the
// routes) and its life cycle. The caller's token and the console's log-in are in
// gateway_sessions.cc, an API call relayed to its service in gateway_api.cc.
#include "gateway.h"

#include <httplib.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gateway_parts.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "openapi.h"
#include "renkei/common/auth.h"
#include "renkei/common/certificates.h"
#include "renkei/common/config.h"
#include "renkei/common/ids.h"
#include "renkei/common/validation.h"

namespace renkei::gateway {
namespace {

// The largest body of POST /api/v1/documents: a 5 MiB file in base64 with its JSON.
constexpr size_t kMaxUploadBody = 8 << 20;

// The error code of an HTTP status httplib answered by itself (a malformed request and the like).
absl::StatusCode CodeOfHttpStatus(int status) {
  switch (status) {
    case 404:
      return absl::StatusCode::kNotFound;
    case 405:
      return absl::StatusCode::kUnimplemented;
    case 408:
      return absl::StatusCode::kDeadlineExceeded;
    case 411:
    case 413:
    case 414:
    case 431:
      return absl::StatusCode::kResourceExhausted;
    case 503:
      return absl::StatusCode::kUnavailable;
    default:
      return status >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kInvalidArgument;
  }
}

// The service section of the instance file that serves a gRPC service.
const v1::ServerConfig* ServerOf(const v1::InstanceConfig& c, const std::string& service) {
  if (service == "renkei.v1.DirectoryService") return &c.directory().server();
  if (service == "renkei.v1.ResourceSurveyService") return &c.directory().server();
  if (service == "renkei.v1.ResourceMapService") return &c.directory().server();
  if (service == "renkei.v1.IntakeService") return &c.intake().server();
  if (service == "renkei.v1.IssuesService") return &c.issues().server();
  if (service == "renkei.v1.TrainingService") return &c.training().server();
  if (service == "renkei.v1.IndicatorsService") return &c.indicators().server();
  if (service == "renkei.v1.NetworkService") return &c.network().server();
  if (service == "renkei.v1.SharingService") return &c.network().server();
  return nullptr;
}

// The public map's tiles: 地理院タイル unless the instance file names others (with their
// attribution); a URL template of http(s) with {z}, {x} and {y} and a fixed host (the page's
// Content-Security-Policy admits that origin only).
void PreparePublicMapConfig(v1::PublicMapConfig* map, common::FieldViolations* v) {
  if (!map->attribution_url().empty() && TileOrigin(map->attribution_url()).empty()) {
    v->Add("gateway.public_map.attribution_url", "http(s) の URL です / an http(s) URL");
  }
  if (map->tile_url().empty()) {
    if (!map->attribution().empty() || !map->attribution_url().empty()) {
      v->Add(map->attribution().empty() ? "gateway.public_map.attribution_url"
                                        : "gateway.public_map.attribution",
             "タイルの URL (tile_url) とともに指定します / only with tile_url");
    }
    map->set_tile_url("https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png");
    map->set_attribution("地理院タイル");
    map->set_attribution_url("https://maps.gsi.go.jp/development/ichiran.html");
  } else {
    const std::string origin = TileOrigin(map->tile_url());
    if (origin.empty() || origin.find('{') != std::string::npos) {
      v->Add("gateway.public_map.tile_url",
             "https://host/…/{z}/{x}/{y}.png の形です (ホスト名に {s} などは使えません) / an "
             "http(s) URL template with a fixed host");
    }
    for (const char* part : {"{z}", "{x}", "{y}"}) {
      if (map->tile_url().find(part) == std::string::npos) {
        v->Add("gateway.public_map.tile_url",
               std::string(part) + " がありません / the template lacks " + part);
      }
    }
    if (map->attribution().empty()) {
      v->Add("gateway.public_map.attribution",
             "タイルの出典の表示が必要です / required with tile_url");
    }
  }
  if (map->max_zoom() == 0) map->set_max_zoom(18);
  if (map->max_zoom() > 22) v->Add("gateway.public_map.max_zoom", "1〜22 です / must be 1..22");
}

}  // namespace

std::string TileOrigin(const std::string& url) {
  size_t scheme_end = 0;
  if (url.rfind("https://", 0) == 0) {
    scheme_end = 8;
  } else if (url.rfind("http://", 0) == 0) {
    scheme_end = 7;
  } else {
    return "";
  }
  const size_t path = url.find('/', scheme_end);
  std::string origin = url.substr(0, path);
  if (origin.size() == scheme_end) return "";
  // A host name or address and a port only: nothing a policy would read as another source or
  // directive (no space, tab, ';', ',', '*', quotes, user info or line break).
  for (size_t i = scheme_end; i < origin.size(); ++i) {
    const char c = origin[i];
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']') {
      return "";
    }
  }
  return origin;
}

absl::Status PrepareGatewayConfig(v1::InstanceConfig* config) {
  auto* g = config->mutable_gateway();
  common::FieldViolations v;
  if (g->listen_address().empty()) {
    v.Add("gateway.listen_address", "必須です / required");
  } else if (!common::IsHostPort(g->listen_address())) {
    v.Add("gateway.listen_address", "host:port ではありません / not host:port");
  }
  if (config->security().unauthenticated_loopback() && !g->listen_address().empty() &&
      !common::IsLoopbackAddress(g->listen_address())) {
    v.Add("gateway.listen_address",
          "security.unauthenticated_loopback ではループバックのみ / loopback only when services "
          "run unauthenticated");
  }
  if (!g->public_origin().empty() && g->public_origin().rfind("https://", 0) != 0 &&
      g->public_origin().rfind("http://", 0) != 0) {
    v.Add("gateway.public_origin", "https://host[:port] の形です / an origin, https://host[:port]");
  } else if (!g->public_origin().empty() && g->public_origin().back() == '/') {
    v.Add("gateway.public_origin", "末尾の / は不要です / no trailing slash");
  }
  PreparePublicMapConfig(g->mutable_public_map(), &v);
  auto* forms = g->mutable_public_forms();
  if (forms->proof_of_work_bits() == 0) forms->set_proof_of_work_bits(16);
  if (forms->proof_of_work_bits() < 8 || forms->proof_of_work_bits() > 24) {
    v.Add("gateway.public_forms.proof_of_work_bits", "8〜24 です / 8..24");
  }
  if (!forms->has_min_fill_seconds()) forms->set_min_fill_seconds(3);
  if (forms->min_fill_seconds() > 600) {
    v.Add("gateway.public_forms.min_fill_seconds", "600 以下です / at most 600");
  }
  if (g->key_id().empty()) g->set_key_id(config->security().service_key_id());
  if (!config->security().unauthenticated_loopback()) {
    if (config->security().key_dir().empty()) {
      v.Add("security.key_dir",
            "ログインのトークンの署名に必要です / needed to sign log-in tokens");
    }
    if (g->key_id().empty()) {
      v.Add("gateway.key_id", "必須です (security.service_key_id も空) / required");
    }
  }
  if (g->session_minutes() == 0) g->set_session_minutes(480);
  if (g->session_minutes() > 24 * 60) v.Add("gateway.session_minutes", "24時間以内 / at most 1440");
  if (g->max_body_bytes() == 0) g->set_max_body_bytes(1 << 20);
  if (g->threads() == 0) g->set_threads(32);
  if (g->threads() > 256) v.Add("gateway.threads", "256以下 / at most 256");
  if (g->deadline_ms() == 0) g->set_deadline_ms(10000);
  if (g->state_dir().empty()) {
    g->set_state_dir((std::filesystem::path(config->data_root()) / "gateway").string());
  }
  if (g->metrics_roles().empty()) g->add_metrics_roles(v1::ROLE_OPERATOR);
  if (g->tls().cert_file().empty() != g->tls().key_file().empty()) {
    v.Add(g->tls().cert_file().empty() ? "gateway.tls.cert_file" : "gateway.tls.key_file",
          "証明書と鍵は両方指定します / cert_file and key_file go together");
  }
  for (int role : g->two_factor_roles()) {
    if (role == v1::ROLE_UNSPECIFIED || role == v1::ROLE_SERVICE) {
      v.Add("gateway.two_factor_roles", "職員の役割を指定してください / staff roles only");
    }
  }
  return v.ToStatus();
}

Gateway::Impl::Impl(v1::InstanceConfig config)
    : config_(std::move(config)),
      instance_id_(common::InstanceId(config_.instance())),
      router_(Routes()),
      secure_cookies_(!config_.gateway().tls().cert_file().empty() ||
                      (config_.gateway().public_origin().empty()
                           ? !common::IsLoopbackAddress(config_.gateway().listen_address())
                           : config_.gateway().public_origin().rfind("https://", 0) == 0)),
      metrics_(std::make_unique<GatewayMetrics>()) {}

Gateway::Impl::~Impl() = default;

absl::Status Gateway::Impl::Init() {
  const auto& g = config_.gateway();
  const auto& security = config_.security();
  std::vector<std::string> certificates = common::CertificateFiles(config_);
  if (!g.tls().cert_file().empty()) certificates.insert(certificates.begin(), g.tls().cert_file());
  metrics_->WatchCertificates(std::move(certificates));
  if (!security.unauthenticated_loopback()) {
    auto keys = common::LoadKeyRing(security.key_dir());
    if (!keys.ok()) return keys.status();
    keys_ = std::move(*keys);
    auto key = common::LoadSigningKey(security.key_dir(), g.key_id());
    if (!key.ok()) return key.status();
    signing_key_ = std::move(*key);
  }
  auto accounts = AccountStore::Open(g.accounts_file());
  if (!accounts.ok()) return accounts.status();
  accounts_ = std::move(*accounts);
  revoked_ = std::make_shared<common::RevocationList>(security.revoked_tokens_file());
  if (auto s = revoked_->Compact(); !s.ok()) {
    return absl::InvalidArgumentError("security.revoked_tokens_file: " + std::string(s.message()));
  }
  auto sessions = ConsoleSessions::Open(g.state_dir() + "/sessions.jsonl");
  if (!sessions.ok()) return sessions.status();
  sessions_ = std::move(*sessions);
  // An account disabled or removed in the file (renkeictl, an editor) ends its sessions.
  accounts_->set_on_change(
      [this](const Accounts& before, const Accounts& after) { AccountsChanged(before, after); });
  openapi_ = OpenApiDocument(config_);
  if (!g.tls().cert_file().empty()) {
    auto server = std::make_unique<httplib::SSLServer>(g.tls().cert_file().c_str(),
                                                       g.tls().key_file().c_str());
    if (!server->is_valid()) {
      return absl::InvalidArgumentError(
          "gateway.tls: 証明書か鍵を読めません / cannot use cert_file and key_file");
    }
    server_ = std::move(server);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }

  // Every route resolved once: its method's descriptors, and a channel per service. The
  // channels carry no token of their own; each call carries its caller's.
  common::ClientSecurity client;
  client.plaintext = security.unauthenticated_loopback();
  if (!client.plaintext) client.tls = security.grpc_tls();
  std::map<std::string, std::shared_ptr<grpc::GenericStub>> stubs;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::vector<const Route*> routes;
  for (const auto& route : Routes()) routes.push_back(&route);
  for (const auto& route : PublicRoutes()) routes.push_back(&route);
  for (const Route* r : routes) {
    const Route& route = *r;
    const auto* method = pool->FindMethodByName(route.rpc);
    if (method == nullptr)
      return absl::InternalError(std::string("route to unknown rpc ") + route.rpc);
    const std::string service = method->service()->full_name();
    const v1::ServerConfig* server = ServerOf(config_, service);
    if (server == nullptr) return absl::InternalError("no section for " + service);
    // A service the instance file does not list: its routes answer UNAVAILABLE.
    auto& stub = stubs[service];
    if (!stub && !server->listen_address().empty()) {
      // Answers as large as the service takes requests (a shared document's file: 5 MiB).
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(static_cast<int>(
          std::max<uint32_t>(server->max_message_bytes(),
                             service == "renkei.v1.SharingService" ? 8u << 20 : 4u << 20)));
      auto channel = common::NewChannel(server->listen_address(), client, args);
      if (!channel.ok()) return channel.status();
      stub = std::make_shared<grpc::GenericStub>(*channel);
    }
    if (stub) served_services_.insert(service);
    endpoints_[&route] = Endpoint{&route, "/" + service + "/" + method->name(),
                                  factory->GetPrototype(method->input_type()),
                                  factory->GetPrototype(method->output_type()), stub};
  }

  server_->new_task_queue = [n = g.threads()] { return new httplib::ThreadPool(n); };
  // Workers serve one connection at a time: keep idle keep-alive connections short.
  server_->set_keep_alive_max_count(1000);
  server_->set_keep_alive_timeout(2);
  server_->set_tcp_nodelay(true);  // no 40 ms Nagle/delayed-ACK stall per answer
  // A shared document's file (≤ 5 MiB, base64 in JSON) is the one body allowed above
  // max_body_bytes; every other route is held to it before its body is read.
  server_->set_payload_max_length(std::max<size_t>(g.max_body_bytes(), kMaxUploadBody));
  challenge_key_ = RandomHex(32);
  // httplib checks the size limit only against a declared Content-Length: bodies sent chunked
  // are refused before anything reads them (a request without either has no body).
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    RequestArrived();
    // (Only a caller who presents credentials: nobody else makes the gateway read 8 MiB.)
    const bool upload = req.method == "POST" && req.path == "/api/v1/documents" &&
                        (req.has_header("Authorization") || !CookieOf(req, kSessionCookie).empty());
    const uint64_t length =
        std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
    if (!upload && length > config_.gateway().max_body_bytes()) {
      res.status = 413;
      Fail(res,
           absl::ResourceExhaustedError("リクエストが大きすぎます / request body over " +
                                        std::to_string(config_.gateway().max_body_bytes()) +
                                        " bytes"),
           413);
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Transfer-Encoding")) {
      Fail(res,
           absl::ResourceExhaustedError(
               "Content-Length が必要です (chunked は使えません) / chunked bodies are refused"),
           411);
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->set_post_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { AfterRouting(req, res); });
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 413) {
          Fail(res,
               absl::ResourceExhaustedError("リクエストが大きすぎます / request body over " +
                                            std::to_string(config_.gateway().max_body_bytes()) +
                                            " bytes"),
               413);
        } else if (res.status == 404) {
          Fail(res, absl::NotFoundError("見つかりません / not found"), 404);
        } else {
          Fail(res,
               absl::Status(CodeOfHttpStatus(res.status),
                            "リクエストを処理できません / the request could not be served (HTTP " +
                                std::to_string(res.status) + ")"),
               res.status);
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
        Fail(res, absl::InternalError("内部エラー / internal error"));
      });

  // The gateway's own routes, each with its handler (a route without one, or a handler without
  // a route, is a programming error found here).
  size_t handled = 0;
  for (const OwnRoute& route : OwnRoutes()) {
    const std::string key = std::string(route.method) + " " + route.path;
    auto it = OwnHandlers().find(key);
    if (it == OwnHandlers().end()) return absl::InternalError("no handler for " + key);
    ++handled;
    std::string pattern;
    for (const char* p = route.path; *p != '\0'; ++p) {
      if (*p == '{') {
        pattern += "([^/]+)";
        while (*p != '\0' && *p != '}') ++p;
        if (*p == '\0') break;
      } else {
        pattern += *p;
      }
    }
    auto handler = [this, member = it->second](const httplib::Request& req,
                                               httplib::Response& res) {
      (this->*member)(req, res);
    };
    const std::string_view method = route.method;
    if (method == "GET") {
      server_->Get(pattern, handler);
    } else if (method == "POST") {
      server_->Post(pattern, handler);
    } else if (method == "DELETE") {
      server_->Delete(pattern, handler);
    } else {
      return absl::InternalError("own route method " + key);
    }
  }
  if (handled != OwnHandlers().size()) return absl::InternalError("a handler without a route");
  server_->Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    HandleMetrics(req, res);
  });
  server_->Get(
      "/public/v1/map/settings",
      [this](const httplib::Request& req, httplib::Response& res) { HandleMapSettings(req, res); });
  server_->Get("/public/v1/challenge", [this](const httplib::Request& req, httplib::Response& res) {
    HandleChallenge(req, res);
  });
  auto public_route = [this](const httplib::Request& req, httplib::Response& res) {
    HandlePublic(req, res);
  };
  server_->Post("/public/v1/.*", public_route);
  server_->Get("/public/v1/.*", public_route);
  auto api = [this](const httplib::Request& req, httplib::Response& res) { HandleApi(req, res); };
  const char* pattern = "/api/.*";
  server_->Get(pattern, api);
  server_->Post(pattern, api);
  server_->Patch(pattern, api);
  server_->Put(pattern, api);
  server_->Delete(pattern, api);
  if (!g.static_dir().empty() && !server_->set_mount_point("/", g.static_dir())) {
    return absl::InvalidArgumentError("gateway.static_dir: not a directory: " + g.static_dir());
  }
  return absl::OkStatus();
}

absl::Status Gateway::Impl::Start() {
  const std::string& address = config_.gateway().listen_address();
  const size_t colon = address.rfind(':');
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = 0;
  (void)absl::SimpleAtoi(address.substr(colon + 1), &port);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ < 0) return absl::UnavailableError("cannot bind " + address);
  } else {
    if (!server_->bind_to_port(host, port)) return absl::UnavailableError("cannot bind " + address);
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the loop runs: wait for it, so Stop() right after Start() ends.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return absl::OkStatus();
}

void Gateway::Impl::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void Gateway::Impl::AfterRouting(const httplib::Request& req, httplib::Response& res) {
  CountRequest(req, res);
  if (!config_.gateway().tls().cert_file().empty()) {
    res.set_header("Strict-Transport-Security", "max-age=31536000");
  }
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
  if (absl::StartsWith(req.path, "/api/") || absl::StartsWith(req.path, "/public/v1/")) {
    res.set_header("Cache-Control", "no-store");
  } else {
    // The public map's page also shows the configured tiles.
    const bool map_page = absl::StartsWith(req.path, "/map/") || req.path == "/map";
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data: blob:" +
                       (map_page ? " " + TileOrigin(config_.gateway().public_map().tile_url())
                                 : std::string()) +
                       "; object-src 'none'; base-uri 'none'; form-action 'self'; "
                       "frame-ancestors 'none'");
    res.set_header("Cache-Control", "no-cache");
  }
  // Every browser gets a CSRF token to echo (the page reads this cookie; the session's is not
  // readable).
  // The public pages (a provider's answer form) neither need one nor get one.
  const bool public_page =
      absl::StartsWith(req.path, "/public/") || absl::StartsWith(req.path, "/survey/") ||
      absl::StartsWith(req.path, "/map/") || absl::StartsWith(req.path, "/events/") ||
      absl::StartsWith(req.path, "/board/");
  if (!public_page && CookieOf(req, kCsrfCookie).empty() && !res.has_header("Set-Cookie")) {
    res.set_header("Set-Cookie", Cookie(kCsrfCookie, RandomHex(32), int64_t{24} * 3600, false));
  }
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() {
  if (impl_) impl_->Stop();
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(const v1::InstanceConfig& config) {
  if (sodium_init() < 0) return absl::InternalError("libsodium did not initialize");
  auto impl = std::make_unique<Impl>(config);
  if (auto s = impl->Init(); !s.ok()) return s;
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

absl::Status Gateway::Start() { return impl_->Start(); }
int Gateway::port() const { return impl_->port(); }
void Gateway::Stop() { impl_->Stop(); }

}  // namespace renkei::gateway

namespace renkei::gateway {

void Gateway::Impl::HandleOpenApi(const httplib::Request& /*req*/, httplib::Response& res) {
  res.set_content(openapi_, kJson);
}

}  // namespace renkei::gateway
