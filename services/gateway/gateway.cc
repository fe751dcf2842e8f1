#include "gateway/gateway.h"

#include <httplib.h>
#include <sodium.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gateway/accounts.h"
#include "gateway/routes.h"
#include "gateway/transcode.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "renkei/common/auth.h"
#include "renkei/common/clock.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/ids.h"
#include "renkei/common/log.h"
#include "renkei/common/requests.h"
#include "renkei/common/tokens.h"
#include "renkei/v1/gateway.pb.h"

namespace renkei::gateway {
namespace {

using google::protobuf::Message;

constexpr char kSessionCookie[] = "renkei_session";
constexpr char kCsrfCookie[] = "renkei_csrf";
constexpr char kCsrfHeader[] = "X-CSRF-Token";
constexpr char kIdempotencyHeader[] = "Idempotency-Key";
constexpr int kAttempts = 3;  // calls per request while the service answers UNAVAILABLE
constexpr char kJson[] = "application/json; charset=utf-8";
// Log-in attempts of one account without a success before it is refused for a while.
constexpr int kMaxFailures = 5;
constexpr int64_t kFailureWindowSeconds = 15 * 60;
constexpr int kMaxConcurrentHashing = 2;

int64_t NowSeconds() { return common::SystemClock::Get()->NowMicros() / 1000000; }

// The value of cookie `name` in the request's Cookie header; empty when absent.
std::string CookieOf(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  for (absl::string_view piece : absl::StrSplit(header, ';')) {
    piece = absl::StripAsciiWhitespace(piece);
    const std::string_view part(piece.data(), piece.size());
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
  }
  return "";
}

// A bearer token's characters (base64url and the JWT's dots). Anything else never reaches a
// service: gRPC aborts the process on a metadata value outside printable ASCII.
bool IsTokenText(const std::string& token) {
  if (token.empty() || token.size() > 8192) return false;
  for (char c : token) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

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

bool IsUnsafe(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.resize(bytes * 2);
  return hex;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The service section of the instance file that serves a gRPC service.
const v1::ServerConfig* ServerOf(const v1::InstanceConfig& c, const std::string& service) {
  if (service == "renkei.v1.DirectoryService") return &c.directory().server();
  if (service == "renkei.v1.IntakeService") return &c.intake().server();
  if (service == "renkei.v1.IssuesService") return &c.issues().server();
  if (service == "renkei.v1.TrainingService") return &c.training().server();
  if (service == "renkei.v1.IndicatorsService") return &c.indicators().server();
  return nullptr;
}

// A unary call completed on the calling thread (the worker's own completion queue, as gRPC's
// synchronous stubs do), without handing the answer over from one of gRPC's threads.
grpc::Status CallOnThisThread(grpc::GenericStub& stub, grpc::ClientContext* context,
                              const std::string& method, const grpc::ByteBuffer& request,
                              grpc::ByteBuffer* response) {
  struct Queue {
    grpc::CompletionQueue cq;
    ~Queue() {
      cq.Shutdown();
      void* tag;
      bool ok;
      while (cq.Next(&tag, &ok)) {
      }
    }
  };
  thread_local Queue queue;
  auto call = stub.PrepareUnaryCall(context, method, request, &queue.cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(response, &status, &status);
  void* tag = nullptr;
  bool ok = false;
  while (queue.cq.Next(&tag, &ok) && tag != &status) {
  }
  return status;
}

}  // namespace

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
  return v.ToStatus();
}

// One API route, resolved against the descriptors and channels at start.
struct Endpoint {
  const Route* route;
  std::string grpc_path;  // "/renkei.v1.IntakeService/GetConsultation"
  const Message* request_prototype;
  const Message* response_prototype;
  std::shared_ptr<grpc::GenericStub> stub;
};

class Gateway::Impl {
 public:
  explicit Impl(v1::InstanceConfig config)
      : config_(std::move(config)),
        instance_id_(common::InstanceId(config_.instance())),
        router_(Routes()),
        secure_cookies_(config_.gateway().public_origin().empty()
                            ? !common::IsLoopbackAddress(config_.gateway().listen_address())
                            : config_.gateway().public_origin().rfind("https://", 0) == 0) {}

  absl::Status Init();
  absl::Status Start();
  void Stop();
  int port() const { return port_; }

 private:
  // An answer with a JSON error body.
  void Fail(httplib::Response& res, const absl::Status& status, int http_status = 0) {
    res.status = http_status != 0 ? http_status : HttpStatusOf(status.code());
    res.set_content(ErrorJson(status), kJson);
  }
  // The caller's bearer token: the Authorization header (integrating systems) or the session
  // cookie (the console; `from_cookie` then says CSRF applies).
  std::string TokenOf(const httplib::Request& req, bool* from_cookie) const;
  // Whether the token may be sent on (present, only token characters); answers 401 if not.
  bool TokenUsable(const std::string& token, httplib::Response& res);
  // Double-submit CSRF check and a same-origin Origin, for unsafe methods sent with the cookie.
  bool CsrfOk(const httplib::Request& req) const;
  std::string Cookie(std::string_view name, std::string_view value, int64_t max_age,
                     bool http_only) const;

  void HandleApi(const httplib::Request& req, httplib::Response& res);
  // Who the token's claims say is logged in, for the console.
  v1::ConsoleSession SessionOf(const v1::TokenClaims& claims) const;
  void HandleLogin(const httplib::Request& req, httplib::Response& res);
  void HandleLogout(const httplib::Request& req, httplib::Response& res);
  void HandleSession(const httplib::Request& req, httplib::Response& res);
  void AfterRouting(const httplib::Request& req, httplib::Response& res);
  // Counts an attempt of `login` and says whether it may go on (fewer than kMaxFailures in the
  // window); one step under the lock, so parallel attempts cannot slip past the count.
  bool ReserveAttempt(const std::string& login);
  // A successful log-in forgets the login's attempts.
  void ClearAttempts(const std::string& login);

  v1::InstanceConfig config_;
  std::string instance_id_;
  Router router_;
  bool secure_cookies_;
  std::map<const Route*, Endpoint> endpoints_;
  common::KeyRing keys_;
  std::optional<common::SigningKey> signing_key_;
  Accounts accounts_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex failures_mu_;
  // account's login -> attempt times in the window (bounded by the accounts file)
  std::map<std::string, std::deque<int64_t>> failures_;
  // Password hashing (Argon2id, 64 MiB each) at most this many at once.
  std::mutex hashing_mu_;
  std::condition_variable hashing_cv_;
  int hashing_ = 0;
};

absl::Status Gateway::Impl::Init() {
  const auto& g = config_.gateway();
  const auto& security = config_.security();
  if (!security.unauthenticated_loopback()) {
    auto keys = common::LoadKeyRing(security.key_dir());
    if (!keys.ok()) return keys.status();
    keys_ = std::move(*keys);
    auto key = common::LoadSigningKey(security.key_dir(), g.key_id());
    if (!key.ok()) return key.status();
    signing_key_ = std::move(*key);
  }
  if (!g.accounts_file().empty()) {
    auto accounts = Accounts::Load(g.accounts_file());
    if (!accounts.ok()) return accounts.status();
    accounts_ = std::move(*accounts);
  }

  // Every route resolved once: its method's descriptors, and a channel per service. The
  // channels carry no token of their own; each call carries its caller's.
  common::ClientSecurity client;
  client.plaintext = security.unauthenticated_loopback();
  if (!client.plaintext) client.tls = security.grpc_tls();
  std::map<std::string, std::shared_ptr<grpc::GenericStub>> stubs;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  for (const auto& route : Routes()) {
    const auto* method = pool->FindMethodByName(route.rpc);
    if (method == nullptr)
      return absl::InternalError(std::string("route to unknown rpc ") + route.rpc);
    const std::string service = method->service()->full_name();
    const v1::ServerConfig* server = ServerOf(config_, service);
    if (server == nullptr) return absl::InternalError("no section for " + service);
    // A service the instance file does not list: its routes answer UNAVAILABLE.
    auto& stub = stubs[service];
    if (!stub && !server->listen_address().empty()) {
      auto channel = common::NewChannel(server->listen_address(), client);
      if (!channel.ok()) return channel.status();
      stub = std::make_shared<grpc::GenericStub>(*channel);
    }
    endpoints_[&route] = Endpoint{&route, "/" + service + "/" + method->name(),
                                  factory->GetPrototype(method->input_type()),
                                  factory->GetPrototype(method->output_type()), stub};
  }

  server_.new_task_queue = [n = g.threads()] { return new httplib::ThreadPool(n); };
  // Workers serve one connection at a time: keep idle keep-alive connections short.
  server_.set_keep_alive_max_count(1000);
  server_.set_keep_alive_timeout(2);
  server_.set_tcp_nodelay(true);  // no 40 ms Nagle/delayed-ACK stall per answer
  server_.set_payload_max_length(g.max_body_bytes());
  // httplib checks the size limit only against a declared Content-Length: bodies sent chunked
  // are refused before anything reads them (a request without either has no body).
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
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
  server_.set_post_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { AfterRouting(req, res); });
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
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
  server_.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        Fail(res, absl::InternalError("内部エラー / internal error"));
      });

