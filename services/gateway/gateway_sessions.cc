// The caller's bearer token (the Authorization header or the console's session cookie), the
// double-submit CSRF check, and the console's log-in (with its limit on failed attempts and on
// concurrent password hashing), log-out and session.
#include <httplib.h>
#include <sodium.h>

#include <algorithm>
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
#include "renkei/common/errors.h"
#include "renkei/common/events.h"
#include "renkei/common/log.h"
#include "renkei/common/qr.h"
#include "renkei/common/tokens.h"
#include "renkei/common/validation.h"
#include "renkei/v1/gateway.pb.h"
#include "totp.h"

namespace renkei::gateway {
namespace {

constexpr char kCsrfHeader[] = "X-CSRF-Token";
// Log-in attempts of one account without a success before it is refused for a while.
constexpr int kMaxFailures = 5;
constexpr int64_t kFailureWindowSeconds = int64_t{15} * 60;
constexpr int kMaxConcurrentHashing = 2;

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

namespace {

constexpr int64_t kPendingSeconds = int64_t{5} * 60;
constexpr size_t kMaxPending = 10000;
constexpr char kCsrfRefusal[] =
    "CSRF トークンがないか一致しません / missing or mismatched CSRF token";

// At most `max` bytes of `text`, cut at a UTF-8 character boundary.
std::string Truncated(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

bool GoodNewPassword(const std::string& password, common::FieldViolations* v) {
  if (password.size() < 12) {
    v->Add("new_password", "12文字以上にしてください / at least 12 characters");
    return false;
  }
  if (password.size() > 1024) {
    v->Add("new_password", "1024 バイト以内にしてください / at most 1024 bytes");
    return false;
  }
  return true;
}

}  // namespace

bool Gateway::Impl::ReserveAttemptOrFail(const std::string& login, httplib::Response& res) {
  if (ReserveAttempt(login)) return true;
  common::LogLine(common::LogLevel::kWarning, "log-in refused: too many failures")
      .Field("login", login);
  Fail(res, absl::ResourceExhaustedError(
                "ログインの失敗が続いたため、しばらくお待ちください / too many failed log-ins; "
                "try again later"));
  return false;
}

void Gateway::Impl::HandleLogin(const httplib::Request& req, httplib::Response& res) {
  if (!CsrfOk(req)) return Fail(res, absl::PermissionDeniedError(kCsrfRefusal));
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
  const std::shared_ptr<const Accounts> accounts = accounts_->Get();
  const bool known = accounts->Find(login.login()) != nullptr;
  const std::string logged = known ? login.login() : "(unknown)";
  if (known && !ReserveAttemptOrFail(login.login(), res)) {
    metrics_->Login("locked");
    return;
  }
  const v1::GatewayAccount* account;
  {
    std::unique_lock<std::mutex> lock(hashing_mu_);
    hashing_cv_.wait(lock, [this] { return hashing_ < kMaxConcurrentHashing; });
    ++hashing_;
    lock.unlock();
    account = accounts->Verify(login.login(), login.password());
    lock.lock();
    --hashing_;
    hashing_cv_.notify_one();
  }
  if (account == nullptr) {
    metrics_->Login("wrong_password");
    common::LogLine(common::LogLevel::kInfo, "log-in failed").Field("login", logged);
    return Fail(res, absl::UnauthenticatedError(
                         "ログインIDまたはパスワードが違います / wrong login or password"));
  }
  if (account->disabled()) {
    metrics_->Login("disabled");
    common::LogLine(common::LogLevel::kInfo, "log-in refused: account disabled")
        .Field("login", logged);
    return Fail(res, absl::PermissionDeniedError(
                         "このアカウントは停止されています。担当の職員に連絡してください / the "
                         "account is disabled"));
  }
  PendingLogin pending;
  pending.login = account->login();
  pending.user_agent = Truncated(req.get_header_value("User-Agent"), 200);
  pending.address = req.remote_addr;
  Proceed(std::move(pending), req, res);
}

std::string Gateway::Impl::NextStep(const v1::GatewayAccount& account,
                                    const PendingLogin& done) const {
  if (account.must_change_password() && !done.password_changed) return "new_password";
  if (!account.totp_secret().empty()) return done.second_factor_done ? "" : "totp";
  for (int role : config_.gateway().two_factor_roles()) {
    if (role == account.role()) return "totp_enrollment";
  }
  return "";
}

void Gateway::Impl::DropPending(const std::string& login) {
  std::lock_guard<std::mutex> lock(pending_mu_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->second.login == login ? pending_.erase(it) : std::next(it);
  }
}

void Gateway::Impl::Proceed(PendingLogin pending, const httplib::Request& req,
                            httplib::Response& res) {
  const std::shared_ptr<const Accounts> accounts = accounts_->Get();
  const v1::GatewayAccount* account = accounts->Find(pending.login);
  if (account == nullptr || account->disabled()) {
    return Fail(res, absl::UnauthenticatedError("ログインしてください / log in again"));
  }
  const std::string next = NextStep(*account, pending);
  if (next.empty()) {
    ClearAttempts(pending.login);
    {
      // The log-in under way is spent: its cookie is no way in any more.
      std::lock_guard<std::mutex> lock(pending_mu_);
      pending_.erase(CookieOf(req, kPendingCookie));
    }
    res.set_header("Set-Cookie", Cookie(kPendingCookie, "", 0, true));
    auto session = IssueSession(pending.login, pending.user_agent, pending.address, res);
    if (session) res.set_content(ToJson(*session), kJson);
    return;
  }
  pending.next_step = next;
  pending.expires_at = NowSeconds() + kPendingSeconds;
  const std::string id = RandomHex(32);
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    const int64_t now = NowSeconds();
    for (auto it = pending_.begin(); it != pending_.end();) {
      it = it->second.expires_at < now ? pending_.erase(it) : std::next(it);
    }
    if (pending_.size() >= kMaxPending) {
      return Fail(res, absl::ResourceExhaustedError(
                           "混み合っています。しばらくしてからやり直してください / too many "
                           "log-ins under way"));
    }
    // The cookie of the step before (if any) is spent.
    const std::string before = CookieOf(req, kPendingCookie);
    if (!before.empty()) pending_.erase(before);
    pending_[id] = pending;
  }
  res.set_header("Set-Cookie", Cookie(kPendingCookie, id, kPendingSeconds, true));
  v1::ConsoleSession answer;
  answer.set_login(account->login());
  answer.set_display_name(account->display_name());
  answer.set_next_step(next);
  answer.set_two_factor(!account->totp_secret().empty());
  answer.set_two_factor_required(next == "totp_enrollment");
  res.set_content(ToJson(answer), kJson);
}

std::optional<PendingLogin> Gateway::Impl::PendingOf(const httplib::Request& req,
                                                     httplib::Response& res,
                                                     std::string_view step) {
  if (!CsrfOk(req)) {
    Fail(res, absl::PermissionDeniedError(kCsrfRefusal));
    return std::nullopt;
  }
  const std::string id = CookieOf(req, kPendingCookie);
  std::lock_guard<std::mutex> lock(pending_mu_);
  auto it = pending_.find(id);
  if (id.empty() || it == pending_.end() || it->second.expires_at < NowSeconds() ||
      it->second.next_step != step) {
    if (it != pending_.end() && it->second.expires_at < NowSeconds()) pending_.erase(it);
    Fail(res, absl::UnauthenticatedError(
                  "ログインの手続きの有効期限が切れました。もう一度ログインしてください / no "
                  "log-in under way: log in again"));
    return std::nullopt;
  }
  return it->second;
}

void Gateway::Impl::HandleNewPassword(const httplib::Request& req, httplib::Response& res) {
  auto pending = PendingOf(req, res, "new_password");
  if (!pending) return;
  v1::NewPasswordRequest body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  common::FieldViolations v;
  if (!GoodNewPassword(body.new_password(), &v)) return Fail(res, v.ToStatus());
  if (accounts_->Get()->Verify(pending->login, body.new_password()) != nullptr) {
    return Fail(res, common::InvalidField("new_password",
                                          "仮のパスワードとは違うものにしてください / must differ "
                                          "from the temporary password"));
  }
  auto hash = HashPassword(body.new_password());
  if (!hash.ok()) return Fail(res, hash.status());
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() != pending->login) continue;
      a.set_password_hash(*hash);
      a.set_must_change_password(false);
      return absl::OkStatus();
    }
    return absl::NotFoundError("アカウントがありません / no such account");
  });
  if (!saved.ok()) return Fail(res, saved);
  common::LogLine(common::LogLevel::kInfo, "password changed").Field("login", pending->login);
  pending->password_changed = true;
  Proceed(std::move(*pending), req, res);
}

