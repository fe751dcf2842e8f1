// Tokens ended before they expire (docs/security.md, "Log-out and revocation"): the instance's
// revocation list, security.revoked_tokens_file, one line "<jti> <exp>" per token.
//
// The gateway appends a line, synced, when a console session ends (log-out, a session ended by
// its user, a disabled account); every service's TokenAuthProcessor asks IsRevoked on each call
// with a token id. The list is re-read whenever the file's size or modification time changed (a
// stat per question: a revocation takes effect on the next call, in every process that reads the
// file). Lines of tokens that have expired are dropped by Compact (the gateway at start).
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "renkei/common/clock.h"

namespace renkei::common {

class RevocationList {
 public:
  explicit RevocationList(std::string path, const Clock* clock = SystemClock::Get());

  // Appends "<jti> <exp>" and syncs the file (and, when it was created, its directory): the
  // token is refused everywhere once this returns. `jti`: [A-Za-z0-9_-]{8,64}.
  absl::Status Revoke(std::string_view jti, int64_t expires_at);
  // Whether the token id is on the list (a token without an id never is).
  bool IsRevoked(std::string_view jti);
  // Rewrites the file without the lines of tokens expired (by more than a minute), atomically.
  absl::Status Compact();
  const std::string& path() const { return path_; }

 private:
  // Re-reads the file when it changed since the last read. Called with mu_ held.
  void RefreshLocked();

  std::string path_;
  const Clock* clock_;
  std::mutex mu_;
  std::unordered_map<std::string, int64_t> revoked_;  // jti -> exp
  int64_t seen_size_ = -1;
  int64_t seen_mtime_ns_ = -1;
  uint64_t seen_inode_ = 0;
};

// Whether `jti` may name a token on the list.
bool IsTokenId(std::string_view jti);

}  // namespace renkei::common
