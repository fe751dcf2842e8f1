#include "search_index.h"

#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/common/text.h"
#include "resource_rules.h"

namespace renkei::directory {
namespace {

using ::testing::ElementsAre;

class SearchIndexTest : public ::testing::Test {
 protected:
  v1::Resource Make(const std::string& key, const std::string& name, const std::string& kana,
                    const std::string& municipality, double lat, double lon,
                    const std::vector<std::string>& caps,
                    const std::vector<std::string>& serves = {}) {
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
  auto inside =
      Make("a", "稲城内科", "イナギナイカ", "132250", 35.638, 139.504, {"home_visit_medical"});
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
  // Resources without recorded provenance: their capabilities count as inferred.
  EXPECT_THAT(page.hits[1].reasons,
              ElementsAre("capability:home_visit_medical", "capability:parkinsons",
                          "inferred:home_visit_medical", "inferred:parkinsons", "serves:132250"));
  EXPECT_FALSE(page.hits[1].verified);
  q.include_serving = false;
  EXPECT_THAT(Ids(index_.Search(q, 0, 10)), ElementsAre(both_inside.id()));
}

TEST_F(SearchIndexTest, OutsideQueryRanksByDistanceAndExcludesTheArea) {
  Make("in", "稲城", "イナギ", "132250", 35.638, 139.504, {"parkinsons"});
  auto near = Make("near", "調布", "チョウフ", "132080", 35.652, 139.541, {"parkinsons"});
  auto far = Make("far", "柏", "カシワ", "122173", 35.867, 139.975, {"parkinsons"});
  auto serves =
      Make("serves", "府中", "フチュウ", "132063", 35.669, 139.477, {"parkinsons"}, {"132250"});
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
  auto kana_only = Make("k", "稲城在宅療養クリニック", "イナギザイタクリョウヨウクリニック",
                        "132250", 35.6, 139.5, {});
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
  EXPECT_EQ(index_.CountLocated(132250, {Cap("dementia")}), 1);
  EXPECT_EQ(index_.CountServingOnly(132250, {Cap("dementia")}), 1);
  EXPECT_EQ(index_.CountLocated(132250, {Cap("parkinsons")}), 0);
  auto nearest = index_.NearestOutside({Cap("ventilator")}, 132250, 35.638, 139.504);
  ASSERT_TRUE(nearest);
  EXPECT_EQ(nearest->id, common::DeterministicId("res", "c"));
  EXPECT_FALSE(index_.NearestOutside({Cap("tracheostomy")}, 132250, 35.638, 139.504));
}

}  // namespace
}  // namespace renkei::directory

namespace renkei::directory {
namespace {

// The index against a brute-force evaluation of the same query semantics, on random documents
// and random queries: drivers, grid rings, text tiers and top-k selection must not change what a
// query answers, only how fast.
class SearchIndexOracleTest : public ::testing::Test {
 protected:
  struct Doc {
    v1::Resource r;
    std::string name, kana, address;
  };

  static uint64_t Prefix(const std::string& s) {
    uint64_t k = 0;
    for (size_t i = 0; i < 8; ++i)
      k = (k << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0);
    return k;
  }
  static float Approx(double lat1, double lon1, double lat2, double lon2) {
    double x = (lon2 - lon1) * (M_PI / 180) * std::cos((lat1 + lat2) * 0.5 * (M_PI / 180));
    double y = (lat2 - lat1) * (M_PI / 180);
    return static_cast<float>(std::sqrt(x * x + y * y) * 6371.0088);
  }

