#include "renkei/common/backup.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/admin_service.h"
#include "renkei/common/store.h"
#include "renkei/common/validation.h"
#include "testing.h"

namespace renkei::common {
namespace {

namespace fs = std::filesystem;
using ::renkei::testing::StatusIs;
using ::renkei::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::vector<std::string> Names(const std::vector<Generation>& all) {
  std::vector<std::string> out;
  out.reserve(all.size());
  for (const auto& g : all) out.push_back(g.name + (g.complete ? "" : " (incomplete)"));
  return out;
}

void Complete(const std::string& dir, const std::string& name) {
  v1::BackupManifest m;
  m.set_generation(name);
  m.set_instance("m132250");
  m.add_services()->set_service("intake");
  ASSERT_TRUE(WriteManifest(dir + "/" + name, m).ok());
}

std::string ValueAt(const std::string& dir, const std::string& key) {
  auto store = Store::Open({.path = dir, .column_families = {}});
  if (!store.ok()) return "open failed: " + store.status().ToString();
  auto v = (*store)->Get((*store)->Cf("default"), key);
  if (absl::IsNotFound(v.status())) return "<absent>";
  return v.ok() ? *v : v.status().ToString();
}

void PutValue(Store& store, const std::string& key, const std::string& value) {
  Batch b;
  b.Put(store.Cf("default"), key, value);
  ASSERT_TRUE(store.Write(b).ok());
}

TEST(BackupTest, GenerationNamesAreUniqueWithinASecondAndSortInTheOrderTaken) {
  TempDir tmp;
  FakeClock clock(1795534200000000);  // 2026-11-24T15:30:00Z
  std::vector<std::string> made;
  for (int i = 0; i < 11; ++i) {
    auto name = CreateGeneration(tmp.Sub("b"), clock);
    ASSERT_TRUE(name.ok()) << name.status();
    made.push_back(*name);
  }
  clock.AdvanceMicros(1000000);
  made.push_back(*CreateGeneration(tmp.Sub("b"), clock));
  EXPECT_EQ(made[0], "20261124T153000Z");
  EXPECT_EQ(made[1], "20261124T153000Z-2");
  EXPECT_EQ(made[10], "20261124T153000Z-11");
  EXPECT_EQ(made[11], "20261124T153001Z");
  // Not in the listing: anything else an operator keeps there.
  fs::create_directories(tmp.Sub("b/notes"));
  auto all = ListGenerations(tmp.Sub("b"));
  ASSERT_TRUE(all.ok());
  std::vector<std::string> names;
  for (const auto& g : *all) names.push_back(g.name);
  EXPECT_EQ(names, made);  // "-10" and "-11" after "-9"
}

TEST(BackupTest, AGenerationWithoutAManifestIsIncompleteAndNeverChosen) {
  TempDir tmp;
  const std::string dir = tmp.Sub("b");
  FakeClock clock;
  const std::string first = *CreateGeneration(dir, clock);
  Complete(dir, first);
  clock.AdvanceMicros(60000000);
  const std::string broken = *CreateGeneration(dir, clock);
  fs::create_directories(dir + "/" + broken + "/intake");  // a checkpoint, then a crash
  clock.AdvanceMicros(60000000);
  const std::string unreadable = *CreateGeneration(dir, clock);
  std::ofstream(dir + "/" + unreadable + "/manifest.json") << "{\"generation\": ";

  auto all = ListGenerations(dir);
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(Names(*all),
              ElementsAre(first, broken + " (incomplete)", unreadable + " (incomplete)"));
  EXPECT_THAT((*all)[1].problem, HasSubstr("no manifest"));
  EXPECT_THAT((*all)[2].problem, HasSubstr("unreadable manifest"));

  auto newest = FindGeneration(dir, "");
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->name, first);
  EXPECT_EQ(newest->manifest.instance(), "m132250");
  auto named = FindGeneration(dir, broken);
  EXPECT_THAT(named.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(named.status().message()), HasSubstr("incomplete"));
  EXPECT_THAT(FindGeneration(dir, "20200101T000000Z").status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(FindGeneration(tmp.Sub("none"), "").status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST(BackupTest, PruningKeepsTheNewestCompleteGenerationsAndRemovesIncompleteOnes) {
  TempDir tmp;
  const std::string dir = tmp.Sub("b");
  FakeClock clock;
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) {
    names.push_back(*CreateGeneration(dir, clock));
    if (i != 2) Complete(dir, names.back());
    clock.AdvanceMicros(86400LL * 1000000);
  }
  auto removed = PruneGenerations(dir, 3);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_THAT(*removed, ElementsAre(names[0], names[1], names[2]));
  EXPECT_THAT(Names(*ListGenerations(dir)), ElementsAre(names[3], names[4], names[5]));
  EXPECT_FALSE(fs::exists(dir + "/" + names[0]));
  EXPECT_TRUE(PruneGenerations(dir, 3)->empty());
}

TEST(BackupTest, OnlyOneBackupOrRestoreAtATime) {
  TempDir tmp;
  auto first = BackupLock::Acquire(tmp.Sub("b"));
  ASSERT_TRUE(first.ok());
  auto second = BackupLock::Acquire(tmp.Sub("b"));
  EXPECT_THAT(second.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  first->reset();
  EXPECT_TRUE(BackupLock::Acquire(tmp.Sub("b")).ok());
}

TEST(BackupTest, CheckpointNamesABadTargetDir) {
  TempDir tmp;
  auto store = Store::Open({.path = tmp.Sub("db"), .column_families = {}});
  ASSERT_TRUE(store.ok());
  fs::create_directories(tmp.Sub("exists"));
  const std::pair<std::string, std::string> cases[] = {
      {"", "required"},
      {"backups/g1/intake", "absolute"},
      {tmp.Sub("b/../exists/intake"), "normal form"},
      {tmp.Sub("exists"), "already exists"},
      {tmp.Sub("missing/intake"), "parent directory does not exist"},
  };
  for (const auto& [dir, problem] : cases) {
    v1::CheckpointRequest r;
    r.set_target_dir(dir);
    auto out = TakeCheckpoint(**store, "intake", r);
    EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kInvalidArgument)) << dir;
    EXPECT_THAT(FieldViolationsOf(out.status()),
                ElementsAre(Pair("target_dir", HasSubstr(problem))))
        << dir;
  }
}

TEST(BackupTest, ACheckpointHoldsEveryWriteUpToItsSequence) {
  TempDir tmp;
  auto store = Store::Open({.path = tmp.Sub("db"), .column_families = {}});
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 3; ++i) PutValue(**store, "k" + std::to_string(i), "v");
  FakeClock clock;
  v1::CheckpointRequest r;
  r.set_target_dir(tmp.Sub("cp"));
  auto out = TakeCheckpoint(**store, "intake", r, clock);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->service(), "intake");
  EXPECT_EQ(out->dir(), tmp.Sub("cp"));
  EXPECT_EQ(out->sequence(), 3u);
  EXPECT_GT(out->files(), 0u);
  EXPECT_GT(out->bytes(), 0u);
  EXPECT_EQ(out->taken_at().seconds(), clock.NowMicros() / 1000000);
  PutValue(**store, "k3", "v");
  EXPECT_EQ(ValueAt(tmp.Sub("cp"), "k2"), "v");
  EXPECT_EQ(ValueAt(tmp.Sub("cp"), "k3"), "<absent>");
}

