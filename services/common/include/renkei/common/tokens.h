// Bearer tokens: JWTs (RFC 7519) signed with Ed25519 (alg "EdDSA", RFC 8037) by libsodium.
//
// Keys rotate by key id: an instance's key directory holds <kid>.pub files (every key whose
// tokens are still accepted) and, where tokens are issued, <kid>.key (the secret, mode 0600).
// A token names its key in the header's "kid"; removing a .pub file ends every token signed
// with that key.
//
// Verification answers UNAUTHENTICATED for anything wrong (malformed, unknown key id, bad
// signature, expired, not yet valid, issued for another instance), with a reason that never
// repeats the token.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "renkei/v1/security.pb.h"

namespace renkei::common {

inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSecretKeyBytes = 64;

struct SigningKey {
  std::string key_id;
  std::array<uint8_t, kSecretKeyBytes> secret{};
};

// The public keys tokens are accepted from, by key id.
class KeyRing {
 public:
  void Add(const std::string& key_id, const std::array<uint8_t, kPublicKeyBytes>& key);
  const std::array<uint8_t, kPublicKeyBytes>* Find(const std::string& key_id) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, std::array<uint8_t, kPublicKeyBytes>> keys_;
};

// A key id: [A-Za-z0-9_-]{1,64}.
bool IsKeyId(std::string_view key_id);

// Writes <dir>/<kid>.key (0600) and <dir>/<kid>.pub; fails when either exists.
absl::Status GenerateKeyPair(const std::string& dir, const std::string& key_id);
absl::StatusOr<SigningKey> LoadSigningKey(const std::string& dir, const std::string& key_id);
// Every <kid>.pub of the directory.
absl::StatusOr<KeyRing> LoadKeyRing(const std::string& dir);

// A signed token for the claims (iat/exp as given).
absl::StatusOr<std::string> IssueToken(const SigningKey& key, const v1::TokenClaims& claims);

// Checks signature, key id, times (with `leeway_seconds` of clock skew) and the audience (the
// instance id the verifier serves); returns the claims.
absl::StatusOr<v1::TokenClaims> VerifyToken(const KeyRing& keys, std::string_view token,
                                            int64_t now_seconds, std::string_view audience,
                                            int64_t leeway_seconds = 30);

}  // namespace renkei::common
