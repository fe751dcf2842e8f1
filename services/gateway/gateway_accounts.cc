// The gateway's own routes for people's accounts: one's own password and second factor, and the
// instance's staff accounts (create, disable, reset), managed by the instance's own staff. The
// accounts file is the only store (AccountStore); a change that ends someone's access ends their
// sessions too (the revocation list every service reads).
#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gateway_parts.h"
#include "renkei/common/errors.h"
#include "renkei/common/labels.h"
#include "renkei/common/log.h"
#include "renkei/common/validation.h"
#include "totp.h"

namespace renkei::gateway {
namespace {

constexpr char kNoSuchAccount[] = "そのアカウントはありません / no such account";

}  // namespace

const std::map<std::string, Gateway::Impl::OwnHandler>& Gateway::Impl::OwnHandlers() {
  static const std::map<std::string, OwnHandler> handlers = {
      {"POST /api/v1/login", &Impl::HandleLogin},
      {"POST /api/v1/login/new-password", &Impl::HandleNewPassword},
      {"POST /api/v1/login/second-factor", &Impl::HandleSecondFactor},
      {"POST /api/v1/login/totp-enrollment", &Impl::HandleLoginEnrollment},
      {"POST /api/v1/login/totp-confirmation", &Impl::HandleLoginConfirmation},
      {"POST /api/v1/logout", &Impl::HandleLogout},
      {"GET /api/v1/session", &Impl::HandleSession},
      {"GET /api/v1/sessions", &Impl::HandleSessions},
      {"DELETE /api/v1/sessions/{id}", &Impl::HandleEndSession},
      {"POST /api/v1/account/password", &Impl::HandleOwnPassword},
      {"POST /api/v1/account/totp-enrollment", &Impl::HandleOwnEnrollment},
      {"POST /api/v1/account/totp-confirmation", &Impl::HandleOwnConfirmation},
      {"GET /api/v1/accounts", &Impl::HandleListAccounts},
      {"POST /api/v1/accounts", &Impl::HandleCreateAccount},
      {"POST /api/v1/accounts/{login}/disable", &Impl::HandleDisableAccount},
      {"POST /api/v1/accounts/{login}/password-reset", &Impl::HandlePasswordReset},
      {"POST /api/v1/accounts/{login}/two-factor-reset", &Impl::HandleTwoFactorReset},
      {"GET /api/v1/openapi.json", &Impl::HandleOpenApi},
  };
  return handlers;
}

std::string Gateway::Impl::PathParam(const httplib::Request& req, size_t index) {
  return index < req.matches.size() ? std::string(req.matches[index]) : std::string();
}

bool Gateway::Impl::MayManageAccounts(const v1::TokenClaims& claims) const {
  const bool staff = claims.role() == v1::ROLE_MUNICIPAL_STAFF ||
                     claims.role() == v1::ROLE_PREFECTURE_STAFF ||
                     claims.role() == v1::ROLE_NATIONAL_STAFF;
  return staff && !config_.gateway().accounts_file().empty() &&
         common::ReachOf(claims.jur(), config_.instance()) == common::Reach::kOwn;
}

std::vector<v1::Role> Gateway::Impl::AssignableRoles() const {
  switch (config_.instance().level()) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY:
      return {v1::ROLE_COORDINATOR, v1::ROLE_MUNICIPAL_STAFF};
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return {v1::ROLE_PREFECTURE_STAFF, v1::ROLE_LEAD_COORDINATOR};
    case v1::INSTANCE_LEVEL_NATIONAL:
      return {v1::ROLE_NATIONAL_STAFF, v1::ROLE_LEAD_COORDINATOR};
    default:
      return {};
  }
}

v1::AccountSummary Gateway::Impl::Summary(const v1::GatewayAccount& account) const {
  v1::AccountSummary s;
  s.set_login(account.login());
  s.set_role(account.role());
  s.set_jurisdiction(account.jurisdiction());
  s.set_display_name(account.display_name());
  s.set_disabled(account.disabled());
  s.set_two_factor(!account.totp_secret().empty());
  s.set_must_change_password(account.must_change_password());
  s.set_active_sessions(static_cast<int32_t>(sessions_->Of(account.login()).size()));
  return s;
}

