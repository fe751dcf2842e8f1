#include "renkei/common/links.h"

#include <sodium.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "google/protobuf/wrappers.pb.h"
#include "renkei/common/ids.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"

namespace renkei::common {
namespace {

constexpr size_t kMacChars = 22;

}  // namespace

absl::StatusOr<LinkSigner> LinkSigner::LoadOrCreate(Store* store, const RecordSealer* sealer,
                                                    std::string_view family, std::string_view key) {
  Table<google::protobuf::BytesValue> secrets(store, sealer, std::string(family),
                                              {"リンクの鍵", "link secret"});
  ASSIGN_OR_RETURN(auto stored, secrets.Find(key));
  if (stored && stored->value().size() == crypto_auth_hmacsha256_KEYBYTES) {
    return LinkSigner(stored->value());
  }
  if (stored) return absl::DataLossError("link secret has the wrong size");
  google::protobuf::BytesValue fresh;
  std::string secret(crypto_auth_hmacsha256_KEYBYTES, '\0');
  randombytes_buf(secret.data(), secret.size());
  fresh.set_value(secret);
  Batch batch;
  secrets.Put(&batch, key, fresh);
  RETURN_IF_ERROR(store->Write(batch));
  return LinkSigner(std::move(secret));
}

LinkSigner::LinkSigner(std::string secret) : secret_(std::move(secret)) {}

std::string LinkSigner::Token(std::string_view id, int64_t generation,
                              std::string_view purpose) const {
  const std::string message =
      std::string(id) + ":" + std::to_string(generation) + ":" + std::string(purpose);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), reinterpret_cast<const unsigned char*>(secret_.data()));
  const std::string encoded =
      absl::WebSafeBase64Escape(std::string(reinterpret_cast<const char*>(mac), 16));
  return std::string(id) + "." + encoded.substr(0, kMacChars);
}

bool LinkSigner::Matches(std::string_view token, std::string_view id, int64_t generation,
                         std::string_view purpose) const {
  const std::string expected = Token(id, generation, purpose);
  return expected.size() == token.size() &&
         sodium_memcmp(expected.data(), token.data(), expected.size()) == 0;
}

std::string LinkSigner::KeyedId(std::string_view prefix, std::string_view text) const {
  return DeterministicId(prefix, Token(text, 0, "id"));
}

std::optional<std::string> LinkSigner::IdOf(std::string_view token, std::string_view prefix) {
  const size_t dot = token.find('.');
  if (token.size() > 100 || dot == std::string_view::npos || token.size() - dot - 1 != kMacChars ||
      !IsWellFormedId(prefix, token.substr(0, dot))) {
    return std::nullopt;
  }
  return std::string(token.substr(0, dot));
}

}  // namespace renkei::common
