#include "ical.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "renkei/common/clock.h"
#include "renkei/common/labels.h"

namespace renkei::training {
namespace {

constexpr size_t kMaxLineOctets = 75;
constexpr int64_t kTokyoOffsetSeconds = int64_t{9} * 3600;  // Japan has no daylight saving time
constexpr char kTimeZone[] = "Asia/Tokyo";

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// "YYYYMMDDTHHMMSS" as a clock `offset_seconds` ahead of UTC shows the instant.
std::string WallClock(int64_t micros, int64_t offset_seconds) {
  int64_t seconds = micros / 1000000;
  if (micros % 1000000 < 0) --seconds;  // floor, so 1969 instants keep their second
  const std::time_t t = static_cast<std::time_t>(seconds + offset_seconds);
  std::tm tm{};
  // gmtime_r fails only when the year overflows an int, beyond what int64 microseconds reach.
  if (gmtime_r(&t, &tm) == nullptr) std::abort();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string Utc(int64_t micros) { return WallClock(micros, 0) + "Z"; }

std::string Tokyo(const google::protobuf::Timestamp& ts) {
  return WallClock(common::MicrosFromTimestamp(ts), kTokyoOffsetSeconds);
}

// A URI value is not TEXT-escaped, but a control character would break the line structure.
std::string UriValue(std::string_view uri) {
  std::string out;
  for (char c : uri) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7F) out += c;
  }
  return out;
}

std::string Organizer(const v1::Training& training) {
  std::string out(common::Label(training.organizer_level(), ""));
  const std::string& code = training.organizer_code();
  if (code.empty()) return out;
  return out.empty() ? code : out + "（" + code + "）";
}

std::string Location(const v1::Session& session) {
  if (!session.online()) return session.venue();
  if (session.venue().empty()) return "オンライン";
  return session.venue() + " / オンライン";
}

std::string Description(const v1::Training& training, const v1::Session& session) {
  std::vector<std::string> lines;
  if (std::string organizer = Organizer(training); !organizer.empty()) {
    lines.push_back("主催: " + organizer);
  }
  if (!training.description().empty()) lines.push_back(training.description());
  for (const v1::Lecturer& lecturer : session.lecturers()) {
    std::string line = "講師: " + lecturer.name();
    if (!lecturer.affiliation().empty()) line += "（" + lecturer.affiliation() + "）";
    lines.push_back(std::move(line));
  }
  if (!session.online_url().empty()) lines.push_back("オンライン: " + session.online_url());
  for (const v1::Material& material : training.materials()) {
    const std::string& title = material.title().empty() ? material.reference() : material.title();
    if (!title.empty()) lines.push_back("資料: " + title);
  }
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

std::string_view Status(const CalendarEntry& entry) {
  if (entry.session->cancelled() || entry.training->status() == v1::TRAINING_STATUS_CANCELLED) {
    return "CANCELLED";
  }
  return entry.tentative ? "TENTATIVE" : "CONFIRMED";
}

class Writer {
 public:
  // `value` goes out as it is: the caller escapes or formats it for its value type.
  void Line(std::string_view name, std::string_view value) {
    std::string line(name);
    line += ':';
    line += value;
    out_ += FoldLine(line);
  }
  void Text(std::string_view name, std::string_view text) { Line(name, EscapeText(text)); }

  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void WriteTimeZone(Writer& w) {
  w.Line("BEGIN", "VTIMEZONE");
  w.Line("TZID", kTimeZone);
  w.Line("BEGIN", "STANDARD");
  w.Line("DTSTART", "19700101T000000");
  w.Line("TZOFFSETFROM", "+0900");
  w.Line("TZOFFSETTO", "+0900");
  w.Line("TZNAME", "JST");
  w.Line("END", "STANDARD");
  w.Line("END", "VTIMEZONE");
}

void WriteEvent(Writer& w, const CalendarEntry& entry, const std::string& dtstamp) {
  const v1::Training& training = *entry.training;
  const v1::Session& session = *entry.session;
  const std::string tzid = std::string(";TZID=") + kTimeZone;
  w.Line("BEGIN", "VEVENT");
  w.Text("UID", session.id() + "@renkei");
  w.Line("DTSTAMP", dtstamp);
  w.Line("DTSTART" + tzid, Tokyo(session.starts_at()));
  if (session.has_ends_at()) w.Line("DTEND" + tzid, Tokyo(session.ends_at()));
  w.Line("SEQUENCE", std::to_string(training.version()));
  w.Line("STATUS", Status(entry));
  w.Text("SUMMARY", training.title() + entry.note);
  if (std::string location = Location(session); !location.empty()) w.Text("LOCATION", location);
  if (std::string description = Description(training, session); !description.empty()) {
    w.Text("DESCRIPTION", description);
  }
  if (!session.online_url().empty()) w.Line("URL", UriValue(session.online_url()));
  w.Text("CATEGORIES", "研修");
  if (training.has_created_at()) {
    w.Line("CREATED", Utc(common::MicrosFromTimestamp(training.created_at())));
  }
  if (training.has_updated_at()) {
    w.Line("LAST-MODIFIED", Utc(common::MicrosFromTimestamp(training.updated_at())));
  }
  w.Line("END", "VEVENT");
}

}  // namespace

std::string RenderCalendar(std::string_view name, const std::vector<CalendarEntry>& entries,
                           int64_t now_micros) {
  Writer w;
  w.Line("BEGIN", "VCALENDAR");
  w.Line("VERSION", "2.0");
  w.Line("PRODID", "-//Renkei//Training//JA");
  w.Line("CALSCALE", "GREGORIAN");
  w.Line("METHOD", "PUBLISH");
  w.Text("X-WR-CALNAME", name);
  w.Line("X-WR-TIMEZONE", kTimeZone);
  WriteTimeZone(w);
  const std::string dtstamp = Utc(now_micros);
  for (const CalendarEntry& entry : entries) {
    if (entry.training == nullptr || entry.session == nullptr) continue;
    WriteEvent(w, entry, dtstamp);
  }
  w.Line("END", "VCALENDAR");
  return w.Take();
}

std::string EscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default: {
        // TEXT admits no control character but tab (RFC 5545 3.3.11, TSAFE-CHAR).
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7F) break;
        out += c;
      }
    }
  }
  return out;
}

std::string FoldLine(std::string_view line) {
  std::string out;
  out.reserve(line.size() + line.size() / 24 + 2);
  size_t limit = kMaxLineOctets;
  while (line.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && IsUtf8Continuation(line[cut])) --cut;
    if (cut == 0) cut = limit;  // not UTF-8 here: no character boundary to keep
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = kMaxLineOctets - 1;  // the leading space counts
  }
  out.append(line);
  out += "\r\n";
  return out;
}

}  // namespace renkei::training
