#include "renkei/common/at_rest.h"

#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/personal.h"
#include "renkei/v1/directory.pb.h"
#include "renkei/v1/indicators.pb.h"
#include "renkei/v1/intake.pb.h"
#include "renkei/v1/issues.pb.h"
#include "renkei/v1/security.pb.h"
#include "renkei/v1/storage.pb.h"
#include "renkei/v1/training.pb.h"
#include "testing.h"

namespace renkei::common {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::StatusIs;

constexpr char kFamily[] = "consultations";

// A consultation with every personal field of its type set, at every depth.
v1::Consultation FullConsultation() {
  v1::Consultation c;
  c.set_id("con_01JB8Z3N7Q9XK4M2P5R6S7T8V9");
  c.set_municipality_code("132250");
  c.set_status(v1::CONSULTATION_STATUS_REFERRED);
  c.mutable_requester()->set_name("ケアマネジャー 山田 花子");
  c.mutable_requester()->set_organization("稲城ひまわり居宅介護支援事業所");
  c.mutable_requester()->set_contact("hanako@example.jp");
  c.mutable_person()->set_name("稲城 一郎");
  *c.mutable_person()->mutable_birth_date() = DateFromNumber(19480312);
  c.mutable_person()->set_address("稲城市東長沼2111-7");
  c.mutable_person()->set_care_level(v1::CARE_LEVEL_CARE_2);
  c.mutable_person()->add_conditions(v1::CONDITION_CATEGORY_NEUROLOGICAL);
  c.set_age_band(v1::AGE_BAND_75_84);
  c.set_narrative("パーキンソン病。通院が難しくなってきた。");
  auto* h = c.add_history();
  h->set_to(v1::CONSULTATION_STATUS_RECEIVED);
  auto* h2 = c.add_history();
  h2->set_from(v1::CONSULTATION_STATUS_RECEIVED);
  h2->set_to(v1::CONSULTATION_STATUS_REFERRED);
  h2->set_reason("家族の希望で急ぎ（長男 稲城 次郎さんより）");
  for (int i = 0; i < 3; ++i) {
    auto* n = c.add_needs();
    n->set_id("need_" + std::to_string(i));
    n->set_capability(i == 1 ? "home_visit_medical" : "parkinsons");
    if (i != 1) n->set_note("メモ " + std::to_string(i) + " 本人は自宅を希望");
    auto* cand = n->add_candidates();
    cand->set_name("てんかんと脳神経内科の訪問クリニック柏");
    cand->set_distance_km(49.7);
  }
  auto* ref = c.add_referrals();
  ref->set_id("ref_1");
  ref->set_outcome(v1::REFERRAL_OUTCOME_DECLINED);
  ref->set_outcome_note("約50kmあり訪問範囲外（山田様へ電話で回答）");
  auto* fu = c.add_follow_ups();
  fu->set_task("ケアマネジャーに確認する");
  fu->set_owner("コーディネーター 佐藤");
  *fu->mutable_due() = DateFromNumber(20260110);
  auto* seed = c.add_seeds();
  seed->set_theme("専門医に相談しやすい仕組みがない");
  seed->add_tags("専門医連携");
  c.set_version(7);
  return c;
}

class AtRestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = DataKeys::Load(KeyDir(), true);
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = std::move(*keys);
    sealer_ = std::make_unique<RecordSealer>(keys_.get());
  }
  std::string KeyDir() const { return dir_.Sub("keys/data"); }
  // The personal strings of a record, to look for in raw bytes.
  static void ExpectNoneIn(const std::string& bytes, const google::protobuf::Message& m) {
    auto strings = PersonalStrings(m);
    ASSERT_FALSE(strings.empty());
    for (const auto& s : strings) EXPECT_EQ(bytes.find(s), std::string::npos) << s;
  }
  static bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
    return MessageDifferencer::Equals(a, b);
  }

  testing::TempDir dir_;
  std::unique_ptr<DataKeys> keys_;
  std::unique_ptr<RecordSealer> sealer_;
};

