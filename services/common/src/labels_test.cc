#include "renkei/common/labels.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "renkei/v1/admin.pb.h"
#include "renkei/v1/events.pb.h"
#include "renkei/v1/gateway.pb.h"
#include "renkei/v1/indicators.pb.h"
#include "renkei/v1/intake.pb.h"
#include "renkei/v1/issues.pb.h"
#include "renkei/v1/labels.pb.h"
#include "renkei/v1/security.pb.h"
#include "renkei/v1/storage.pb.h"
#include "renkei/v1/training.pb.h"

namespace renkei::common {
namespace {

namespace pb = google::protobuf;

bool AsciiOnly(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Every enum of a file, nested ones included.
void CollectEnums(const pb::Descriptor* m, std::vector<const pb::EnumDescriptor*>* out) {
  for (int i = 0; i < m->enum_type_count(); ++i) out->push_back(m->enum_type(i));
  for (int i = 0; i < m->nested_type_count(); ++i) CollectEnums(m->nested_type(i), out);
}

// Every enum of package renkei.v1 in the generated pool: the files of renkei/v1 that this test's
// binary links (all of them: renkei_proto is one library), found through a message of each.
std::vector<const pb::EnumDescriptor*> AllEnums() {
  std::vector<const pb::EnumDescriptor*> out;
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  int files = 0;
  for (const char* name :
       {"renkei/v1/common.proto", "renkei/v1/config.proto", "renkei/v1/directory.proto",
        "renkei/v1/intake.proto", "renkei/v1/indicators.proto", "renkei/v1/issues.proto",
        "renkei/v1/training.proto", "renkei/v1/storage.proto", "renkei/v1/events.proto",
        "renkei/v1/security.proto", "renkei/v1/admin.proto", "renkei/v1/gateway.proto",
        "renkei/v1/options.proto", "renkei/v1/labels.proto", "renkei/v1/network.proto"}) {
    const pb::FileDescriptor* f = pool->FindFileByName(name);
    EXPECT_NE(f, nullptr) << name;
    if (f == nullptr) continue;
    ++files;
    EXPECT_EQ(f->package(), "renkei.v1");
    for (int i = 0; i < f->enum_type_count(); ++i) out.push_back(f->enum_type(i));
    for (int i = 0; i < f->message_type_count(); ++i) CollectEnums(f->message_type(i), &out);
  }
  EXPECT_EQ(files, 15);
  return out;
}

TEST(LabelsTest, EveryEnumValueHasJapaneseAndEnglishLabels) {
  const auto enums = AllEnums();
  EXPECT_GE(enums.size(), 40u);
  for (const pb::EnumDescriptor* e : enums) {
    std::set<std::string> ja, en;
    for (int i = 0; i < e->value_count(); ++i) {
      const pb::EnumValueDescriptor* v = e->value(i);
      const bool unspecified = v->number() == 0;
      SCOPED_TRACE(v->full_name());
      if (unspecified) {
        EXPECT_THAT(v->name(), ::testing::EndsWith("_UNSPECIFIED"));
        EXPECT_FALSE(v->options().HasExtension(v1::label)) << "UNSPECIFIED has no label";
        continue;
      }
      ASSERT_TRUE(v->options().HasExtension(v1::label));
      const v1::Label& l = v->options().GetExtension(v1::label);
      EXPECT_FALSE(l.ja().empty());
      EXPECT_FALSE(l.en().empty());
      // Names of file formats and encodings (Markdown, UTF-8, Shift_JIS) are read as they are.
      const bool format_name =
          absl::EndsWith(e->name(), "Format") || absl::EndsWith(e->name(), "Encoding");
      if (!format_name) {
        EXPECT_FALSE(AsciiOnly(l.ja())) << l.ja();
      }
      EXPECT_NE(l.ja(), v->name());
      EXPECT_NE(l.en(), v->name());
      EXPECT_TRUE(ja.insert(l.ja()).second) << "duplicate ja label " << l.ja();
      EXPECT_TRUE(en.insert(l.en()).second) << "duplicate en label " << l.en();
    }
  }
}

TEST(LabelsTest, ReadsTheOptionWithTheOldFallbacks) {
  EXPECT_EQ(Label(v1::CONSULTATION_STATUS_MATCHED), "資源候補あり");
  EXPECT_EQ(LabelEn(v1::CONSULTATION_STATUS_MATCHED), "matched");
  EXPECT_EQ(Label(v1::RESOURCE_KIND_VISITING_NURSE_STATION), "訪問看護ステーション");
  EXPECT_EQ(Label(v1::REGISTRATION_STATUS_REQUESTED), "申込中 (主催者の確認待ち)");
  EXPECT_EQ(Label(v1::ROLE_MUNICIPAL_STAFF), "市町村担当者");
  // UNSPECIFIED and numbers the enum does not declare: the fallback.
  EXPECT_EQ(Label(v1::SOURCE_TYPE_UNSPECIFIED), "不明");
  EXPECT_EQ(Label(static_cast<v1::SourceType>(99)), "不明");
  EXPECT_EQ(Label(v1::REFERRAL_OUTCOME_UNSPECIFIED, "回答待ち"), "回答待ち");
  EXPECT_EQ(Label(v1::DECLINE_REASON_UNSPECIFIED, ""), "");
  EXPECT_EQ(LabelEn(v1::SOURCE_TYPE_UNSPECIFIED), "unknown");
}

}  // namespace
}  // namespace renkei::common
