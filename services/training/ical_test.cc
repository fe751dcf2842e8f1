#include "ical.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace renkei::training {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr int64_t kNowMicros = 1767225600000000;  // 2026-01-01T00:00:00Z

google::protobuf::Timestamp At(int64_t unix_seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(unix_seconds);
  return ts;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80           ? 1
                 : (b >> 5) == 0x6  ? 2
                 : (b >> 4) == 0xE  ? 3
                 : (b >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// The physical lines of iCalendar output, without their CRLF; fails on a bare CR or LF.
std::vector<std::string> PhysicalLines(const std::string& ics) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < ics.size()) {
    const size_t end = ics.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "no CRLF after: " << ics.substr(start);
    if (end == std::string::npos) break;
    std::string line = ics.substr(start, end - start);
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << "bare CR or LF in: " << line;
    lines.push_back(std::move(line));
    start = end + 2;
  }
  return lines;
}

// The content lines after unfolding (RFC 5545 3.1).
std::vector<std::string> Unfold(const std::string& ics) {
  std::vector<std::string> lines;
  for (std::string& line : PhysicalLines(ics)) {
    if (!line.empty() && line[0] == ' ' && !lines.empty()) {
      lines.back() += line.substr(1);
    } else {
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

// The content lines of each VEVENT, without BEGIN and END.
std::vector<std::vector<std::string>> Events(const std::string& ics) {
  std::vector<std::vector<std::string>> events;
  bool inside = false;
  for (const std::string& line : Unfold(ics)) {
    if (line == "BEGIN:VEVENT") {
      events.emplace_back();
      inside = true;
    } else if (line == "END:VEVENT") {
      inside = false;
    } else if (inside) {
      events.back().push_back(line);
    }
  }
  return events;
}

// Every BEGIN closed by the matching END, in order, and nothing after the calendar.
void ExpectBalanced(const std::string& ics) {
  std::vector<std::string> open;
  const std::vector<std::string> lines = Unfold(ics);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.rfind("BEGIN:", 0) == 0) {
      open.push_back(line.substr(6));
    } else if (line.rfind("END:", 0) == 0) {
      ASSERT_FALSE(open.empty()) << "END without BEGIN: " << line;
      EXPECT_EQ(open.back(), line.substr(4));
      open.pop_back();
      if (open.empty()) {
        EXPECT_EQ(i + 1, lines.size()) << "content after END:VCALENDAR";
      }
    }
  }
  EXPECT_THAT(open, IsEmpty());
}

TEST(EscapeTextTest, EscapesBackslashSemicolonCommaAndNewlines) {
  EXPECT_EQ(EscapeText("a\\b;c,d\ne\r\nf\rg"), "a\\\\b\\;c\\,d\\ne\\nf\\ng");
  EXPECT_EQ(EscapeText("\n\n"), "\\n\\n");
  EXPECT_EQ(EscapeText(""), "");
}

TEST(EscapeTextTest, KeepsColonQuoteTabAndJapaneseButDropsOtherControls) {
  EXPECT_EQ(EscapeText("時間: \"14時\"\t開始"), "時間: \"14時\"\t開始");
  std::string controls = "a\001b\177c";
  controls += '\0';
  controls += 'd';
  EXPECT_EQ(EscapeText(controls), "abcd");
}

TEST(FoldLineTest, ShortLineOnlyGetsCrlf) {
  EXPECT_EQ(FoldLine("SUMMARY:研修"), "SUMMARY:研修\r\n");
  EXPECT_EQ(FoldLine(""), "\r\n");
}

TEST(FoldLineTest, FoldsAfterSeventyFiveOctets) {
  const std::string exactly(75, 'a');
  EXPECT_EQ(FoldLine(exactly), exactly + "\r\n");
  // The continuation's leading space counts: 74 octets of content fit after it.
  const std::string longer(75 + 74 + 1, 'b');
  EXPECT_EQ(FoldLine(longer), std::string(75, 'b') + "\r\n " + std::string(74, 'b') + "\r\n b\r\n");
}

TEST(FoldLineTest, LongJapaneseLineFoldsAtCharacterBoundaries) {
  // Three-octet kana and kanji and a four-octet kanji (𠮷), after 0–3 ASCII octets so that every
  // alignment of a character against the 75-octet limit occurs.
  std::string text;
  for (int i = 0; i < 12; ++i) text += "在宅医療・介護連携の𠮷野さん、看取りと退院支援。";
  for (int pad = 0; pad < 4; ++pad) {
    const std::string line = "DESCRIPTION:" + std::string(pad, 'x') + text;
    const std::string folded = FoldLine(line);
    const std::vector<std::string> physical = PhysicalLines(folded);
    ASSERT_GT(physical.size(), 10u);
    std::string unfolded;
    for (size_t i = 0; i < physical.size(); ++i) {
      const std::string& p = physical[i];
      EXPECT_LE(p.size(), 75u) << "line " << i;
      EXPECT_TRUE(IsValidUtf8(p)) << "line " << i << ": " << p;
      if (i == 0) {
        unfolded = p;
      } else {
        ASSERT_EQ(p[0], ' ') << "line " << i;
        EXPECT_GT(p.size(), 1u) << "line " << i;
        unfolded += p.substr(1);
      }
    }
    EXPECT_EQ(unfolded, line) << "pad " << pad;
  }
}

class RenderCalendarTest : public ::testing::Test {
 protected:
  RenderCalendarTest() {
    training_.set_id("trn_01JD0000000000000000000000");
    training_.set_organizer_level(v1::ORGANIZER_LEVEL_PREFECTURE);
    training_.set_organizer_code("130001");
    training_.set_title("在宅医療・介護連携研修会");
    training_.set_description("ACPの基本; 事例検討, 後半はグループワーク\r\n持ち物: 筆記用具");
    training_.set_status(v1::TRAINING_STATUS_SCHEDULED);
    training_.set_version(7);
    *training_.mutable_created_at() = At(1790812800);  // 2026-10-01T00:00:00Z
    *training_.mutable_updated_at() = At(1793588645);  // 2026-11-02T03:04:05Z
    v1::Material* m = training_.add_materials();
    m->set_title("ACPの手引き");
    m->set_reference("acp.pdf");
    training_.add_materials()->set_reference("https://example.jp/slides.pdf");

    // Hybrid, with lecturers.
    v1::Session* hybrid = training_.add_sessions();
    hybrid->set_id("ses_01JD0000000000000000000001");
    *hybrid->mutable_starts_at() = At(1796446800);  // 2026-12-05T05:00:00Z
    *hybrid->mutable_ends_at() = At(1796454000);    // 2026-12-05T07:00:00Z
    hybrid->set_venue("稲城市役所 3階会議室");
    hybrid->set_online(true);
    hybrid->set_online_url("https://meet.example.jp/r/abc?x=1,2");
    hybrid->set_capacity(40);
    v1::Lecturer* yamada = hybrid->add_lecturers();
    yamada->set_name("山田 花子");
    yamada->set_affiliation("稲城市立病院");
    hybrid->add_lecturers()->set_name("佐藤 一郎");

    // At the venue only, cancelled.
    v1::Session* cancelled = training_.add_sessions();
    cancelled->set_id("ses_01JD0000000000000000000002");
    *cancelled->mutable_starts_at() = At(1799976600);  // 2027-01-15T01:30:00Z
    *cancelled->mutable_ends_at() = At(1799985600);    // 2027-01-15T04:00:00Z
    cancelled->set_venue("東京都庁");
    cancelled->set_capacity(40);
    cancelled->set_cancelled(true);
  }

  std::vector<CalendarEntry> BothSessions() const {
    return {{&training_, &training_.sessions(0), "", false},
            {&training_, &training_.sessions(1), "", false}};
  }

  v1::Training training_;
};

TEST_F(RenderCalendarTest, WritesTheCalendarHeaderAndTimeZone) {
  const std::vector<std::string> lines = Unfold(RenderCalendar("稲城市, 研修", {}, kNowMicros));
  EXPECT_THAT(lines,
              ElementsAre("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Renkei//Training//JA",
                          "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:稲城市\\, 研修",
                          "X-WR-TIMEZONE:Asia/Tokyo", "BEGIN:VTIMEZONE", "TZID:Asia/Tokyo",
                          "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0900",
                          "TZOFFSETTO:+0900", "TZNAME:JST", "END:STANDARD", "END:VTIMEZONE",
                          "END:VCALENDAR"));
}

TEST_F(RenderCalendarTest, WritesOneEventPerSessionInTokyoTime) {
  const std::string ics = RenderCalendar("研修", BothSessions(), kNowMicros);
  const auto events = Events(ics);
  ASSERT_EQ(events.size(), 2u);

  EXPECT_THAT(
      events[0],
      ElementsAre("UID:ses_01JD0000000000000000000001@renkei", "DTSTAMP:20260101T000000Z",
                  "DTSTART;TZID=Asia/Tokyo:20261205T140000",
                  "DTEND;TZID=Asia/Tokyo:20261205T160000", "SEQUENCE:7", "STATUS:CONFIRMED",
                  "SUMMARY:在宅医療・介護連携研修会", "LOCATION:稲城市役所 3階会議室 / オンライン",
                  "DESCRIPTION:主催: 都道府県（130001）\\nACPの基本\\; 事例検討\\, "
                  "後半はグループワーク\\n持ち物: 筆記用具\\n講師: 山田 "
                  "花子（稲城市立病院）\\n講師: 佐藤 一郎\\nオンライン: "
                  "https://meet.example.jp/r/abc?x=1\\,2\\n資料: ACPの手引き\\n資料: "
                  "https://example.jp/slides.pdf",
                  "URL:https://meet.example.jp/r/abc?x=1,2", "CATEGORIES:研修",
                  "CREATED:20261001T000000Z", "LAST-MODIFIED:20261102T030405Z"));

  EXPECT_THAT(events[1], Contains("UID:ses_01JD0000000000000000000002@renkei"));
  EXPECT_THAT(events[1], Contains("DTSTART;TZID=Asia/Tokyo:20270115T103000"));
  EXPECT_THAT(events[1], Contains("DTEND;TZID=Asia/Tokyo:20270115T130000"));
  EXPECT_THAT(events[1], Contains("STATUS:CANCELLED"));
  EXPECT_THAT(events[1], Contains("SEQUENCE:7"));
  EXPECT_THAT(events[1], Contains("LOCATION:東京都庁"));
  EXPECT_THAT(events[1], Not(Contains(testing::StartsWith("URL:"))));
}

TEST_F(RenderCalendarTest, EveryLineEndsInCrlfFitsSeventyFiveOctetsAndNests) {
  const std::string ics = RenderCalendar("研修", BothSessions(), kNowMicros);
  ASSERT_GE(ics.size(), 2u);
  EXPECT_EQ(ics.substr(ics.size() - 2), "\r\n");
  const std::vector<std::string> physical = PhysicalLines(ics);
  for (const std::string& line : physical) {
    EXPECT_LE(line.size(), 75u) << line;
    EXPECT_TRUE(IsValidUtf8(line)) << line;
  }
  ExpectBalanced(ics);
}

TEST_F(RenderCalendarTest, TokyoDateCrossesMidnight) {
  *training_.mutable_sessions(0)->mutable_starts_at() = At(1796414400);  // 2026-12-04T20:00:00Z
  const auto events = Events(RenderCalendar("研修", BothSessions(), kNowMicros));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(events[0], Contains("DTSTART;TZID=Asia/Tokyo:20261205T050000"));
}

TEST_F(RenderCalendarTest, CancelledTrainingCancelsEverySession) {
  training_.set_status(v1::TRAINING_STATUS_CANCELLED);
  const auto events = Events(RenderCalendar("研修", BothSessions(), kNowMicros));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(events[0], Contains("STATUS:CANCELLED"));
  EXPECT_THAT(events[1], Contains("STATUS:CANCELLED"));
}

TEST_F(RenderCalendarTest, TentativeEntryCarriesItsNoteUnlessCancelled) {
  const std::vector<CalendarEntry> entries = {
      {&training_, &training_.sessions(0), "（キャンセル待ち 2番）", true},
      {&training_, &training_.sessions(1), "（キャンセル待ち 2番）", true}};
  const auto events = Events(RenderCalendar("研修", entries, kNowMicros));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(events[0], Contains("STATUS:TENTATIVE"));
  EXPECT_THAT(events[0], Contains("SUMMARY:在宅医療・介護連携研修会（キャンセル待ち 2番）"));
  EXPECT_THAT(events[1], Contains("STATUS:CANCELLED"));
}

TEST_F(RenderCalendarTest, OnlineOnlySessionWithoutTimestampsOrDescription) {
  training_.clear_created_at();
  training_.clear_updated_at();
  training_.clear_description();
  training_.clear_materials();
  training_.set_organizer_level(v1::ORGANIZER_LEVEL_NATIONAL);
  training_.set_organizer_code("000000");
  v1::Session* s = training_.mutable_sessions(0);
  s->clear_venue();
  s->clear_online_url();
  s->clear_lecturers();
  const auto events =
      Events(RenderCalendar("研修", {{&training_, &training_.sessions(0), "", false}}, kNowMicros));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0], Contains("LOCATION:オンライン"));
  EXPECT_THAT(events[0], Contains("DESCRIPTION:主催: 国（000000）"));
  EXPECT_THAT(events[0], Not(Contains(testing::StartsWith("URL:"))));
  EXPECT_THAT(events[0], Not(Contains(testing::StartsWith("CREATED:"))));
  EXPECT_THAT(events[0], Not(Contains(testing::StartsWith("LAST-MODIFIED:"))));
}

TEST_F(RenderCalendarTest, SkipsEntriesWithoutTrainingOrSession) {
  const std::vector<CalendarEntry> entries = {{nullptr, &training_.sessions(0), "", false},
                                              {&training_, nullptr, "", false},
                                              {&training_, &training_.sessions(1), "", false}};
  const std::string ics = RenderCalendar("研修", entries, kNowMicros);
  const auto events = Events(ics);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0], Contains("UID:ses_01JD0000000000000000000002@renkei"));
  ExpectBalanced(ics);
}

TEST_F(RenderCalendarTest, NoEntriesGiveAValidCalendarWithoutEvents) {
  const std::string ics = RenderCalendar("研修", {}, kNowMicros);
  EXPECT_THAT(Events(ics), IsEmpty());
  EXPECT_THAT(Unfold(ics), Contains("BEGIN:VTIMEZONE"));
  ExpectBalanced(ics);
}

}  // namespace
}  // namespace renkei::training