  server_.Post("/api/v1/login", [this](const httplib::Request& req, httplib::Response& res) {
    HandleLogin(req, res);
  });
  server_.Post("/api/v1/logout", [this](const httplib::Request& req, httplib::Response& res) {
    HandleLogout(req, res);
  });
  server_.Get("/api/v1/session", [this](const httplib::Request& req, httplib::Response& res) {
    HandleSession(req, res);
  });
  auto api = [this](const httplib::Request& req, httplib::Response& res) { HandleApi(req, res); };
  const char* pattern = "/api/.*";
  server_.Get(pattern, api);
  server_.Post(pattern, api);
  server_.Patch(pattern, api);
  server_.Put(pattern, api);
  server_.Delete(pattern, api);
  if (!g.static_dir().empty() && !server_.set_mount_point("/", g.static_dir())) {
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
    port_ = server_.bind_to_any_port(host);
    if (port_ < 0) return absl::UnavailableError("cannot bind " + address);
  } else {
    if (!server_.bind_to_port(host, port)) return absl::UnavailableError("cannot bind " + address);
    port_ = port;
  }
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() is a no-op until the loop runs: wait for it, so Stop() right after Start() ends.
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return absl::OkStatus();
}

void Gateway::Impl::Stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string Gateway::Impl::TokenOf(const httplib::Request& req, bool* from_cookie) const {
  *from_cookie = false;
  const std::string authorization = req.get_header_value("Authorization");
  if (absl::StartsWithIgnoreCase(authorization, "Bearer ")) return authorization.substr(7);
  std::string cookie = CookieOf(req, kSessionCookie);
  *from_cookie = !cookie.empty();
  return cookie;
}