void Gateway::Impl::HandleOwnPassword(const httplib::Request& req, httplib::Response& res) {
  auto claims = Authenticate(req, res);
  if (!claims) return;
  v1::NewPasswordRequest body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  common::FieldViolations v;
  if (body.current_password().empty()) v.Add("current_password", "必須です / required");
  if (body.new_password().size() < 12) {
    v.Add("new_password", "12文字以上にしてください / at least 12 characters");
  } else if (body.new_password() == body.current_password()) {
    v.Add("new_password",
          "今のパスワードと違うものにしてください / must differ from the current one");
  }
  if (!v.empty()) return Fail(res, v.ToStatus());
  if (!ReserveAttemptOrFail(claims->sub(), res)) return;
  const std::shared_ptr<const Accounts> accounts = accounts_->Get();
  if (accounts->Verify(claims->sub(), body.current_password()) == nullptr) {
    return Fail(res, common::InvalidField("current_password",
                                          "今のパスワードが違います / wrong current password"));
  }
  ClearAttempts(claims->sub());
  auto hash = HashPassword(body.new_password());
  if (!hash.ok()) return Fail(res, hash.status());
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() != claims->sub()) continue;
      a.set_password_hash(*hash);
      a.set_must_change_password(false);
      return absl::OkStatus();
    }
    return absl::NotFoundError(kNoSuchAccount);
  });
  if (!saved.ok()) return Fail(res, saved);
  // Whoever else was logged in as this user (with the old password) is not any more.
  if (auto s = EndSessionsOf(claims->sub(), claims->jti()); !s.ok()) return Fail(res, s);
  common::LogLine(common::LogLevel::kInfo, "password changed").Field("login", claims->sub());
  res.set_content("{}", kJson);
}

void Gateway::Impl::HandleOwnEnrollment(const httplib::Request& req, httplib::Response& res) {
  auto claims = Authenticate(req, res);
  if (!claims) return;
  // The password again: a session left open is not enough to change the second factor.
  v1::LoginRequest body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  if (body.password().empty()) {
    return Fail(res,
                common::InvalidField("password", "今のパスワードを入力してください / required"));
  }
  if (!ReserveAttemptOrFail(claims->sub(), res)) return;
  if (accounts_->Get()->Verify(claims->sub(), body.password()) == nullptr) {
    return Fail(res, common::InvalidField("password", "パスワードが違います / wrong password"));
  }
  ClearAttempts(claims->sub());
  PendingLogin enrollment;
  enrollment.login = claims->sub();
  enrollment.next_step = "own_enrollment";
  enrollment.candidate_secret = NewTotpSecret();
  enrollment.expires_at = NowSeconds() + int64_t{10} * 60;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending_["enroll:" + claims->jti()] = enrollment;
  }
  res.set_content(ToJson(Enrollment(claims->sub(), enrollment.candidate_secret)), kJson);
}

void Gateway::Impl::HandleOwnConfirmation(const httplib::Request& req, httplib::Response& res) {
  auto claims = Authenticate(req, res);
  if (!claims) return;
  v1::TotpConfirmation body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  std::string secret;
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    auto it = pending_.find("enroll:" + claims->jti());
    if (it != pending_.end() && it->second.expires_at >= NowSeconds()) {
      secret = it->second.candidate_secret;
    }
  }
  if (secret.empty()) {
    return Fail(res, common::InvalidField(
                         "code", "先に QR コードを表示してください / ask for an enrollment first"));
  }
  if (!ReserveAttemptOrFail(claims->sub(), res)) return;
  auto step = MatchTotp(secret, body.code(), NowSeconds(), 0);
  if (!step) {
    return Fail(res,
                common::InvalidField("code",
                                     "コードが違います。認証アプリの6桁の数字を入力してください / "
                                     "wrong code"));
  }
  ClearAttempts(claims->sub());
  auto codes = SaveSecondFactor(claims->sub(), secret, *step);
  if (!codes.ok()) return Fail(res, codes.status());
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    pending_.erase("enroll:" + claims->jti());
  }
  // Other sessions of this user end: whoever they were, they log in with the new factor now.
  if (auto s = EndSessionsOf(claims->sub(), claims->jti()); !s.ok()) return Fail(res, s);
  v1::TotpEnrolled answer;
  *answer.mutable_session() = SessionOf(*claims);
  for (const auto& code : *codes) answer.add_recovery_codes(code);
  res.set_content(ToJson(answer), kJson);
}

