#include "directory.h"

#include <iconv.h>

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/encoding.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "testing.h"

namespace renkei::directory {
namespace {

using renkei::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The domain on a real RocksDB in a temp dir (no NATS: events stay in the outbox, where the test
// can count them).
class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    dir_.reset();
    domain_.reset();
    domain_ = std::make_unique<renkei::testing::DomainStore>(tmp_.Sub("db"),
                                                             ResourceStore::ColumnFamilies());
    DirectoryOptions options;
    options.import_batch_rows = 2;
    dir_ = std::make_unique<Directory>(domain_->store.get(), domain_->outbox.get(),
                                       common::EventSource{"m132250", &clock_}, &vocab_, options,
                                       &clock_);
    ASSERT_TRUE(dir_->LoadIndex().ok());
  }

  int OutboxRecords() { return static_cast<int>(domain_->EventCount()); }
  int StoredResources() {
    int n = 0;
    auto it = domain_->store->NewIterator(domain_->store->Cf("resources"));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }

  static v1::Resource Clinic(const std::string& name, const std::string& code, double lat,
                             double lon, const std::vector<std::string>& caps) {
    v1::Resource r;
    r.set_kind(v1::RESOURCE_KIND_CLINIC);
    r.set_name(name);
    r.set_municipality_code(code);
    r.mutable_location()->set_latitude(lat);
    r.mutable_location()->set_longitude(lon);
    for (auto& c : caps) r.add_capabilities(c);
    return r;
  }

  absl::StatusOr<v1::UpsertResourceResponse> Upsert(const v1::Resource& r, int64_t expected = 0) {
    v1::UpsertResourceRequest req;
    *req.mutable_resource() = r;
    req.set_expected_version(expected);
    return dir_->Upsert(req);
  }

  absl::StatusOr<v1::ImportSummary> Import(
      const std::string& bytes, bool partial,
      v1::TextEncoding encoding = v1::TEXT_ENCODING_UNSPECIFIED,
      std::vector<v1::ImportProgress>* progress = nullptr) {
    v1::ImportOptions o;
    o.set_allow_partial(partial);
    o.set_encoding(encoding);
    auto session = dir_->StartImport(o);
    if (!session.ok()) return session.status();
    if (progress)
      (*session)->set_progress([&](const v1::ImportProgress& p) { progress->push_back(p); });
    // Feed in small pieces to exercise records and characters split across chunks.
    for (size_t i = 0; i < bytes.size(); i += 7) {
      auto s = (*session)->Feed(std::string_view(bytes).substr(i, 7));
      if (!s.ok()) return s;
    }
    return (*session)->Finish();
  }

  renkei::testing::TempDir tmp_;
  common::FakeClock clock_;
  CapabilityVocabulary vocab_;
  std::unique_ptr<renkei::testing::DomainStore> domain_;
  std::unique_ptr<Directory> dir_;
};

TEST_F(DirectoryTest, UpsertCreatesThenUpdatesWithOptimisticConcurrency) {
  auto created = Upsert(
      Clinic("稲城クリニック", "132250", 35.63, 139.50, {"parkinsons", "home_visit_medical"}));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created());
  const v1::Resource& r = created->resource();
  EXPECT_EQ(r.version(), 1);
  EXPECT_THAT(r.capabilities(),
              ElementsAre("home_visit_medical", "parkinsons"));  // canonical order
  EXPECT_EQ(r.location_precision(), v1::LOCATION_PRECISION_EXACT);
  EXPECT_EQ(OutboxRecords(), 1);

  v1::Resource changed = r;
  changed.set_accepting_new_patients(v1::ACCEPTANCE_ACCEPTING);
  auto updated = Upsert(changed, 1);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_FALSE(updated->created());
  EXPECT_EQ(updated->resource().version(), 2);

