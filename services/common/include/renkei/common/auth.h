// Authentication and authorization of gRPC calls (issue 8, docs/security.md).
//
// One server-side mechanism for every service: TokenAuthProcessor runs in gRPC's auth filter
// before any handler. It verifies the bearer token (common/tokens.h), looks up the called
// method's declared access (the (renkei.v1.access) method option), decides from the caller's
// role and the reach of its jurisdiction, and either refuses the call (UNAUTHENTICATED,
// PERMISSION_DENIED — both written to the audit log) or lets it through. The server interceptor
// (common/server.cc) then takes the caller from the call's own token (CallerOf, cached),
// removes personal fields from answers to callers not allowed them and audits every read or
// change of personal data.
//
// Clients attach their token with NewChannel (a client interceptor adds
// "authorization: Bearer <token>" to every call).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/support/channel_arguments.h"
#include "renkei/common/audit.h"
#include "renkei/common/clock.h"
#include "renkei/common/revocation.h"
#include "renkei/common/tokens.h"
#include "renkei/v1/config.pb.h"
#include "renkei/v1/options.pb.h"
#include "renkei/v1/security.pb.h"

namespace renkei::common {

// Where a caller's jurisdiction stands relative to the instance it calls.
enum class Reach {
  kOwn,       // the instance's own code
  kCovering,  // the prefecture the instance lies in, or the nation
  kOther,     // anything else
};
Reach ReachOf(std::string_view caller_jurisdiction, const v1::InstanceIdentity& instance);

struct AccessDecision {
  bool allowed = false;
  bool personal = false;  // the answer keeps its personal fields
};
AccessDecision Decide(const v1::Access& access, v1::Role role, Reach reach);

// The declared access of every method of every Renkei service, by gRPC path
// ("/renkei.v1.IntakeService/GetConsultation").
class AccessTable {
 public:
  // Reads the (renkei.v1.access) option of every method of every service declared in the
  // generated descriptor pool under the package renkei.v1.
  static const AccessTable& Get();
  // nullptr for an unknown or undeclared method.
  const v1::Access* Find(std::string_view path) const;
  // Every method path, declared or not.
  const std::vector<std::string>& methods() const { return methods_; }
  // Methods without a declaration (a service refuses to start while any exists).
  const std::vector<std::string>& undeclared() const { return undeclared_; }

 private:
  std::map<std::string, v1::Access, std::less<>> access_;
  std::vector<std::string> methods_;
  std::vector<std::string> undeclared_;
};

// Calls fn with every method of every service declared in the generated descriptor pool under
// the package renkei.v1 (the services a binary links), in file and declaration order.
void ForEachRenkeiMethod(const std::function<void(const google::protobuf::MethodDescriptor&)>& fn);

// Who makes a call, as the token the auth processor accepted says.
struct Caller {
  std::string subject;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string jurisdiction;
  bool personal = false;  // may receive personal fields on this call
};

// The auth filter's check. Thread-safe; non-blocking (verification is a signature check; the
// audit entry of a refused call is one group-committed write).
class TokenAuthProcessor final : public grpc::AuthMetadataProcessor {
 public:
  // `revoked`: the instance's revocation list (null: tokens are never revoked one by one).
  TokenAuthProcessor(KeyRing keys, v1::InstanceIdentity instance, std::string audience,
                     AuditLog* audit, const Clock* clock = SystemClock::Get(),
                     std::shared_ptr<RevocationList> revoked = nullptr);
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed, OutputMetadata* response) override;

  // The caller of an accepted call, from its authorization header and method (the server
  // interceptor asks). Not kept in the AuthContext: gRPC gives the processor the connection's
  // context, shared by every call on it, so per-call facts there would leak between calls of
  // different tokens. nullopt when the header does not verify.
  std::optional<Caller> CallerOf(std::string_view authorization, std::string_view path);

 private:
  grpc::Status Refuse(grpc::StatusCode code, const std::string& message, const std::string& path,
                      const v1::TokenClaims* claims);
  // The claims of a token whose signature was already checked (a client sends the same token for
  // hours; Ed25519 verification and JSON parsing per call cost more than the rest of the check).
  // Expiry and the revocation list are still checked on every call.
  absl::StatusOr<v1::TokenClaims> Verify(std::string_view token);
  std::mutex cache_mu_;
  std::unordered_map<std::string, v1::TokenClaims> verified_;  // guarded by cache_mu_
  KeyRing keys_;
  v1::InstanceIdentity instance_;
  std::string audience_;
  AuditLog* audit_;
  const Clock* clock_;
  std::shared_ptr<RevocationList> revoked_;
};

// Why a caller is refused a method, in plain Japanese for the person: who does it ("この操作は
// 市町村担当者・在宅医療・介護連携コーディネーターが行います"), or that the record lies outside the
// caller's jurisdiction; then " / " and the English half for logs and programs.
std::string RefusalMessage(const v1::Access& access, v1::Role role, std::string_view path,
                           std::string_view jurisdiction, std::string_view audience);

// What a server needs to authenticate, authorize and audit its calls.
struct ServerSecurity {
  // No token check, no authorization, no audit: benchmarks on loopback only
  // (security.unauthenticated_loopback).
  bool unauthenticated = false;
  std::shared_ptr<TokenAuthProcessor> processor;
  AuditLog* audit = nullptr;  // not owned
  // gRPC TLS; empty cert_file: local (loopback) credentials.
  v1::GrpcTlsConfig tls;
};

// Builds the server side from the instance's security section: loads the key ring, checks that
// every RPC declares its access, refuses plaintext outside loopback.
absl::StatusOr<ServerSecurity> ServerSecurityFromConfig(const v1::InstanceConfig& config,
                                                        const std::string& listen_address,
                                                        AuditLog* audit);

// The content of a certificate or key file; INVALID_ARGUMENT naming `field` when unreadable.
absl::StatusOr<std::string> ReadCredentialFile(const std::string& path, const std::string& field);

// Whether an address ("127.0.0.1:7101", "[::1]:7101", "localhost:7101") is loopback.
bool IsLoopbackAddress(std::string_view address);

// Tokens for outgoing calls: a fixed token, or tokens minted (and renewed before they expire)
// with a signing key for a service identity.
class TokenSource {
 public:
  static std::shared_ptr<TokenSource> Fixed(std::string token);
  // Mints tokens of `claims` (iat/exp set on each renewal) valid `ttl_seconds`.
  static std::shared_ptr<TokenSource> Minted(SigningKey key, v1::TokenClaims claims,
                                             int64_t ttl_seconds = 3600,
                                             const Clock* clock = SystemClock::Get());
  virtual ~TokenSource() = default;
  virtual std::string Token() = 0;
};

// The service identity of `service` in the instance (role ROLE_SERVICE, subject
// "service:<name>"), signed with security.service_key_id; nullptr when the instance runs
// unauthenticated.
absl::StatusOr<std::shared_ptr<TokenSource>> ServiceIdentity(const v1::InstanceConfig& config,
                                                             const std::string& service);

struct ClientSecurity {
  std::shared_ptr<TokenSource> token;  // null: no authorization header
  v1::GrpcTlsConfig tls;               // empty cert_file: local credentials (loopback only)
  bool plaintext = false;              // insecure channel (servers running unauthenticated)
};

// A channel to a Renkei service that presents the client's credentials on every call.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(
    const std::string& address, const ClientSecurity& security,
    const grpc::ChannelArguments& args = grpc::ChannelArguments());

}  // namespace renkei::common
