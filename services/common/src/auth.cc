#include "renkei/common/auth.h"

#include <fstream>
#include <sstream>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"
#include "renkei/common/events.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/log.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/validation.h"

namespace renkei::common {
namespace {

constexpr char kHealthPrefix[] = "/grpc.health.v1.Health/";
constexpr char kReflectionPrefix[] = "/grpc.reflection.";

bool Contains(const google::protobuf::RepeatedField<int>& roles, v1::Role role) {
  for (int r : roles) {
    if (r == role) return true;
  }
  return false;
}

std::string RoleName(v1::Role role) { return v1::Role_Name(role); }

std::string ToString(const grpc::string_ref& s) { return std::string(s.data(), s.size()); }

}  // namespace

Reach ReachOf(std::string_view caller, const v1::InstanceIdentity& instance) {
  if (caller.empty()) return Reach::kOther;
  const bool national = instance.level() == v1::INSTANCE_LEVEL_NATIONAL;
  if (caller == instance.code() || (national && caller == "000000")) return Reach::kOwn;
  if (caller == "000000") return Reach::kCovering;
  if (caller.size() == 6 && instance.code().size() == 6 && !national) {
    const Prefecture* pref = Jurisdictions::Get().FindPrefecture(caller);
    if (pref != nullptr && pref->code == caller &&
        instance.code().compare(0, 2, pref->prefecture_code) == 0) {
      return Reach::kCovering;
    }
  }
  return Reach::kOther;
}

AccessDecision Decide(const v1::Access& access, v1::Role role, Reach reach) {
  AccessDecision d;
  if (reach == Reach::kOther || role == v1::ROLE_UNSPECIFIED) return d;
  d.allowed =
      Contains(access.covering(), role) || (reach == Reach::kOwn && Contains(access.own(), role));
  d.personal = d.allowed && reach == Reach::kOwn && Contains(access.personal(), role);
  return d;
}

std::string RefusalMessage(const v1::Access& access, v1::Role role, std::string_view path,
                           std::string_view jurisdiction, std::string_view audience) {
  const std::string english = RoleName(role) + " of jurisdiction " + std::string(jurisdiction) +
                              " may not call " + std::string(path) + " on instance " +
                              std::string(audience);
  // The role may do this from its own instance or a covering one, but not from here.
  if (Contains(access.own(), role) || Contains(access.covering(), role)) {
    return "この記録は管轄外のため扱えません (所属する市区町村・都道府県の記録だけを扱えます) / " +
           english;
  }
  // Who does it: the human roles allowed from the instance's own jurisdiction, in the order of
  // the Role enum (service identities and operators are no one a person would ask).
  std::vector<v1::Role> who;
  for (int r = v1::Role_MIN; r <= v1::Role_MAX; ++r) {
    const auto role_value = static_cast<v1::Role>(r);
    if (!v1::Role_IsValid(r) || role_value == v1::ROLE_UNSPECIFIED ||
        role_value == v1::ROLE_SERVICE || role_value == v1::ROLE_OPERATOR ||
        role_value == v1::ROLE_INTEGRATION_SYSTEM) {
      continue;
    }
    if (Contains(access.own(), role_value) || Contains(access.covering(), role_value)) {
      who.push_back(role_value);
    }
  }
  if (who.empty()) return "この操作はこの画面からは行えません / " + english;
  std::string names;
  for (v1::Role r : who) {
    if (!names.empty()) names += "・";
    names += std::string(Label(r));
  }
  return "この操作は" + names + "が行います / " + english;
}

void ForEachRenkeiMethod(const std::function<void(const google::protobuf::MethodDescriptor&)>& fn) {
  std::vector<std::string> files;
  google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : files) {
    if (name.rfind("renkei/", 0) != 0) continue;
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) fn(*service->method(m));
    }
  }
}

const AccessTable& AccessTable::Get() {
  static const AccessTable* table = [] {
    auto* t = new AccessTable();
    ForEachRenkeiMethod([t](const google::protobuf::MethodDescriptor& method) {
      std::string path = "/" + method.service()->full_name() + "/" + method.name();
      t->methods_.push_back(path);
      if (method.options().HasExtension(v1::access)) {
        t->access_.emplace(path, method.options().GetExtension(v1::access));
      } else {
        t->undeclared_.push_back(path);
      }
    });
    return t;
  }();
  return *table;
}

