// Backup generations of an instance and the restore of a service's store from one
// (`renkeictl backup` / `restore`; docs/operations.md, "Backups and restore").
//
// Layout of the backup directory (InstanceConfig.backup.dir):
//   <dir>/backup.lock                    held while a backup or a restore runs
//   <dir>/<generation>/<service>/        a RocksDB checkpoint written by the service itself
//   <dir>/<generation>/manifest.json     v1::BackupManifest, written last
// A generation is named after its UTC start time, "20261124T153000Z", with "-2", "-3", ...
// appended when several start within one second; generations sort by (time, suffix). One
// without a readable manifest is incomplete: never restored, removed by the next successful
// backup's pruning.
//
// Restore marker: a restored store carries kRestoreMarkerKey (default column family), unique per
// restore. A DurableConsumer that has not seen the current marker deletes its JetStream consumer
// before subscribing, so it reads its stream again from the start; its inbox, restored with the
// store, skips every event applied before the checkpoint and applies the ones acknowledged on
// the server after it (their effects were lost with the replaced store).
//
// Thread safety: the functions are thread-safe; BackupLock excludes other processes (flock).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/clock.h"
#include "renkei/v1/admin.pb.h"

namespace renkei::common {

// The key in a restored store's default column family (value: generation and restore time).
inline constexpr char kRestoreMarkerKey[] = "renkei.restore_marker";

// Holds <dir>/backup.lock (created with <dir> when missing). FAILED_PRECONDITION when another
// process holds it.
class BackupLock {
 public:
  static absl::StatusOr<std::unique_ptr<BackupLock>> Acquire(const std::string& backup_dir);
  ~BackupLock();

 private:
  BackupLock() = default;
  int fd_ = -1;
};

struct Generation {
  std::string name;  // "20261124T153000Z"
  std::string path;  // <dir>/<name>
  bool complete = false;
  // Why it is incomplete ("manifest.json がありません / no manifest", a parse error).
  std::string problem;
  v1::BackupManifest manifest;  // when complete
};

// "20261124T153000Z" for the UTC second of `micros`.
std::string GenerationTimeName(int64_t micros);

// Creates a new, empty generation directory under `backup_dir` named after the clock's time.
// Returns its name.
absl::StatusOr<std::string> CreateGeneration(const std::string& backup_dir, const Clock& clock);

// Every generation under `backup_dir`, oldest first (other entries are ignored). An empty list
// when the directory does not exist.
absl::StatusOr<std::vector<Generation>> ListGenerations(const std::string& backup_dir);

// The newest complete generation, or the one named; NOT_FOUND when there is none / no such
// generation, FAILED_PRECONDITION when the named one is incomplete.
absl::StatusOr<Generation> FindGeneration(const std::string& backup_dir, const std::string& name);

// Writes <generation_path>/manifest.json durably (temporary file, fsync, rename, fsync of the
// directory), which makes the generation complete.
absl::Status WriteManifest(const std::string& generation_path, const v1::BackupManifest& manifest);

// Keeps the newest `keep` complete generations; removes older complete ones and every
// incomplete one (call with the BackupLock held: no backup is writing one). Returns the names
// removed, oldest first.
absl::StatusOr<std::vector<std::string>> PruneGenerations(const std::string& backup_dir, int keep);

// Whether a process holds the RocksDB database at `data_dir` (its LOCK file is locked by
// another process; a lock held by this process does not count). False when there is no
// database.
absl::StatusOr<bool> StoreInUse(const std::string& data_dir);

struct RestoredStore {
  std::string data_dir;
  // Where the data directory found in place was moved ("<data_dir>.pre-restore"; a previous one
  // there is removed); empty when there was none.
  std::string previous;
};

// Replaces `data_dir` with a copy of `checkpoint_dir` (left untouched) carrying `marker` under
// kRestoreMarkerKey. The copy is written and synced at "<data_dir>.restoring" and exchanged with
// data_dir in one rename (renameat2 RENAME_EXCHANGE), so an interrupted restore leaves the old
// directory or the complete copy at data_dir, never a partial one (on a filesystem that cannot
// exchange names: two renames, and for a moment no directory); running the restore again
// completes it. The caller makes sure no process uses data_dir (StoreInUse).
absl::StatusOr<RestoredStore> RestoreStore(const std::string& checkpoint_dir,
                                           const std::string& data_dir, std::string_view marker);

}  // namespace renkei::common
