#include "totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <cctype>

#include "absl/strings/str_cat.h"

namespace renkei::gateway {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Percent-encoding of a URI component (RFC 3986 unreserved characters kept).
std::string UriComponent(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

absl::StatusOr<std::string> Base32Decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char raw : text) {
    if (raw == ' ' || raw == '=' || raw == '-') continue;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= '2' && c <= '7') {
      value = c - '2' + 26;
    } else {
      return absl::InvalidArgumentError("not base32");
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return out;
}

std::string NewTotpSecret() {
  std::array<unsigned char, 20> key{};
  randombytes_buf(key.data(), key.size());
  return Base32Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::string Hotp(std::string_view key, uint64_t counter, int digits) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
       mac.data(), &mac_size);
  // Dynamic truncation (RFC 4226 section 5.3).
  const unsigned offset = mac[mac_size - 1] & 0x0f;
  const uint32_t binary = ((mac[offset] & 0x7fU) << 24) | (mac[offset + 1] << 16) |
                          (mac[offset + 2] << 8) | mac[offset + 3];
  uint32_t modulo = 1;
  for (int i = 0; i < digits; ++i) modulo *= 10;
  std::string code = std::to_string(binary % modulo);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::optional<int64_t> MatchTotp(const std::string& secret_base32, std::string_view code,
                                 int64_t unix_seconds, int64_t last_step) {
  if (code.size() != kTotpDigits) return std::nullopt;
  auto key = Base32Decode(secret_base32);
  if (!key.ok() || key->empty()) return std::nullopt;
  const int64_t now = TotpStep(unix_seconds);
  std::optional<int64_t> matched;
  for (int64_t step = now - 1; step <= now + 1; ++step) {
    const std::string expected = Hotp(*key, static_cast<uint64_t>(step));
    const bool same = sodium_memcmp(expected.data(), code.data(), expected.size()) == 0;
    if (same && step > last_step && !matched) matched = step;
  }
  return matched;
}

std::string OtpauthUri(const std::string& issuer, const std::string& account,
                       const std::string& secret_base32) {
  return absl::StrCat("otpauth://totp/", UriComponent(issuer), ":", UriComponent(account),
                      "?secret=", secret_base32, "&issuer=", UriComponent(issuer),
                      "&algorithm=SHA1&digits=", kTotpDigits, "&period=", kTotpPeriodSeconds);
}

std::vector<std::string> NewRecoveryCodes() {
  std::vector<std::string> codes;
  for (int i = 0; i < 10; ++i) {
    std::string code;
    for (int j = 0; j < 10; ++j) {
      if (j == 5) code += '-';
      code += static_cast<char>(
          std::tolower(static_cast<unsigned char>(kAlphabet[randombytes_uniform(32)])));
    }
    codes.push_back(code);
  }
  return codes;
}

std::string RecoveryCodeHash(std::string_view code) {
  std::string normal;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    normal += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(normal.data()),
                     normal.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.resize(digest.size() * 2);
  return hex;
}

}  // namespace renkei::gateway
