// The gateway's own pieces, shared by the files its implementation is split into (gateway.cc:
// configuration, the server and its routes; gateway_sessions.cc: the caller's token, CSRF and the
// console's log-in; gateway_api.cc: an API call relayed to its service): Gateway::Impl and the
// cookies' names. Not part of the gateway's interface.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "accounts.h"
#include "gateway.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "renkei/common/auth.h"
#include "renkei/common/events.h"
#include "renkei/common/tokens.h"
#include "renkei/v1/config.pb.h"
#include "renkei/v1/gateway.pb.h"
#include "routes.h"
#include "transcode.h"

namespace renkei::gateway {

inline constexpr char kSessionCookie[] = "renkei_session";
inline constexpr char kCsrfCookie[] = "renkei_csrf";
inline constexpr char kJson[] = "application/json; charset=utf-8";

// The value of cookie `name` in the request's Cookie header; empty when absent.
std::string CookieOf(const httplib::Request& req, std::string_view name);
// `bytes` random bytes in hex (a CSRF token).
std::string RandomHex(size_t bytes);

// One API route, resolved against the descriptors and channels at start.
struct Endpoint {
  const Route* route;
  std::string grpc_path;  // "/renkei.v1.IntakeService/GetConsultation"
  const google::protobuf::Message* request_prototype;
  const google::protobuf::Message* response_prototype;
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
  // A public route (no log-in): rate-limited per client address, called with the gateway's own
  // service identity (gateway_public.cc).
  void HandlePublic(const httplib::Request& req, httplib::Response& res);
  // The public map page's settings (the tiles and their attribution), rate-limited as the
  // public routes are.
  void HandleMapSettings(const httplib::Request& req, httplib::Response& res);
  // GET /public/v1/challenge: a challenge for a public form's proof of work.
  void HandleChallenge(const httplib::Request& req, httplib::Response& res);
  // Whether the request carries a solved, fresh, unused challenge (header Renkei-Proof:
  // "<challenge> <nonce>"); answers 400 if not.
  bool ProofOk(const httplib::Request& req, httplib::Response& res);
  // The origin links and feeds name: gateway.public_origin, else the request's Host.
  std::string OriginOf(const httplib::Request& req) const;
  // Writes a file answer (Route::file): the response's content, type and download name.
  void WriteFile(const google::protobuf::Message& response, httplib::Response& res);
  // Answers 429 and returns false when `address` made too many public requests.
  bool PublicAllowedOrFail(const httplib::Request& req, std::string_view route,
                           httplib::Response& res);
  // The request message of a route: the JSON body, then query and path parameters, and a request
  // id for a command (the body's, the Idempotency-Key header's, or a new one, sent back in that
  // header). False when it answered an error.
  bool ReadRequest(const RouteMatch& match, const httplib::Request& req, httplib::Response& res,
                   google::protobuf::Message* request);
  // Calls the endpoint with `token` and writes its answer (again while the service answers
  // UNAVAILABLE, within the deadline); failures are logged with the route's pattern.
  void Relay(const Endpoint& endpoint, const std::string& token,
             const google::protobuf::Message& request, const httplib::Request& req,
             httplib::Response& res, std::chrono::steady_clock::time_point started);
  // The gateway's own token (ROLE_SERVICE of the instance), renewed before it expires; empty
  // without a signing key (unauthenticated_loopback).
  std::string ServiceToken();
  // Whether `address` may make another public request now (a sliding window per address, at
  // most `per_window` requests in it).
  bool PublicAllowed(const std::string& address, size_t per_window);
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
  Router public_router_{PublicRoutes()};
  std::mutex service_token_mu_;
  std::string service_token_;
  int64_t service_token_exp_ = 0;
  std::mutex public_mu_;
  // client address -> request times in the window (at most kMaxPublicClients addresses)
  std::map<std::string, std::deque<int64_t>> public_requests_;
  // The key of the public forms' challenges (random per start: a restart only asks a browser
  // for a new challenge), and the challenges used (until they expire).
  std::string challenge_key_;
  std::mutex proofs_mu_;
  std::map<std::string, int64_t> used_proofs_;
  std::mutex failures_mu_;
  // account's login -> attempt times in the window (bounded by the accounts file)
  std::map<std::string, std::deque<int64_t>> failures_;
  // Password hashing (Argon2id, 64 MiB each) at most this many at once.
  std::mutex hashing_mu_;
  std::condition_variable hashing_cv_;
  int hashing_ = 0;
};

}  // namespace renkei::gateway