const v1::Access* AccessTable::Find(std::string_view path) const {
  auto it = access_.find(path);
  return it == access_.end() ? nullptr : &it->second;
}

TokenAuthProcessor::TokenAuthProcessor(KeyRing keys, v1::InstanceIdentity instance,
                                       std::string audience, AuditLog* audit, const Clock* clock,
                                       std::shared_ptr<RevocationList> revoked)
    : keys_(std::move(keys)),
      instance_(std::move(instance)),
      audience_(std::move(audience)),
      audit_(audit),
      clock_(clock),
      revoked_(std::move(revoked)) {}

grpc::Status TokenAuthProcessor::Refuse(grpc::StatusCode code, const std::string& message,
                                        const std::string& path, const v1::TokenClaims* claims) {
  if (audit_ != nullptr) {
    v1::AuditEntry entry;
    if (claims != nullptr) {
      entry.set_subject(claims->sub());
      entry.set_role(claims->role());
      entry.set_jurisdiction(claims->jur());
    }
    entry.set_rpc(path);
    entry.set_action(v1::AUDIT_ACTION_DENIED);
    entry.set_detail(message);
    if (auto s = audit_->Record({std::move(entry)}, Durability::kSync); !s.ok()) {
      LogLine(LogLevel::kError, "audit append failed").Field("error", s.ToString());
    }
  }
  LogLine(LogLevel::kWarning, "call refused")
      .Field("rpc", path)
      .Field("code", static_cast<int>(code))
      .Field("reason", message);
  return grpc::Status(code, message);
}

absl::StatusOr<v1::TokenClaims> TokenAuthProcessor::Verify(std::string_view token) {
  const int64_t now = clock_->NowMicros() / 1000000;
  std::optional<v1::TokenClaims> cached;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = verified_.find(std::string(token));
    if (it != verified_.end()) {
      constexpr int64_t kLeeway = 30;  // as VerifyToken
      if (now <= int64_t{it->second.exp()} + kLeeway) {
        cached = it->second;
      } else {
        verified_.erase(it);
      }
    }
  }
  absl::StatusOr<v1::TokenClaims> claims =
      cached ? absl::StatusOr<v1::TokenClaims>(*cached) : VerifyToken(keys_, token, now, audience_);
  if (!claims.ok()) return claims;
  if (revoked_ != nullptr && revoked_->IsRevoked(claims->jti())) {
    return absl::UnauthenticatedError(
        "ログアウト済みのトークンです。もう一度ログインしてください / the token was revoked "
        "(logged out)");
  }
  if (!cached) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (verified_.size() >= 4096) verified_.clear();
    verified_.emplace(std::string(token), *claims);
  }
  return claims;
}

grpc::Status TokenAuthProcessor::Process(const InputMetadata& metadata,
                                         grpc::AuthContext* /*context*/,
                                         OutputMetadata* /*consumed*/,
                                         OutputMetadata* /*response*/) {
  std::string path;
  if (auto p = metadata.find(":path"); p != metadata.end()) path = ToString(p->second);
  if (path.rfind(kHealthPrefix, 0) == 0) return grpc::Status::OK;  // liveness carries nothing

  auto header = metadata.find("authorization");
  if (header == metadata.end()) {
    return Refuse(grpc::StatusCode::UNAUTHENTICATED,
                  "認証トークンがありません / missing bearer token (authorization header)", path,
                  nullptr);
  }
  std::string_view value(header->second.data(), header->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer) {
    return Refuse(grpc::StatusCode::UNAUTHENTICATED,
                  "認証トークンの形式が違います / authorization is not a bearer token", path,
                  nullptr);
  }
  auto claims = Verify(value.substr(kBearer.size()));
  if (!claims.ok()) {
    return Refuse(grpc::StatusCode::UNAUTHENTICATED, std::string(claims.status().message()), path,
                  nullptr);
  }
  if (path.rfind(kReflectionPrefix, 0) != 0) {  // reflection: the schema, for any valid token
    const v1::Access* access = AccessTable::Get().Find(path);
    if (access == nullptr) {
      return Refuse(grpc::StatusCode::PERMISSION_DENIED,
                    "アクセスが宣言されていない RPC です / method " + path + " declares no access",
                    path, &*claims);
    }
    Reach reach = ReachOf(claims->jur(), instance_);
    AccessDecision d = Decide(*access, claims->role(), reach);
    if (!d.allowed) {
      return Refuse(grpc::StatusCode::PERMISSION_DENIED,
                    RefusalMessage(*access, claims->role(), path, claims->jur(), audience_), path,
                    &*claims);
    }
  }
  return grpc::Status::OK;
}