TEST_F(AtRestTest, ARecordComesBackExactlyAndItsPersonalFieldsAreNotInTheStoredBytes) {
  const v1::Consultation c = FullConsultation();
  const std::string stored = sealer_->Seal(kFamily, c.id(), c);
  ExpectNoneIn(stored, c);
  // The clear part is there as it is: non-personal text is found in the same bytes.
  EXPECT_NE(stored.find("てんかんと脳神経内科の訪問クリニック柏"), std::string::npos);
  EXPECT_NE(stored.find("専門医連携"), std::string::npos);

  auto back = sealer_->Open<v1::Consultation>(kFamily, c.id(), stored);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(Same(*back, c)) << back->DebugString();

  auto info = RecordSealer::Inspect(stored);
  EXPECT_EQ(info.kind, RecordSealer::Inspection::Kind::kSealed);
  EXPECT_EQ(info.key_id, keys_->newest_id());
  EXPECT_EQ(info.type, "renkei.v1.Consultation");

  // Without a key: the de-identified record, exactly what StripPersonal leaves.
  v1::Consultation clear;
  ASSERT_TRUE(RecordSealer::OpenClear(stored, &clear).ok());
  v1::Consultation stripped = c;
  StripPersonal(&stripped);
  EXPECT_TRUE(Same(clear, stripped));
  EXPECT_EQ(clear.needs_size(), 3);
  EXPECT_EQ(clear.needs(0).candidates(0).distance_km(), 49.7);
}

// A record split by the caller seals exactly as Seal would split it.
TEST_F(AtRestTest, ARecordSplitByTheCallerSealsAsSealWouldSplitIt) {
  const v1::Consultation c = FullConsultation();
  v1::Consultation clear = c;
  v1::Consultation personal;
  SplitPersonal(&clear, &personal);
  const std::string stored = sealer_->SealSplit(kFamily, c.id(), clear, personal);
  ExpectNoneIn(stored, c);
  auto back = sealer_->Open<v1::Consultation>(kFamily, c.id(), stored);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(Same(*back, c)) << back->DebugString();
  v1::Consultation opened_clear;
  ASSERT_TRUE(RecordSealer::OpenClear(stored, &opened_clear).ok());
  EXPECT_TRUE(Same(opened_clear, clear));
}

TEST_F(AtRestTest, RepeatedAndNestedPersonalFieldsOfOtherTypesRoundTrip) {
  v1::Meeting m;
  m.set_id("mtg_1");
  m.set_title("在宅医療・介護連携推進協議会");
  m.set_minutes("訪問看護ステーションの田中さんから、夜間の連絡体制について");
  m.set_pre_meeting_notes("事前に佐々木医師へ確認");
  m.add_decisions("看取りの手引きを作る");
  m.add_decisions("");  // an empty element keeps its place
  m.add_decisions("次回までに市の担当 鈴木が案を出す");
  m.add_agenda("看取り");
  auto* o = m.add_opinions();
  o->set_summary("家族への説明が足りない（ケアマネ 高橋）");
  o->set_weight(v1::OPINION_WEIGHT_MAJORITY);
  m.add_opinions()->set_weight(v1::OPINION_WEIGHT_MINORITY);
  auto* a = m.add_action_items();
  a->set_id("act_1");
  a->set_task("手引き案の作成");
  a->set_owner("鈴木 一子");
  const std::string stored = sealer_->Seal("meetings", m.id(), m);
  ExpectNoneIn(stored, m);
  auto back = sealer_->Open<v1::Meeting>("meetings", m.id(), stored);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(Same(*back, m)) << back->DebugString();

  v1::Training t;
  t.set_id("trn_1");
  t.set_title("看取りのプロセスを説明する");
  for (int i = 0; i < 2; ++i) {
    auto* s = t.add_sessions();
    s->set_id("ses_" + std::to_string(i));
    auto* l = s->add_lecturers();
    l->set_name(i == 0 ? "看取 花子" : "講師 太郎");
    l->set_affiliation("訪問看護ステーション");
  }
  const std::string stored_t = sealer_->Seal("trainings", t.id(), t);
  ExpectNoneIn(stored_t, t);
  auto back_t = sealer_->Open<v1::Training>("trainings", t.id(), stored_t);
  ASSERT_TRUE(back_t.ok()) << back_t.status();
  EXPECT_TRUE(Same(*back_t, t));
}

TEST_F(AtRestTest, TypesWithoutPersonalFieldsAndRecordsWithoutPersonalDataStayPlain) {
  v1::ClusterState cluster;
  cluster.set_key("tag:看取り");
  cluster.set_candidate_id("cand_1");
  EXPECT_FALSE(MayHoldPersonal(cluster.GetDescriptor()));
  EXPECT_EQ(sealer_->Seal("clusters", cluster.key(), cluster), cluster.SerializeAsString());
  auto back =
      sealer_->Open<v1::ClusterState>("clusters", cluster.key(), cluster.SerializeAsString());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(Same(*back, cluster));

  v1::Consultation bare;
  bare.set_id("con_bare");
  bare.add_needs()->set_capability("parkinsons");
  const std::string stored = sealer_->Seal(kFamily, bare.id(), bare);
  EXPECT_EQ(RecordSealer::Inspect(stored).kind, RecordSealer::Inspection::Kind::kNothingSealed);
  auto bare_back = sealer_->Open<v1::Consultation>(kFamily, bare.id(), stored);
  ASSERT_TRUE(bare_back.ok());
  EXPECT_TRUE(Same(*bare_back, bare));
}