  auto stale = Upsert(changed, 1);
  EXPECT_THAT(stale.status(), StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(std::string(stale.status().message()), HasSubstr("stored 2, expected 1"));
  EXPECT_EQ(dir_->Get(r.id())->version(), 2);
  EXPECT_EQ(OutboxRecords(), 2);

  v1::Resource ghost = changed;
  ghost.set_id("res_01JZZZZZZZZZZZZZZZZZZZZZZZ");
  EXPECT_THAT(Upsert(ghost, 3).status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(DirectoryTest, InvalidUpsertNamesEveryFieldAndWritesNothing) {
  v1::Resource r;
  r.set_kind(static_cast<v1::ResourceKind>(77));
  r.set_name(std::string(201, 'x'));
  r.set_municipality_code("132251");
  r.add_capabilities("telepathy");
  r.add_service_area("99999");
  r.mutable_location()->set_latitude(10);
  r.mutable_location()->set_longitude(10);
  r.set_capacity(-1);
  auto result = Upsert(r);
  ASSERT_THAT(result.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (auto& [f, d] : common::FieldViolationsOf(result.status())) fields.push_back(f);
  EXPECT_THAT(fields, ElementsAre("resource.kind", "resource.name", "resource.municipality_code",
                                  "resource.location", "resource.service_area[0]",
                                  "resource.capabilities[0]", "resource.capacity"));
  EXPECT_EQ(StoredResources(), 0);
  EXPECT_EQ(OutboxRecords(), 0);

  // Coordinates in Hokkaido for a Tokyo clinic.
  auto outside = Upsert(Clinic("稲城", "132250", 43.06, 141.35, {}));
  ASSERT_THAT(outside.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(outside.status().message()), HasSubstr("東京都の範囲外"));
  EXPECT_EQ(StoredResources(), 0);
}

TEST_F(DirectoryTest, SourceIdsAreUniqueAndDeleteNeedsTheCurrentVersion) {
  v1::Resource a = Clinic("A", "132250", 35.63, 139.50, {});
  a.mutable_source()->set_system("manual");
  a.mutable_source()->set_source_id("x-1");
  auto first = Upsert(a);
  ASSERT_TRUE(first.ok());
  v1::Resource b = a;
  b.set_id("res_01JZZZZZZZZZZZZZZZZZZZZZZZ");
  EXPECT_THAT(Upsert(b).status(), StatusIs(absl::StatusCode::kAlreadyExists));

  v1::DeleteResourceRequest del;
  del.set_id(first->resource().id());
  del.set_expected_version(7);
  EXPECT_THAT(dir_->Delete(del), StatusIs(absl::StatusCode::kAborted));
  del.set_expected_version(1);
  ASSERT_TRUE(dir_->Delete(del).ok());
  EXPECT_THAT(dir_->Get(del.id()).status(), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(dir_->Get("nonsense").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(OutboxRecords(), 2);  // upserted + removed
  // The source id is free again.
  EXPECT_TRUE(Upsert(b).ok());
}

TEST_F(DirectoryTest, SearchFallsBackToTheNearestOutsideWithDistances) {
  // Worked example 1 in miniature: nothing in Inagi has both capabilities.
  ASSERT_TRUE(Upsert(Clinic("稲城在宅", "132250", 35.635, 139.50, {"home_visit_medical"})).ok());
  ASSERT_TRUE(Upsert(Clinic("稲城神経内科", "132250", 35.64, 139.51, {"parkinsons"})).ok());
  auto chofu = Upsert(
      Clinic("調布神経在宅", "132080", 35.652, 139.541, {"home_visit_medical", "parkinsons"}));
  auto kashiwa =
      Upsert(Clinic("柏訪問", "122173", 35.867, 139.975, {"home_visit_medical", "parkinsons"}));
  ASSERT_TRUE(chofu.ok() && kashiwa.ok());

  v1::SearchResourcesRequest q;
  q.add_capabilities("home_visit_medical");
  q.add_capabilities("parkinsons");
  q.set_municipality_code("132250");
  auto res = dir_->Search(q);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_TRUE(res->outside_fallback());
  ASSERT_EQ(res->hits_size(), 2);
  EXPECT_EQ(res->hits(0).resource().id(), chofu->resource().id());
  EXPECT_EQ(res->hits(0).relation(), v1::AREA_RELATION_OUTSIDE);
  EXPECT_GT(res->hits(0).distance_km(), 3);
  EXPECT_LT(res->hits(0).distance_km(), 6);
  EXPECT_GT(res->hits(1).distance_km(), 40);
  EXPECT_NEAR(res->reference_point().latitude(), 35.638, 0.01);  // Inagi city office

  q.set_outside_fallback(v1::OUTSIDE_FALLBACK_NONE);
  auto none = dir_->Search(q);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->hits_size(), 0);
  EXPECT_FALSE(none->outside_fallback());
}

TEST_F(DirectoryTest, SearchRejectsBadInputNamingTheField) {
  v1::SearchResourcesRequest q;
  q.add_capabilities("telepathy");
  q.add_kinds(static_cast<v1::ResourceKind>(99));
  q.set_municipality_code("13225X");
  q.set_prefecture_code("48");
  q.set_max_distance_km(-1);
  q.set_text("\xFF\xFE");
  q.set_page_size(500);
  q.set_page_token("not-a-token");
  auto res = dir_->Search(q);
  ASSERT_THAT(res.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (auto& [f, d] : common::FieldViolationsOf(res.status())) fields.push_back(f);
  EXPECT_THAT(fields,
              ElementsAre("capabilities[0]", "kinds[0]", "municipality_code", "prefecture_code",
                          "max_distance_km", "text", "page_size", "page_token"));
}

TEST_F(DirectoryTest, PageTokensWalkTheResultsAndRejectAChangedQuery) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        Upsert(Clinic("医院" + std::to_string(i), "132250", 35.63, 139.50, {"dementia"})).ok());
  }
  v1::SearchResourcesRequest q;
  q.add_capabilities("dementia");
  q.set_page_size(2);
  std::set<std::string> seen;
  for (int pages = 0; pages < 5; ++pages) {
    auto res = dir_->Search(q);
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->total_matches(), 5);
    for (const auto& h : res->hits()) seen.insert(h.resource().id());
    if (res->next_page_token().empty()) break;
    q.set_page_token(res->next_page_token());
  }
  EXPECT_EQ(seen.size(), 5u);
  q.set_page_token(dir_->Search([] {
                         v1::SearchResourcesRequest r;
                         r.add_capabilities("dementia");
                         r.set_page_size(2);
                         return r;
                       }())
                       ->next_page_token());
  q.add_capabilities("parkinsons");  // changed query, old token
  EXPECT_THAT(dir_->Search(q).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(DirectoryTest, GapReportListsCapabilitiesNobodyCoversWithTheNearestOutside) {
  ASSERT_TRUE(Upsert(Clinic("稲城", "132250", 35.635, 139.50, {"home_visit_medical"})).ok());
  v1::Resource serving = Clinic("調布", "132080", 35.652, 139.541, {"dementia"});
  serving.add_service_area("132250");
  ASSERT_TRUE(Upsert(serving).ok());
  ASSERT_TRUE(Upsert(Clinic("柏", "122173", 35.867, 139.975, {"parkinsons"})).ok());
  v1::GetGapReportRequest req;
  req.set_municipality_code("132250");
  req.add_capabilities("home_visit_medical");
  req.add_capabilities("dementia");
  req.add_capabilities("parkinsons");
  auto report = dir_->GapReport(req);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->municipality_name(), "稲城市");
  EXPECT_THAT(report->gaps(), ElementsAre("parkinsons"));
  EXPECT_EQ(report->coverage(0).located_in(), 1);
  EXPECT_EQ(report->coverage(1).serving(), 1);
  EXPECT_EQ(report->coverage(2).nearest_outside().name(), "柏");
  EXPECT_GT(report->coverage(2).nearest_outside().distance_km(), 40);
  req.set_municipality_code("");
  EXPECT_THAT(dir_->GapReport(req).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(DirectoryTest, GapReportCoversCombinationsAsNeedsAskForThem) {
  // Inagi has a Parkinson's clinic and a home-visit clinic, but none doing both.
  ASSERT_TRUE(Upsert(Clinic("稲城脳神経", "132250", 35.636, 139.50, {"parkinsons"})).ok());
  ASSERT_TRUE(Upsert(Clinic("稲城在宅", "132250", 35.635, 139.50, {"home_visit_medical"})).ok());
  ASSERT_TRUE(
      Upsert(Clinic("柏", "122173", 35.867, 139.975, {"home_visit_medical", "parkinsons"})).ok());
  v1::GetGapReportRequest req;
  req.set_municipality_code("132250");
  auto* both = req.add_combinations();
  both->add_capabilities("parkinsons");
  both->add_capabilities("home_visit_medical");
  req.add_combinations()->add_capabilities("parkinsons");
  auto report = dir_->GapReport(req);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->coverage_size(), 0);  // combinations only: no vocabulary-wide listing
  ASSERT_EQ(report->combinations_size(), 2);
  const auto& gap = report->combinations(0);
  EXPECT_THAT(gap.combination(), ElementsAre("parkinsons", "home_visit_medical"));
  EXPECT_EQ(gap.capability(), "parkinsons+home_visit_medical");
  EXPECT_EQ(gap.label_ja(), "パーキンソン病＋訪問診療");
  EXPECT_TRUE(gap.gap());
  EXPECT_EQ(gap.nearest_outside().name(), "柏");
  EXPECT_FALSE(report->combinations(1).gap());
  EXPECT_EQ(report->combinations(1).located_in(), 1);

  both->add_capabilities("no_such_thing");
  EXPECT_EQ(common::FieldViolationsOf(dir_->GapReport(req).status())[0].first,
            "combinations[0].capabilities[2]");
  req.clear_combinations();
  req.add_combinations();
  EXPECT_EQ(common::FieldViolationsOf(dir_->GapReport(req).status())[0].first,
            "combinations[0].capabilities");
}

TEST_F(DirectoryTest, CapabilitiesCarryTheirProvenanceAndVerifiedOnesRankFirst) {
  // Nearer, but its Parkinson's care is only inferred from its name.
  v1::Resource inferred =
      Clinic("近くの脳神経内科", "132250", 35.636, 139.50, {"parkinsons", "home_visit_medical"});
  auto* p = inferred.add_capability_provenance();
  p->set_capability("parkinsons");
  p->set_source(v1::CAPABILITY_SOURCE_NAME);
  p = inferred.add_capability_provenance();
  p->set_capability("home_visit_medical");
  p->set_source(v1::CAPABILITY_SOURCE_NAME);
  ASSERT_TRUE(Upsert(inferred).ok());
  // Farther, surveyed.
  v1::Resource surveyed =
      Clinic("遠くの在宅クリニック", "132250", 35.62, 139.47, {"home_visit_medical", "parkinsons"});
  p = surveyed.add_capability_provenance();
  p->set_capability("parkinsons");
  p->set_source(v1::CAPABILITY_SOURCE_SURVEY);
  *p->mutable_as_of() = common::DateFromNumber(20261101);
  auto stored = Upsert(surveyed);
  ASSERT_TRUE(stored.ok()) << stored.status();
  // The capability given without a source is the caller's confirmation, today.
  const auto& prov = stored->resource().capability_provenance();
  ASSERT_EQ(prov.size(), 2);
  EXPECT_EQ(prov[0].capability(), "home_visit_medical");
  EXPECT_EQ(prov[0].source(), v1::CAPABILITY_SOURCE_COORDINATOR);
  EXPECT_EQ(common::DateNumber(prov[0].as_of()),
            common::DateNumber(common::TokyoDate(clock_.NowMicros())));
  EXPECT_EQ(prov[1].source(), v1::CAPABILITY_SOURCE_SURVEY);
  EXPECT_EQ(common::DateNumber(prov[1].as_of()), 20261101);

  v1::SearchResourcesRequest q;
  q.add_capabilities("parkinsons");
  q.add_capabilities("home_visit_medical");
  q.set_municipality_code("132250");
  auto hits = dir_->Search(q);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->hits_size(), 2);
  EXPECT_EQ(hits->hits(0).resource().name(), "遠くの在宅クリニック");
  EXPECT_TRUE(hits->hits(0).verified());
  EXPECT_GT(hits->hits(0).distance_km(), hits->hits(1).distance_km());
  EXPECT_FALSE(hits->hits(1).verified());
  EXPECT_THAT(hits->hits(1).reasons(), ::testing::Contains("inferred:parkinsons"));
  // Without capabilities asked, distance alone orders them.
  q.clear_capabilities();
  EXPECT_EQ(dir_->Search(q)->hits(0).resource().name(), "近くの脳神経内科");

  // Saving the surveyed resource again without provenance keeps what is stored.
  v1::Resource again = stored->resource();
  again.clear_capability_provenance();
  auto resaved = Upsert(again, stored->resource().version());
  ASSERT_TRUE(resaved.ok());
  EXPECT_EQ(resaved->resource().capability_provenance(1).source(), v1::CAPABILITY_SOURCE_SURVEY);

  // A provenance entry for a capability the resource does not have is refused, by name.
  v1::Resource bad = inferred;
  bad.clear_id();
  bad.set_name("別の診療所");
  p = bad.add_capability_provenance();
  p->set_capability("dementia");
  p->set_source(v1::CAPABILITY_SOURCE_SURVEY);
  EXPECT_EQ(common::FieldViolationsOf(Upsert(bad).status())[0].first,
            "resource.capability_provenance[2].capability");
  v1::Resource bad_liaison = inferred;
  bad_liaison.clear_id();
  bad_liaison.mutable_liaison()->set_email("not an address");
  bad_liaison.mutable_liaison()->set_phone("ext. 12");
  auto refused = Upsert(bad_liaison);
  std::vector<std::string> fields;
  for (const auto& [field, why] : common::FieldViolationsOf(refused.status()))
    fields.push_back(field);
  EXPECT_THAT(fields, ElementsAre("resource.liaison.phone", "resource.liaison.email"));
}

TEST_F(DirectoryTest, TheStaleListTakesResourcesNotVerifiedWithinTheMonths) {
  clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261207)));
  v1::Resource recent = Clinic("最近確認", "132250", 35.636, 139.50, {});
  recent.mutable_source()->set_system("manual");
  recent.mutable_source()->set_source_id("a");
  *recent.mutable_source()->mutable_last_verified() = common::DateFromNumber(20260601);
  v1::Resource old = recent;
  old.set_name("古い確認");
  old.mutable_source()->set_source_id("b");
  *old.mutable_source()->mutable_last_verified() = common::DateFromNumber(20250101);
  v1::Resource never = Clinic("未確認", "132250", 35.636, 139.50, {});
  for (const auto& r : {recent, old, never}) ASSERT_TRUE(Upsert(r).ok());
  v1::SearchResourcesRequest q;
  q.set_municipality_code("132250");
  q.set_not_verified_within_months(12);
  auto stale = dir_->Search(q);
  ASSERT_TRUE(stale.ok()) << stale.status();
  std::vector<std::string> names;
  for (const auto& h : stale->hits()) names.push_back(h.resource().name());
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("古い確認", "未確認"));
  q.set_not_verified_within_months(3);
  EXPECT_EQ(dir_->Search(q)->total_matches(), 3);
  q.set_not_verified_within_months(121);
  EXPECT_EQ(common::FieldViolationsOf(dir_->Search(q).status())[0].first,
            "not_verified_within_months");
}

