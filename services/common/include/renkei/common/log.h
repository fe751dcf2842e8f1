// Structured logs: one JSON object per line on stderr.
//
//   LogLine(LogLevel::kInfo, "import committed").Field("rows", n).Field("file", name);
//   -> {"ts":"2026-11-24T06:30:00.123Z","level":"info","service":"directory",
//       "instance":"m132250","msg":"import committed","rows":1000,"file":"jigyosho_120.csv"}
//
// Never log personal data (names, contacts, birth dates, addresses of persons, narratives):
// log ids and codes. Thread-safe; each line is written with one call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace renkei::common {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sets the service and instance written on every line and the minimum level.
void InitLogging(std::string_view service, std::string_view instance,
                 LogLevel min_level = LogLevel::kInfo);

class LogLine {
 public:
  LogLine(LogLevel level, std::string_view message);
  ~LogLine();  // writes the line
  LogLine(const LogLine&) = delete;

  LogLine& Field(std::string_view key, std::string_view value);
  LogLine& Field(std::string_view key, const char* value) {
    return Field(key, std::string_view(value));
  }
  LogLine& Field(std::string_view key, const std::string& value) {
    return Field(key, std::string_view(value));
  }
  LogLine& Field(std::string_view key, int64_t value);
  LogLine& Field(std::string_view key, uint64_t value);
  LogLine& Field(std::string_view key, int value) {
    return Field(key, static_cast<int64_t>(value));
  }
  LogLine& Field(std::string_view key, double value);
  LogLine& Field(std::string_view key, bool value);

 private:
  bool enabled_;
  std::string line_;
};

// JSON string escaping (also used by the CLI's JSON output).
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace renkei::common
