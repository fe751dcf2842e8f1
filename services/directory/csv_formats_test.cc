#include "csv_formats.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resource_rules.h"

namespace renkei::directory {
namespace {

using ::testing::ElementsAre;

std::vector<common::CsvRecord> Records(const std::string& text) {
  common::CsvReader r;
  r.Feed(text);
  r.Finish();
  std::vector<common::CsvRecord> out;
  common::CsvRecord rec;
  while (r.Next(&rec)) out.push_back(rec);
  return out;
}

const char kMhlwHeader[] =
    "都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,サービスの種類,"
    "住所,"
    "方書（ビル名等）,緯度,経度,電話番号,FAX番号,法人番号,法人の名称,事業所番号,利用可能曜日,"
    "利用可能曜日特記事項,定員,URL,高齢者の方と障害者の方が同時一体的に利用できるサービス,"
    "介護保険の通常の指定基準を満たしている,障害福祉の通常の指定基準を満たしている,備考\n";

TEST(CsvFormatsTest, DetectsEachFormatFromItsHeader) {
  EXPECT_EQ(DetectFormat(Records(kMhlwHeader)[0].fields), v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA);
  EXPECT_EQ(DetectFormat(Records("office_number,name,address,lat,lon,prefecture_code,"
                                 "municipality_code_derived\n")[0]
                             .fields),
            v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS);
  EXPECT_EQ(DetectFormat(Records("medical_institution_code_10,medical_institution_code_9,"
                                 "medical_institution_code_7,prefecture_code,name,postal_code,"
                                 "address,municipality_code_derived\n")[0]
                             .fields),
            v1::IMPORT_FORMAT_MEDICAL_INSTITUTION_CODES);
  EXPECT_EQ(DetectFormat(ProjectCsvHeader()), v1::IMPORT_FORMAT_PROJECT_CSV);
  EXPECT_FALSE(DetectFormat({"a", "b"}));
}

TEST(CsvFormatsTest, ParsesARealMhlwRow) {
  auto recs =
      Records(std::string(kMhlwHeader) +
              "011029,0170210231,北海道,札幌市北区,アサヒサンクリーン在宅介護センター札幌北,"
              "アサヒサンクリーンザイタクカイゴセンターサッポロキタ,訪問入浴介護,"
              "札幌市北区麻生町６丁目６番９号あざぶマリオン１階,あざぶマリオン１階,"
              "43.112507300000000,141.340640400000000,050-3625-3862,011-790-6667,"
              "5080001018392,アサヒサンクリーン株式会社,0170210231,\"平日,祝日\",,0,"
              "https://www.asahi-sun-clean.co.jp/,,,,\n");
  auto parser = RowParser::ForHeader(v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA, recs[0].fields);
  ASSERT_TRUE(parser.ok()) << parser.status();
  ParsedRow row = parser->Parse(recs[1]);
  ASSERT_TRUE(row.errors.empty());
  const v1::Resource& r = row.resource;
  EXPECT_EQ(r.kind(), v1::RESOURCE_KIND_HOME_VISIT_BATHING);
  EXPECT_EQ(r.municipality_code(), "011029");
  EXPECT_EQ(r.name(), "アサヒサンクリーン在宅介護センター札幌北");
  EXPECT_EQ(r.address(),
            "札幌市北区麻生町６丁目６番９号あざぶマリオン１階");  // building not doubled
  EXPECT_DOUBLE_EQ(r.location().latitude(), 43.1125073);
  EXPECT_EQ(r.contact().phone(), "050-3625-3862");
  EXPECT_EQ(r.source().system(), "mhlw-kaigo");
  EXPECT_EQ(r.source().source_id(), "0170210231:home_visit_bathing");
  EXPECT_THAT(r.capabilities(), ElementsAre("home_visit_bathing"));
}

TEST(CsvFormatsTest, ReportsBadRowsWithLineAndReason) {
  auto recs = Records(std::string(kMhlwHeader) +
                      "011029,1,北海道,札幌市北区,A,,宇宙旅行,住所,,43.1,141.3,,,,,1,,,,,,,,\n"
                      "011029,2,北海道,札幌市北区,B,,訪問入浴介護,住所,,0.0,0.0,,,,,2,,,,,,,,\n"
                      "011029,3,北海道,札幌市北区,C,,訪問入浴介護,住所,,abc,141.3,,,,,3,,,,,,,,\n"
                      "011029,4,too,few\n");
  auto parser = RowParser::ForHeader(v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA, recs[0].fields);
  ASSERT_TRUE(parser.ok());
  auto e1 = parser->Parse(recs[1]).errors;
  ASSERT_EQ(e1.size(), 1u);
  EXPECT_EQ(e1[0].line(), 2);
  EXPECT_EQ(e1[0].reason(), v1::ROW_ERROR_REASON_UNKNOWN_KIND);
  EXPECT_EQ(e1[0].column(), "サービスの種類");
  EXPECT_EQ(parser->Parse(recs[2]).errors[0].reason(), v1::ROW_ERROR_REASON_BAD_COORDINATES);
  EXPECT_EQ(parser->Parse(recs[3]).errors[0].reason(), v1::ROW_ERROR_REASON_BAD_COORDINATES);
  auto e4 = parser->Parse(recs[4]).errors;
  EXPECT_EQ(e4[0].reason(), v1::ROW_ERROR_REASON_MALFORMED);
  EXPECT_EQ(e4[0].line(), 5);
}

TEST(CsvFormatsTest, HeaderMissingColumnsNamesThem) {
  auto parser =
      RowParser::ForHeader(v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS, {"office_number", "name"});
  ASSERT_FALSE(parser.ok());
  EXPECT_THAT(std::string(parser.status().message()),
              ::testing::HasSubstr("municipality_code_derived"));
}

TEST(CsvFormatsTest, MedicalInstitutionsGetTheOfficeLocationAndInferredCapabilities) {
  auto recs = Records(
      "medical_institution_code_10,medical_institution_code_9,medical_institution_code_7,"
      "prefecture_code,name,postal_code,address,municipality_code_derived\n"
      "1315121199,135121199,5121199,13,稲城在宅療養クリニック,2060802,稲城市東長沼３１１３番地１,"
      "132250\n"
      "1310000001,1,1,13,稲城市立病院,2060801,稲城市大丸,132250\n");
  auto parser = RowParser::ForHeader(v1::IMPORT_FORMAT_MEDICAL_INSTITUTION_CODES, recs[0].fields);
  ASSERT_TRUE(parser.ok());
  auto clinic = parser->Parse(recs[1]).resource;
  EXPECT_EQ(clinic.kind(), v1::RESOURCE_KIND_CLINIC);
  EXPECT_EQ(clinic.location_precision(), v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE);
  EXPECT_NEAR(clinic.location().latitude(), 35.638, 0.01);
  EXPECT_THAT(clinic.capabilities(), ElementsAre("home_visit_medical"));
  EXPECT_EQ(clinic.source().source_id(), "1315121199");
  EXPECT_EQ(parser->Parse(recs[2]).resource.kind(), v1::RESOURCE_KIND_HOSPITAL);
}

TEST(CsvFormatsTest, ProjectRowsRoundTrip) {
  v1::Resource r;
  r.set_id("res_01JABCDEFGHJKMNPQRSTVWXYZ0");
  r.set_kind(v1::RESOURCE_KIND_HOME_CARE_SUPPORT_CLINIC);
  r.set_name("いなぎ在宅クリニック, \"本院\"");
  r.set_name_kana("イナギザイタククリニック");
  r.set_address("稲城市東長沼1-2-3");
  r.set_municipality_code("132250");
  r.mutable_location()->set_latitude(35.6380556);
  r.mutable_location()->set_longitude(139.5047222);
  r.set_location_precision(v1::LOCATION_PRECISION_EXACT);
  r.add_service_area("132080");
  r.add_service_area("132012");
  r.add_capabilities("home_visit_medical");
  r.add_capabilities("parkinsons");
  r.set_accepting_new_patients(v1::ACCEPTANCE_ACCEPTING);
  r.set_capacity(40);
  r.mutable_contact()->set_phone("042-000-0000");
  r.mutable_source()->set_system("manual");
  r.mutable_source()->set_source_id("inagi-001");
  r.mutable_source()->mutable_last_verified()->set_year(2026);
  r.mutable_source()->mutable_last_verified()->set_month(11);
  r.mutable_source()->mutable_last_verified()->set_day(1);
  r.set_note("複数行の\n備考");
  Canonicalize(&r);

  std::string csv;
  common::AppendCsvRow(ProjectCsvHeader(), &csv);
  common::AppendCsvRow(ProjectCsvRow(r), &csv);
  auto recs = Records(csv);
  auto parser = RowParser::ForHeader(v1::IMPORT_FORMAT_PROJECT_CSV, recs[0].fields);
  ASSERT_TRUE(parser.ok());
  ParsedRow back = parser->Parse(recs[1]);
  ASSERT_TRUE(back.errors.empty()) << back.errors[0].message();
  Canonicalize(&back.resource);
  EXPECT_TRUE(SameContent(back.resource, r)) << back.resource.DebugString() << "\nvs\n"
                                             << r.DebugString();
}

}  // namespace
}  // namespace renkei::directory
