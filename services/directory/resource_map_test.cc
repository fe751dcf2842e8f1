#include "resource_map.h"

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "resource_store.h"
#include "testing.h"

namespace renkei::directory {
namespace {

using renkei::testing::HasViolation;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ResourceMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261207)));
    directory_ = std::make_unique<Directory>(domain_.store.get(), domain_.outbox.get(),
                                             common::EventSource{"m132250", &clock_}, &vocab_,
                                             DirectoryOptions{}, &clock_);
    ASSERT_TRUE(directory_->LoadIndex().ok());
    maps_ = std::make_unique<ResourceMapBuilder>(directory_.get(), &vocab_);
  }

  v1::Resource Add(const std::string& name, v1::ResourceKind kind, const std::string& code,
                   const std::string& address, double lat, double lon,
                   const std::vector<std::pair<std::string, v1::CapabilitySource>>& caps) {
    v1::UpsertResourceRequest req;
    auto* r = req.mutable_resource();
    r->set_kind(kind);
    r->set_name(name);
    r->set_address(address);
    r->set_municipality_code(code);
    r->mutable_location()->set_latitude(lat);
    r->mutable_location()->set_longitude(lon);
    for (const auto& [c, source] : caps) {
      r->add_capabilities(c);
      auto* p = r->add_capability_provenance();
      p->set_capability(c);
      p->set_source(source);
    }
    auto out = directory_->Upsert(req);
    EXPECT_TRUE(out.ok()) << out.status();
    return out->resource();
  }

  std::vector<std::string> Names(const v1::ResourceMap& map) {
    std::vector<std::string> out;
    for (const auto& r : map.resources()) out.push_back(r.name());
    return out;
  }

  renkei::testing::TempDir tmp_;
  renkei::testing::DomainStore domain_{tmp_.Sub("db"), ResourceStore::ColumnFamilies()};
  common::FakeClock clock_;
  CapabilityVocabulary vocab_;
  std::unique_ptr<Directory> directory_;
  std::unique_ptr<ResourceMapBuilder> maps_;
};

TEST_F(ResourceMapTest, PublicFieldsOnlyNearestFirstFromTheOffice) {
  v1::Resource clinic = Add("矢野口の診療所", v1::RESOURCE_KIND_CLINIC, "132250",
                            "東京都稲城市矢野口1", 35.6400, 139.5100,
                            {{"home_visit_medical", v1::CAPABILITY_SOURCE_SURVEY},
                             {"parkinsons", v1::CAPABILITY_SOURCE_NAME}});
  Add("東長沼の訪問看護", v1::RESOURCE_KIND_VISITING_NURSE_STATION, "132250",
      "東京都稲城市東長沼2111", 35.6381, 139.5046,
      {{"home_visit_nursing", v1::CAPABILITY_SOURCE_KIND}});
  Add("調布の診療所", v1::RESOURCE_KIND_CLINIC, "132080", "東京都調布市1", 35.65, 139.54, {});
  // A Chofu station visiting Inagi too.
  {
    v1::UpsertResourceRequest serving;
    auto* r = serving.mutable_resource();
    r->set_kind(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
    r->set_name("調布の訪問看護");
    r->set_address("東京都調布市2");
    r->set_municipality_code("132080");
    r->add_service_area("132250");
    r->mutable_location()->set_latitude(35.652);
    r->mutable_location()->set_longitude(139.541);
    ASSERT_TRUE(directory_->Upsert(serving).ok());
  }
  // Internal liaison and a note: never on the map.
  v1::UpsertResourceRequest edit;
  *edit.mutable_resource() = clinic;
  edit.set_expected_version(clinic.version());
  edit.mutable_resource()->set_note("内部メモ");
  edit.mutable_resource()->mutable_liaison()->set_department("院内専用窓口");
  edit.mutable_resource()->mutable_liaison()->set_internal(true);
  edit.mutable_resource()->mutable_contact()->set_phone("042-000-0000");
  ASSERT_TRUE(directory_->Upsert(edit).ok());

  v1::GetResourceMapRequest req;
  req.set_municipality_code("132250");
  auto map = maps_->Get(req);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->municipality_name(), "東京都稲城市");
  EXPECT_EQ(map->center_label(), "稲城市役所");
  EXPECT_THAT(Names(*map), ElementsAre("東長沼の訪問看護", "矢野口の診療所"));
  EXPECT_EQ(map->total(), 2);
  const v1::PublicResource& c = map->resources(1);
  EXPECT_EQ(c.phone(), "042-000-0000");
  EXPECT_FALSE(c.has_liaison());
  ASSERT_EQ(c.capabilities_size(), 2);
  EXPECT_EQ(c.capabilities(0).label(), vocab_.LabelOf("home_visit_medical"));
  EXPECT_TRUE(c.capabilities(0).verified());
  EXPECT_FALSE(c.capabilities(1).verified());
  EXPECT_TRUE(c.has_distance_km());
  EXPECT_THAT(map->DebugString(), ::testing::Not(HasSubstr("内部メモ")));
  EXPECT_THAT(map->DebugString(), ::testing::Not(HasSubstr("院内専用窓口")));

  // A liaison the provider did not mark internal is published.
  auto stored = directory_->Get(c.id());
  ASSERT_TRUE(stored.ok());
  edit.clear_resource();
  *edit.mutable_resource() = *stored;
  edit.set_expected_version(stored->version());
  edit.mutable_resource()->mutable_liaison()->set_internal(false);
  ASSERT_TRUE(directory_->Upsert(edit).ok());
  map = maps_->Get(req);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->resources(1).liaison().department(), "院内専用窓口");

  // The filter's choices: what the municipality's resources offer, most offered first.
  ASSERT_EQ(map->capabilities_size(), 3);
  EXPECT_FALSE(map->resources(0).serves_from_outside());
  // On request, those visiting from outside too (the Chofu clinic does not serve Inagi).
  req.set_include_serving(true);
  map = maps_->Get(req);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->total(), 3);
  EXPECT_THAT(Names(*map), ElementsAre("東長沼の訪問看護", "矢野口の診療所", "調布の訪問看護"));
  EXPECT_TRUE(map->resources(2).serves_from_outside());
}