TEST(BackupTest, RestoreReplacesTheDataDirWithACopyAndLeavesTheCheckpoint) {
  TempDir tmp;
  const std::string data = tmp.Sub("data/intake");
  {
    auto store = Store::Open({.path = data, .column_families = {"consultations"}});
    ASSERT_TRUE(store.ok());
    PutValue(**store, "x", "before backup");
    ASSERT_TRUE((*store)->Checkpoint(tmp.Sub("cp")).ok());
    PutValue(**store, "x", "after backup");
  }
  fs::create_directories(data + ".restoring/junk");  // an interrupted restore
  auto restored = RestoreStore(tmp.Sub("cp"), data + "/", "g1 restored 1");
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->data_dir, data);
  EXPECT_EQ(restored->previous, data + ".pre-restore");
  EXPECT_EQ(ValueAt(data, "x"), "before backup");
  EXPECT_EQ(ValueAt(data, kRestoreMarkerKey), "g1 restored 1");
  EXPECT_EQ(ValueAt(data + ".pre-restore", "x"), "after backup");
  EXPECT_FALSE(fs::exists(data + ".restoring"));
  // The checkpoint is as it was: a second restore from it works, with its own marker.
  EXPECT_EQ(ValueAt(tmp.Sub("cp"), kRestoreMarkerKey), "<absent>");
  ASSERT_TRUE(RestoreStore(tmp.Sub("cp"), data, "g1 restored 2").ok());
  EXPECT_EQ(ValueAt(data, kRestoreMarkerKey), "g1 restored 2");
  EXPECT_EQ(ValueAt(data + ".pre-restore", kRestoreMarkerKey), "g1 restored 1");
  // The column families come along.
  auto store = Store::Open({.path = data, .column_families = {}});
  ASSERT_TRUE(store.ok());
  (void)(*store)->Cf("consultations");

  // Into a data directory that was destroyed.
  store->reset();
  fs::remove_all(data);
  fs::remove_all(data + ".pre-restore");
  restored = RestoreStore(tmp.Sub("cp"), data, "g1 restored 3");
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->previous, "");
  EXPECT_EQ(ValueAt(data, "x"), "before backup");
  EXPECT_THAT(RestoreStore(tmp.Sub("nothing"), data, "m").status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(BackupTest, AStoreIsInUseWhileAnotherProcessHoldsItsLock) {
  TempDir tmp;
  const std::string data = tmp.Sub("db");
  EXPECT_FALSE(*StoreInUse(data));  // no database
  { ASSERT_TRUE(Store::Open({.path = data, .column_families = {}}).ok()); }
  EXPECT_FALSE(*StoreInUse(data));  // closed
  // Another process takes the record lock RocksDB takes on LOCK.
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {
    const int fd = ::open((data + "/LOCK").c_str(), O_RDWR);
    struct flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    const char ok = (fd >= 0 && fcntl(fd, F_SETLK, &l) == 0) ? '1' : '0';
    (void)!write(ready[1], &ok, 1);
    pause();
    _exit(0);
  }
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, '1');
  auto in_use = StoreInUse(data);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(in_use.ok());
  EXPECT_TRUE(*in_use);
  EXPECT_FALSE(*StoreInUse(data));
}

}  // namespace
}  // namespace renkei::common
