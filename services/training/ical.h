// iCalendar (RFC 5545) export of training sessions: one VEVENT per session, with times in
// Asia/Tokyo (a VTIMEZONE is included), CRLF line endings, text values escaped and lines folded at
// 75 octets without splitting a UTF-8 character. Valid enough for common calendar programs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "renkei/v1/training.pb.h"

namespace renkei::training {

// One session of a training to show; the messages are borrowed for the call.
struct CalendarEntry {
  const v1::Training* training = nullptr;
  const v1::Session* session = nullptr;
  // Appended to the summary, e.g. "（キャンセル待ち 2番）" for a participant's waiting
  // registration; a tentative entry gets STATUS:TENTATIVE.
  std::string note;
  bool tentative = false;
};

// The calendar named `name` (X-WR-CALNAME) holding the entries; `now_micros` stamps DTSTAMP.
// A cancelled session or training gets STATUS:CANCELLED; SEQUENCE is the training's version.
// SUMMARY is the title followed by the note, LOCATION the venue and/or "オンライン", DESCRIPTION
// (Japanese) the organizer, the training's description, the lecturers with their affiliations,
// the online URL and the materials. Each event's UID is "<session id>@renkei", so a calendar
// program updates the event in place when the training changes. Entries without a training or a
// session are skipped; no entries give a valid calendar without events. Pure function; thread-safe.
std::string RenderCalendar(std::string_view name, const std::vector<CalendarEntry>& entries,
                           int64_t now_micros);

// Escapes a TEXT value (backslash, semicolon, comma; "\n", "\r\n" and a lone "\r" become the
// two characters \n). Control characters other than tab, which TEXT does not admit, are dropped.
std::string EscapeText(std::string_view text);

// Folds one content line (without its CRLF) into lines of at most 75 octets, continuation lines
// starting with a space, never splitting a UTF-8 sequence; each line ends with CRLF.
std::string FoldLine(std::string_view line);

}  // namespace renkei::training