bool Gateway::Impl::CheckSecondFactor(const std::string& login,
                                      const v1::SecondFactorRequest& request,
                                      httplib::Response& res) {
  common::FieldViolations v;
  if (request.code().empty() == request.recovery_code().empty()) {
    v.Add(request.code().empty() ? "code" : "recovery_code",
          "確認コードか回復コードのどちらかを入力してください / one of code and recovery_code");
    Fail(res, v.ToStatus());
    return false;
  }
  if (!ReserveAttemptOrFail(login, res)) {
    metrics_->Login("locked");
    return false;
  }
  bool matched = false;
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() != login) continue;
      if (!request.code().empty()) {
        auto step = MatchTotp(a.totp_secret(), request.code(), NowSeconds(), a.totp_last_step());
        if (!step) return absl::OkStatus();
        a.set_totp_last_step(*step);  // the same code is not accepted twice
        matched = true;
        return absl::OkStatus();
      }
      const std::string hash = RecoveryCodeHash(request.recovery_code());
      auto* hashes = a.mutable_recovery_code_hashes();
      for (int i = 0; i < hashes->size(); ++i) {
        if (sodium_memcmp(hashes->Get(i).data(), hash.data(), hash.size()) == 0 &&
            hashes->Get(i).size() == hash.size()) {
          hashes->erase(hashes->begin() + i);  // used once
          matched = true;
          break;
        }
      }
      return absl::OkStatus();
    }
    return absl::NotFoundError("アカウントがありません / no such account");
  });
  if (!saved.ok()) {
    Fail(res, saved);
    return false;
  }
  if (!matched) {
    metrics_->Login("wrong_second_factor");
    common::LogLine(common::LogLevel::kInfo, "second factor refused").Field("login", login);
    v.Add(request.code().empty() ? "recovery_code" : "code",
          "コードが違うか、使用済みです / wrong or already used code");
    Fail(res, v.ToStatus(), 401);
    return false;
  }
  if (!request.recovery_code().empty()) {
    common::LogLine(common::LogLevel::kWarning, "recovery code used").Field("login", login);
  }
  return true;
}