bool Gateway::Impl::TokenUsable(const std::string& token, httplib::Response& res) {
  if (token.empty()) {
    Fail(res, absl::UnauthenticatedError("ログインしてください / log in first"));
    return false;
  }
  if (!IsTokenText(token)) {
    Fail(res, absl::UnauthenticatedError("トークンの形式が不正です / malformed token"));
    return false;
  }
  return true;
}

bool Gateway::Impl::CsrfOk(const httplib::Request& req) const {
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty()) {
    const std::string& public_origin = config_.gateway().public_origin();
    if (!public_origin.empty()) {
      if (origin != public_origin) return false;
    } else {
      const std::string host = req.get_header_value("Host");
      if (origin != "http://" + host && origin != "https://" + host) return false;
    }
  }
  const std::string cookie = CookieOf(req, kCsrfCookie);
  return !cookie.empty() && ConstantTimeEquals(cookie, req.get_header_value(kCsrfHeader));
}

std::string Gateway::Impl::Cookie(std::string_view name, std::string_view value, int64_t max_age,
                                  bool http_only) const {
  std::string c = std::string(name) + "=" + std::string(value) +
                  "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (http_only) c += "; HttpOnly";
  if (secure_cookies_) c += "; Secure";
  return c;
}

void Gateway::Impl::AfterRouting(const httplib::Request& req, httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
  if (absl::StartsWith(req.path, "/api/")) {
    res.set_header("Cache-Control", "no-store");
  } else {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
                   "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    res.set_header("Cache-Control", "no-cache");
  }
  // Every browser gets a CSRF token to echo (the page reads this cookie; the session's is not
  // readable).
  if (CookieOf(req, kCsrfCookie).empty() && !res.has_header("Set-Cookie")) {
    res.set_header("Set-Cookie", Cookie(kCsrfCookie, RandomHex(32), 24 * 3600, false));
  }
}

