#include "search_index.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/ids.h"
#include "renkei/common/text.h"

namespace renkei::directory {
namespace {

using ::testing::ElementsAre;

class SearchIndexTest : public ::testing::Test {
 protected:
  v1::Resource Make(const std::string& key, const std::string& name, const std::string& kana,
                    const std::string& municipality, double lat, double lon,
                    std::vector<std::string> caps, std::vector<std::string> serves = {}) {
    v1::Resource r;
    r.set_id(common::DeterministicId("res", key));
    r.set_kind(v1::RESOURCE_KIND_CLINIC);
    r.set_name(name);
    r.set_name_kana(kana);
    r.set_address("東京都" + name);
    r.set_municipality_code(municipality);
    r.mutable_location()->set_latitude(lat);
    r.mutable_location()->set_longitude(lon);
    r.set_location_precision(v1::LOCATION_PRECISION_EXACT);
    for (auto& c : caps) r.add_capabilities(c);
    for (auto& s : serves) r.add_service_area(s);
    index_.Upsert(r);
    return r;
  }
  std::vector<std::string> Ids(const IndexPage& page) {
    std::vector<std::string> out;
    for (const auto& h : page.hits) out.push_back(h.id);
    return out;
  }
  int Cap(const char* code) { return vocab_.IndexOf(code); }

