#include "renkei/common/table.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "renkei/v1/intake.pb.h"
#include "testing.h"

namespace renkei::common {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::StatusIs;
using testing::StoreEntriesContaining;
using testing::TempDir;
using testing::TestSealer;

class TableTest : public ::testing::Test {
 protected:
  TableTest() : sealer_(tmp_.Sub("keys")), clock_(1'800'000'000'000'000) {
    store_ =
        std::move(*Store::Open({.path = tmp_.Sub("db"), .column_families = {"consultations"}}));
    table_ = std::make_unique<Table<v1::Consultation>>(store_.get(), sealer_.get(), "consultations",
                                                       RecordName{"相談", "consultation"});
  }

  v1::Consultation Stored(const std::string& id, int64_t version) {
    v1::Consultation c;
    c.set_id(id);
    c.set_version(version);
    c.set_status(v1::CONSULTATION_STATUS_RECEIVED);
    c.mutable_person()->set_name("稲城 花子");
    Batch batch;
    table_->Put(&batch, id, c);
    EXPECT_TRUE(store_->Write(batch, Durability::kSync).ok());
    return c;
  }

  TempDir tmp_;
  TestSealer sealer_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Table<v1::Consultation>> table_;
};

TEST_F(TableTest, RecordsAreSealedAtRestAndReadBack) {
  Stored("con_1", 1);
  EXPECT_THAT(StoreEntriesContaining(*store_, "稲城 花子"), IsEmpty());
  auto back = table_->Get("con_1");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->person().name(), "稲城 花子");
  auto found = table_->Find("con_2");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(TableTest, AMissingRecordIsNotFoundNamingItsTypeAndId) {
  auto missing = table_->Get("con_9");
  EXPECT_THAT(missing.status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(missing.status().message(), HasSubstr("相談が見つかりません"));
  auto payload = missing.status().GetPayload("type.googleapis.com/google.rpc.ResourceInfo");
  ASSERT_TRUE(payload.has_value());
  google::rpc::ResourceInfo info;
  ASSERT_TRUE(info.ParseFromString(std::string(*payload)));
  EXPECT_EQ(info.resource_type(), "renkei.v1.Consultation");
  EXPECT_EQ(info.resource_name(), "con_9");
}

TEST_F(TableTest, ForEachVisitsThePrefixInKeyOrderUntilTold) {
  Stored("a_2", 1);
  Stored("a_1", 1);
  Stored("b_1", 1);
  std::vector<std::string> seen;
  ASSERT_TRUE(table_
                  ->ForEach("a_",
                            [&](std::string_view key, const v1::Consultation& c) {
                              seen.emplace_back(key);
                              return c.person().name() == "稲城 花子";
                            })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a_1", "a_2"}));
  seen.clear();
  ASSERT_TRUE(table_
                  ->ForEach("",
                            [&](std::string_view key, const v1::Consultation&) {
                              seen.emplace_back(key);
                              return false;
                            })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a_1"}));
}

TEST_F(TableTest, ATableWithoutASealerStoresPublicRecordsPlain) {
  Table<v1::Consultation> plain(store_.get(), nullptr, "consultations", {"相談", "consultation"});
  v1::Consultation c;
  c.set_id("con_p");
  c.set_narrative("公開してよい説明");
  Batch batch;
  plain.Put(&batch, "con_p", c);
  ASSERT_TRUE(store_->Write(batch, Durability::kSync).ok());
  auto raw = store_->Get(store_->Cf("consultations"), "con_p");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, c.SerializeAsString());
  auto back = plain.Get("con_p");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->narrative(), "公開してよい説明");
  EXPECT_THAT(plain.Open("con_x", "\xff\xff").status(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(TableTest, FindManyTakesAnAbsentKeyForNulloptButNeverAnUnreadableRecord) {
  Stored("con_1", 1);
  Stored("con_3", 2);
  auto found = table_->FindMany({"con_1", "con_2", "con_3"});
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0]->version(), 1);
  EXPECT_FALSE((*found)[1].has_value());
  EXPECT_EQ((*found)[2]->version(), 2);

  // A damaged record fails the call: an import must not take it for absent and write version 1.
  Batch damage;
  damage.Put(store_->Cf("consultations"), "con_2", "\xff\xff");
  ASSERT_TRUE(store_->Write(damage, Durability::kSync).ok());
  auto damaged = table_->FindMany({"con_1", "con_2"});
  EXPECT_FALSE(damaged.ok());
  EXPECT_NE(damaged.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(TableTest, LoadForChangeChecksOwnerThenVersionThenState) {
  Stored("con_1", 3);
  const ChangeRules<v1::Consultation> open{
      .id_field = "id", .owner = nullptr, .state = [](const v1::Consultation& c) {
        return c.status() == v1::CONSULTATION_STATUS_CLOSED
                   ? NotAllowedNow("id", "終了した相談です / closed")
                   : absl::OkStatus();
      }};
  auto ok = LoadForChange(*table_, "con_1", 3, open);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->version(), 3);

  auto stale = LoadForChange(*table_, "con_1", 2, open);
  EXPECT_THAT(stale.status(), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ErrorReasonOf(stale.status()), kStaleVersionReason);

  EXPECT_THAT(LoadForChange(*table_, "con_8", 1, open).status(),
              StatusIs(absl::StatusCode::kNotFound));

  v1::Consultation closed = Stored("con_2", 1);
  closed.set_status(v1::CONSULTATION_STATUS_CLOSED);
  Batch batch;
  table_->Put(&batch, "con_2", closed);
  ASSERT_TRUE(store_->Write(batch, Durability::kSync).ok());
  EXPECT_THAT(LoadForChange(*table_, "con_2", 1, open).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // The version is checked first: a stale change of a closed record is told it is stale.
  EXPECT_THAT(LoadForChange(*table_, "con_2", 5, open).status(),
              StatusIs(absl::StatusCode::kAborted));

  // The owner comes before the version: another instance's record is not ours to change at
  // any version.
  ChangeRules<v1::Consultation> foreign = open;
  foreign.owner = [](const v1::Consultation&) {
    return NotAllowedNow("id", "他の自治体の相談です / another instance's");
  };
  EXPECT_THAT(LoadForChange(*table_, "con_1", 9, foreign).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(TableTest, NextVersionCountsUpAndStampsTheTime) {
  v1::Consultation c = Stored("con_1", 4);
  NextVersion(&c, clock_);
  EXPECT_EQ(c.version(), 5);
  EXPECT_EQ(c.updated_at().seconds(), 1'800'000'000);
}

}  // namespace
}  // namespace renkei::common
