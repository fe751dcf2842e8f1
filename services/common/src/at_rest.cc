#include "renkei/common/at_rest.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "renkei/common/personal.h"
#include "renkei/common/tokens.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::common {
namespace {

using google::protobuf::Message;

constexpr std::string_view kSealedPrefix("\0\x01", 2);
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == DataKeys::kKeyBytes);

bool SodiumReady() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string Errno(int e) { return std::strerror(e); }

// Closes a descriptor when it goes out of scope; errors on close of a read-only or already
// synced file are not actionable.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Names a record in an error without its key's raw bytes (keys may be binary).
std::string Where(std::string_view family, std::string_view key) {
  return std::string(family) + "/" + absl::CHexEscape(absl::string_view(key.data(), key.size()));
}

void AppendPart(std::string* out, std::string_view part) {
  const uint32_t n = static_cast<uint32_t>(part.size());
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out->append(part);
}

// Length-prefixed, so no two different inputs give the same bytes.
std::string AdditionalData(std::string_view type, std::string_view family, std::string_view key,
                           std::string_view key_id, std::string_view clear) {
  std::string ad;
  ad.reserve(64 + type.size() + family.size() + key.size() + key_id.size() + clear.size());
  AppendPart(&ad, "renkei.v1.SealedRecord/1");
  AppendPart(&ad, type);
  AppendPart(&ad, family);
  AppendPart(&ad, key);
  AppendPart(&ad, key_id);
  AppendPart(&ad, clear);
  return ad;
}

bool IsSealedForm(std::string_view stored) {
  return stored.size() >= kSealedPrefix.size() &&
         stored.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

absl::StatusOr<v1::SealedRecord> ParseSealed(std::string_view stored) {
  v1::SealedRecord r;
  const std::string_view body = stored.substr(kSealedPrefix.size());
  if (!r.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return absl::DataLossError("stored record unreadable");
  }
  return r;
}

std::string Serialize(const v1::SealedRecord& r) {
  std::string out(kSealedPrefix);
  out += r.SerializeAsString();
  return out;
}

void Encrypt(const DataKeys& keys, std::string_view family, std::string_view key,
             std::string_view plain, v1::SealedRecord* r) {
  const std::string& id = keys.newest_id();
  unsigned char nonce[kNonceBytes];
  randombytes_buf(nonce, sizeof nonce);
  const std::string ad = AdditionalData(r->type(), family, key, id, r->clear());
  std::string sealed(plain.size() + kTagBytes, '\0');
  unsigned long long sealed_size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(sealed.data()), &sealed_size,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, keys.Find(id));
  sealed.resize(sealed_size);
  r->set_sealed(std::move(sealed));
  r->set_key_id(id);
  r->set_nonce(reinterpret_cast<const char*>(nonce), sizeof nonce);
}

// The plaintext of a record's sealed part (wipe it after use).
absl::StatusOr<std::string> Decrypt(const DataKeys& keys, std::string_view family,
                                    std::string_view key, const v1::SealedRecord& r) {
  const unsigned char* k = keys.Find(r.key_id());
  if (k == nullptr) {
    return absl::FailedPreconditionError("データ鍵 " + r.key_id() + " がありません / data key " +
                                         r.key_id() + " is not in " + keys.dir() +
                                         ": the personal fields of " + Where(family, key) +
                                         " cannot be opened until its key file is restored");
  }
  if (r.nonce().size() != kNonceBytes || r.sealed().size() < kTagBytes) {
    return absl::DataLossError("sealed part of " + Where(family, key) + " is malformed");
  }
  const std::string ad = AdditionalData(r.type(), family, key, r.key_id(), r.clear());
  std::string plain(r.sealed().size() - kTagBytes, '\0');
  unsigned long long plain_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plain_size, nullptr,
          reinterpret_cast<const unsigned char*>(r.sealed().data()), r.sealed().size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          reinterpret_cast<const unsigned char*>(r.nonce().data()), k) != 0) {
    return absl::DataLossError("sealed part of " + Where(family, key) +
                               " does not authenticate (altered, or not this record's)");
  }
  plain.resize(plain_size);
  return plain;
}

