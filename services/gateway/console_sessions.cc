#include "console_sessions.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "google/protobuf/util/json_util.h"

namespace renkei::gateway {
namespace {

absl::Status WriteAll(int fd, const std::string& text, const std::string& path) {
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return absl::InternalError("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) return absl::InternalError("cannot sync " + path);
  return absl::OkStatus();
}

std::string Line(const v1::ConsoleSessionRecord& record) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(record, &json);
  return json + "\n";
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConsoleSessions>> ConsoleSessions::Open(const std::string& path,
                                                                       const common::Clock* clock) {
  std::unique_ptr<ConsoleSessions> sessions(new ConsoleSessions(path, clock));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return absl::InvalidArgumentError("gateway.state_dir: " + ec.message());
  {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      v1::ConsoleSessionRecord record;
      if (!google::protobuf::util::JsonStringToMessage(line, &record).ok()) continue;  // torn
      if (record.ended()) {
        sessions->active_.erase(record.info().id());
      } else {
        sessions->active_[record.info().id()] = record;
      }
    }
  }
  // Rewritten with the active sessions only, atomically.
  const int64_t now = sessions->Now();
  std::string kept;
  for (auto it = sessions->active_.begin(); it != sessions->active_.end();) {
    if (it->second.info().expires_at() < now) {
      it = sessions->active_.erase(it);
    } else {
      kept += Line(it->second);
      ++it;
    }
  }
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InvalidArgumentError("gateway.state_dir: cannot create " + tmp);
  auto written = WriteAll(fd, kept, tmp);
  ::close(fd);
  if (!written.ok()) return written;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError("cannot replace " + path);
  }
  return sessions;
}

absl::Status ConsoleSessions::Append(const v1::ConsoleSessionRecord& record) {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError("cannot open " + path_);
  auto s = WriteAll(fd, Line(record), path_);
  ::close(fd);
  return s;
}

absl::Status ConsoleSessions::Add(const std::string& login, const v1::ConsoleSessionInfo& info) {
  v1::ConsoleSessionRecord record;
  record.set_login(login);
  *record.mutable_info() = info;
  record.mutable_info()->clear_current();
  std::lock_guard<std::mutex> lock(mu_);
  if (auto s = Append(record); !s.ok()) return s;
  active_[info.id()] = std::move(record);
  return absl::OkStatus();
}

absl::Status ConsoleSessions::End(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(id);
  if (it == active_.end()) return absl::NotFoundError("no such session");
  v1::ConsoleSessionRecord record = it->second;
  record.set_ended(true);
  if (auto s = Append(record); !s.ok()) return s;
  active_.erase(it);
  return absl::OkStatus();
}

std::string ConsoleSessions::LoginOf(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(id);
  return it == active_.end() || it->second.info().expires_at() < Now() ? "" : it->second.login();
}

std::vector<v1::ConsoleSessionInfo> ConsoleSessions::Of(const std::string& login) const {
  std::vector<v1::ConsoleSessionInfo> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = Now();
    for (const auto& [id, record] : active_) {
      if (record.login() == login && record.info().expires_at() >= now) {
        out.push_back(record.info());
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.issued_at() != b.issued_at() ? a.issued_at() > b.issued_at() : a.id() < b.id();
  });
  return out;
}

}  // namespace renkei::gateway
