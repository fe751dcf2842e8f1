#include "renkei/common/backup.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/store.h"

namespace renkei::common {
namespace {

namespace fs = std::filesystem;

constexpr char kManifest[] = "manifest.json";
constexpr char kLockFile[] = "backup.lock";

absl::Status Errno(const std::string& what) {
  return absl::UnavailableError(what + ": " + std::strerror(errno));
}

absl::Status FsError(const std::string& what, const std::error_code& ec) {
  return absl::UnavailableError(what + ": " + ec.message());
}

absl::Status Fsync(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) return Errno("open " + path.string());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync " + path.string());
  return absl::OkStatus();
}

// "20261124T153000Z" or "20261124T153000Z-<n>" (n >= 2): the time part and n (1 without a
// suffix); false for any other name.
bool ParseGenerationName(const std::string& name, std::string* time, int* n) {
  if (name.size() < 16) return false;
  for (size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    const bool ok = i == 8 ? c == 'T' : i == 15 ? c == 'Z' : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  *time = name.substr(0, 16);
  *n = 1;
  if (name.size() == 16) return true;
  if (name[16] != '-' || name.size() == 17 || name.size() > 22) return false;
  int v = 0;
  for (size_t i = 17; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + (name[i] - '0');
  }
  if (v < 2) return false;
  *n = v;
  return true;
}

absl::Status CopyTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::create_directory(to, ec) || ec) return FsError("mkdir " + to.string(), ec);
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    const fs::path target = to / entry.path().filename();
    if (entry.is_directory(ec)) {
      RETURN_IF_ERROR(CopyTree(entry.path(), target));
    } else if (entry.is_regular_file(ec)) {
      if (!fs::copy_file(entry.path(), target, ec) || ec) {
        return FsError("copy " + entry.path().string(), ec);
      }
      RETURN_IF_ERROR(Fsync(target, /*directory=*/false));
    } else {
      return absl::FailedPreconditionError(
          "チェックポイントに想定外のファイルがあります / unexpected entry in checkpoint: " +
          entry.path().string());
    }
  }
  if (ec) return FsError("read " + from.string(), ec);
  return Fsync(to, /*directory=*/true);
}

absl::Status WriteMarker(const std::string& dir, std::string_view marker) {
  // Every column family of the copy is opened (StoreOptions); the marker goes in "default",
  // which every RocksDB database has.
  ASSIGN_OR_RETURN(auto store, Store::Open({.path = dir, .column_families = {}}));
  Batch batch;
  batch.Put(store->Cf("default"), kRestoreMarkerKey, marker);
  return store->Write(batch);
}

// "a/b/" and "a/./b" are "a/b".
fs::path Normal(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  return p.has_filename() ? p : p.parent_path();
}

}  // namespace

absl::StatusOr<std::unique_ptr<BackupLock>> BackupLock::Acquire(const std::string& backup_dir) {
  std::error_code ec;
  fs::create_directories(backup_dir, ec);
  if (ec) return FsError("mkdir " + backup_dir, ec);
  const std::string path = (fs::path(backup_dir) / kLockFile).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("open " + path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          "別のバックアップまたは復元が実行中です / another backup or restore is running (" + path +
          ")");
    }
    errno = err;
    return Errno("flock " + path);
  }
  auto lock = std::unique_ptr<BackupLock>(new BackupLock());
  lock->fd_ = fd;
  return lock;
}

BackupLock::~BackupLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

std::string GenerationTimeName(int64_t micros) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
  return buf;
}

absl::StatusOr<std::string> CreateGeneration(const std::string& backup_dir, const Clock& clock) {
  std::error_code ec;
  fs::create_directories(backup_dir, ec);
  if (ec) return FsError("mkdir " + backup_dir, ec);
  const std::string time = GenerationTimeName(clock.NowMicros());
  // mkdir either creates the name or fails with EEXIST: two backups within one second (even
  // without the lock) get different names.
  for (int n = 1; n <= 9999; ++n) {
    const std::string name = n == 1 ? time : time + "-" + std::to_string(n);
    const fs::path path = fs::path(backup_dir) / name;
    if (::mkdir(path.c_str(), 0750) == 0) return name;
    if (errno != EEXIST) return Errno("mkdir " + path.string());
  }
  return absl::ResourceExhaustedError("too many generations in one second: " + backup_dir);
}