// Reads one key file: a regular file (not a link), no access for group or others, 32 bytes.
absl::Status ReadKeyFile(const std::string& path, unsigned char* out) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (f.fd < 0) return absl::UnavailableError("cannot open data key " + path + ": " + Errno(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    return absl::UnavailableError("cannot stat data key " + path + ": " + Errno(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError("data key " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError("データ鍵のアクセス権が広すぎます / data key " + path +
                                         " may be read by group or others: chmod 600 it");
  }
  if (st.st_size != static_cast<off_t>(DataKeys::kKeyBytes)) {
    return absl::FailedPreconditionError("data key " + path + " is " + std::to_string(st.st_size) +
                                         " bytes, not 32");
  }
  size_t got = 0;
  while (got < DataKeys::kKeyBytes) {
    const ssize_t n = ::read(f.fd, out + got, DataKeys::kKeyBytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("cannot read data key " + path);
    got += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status MakeDir(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return absl::OkStatus();
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::UnavailableError("cannot create data key directory " + dir + ": " + Errno(errno));
  }
  return absl::OkStatus();
}

}  // namespace

void DataKeys::Free::operator()(unsigned char* p) const { sodium_free(p); }

DataKeys::~DataKeys() = default;  // sodium_free wipes each key

std::vector<std::string> DataKeys::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, key] : keys_) out.push_back(id);
  return out;
}

const unsigned char* DataKeys::Find(std::string_view id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : it->second.get();
}

const unsigned char* DataKeys::FindFingerprintKey(std::string_view id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : it->second.get() + kKeyBytes;
}

std::string DataKeys::NewId(const Clock& clock) {
  const std::time_t t = static_cast<std::time_t>(clock.NowMicros() / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "dk%Y%m%dT%H%M%S", &tm);
  // Microseconds: ids sort in creation order (the newest key encrypts) even within a second.
  char micros[16];
  std::snprintf(micros, sizeof micros, "%06lldZ",
                static_cast<long long>(clock.NowMicros() % 1000000));
  // A random tail: two instances (or a restored copy) never share an id for different keys.
  unsigned char tail[4];
  if (SodiumReady()) randombytes_buf(tail, sizeof tail);
  char hex[2 * sizeof tail + 1];
  sodium_bin2hex(hex, sizeof hex, tail, sizeof tail);
  return std::string(buf) + micros + "-" + hex;
}

absl::Status DataKeys::Create(const std::string& dir, const std::string& id) {
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialize");
  if (!IsKeyId(id)) return absl::InvalidArgumentError("data key id: [A-Za-z0-9_-]{1,64}");
  if (auto s = MakeDir(dir); !s.ok()) return s;
  const std::string path = dir + "/" + id + kSuffix;
  Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
  if (f.fd < 0) {
    if (errno == EEXIST) return absl::AlreadyExistsError("data key " + path + " already exists");
    return absl::UnavailableError("cannot create data key " + path + ": " + Errno(errno));
  }
  unsigned char key[kKeyBytes];
  randombytes_buf(key, sizeof key);
  size_t done = 0;
  while (done < sizeof key) {
    const ssize_t n = ::write(f.fd, key + done, sizeof key - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  sodium_memzero(key, sizeof key);
  if (done != sizeof key || ::fsync(f.fd) != 0) {
    const std::string why = Errno(errno);
    ::unlink(path.c_str());
    return absl::UnavailableError("cannot write data key " + path + ": " + why);
  }
  // The new name must survive a crash too.
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd >= 0) ::fsync(d.fd);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<DataKeys>> DataKeys::Load(const std::string& dir,
                                                         bool create_if_empty, const Clock& clock) {
  if (!SodiumReady()) return absl::InternalError("libsodium failed to initialize");
  if (dir.empty()) return absl::InvalidArgumentError("data key directory not set");
  Fd lock;
  if (create_if_empty) {
    if (auto s = MakeDir(dir); !s.ok()) return s;
    const std::string lock_path = dir + "/.lock";
    lock.fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock.fd < 0 || ::flock(lock.fd, LOCK_EX) != 0) {
      return absl::UnavailableError("cannot lock " + lock_path + ": " + Errno(errno));
    }
  }
  auto list = [&]() -> absl::StatusOr<std::vector<std::string>> {
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      const size_t suffix = std::strlen(kSuffix);
      if (name.size() <= suffix || name.compare(name.size() - suffix, suffix, kSuffix) != 0)
        continue;
      std::string id = name.substr(0, name.size() - suffix);
      if (IsKeyId(id)) ids.push_back(std::move(id));
    }
    if (ec) {
      return absl::NotFoundError("データ鍵のディレクトリを読めません / data key directory " + dir +
                                 ": " + ec.message());
    }
    return ids;
  };
  auto ids = list();
  if (!ids.ok()) return ids.status();
  if (ids->empty() && create_if_empty) {
    if (auto s = Create(dir, NewId(clock)); !s.ok()) return s;
    ids = list();
    if (!ids.ok()) return ids.status();
  }
  if (ids->empty()) {
    return absl::NotFoundError("データ鍵がありません / no data key (<id>.dkey) in " + dir);
  }
  std::unique_ptr<DataKeys> out(new DataKeys());
  out->dir_ = dir;
  for (const auto& id : *ids) {
    // The key, then its subkey for fingerprints (FingerprintOf), derived once here.
    std::unique_ptr<unsigned char, Free> key(
        static_cast<unsigned char*>(sodium_malloc(2 * kKeyBytes)));
    if (!key) return absl::ResourceExhaustedError("cannot allocate locked memory for data keys");
    if (auto s = ReadKeyFile(absl::StrCat(dir, "/", id, kSuffix), key.get()); !s.ok()) return s;
    crypto_kdf_derive_from_key(key.get() + kKeyBytes, kKeyBytes, 1, "rnkfprnt", key.get());
    out->keys_.emplace(id, std::move(key));
  }
  return out;
}

std::string RecordSealer::Seal(std::string_view family, std::string_view key,
                               const Message& record) const {
  const auto* type = record.GetDescriptor();
  if (!MayHoldPersonal(type)) return record.SerializeAsString();
  std::unique_ptr<Message> clear(record.New());
  clear->CopyFrom(record);
  std::unique_ptr<Message> personal(record.New());
  SplitPersonal(clear.get(), personal.get());
  return SealSplit(family, key, *clear, *personal);
}

std::string RecordSealer::SealSplit(std::string_view family, std::string_view key,
                                    const Message& clear, const Message& personal) const {
  v1::SealedRecord r;
  r.set_type(clear.GetDescriptor()->full_name());
  r.set_clear(clear.SerializeAsString());
  if (HasPersonal(personal)) {
    std::string plain = personal.SerializeAsString();
    Encrypt(*keys_, family, key, plain, &r);
    sodium_memzero(plain.data(), plain.size());
  }
  return Serialize(r);
}

namespace {
// BLAKE2b-256 of the length-prefixed parts under `subkey` (DataKeys::FindFingerprintKey).
std::string KeyedDigest(const unsigned char* subkey,
                        std::initializer_list<std::string_view> parts) {
  static_assert(DataKeys::kKeyBytes == crypto_generichash_KEYBYTES);
  crypto_generichash_state state;
  crypto_generichash_init(&state, subkey, DataKeys::kKeyBytes, crypto_generichash_BYTES);
  for (std::string_view part : parts) {
    unsigned char n[4];
    for (int i = 0; i < 4; ++i) n[i] = static_cast<unsigned char>((part.size() >> (8 * i)) & 0xff);
    crypto_generichash_update(&state, n, sizeof n);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  }
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(digest.data()), digest.size());
  return digest;
}
}  // namespace

