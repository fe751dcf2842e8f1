// The resource directory's domain logic, independent of gRPC: the RPC edge (directory_service.h)
// validates nothing itself and maps statuses; tests drive this class directly.
//
// Consistency: every change is one synced batch (resource + source index + event). Concurrent
// changes to the same resource are serialized by striped locks; the in-memory search index is
// updated after the batch is durable, under an exclusive lock, and read under a shared one.
//
// Errors: INVALID_ARGUMENT with field violations, NOT_FOUND, ABORTED (stale expected_version),
// ALREADY_EXISTS (source id owned by another resource), UNAVAILABLE (store failure).
#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "csv_formats.h"
#include "renkei/common/clock.h"
#include "renkei/common/csv.h"
#include "renkei/common/events.h"
#include "renkei/common/locks.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/v1/directory.pb.h"
#include "resource_store.h"
#include "search_index.h"
#include "vocabulary.h"

namespace renkei::directory {

struct DirectoryOptions {
  int import_batch_rows = 1000;  // rows per committed import batch
  size_t max_reported_errors = 10000;
  size_t max_import_rows = 2000000;
  double slow_search_ms = 3;  // searches slower than this are logged (cost and shape only)
  // Federation: this instance's id and, for a municipality, its code. Resources other instances
  // publish are kept as replicas (ApplyFederatedEvent); a municipality never lets a replica
  // overwrite a resource of its own municipality.
  std::string instance_id;
  std::string own_municipality_code;
};

class ImportSession;

class Directory {
 public:
  Directory(common::Store* store, common::Outbox* outbox, common::EventSource events,
            const CapabilityVocabulary* vocabulary, DirectoryOptions options = {},
            const common::Clock* clock = common::SystemClock::Get());
  ~Directory();

  // Builds the search index from the store (start-up).
  absl::Status LoadIndex();
  size_t size() const;

  absl::StatusOr<v1::UpsertResourceResponse> Upsert(const v1::UpsertResourceRequest& request);
  absl::StatusOr<v1::Resource> Get(const std::string& id) const;
  absl::Status Delete(const v1::DeleteResourceRequest& request);
  absl::StatusOr<v1::SearchResourcesResponse> Search(
      const v1::SearchResourcesRequest& request) const;
  absl::StatusOr<v1::GapReport> GapReport(const v1::GetGapReportRequest& request) const;
  v1::ListCapabilitiesResponse ListCapabilities() const;

  // Streams the export to `sink` in chunks (returns false from sink to stop early).
  absl::Status Export(
      const v1::ExportResourcesRequest& request,
      const std::function<bool(const std::string& chunk, int64_t rows)>& sink) const;

  // A resource event sourced from another instance (a prefecture's municipalities, or a
  // municipality's prefecture): upserts or removes the replica in the consumer's batch when it is
  // newer than what is stored. Own events and own municipality's resources are skipped.
  absl::Status ApplyFederatedEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // A change of one resource inside another command's batch (a survey answer accepted): `edit`
  // changes the stored resource, which is then checked as Upsert checks it (violations under
  // `path`), versioned and added to `cmd` with its event; the resource's lock is held by `cmd`
  // and the index follows once it commits. Answers the resource as it will be stored.
  absl::StatusOr<v1::Resource> StageChange(const std::string& id,
                                           const std::function<void(v1::Resource*)>& edit,
                                           std::string_view path, common::CommandBatch* cmd);
  // Every stored resource located in `municipality_code` (or, with include_serving, serving it)
  // of one of `kinds` (empty: any), in id order.
  absl::StatusOr<std::vector<v1::Resource>> ResourcesOf(const std::string& municipality_code,
                                                        const std::vector<int>& kinds,
                                                        bool include_serving) const;
  const CapabilityVocabulary& vocabulary() const { return *vocabulary_; }
  common::Store* store() const { return store_; }

  // A new import; INVALID_ARGUMENT for bad options.
  absl::StatusOr<std::unique_ptr<ImportSession>> StartImport(const v1::ImportOptions& options);

 private:
  friend class ImportSession;
  struct ImportRow {
    int64_t line;
    v1::Resource resource;
  };
  struct ApplyResult {
    int64_t inserted = 0, updated = 0, unchanged = 0;
    std::vector<v1::RowError> errors;
  };
  // Writes imported rows as one batch (idempotent: identical rows change nothing).
  absl::StatusOr<ApplyResult> ApplyImported(std::vector<ImportRow> rows);
  void IndexChanges(const std::vector<ResourceChange>& changes);
  absl::Status ValidateSearch(const v1::SearchResourcesRequest& r, int* offset) const;

  common::Store* store_;
  const CapabilityVocabulary* vocabulary_;
  DirectoryOptions options_;
  const common::Clock* clock_;
  ResourceStore resources_;
  mutable common::StripedLocks locks_;
  mutable std::shared_mutex index_mu_;
  SearchIndex index_;
};

// One import, fed with the file's bytes as they arrive. With allow_partial, valid rows are
// committed in batches while the file streams in; otherwise the whole file is checked first and
// committed only when no row is bad. Not thread-safe.
class ImportSession {
 public:
  using ProgressFn = std::function<void(const v1::ImportProgress&)>;

  void set_progress(ProgressFn fn) { progress_ = std::move(fn); }
  // Errors here are fatal for the whole import (unknown format, bad header, store failure).
  absl::Status Feed(std::string_view bytes);
  absl::StatusOr<v1::ImportSummary> Finish();

 private:
  friend class Directory;
  ImportSession(Directory* directory, v1::ImportOptions options);
  absl::Status Decode(bool last);
  absl::Status DecideEncoding(bool last, bool* decided);
  absl::Status FeedDecoded(std::string_view utf8, bool last);
  absl::Status TakeRecords();
  absl::Status HandleRecord(const common::CsvRecord& rec);
  absl::Status CommitPending();
  void Reject(v1::RowError error);
  void ReportProgress();

  Directory* directory_;
  v1::ImportOptions options_;
  ProgressFn progress_;
  bool encoding_decided_ = false;
  bool bom_checked_ = false;
  bool shift_jis_ = false;
  std::string raw_tail_;  // bytes not yet decoded (undecided encoding or an incomplete character)
  common::CsvReader reader_;
  std::optional<RowParser> parser_;
  std::vector<Directory::ImportRow> pending_;
  std::unordered_set<std::string> seen_keys_;
  v1::ImportSummary summary_;
  v1::ImportProgress progress_state_;
  int64_t last_progress_rows_ = 0;
};

}  // namespace renkei::directory
