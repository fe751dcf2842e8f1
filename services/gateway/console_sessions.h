// The console's sessions (who is logged in, since when, from where): an append-only file of
// renkei.v1.ConsoleSessionRecord lines (JSON), <gateway.state_dir>/sessions.jsonl — a line when a
// log-in issues a token, a line when its session ends (log-out, ended by its user, the account
// disabled). Rewritten without ended and expired sessions when opened. Each append is synced.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/clock.h"
#include "renkei/v1/gateway.pb.h"

namespace renkei::gateway {

class ConsoleSessions {
 public:
  static absl::StatusOr<std::unique_ptr<ConsoleSessions>> Open(
      const std::string& path, const common::Clock* clock = common::SystemClock::Get());

  // A new session of `login` (info.id: the token's id).
  absl::Status Add(const std::string& login, const v1::ConsoleSessionInfo& info);
  // Ends a session; NOT_FOUND when no active session has the id.
  absl::Status End(const std::string& id);
  // The login of an active session; "" when none.
  std::string LoginOf(const std::string& id) const;
  // The active (not ended, not expired) sessions of `login`, newest first.
  std::vector<v1::ConsoleSessionInfo> Of(const std::string& login) const;

 private:
  ConsoleSessions(std::string path, const common::Clock* clock)
      : path_(std::move(path)), clock_(clock) {}
  absl::Status Append(const v1::ConsoleSessionRecord& record);
  int64_t Now() const { return clock_->NowMicros() / 1000000; }

  std::string path_;
  const common::Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, v1::ConsoleSessionRecord> active_;  // id -> the session
};

}  // namespace renkei::gateway