void Gateway::Impl::HandleSecondFactor(const httplib::Request& req, httplib::Response& res) {
  auto pending = PendingOf(req, res, "totp");
  if (!pending) return;
  v1::SecondFactorRequest body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  if (!CheckSecondFactor(pending->login, body, res)) return;
  pending->second_factor_done = true;
  Proceed(std::move(*pending), req, res);
}

v1::TotpEnrollment Gateway::Impl::Enrollment(const std::string& login,
                                             const std::string& secret) const {
  v1::TotpEnrollment out;
  const std::string issuer = "連携 " + config_.instance().name();
  out.set_secret(secret);
  out.set_otpauth_uri(OtpauthUri(issuer, login, secret));
  out.set_qr_svg(common::QrSvg(out.otpauth_uri(), "200px", "認証アプリに読み取らせる QR コード"));
  out.set_digits(kTotpDigits);
  out.set_period_seconds(static_cast<int32_t>(kTotpPeriodSeconds));
  return out;
}

absl::StatusOr<std::vector<std::string>> Gateway::Impl::SaveSecondFactor(const std::string& login,
                                                                         const std::string& secret,
                                                                         int64_t step) {
  std::vector<std::string> codes = NewRecoveryCodes();
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() != login) continue;
      a.set_totp_secret(secret);
      a.set_totp_last_step(step);
      a.clear_recovery_code_hashes();
      for (const auto& code : codes) a.add_recovery_code_hashes(RecoveryCodeHash(code));
      return absl::OkStatus();
    }
    return absl::NotFoundError("アカウントがありません / no such account");
  });
  if (!saved.ok()) return saved;
  common::LogLine(common::LogLevel::kInfo, "second factor enrolled").Field("login", login);
  return codes;
}

