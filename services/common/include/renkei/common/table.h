// The aggregate kernel: a typed table over the sealed store, and the steps every change of a
// versioned record takes.
//
//   Table<v1::Training> trainings(store, sealer, "trainings", {"研修", "training"});
//   ASSIGN_OR_RETURN(v1::Training t, trainings.Get(id));   // NOT_FOUND with ResourceInfo
//   trainings.Put(&batch, t.id(), t);                        // sealed (at_rest.h)
//
// A command that changes a versioned record (one with `version` and `updated_at`):
//
//   ASSIGN_OR_RETURN(v1::Training t,
//                    LoadForChange(trainings, r.id(), r.expected_version(),
//                                  {.id_field = "id", .owner = organized_here, .state = open}));
//   ... change t ...
//   NextVersion(&t, *clock_);
//   common::CommandBatch cmd(store, outbox);   // the record, its events, the answer; Commit()
//
// LoadForChange answers, in this order: NOT_FOUND (the id), FAILED_PRECONDITION from `owner`
// (the record is another instance's), ABORTED STALE_VERSION (someone changed it first),
// FAILED_PRECONDITION from `state` (closed, cancelled). The command's batch carries the request-id
// record (requests.h) without anything here.
//
// Thread safety: a Table is immutable after construction and thread-safe; commands lock their
// record (locks.h) around load and commit.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/clock.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/common/validation.h"

namespace renkei::common {

// What a table's records are called in messages: "研修" / "training".
struct RecordName {
  std::string ja;
  std::string en;
};

template <typename T>
class Table {
 public:
  // `sealer`: personal fields sealed at rest (at_rest.h); nullptr for a table of public records,
  // stored as their plain serialization.
  Table(Store* store, const RecordSealer* sealer, std::string family, RecordName name)
      : store_(store),
        sealer_(sealer),
        family_(std::move(family)),
        name_(std::move(name)),
        cf_(store->Cf(family_)) {}

  // NOT_FOUND (ResourceInfo: the record's type and `key`) when absent.
  absl::StatusOr<T> Get(std::string_view key) const {
    auto found = Find(key);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return NotFoundError(T::descriptor()->full_name(), key,
                           name_.ja + "が見つかりません / no such " + name_.en);
    }
    return std::move(**found);
  }

  // nullopt when absent.
  absl::StatusOr<std::optional<T>> Find(std::string_view key) const {
    auto value = store_->Get(cf_, key);
    if (absl::IsNotFound(value.status())) return std::optional<T>();
    if (!value.ok()) return value.status();
    absl::StatusOr<T> record = Open(key, *value);
    if (!record.ok()) return record.status();
    return std::optional<T>(std::move(*record));
  }

  // Many at once, in the order of `keys`; NOT_FOUND as Get when one is absent.
  absl::StatusOr<std::vector<T>> GetMany(const std::vector<std::string>& keys) const {
    auto values = store_->MultiGet(cf_, keys);
    std::vector<T> out(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (absl::IsNotFound(values[i].status())) return Get(keys[i]).status();
      if (!values[i].ok()) return values[i].status();
      absl::StatusOr<T> record = Open(keys[i], *values[i]);
      if (!record.ok()) return record.status();
      out[i] = std::move(*record);
    }
    return out;
  }

  // Many at once, in the order of `keys`; nullopt for an absent one. A read error or an
  // unreadable record fails the whole call (never taken for absent).
  absl::StatusOr<std::vector<std::optional<T>>> FindMany(
      const std::vector<std::string>& keys) const {
    auto values = store_->MultiGet(cf_, keys);
    std::vector<std::optional<T>> out(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (absl::IsNotFound(values[i].status())) continue;
      if (!values[i].ok()) return values[i].status();
      absl::StatusOr<T> record = Open(keys[i], *values[i]);
      if (!record.ok()) return record.status();
      out[i] = std::move(*record);
    }
    return out;
  }

  // A record as stored under `key` (e.g. read by an iterator over cf()).
  absl::StatusOr<T> Open(std::string_view key, std::string_view stored) const {
    T record;
    if (sealer_ == nullptr) {
      if (!record.ParseFromArray(stored.data(), static_cast<int>(stored.size()))) {
        return absl::DataLossError("stored " + name_.en + " unreadable: " + std::string(key));
      }
      return record;
    }
    absl::Status s = sealer_->Open(family_, key, stored, &record);
    if (!s.ok()) return s;
    return record;
  }