  void Build(int n, std::mt19937_64& rng) {
    static const char* kTokens[] = {"さくら", "ｻｸﾗ",  "中央", "駅前", "在宅", "クリニック",
                                    "医院",   "稲城", "調布", "ケア", "ア",   "訪問看護"};
    static const char* kMunis[] = {"132250", "132080", "132063", "131016", "122173", "141071"};
    for (int i = 0; i < n; ++i) {
      Doc d;
      v1::Resource& r = d.r;
      r.set_id(common::DeterministicId("res", "oracle" + std::to_string(i)));
      r.set_kind(static_cast<v1::ResourceKind>(1 + rng() % 3));
      r.set_name(std::string(kTokens[rng() % 12]) + kTokens[rng() % 12] + kTokens[rng() % 12]);
      if (rng() % 2) r.set_name_kana(std::string(kTokens[rng() % 12]) + kTokens[rng() % 12]);
      r.set_address(std::string(kTokens[rng() % 12]) + std::to_string(rng() % 50));
      const char* m = kMunis[rng() % 6];
      r.set_municipality_code(m);
      if (rng() % 10) {
        r.mutable_location()->set_latitude(35.3 + (rng() % 10000) / 10000.0);
        r.mutable_location()->set_longitude(139.2 + (rng() % 10000) / 10000.0);
        r.set_location_precision(v1::LOCATION_PRECISION_EXACT);
      }
      for (const char* c : {"dementia", "parkinsons", "home_visit_medical"}) {
        if (rng() % 3 != 0) continue;
        r.add_capabilities(c);
        auto* p = r.add_capability_provenance();
        p->set_capability(c);
        static const v1::CapabilitySource kSources[] = {
            v1::CAPABILITY_SOURCE_UNSPECIFIED, v1::CAPABILITY_SOURCE_NAME,
            v1::CAPABILITY_SOURCE_SURVEY, v1::CAPABILITY_SOURCE_KIND};
        p->set_source(kSources[rng() % 4]);
      }
      if (rng() % 2) {
        *r.mutable_source()->mutable_last_verified() = common::DateFromNumber(
            20240101 + static_cast<int>(rng() % 3) * 10000 + static_cast<int>(rng() % 12) * 100);
      }
      if (rng() % 5 == 0) r.add_service_area(kMunis[rng() % 6]);
      if (r.service_area_size() && r.service_area(0) == r.municipality_code())
        r.clear_service_area();
      if (rng() % 2) r.set_accepting_new_patients(v1::ACCEPTANCE_ACCEPTING);
      d.name = common::NormalizeForSearch(r.name());
      d.kana = common::NormalizeForSearch(r.name_kana());
      d.address = common::NormalizeForSearch(r.address());
      index_.Upsert(r);
      docs_.push_back(std::move(d));
    }
  }

  // Brute force: every document, every condition, the documented order.
  IndexPage Oracle(const SearchQuery& q, int offset, int limit) {
    struct E {
      uint64_t key;
      size_t doc;
    };
    std::vector<E> all;
    for (size_t i = 0; i < docs_.size(); ++i) {
      const v1::Resource& r = docs_[i].r;
      auto has_cap = [&](int c) {
        for (const auto& x : r.capabilities()) {
          if (vocab_.IndexOf(x) == c) return true;
        }
        return false;
      };
      bool ok = true;
      for (int c : q.capabilities) ok = ok && has_cap(c);
      if (!q.kinds.empty()) ok = ok && std::count(q.kinds.begin(), q.kinds.end(), r.kind()) > 0;
      uint32_t muni = MunicipalityNumber(r.municipality_code());
      bool serves_q = false, serves_x = false;
      for (const auto& s : r.service_area()) {
        serves_q |= MunicipalityNumber(s) == q.municipality;
        serves_x |= MunicipalityNumber(s) == q.exclude_municipality;
      }
      if (q.municipality) ok = ok && (muni == q.municipality || (q.include_serving && serves_q));
      if (q.exclude_municipality) ok = ok && muni != q.exclude_municipality && !serves_x;
      if (q.prefecture) ok = ok && static_cast<int>(muni / 10000) == q.prefecture;
      if (q.accepting_only) ok = ok && r.accepting_new_patients() == v1::ACCEPTANCE_ACCEPTING;
      if (q.verified_before) {
        ok = ok && common::DateNumber(r.source().last_verified()) < q.verified_before;
      }
      // Verified: every capability asked has a verified source.
      uint64_t unverified = 0;
      for (int c : q.capabilities) {
        for (const auto& p : r.capability_provenance()) {
          if (vocab_.IndexOf(p.capability()) == c && !IsVerified(p.source())) unverified = 1;
        }
      }
      int rank = 0;
      if (!q.text.empty()) {
        const Doc& d = docs_[i];
        if (d.name.rfind(q.text, 0) == 0)
          rank = d.name == q.text ? 0 : 1;
        else if (d.name.find(q.text) != std::string::npos)
          rank = 2;
        else if (d.kana.find(q.text) != std::string::npos)
          rank = 3;
        else if (d.address.find(q.text) != std::string::npos)
          rank = 4;
        else
          ok = false;
      }
      float dist = std::numeric_limits<float>::infinity();
      bool loc = r.has_location();
      if (q.reference && loc) {
        dist = Approx(q.reference->first, q.reference->second,
                      static_cast<float>(r.location().latitude()),
                      static_cast<float>(r.location().longitude()));
      }
      if (q.max_distance_km > 0) ok = ok && dist <= q.max_distance_km;
      if (!ok) continue;
      const std::string& sk = docs_[i].kana.empty() ? docs_[i].name : docs_[i].kana;
      uint64_t relation = q.municipality && muni != q.municipality ? 1 : 0;
      uint64_t key = (relation << 63) | (static_cast<uint64_t>(rank) << 60) | (unverified << 59);
      if (q.reference) {
        double steps = std::isinf(dist) ? 16777215.0 : std::min(16777215.0, dist * 100.0);
        key |= (static_cast<uint64_t>(steps) << 35) | (Prefix(sk) >> 29);
      } else {
        key |= Prefix(sk) >> 5;
      }
      all.push_back({key, i});
    }
    std::sort(all.begin(), all.end(), [](const E& a, const E& b) {
      return a.key != b.key ? a.key < b.key : a.doc < b.doc;
    });
    IndexPage page;
    page.total = static_cast<int>(all.size());
    for (int i = offset; i < offset + limit && i < page.total; ++i) {
      IndexHit h;
      h.id = docs_[all[i].doc].r.id();
      page.hits.push_back(h);
    }
    return page;
  }

