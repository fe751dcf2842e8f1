// The caller's bearer token (the Authorization header or the console's session cookie), the
// double-submit CSRF check, and the console's log-in (with its limit on failed attempts and on
// concurrent password hashing), log-out and session.
#include <httplib.h>
#include <sodium.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gateway_parts.h"
#include "renkei/common/auth.h"
#include "renkei/common/clock.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/log.h"
#include "renkei/common/tokens.h"
#include "renkei/common/validation.h"
#include "renkei/v1/gateway.pb.h"

namespace renkei::gateway {
namespace {

constexpr char kCsrfHeader[] = "X-CSRF-Token";
// Log-in attempts of one account without a success before it is refused for a while.
constexpr int kMaxFailures = 5;
constexpr int64_t kFailureWindowSeconds = int64_t{15} * 60;
constexpr int kMaxConcurrentHashing = 2;

int64_t NowSeconds() { return common::SystemClock::Get()->NowMicros() / 1000000; }

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

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

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

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.resize(bytes * 2);
  return hex;
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

}  // namespace renkei::gateway