namespace {

// Whether staff may act on `a` (disable, reset): an account of the instance's own jurisdiction in
// a role they could have given it — not an operator's, not one of another level.
bool Manageable(const v1::GatewayAccount& a, const std::string& code,
                const std::vector<v1::Role>& roles) {
  return a.jurisdiction() == code && std::find(roles.begin(), roles.end(), a.role()) != roles.end();
}

}  // namespace

std::optional<v1::TokenClaims> Gateway::Impl::AccountsCaller(const httplib::Request& req,
                                                             httplib::Response& res) {
  auto claims = Authenticate(req, res);
  if (claims && !MayManageAccounts(*claims)) {
    Fail(res, absl::PermissionDeniedError(
                  "アカウントの管理はこのインスタンスの職員が行います / only the instance's own "
                  "staff manage accounts"));
    return std::nullopt;
  }
  return claims;
}

void Gateway::Impl::HandleListAccounts(const httplib::Request& req, httplib::Response& res) {
  auto claims = AccountsCaller(req, res);
  if (!claims) return;
  v1::AccountList list;
  const std::shared_ptr<const Accounts> accounts = accounts_->Get();
  for (const auto& [login, account] : accounts->all()) {
    if (account.jurisdiction() != config_.instance().code()) continue;
    *list.add_accounts() = Summary(account);
  }
  res.set_content(ToJson(list), kJson);
}

void Gateway::Impl::HandleCreateAccount(const httplib::Request& req, httplib::Response& res) {
  auto claims = AccountsCaller(req, res);
  if (!claims) return;
  v1::CreateAccountRequest body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  common::FieldViolations v;
  if (!IsLogin(body.login())) {
    v.Add("login", "英小文字・数字・._- の3〜64文字にしてください / [a-z0-9._-]{3,64}");
  }
  const std::vector<v1::Role> roles = AssignableRoles();
  if (std::find(roles.begin(), roles.end(), body.role()) == roles.end()) {
    std::string names;
    for (v1::Role r : roles) names += (names.empty() ? "" : "・") + std::string(common::Label(r));
    v.Add("role", names + "から選んでください / one of the roles of this instance");
  }
  v.CheckText("display_name", body.display_name(), {.required = true, .max_chars = 100});
  if (!v.empty()) return Fail(res, v.ToStatus());
  const std::string password = TemporaryPassword();
  auto hash = HashPassword(password);
  if (!hash.ok()) return Fail(res, hash.status());
  v1::GatewayAccount account;
  account.set_login(body.login());
  account.set_role(body.role());
  account.set_jurisdiction(config_.instance().code());
  account.set_display_name(body.display_name());
  account.set_password_hash(*hash);
  account.set_must_change_password(true);
  account.set_created_at(NowSeconds());
  account.set_created_by(claims->sub());
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (const auto& a : file->accounts()) {
      if (a.login() == account.login()) {
        return common::InvalidField("login",
                                    "そのログインIDは使われています / login already taken");
      }
    }
    *file->add_accounts() = account;
    return absl::OkStatus();
  });
  if (!saved.ok()) return Fail(res, saved);
  common::LogLine(common::LogLevel::kInfo, "account created")
      .Field("login", account.login())
      .Field("by", claims->sub());
  v1::AccountCreated answer;
  *answer.mutable_account() = Summary(account);
  answer.set_temporary_password(password);
  res.status = 201;
  res.set_content(ToJson(answer), kJson);
}