bool Gateway::Impl::ReserveAttempt(const std::string& login) {
  std::lock_guard<std::mutex> lock(failures_mu_);
  const int64_t now = NowSeconds();
  auto& times = failures_[login];
  while (!times.empty() && times.front() < now - kFailureWindowSeconds) times.pop_front();
  if (static_cast<int>(times.size()) >= kMaxFailures) return false;
  times.push_back(now);
  return true;
}

void Gateway::Impl::ClearAttempts(const std::string& login) {
  std::lock_guard<std::mutex> lock(failures_mu_);
  failures_.erase(login);
}

void Gateway::Impl::HandleLogin(const httplib::Request& req, httplib::Response& res) {
  if (!CsrfOk(req)) {
    Fail(res, absl::PermissionDeniedError(
                  "CSRF トークンがないか一致しません / missing or mismatched CSRF token"));
    return;
  }
  v1::LoginRequest login;
  if (auto s = ParseJsonBody(req.body, &login); !s.ok()) return Fail(res, s);
  common::FieldViolations v;
  if (login.login().empty()) v.Add("login", "必須です / required");
  if (login.password().empty()) v.Add("password", "必須です / required");
  if (!v.empty()) return Fail(res, v.ToStatus());
  if (!signing_key_) {
    return Fail(
        res,
        absl::FailedPreconditionError(
            "この環境ではログインできません (認証なし) / no log-in: unauthenticated instance"));
  }
  // What was typed as a login is logged only when it is an account's (people type passwords or
  // their names there).
  // Attempts are counted per account (an unknown login has nothing to guess, and counting
  // every typed string would let a flood of them grow the table).
  const bool known = accounts_.Find(login.login()) != nullptr;
  const std::string logged = known ? login.login() : "(unknown)";
  if (known && !ReserveAttempt(login.login())) {
    common::LogLine(common::LogLevel::kWarning, "log-in refused: too many failures")
        .Field("login", logged);
    return Fail(res,
                absl::ResourceExhaustedError(
                    "ログインの失敗が続いたため、しばらくお待ちください / too many failed log-ins; "
                    "try again later"));
  }
  const v1::GatewayAccount* account;
  {
    std::unique_lock<std::mutex> lock(hashing_mu_);
    hashing_cv_.wait(lock, [this] { return hashing_ < kMaxConcurrentHashing; });
    ++hashing_;
    lock.unlock();
    account = accounts_.Verify(login.login(), login.password());
    lock.lock();
    --hashing_;
    hashing_cv_.notify_one();
  }
  if (account == nullptr) {
    common::LogLine(common::LogLevel::kInfo, "log-in failed").Field("login", logged);
    return Fail(res, absl::UnauthenticatedError(
                         "ログインIDまたはパスワードが違います / wrong login or password"));
  }
  ClearAttempts(login.login());
  const int64_t now = NowSeconds();
  const int64_t ttl = int64_t{config_.gateway().session_minutes()} * 60;
  v1::TokenClaims claims;
  claims.set_iss(instance_id_);
  claims.set_aud(instance_id_);
  claims.set_sub(account->login());
  claims.set_role(account->role());
  claims.set_jur(account->jurisdiction());
  claims.set_iat(static_cast<uint32_t>(now));
  claims.set_exp(static_cast<uint32_t>(now + ttl));
  auto token = common::IssueToken(*signing_key_, claims);
  if (!token.ok())
    return Fail(res, absl::InternalError("トークンを発行できません / cannot issue a token"));
  common::LogLine(common::LogLevel::kInfo, "logged in")
      .Field("login", account->login())
      .Field("role", v1::Role_Name(account->role()));
  res.set_header("Set-Cookie", Cookie(kSessionCookie, *token, ttl, true));
  // A fresh CSRF token with every log-in.
  res.set_header("Set-Cookie", Cookie(kCsrfCookie, RandomHex(32), ttl, false));
  const v1::ConsoleSession session = SessionOf(claims);
  res.set_content(ToJson(session), kJson);
}