RecordSealer::Fingerprint RecordSealer::FingerprintOf(
    std::initializer_list<std::string_view> parts) const {
  const std::string& id = keys_->newest_id();
  return {id, KeyedDigest(keys_->FindFingerprintKey(id), parts)};
}

absl::StatusOr<std::string> RecordSealer::FingerprintOf(
    std::string_view key_id, std::initializer_list<std::string_view> parts) const {
  const unsigned char* k = keys_->FindFingerprintKey(key_id);
  if (k == nullptr) {
    return absl::FailedPreconditionError("データ鍵 " + std::string(key_id) +
                                         " がありません / data key " + std::string(key_id) +
                                         " is not in " + keys_->dir());
  }
  return KeyedDigest(k, parts);
}

absl::Status RecordSealer::Open(std::string_view family, std::string_view key,
                                std::string_view stored, Message* record) const {
  record->Clear();
  if (!IsSealedForm(stored)) {
    if (!record->ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
      return absl::DataLossError("stored record " + Where(family, key) + " unreadable");
    }
    return absl::OkStatus();
  }
  auto r = ParseSealed(stored);
  if (!r.ok()) return absl::DataLossError("stored record " + Where(family, key) + " unreadable");
  if (r->type() != record->GetDescriptor()->full_name()) {
    return absl::DataLossError("stored record " + Where(family, key) + " is a " + r->type() +
                               ", not a " + record->GetDescriptor()->full_name());
  }
  if (!record->ParseFromString(r->clear())) {
    return absl::DataLossError("stored record " + Where(family, key) + " unreadable");
  }
  if (r->sealed().empty()) return absl::OkStatus();
  auto plain = Decrypt(*keys_, family, key, *r);
  if (!plain.ok()) return plain.status();
  std::unique_ptr<Message> personal(record->New());
  const bool parsed = personal->ParseFromString(*plain);
  sodium_memzero(plain->data(), plain->size());
  if (!parsed) {
    return absl::DataLossError("sealed part of " + Where(family, key) + " unreadable");
  }
  return MergePersonal(record, personal.get());
}