TEST_F(AtRestTest, RecordsStoredBeforeSealingExistedAreStillRead) {
  const v1::Consultation c = FullConsultation();
  auto back = sealer_->Open<v1::Consultation>(kFamily, c.id(), c.SerializeAsString());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(Same(*back, c));
  EXPECT_EQ(RecordSealer::Inspect(c.SerializeAsString()).kind,
            RecordSealer::Inspection::Kind::kPlain);
}

TEST_F(AtRestTest, TheSameRecordSealsDifferentlyEachTime) {
  const v1::Consultation c = FullConsultation();
  EXPECT_NE(sealer_->Seal(kFamily, c.id(), c), sealer_->Seal(kFamily, c.id(), c));
}

TEST_F(AtRestTest, ASealedPartMovedToAnotherRecordFamilyTypeOrVersionDoesNotOpen) {
  const v1::Consultation c = FullConsultation();
  const std::string stored = sealer_->Seal(kFamily, c.id(), c);
  v1::Consultation out;
  EXPECT_THAT(sealer_->Open(kFamily, "con_other", stored, &out),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(sealer_->Open("consultations_archive", c.id(), stored, &out),
              StatusIs(absl::StatusCode::kDataLoss));
  v1::Meeting meeting;
  auto as_meeting = sealer_->Open(kFamily, c.id(), stored, &meeting);
  EXPECT_THAT(as_meeting, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(as_meeting.message()), HasSubstr("renkei.v1.Consultation"));

  // The sealed part of this record beside the clear part of its next version.
  v1::Consultation next = c;
  next.set_version(8);
  v1::SealedRecord old_r, next_r;
  ASSERT_TRUE(old_r.ParseFromString(stored.substr(2)));
  ASSERT_TRUE(next_r.ParseFromString(sealer_->Seal(kFamily, c.id(), next).substr(2)));
  next_r.set_sealed(old_r.sealed());
  next_r.set_nonce(old_r.nonce());
  EXPECT_THAT(
      sealer_->Open(kFamily, c.id(), std::string("\0\x01", 2) + next_r.SerializeAsString(), &out),
      StatusIs(absl::StatusCode::kDataLoss));

  // One flipped bit of the ciphertext.
  v1::SealedRecord flipped = old_r;
  std::string sealed = flipped.sealed();
  sealed[sealed.size() / 2] ^= 0x01;
  flipped.set_sealed(sealed);
  EXPECT_THAT(
      sealer_->Open(kFamily, c.id(), std::string("\0\x01", 2) + flipped.SerializeAsString(), &out),
      StatusIs(absl::StatusCode::kDataLoss));
  // None of the failures leaves personal data in the output.
  EXPECT_THAT(PersonalStrings(out), IsEmpty());
  // And the untouched value still opens.
  EXPECT_TRUE(sealer_->Open(kFamily, c.id(), stored, &out).ok());
}

TEST_F(AtRestTest, AMissingKeyIsAClearErrorNamingIt) {
  const v1::Consultation c = FullConsultation();
  const std::string stored = sealer_->Seal(kFamily, c.id(), c);
  // Another instance's key directory: a different key.
  auto other = DataKeys::Load(dir_.Sub("other"), true);
  ASSERT_TRUE(other.ok());
  RecordSealer other_sealer(other->get());
  v1::Consultation out;
  auto s = other_sealer.Open(kFamily, c.id(), stored, &out);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(s.message()), HasSubstr(keys_->newest_id()));
  EXPECT_THAT(std::string(s.message()), HasSubstr(c.id()));
  // The clear part is still readable without it.
  EXPECT_TRUE(RecordSealer::OpenClear(stored, &out).ok());
  EXPECT_EQ(out.needs_size(), 3);
}