v1::ConsoleSession Gateway::Impl::SessionOf(const v1::TokenClaims& claims) const {
  v1::ConsoleSession session;
  session.set_login(claims.sub());
  session.set_role(claims.role());
  session.set_jurisdiction(claims.jur());
  if (const auto* account = accounts_.Find(claims.sub())) {
    session.set_display_name(account->display_name());
  }
  session.mutable_instance()->set_code(config_.instance().code());
  session.mutable_instance()->set_name(config_.instance().name());
  session.mutable_instance()->set_level(common::InstanceLevelWord(config_.instance().level()));
  session.set_expires_at(claims.exp());
  return session;
}

void Gateway::Impl::HandleLogout(const httplib::Request& req, httplib::Response& res) {
  bool from_cookie = false;
  (void)TokenOf(req, &from_cookie);
  if (from_cookie && !CsrfOk(req)) {
    return Fail(res, absl::PermissionDeniedError(
                         "CSRF トークンがないか一致しません / missing or mismatched CSRF token"));
  }
  res.set_header("Set-Cookie", Cookie(kSessionCookie, "", 0, true));
  res.set_content("{}", kJson);
}

void Gateway::Impl::HandleSession(const httplib::Request& req, httplib::Response& res) {
  bool from_cookie = false;
  const std::string token = TokenOf(req, &from_cookie);
  if (!TokenUsable(token, res)) return;
  auto claims = common::VerifyToken(keys_, token, NowSeconds(), instance_id_);
  if (!claims.ok()) {
    return Fail(res, absl::UnauthenticatedError("ログインしてください / log in again: " +
                                                std::string(claims.status().message())));
  }
  const v1::ConsoleSession session = SessionOf(*claims);
  res.set_content(ToJson(session), kJson);
}

