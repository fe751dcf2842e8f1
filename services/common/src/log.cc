#include "renkei/common/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace renkei::common {
namespace {

struct LogState {
  std::mutex mu;
  std::string service = "renkei";
  std::string instance;
  LogLevel min_level = LogLevel::kInfo;
};

LogState& State() {
  static LogState* state = new LogState();
  return *state;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void InitLogging(std::string_view service, std::string_view instance, LogLevel min_level) {
  auto& st = State();
  std::lock_guard<std::mutex> lock(st.mu);
  st.service = std::string(service);
  st.instance = std::string(instance);
  st.min_level = min_level;
}

LogLine::LogLine(LogLevel level, std::string_view message) {
  auto& st = State();
  std::string service, instance;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    enabled_ = level >= st.min_level;
    service = st.service;
    instance = st.instance;
  }
  if (!enabled_) return;
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char ts[80];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  line_ = "{\"ts\":\"";
  line_ += ts;
  line_ += "\",\"level\":\"";
  line_ += LevelName(level);
  line_ += "\",\"service\":";
  AppendJsonString(service, &line_);
  if (!instance.empty()) {
    line_ += ",\"instance\":";
    AppendJsonString(instance, &line_);
  }
  line_ += ",\"msg\":";
  AppendJsonString(message, &line_);
}

LogLine::~LogLine() {
  if (!enabled_) return;
  line_ += "}\n";
  // One write call per line keeps lines whole when several threads log.
  ssize_t ignored = ::write(STDERR_FILENO, line_.data(), line_.size());
  (void)ignored;
}

LogLine& LogLine::Field(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(key, &line_);
  line_.push_back(':');
  AppendJsonString(value, &line_);
  return *this;
}

LogLine& LogLine::Field(std::string_view key, int64_t value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(key, &line_);
  line_ += ":" + std::to_string(value);
  return *this;
}

LogLine& LogLine::Field(std::string_view key, uint64_t value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(key, &line_);
  line_ += ":" + std::to_string(value);
  return *this;
}

LogLine& LogLine::Field(std::string_view key, double value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(key, &line_);
  char buf[32];
  std::snprintf(buf, sizeof buf, ":%.6g", value);
  line_ += buf;
  return *this;
}

LogLine& LogLine::Field(std::string_view key, bool value) {
  if (!enabled_) return *this;
  line_.push_back(',');
  AppendJsonString(key, &line_);
  line_ += value ? ":true" : ":false";
  return *this;
}

}  // namespace renkei::common