TEST_F(AtRestTest, RotationNewestKeySealsOldRecordsStayReadableAndResealMovesThem) {
  const v1::Consultation c = FullConsultation();
  const std::string old_id = keys_->newest_id();
  const std::string under_old = sealer_->Seal(kFamily, c.id(), c);

  // A new key whose id sorts last, then a restart (reload).
  FakeClock later(SystemClock::Get()->NowMicros() + 86400LL * 1000000);
  const std::string new_id = DataKeys::NewId(later);
  ASSERT_GT(new_id, old_id);
  ASSERT_TRUE(DataKeys::Create(KeyDir(), new_id).ok());
  auto both = DataKeys::Load(KeyDir(), true);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)->ids(), (std::vector<std::string>{old_id, new_id}));
  EXPECT_EQ((*both)->newest_id(), new_id);
  RecordSealer rotated(both->get());
  auto back = rotated.Open<v1::Consultation>(kFamily, c.id(), under_old);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(Same(*back, c));
  EXPECT_EQ(RecordSealer::Inspect(rotated.Seal(kFamily, c.id(), c)).key_id, new_id);

  auto resealed = rotated.Reseal(kFamily, c.id(), under_old);
  ASSERT_TRUE(resealed.ok()) << resealed.status();
  ASSERT_TRUE(resealed->has_value());
  EXPECT_EQ(RecordSealer::Inspect(**resealed).key_id, new_id);
  EXPECT_FALSE(rotated.Reseal(kFamily, c.id(), **resealed)->has_value());  // nothing left to do

  // Retire the old key: what was resealed opens, what was not names the missing key.
  std::filesystem::remove(KeyDir() + "/" + old_id + ".dkey");
  auto only_new = DataKeys::Load(KeyDir(), true);
  ASSERT_TRUE(only_new.ok());
  RecordSealer retired(only_new->get());
  auto after = retired.Open<v1::Consultation>(kFamily, c.id(), **resealed);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(Same(*after, c));
  EXPECT_THAT(retired.Open<v1::Consultation>(kFamily, c.id(), under_old).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Fingerprints: equal for equal parts under one key, different for other parts (the boundaries
// between parts count), other keys and other instances; not the plain hash; an unknown key id is
// a clear error naming it.
TEST_F(AtRestTest, FingerprintsAreKeyedAndTellPartsApart) {
  const auto a = sealer_->FingerprintOf({"renkei.v1.X", "body"});
  EXPECT_EQ(a.key_id, keys_->newest_id());
  ASSERT_EQ(a.digest.size(), 32u);
  EXPECT_EQ(sealer_->FingerprintOf({"renkei.v1.X", "body"}).digest, a.digest);
  EXPECT_EQ(*sealer_->FingerprintOf(a.key_id, {"renkei.v1.X", "body"}), a.digest);
  EXPECT_NE(sealer_->FingerprintOf({"renkei.v1.X", "bodY"}).digest, a.digest);
  EXPECT_NE(sealer_->FingerprintOf({"renkei.v1.Xb", "ody"}).digest, a.digest);
  std::string plain(crypto_generichash_BYTES, '\0');
  const std::string joined = std::string("renkei.v1.X") + '\0' + "body";
  crypto_generichash(reinterpret_cast<unsigned char*>(plain.data()), plain.size(),
                     reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), nullptr,
                     0);
  EXPECT_NE(a.digest, plain);

  auto other = DataKeys::Load(dir_.Sub("other"), true);
  ASSERT_TRUE(other.ok());
  RecordSealer other_sealer(other->get());
  EXPECT_NE(other_sealer.FingerprintOf({"renkei.v1.X", "body"}).digest, a.digest);
  auto missing = other_sealer.FingerprintOf(a.key_id, {"renkei.v1.X", "body"});
  EXPECT_THAT(missing.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(a.key_id));
}

TEST_F(AtRestTest, ErasingDropsThePersonalPartAndLeavesTheClearPartByteForByte) {
  const v1::Consultation c = FullConsultation();
  const std::string stored = sealer_->Seal(kFamily, c.id(), c);
  auto erased = RecordSealer::ErasePersonal(stored, v1::Consultation::default_instance(), 123);
  ASSERT_TRUE(erased.ok()) << erased.status();
  ASSERT_TRUE(erased->has_value());
  v1::SealedRecord before, after;
  ASSERT_TRUE(before.ParseFromString(stored.substr(2)));
  ASSERT_TRUE(after.ParseFromString((*erased)->substr(2)));
  EXPECT_EQ(after.clear(), before.clear());
  EXPECT_TRUE(after.sealed().empty());
  EXPECT_TRUE(after.nonce().empty());
  EXPECT_EQ(RecordSealer::Inspect(**erased).kind, RecordSealer::Inspection::Kind::kErased);
  EXPECT_EQ((*erased)->find(before.sealed()), std::string::npos);

  auto back = sealer_->Open<v1::Consultation>(kFamily, c.id(), **erased);
  ASSERT_TRUE(back.ok());
  v1::Consultation stripped = c;
  StripPersonal(&stripped);
  EXPECT_TRUE(Same(*back, stripped));
  EXPECT_FALSE(RecordSealer::ErasePersonal(**erased, v1::Consultation::default_instance(), 456)
                   ->has_value());

  // A record stored before sealing existed is stripped all the same.
  auto legacy =
      RecordSealer::ErasePersonal(c.SerializeAsString(), v1::Consultation::default_instance(), 123);
  ASSERT_TRUE(legacy.ok());
  ASSERT_TRUE(legacy->has_value());
  ExpectNoneIn(**legacy, c);
  auto legacy_back = sealer_->Open<v1::Consultation>(kFamily, c.id(), **legacy);
  ASSERT_TRUE(legacy_back.ok());
  EXPECT_TRUE(Same(*legacy_back, stripped));
}

TEST_F(AtRestTest, KeyFilesAreCreatedPrivateAndRefusedWhenNot) {
  struct stat st {};
  ASSERT_EQ(::stat(KeyDir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const std::string key = KeyDir() + "/" + keys_->newest_id() + ".dkey";
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  EXPECT_THAT(keys_->ids(), SizeIs(1));
  EXPECT_THAT(DataKeys::Create(KeyDir(), keys_->newest_id()),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(DataKeys::Create(KeyDir(), "../escape"),
              StatusIs(absl::StatusCode::kInvalidArgument));

  ::chmod(key.c_str(), 0644);
  auto loose = DataKeys::Load(KeyDir(), true);
  EXPECT_THAT(loose.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(loose.status().message()), HasSubstr("chmod 600"));
  ::chmod(key.c_str(), 0600);

  ASSERT_TRUE(DataKeys::Create(KeyDir(), "short").ok());
  std::ofstream(KeyDir() + "/short.dkey", std::ios::trunc) << "too short";
  EXPECT_THAT(DataKeys::Load(KeyDir(), true).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  std::filesystem::remove(KeyDir() + "/short.dkey");
  EXPECT_TRUE(DataKeys::Load(KeyDir(), true).ok());

  EXPECT_THAT(DataKeys::Load(dir_.Sub("absent"), false).status(),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("absent")));
}

TEST_F(AtRestTest, ServicesStartingTogetherCreateOneFirstKey) {
  const std::string dir = dir_.Sub("together");
  std::vector<std::string> newest(4);
  std::vector<std::thread> threads;
  threads.reserve(newest.size());
  for (std::string& id : newest) {
    threads.emplace_back([&dir, &id] {
      auto keys = DataKeys::Load(dir, true);
      if (keys.ok()) id = (*keys)->newest_id();
    });
  }
  for (auto& t : threads) t.join();
  auto keys = DataKeys::Load(dir, false);
  ASSERT_TRUE(keys.ok());
  EXPECT_THAT((*keys)->ids(), SizeIs(1));
  for (const auto& id : newest) EXPECT_EQ(id, (*keys)->newest_id());
}

// The directory, the indicators and the audit log store these types as they are, not through the
// sealer: none may hold a personal field. Marking one of their fields personal fails here, and
// the store that keeps it must then seal it (as intake, issues and training do).
TEST(AtRestCoverageTest, TypesStoredWithoutTheSealerHoldNoPersonalField) {
  for (const auto* type :
       {v1::Resource::descriptor(), v1::IndicatorDefinition::descriptor(),
        v1::Observation::descriptor(), v1::AuditEntry::descriptor(), v1::AuditHead::descriptor()}) {
    EXPECT_FALSE(MayHoldPersonal(type)) << type->full_name();
  }
  for (const auto* type :
       {v1::Consultation::descriptor(), v1::Meeting::descriptor(), v1::Training::descriptor(),
        v1::Registration::descriptor(), v1::SurveyResponse::descriptor()}) {
    EXPECT_TRUE(MayHoldPersonal(type)) << type->full_name();
  }
}

TEST(DataKeyIdTest, NewIdsSortInTimeOrder) {
  FakeClock clock(1767225600000000);  // 2026-01-01T00:00:00Z
  const std::string first = DataKeys::NewId(clock);
  EXPECT_THAT(first, ::testing::MatchesRegex("dk20260101T000000[0-9]{6}Z-[0-9a-f]{8}"));
  EXPECT_NE(DataKeys::NewId(clock), first);
  clock.AdvanceMicros(1000000);
  EXPECT_GT(DataKeys::NewId(clock), first);
}

}  // namespace
}  // namespace renkei::common