absl::Status RecordSealer::OpenClear(std::string_view stored, Message* record) {
  record->Clear();
  if (!IsSealedForm(stored)) {
    if (!record->ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
      return absl::DataLossError("stored record unreadable");
    }
    StripPersonal(record);
    return absl::OkStatus();
  }
  auto r = ParseSealed(stored);
  if (!r.ok()) return r.status();
  if (r->type() != record->GetDescriptor()->full_name() || !record->ParseFromString(r->clear())) {
    return absl::DataLossError("stored record is not a " + record->GetDescriptor()->full_name());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> RecordSealer::ErasePersonal(std::string_view stored,
                                                                       const Message& prototype,
                                                                       int64_t now_micros) {
  const auto* type = prototype.GetDescriptor();
  v1::SealedRecord r;
  if (IsSealedForm(stored)) {
    auto parsed = ParseSealed(stored);
    if (!parsed.ok()) return parsed.status();
    r = std::move(*parsed);
    if (r.type() != type->full_name()) {
      return absl::DataLossError("stored record is a " + r.type() + ", not a " + type->full_name());
    }
    if (r.sealed().empty()) return std::optional<std::string>();
    r.clear_sealed();
    r.clear_key_id();
    r.clear_nonce();
  } else {
    if (!MayHoldPersonal(type)) return std::optional<std::string>();
    std::unique_ptr<Message> record(prototype.New());
    if (!record->ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
      return absl::DataLossError("stored record unreadable");
    }
    if (!HasPersonal(*record)) return std::optional<std::string>();
    StripPersonal(record.get());
    r.set_type(type->full_name());
    r.set_clear(record->SerializeAsString());
  }
  *r.mutable_erased_at() = TimestampFromMicros(now_micros);
  return std::optional<std::string>(Serialize(r));
}

absl::StatusOr<std::optional<std::string>> RecordSealer::Reseal(std::string_view family,
                                                                std::string_view key,
                                                                std::string_view stored) const {
  if (!IsSealedForm(stored)) return std::optional<std::string>();
  auto r = ParseSealed(stored);
  if (!r.ok()) return absl::DataLossError("stored record " + Where(family, key) + " unreadable");
  if (r->sealed().empty() || r->key_id() == keys_->newest_id()) {
    return std::optional<std::string>();
  }
  auto plain = Decrypt(*keys_, family, key, *r);
  if (!plain.ok()) return plain.status();
  Encrypt(*keys_, family, key, *plain, &*r);
  sodium_memzero(plain->data(), plain->size());
  return std::optional<std::string>(Serialize(*r));
}

RecordSealer::Inspection RecordSealer::Inspect(std::string_view stored) {
  Inspection out;
  if (!IsSealedForm(stored)) return out;
  auto r = ParseSealed(stored);
  if (!r.ok()) {
    out.kind = Inspection::Kind::kUnreadable;
    return out;
  }
  out.type = r->type();
  if (!r->sealed().empty()) {
    out.kind = Inspection::Kind::kSealed;
    out.key_id = r->key_id();
  } else {
    out.kind = r->has_erased_at() ? Inspection::Kind::kErased : Inspection::Kind::kNothingSealed;
  }
  return out;
}

}  // namespace renkei::common