void Gateway::Impl::HandleApi(const httplib::Request& req, httplib::Response& res) {
  const auto started = std::chrono::steady_clock::now();
  const RouteMatch match = router_.Match(req.method, req.path);
  if (match.route == nullptr) {
    if (match.path_known) {
      return Fail(res, absl::UnimplementedError("このメソッドは使えません / method not allowed"),
                  405);
    }
    return Fail(res, absl::NotFoundError("そのような API はありません / no such route"));
  }
  const Endpoint& endpoint = endpoints_.at(match.route);
  bool from_cookie = false;
  const std::string token = TokenOf(req, &from_cookie);
  const bool open = config_.security().unauthenticated_loopback() && token.empty();
  if (!open && !TokenUsable(token, res)) return;
  if (from_cookie && IsUnsafe(req.method) && !CsrfOk(req)) {
    return Fail(res, absl::PermissionDeniedError(
                         "CSRF トークンがないか一致しません / missing or mismatched CSRF token"));
  }

  if (endpoint.stub == nullptr) {
    return Fail(res, absl::UnavailableError(
                         "このインスタンスでは使えません / the instance has no such service"));
  }
  std::unique_ptr<Message> request(endpoint.request_prototype->New());
  if (req.method != "GET" && !req.body.empty()) {
    const std::string type = req.get_header_value("Content-Type");
    if (!absl::StartsWithIgnoreCase(type, "application/json")) {
      return Fail(res,
                  absl::InvalidArgumentError("Content-Type は application/json です / "
                                             "the body must be application/json"),
                  415);
    }
    if (auto s = ParseJsonBody(req.body, request.get()); !s.ok()) return Fail(res, s);
  }
  // Query parameters (any method), then the path's: the path wins.
  const Params query(req.params.begin(), req.params.end());
  if (auto s = FillFromParams(query, request.get()); !s.ok()) return Fail(res, s);
  if (auto s = FillFromParams(match.path_params, request.get()); !s.ok()) return Fail(res, s);
  // Commands carry a request id (docs/gateway.md, "Retries"): the body's request_id, else the
  // Idempotency-Key header, else a new one; it goes back in the Idempotency-Key header so that a
  // client can send the same command again without applying it twice.
  if (const auto* field = request->GetDescriptor()->FindFieldByName(common::kRequestIdField)) {
    std::string id = request->GetReflection()->GetString(*request, field);
    if (id.empty()) {
      id = req.get_header_value(kIdempotencyHeader);
      if (id.empty()) id = common::NewId("req");
      request->GetReflection()->SetString(request.get(), field, id);
    }
    if (common::IsWellFormedRequestId(id)) res.set_header(kIdempotencyHeader, id);
  }

  grpc::ByteBuffer request_bytes;
  bool own = false;
  if (!grpc::SerializationTraits<Message>::Serialize(*request, &request_bytes, &own).ok()) {
    return Fail(res, absl::InternalError("内部エラー / cannot serialize"));
  }
  // A service that is restarting answers UNAVAILABLE: the call is sent again (reads, and
  // commands with their request id) while the deadline allows.
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::milliseconds(config_.gateway().deadline_ms());
  grpc::ByteBuffer response_bytes;
  grpc::Status status;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    status = CallOnThisThread(*endpoint.stub, &context, endpoint.grpc_path, request_bytes,
                              &response_bytes);
    const auto wait = std::chrono::milliseconds(100 << (2 * (attempt - 1)));  // 100, 400 ms
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || attempt >= kAttempts ||
        std::chrono::system_clock::now() + wait >= deadline) {
      break;
    }
    std::this_thread::sleep_for(wait);
  }
  int http_status = 200;
  if (status.ok()) {
    std::unique_ptr<Message> response(endpoint.response_prototype->New());
    if (!grpc::SerializationTraits<Message>::Deserialize(&response_bytes, response.get()).ok()) {
      http_status = 502;
      Fail(res, absl::InternalError("サービスの応答を読めません / unreadable answer"), 502);
    } else {
      std::string json;
      if (auto s = WriteJson(*response, &json); !s.ok()) {
        http_status = 500;
        Fail(res, s);
      } else {
        res.set_content(json, kJson);
      }
    }
  } else {
    const absl::Status error = common::FromGrpcStatus(status);
    Fail(res, error);
    http_status = res.status;
  }
  if (http_status >= 400) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    // The route's pattern, never the path or query (ids only, but the habit matters).
    common::LogLine(http_status >= 500 ? common::LogLevel::kWarning : common::LogLevel::kInfo,
                    "request failed")
        .Field("method", req.method)
        .Field("route", match.route->path)
        .Field("status", http_status)
        .Field("code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())))
        .Field("micros", static_cast<int64_t>(micros));
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