  CapabilityVocabulary vocab_;
  SearchIndex index_{&vocab_};
  std::vector<Doc> docs_;
};

TEST_F(SearchIndexOracleTest, RandomQueriesAnswerExactlyLikeBruteForce) {
  std::mt19937_64 rng(20261124);
  Build(30000, rng);  // more than the 20,000 that switch nearest-first queries to grid rings
  static const char* kTexts[] = {"さくら",         "ア",           "クリ",  "クリニック", "中央駅",
                                 "在宅ケ",         "訪問看護",     "稲",    "ｹｱ",         "1",
                                 "クリニック医院", "さくらさくら", "看護ケ"};
  static const uint32_t kMunis[] = {132250, 132080, 131016, 141071};
  for (int iter = 0; iter < 1500; ++iter) {
    SearchQuery q;
    if (rng() % 3 == 0) {
      q.capabilities.push_back(vocab_.IndexOf(rng() % 2 ? "dementia" : "parkinsons"));
      // Several: the index intersects their lists first; an unknown one matches nothing.
      if (rng() % 2)
        q.capabilities.push_back(vocab_.IndexOf(rng() % 2 ? "home_visit_medical" : "dementia"));
      if (rng() % 20 == 0) q.capabilities.push_back(-1);
    }
    if (rng() % 4 == 0) q.kinds.push_back(static_cast<int>(1 + rng() % 3));
    if (rng() % 3 == 0) {
      q.municipality = kMunis[rng() % 4];
      q.include_serving = rng() % 2;
    } else if (rng() % 6 == 0) {
      q.exclude_municipality = kMunis[rng() % 4];
    }
    if (rng() % 8 == 0) q.prefecture = rng() % 2 ? 13 : 14;
    if (rng() % 2) {
      q.reference = std::make_pair(35.3 + (rng() % 1000) / 1000.0, 139.2 + (rng() % 1000) / 1000.0);
      if (rng() % 3 == 0) q.max_distance_km = 1 + rng() % 60;
    }
    if (rng() % 2) q.text = common::NormalizeForSearch(kTexts[rng() % 13]);
    q.accepting_only = rng() % 5 == 0;
    if (rng() % 6 == 0) q.verified_before = 20250101 + static_cast<int>(rng() % 2) * 10000;
    int offset = rng() % 3 == 0 ? 20 : 0;
    IndexPage got = index_.Search(q, offset, 20);
    IndexPage want = Oracle(q, offset, 20);
    ASSERT_EQ(got.total, want.total) << "query " << iter << " text=" << q.text;
    ASSERT_EQ(got.hits.size(), want.hits.size()) << "query " << iter;
    for (size_t i = 0; i < got.hits.size(); ++i) {
      ASSERT_EQ(got.hits[i].id, want.hits[i].id) << "query " << iter << " position " << i;
    }
  }
}

}  // namespace
}  // namespace renkei::directory