bool Gateway::Impl::StillEnrolling(const PendingLogin& pending, httplib::Response& res) {
  // Still what the account needs: not disabled, no second factor enrolled meanwhile.
  const std::shared_ptr<const Accounts> accounts = accounts_->Get();
  const v1::GatewayAccount* account = accounts->Find(pending.login);
  if (account != nullptr && !account->disabled() &&
      NextStep(*account, pending) == "totp_enrollment") {
    return true;
  }
  DropPending(pending.login);
  Fail(res, absl::UnauthenticatedError("ログインしてください / log in again"));
  return false;
}

void Gateway::Impl::HandleLoginEnrollment(const httplib::Request& req, httplib::Response& res) {
  auto pending = PendingOf(req, res, "totp_enrollment");
  if (!pending) return;
  if (!StillEnrolling(*pending, res)) return;
  const std::string secret = NewTotpSecret();
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    auto it = pending_.find(CookieOf(req, kPendingCookie));
    if (it != pending_.end()) it->second.candidate_secret = secret;
  }
  res.set_content(ToJson(Enrollment(pending->login, secret)), kJson);
}

void Gateway::Impl::HandleLoginConfirmation(const httplib::Request& req, httplib::Response& res) {
  auto pending = PendingOf(req, res, "totp_enrollment");
  if (!pending) return;
  v1::TotpConfirmation body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  if (pending->candidate_secret.empty()) {
    return Fail(res, common::InvalidField("code",
                                          "先に QR コードを表示してください / ask for an "
                                          "enrollment first"));
  }
  if (!ReserveAttemptOrFail(pending->login, res) || !StillEnrolling(*pending, res)) return;
  auto step = MatchTotp(pending->candidate_secret, body.code(), NowSeconds(), 0);
  if (!step) {
    metrics_->Login("wrong_second_factor");
    return Fail(res,
                common::InvalidField("code",
                                     "コードが違います。認証アプリの6桁の数字を入力してください / "
                                     "wrong code"));
  }
  auto codes = SaveSecondFactor(pending->login, pending->candidate_secret, *step);
  if (!codes.ok()) return Fail(res, codes.status());
  pending->next_step = "totp_enrollment";
  ClearAttempts(pending->login);
  res.set_header("Set-Cookie", Cookie(kPendingCookie, "", 0, true));
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending_.erase(CookieOf(req, kPendingCookie));
  }
  auto session = IssueSession(pending->login, pending->user_agent, pending->address, res);
  if (!session) return;
  v1::TotpEnrolled answer;
  *answer.mutable_session() = *session;
  for (const auto& code : *codes) answer.add_recovery_codes(code);
  res.set_content(ToJson(answer), kJson);
}

std::optional<v1::ConsoleSession> Gateway::Impl::IssueSession(const std::string& login,
                                                              const std::string& user_agent,
                                                              const std::string& address,
                                                              httplib::Response& res) {
  const std::shared_ptr<const Accounts> accounts = accounts_->Get();
  const v1::GatewayAccount* account = accounts->Find(login);
  if (account == nullptr) {
    Fail(res, absl::UnauthenticatedError("ログインしてください / log in again"));
    return std::nullopt;
  }
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
  claims.set_jti(RandomHex(16));
  auto token = common::IssueToken(*signing_key_, claims);
  if (!token.ok()) {
    Fail(res, absl::InternalError("トークンを発行できません / cannot issue a token"));
    return std::nullopt;
  }
  v1::ConsoleSessionInfo info;
  info.set_id(claims.jti());
  info.set_issued_at(now);
  info.set_expires_at(now + ttl);
  info.set_user_agent(user_agent);
  info.set_address(address);
  if (auto s = sessions_->Add(account->login(), info); !s.ok()) {
    common::LogLine(common::LogLevel::kError, "session not recorded").Field("error", s.ToString());
    Fail(res, absl::UnavailableError("ログインを記録できません / cannot record the session"));
    return std::nullopt;
  }
  metrics_->Login("success");
  common::LogLine(common::LogLevel::kInfo, "logged in")
      .Field("login", account->login())
      .Field("role", v1::Role_Name(account->role()))
      .Field("second_factor", account->totp_secret().empty() ? "no" : "yes");
  res.set_header("Set-Cookie", Cookie(kSessionCookie, *token, ttl, true));
  // A fresh CSRF token with every log-in.
  res.set_header("Set-Cookie", Cookie(kCsrfCookie, RandomHex(32), ttl, false));
  return SessionOf(claims);
}

