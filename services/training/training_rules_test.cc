#include "training_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "testing.h"

namespace renkei::training {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ViolatedFields;

constexpr int64_t kHour = 3600LL * 1000000;

TEST(SkillFrameworkTest, BuiltInFrameworkCoversTheSixGroupsAtThreeLevelsAndIsValid) {
  const auto f = BuiltInSkillFramework();
  EXPECT_EQ(f.version(), 1);
  std::set<int> groups;
  for (const auto& s : f.skills()) {
    groups.insert(s.group());
    EXPECT_EQ(s.levels_size(), 3) << s.code();
  }
  EXPECT_EQ(groups.size(), 6u);
  common::FieldViolations v;
  ValidateSkills(f.skills(), &v);
  EXPECT_TRUE(v.empty());
  bool known = false;
  EXPECT_TRUE(DefinesSkillLevel(f, "explain_dying_process", v1::SKILL_LEVEL_LEAD, &known));
  EXPECT_FALSE(DefinesSkillLevel(f, "explain_dying_process", v1::SKILL_LEVEL_UNSPECIFIED, &known));
  EXPECT_TRUE(known);
  EXPECT_FALSE(DefinesSkillLevel(f, "juggling", v1::SKILL_LEVEL_LEAD, &known));
  EXPECT_FALSE(known);
}

TEST(SkillFrameworkTest, InvalidSkillsAreNamed) {
  google::protobuf::RepeatedPtrField<v1::Skill> skills;
  auto* a = skills.Add();
  a->set_code("Bad-Code");
  a->set_name("名前");
  auto* b = skills.Add();
  b->set_code("ok_code");
  b->set_group(v1::SKILL_GROUP_PEER_SUPPORT);
  b->set_name("支え合い");
  b->add_levels()->set_level(v1::SKILL_LEVEL_LEAD);
  b->add_levels()->set_level(v1::SKILL_LEVEL_LEAD);
  common::FieldViolations v;
  ValidateSkills(skills, &v);
  EXPECT_THAT(ViolatedFields(v), ElementsAre("skills[0].code", "skills[0].group",
                                             "skills[0].levels", "skills[1].levels[1].level"));
}

ScheduledSession At(int64_t start_hour, int64_t end_hour, const std::string& venue,
                    std::vector<std::string> lecturers = {}) {
  ScheduledSession s;
  s.training_id = "trn_other";
  s.training_title = "他の研修";
  s.session_id = "ses_other";
  const int64_t base = common::TokyoStartOfDay(common::DateFromNumber(20261205));
  s.starts_us = base + start_hour * kHour;
  s.ends_us = base + end_hour * kHour;
  s.venue_key = venue;
  s.lecturer_keys = std::move(lecturers);
  return s;
}

TEST(CollisionTest, OverlapNotTouchingCounts) {
  const auto existing = At(14, 16, "room", {"yamada"});
  v1::Session session;
  session.set_venue("room");
  session.add_lecturers()->set_name("山田");
  auto candidate = At(16, 18, "room", {"yamada"});
  candidate.session_id = "ses_new";
  common::FieldViolations v;
  CheckCollisions(candidate, session, {&existing}, "session", &v);
  EXPECT_TRUE(v.empty()) << "back to back is not a collision";

  candidate = At(15, 17, "room", {"yamada"});
  candidate.session_id = "ses_new";
  CheckCollisions(candidate, session, {&existing}, "session", &v);
  EXPECT_THAT(ViolatedFields(v), ElementsAre("session.venue", "session.lecturers[0].name"));
  EXPECT_THAT(v.violations()[0].second, HasSubstr("他の研修"));
  EXPECT_THAT(v.violations()[0].second, HasSubstr("ses_other"));
  EXPECT_THAT(v.violations()[0].second, HasSubstr("2026/12/05 14:00–16:00"));

  // The same session (an update of itself) is skipped; an online session has no venue key.
  common::FieldViolations none;
  candidate.session_id = "ses_other";
  CheckCollisions(candidate, session, {&existing}, "session", &none);
  auto online = At(15, 17, "");
  online.session_id = "ses_x";
  CheckCollisions(online, v1::Session(), {&existing}, "session", &none);
  EXPECT_TRUE(none.empty());
}

TEST(FormatTest, SessionTimesAreShownInTokyo) {
  // 05:00Z is 14:00 in Tokyo.
  const int64_t start = common::MicrosFromTimestamp([] {
    google::protobuf::Timestamp t;
    t.set_seconds(1796446800);  // 2026-12-05T05:00:00Z
    return t;
  }());
  EXPECT_EQ(FormatSessionTime(start, start + 2 * kHour), "2026/12/05 14:00–16:00");
}

}  // namespace
}  // namespace renkei::training