  CapabilityVocabulary vocab_;
  SearchIndex index_{&vocab_};
};

TEST_F(SearchIndexTest, AllCapabilitiesAndTheAreaMustMatchLocatedBeforeServing) {
  auto inside = Make("a", "稲城内科", "イナギナイカ", "132250", 35.638, 139.504, {"home_visit_medical"});
  auto serving = Make("b", "調布在宅", "チョウフザイタク", "132080", 35.652, 139.541,
                      {"home_visit_medical", "parkinsons"}, {"132250"});
  auto both_inside = Make("c", "若葉台クリニック", "ワカバダイ", "132250", 35.617, 139.471,
                          {"home_visit_medical", "parkinsons"});
  Make("d", "府中神経", "フチュウ", "132063", 35.669, 139.477, {"parkinsons"});

  SearchQuery q;
  q.capabilities = {Cap("home_visit_medical"), Cap("parkinsons")};
  q.municipality = 132250;
  auto page = index_.Search(q, 0, 10);
  EXPECT_EQ(page.total, 2);
  EXPECT_THAT(Ids(page), ElementsAre(both_inside.id(), serving.id()));
  EXPECT_EQ(page.hits[0].relation, v1::AREA_RELATION_LOCATED_IN);
  EXPECT_EQ(page.hits[1].relation, v1::AREA_RELATION_SERVES);
  EXPECT_THAT(page.hits[1].reasons, ElementsAre("capability:home_visit_medical",
                                                "capability:parkinsons", "serves:132250"));
  q.include_serving = false;
  EXPECT_THAT(Ids(index_.Search(q, 0, 10)), ElementsAre(both_inside.id()));
}

TEST_F(SearchIndexTest, OutsideQueryRanksByDistanceAndExcludesTheArea) {
  Make("in", "稲城", "イナギ", "132250", 35.638, 139.504, {"parkinsons"});
  auto near = Make("near", "調布", "チョウフ", "132080", 35.652, 139.541, {"parkinsons"});
  auto far = Make("far", "柏", "カシワ", "122173", 35.867, 139.975, {"parkinsons"});
  auto serves = Make("serves", "府中", "フチュウ", "132063", 35.669, 139.477, {"parkinsons"}, {"132250"});
  (void)serves;
  SearchQuery q;
  q.capabilities = {Cap("parkinsons")};
  q.exclude_municipality = 132250;
  q.reference = std::make_pair(35.638, 139.504);
  auto page = index_.Search(q, 0, 10);
  ASSERT_THAT(Ids(page), ElementsAre(near.id(), far.id()));
  EXPECT_EQ(page.hits[0].relation, v1::AREA_RELATION_OUTSIDE);
  EXPECT_NEAR(*page.hits[0].distance_km, 3.7, 0.5);
  EXPECT_NEAR(*page.hits[1].distance_km, 48, 3);
  q.max_distance_km = 10;
  EXPECT_THAT(Ids(index_.Search(q, 0, 10)), ElementsAre(near.id()));
}

TEST_F(SearchIndexTest, TextMatchesAcrossScriptsAndWidthsAndRanksNameFirst) {
  auto kana_only = Make("k", "稲城在宅療養クリニック", "イナギザイタクリョウヨウクリニック", "132250", 35.6,
                        139.5, {});
  auto name_match = Make("n", "いなぎ", "イナギ", "132250", 35.6, 139.5, {});
  SearchQuery q;
  q.text = common::NormalizeForSearch("ｲﾅｷﾞ");
  auto page = index_.Search(q, 0, 10);
  EXPECT_THAT(Ids(page), ElementsAre(name_match.id(), kana_only.id()));
  EXPECT_THAT(page.hits[0].reasons, ElementsAre("text:name"));
  EXPECT_THAT(page.hits[1].reasons, ElementsAre("text:kana"));
  q.text = common::NormalizeForSearch("在宅療養");
  EXPECT_THAT(Ids(index_.Search(q, 0, 10)), ElementsAre(kana_only.id()));
  q.text = common::NormalizeForSearch("存在しない");
  EXPECT_EQ(index_.Search(q, 0, 10).total, 0);
}

TEST_F(SearchIndexTest, UpdatesReplaceAndRemovalsDisappearAcrossCompaction) {
  for (int i = 0; i < 3000; ++i) {
    Make("x" + std::to_string(i % 500), "施設" + std::to_string(i % 500), "シセツ", "132250", 35.6,
         139.5, {i % 2 ? "dementia" : "palliative_care"});
  }
  EXPECT_EQ(index_.size(), 500u);
  SearchQuery q;
  q.capabilities = {Cap("dementia")};
  // The last write of each key wins: keys 0..499 were last written at i = 2500..2999.
  EXPECT_EQ(index_.Search(q, 0, 1).total, 250);
  index_.Remove(common::DeterministicId("res", "x1"));
  EXPECT_EQ(index_.Search(q, 0, 1).total, 249);
  EXPECT_EQ(index_.size(), 499u);
}

TEST_F(SearchIndexTest, PagesAreDisjointAndCoverEverything) {
  for (int i = 0; i < 45; ++i) {
    Make("p" + std::to_string(i), "医院" + std::to_string(i), "イイン" + std::to_string(100 + i),
         "132250", 35.6, 139.5, {"dementia"});
  }
  SearchQuery q;
  q.capabilities = {Cap("dementia")};
  std::set<std::string> seen;
  for (int offset = 0; offset < 45; offset += 20) {
    auto page = index_.Search(q, offset, 20);
    EXPECT_EQ(page.total, 45);
    for (const auto& h : page.hits) EXPECT_TRUE(seen.insert(h.id).second);
  }
  EXPECT_EQ(seen.size(), 45u);
}

TEST_F(SearchIndexTest, GapHelpersCountLocatedAndServing) {
  Make("a", "A", "", "132250", 35.6, 139.5, {"dementia"});
  Make("b", "B", "", "132080", 35.65, 139.54, {"dementia", "parkinsons"}, {"132250"});
  Make("c", "C", "", "122173", 35.86, 139.97, {"ventilator"});
  EXPECT_EQ(index_.CountLocated(132250, Cap("dementia")), 1);
  EXPECT_EQ(index_.CountServingOnly(132250, Cap("dementia")), 1);
  EXPECT_EQ(index_.CountLocated(132250, Cap("parkinsons")), 0);
  auto nearest = index_.NearestOutside(Cap("ventilator"), 132250, 35.638, 139.504);
  ASSERT_TRUE(nearest);
  EXPECT_EQ(nearest->id, common::DeterministicId("res", "c"));
  EXPECT_FALSE(index_.NearestOutside(Cap("tracheostomy"), 132250, 35.638, 139.504));
}

}  // namespace
}  // namespace renkei::directory