v1::ConsoleSession Gateway::Impl::SessionOf(const v1::TokenClaims& claims) const {
  v1::ConsoleSession session;
  session.set_login(claims.sub());
  session.set_role(claims.role());
  session.set_jurisdiction(claims.jur());
  const std::shared_ptr<const Accounts> accounts = accounts_->Get();
  if (const auto* account = accounts->Find(claims.sub())) {
    session.set_display_name(account->display_name());
    session.set_two_factor(!account->totp_secret().empty());
    for (int role : config_.gateway().two_factor_roles()) {
      if (role == account->role()) session.set_two_factor_required(true);
    }
  }
  session.mutable_instance()->set_code(config_.instance().code());
  session.mutable_instance()->set_name(config_.instance().name());
  session.mutable_instance()->set_level(common::InstanceLevelWord(config_.instance().level()));
  session.set_expires_at(claims.exp());
  // What the services' matrix allows this caller here, method by method, of the services this
  // instance runs.
  const common::Reach reach = common::ReachOf(claims.jur(), config_.instance());
  const common::AccessTable& table = common::AccessTable::Get();
  for (const std::string& path : table.methods()) {
    // "/renkei.v1.IntakeService/Refer": the service "renkei.v1.IntakeService", the name
    // "IntakeService.Refer".
    const size_t slash = path.find('/', 1);
    if (slash == std::string::npos || served_services_.count(path.substr(1, slash - 1)) == 0) {
      continue;
    }
    const v1::Access* access = table.Find(path);
    if (access == nullptr || !common::Decide(*access, claims.role(), reach).allowed) continue;
    std::string name = path.substr(std::string("/renkei.v1.").size());
    std::replace(name.begin(), name.end(), '/', '.');
    session.add_permissions(name);
  }
  if (MayManageAccounts(claims)) session.add_permissions("Gateway.ManageAccounts");
  return session;
}

std::optional<v1::TokenClaims> Gateway::Impl::Authenticate(const httplib::Request& req,
                                                           httplib::Response& res) {
  bool from_cookie = false;
  const std::string token = TokenOf(req, &from_cookie);
  if (!TokenUsable(token, res)) return std::nullopt;
  if (from_cookie && IsUnsafe(req.method) && !CsrfOk(req)) {
    Fail(res, absl::PermissionDeniedError(kCsrfRefusal));
    return std::nullopt;
  }
  auto claims = common::VerifyToken(keys_, token, NowSeconds(), instance_id_);
  if (!claims.ok()) {
    Fail(res, absl::UnauthenticatedError("ログインしてください / log in again: " +
                                         std::string(claims.status().message())));
    return std::nullopt;
  }
  if (revoked_->IsRevoked(claims->jti())) {
    Fail(res, absl::UnauthenticatedError(
                  "ログアウト済みです。もう一度ログインしてください / the token was revoked"));
    return std::nullopt;
  }
  if (!claims->jti().empty()) {  // a console log-in: its account must still be in use
    const std::shared_ptr<const Accounts> accounts = accounts_->Get();
    const v1::GatewayAccount* account = accounts->Find(claims->sub());
    if (account == nullptr || account->disabled()) {
      Fail(res, absl::UnauthenticatedError(
                    "このアカウントは使えなくなりました / the account was disabled or removed"));
      return std::nullopt;
    }
  }
  return *claims;
}

