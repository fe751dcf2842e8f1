#include "renkei/common/audit.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing.h"

namespace renkei::common {
namespace {

using ::testing::HasSubstr;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(
        *Store::Open({.path = dir_.path(), .column_families = AuditLog::ColumnFamilies()}));
    log_ = std::make_unique<AuditLog>(store_.get());
    ASSERT_TRUE(log_->Load().ok());
    // A scripted session: a coordinator reads and changes consultations, a call is denied.
    for (int i = 1; i <= 10; ++i) {
      v1::AuditEntry e;
      e.set_subject(i == 7 ? "staff-9999" : "staff-0042");
      e.set_role(v1::ROLE_COORDINATOR);
      e.set_jurisdiction("132250");
      e.set_rpc(i % 3 == 0 ? "/renkei.v1.IntakeService/UpdateConsultation"
                           : "/renkei.v1.IntakeService/GetConsultation");
      e.set_record_type("consultation");
      e.set_record_id(i % 2 == 0 ? "con_A" : "con_B");
      e.set_action(i == 7 ? v1::AUDIT_ACTION_DENIED
                          : (i % 3 == 0 ? v1::AUDIT_ACTION_CHANGE : v1::AUDIT_ACTION_READ));
      auto appended = log_->Append(e);
      ASSERT_TRUE(appended.ok());
      EXPECT_EQ(appended->seq(), static_cast<uint64_t>(i));
    }
  }
  std::string Raw(uint64_t seq) {
    return *store_->Get(store_->Cf("audit"), AuditLog::EntryKey(seq));
  }
  void Put(uint64_t seq, const std::string& value) {
    Batch b;
    b.Put(store_->Cf("audit"), AuditLog::EntryKey(seq), value);
    ASSERT_TRUE(store_->Write(b).ok());
  }
  void Remove(uint64_t seq) {
    Batch b;
    b.Delete(store_->Cf("audit"), AuditLog::EntryKey(seq));
    ASSERT_TRUE(store_->Write(b).ok());
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, AnUntouchedLogVerifiesAndAQueryFindsEveryAccessToARecord) {
  auto v = log_->Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, 10u);
  auto a = log_->Query("con_A");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 5u);  // entries 2, 4, 6, 8, 10
  EXPECT_EQ((*a)[0].seq(), 2u);
  EXPECT_EQ((*a)[4].seq(), 10u);
  auto b = log_->Query("con_B");
  ASSERT_EQ(b->size(), 5u);
  EXPECT_EQ((*b)[3].action(), v1::AUDIT_ACTION_DENIED);  // entry 7
  EXPECT_EQ((*b)[3].subject(), "staff-9999");
  // The log survives a restart and goes on from its head.
  log_ = std::make_unique<AuditLog>(store_.get());
  ASSERT_TRUE(log_->Load().ok());
  v1::AuditEntry e;
  e.set_record_id("con_A");
  EXPECT_EQ(log_->Append(e)->seq(), 11u);
  EXPECT_TRUE(log_->Verify().ok);
}

// The sealer looks up the journal keys this process put instead of scanning the journal: an
// entry whose batch is written after a round is sealed by the next, an earlier process's journal
// by the first round, and none twice.
TEST_F(AuditLogTest, JournaledEntriesAreSealedOnceWhenTheirBatchLands) {
  v1::AuditEntry e;
  e.set_record_id("con_late");
  Batch late;
  log_->JournalInto(&late, e);  // put, not written yet
  ASSERT_TRUE(log_->Seal().ok());
  EXPECT_EQ(log_->Verify().journal, 0u);
  ASSERT_TRUE(store_->Write(late, Durability::kSync).ok());
  EXPECT_EQ(log_->Verify().journal, 1u);
  ASSERT_TRUE(log_->Seal().ok());
  auto v = log_->Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.journal, 0u);
  EXPECT_EQ(v.entries, 11u);

  // A journal left by a process that stopped before sealing it.
  Batch left;
  e.set_record_id("con_left");
  log_->JournalInto(&left, e);
  ASSERT_TRUE(store_->Write(left, Durability::kSync).ok());
  log_ = std::make_unique<AuditLog>(store_.get());
  ASSERT_TRUE(log_->Load().ok());
  Batch both;  // put by the new process before its first round: scanned and looked up
  e.set_record_id("con_new");
  log_->JournalInto(&both, e);
  ASSERT_TRUE(store_->Write(both, Durability::kSync).ok());
  ASSERT_TRUE(log_->Seal().ok());
  v = log_->Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.journal, 0u);
  EXPECT_EQ(v.entries, 13u);
  EXPECT_EQ(log_->Query("con_new")->size(), 1u);
  EXPECT_EQ(log_->Query("con_left")->size(), 1u);
}

TEST_F(AuditLogTest, AModifiedEntryIsDetected) {
  v1::AuditEntry e;
  ASSERT_TRUE(e.ParseFromString(Raw(4)));
  e.set_subject("someone-else");  // who saw it, rewritten
  Put(4, e.SerializeAsString());
  auto v = log_->Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, 4u);
  EXPECT_THAT(v.problem, HasSubstr("entry 4 was modified"));
  // Rewriting its hash too moves the break to the next entry.
  e.set_hash(AuditLog::HashOf(e));
  Put(4, e.SerializeAsString());
  v = log_->Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, 5u);
}

TEST_F(AuditLogTest, ADeletedEntryIsDetected) {
  Remove(6);
  auto v = log_->Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, 6u);
  EXPECT_THAT(v.problem, HasSubstr("entry 6 is missing"));
}

TEST_F(AuditLogTest, AReorderedEntryIsDetected) {
  const std::string two = Raw(2), three = Raw(3);
  Put(2, three);
  Put(3, two);
  auto v = log_->Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, 2u);
  EXPECT_THAT(v.problem, HasSubstr("reordered"));
}

TEST_F(AuditLogTest, EntriesRemovedFromTheEndAreDetected) {
  Remove(10);
  Remove(9);
  auto v = log_->Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_THAT(v.problem, HasSubstr("removed from the end"));
}

}  // namespace
}  // namespace renkei::common
