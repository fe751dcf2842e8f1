// The console's second factor: time-based one-time passwords (TOTP, RFC 6238: HMAC-SHA1 over the
// 30-second time step, 6 digits — what authenticator apps read from an otpauth:// key URI) and
// recovery codes for a lost authenticator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace renkei::gateway {

inline constexpr int kTotpDigits = 6;
inline constexpr int64_t kTotpPeriodSeconds = 30;

// RFC 4648 base32 (upper case, no padding) and back (case, spaces and padding ignored).
std::string Base32Encode(std::string_view bytes);
absl::StatusOr<std::string> Base32Decode(std::string_view text);

// A new secret: 20 random bytes (160 bits, as RFC 4226 recommends), base32.
std::string NewTotpSecret();

// HOTP (RFC 4226) of `key` at `counter`, `digits` long (leading zeros kept).
std::string Hotp(std::string_view key, uint64_t counter, int digits = kTotpDigits);

// The time step of `unix_seconds`.
inline int64_t TotpStep(int64_t unix_seconds) { return unix_seconds / kTotpPeriodSeconds; }

// The step a code matches: the current one or one step either side (clock drift), and only a
// step after `last_step` (a code is accepted once); nullopt otherwise. Compared in constant time.
std::optional<int64_t> MatchTotp(const std::string& secret_base32, std::string_view code,
                                 int64_t unix_seconds, int64_t last_step);

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string OtpauthUri(const std::string& issuer, const std::string& account,
                       const std::string& secret_base32);

// Ten recovery codes "xxxxx-xxxxx" (50 random bits each), and the hash kept of one: hex SHA-256 of
// the code in lower case without the hyphen or spaces.
std::vector<std::string> NewRecoveryCodes();
std::string RecoveryCodeHash(std::string_view code);

}  // namespace renkei::gateway
