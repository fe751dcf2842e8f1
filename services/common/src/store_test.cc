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

TEST(StoreTest, CompactRemovesOverwrittenValuesFromEveryFileOnDisk) {
  renkei::testing::TempDir dir;
  auto store =
      Store::Open({.path = dir.Sub("db"), .column_families = {"a", "b"}, .compress = false});
  ASSERT_TRUE(store.ok());
  auto& s = **store;
  const std::string old_value = "old-value-0123456789-abcdefghij";
  const std::string new_value = "new-value-9876543210-jihgfedcba";
  Batch first;
  first.Put(s.Cf("a"), "k", old_value);
  first.Put(s.Cf("b"), "other", "x");  // the same WAL file holds another family's write
  ASSERT_TRUE(s.Write(first).ok());
  ASSERT_TRUE(s.Compact(s.Cf("a")).ok());
  // Flushed: in a table file, uncompressed, where a raw scan sees it.
  auto files = renkei::testing::FilesContaining(dir.Sub("db"), old_value);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_THAT(files[0], ::testing::EndsWith(".sst"));

  Batch second;
  second.Put(s.Cf("a"), "k", new_value);
  ASSERT_TRUE(s.Write(second).ok());
  EXPECT_THAT(renkei::testing::FilesContaining(dir.Sub("db"), old_value), ::testing::SizeIs(1));
  ASSERT_TRUE(s.Compact(s.Cf("a")).ok());
  EXPECT_THAT(renkei::testing::FilesContaining(dir.Sub("db"), old_value), ::testing::IsEmpty());
  EXPECT_THAT(renkei::testing::FilesContaining(dir.Sub("db"), new_value), ::testing::SizeIs(1));
  EXPECT_EQ(*s.Get(s.Cf("a"), "k"), new_value);
  EXPECT_EQ(s.column_family_names(), (std::vector<std::string>{"default", "a", "b"}));
}

}  // namespace
}  // namespace renkei::common
