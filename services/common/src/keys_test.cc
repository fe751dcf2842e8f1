#include "renkei/common/keys.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace renkei::common {
namespace {

TEST(KeysTest, EncodedOrderEqualsTupleOrder) {
  std::vector<std::tuple<std::string, int64_t, uint64_t>> tuples = {
      {"", -5, 0},   {"a", 3, 1}, {"a", -1, 2},        {std::string("a\0b", 3), 0, 0},
      {"ab", 0, 0},  {"a", 3, 0}, {"b", INT64_MIN, 0}, {"b", INT64_MAX, UINT64_MAX},
      {"\xFF", 0, 0}};
  std::vector<std::pair<std::string, size_t>> encoded;
  for (size_t i = 0; i < tuples.size(); ++i) {
    auto& [s, i64, u64] = tuples[i];
    encoded.emplace_back(KeyBuilder().Str(s).I64(i64).U64(u64).Release(), i);
  }
  std::sort(encoded.begin(), encoded.end());
  auto sorted = tuples;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < encoded.size(); ++i) {
    EXPECT_EQ(tuples[encoded[i].second], sorted[i]) << "position " << i;
  }
}

TEST(KeysTest, ReaderRecoversComponents) {
  std::string k = KeyBuilder().Str(std::string("x\0y", 3)).I64(-42).U64(7).Release();
  KeyReader r(k);
  std::string s;
  int64_t i = 0;
  uint64_t u = 0;
  ASSERT_TRUE(r.Str(&s));
  ASSERT_TRUE(r.I64(&i));
  ASSERT_TRUE(r.U64(&u));
  EXPECT_EQ(s, std::string("x\0y", 3));
  EXPECT_EQ(i, -42);
  EXPECT_EQ(u, 7u);
  EXPECT_TRUE(r.AtEnd());
  KeyReader bad("abc");
  EXPECT_FALSE(bad.Str(&s));
}

TEST(KeysTest, PrefixSuccessorBoundsThePrefix) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xFF", 2)), "b");
  EXPECT_EQ(PrefixSuccessor("\xFF\xFF"), "");
}

}  // namespace
}  // namespace renkei::common