void Gateway::Impl::HandleDisableAccount(const httplib::Request& req, httplib::Response& res) {
  auto claims = AccountsCaller(req, res);
  if (!claims) return;
  v1::DisableAccountRequest body;
  if (auto s = ParseJsonBody(req.body, &body); !s.ok()) return Fail(res, s);
  const std::string login = PathParam(req, 1);
  if (login == claims->sub() && body.disabled()) {
    return Fail(res, common::InvalidField(
                         "login", "自分のアカウントは停止できません / cannot disable yourself"));
  }
  v1::GatewayAccount changed;
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() != login || !Manageable(a, config_.instance().code(), AssignableRoles())) {
        continue;
      }
      a.set_disabled(body.disabled());
      changed = a;
      return absl::OkStatus();
    }
    return common::NotFoundError("renkei.v1.GatewayAccount", login, kNoSuchAccount);
  });
  if (!saved.ok()) return Fail(res, saved);
  if (body.disabled()) {
    if (auto s = EndSessionsOf(login); !s.ok()) return Fail(res, s);
  }
  common::LogLine(common::LogLevel::kInfo, body.disabled() ? "account disabled" : "account enabled")
      .Field("login", login)
      .Field("by", claims->sub());
  res.set_content(ToJson(Summary(changed)), kJson);
}

void Gateway::Impl::HandlePasswordReset(const httplib::Request& req, httplib::Response& res) {
  auto claims = AccountsCaller(req, res);
  if (!claims) return;
  const std::string login = PathParam(req, 1);
  if (login == claims->sub()) {
    return Fail(
        res, common::InvalidField("login",
                                  "自分のパスワードは「自分のアカウント」で変えてください / change "
                                  "your own password in your account"));
  }
  const std::string password = TemporaryPassword();
  auto hash = HashPassword(password);
  if (!hash.ok()) return Fail(res, hash.status());
  v1::GatewayAccount changed;
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() != login || !Manageable(a, config_.instance().code(), AssignableRoles())) {
        continue;
      }
      a.set_password_hash(*hash);
      a.set_must_change_password(true);
      a.set_created_by(claims->sub());
      changed = a;
      return absl::OkStatus();
    }
    return common::NotFoundError("renkei.v1.GatewayAccount", login, kNoSuchAccount);
  });
  if (!saved.ok()) return Fail(res, saved);
  if (auto s = EndSessionsOf(login); !s.ok()) return Fail(res, s);
  common::LogLine(common::LogLevel::kInfo, "password reset")
      .Field("login", login)
      .Field("by", claims->sub());
  v1::AccountCreated answer;
  *answer.mutable_account() = Summary(changed);
  answer.set_temporary_password(password);
  res.set_content(ToJson(answer), kJson);
}

void Gateway::Impl::HandleTwoFactorReset(const httplib::Request& req, httplib::Response& res) {
  auto claims = AccountsCaller(req, res);
  if (!claims) return;
  const std::string login = PathParam(req, 1);
  if (login == claims->sub()) {
    return Fail(res, common::InvalidField(
                         "login", "自分の二要素認証は解除できません / not your own second factor"));
  }
  v1::GatewayAccount changed;
  auto saved = accounts_->Update([&](v1::GatewayAccounts* file) {
    for (auto& a : *file->mutable_accounts()) {
      if (a.login() != login || !Manageable(a, config_.instance().code(), AssignableRoles())) {
        continue;
      }
      a.clear_totp_secret();
      a.clear_recovery_code_hashes();
      a.set_totp_last_step(0);
      changed = a;
      return absl::OkStatus();
    }
    return common::NotFoundError("renkei.v1.GatewayAccount", login, kNoSuchAccount);
  });
  if (!saved.ok()) return Fail(res, saved);
  if (auto s = EndSessionsOf(login); !s.ok()) return Fail(res, s);
  common::LogLine(common::LogLevel::kWarning, "second factor reset")
      .Field("login", login)
      .Field("by", claims->sub());
  res.set_content(ToJson(Summary(changed)), kJson);
}

}  // namespace renkei::gateway
