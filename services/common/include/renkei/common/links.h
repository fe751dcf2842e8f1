// The tokens of links sent to people without an account (a resident's cancellation link, a
// subscriber's confirmation and unsubscribe links): "<record id>.<22 characters>", the
// characters being base64url of the first 16 bytes of HMAC-SHA256(secret,
// "<id>:<generation>:<purpose>"), so a confirmation link is not an unsubscribe link.
// Counting a record's generation up makes its older links stop working. The secret is 32 random
// bytes kept sealed in the service's store, created on first use.
//
// Thread-safe after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/store.h"

namespace renkei::common {

class LinkSigner {
 public:
  // The secret stored under `key` in `family` (created and written, synced, when absent).
  static absl::StatusOr<LinkSigner> LoadOrCreate(Store* store, const RecordSealer* sealer,
                                                 std::string_view family, std::string_view key);
  explicit LinkSigner(std::string secret);

  std::string Token(std::string_view id, int64_t generation, std::string_view purpose) const;
  // Whether `token` is the token of (id, generation, purpose), compared in constant time.
  bool Matches(std::string_view token, std::string_view id, int64_t generation,
               std::string_view purpose) const;
  // A keyed digest of `text` as an id with `prefix` (e.g. a subscriber's id from the address:
  // stable, but not computable without the secret).
  std::string KeyedId(std::string_view prefix, std::string_view text) const;

  // The record id a token names when it has the form of one for ids with `prefix`; nullopt
  // for anything else (a cut-off copy, a typo).
  static std::optional<std::string> IdOf(std::string_view token, std::string_view prefix);

 private:
  std::string secret_;
};

}  // namespace renkei::common
