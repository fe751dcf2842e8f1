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
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "accounts.h"
#include "console_sessions.h"
#include "gateway.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "renkei/common/auth.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/revocation.h"
#include "renkei/common/tokens.h"
#include "renkei/v1/config.pb.h"
#include "renkei/v1/gateway.pb.h"
#include "routes.h"
#include "transcode.h"

namespace renkei::gateway {

inline constexpr char kSessionCookie[] = "renkei_session";
inline constexpr char kCsrfCookie[] = "renkei_csrf";
// A log-in under way (a second factor, a new password or an enrollment still to come).
inline constexpr char kPendingCookie[] = "renkei_pending";
inline constexpr char kJson[] = "application/json; charset=utf-8";

inline int64_t NowSeconds() { return common::SystemClock::Get()->NowMicros() / 1000000; }

// A method that changes something (CSRF applies).
inline bool IsUnsafe(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

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

// A log-in whose password was right and that still needs a step (next_step), or a logged-in
// user's enrollment of a new second factor; kept in memory for five minutes.
struct PendingLogin {
  std::string login;
  std::string next_step;         // "new_password", "totp", "totp_enrollment"
  std::string candidate_secret;  // an enrollment's secret until a code confirms it
  int64_t expires_at = 0;
  std::string user_agent;
  std::string address;
  // Steps this log-in has done (so a step is never asked twice, and never skipped).
  bool password_changed = false;
  bool second_factor_done = false;
};

// The gateway's own metrics (GET /metrics; gateway_metrics.cc).
class GatewayMetrics {
 public:
  GatewayMetrics();
  ~GatewayMetrics();
  void Login(const std::string& result);
  void Revoked();
  void Request(const std::string& route, const std::string& method, int status, double seconds);
  void SetPending(size_t n);
  // The certificate files whose expiry each scrape reports (read then: renewed files show).
  void WatchCertificates(std::vector<std::string> files);
  // The Prometheus text exposition of every metric.
  std::string Text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Gateway::Impl {
 public:
  explicit Impl(v1::InstanceConfig config);
  ~Impl();

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
  // The gateway's own routes (routes.cc OwnRoutes; gateway_sessions.cc and gateway_accounts.cc).
  using OwnHandler = void (Impl::*)(const httplib::Request&, httplib::Response&);
  static const std::map<std::string, OwnHandler>& OwnHandlers();
  void HandleLogin(const httplib::Request& req, httplib::Response& res);
  void HandleNewPassword(const httplib::Request& req, httplib::Response& res);
  void HandleSecondFactor(const httplib::Request& req, httplib::Response& res);
  void HandleLoginEnrollment(const httplib::Request& req, httplib::Response& res);
  void HandleLoginConfirmation(const httplib::Request& req, httplib::Response& res);
  void HandleLogout(const httplib::Request& req, httplib::Response& res);
  void HandleSession(const httplib::Request& req, httplib::Response& res);
  void HandleSessions(const httplib::Request& req, httplib::Response& res);
  void HandleEndSession(const httplib::Request& req, httplib::Response& res);
  void HandleOwnPassword(const httplib::Request& req, httplib::Response& res);
  void HandleOwnEnrollment(const httplib::Request& req, httplib::Response& res);
  void HandleOwnConfirmation(const httplib::Request& req, httplib::Response& res);
  void HandleListAccounts(const httplib::Request& req, httplib::Response& res);
  void HandleCreateAccount(const httplib::Request& req, httplib::Response& res);
  void HandleDisableAccount(const httplib::Request& req, httplib::Response& res);
  void HandlePasswordReset(const httplib::Request& req, httplib::Response& res);
  void HandleTwoFactorReset(const httplib::Request& req, httplib::Response& res);
  void HandleOpenApi(const httplib::Request& req, httplib::Response& res);
  void HandleMetrics(const httplib::Request& req, httplib::Response& res);

  // The caller of a route that needs a log-in: a verified token not on the revocation list
  // (and, for a change sent with the cookie, the CSRF check). Answers 401/403 and returns
  // nullopt otherwise.
  std::optional<v1::TokenClaims> Authenticate(const httplib::Request& req, httplib::Response& res);
  // The log-in under way named by the renkei_pending cookie, at `step`; answers 401 if none.
  std::optional<PendingLogin> PendingOf(const httplib::Request& req, httplib::Response& res,
                                        std::string_view step);
  // What a log-in whose password was right still needs, given the steps it has done:
  // "new_password", "totp", "totp_enrollment" or "" (nothing: a session).
  std::string NextStep(const v1::GatewayAccount& account, const PendingLogin& done) const;
  // Whether a log-in under way may still enroll a second factor; answers 401 (and forgets the
  // login's log-ins under way) if not.
  bool StillEnrolling(const PendingLogin& pending, httplib::Response& res);
  // Forgets the log-ins under way of `login` (its access was ended or changed).
  void DropPending(const std::string& login);
  // Goes on with a log-in after a step: the next step's answer (a pending cookie) or the session.
  void Proceed(PendingLogin pending, const httplib::Request& req, httplib::Response& res);
  // Issues the session of `login`: its token (with a fresh id, recorded in the sessions file),
  // the cookies; returns what the answer says (ConsoleSession), nullopt after answering an error.
  std::optional<v1::ConsoleSession> IssueSession(const std::string& login,
                                                 const std::string& user_agent,
                                                 const std::string& address,
                                                 httplib::Response& res);
  // Ends a session: its token on the revocation list, the session's record ended.
  absl::Status EndSession(const std::string& id, int64_t expires_at);
  // Ends every session of `login` but `keep` (a disabled account, a reset password or second
  // factor; after one's own password change, the others), and its log-ins under way.
  absl::Status EndSessionsOf(const std::string& login, const std::string& keep = "");
  // The accounts file changed on disk: sessions of accounts disabled or removed there end.
  void AccountsChanged(const Accounts& before, const Accounts& after);
  // Checks a code (or a recovery code) of the account's second factor and records its use;
  // answers and returns false when it does not match.
  bool CheckSecondFactor(const std::string& login, const v1::SecondFactorRequest& request,
                         httplib::Response& res);
  // A new secret to enroll for `login` (the QR code and the key).
  v1::TotpEnrollment Enrollment(const std::string& login, const std::string& secret) const;
  // Saves a confirmed secret and new recovery codes; the codes (shown once) or an error.
  absl::StatusOr<std::vector<std::string>> SaveSecondFactor(const std::string& login,
                                                            const std::string& secret,
                                                            int64_t step);
  // Authenticate, and the caller may manage the instance's accounts (403 otherwise).
  std::optional<v1::TokenClaims> AccountsCaller(const httplib::Request& req,
                                                httplib::Response& res);
  // Whether the claims may manage the instance's accounts (Gateway.ManageAccounts).
  bool MayManageAccounts(const v1::TokenClaims& claims) const;
  // The roles the instance's staff may give the accounts they make.
  std::vector<v1::Role> AssignableRoles() const;
  v1::AccountSummary Summary(const v1::GatewayAccount& account) const;
  // A path parameter of an own route, by its name in OwnRoutes' path.
  static std::string PathParam(const httplib::Request& req, size_t index);
  void AfterRouting(const httplib::Request& req, httplib::Response& res);
  // The metrics' label of a request: its route's pattern, or what kind of path it is.
  std::string RouteLabel(const httplib::Request& req) const;
  // Notes the arrival of the request this thread is about to route, and counts its answer.
  static void RequestArrived();
  void CountRequest(const httplib::Request& req, const httplib::Response& res);
  // Counts an attempt of `login` and says whether it may go on (fewer than kMaxFailures in the
  // window); one step under the lock, so parallel attempts cannot slip past the count.
  bool ReserveAttempt(const std::string& login);
  // A successful log-in forgets the login's attempts.
  void ClearAttempts(const std::string& login);
  // ReserveAttempt, answering 429 when it says no.
  bool ReserveAttemptOrFail(const std::string& login, httplib::Response& res);

  v1::InstanceConfig config_;
  std::string instance_id_;
  Router router_;
  bool secure_cookies_;
  std::map<const Route*, Endpoint> endpoints_;
  // The gRPC services this instance runs ("renkei.v1.IntakeService"): a permission is listed
  // only for a service that is there to call.
  std::set<std::string> served_services_;
  common::KeyRing keys_;
  std::optional<common::SigningKey> signing_key_;
  std::unique_ptr<AccountStore> accounts_;
  std::shared_ptr<common::RevocationList> revoked_;
  std::unique_ptr<ConsoleSessions> sessions_;
  std::mutex pending_mu_;
  std::map<std::string, PendingLogin> pending_;  // pending id -> the log-in (expiring)
  std::unique_ptr<GatewayMetrics> metrics_;
  std::string openapi_;  // the API's description, made once
  // HTTPS when gateway.tls names a certificate (an httplib::SSLServer), else HTTP.
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  Router public_router_{PublicRoutes()};
  // OwnRoutes as routes (for matching a path to its pattern), and the router over them.
  std::vector<Route> own_routes_ = OwnRoutesAsRoutes();
  Router own_router_{own_routes_};
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
