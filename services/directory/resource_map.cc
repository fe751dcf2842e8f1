#include "resource_map.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/match.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "resource_rules.h"

namespace renkei::directory {
namespace {

constexpr size_t kMaxPlaceChars = 100;
constexpr int kPage = 200;

// 稲城市 → 稲城市役所, 奥多摩町 → 奥多摩町役場, 千代田区 → 千代田区役所.
std::string OfficeName(const common::Municipality& m) {
  const bool town_or_village = absl::EndsWith(m.name, "町") || absl::EndsWith(m.name, "村");
  return m.name + (town_or_village ? "役場" : "役所");
}

}  // namespace

absl::StatusOr<v1::ResourceMap> ResourceMapBuilder::Get(
    const v1::GetResourceMapRequest& request) const {
  common::FieldViolations v;
  const std::string& code =
      request.municipality_code().empty() ? own_municipality_ : request.municipality_code();
  v.CheckMunicipalityCode("municipality_code", code);
  const common::Municipality* municipality = common::Jurisdictions::Get().FindMunicipality(code);
  if (v.empty() && municipality == nullptr) {
    v.Add("municipality_code", "該当する市区町村がありません / unknown municipality");
  }
  if (request.has_near())
    v.CheckLatLng("near", request.near().latitude(), request.near().longitude());
  v.CheckText("near_address", request.near_address(), {.max_chars = kMaxPlaceChars});
  v.CheckText("text", request.text(), {.max_chars = kMaxPlaceChars});
  v.CheckCount("capabilities", request.capabilities_size(), kMaxCapabilities);
  for (int i = 0; i < request.capabilities_size() && i < static_cast<int>(kMaxCapabilities); ++i) {
    if (!vocabulary_->Contains(request.capabilities(i))) {
      v.Add("capabilities[" + std::to_string(i) + "]", "未定義の対応内容です / unknown capability");
    }
  }
  v.CheckCount("kinds", request.kinds_size(), 64);
  for (int i = 0; i < request.kinds_size() && i < 64; ++i) {
    v.CheckEnum("kinds[" + std::to_string(i) + "]", request.kinds(i), v1::ResourceKind_IsValid,
                false);
  }
  RETURN_IF_ERROR(v.ToStatus());

  v1::ResourceMap map;
  map.set_municipality_code(municipality->code);
  map.set_municipality_name(municipality->prefecture_name + municipality->name);
  map.mutable_center()->set_latitude(municipality->office_lat);
  map.mutable_center()->set_longitude(municipality->office_lon);
  map.set_center_label(OfficeName(*municipality));
  if (request.has_near()) {
    *map.mutable_center() = request.near();
    map.set_center_label("地図で選んだ地点");
  } else if (!common::NormalizeForSearch(request.near_address()).empty()) {
    RETURN_IF_ERROR(ResolvePlace(municipality->code, request.near_address(), &map));
  }

  v1::SearchResourcesRequest all;
  all.set_municipality_code(municipality->code);
  all.set_area_match(request.include_serving() ? v1::AREA_MATCH_LOCATED_OR_SERVING
                                               : v1::AREA_MATCH_LOCATED_IN);
  all.set_outside_fallback(v1::OUTSIDE_FALLBACK_NONE);
  *all.mutable_near() = map.center();

  // The capabilities offered before the filters (the filter's choices), most offered first.
  int unfiltered_total = 0;
  ASSIGN_OR_RETURN(const auto unfiltered, AllHits(all, &unfiltered_total));
  std::map<std::string, int> offered;
  for (const auto& hit : unfiltered) {
    for (const auto& code : hit.resource().capabilities()) ++offered[code];
  }
  std::vector<std::pair<std::string, int>> ranked(offered.begin(), offered.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [code, count] : ranked) {
    auto* c = map.add_capabilities();
    c->set_code(code);
    c->set_label(vocabulary_->LabelOf(code));
    c->set_resources(count);
  }

  const bool filtered = request.capabilities_size() > 0 || request.kinds_size() > 0 ||
                        request.accepting_only() || !request.text().empty();
  std::vector<v1::SearchHit> hits;
  int total = unfiltered_total;
  if (filtered) {
    v1::SearchResourcesRequest search = all;
    *search.mutable_capabilities() = request.capabilities();
    *search.mutable_kinds() = request.kinds();
    search.set_accepting_only(request.accepting_only());
    search.set_text(request.text());
    ASSIGN_OR_RETURN(hits, AllHits(search, &total));
  } else {
    hits = unfiltered;
  }
  // Nearest first (search ranks those located in the municipality before those serving it, and
  // verified before inferred); those without a location last, by name.
  std::stable_sort(hits.begin(), hits.end(), [](const v1::SearchHit& a, const v1::SearchHit& b) {
    const double da = a.has_distance_km() ? a.distance_km() : HUGE_VAL;
    const double db = b.has_distance_km() ? b.distance_km() : HUGE_VAL;
    return da < db;
  });
  for (const auto& hit : hits) *map.add_resources() = PublicFields(hit, municipality->code);
  map.set_total(total);
  return map;
}

absl::StatusOr<std::vector<v1::SearchHit>> ResourceMapBuilder::AllHits(
    v1::SearchResourcesRequest search, int* total) const {
  std::vector<v1::SearchHit> hits;
  search.set_page_size(kPage);
  while (true) {
    ASSIGN_OR_RETURN(auto page, directory_->Search(search));
    *total = page.total_matches();
    for (auto& hit : *page.mutable_hits()) {
      if (static_cast<int>(hits.size()) >= kMaxMapResources) break;
      hits.push_back(std::move(hit));
    }
    if (page.next_page_token().empty() || static_cast<int>(hits.size()) >= kMaxMapResources) {
      return hits;
    }
    search.set_page_token(page.next_page_token());
  }
}

absl::Status ResourceMapBuilder::ResolvePlace(const std::string& municipality_code,
                                              const std::string& place,
                                              v1::ResourceMap* map) const {
  v1::SearchResourcesRequest search;
  search.set_municipality_code(municipality_code);
  search.set_area_match(v1::AREA_MATCH_LOCATED_IN);
  search.set_outside_fallback(v1::OUTSIDE_FALLBACK_NONE);
  search.set_text(place);
  int total = 0;
  ASSIGN_OR_RETURN(const auto hits, AllHits(search, &total));
  const std::string wanted = common::NormalizeForSearch(place);
  double lat = 0, lon = 0;
  int n = 0;
  for (const auto& hit : hits) {
    const v1::Resource& r = hit.resource();
    if (!r.has_location() || r.location_precision() == v1::LOCATION_PRECISION_UNSPECIFIED ||
        r.location_precision() == v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE ||
        common::NormalizeForSearch(r.address()).find(wanted) == std::string::npos) {
      continue;
    }
    lat += r.location().latitude();
    lon += r.location().longitude();
    ++n;
  }
  if (n == 0) {
    common::FieldViolations v;
    v.Add("near_address", "この市区町村の資源の住所に「" + place +
                              "」は見つかりません。町名などで入力してください / no resource "
                              "address in the municipality contains it");
    return v.ToStatus();
  }
  map->mutable_center()->set_latitude(lat / n);
  map->mutable_center()->set_longitude(lon / n);
  map->set_center_label("「" + place + "」を含む住所 (" + std::to_string(n) + " 件) の中心");
  return absl::OkStatus();
}

v1::PublicResource ResourceMapBuilder::PublicFields(const v1::SearchHit& hit,
                                                    const std::string& municipality) const {
  const v1::Resource& r = hit.resource();
  v1::PublicResource p;
  p.set_id(r.id());
  p.set_kind(r.kind());
  p.set_name(r.name());
  p.set_name_kana(r.name_kana());
  p.set_address(r.address());
  p.set_municipality_code(r.municipality_code());
  if (r.has_location()) {
    *p.mutable_location() = r.location();
    p.set_location_approximate(r.location_precision() ==
                               v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE);
  }
  for (const auto& code : r.capabilities()) {
    auto* c = p.add_capabilities();
    c->set_code(code);
    c->set_label(vocabulary_->LabelOf(code));
    for (const auto& provenance : r.capability_provenance()) {
      if (provenance.capability() == code) c->set_verified(IsVerified(provenance.source()));
    }
  }
  p.set_accepting_new_patients(r.accepting_new_patients());
  p.set_phone(r.contact().phone());
  p.set_fax(r.contact().fax());
  p.set_url(r.contact().url());
  if (r.has_liaison() && !r.liaison().internal()) {
    auto* l = p.mutable_liaison();
    l->set_department(r.liaison().department());
    l->set_phone(r.liaison().phone());
    l->set_fax(r.liaison().fax());
    l->set_email(r.liaison().email());
  }
  p.set_hours(r.hours());
  if (r.source().has_last_verified()) *p.mutable_last_verified() = r.source().last_verified();
  if (hit.has_distance_km()) p.set_distance_km(hit.distance_km());
  p.set_serves_from_outside(r.municipality_code() != municipality);
  return p;
}

}  // namespace renkei::directory