const char kNursingHeader[] =
    "office_number,name,address,lat,lon,prefecture_code,municipality_code_derived\n";

TEST_F(DirectoryTest, StrictImportWritesNothingWhenARowIsBad) {
  std::string csv = std::string(kNursingHeader) +
                    "1360190001,稲城訪問看護,稲城市東長沼1,35.63,139.50,13,132250\n"
                    "1360190002,,稲城市東長沼2,35.63,139.50,13,132250\n"
                    "1360190003,悪いコード,稲城市,35.63,139.50,13,132251\n"
                    "1360190004,北海道にある,稲城市,43.06,141.35,13,132250\n";
  auto summary = Import(csv, /*partial=*/false);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_FALSE(summary->committed());
  EXPECT_EQ(summary->rows_total(), 4);
  EXPECT_EQ(summary->rejected(), 3);
  ASSERT_EQ(summary->errors_size(), 3);
  EXPECT_EQ(summary->errors(0).line(), 3);
  EXPECT_EQ(summary->errors(0).reason(), v1::ROW_ERROR_REASON_MISSING_NAME);
  EXPECT_EQ(summary->errors(1).line(), 4);
  EXPECT_EQ(summary->errors(1).reason(), v1::ROW_ERROR_REASON_BAD_MUNICIPALITY_CODE);
  EXPECT_EQ(summary->errors(1).column(), "municipality_code_derived");
  EXPECT_EQ(summary->errors(2).line(), 5);
  EXPECT_EQ(summary->errors(2).reason(), v1::ROW_ERROR_REASON_COORDINATES_OUTSIDE_PREFECTURE);
  EXPECT_EQ(StoredResources(), 0);
  EXPECT_EQ(OutboxRecords(), 0);

  auto partial = Import(csv, /*partial=*/true);
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(partial->committed());
  EXPECT_EQ(partial->inserted(), 1);
  EXPECT_EQ(partial->rejected(), 3);
  EXPECT_EQ(StoredResources(), 1);
}

