#include "renkei/common/store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing.h"

namespace renkei::common {
namespace {

using renkei::testing::StatusIs;

TEST(StoreTest, MissingKeyIsNotFoundAndBatchesApplyAtomically) {
  renkei::testing::TempDir dir;
  auto store = Store::Open({.path = dir.Sub("db"), .column_families = {"a", "b"}});
  ASSERT_TRUE(store.ok()) << store.status();
  auto& s = **store;
  EXPECT_THAT(s.Get(s.Cf("a"), "k").status(), StatusIs(absl::StatusCode::kNotFound));

  Batch batch;
  batch.Put(s.Cf("a"), "k", "v1");
  batch.Put(s.Cf("b"), "k", "other");
  ASSERT_TRUE(s.Write(batch).ok());
  EXPECT_EQ(*s.Get(s.Cf("a"), "k"), "v1");
  EXPECT_EQ(*s.Get(s.Cf("b"), "k"), "other");
}

TEST(StoreTest, DataSurvivesReopenAndScanPrefixStopsAtPrefixEnd) {
  renkei::testing::TempDir dir;
  {
    auto store = Store::Open({.path = dir.Sub("db"), .column_families = {"a"}});
    ASSERT_TRUE(store.ok());
    Batch b;
    for (const char* k : {"p/1", "p/2", "q/1"}) b.Put((*store)->Cf("a"), k, k);
    ASSERT_TRUE((*store)->Write(b).ok());
  }
  auto store = Store::Open({.path = dir.Sub("db"), .column_families = {"a"}});
  ASSERT_TRUE(store.ok());
  std::vector<std::string> seen;
  ASSERT_TRUE((*store)
                  ->ScanPrefix((*store)->Cf("a"), "p/",
                               [&](std::string_view k, std::string_view) {
                                 seen.emplace_back(k);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"p/1", "p/2"}));
}

TEST(StoreTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  renkei::testing::TempDir dir;
  auto first = Store::Open({.path = dir.Sub("db"), .column_families = {}});
  ASSERT_TRUE(first.ok());
  auto second = Store::Open({.path = dir.Sub("db"), .column_families = {}});
  EXPECT_THAT(second.status(), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace renkei::common
