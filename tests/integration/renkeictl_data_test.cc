// `renkeictl data keygen|keys|reseal`: the rotation of data keys as an operator does it
// (docs/security.md "Personal fields at rest"), on a real RocksDB directory sealed as a service
// seals it: a new key, the records resealed under it, the old key removed, every record still
// opening exactly as written; a key missing for a record stops the reseal with its id.
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/dates.h"
#include "renkei/common/store.h"
#include "renkei/v1/intake.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kRecords = 25;

v1::Consultation Record(int i) {
  v1::Consultation c;
  c.set_id("con_" + std::to_string(1000 + i));
  c.set_status(v1::CONSULTATION_STATUS_RECEIVED);
  c.mutable_person()->set_name("回転 太郎 " + std::to_string(i));
  *c.mutable_person()->mutable_birth_date() = common::DateFromNumber(19400101 + i);
  c.set_narrative("鍵の入れ替えの確認 " + std::to_string(i));
  c.add_needs()->set_capability("parkinsons");
  return c;
}

class RenkeictlDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = common::DataKeys::Load(key_dir_, true);
    ASSERT_TRUE(keys.ok()) << keys.status();
    first_id_ = (*keys)->newest_id();
    common::RecordSealer sealer(keys->get());
    auto store =
        common::Store::Open({.path = data_dir_, .column_families = {"consultations", "plain"}});
    ASSERT_TRUE(store.ok());
    common::Batch b;
    for (int i = 0; i < kRecords; ++i) {
      const auto c = Record(i);
      b.Put((*store)->Cf("consultations"), c.id(), sealer.Seal("consultations", c.id(), c));
    }
    b.Put((*store)->Cf("plain"), "k", "not a record");
    ASSERT_TRUE((*store)->Write(b).ok());
  }
  CliResult Cli(const std::vector<std::string>& args) {
    return RunRenkeictl(args, {}, tmp_.path());
  }

  TempDir tmp_;
  const std::string key_dir_ = tmp_.Sub("keys/data");
  const std::string data_dir_ = tmp_.Sub("data/intake");
  std::string first_id_;
};

TEST_F(RenkeictlDataTest, ANewKeyResealedIntoLetsTheOldKeyGo) {
  auto keys = Cli({"data", "keys", "--data-dir", data_dir_});
  ASSERT_EQ(keys.exit_code, 0) << keys;
  EXPECT_THAT(keys.out, ContainsRegex("consultations +sealed " + first_id_ + " +25"));
  EXPECT_THAT(keys.out, ContainsRegex("plain +plain +1"));

  auto gen = Cli({"data", "keygen", "--key-dir", key_dir_});
  ASSERT_EQ(gen.exit_code, 0) << gen;
  const std::string new_id = gen.out.substr(0, gen.out.find('\n'));
  EXPECT_GT(new_id, first_id_);
  EXPECT_TRUE(std::filesystem::exists(key_dir_ + "/" + new_id + ".dkey"));

  auto reseal =
      Cli({"data", "reseal", "--data-dir", data_dir_, "--key-dir", key_dir_, "--batch", "10"});
  ASSERT_EQ(reseal.exit_code, 0) << reseal;
  EXPECT_THAT(reseal.out, HasSubstr("consultations: 25"));
  EXPECT_THAT(reseal.out, HasSubstr("25 件を鍵 " + new_id));
  keys = Cli({"data", "keys", "--data-dir", data_dir_});
  EXPECT_THAT(keys.out, ContainsRegex("consultations +sealed " + new_id + " +25"));
  EXPECT_THAT(keys.out, Not(HasSubstr(first_id_)));
  // Nothing left to do a second time.
  reseal = Cli({"data", "reseal", "--data-dir", data_dir_, "--key-dir", key_dir_});
  ASSERT_EQ(reseal.exit_code, 0) << reseal;
  EXPECT_THAT(reseal.out, HasSubstr("0 件"));

  // Retire the old key: every record opens, exactly as written, with the new one alone.
  std::filesystem::remove(key_dir_ + "/" + first_id_ + ".dkey");
  auto only_new = common::DataKeys::Load(key_dir_, false);
  ASSERT_TRUE(only_new.ok());
  EXPECT_EQ((*only_new)->ids(), std::vector<std::string>{new_id});
  common::RecordSealer sealer(only_new->get());
  auto store = common::Store::Open({.path = data_dir_, .column_families = {}});
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < kRecords; ++i) {
    const auto c = Record(i);
    auto raw = (*store)->Get((*store)->Cf("consultations"), c.id());
    ASSERT_TRUE(raw.ok());
    auto back = sealer.Open<v1::Consultation>("consultations", c.id(), *raw);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->SerializeAsString(), c.SerializeAsString());
  }
}

TEST_F(RenkeictlDataTest, AMissingKeyStopsTheResealNamingItAndNothingIsChanged) {
  // A key directory that lacks the records' key (say, the wrong instance's).
  const std::string other = tmp_.Sub("other-keys");
  ASSERT_TRUE(common::DataKeys::Load(other, true).ok());
  auto reseal = Cli({"data", "reseal", "--data-dir", data_dir_, "--key-dir", other});
  EXPECT_EQ(reseal.exit_code, 5) << reseal;  // FAILED_PRECONDITION
  EXPECT_THAT(reseal.err, HasSubstr(first_id_));
  auto keys = Cli({"data", "keys", "--data-dir", data_dir_});
  EXPECT_THAT(keys.out, ContainsRegex("consultations +sealed " + first_id_ + " +25"));

  EXPECT_EQ(Cli({"data", "keys", "--data-dir", tmp_.Sub("nowhere")}).exit_code, 4);
  EXPECT_EQ(
      Cli({"data", "reseal", "--data-dir", data_dir_, "--key-dir", tmp_.Sub("none")}).exit_code, 4);
  EXPECT_FALSE(std::filesystem::exists(tmp_.Sub("nowhere")));
}

}  // namespace
}  // namespace renkei::testing