TEST_F(DirectoryTest, ReimportChangesNothingAndProgressAcknowledgesCommittedRows) {
  std::string csv = std::string(kNursingHeader);
  for (int i = 0; i < 5; ++i) {
    csv += "13601900" + std::to_string(10 + i) + ",ステーション" + std::to_string(i) + ",稲城市," +
           "35.63,139.50,13,132250\n";
  }
  std::vector<v1::ImportProgress> progress;
  auto first = Import(csv, true, v1::TEXT_ENCODING_UNSPECIFIED, &progress);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->inserted(), 5);
  ASSERT_GE(progress.size(), 3u);  // batches of 2 rows
  EXPECT_EQ(progress[0].rows_committed(), 2);
  EXPECT_EQ(progress[0].committed_through_line(), 3);
  EXPECT_EQ(progress.back().rows_committed(), 5);
  const int outbox_after_first = OutboxRecords();
  EXPECT_EQ(outbox_after_first, 5);

  auto again = Import(csv, true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted(), 0);
  EXPECT_EQ(again->updated(), 0);
  EXPECT_EQ(again->unchanged(), 5);
  EXPECT_EQ(OutboxRecords(), outbox_after_first);

  // Reopen: the index is rebuilt from the store.
  Open();
  EXPECT_EQ(dir_->size(), 5u);
}