TEST_F(ResourceMapTest, FiltersAndAPlaceInTheMunicipality) {
  Add("矢野口の診療所", v1::RESOURCE_KIND_CLINIC, "132250", "東京都稲城市矢野口1", 35.6400,
      139.5100, {{"home_visit_medical", v1::CAPABILITY_SOURCE_SURVEY}});
  Add("矢野口の訪問看護", v1::RESOURCE_KIND_VISITING_NURSE_STATION, "132250", "東京都稲城市矢野口2",
      35.6410, 139.5120, {{"home_visit_nursing", v1::CAPABILITY_SOURCE_KIND}});
  Add("若葉台の診療所", v1::RESOURCE_KIND_CLINIC, "132250", "東京都稲城市若葉台3", 35.6150,
      139.4700, {{"home_visit_medical", v1::CAPABILITY_SOURCE_SURVEY}});

  v1::GetResourceMapRequest req;
  req.set_municipality_code("132250");
  req.add_capabilities("home_visit_medical");
  req.set_near_address("若葉台");
  auto map = maps_->Get(req);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->center_label(), "「若葉台」を含む住所 (1 件) の中心");
  EXPECT_NEAR(map->center().latitude(), 35.6150, 1e-6);
  EXPECT_THAT(Names(*map), ElementsAre("若葉台の診療所", "矢野口の診療所"));
  EXPECT_EQ(map->capabilities_size(), 2);  // before the filter

  req.clear_capabilities();
  req.add_kinds(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
  req.clear_near_address();
  req.mutable_near()->set_latitude(35.6410);
  req.mutable_near()->set_longitude(139.5120);
  map = maps_->Get(req);
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->center_label(), "地図で選んだ地点");
  EXPECT_THAT(Names(*map), ElementsAre("矢野口の訪問看護"));
  EXPECT_NEAR(map->resources(0).distance_km(), 0, 1e-6);
}

TEST_F(ResourceMapTest, BadRequestsNameTheField) {
  v1::GetResourceMapRequest req;
  EXPECT_THAT(maps_->Get(req).status(), HasViolation("municipality_code"));
  req.set_municipality_code("999999");
  EXPECT_THAT(maps_->Get(req).status(), HasViolation("municipality_code"));
  req.set_municipality_code("132250");
  req.set_near_address("存在しない町");
  EXPECT_THAT(maps_->Get(req).status(), HasViolation("near_address"));
  // Every bad field at once, before any place is looked for.
  req.add_capabilities("no_such_capability");
  req.add_kinds(static_cast<v1::ResourceKind>(999));
  req.set_text(std::string(101, 'x'));
  EXPECT_THAT(renkei::testing::ViolatedFields(maps_->Get(req).status()),
              ElementsAre("text", "capabilities[0]", "kinds[0]"));
  req.clear_near_address();
  req.clear_kinds();
  req.clear_text();
  EXPECT_THAT(maps_->Get(req).status(), HasViolation("capabilities[0]"));
  req.clear_capabilities();
  req.mutable_near()->set_latitude(123);
  EXPECT_THAT(maps_->Get(req).status(), HasViolation("near"));
}

}  // namespace
}  // namespace renkei::directory
