#include "renkei/common/ids.h"

#include <set>

#include "gtest/gtest.h"

namespace renkei::common {
namespace {

TEST(IdsTest, NewIdsAreWellFormedUniqueAndTimeOrdered) {
  FakeClock clock;
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    clock.AdvanceMicros(1000);
    std::string id = NewId("res", clock);
    EXPECT_TRUE(IsWellFormedId("res", id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_LT(previous, id);
    previous = id;
  }
}

TEST(IdsTest, DeterministicIdsDependOnlyOnTheKey) {
  EXPECT_EQ(DeterministicId("res", "mhlw-kaigo:0170210231:120"),
            DeterministicId("res", "mhlw-kaigo:0170210231:120"));
  EXPECT_NE(DeterministicId("res", "mhlw-kaigo:0170210231:120"),
            DeterministicId("res", "mhlw-kaigo:0170210231:140"));
  EXPECT_TRUE(IsWellFormedId("res", DeterministicId("res", "x")));
  EXPECT_FALSE(IsWellFormedId("res", "res_short"));
  EXPECT_FALSE(IsWellFormedId("res", "evt_01JABCDEFGHJKMNPQRSTVWXYZ0"));
}

}  // namespace
}  // namespace renkei::common