TEST_F(DirectoryTest, ShiftJisAndBomFilesImport) {
  std::string utf8 = std::string(kNursingHeader) +
                     "1360190099,いなぎ訪問看護ステーション,稲城市,35.63,139.50,13,132250\n";
  // Encode to CP932 with iconv (the reverse direction of the importer).
  iconv_t cd = iconv_open("CP932", "UTF-8");
  std::string sjis(utf8.size() * 2, '\0');
  char* in = utf8.data();
  size_t in_left = utf8.size();
  char* out = sjis.data();
  size_t out_left = sjis.size();
  ASSERT_NE(iconv(cd, &in, &in_left, &out, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  sjis.resize(sjis.size() - out_left);
  ASSERT_FALSE(common::IsValidUtf8(sjis));

  auto summary = Import(sjis, false);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->encoding(), v1::TEXT_ENCODING_SHIFT_JIS);
  EXPECT_EQ(summary->inserted(), 1);
  v1::SearchResourcesRequest q;
  q.set_text("いなぎ訪問看護");
  auto found = dir_->Search(q);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->hits_size(), 1);
  EXPECT_EQ(found->hits(0).resource().name(), "いなぎ訪問看護ステーション");

  auto bom = Import("\xEF\xBB\xBF" + utf8, false);
  ASSERT_TRUE(bom.ok()) << bom.status();
  EXPECT_EQ(bom->encoding(), v1::TEXT_ENCODING_UTF8);
  EXPECT_EQ(bom->unchanged(), 1);
}