std::optional<Caller> TokenAuthProcessor::CallerOf(std::string_view authorization,
                                                   std::string_view path) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) return std::nullopt;
  auto claims = Verify(authorization.substr(kBearer.size()));  // cached: verified by Process
  if (!claims.ok()) return std::nullopt;
  Caller c;
  c.subject = claims->sub();
  c.role = claims->role();
  c.jurisdiction = claims->jur();
  if (const v1::Access* access = AccessTable::Get().Find(path); access != nullptr) {
    c.personal = Decide(*access, c.role, ReachOf(c.jurisdiction, instance_)).personal;
  }
  return c;
}

bool IsLoopbackAddress(std::string_view address) {
  std::string_view host = address;
  if (!host.empty() && host.front() == '[') {
    size_t end = host.find(']');
    host = end == std::string_view::npos ? host : host.substr(1, end - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.rfind("ipv4:", 0) == 0) host.remove_prefix(5);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

absl::StatusOr<ServerSecurity> ServerSecurityFromConfig(const v1::InstanceConfig& config,
                                                        const std::string& listen_address,
                                                        AuditLog* audit) {
  const v1::SecurityConfig& sec = config.security();
  ServerSecurity out;
  if (sec.unauthenticated_loopback()) {
    if (!IsLoopbackAddress(listen_address)) {
      return InvalidField("security.unauthenticated_loopback",
                          "ループバック以外では使えません / only allowed when the service listens "
                          "on a loopback address, not " +
                              listen_address);
    }
    out.unauthenticated = true;
    return out;
  }
  if (sec.key_dir().empty()) {
    return InvalidField("security.key_dir",
                        "トークン検証用の鍵ディレクトリが必要です / required: the directory of "
                        "the public keys tokens are accepted from");
  }
  auto keys = LoadKeyRing(sec.key_dir());
  if (!keys.ok()) return InvalidField("security.key_dir", std::string(keys.status().message()));
  if (keys->size() == 0) {
    return InvalidField(
        "security.key_dir",
        "公開鍵 (<kid>.pub) がありません / no public key (<kid>.pub) in " + sec.key_dir());
  }
  const AccessTable& table = AccessTable::Get();
  if (!table.undeclared().empty()) {
    std::string list;
    for (const auto& m : table.undeclared()) list += (list.empty() ? "" : ", ") + m;
    return absl::FailedPreconditionError("methods without a (renkei.v1.access) declaration: " +
                                         list);
  }
  if (sec.grpc_tls().cert_file().empty() && !IsLoopbackAddress(listen_address)) {
    return InvalidField("security.grpc_tls",
                        "ループバック以外では TLS が必要です / TLS (cert_file, key_file, ca_file) "
                        "is required to listen on " +
                            listen_address);
  }
  out.tls = sec.grpc_tls();
  out.audit = audit;
  std::shared_ptr<RevocationList> revoked;
  if (!sec.revoked_tokens_file().empty()) {
    revoked = std::make_shared<RevocationList>(sec.revoked_tokens_file());
  }
  out.processor = std::make_shared<TokenAuthProcessor>(std::move(*keys), config.instance(),
                                                       InstanceId(config.instance()), audit,
                                                       SystemClock::Get(), std::move(revoked));
  return out;
}

namespace {

class FixedTokenSource final : public TokenSource {
 public:
  explicit FixedTokenSource(std::string token) : token_(std::move(token)) {}
  std::string Token() override { return token_; }

 private:
  std::string token_;
};

class MintedTokenSource final : public TokenSource {
 public:
  MintedTokenSource(SigningKey key, v1::TokenClaims claims, int64_t ttl, const Clock* clock)
      : key_(std::move(key)), claims_(std::move(claims)), ttl_(ttl), clock_(clock) {}
  std::string Token() override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = clock_->NowMicros() / 1000000;
    if (token_.empty() || now + ttl_ / 4 >= expires_) {
      v1::TokenClaims c = claims_;
      c.set_iat(static_cast<uint32_t>(now));
      c.set_exp(static_cast<uint32_t>(now + ttl_));
      auto t = IssueToken(key_, c);
      if (t.ok()) {
        token_ = *t;
        expires_ = now + ttl_;
      }
    }
    return token_;
  }

 private:
  SigningKey key_;
  v1::TokenClaims claims_;
  int64_t ttl_;
  const Clock* clock_;
  std::mutex mu_;
  std::string token_;
  int64_t expires_ = 0;
};

class BearerInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(TokenSource* source) : source_(source) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", "Bearer " + source_->Token()});
    }
    methods->Proceed();
  }

 private:
  TokenSource* source_;
};

class BearerInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(std::shared_ptr<TokenSource> source)
      : source_(std::move(source)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new BearerInterceptor(source_.get());
  }

 private:
  std::shared_ptr<TokenSource> source_;
};

}  // namespace

absl::StatusOr<std::string> ReadCredentialFile(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidField(field, "読めません / cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<TokenSource> TokenSource::Fixed(std::string token) {
  return std::make_shared<FixedTokenSource>(std::move(token));
}

std::shared_ptr<TokenSource> TokenSource::Minted(SigningKey key, v1::TokenClaims claims,
                                                 int64_t ttl_seconds, const Clock* clock) {
  return std::make_shared<MintedTokenSource>(std::move(key), std::move(claims), ttl_seconds, clock);
}

absl::StatusOr<std::shared_ptr<TokenSource>> ServiceIdentity(const v1::InstanceConfig& config,
                                                             const std::string& service) {
  const v1::SecurityConfig& sec = config.security();
  if (sec.unauthenticated_loopback()) return std::shared_ptr<TokenSource>();
  if (sec.service_key_id().empty()) {
    return InvalidField("security.service_key_id",
                        "サービス間呼び出しの署名鍵が必要です / required: the key services sign "
                        "their own identity tokens with");
  }
  auto key = LoadSigningKey(sec.key_dir(), sec.service_key_id());
  if (!key.ok())
    return InvalidField("security.service_key_id", std::string(key.status().message()));
  v1::TokenClaims claims;
  std::string instance = InstanceId(config.instance());
  claims.set_iss(instance);
  claims.set_aud(instance);
  claims.set_sub("service:" + service);
  claims.set_role(v1::ROLE_SERVICE);
  claims.set_jur(config.instance().code());
  return TokenSource::Minted(std::move(*key), std::move(claims));
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(const std::string& address,
                                                          const ClientSecurity& security,
                                                          const grpc::ChannelArguments& args) {
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (security.plaintext) {
    creds = grpc::InsecureChannelCredentials();
  } else if (!security.tls.cert_file().empty()) {
    grpc::SslCredentialsOptions ssl;
    ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadCredentialFile(security.tls.ca_file(), "tls.ca_file"));
    ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                     ReadCredentialFile(security.tls.cert_file(), "tls.cert_file"));
    ASSIGN_OR_RETURN(ssl.pem_private_key,
                     ReadCredentialFile(security.tls.key_file(), "tls.key_file"));
    creds = grpc::SslCredentials(ssl);
  } else {
    if (!IsLoopbackAddress(address)) {
      return absl::FailedPreconditionError(
          "ループバック以外への接続には TLS が必要です / TLS is required to reach " + address);
    }
    creds = grpc::experimental::LocalCredentials(LOCAL_TCP);
  }
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  if (security.token != nullptr) {
    factories.push_back(std::make_unique<BearerInterceptorFactory>(security.token));
  }
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, creds, args,
                                                                 std::move(factories));
}

}  // namespace renkei::common
