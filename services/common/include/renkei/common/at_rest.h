// Personal fields at rest (docs/security.md, "Personal fields at rest").
//
// Every record a service stores goes through RecordSealer. A record whose type has no
// (renkei.v1.personal) field anywhere below it is stored as its plain serialization. Any other
// record is split by reflection (personal.h): the record with its personal fields cleared stays
// readable — statistics, indexes and retention work on it without a key — and the personal
// fields are encrypted with XChaCha20-Poly1305-IETF (libsodium) under the instance's newest data
// key, with a random nonce and additional data that binds them to the record's type, column
// family, key, key id and clear part. The stored value is renkei.v1.SealedRecord
// (storage.proto) behind a two-byte prefix. Marking a field personal is all it takes to protect
// it at rest.
//
// Data keys are files <id>.dkey (32 random bytes, mode 0600) in the instance's data key
// directory (security.data_key_dir): the id that sorts last encrypts, every key present
// decrypts. Rotation: add a key (DataKeys::NewId sorts after every earlier id), restart; records
// are sealed under the new key when next written, or at once with `renkeictl data reseal`.
//
// Thread safety: DataKeys and RecordSealer are immutable after construction and thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "renkei/common/clock.h"

namespace renkei::common {

// The data keys of an instance, held in locked memory (sodium_malloc) and wiped when destroyed.
class DataKeys {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr char kSuffix[] = ".dkey";

  // Reads every <id>.dkey of `dir` (ids as IsKeyId in tokens.h; other files are ignored). When
  // there is none and `create_if_empty`, creates the directory (0700) and a first key (0600)
  // under an exclusive lock, so services starting together agree on it.
  // Errors: NOT_FOUND (no key, and create_if_empty is false), FAILED_PRECONDITION (a key file
  // that group or others may read, or of the wrong size), UNAVAILABLE (cannot read or create).
  static absl::StatusOr<std::unique_ptr<DataKeys>> Load(const std::string& dir,
                                                        bool create_if_empty,
                                                        const Clock& clock = *SystemClock::Get());
  // Creates <dir>/<id>.dkey (32 random bytes, mode 0600; the directory 0700 if new).
  // ALREADY_EXISTS when the file exists, INVALID_ARGUMENT for a bad id.
  static absl::Status Create(const std::string& dir, const std::string& id);
  // A fresh id that sorts after the ids made before it: "dk" + UTC time + a random tail, e.g.
  // "dk20260101T000000000000Z-9f86d081": UTC time to the microsecond, so ids sort in creation
  // order.
  static std::string NewId(const Clock& clock);

  ~DataKeys();
  DataKeys(const DataKeys&) = delete;
  DataKeys& operator=(const DataKeys&) = delete;

  const std::string& dir() const { return dir_; }
  // The key new records are sealed with: the id that sorts last.
  const std::string& newest_id() const { return keys_.rbegin()->first; }
  std::vector<std::string> ids() const;
  // The key's 32 bytes; nullptr when the directory has no such key.
  const unsigned char* Find(std::string_view id) const;
  // The subkey of key `id` for fingerprints (RecordSealer::FingerprintOf), derived at Load so
  // that no key serves two algorithms; nullptr when there is no such key.
  const unsigned char* FindFingerprintKey(std::string_view id) const;

 private:
  DataKeys() = default;
  struct Free {
    void operator()(unsigned char* p) const;
  };
  std::string dir_;
  std::map<std::string, std::unique_ptr<unsigned char, Free>, std::less<>> keys_;
};

class RecordSealer {
 public:
  // `keys` must outlive the sealer.
  explicit RecordSealer(const DataKeys* keys) : keys_(keys) {}

  // The value to store for `record` at (`family`, `key`).
  std::string Seal(std::string_view family, std::string_view key,
                   const google::protobuf::Message& record) const;
  // The same for a record already split (SplitPersonal): `clear` without its personal fields,
  // `personal` with only them, both of the record's type. Spares the copy and the walk over the
  // fields on a hot path (the request-id records).
  std::string SealSplit(std::string_view family, std::string_view key,
                        const google::protobuf::Message& clear,
                        const google::protobuf::Message& personal) const;

  // Reads a stored value back into `record` (cleared first): exactly what was sealed, or the
  // clear part alone once retention erased the personal part. Plain values (records of types
  // without personal fields, and records written before sealing existed) are parsed as they are.
  // Errors: FAILED_PRECONDITION when the value was sealed under a key the key directory no longer
  // has (names the key id); DATA_LOSS when the value is unreadable, of another type, or its
  // sealed part does not authenticate (altered, or moved from another record or family).
  absl::Status Open(std::string_view family, std::string_view key, std::string_view stored,
                    google::protobuf::Message* record) const;
  template <typename T>
  absl::StatusOr<T> Open(std::string_view family, std::string_view key,
                         std::string_view stored) const {
    T out;
    auto s = Open(family, key, stored, &out);
    if (!s.ok()) return s;
    return out;
  }

  // The clear part only: the record without its personal fields, no key needed. DATA_LOSS when
  // unreadable.
  static absl::Status OpenClear(std::string_view stored, google::protobuf::Message* record);

  // The stored value with its personal part dropped, the clear part unchanged and erased_at
  // set; nullopt when there is nothing to erase (no personal part, or already erased). A plain
  // value of a type with personal fields (written before sealing existed) is stripped of them.
  // `prototype` is the record's type, e.g. v1::Consultation::default_instance(). DATA_LOSS when
  // unreadable.
  static absl::StatusOr<std::optional<std::string>> ErasePersonal(
      std::string_view stored, const google::protobuf::Message& prototype, int64_t now_micros);

  // The stored value sealed again under the newest key (same clear part, new nonce); nullopt when
  // it already is, holds nothing sealed, or is plain. Errors as Open.
  absl::StatusOr<std::optional<std::string>> Reseal(std::string_view family, std::string_view key,
                                                    std::string_view stored) const;

  // What a stored value is, without opening it.
  struct Inspection {
    enum class Kind { kPlain, kSealed, kNothingSealed, kErased, kUnreadable };
    Kind kind = Kind::kPlain;
    std::string key_id;  // kSealed
    std::string type;    // all but kPlain and kUnreadable
  };
  static Inspection Inspect(std::string_view stored);

  // A keyed fingerprint of `parts` (each length-prefixed, so no two lists give the same input):
  // BLAKE2b-256 under a subkey derived from a data key for fingerprints alone. Equal parts give
  // equal fingerprints under the same key; without the key a fingerprint says nothing about the
  // parts, so it may be stored in the clear beside what it stands for (the request-id records
  // store one of the request instead of sealing a hash of it — a plain hash of a small request
  // could be tested against guesses of its personal fields).
  struct Fingerprint {
    std::string key_id;
    std::string digest;  // 32 bytes
  };
  // Under the newest key.
  Fingerprint FingerprintOf(std::initializer_list<std::string_view> parts) const;
  // Under `key_id`: FAILED_PRECONDITION naming it when the key directory no longer has it.
  absl::StatusOr<std::string> FingerprintOf(std::string_view key_id,
                                            std::initializer_list<std::string_view> parts) const;

  const DataKeys& keys() const { return *keys_; }

 private:
  const DataKeys* keys_;
};

}  // namespace renkei::common