TEST_F(DirectoryTest, ExportedCsvImportsBackUnchanged) {
  v1::Resource a = Clinic("稲城, \"在宅\" クリニック", "132250", 35.6351234, 139.5012345,
                          {"home_visit_medical", "parkinsons"});
  a.add_service_area("132080");
  a.set_note("一行目\n二行目");
  ASSERT_TRUE(Upsert(a).ok());
  ASSERT_TRUE(Upsert(Clinic("調布", "132080", 35.65, 139.54, {})).ok());
  std::string exported;
  int64_t rows = 0;
  ASSERT_TRUE(dir_->Export({},
                           [&](const std::string& chunk, int64_t n) {
                             exported += chunk;
                             rows += n;
                             return true;
                           })
                  .ok());
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(exported.substr(0, 3), "\xEF\xBB\xBF");
  auto summary = Import(exported, false);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->format(), v1::IMPORT_FORMAT_PROJECT_CSV);
  EXPECT_EQ(summary->unchanged(), 2);
  EXPECT_EQ(summary->inserted() + summary->updated() + summary->rejected(), 0);

  v1::ExportResourcesRequest fhir;
  fhir.set_format(v1::EXPORT_FORMAT_FHIR_R4_NDJSON);
  fhir.set_municipality_code("132250");
  std::string ndjson;
  ASSERT_TRUE(dir_->Export(fhir,
                           [&](const std::string& chunk, int64_t) {
                             ndjson += chunk;
                             return true;
                           })
                  .ok());
  // One resource: its Organization, Location and HealthcareService, ids without '_'.
  EXPECT_EQ(std::count(ndjson.begin(), ndjson.end(), '\n'), 3);
  EXPECT_THAT(ndjson, HasSubstr("\"resourceType\":\"Organization\""));
  EXPECT_THAT(ndjson, HasSubstr("\"resourceType\":\"Location\""));
  EXPECT_THAT(ndjson, HasSubstr("\"resourceType\":\"HealthcareService\""));
  EXPECT_THAT(ndjson, HasSubstr("\"code\":\"parkinsons\",\"display\":\"パーキンソン病\""));
  EXPECT_THAT(ndjson, Not(HasSubstr("res_")));
  EXPECT_THAT(ndjson, HasSubstr("\"reference\":\"Organization/res-"));
}

}  // namespace
}  // namespace renkei::directory
