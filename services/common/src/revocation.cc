#include "renkei/common/revocation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "renkei/common/log.h"

namespace renkei::common {
namespace {

constexpr int64_t kExpiredSlackSeconds = 60;

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(what + " " + path + ": " + std::strerror(errno));
}

absl::Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : Errno("fsync", dir);
}

}  // namespace

bool IsTokenId(std::string_view jti) {
  if (jti.size() < 8 || jti.size() > 64) return false;
  for (char c : jti) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

RevocationList::RevocationList(std::string path, const Clock* clock)
    : path_(std::move(path)), clock_(clock) {}

void RevocationList::RefreshLocked() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    revoked_.clear();  // no file: nothing revoked (yet)
    seen_size_ = -1;
    seen_mtime_ns_ = -1;
    seen_inode_ = 0;
    return;
  }
  const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  if (st.st_size == seen_size_ && mtime_ns == seen_mtime_ns_ && st.st_ino == seen_inode_) return;
  std::ifstream in(path_);
  if (!in) {
    // Keep what was read before, and say so once per change of the file (a service cannot tell
    // which tokens ended).
    LogLine(LogLevel::kError, "revocation list unreadable").Field("file", path_);
    seen_size_ = st.st_size;
    seen_mtime_ns_ = mtime_ns;
    seen_inode_ = st.st_ino;
    return;
  }
  std::unordered_map<std::string, int64_t> revoked;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string jti;
    int64_t exp = 0;
    if (!(fields >> jti >> exp) || !IsTokenId(jti)) continue;  // a torn last line: skipped
    revoked[jti] = exp;
  }
  revoked_ = std::move(revoked);
  seen_size_ = st.st_size;
  seen_mtime_ns_ = mtime_ns;
  seen_inode_ = st.st_ino;
}

bool RevocationList::IsRevoked(std::string_view jti) {
  if (jti.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  RefreshLocked();
  return revoked_.count(std::string(jti)) > 0;
}

absl::Status RevocationList::Revoke(std::string_view jti, int64_t expires_at) {
  if (!IsTokenId(jti)) return absl::InvalidArgumentError("not a token id");
  std::lock_guard<std::mutex> lock(mu_);
  const bool existed = std::filesystem::exists(path_);
  const int fd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("open", path_);
  std::string line = std::string(jti) + " " + std::to_string(expires_at) + "\n";
  // A line torn by a crash (no newline at the end) is closed first, so this one stands alone.
  struct stat st {};
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 &&
      last != '\n') {
    line.insert(line.begin(), '\n');
  }
  const ssize_t written = ::write(fd, line.data(), line.size());
  const bool synced = written == static_cast<ssize_t>(line.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!synced) return Errno("append to", path_);
  if (!existed) {
    if (auto s = SyncDirectoryOf(path_); !s.ok()) return s;
  }
  revoked_[std::string(jti)] = expires_at;
  return absl::OkStatus();
}

absl::Status RevocationList::Compact() {
  std::lock_guard<std::mutex> lock(mu_);
  seen_size_ = -1;  // read it afresh
  RefreshLocked();
  if (seen_size_ < 0) return absl::OkStatus();  // no file
  const int64_t now = clock_->NowMicros() / 1000000;
  std::string kept;
  size_t dropped = 0;
  for (auto it = revoked_.begin(); it != revoked_.end();) {
    if (it->second + kExpiredSlackSeconds < now) {
      it = revoked_.erase(it);
      ++dropped;
    } else {
      kept += it->first + " " + std::to_string(it->second) + "\n";
      ++it;
    }
  }
  if (dropped == 0) return absl::OkStatus();
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("open", tmp);
  const bool ok = ::write(fd, kept.data(), kept.size()) == static_cast<ssize_t>(kept.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) return Errno("rewrite", path_);
  if (auto s = SyncDirectoryOf(path_); !s.ok()) return s;
  seen_size_ = -1;
  LogLine(LogLevel::kInfo, "revocation list compacted")
      .Field("dropped", static_cast<int64_t>(dropped))
      .Field("kept", static_cast<int64_t>(revoked_.size()));
  return absl::OkStatus();
}

}  // namespace renkei::common