  void Put(Batch* batch, std::string_view key, const T& record) const {
    batch->Put(
        cf_, key,
        sealer_ == nullptr ? record.SerializeAsString() : sealer_->Seal(family_, key, record));
  }

  // Puts `record` into the command's batch as its answer too: a request id's record names it
  // instead of holding a copy (requests.h).
  void PutAnswer(CommandBatch* cmd, std::string_view key, const T& record) const {
    Put(&cmd->batch(), key, record);
    cmd->SetAnswerStored(family_, key, record);
  }
  void Delete(Batch* batch, std::string_view key) const { batch->Delete(cf_, key); }

  // The records whose keys start with `prefix`, in key order, until `fn` answers false.
  absl::Status ForEach(std::string_view prefix,
                       const std::function<bool(std::string_view key, const T&)>& fn) const {
    absl::Status inner;
    absl::Status s = store_->ScanPrefix(cf_, prefix, [&](std::string_view key, std::string_view v) {
      absl::StatusOr<T> record = Open(key, v);
      inner = record.status();
      return inner.ok() && fn(key, *record);
    });
    return s.ok() ? inner : s;
  }

  Store* store() const { return store_; }
  const RecordSealer* sealer() const { return sealer_; }
  ColumnFamily cf() const { return cf_; }
  const std::string& family() const { return family_; }

 private:
  Store* store_;
  const RecordSealer* sealer_;
  std::string family_;
  RecordName name_;
  ColumnFamily cf_;
};

// What a change of a record of type T must find (see LoadForChange).
template <typename T>
struct ChangeRules {
  // The request field that names the record ("id", "training_id"): the subject of
  // FAILED_PRECONDITION.
  std::string_view id_field = "id";
  // Whether this instance may change the record at all; checked before the version.
  std::function<absl::Status(const T&)> owner = nullptr;
  // Whether the record's state allows a change; checked after the version.
  std::function<absl::Status(const T&)> state = nullptr;
};

// The request's checks before a load: INVALID_ARGUMENT naming `field` unless `id` is
// "<prefix>_" + 26 characters ...
inline absl::Status CheckId(std::string_view prefix, std::string_view id, std::string_view field) {
  if (IsWellFormedId(prefix, id)) return absl::OkStatus();
  return InvalidField(field,
                      "IDの形式が不正です (" + std::string(prefix) + "_ + 26文字) / malformed id");
}
// ... or unless the expected version is one the caller read (≥ 1); the second form adds the
// violation to those the request collects.
inline constexpr char kExpectedVersionRequired[] =
    "読み込んだ版 (1 以上) を指定してください / required: the version read";
inline absl::Status CheckExpectedVersion(int64_t expected_version,
                                         std::string_view field = "expected_version") {
  if (expected_version >= 1) return absl::OkStatus();
  return InvalidField(field, kExpectedVersionRequired);
}
inline void CheckExpectedVersion(int64_t expected_version, FieldViolations* v,
                                 std::string_view field = "expected_version") {
  if (expected_version < 1) v->Add(std::string(field), kExpectedVersionRequired);
}

// The record `id` of `table`, for a change the caller made on `expected_version`.
template <typename T>
absl::StatusOr<T> LoadForChange(const Table<T>& table, std::string_view id,
                                int64_t expected_version, const ChangeRules<T>& rules) {
  absl::StatusOr<T> record = table.Get(id);
  if (!record.ok()) return record.status();
  if (rules.owner) {
    if (absl::Status s = rules.owner(*record); !s.ok()) return s;
  }
  if (record->version() != expected_version) return StaleVersion(*record, expected_version);
  if (rules.state) {
    if (absl::Status s = rules.state(*record); !s.ok()) return s;
  }
  return record;
}

// The changed record's next version, changed now.
template <typename T>
void NextVersion(T* record, const Clock& clock) {
  record->set_version(record->version() + 1);
  *record->mutable_updated_at() = clock.NowTimestamp();
}

}  // namespace renkei::common
