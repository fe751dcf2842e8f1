#include "renkei/common/validation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/grpc_status.h"
#include "testing.h"

namespace renkei::common {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FieldViolationsTest, NamesEveryBadFieldAndSurvivesTheRpcEdge) {
  FieldViolations v;
  v.CheckText("resource.name", "", {.required = true});
  v.CheckText("resource.address", std::string(301, 'x'), {.max_chars = 300});
  v.CheckText("resource.note", "bad\xFF", {});
  v.CheckText("resource.name_kana", "line\nbreak", {});
  v.CheckMunicipalityCode("resource.municipality_code", "132251");
  v.CheckEnum(
      "resource.kind", 999, [](int k) { return k < 50; }, false);
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  auto fields = FieldViolationsOf(s);
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(fields[0].first, "resource.name");
  EXPECT_EQ(fields[4].first, "resource.municipality_code");
  EXPECT_NE(fields[4].second.find("チェックディジット"), std::string::npos);

  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(renkei::testing::ViolatedFields(g),
              ElementsAre("resource.name", "resource.address", "resource.note",
                          "resource.name_kana", "resource.municipality_code", "resource.kind"));
  absl::Status back = FromGrpcStatus(g);
  EXPECT_THAT(FieldViolationsOf(back)[5], Pair("resource.kind", ::testing::HasSubstr("999")));
}

TEST(FieldViolationsTest, EmptyIsOk) {
  FieldViolations v;
  v.CheckText("x", "fine", {.required = true});
  v.CheckMunicipalityCode("code", "132250");
  v.CheckPrefectureCode("pref", "13");
  v.CheckLatLng("loc", 35.6, 139.5);
  EXPECT_TRUE(v.ToStatus().ok());
}

TEST(FieldViolationsTest, PrefectureCodeAndCoordinates) {
  FieldViolations v;
  v.CheckPrefectureCode("a", "48");
  v.CheckPrefectureCode("b", "00");
  v.CheckPrefectureCode("c", "1");
  v.CheckLatLng("d", 0, 0);
  EXPECT_EQ(v.violations().size(), 4u);
}

}  // namespace
}  // namespace renkei::common
