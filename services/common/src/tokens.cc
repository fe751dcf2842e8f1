#include "renkei/common/tokens.h"

#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "google/protobuf/util/json_util.h"

namespace renkei::common {
namespace {

bool SodiumReady() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string Base64Url(const uint8_t* data, size_t size) {
  const size_t cap = sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out(cap, '\0');
  sodium_bin2base64(out.data(), cap, data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string Base64Url(std::string_view s) {
  return Base64Url(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool FromBase64Url(std::string_view in, std::string* out) {
  out->assign(in.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), in.data(),
                        in.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return false;
  }
  out->resize(len);
  return true;
}

absl::Status Unauthenticated(const std::string& why) {
  return absl::UnauthenticatedError("認証できません / unauthenticated: " + why);
}

std::string ReadAll(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <size_t N>
bool DecodeKeyFile(const std::string& text, std::array<uint8_t, N>* out) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  std::string bin;
  if (!FromBase64Url(trimmed, &bin) || bin.size() != N) return false;
  std::copy(bin.begin(), bin.end(), out->begin());
  return true;
}

}  // namespace

void KeyRing::Add(const std::string& key_id, const std::array<uint8_t, kPublicKeyBytes>& key) {
  keys_[key_id] = key;
}

const std::array<uint8_t, kPublicKeyBytes>* KeyRing::Find(const std::string& key_id) const {
  auto it = keys_.find(key_id);
  return it == keys_.end() ? nullptr : &it->second;
}

bool IsKeyId(std::string_view key_id) {
  if (key_id.empty() || key_id.size() > 64) return false;
  for (char c : key_id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

absl::Status GenerateKeyPair(const std::string& dir, const std::string& key_id) {
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialize");
  if (!IsKeyId(key_id)) return absl::InvalidArgumentError("key id: [A-Za-z0-9_-]{1,64}");
  std::filesystem::create_directories(dir);
  const std::string secret_path = dir + "/" + key_id + ".key";
  const std::string public_path = dir + "/" + key_id + ".pub";
  if (std::filesystem::exists(secret_path) || std::filesystem::exists(public_path)) {
    return absl::AlreadyExistsError("key " + key_id + " already exists in " + dir);
  }
  std::array<uint8_t, kPublicKeyBytes> pk{};
  std::array<uint8_t, kSecretKeyBytes> sk{};
  crypto_sign_keypair(pk.data(), sk.data());
  {
    // The secret is created 0600 before anything is written to it.
    const mode_t old = umask(077);
    std::ofstream out(secret_path, std::ios::binary);
    umask(old);
    out << Base64Url(sk.data(), sk.size()) << "\n";
    if (!out) return absl::InternalError("cannot write " + secret_path);
  }
  sodium_memzero(sk.data(), sk.size());
  std::ofstream out(public_path, std::ios::binary);
  out << Base64Url(pk.data(), pk.size()) << "\n";
  if (!out) return absl::InternalError("cannot write " + public_path);
  return absl::OkStatus();
}

absl::StatusOr<SigningKey> LoadSigningKey(const std::string& dir, const std::string& key_id) {
  if (!IsKeyId(key_id)) return absl::InvalidArgumentError("key id: [A-Za-z0-9_-]{1,64}");
  bool ok = false;
  const std::string path = dir + "/" + key_id + ".key";
  std::string text = ReadAll(path, &ok);
  if (!ok) return absl::NotFoundError("no secret key " + path);
  SigningKey key;
  key.key_id = key_id;
  if (!DecodeKeyFile(text, &key.secret)) return absl::DataLossError("unreadable key " + path);
  sodium_memzero(text.data(), text.size());
  return key;
}

absl::StatusOr<KeyRing> LoadKeyRing(const std::string& dir) {
  KeyRing ring;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".pub") continue;
    const std::string kid = e.path().stem().string();
    if (!IsKeyId(kid)) continue;
    bool ok = false;
    std::array<uint8_t, kPublicKeyBytes> pk{};
    if (!DecodeKeyFile(ReadAll(e.path().string(), &ok), &pk) || !ok) {
      return absl::DataLossError("unreadable public key " + e.path().string());
    }
    ring.Add(kid, pk);
  }
  if (ec) return absl::NotFoundError("key directory " + dir + ": " + ec.message());
  return ring;
}

absl::StatusOr<std::string> IssueToken(const SigningKey& key, const v1::TokenClaims& claims) {
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialize");
  v1::TokenHeader header;
  header.set_alg("EdDSA");
  header.set_typ("JWT");
  header.set_kid(key.key_id);
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  std::string header_json, claims_json;
  if (!google::protobuf::util::MessageToJsonString(header, &header_json, o).ok() ||
      !google::protobuf::util::MessageToJsonString(claims, &claims_json, o).ok()) {
    return absl::InternalError("cannot encode token");
  }
  const std::string signing_input = Base64Url(header_json) + "." + Base64Url(claims_json);
  std::array<uint8_t, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size(), key.secret.data());
  return signing_input + "." + Base64Url(sig.data(), sig.size());
}

absl::StatusOr<v1::TokenClaims> VerifyToken(const KeyRing& keys, std::string_view token,
                                            int64_t now_seconds, std::string_view audience,
                                            int64_t leeway_seconds) {
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialize");
  if (token.size() > 4096) return Unauthenticated("token too long");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Unauthenticated("malformed token");
  }
  std::string header_json, claims_json, sig;
  if (!FromBase64Url(token.substr(0, dot1), &header_json) ||
      !FromBase64Url(token.substr(dot1 + 1, dot2 - dot1 - 1), &claims_json) ||
      !FromBase64Url(token.substr(dot2 + 1), &sig) || sig.size() != crypto_sign_BYTES) {
    return Unauthenticated("malformed token");
  }
  google::protobuf::util::JsonParseOptions po;
  po.ignore_unknown_fields = true;
  v1::TokenHeader header;
  if (!google::protobuf::util::JsonStringToMessage(header_json, &header, po).ok()) {
    return Unauthenticated("malformed token header");
  }
  if (header.alg() != "EdDSA") return Unauthenticated("unsupported algorithm");
  const auto* pk = keys.Find(header.kid());
  if (pk == nullptr) return Unauthenticated("unknown key id");
  const std::string_view signing_input = token.substr(0, dot2);
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                  reinterpret_cast<const unsigned char*>(signing_input.data()),
                                  signing_input.size(), pk->data()) != 0) {
    return Unauthenticated("bad signature");
  }
  v1::TokenClaims claims;
  if (!google::protobuf::util::JsonStringToMessage(claims_json, &claims, po).ok()) {
    return Unauthenticated("malformed claims");
  }
  if (claims.exp() == 0 || now_seconds > int64_t{claims.exp()} + leeway_seconds) {
    return Unauthenticated("token expired");
  }
  if (int64_t{claims.iat()} > now_seconds + leeway_seconds) {
    return Unauthenticated("token not valid yet");
  }
  if (claims.aud() != audience) return Unauthenticated("token issued for another instance");
  if (claims.role() == v1::ROLE_UNSPECIFIED || claims.sub().empty()) {
    return Unauthenticated("token without role or subject");
  }
  return claims;
}

}  // namespace renkei::common