absl::Status Gateway::Impl::EndSession(const std::string& id, int64_t expires_at) {
  if (auto s = revoked_->Revoke(id, expires_at); !s.ok()) return s;
  auto ended = sessions_->End(id);
  return ended.ok() || absl::IsNotFound(ended) ? absl::OkStatus() : ended;
}

absl::Status Gateway::Impl::EndSessionsOf(const std::string& login, const std::string& keep) {
  DropPending(login);
  for (const auto& info : sessions_->Of(login)) {
    if (info.id() == keep) continue;
    if (auto s = EndSession(info.id(), info.expires_at()); !s.ok()) return s;
    metrics_->Revoked();
  }
  return absl::OkStatus();
}

void Gateway::Impl::AccountsChanged(const Accounts& before, const Accounts& after) {
  for (const auto& [login, account] : before.all()) {
    const v1::GatewayAccount* now = after.Find(login);
    if (now != nullptr && !now->disabled()) continue;
    if (account.disabled()) continue;  // ended when it was disabled
    if (auto s = EndSessionsOf(login); !s.ok()) {
      common::LogLine(common::LogLevel::kError, "sessions of a disabled account not ended")
          .Field("login", login)
          .Field("error", s.ToString());
    } else {
      common::LogLine(common::LogLevel::kInfo, "sessions ended: account disabled or removed")
          .Field("login", login);
    }
  }
}

void Gateway::Impl::HandleLogout(const httplib::Request& req, httplib::Response& res) {
  bool from_cookie = false;
  const std::string token = TokenOf(req, &from_cookie);
  // Whatever happens next, this browser holds no session afterwards.
  res.set_header("Set-Cookie", Cookie(kSessionCookie, "", 0, true));
  if (from_cookie && !CsrfOk(req)) return Fail(res, absl::PermissionDeniedError(kCsrfRefusal));
  // The token ends here, for every service (the revocation list), not only the cookie.
  if (!token.empty()) {
    auto claims = common::VerifyToken(keys_, token, NowSeconds(), instance_id_);
    if (claims.ok() && !claims->jti().empty()) {
      if (auto s = EndSession(claims->jti(), claims->exp()); !s.ok()) {
        common::LogLine(common::LogLevel::kError, "log-out not recorded")
            .Field("error", s.ToString());
        return Fail(res, absl::UnavailableError(
                             "ログアウトを記録できません。もう一度お試しください / cannot record "
                             "the log-out"));
      }
      metrics_->Revoked();
      common::LogLine(common::LogLevel::kInfo, "logged out").Field("login", claims->sub());
    }
  }
  res.set_content("{}", kJson);
}

void Gateway::Impl::HandleSession(const httplib::Request& req, httplib::Response& res) {
  auto claims = Authenticate(req, res);
  if (!claims) return;
  res.set_content(ToJson(SessionOf(*claims)), kJson);
}

void Gateway::Impl::HandleSessions(const httplib::Request& req, httplib::Response& res) {
  auto claims = Authenticate(req, res);
  if (!claims) return;
  v1::ConsoleSessionList list;
  for (auto& info : sessions_->Of(claims->sub())) {
    info.set_current(info.id() == claims->jti());
    *list.add_sessions() = std::move(info);
  }
  res.set_content(ToJson(list), kJson);
}

void Gateway::Impl::HandleEndSession(const httplib::Request& req, httplib::Response& res) {
  auto claims = Authenticate(req, res);
  if (!claims) return;
  const std::string id = PathParam(req, 1);
  // Only one's own sessions: another's id reads as unknown.
  for (const auto& info : sessions_->Of(claims->sub())) {
    if (info.id() != id) continue;
    if (auto s = EndSession(id, info.expires_at()); !s.ok()) {
      return Fail(res, absl::UnavailableError("ログインを終わらせられません / cannot end it"));
    }
    metrics_->Revoked();
    if (id == claims->jti()) res.set_header("Set-Cookie", Cookie(kSessionCookie, "", 0, true));
    res.set_content("{}", kJson);
    return;
  }
  Fail(res, common::NotFoundError("renkei.v1.ConsoleSessionInfo", id,
                                  "そのログインはありません / no such session"));
}

}  // namespace renkei::gateway