absl::StatusOr<std::vector<Generation>> ListGenerations(const std::string& backup_dir) {
  std::vector<std::pair<std::pair<std::string, int>, Generation>> found;
  std::error_code ec;
  if (!fs::exists(backup_dir, ec)) return std::vector<Generation>{};
  for (const auto& entry : fs::directory_iterator(backup_dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::string time;
    int n = 0;
    if (!ParseGenerationName(name, &time, &n) || !entry.is_directory(ec)) continue;
    Generation g;
    g.name = name;
    g.path = entry.path().string();
    const fs::path manifest = entry.path() / kManifest;
    std::ifstream in(manifest);
    if (!in) {
      g.problem = "manifest.json がありません / no manifest";
    } else {
      std::stringstream buf;
      buf << in.rdbuf();
      auto parsed = google::protobuf::util::JsonStringToMessage(buf.str(), &g.manifest);
      if (!parsed.ok()) {
        g.problem =
            "manifest.json を読めません / unreadable manifest: " + std::string(parsed.message());
      } else if (g.manifest.generation() != name) {
        g.problem = "manifest.json の世代名が違います / manifest names generation " +
                    g.manifest.generation();
      } else {
        g.complete = true;
      }
    }
    found.emplace_back(std::make_pair(std::move(time), n), std::move(g));
  }
  if (ec) return FsError("read " + backup_dir, ec);
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Generation> out;
  out.reserve(found.size());
  for (auto& [key, g] : found) out.push_back(std::move(g));
  return out;
}

absl::StatusOr<Generation> FindGeneration(const std::string& backup_dir, const std::string& name) {
  ASSIGN_OR_RETURN(auto all, ListGenerations(backup_dir));
  if (name.empty()) {
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (it->complete) return std::move(*it);
    }
    return absl::NotFoundError("復元できる完全な世代がありません / no complete generation in " +
                               backup_dir);
  }
  for (auto& g : all) {
    if (g.name != name) continue;
    if (!g.complete) {
      return absl::FailedPreconditionError(absl::StrCat(
          "世代 ", name, " は不完全です / generation ", name, " is incomplete: ", g.problem));
    }
    return std::move(g);
  }
  return absl::NotFoundError("世代 " + name + " がありません / no generation " + name + " in " +
                             backup_dir);
}

absl::Status WriteManifest(const std::string& generation_path, const v1::BackupManifest& manifest) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  o.preserve_proto_field_names = true;
  std::string json;
  auto printed = google::protobuf::util::MessageToJsonString(manifest, &json, o);
  if (!printed.ok()) return absl::InternalError("manifest: " + std::string(printed.message()));
  const fs::path dir(generation_path);
  const fs::path tmp = dir / (std::string(kManifest) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << json;
    out.close();
    if (!out) return absl::UnavailableError("write " + tmp.string());
  }
  RETURN_IF_ERROR(Fsync(tmp, /*directory=*/false));
  std::error_code ec;
  fs::rename(tmp, dir / kManifest, ec);
  if (ec) return FsError("rename " + tmp.string(), ec);
  return Fsync(dir, /*directory=*/true);
}

absl::StatusOr<std::vector<std::string>> PruneGenerations(const std::string& backup_dir, int keep) {
  ASSIGN_OR_RETURN(auto all, ListGenerations(backup_dir));
  int complete = 0;
  for (const auto& g : all) complete += g.complete;
  std::vector<std::string> removed;
  int complete_seen = 0;
  for (const auto& g : all) {  // oldest first
    if (g.complete && complete - complete_seen++ <= keep) continue;
    std::error_code ec;
    fs::remove_all(g.path, ec);
    if (ec) return FsError("remove " + g.path, ec);
    removed.push_back(g.name);
  }
  if (!removed.empty()) RETURN_IF_ERROR(Fsync(backup_dir, /*directory=*/true));
  return removed;
}

absl::StatusOr<bool> StoreInUse(const std::string& data_dir) {
  const fs::path lock = fs::path(data_dir) / "LOCK";
  std::error_code ec;
  if (!fs::exists(lock, ec)) return false;
  // RocksDB holds a POSIX record lock (F_SETLK) on LOCK while the database is open. F_GETLK
  // asks whether one would conflict without taking it, so a service starting meanwhile is not
  // disturbed.
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + lock.string());
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 0;
  probe.l_len = 0;
  const int rc = ::fcntl(fd, F_GETLK, &probe);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    errno = err;
    return Errno("fcntl " + lock.string());
  }
  return probe.l_type != F_UNLCK;
}

absl::StatusOr<RestoredStore> RestoreStore(const std::string& checkpoint_dir,
                                           const std::string& data_dir, std::string_view marker) {
  const fs::path data = Normal(data_dir);
  const fs::path staging = data.string() + ".restoring";
  const fs::path previous = data.string() + ".pre-restore";
  std::error_code ec;
  if (!fs::is_directory(checkpoint_dir, ec)) {
    return absl::NotFoundError("チェックポイントがありません / no checkpoint at " + checkpoint_dir);
  }
  fs::remove_all(staging, ec);  // left by an interrupted restore
  if (ec) return FsError("remove " + staging.string(), ec);
  if (data.has_parent_path()) {
    fs::create_directories(data.parent_path(), ec);
    if (ec) return FsError("mkdir " + data.parent_path().string(), ec);
  }
  RETURN_IF_ERROR(CopyTree(checkpoint_dir, staging));
  RETURN_IF_ERROR(WriteMarker(staging.string(), marker));

  RestoredStore out;
  out.data_dir = data.string();
  if (fs::exists(data, ec)) {
    fs::remove_all(previous, ec);
    if (ec) return FsError("remove " + previous.string(), ec);
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, data.c_str(), RENAME_EXCHANGE) == 0) {
      fs::rename(staging, previous, ec);  // staging now holds the replaced directory
      if (ec) return FsError("rename " + staging.string(), ec);
    } else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
      fs::rename(data, previous, ec);
      if (ec) return FsError("rename " + data.string(), ec);
      fs::rename(staging, data, ec);
      if (ec) return FsError("rename " + staging.string(), ec);
    } else {
      return Errno("exchange " + staging.string() + " and " + data.string());
    }
    out.previous = previous.string();
  } else {
    fs::rename(staging, data, ec);
    if (ec) return FsError("rename " + staging.string(), ec);
  }
  RETURN_IF_ERROR(Fsync(data.has_parent_path() ? data.parent_path() : fs::path("."), true));
  return out;
}

}  // namespace renkei::common
