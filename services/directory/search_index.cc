#include "search_index.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"

namespace renkei::directory {
namespace {

constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kDegToRad = M_PI / 180.0;
constexpr float kNoDistance = std::numeric_limits<float>::infinity();

// Equirectangular approximation: ranks and filters; reported distances are haversine.
float ApproxKm(double lat1, double lon1, double lat2, double lon2) {
  double x = (lon2 - lon1) * kDegToRad * std::cos((lat1 + lat2) * 0.5 * kDegToRad);
  double y = (lat2 - lat1) * kDegToRad;
  return static_cast<float>(std::sqrt(x * x + y * y) * kEarthRadiusKm);
}

uint64_t BigramKey(char32_t a, char32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }

void AppendUnique(std::vector<uint32_t>* list, uint32_t doc) {
  if (list->empty() || list->back() != doc) list->push_back(doc);
}

// Sorted union of sorted lists.
std::vector<uint32_t> Union(const std::vector<const std::vector<uint32_t>*>& lists) {
  std::vector<uint32_t> out;
  for (const auto* l : lists) {
    std::vector<uint32_t> merged;
    merged.reserve(out.size() + l->size());
    std::set_union(out.begin(), out.end(), l->begin(), l->end(), std::back_inserter(merged));
    out.swap(merged);
  }
  return out;
}

// Intersects `acc` with `other` in place; gallops when `other` is much larger.
void IntersectInto(std::vector<uint32_t>* acc, const std::vector<uint32_t>& other) {
  if (acc->empty()) return;
  size_t w = 0;
  if (other.size() > acc->size() * 16) {
    auto lo = other.begin();
    for (uint32_t d : *acc) {
      lo = std::lower_bound(lo, other.end(), d);
      if (lo == other.end()) break;
      if (*lo == d) (*acc)[w++] = d;
    }
  } else {
    size_t j = 0;
    for (uint32_t d : *acc) {
      while (j < other.size() && other[j] < d) ++j;
      if (j == other.size()) break;
      if (other[j] == d) (*acc)[w++] = d;
    }
  }
  acc->resize(w);
}

uint64_t PrefixKey(const std::string& s) {
  uint64_t k = 0;
  for (size_t i = 0; i < 8; ++i) {
    k = (k << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0);
  }
  return k;
}

}  // namespace

uint32_t MunicipalityNumber(const std::string& code) {
  uint32_t n = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  return n;
}

std::string MunicipalityCodeString(uint32_t number) {
  std::string s = std::to_string(number);
  return std::string(6 - std::min<size_t>(6, s.size()), '0') + s;
}

SearchIndex::SearchIndex(const CapabilityVocabulary* vocabulary)
    : vocabulary_(vocabulary),
      by_capability_(vocabulary->size()),
      by_kind_(64),
      by_prefecture_(48) {}

void SearchIndex::Upsert(const v1::Resource& r) {
  auto it = doc_of_.find(r.id());
  if (it != doc_of_.end()) Retire(it->second);
  doc_of_[r.id()] = AddDoc(r);
  MaybeCompact();
}

void SearchIndex::Remove(const std::string& id) {
  auto it = doc_of_.find(id);
  if (it == doc_of_.end()) return;
  Retire(it->second);
  doc_of_.erase(it);
  MaybeCompact();
}

void SearchIndex::Retire(uint32_t doc) {
  if (alive_[doc]) {
    alive_[doc] = 0;
    ++retired_;
  }
}

uint32_t SearchIndex::AddDoc(const v1::Resource& r) {
  const uint32_t doc = static_cast<uint32_t>(ids_.size());
  ids_.push_back(r.id());
  alive_.push_back(1);
  bool has_loc = r.has_location() && r.location_precision() != v1::LOCATION_PRECISION_UNSPECIFIED;
  lat_.push_back(has_loc ? static_cast<float>(r.location().latitude()) : NAN);
  lon_.push_back(has_loc ? static_cast<float>(r.location().longitude()) : NAN);
  approximate_.push_back(r.location_precision() == v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE);
  kind_.push_back(static_cast<uint8_t>(r.kind() < 64 ? r.kind() : 0));
  const uint32_t muni = MunicipalityNumber(r.municipality_code());
  municipality_.push_back(muni);
  accepting_.push_back(r.accepting_new_patients() == v1::ACCEPTANCE_ACCEPTING);

  std::vector<uint16_t> caps;
  for (const auto& c : r.capabilities()) {
    int idx = vocabulary_->IndexOf(c);
    if (idx >= 0) {
      caps.push_back(static_cast<uint16_t>(idx));
      AppendUnique(&by_capability_[idx], doc);
    }
  }
  caps_.push_back(std::move(caps));
  std::vector<uint32_t> served;
  for (const auto& code : r.service_area()) {
    uint32_t m = MunicipalityNumber(code);
    served.push_back(m);
    AppendUnique(&serving_[m], doc);
  }
  served_.push_back(std::move(served));
  AppendUnique(&by_kind_[kind_.back()], doc);
  AppendUnique(&located_[muni], doc);
  int pref = static_cast<int>(muni / 10000);
  if (pref >= 1 && pref <= 47) AppendUnique(&by_prefecture_[pref], doc);

  name_.push_back(common::NormalizeForSearch(r.name()));
  kana_.push_back(common::NormalizeForSearch(r.name_kana()));
  address_.push_back(common::NormalizeForSearch(r.address()));
  const std::string& key = kana_.back().empty() ? name_.back() : kana_.back();
  sort_key_.push_back(key);
  sort_prefix_.push_back(PrefixKey(key));
  for (const std::string* field : {&name_.back(), &kana_.back(), &address_.back()}) {
    auto cps = common::DecodeUtf8(*field);
    for (size_t i = 0; i + 1 < cps.size(); ++i) {
      AppendUnique(&bigrams_[BigramKey(cps[i], cps[i + 1])], doc);
    }
  }
  return doc;
}

void SearchIndex::MaybeCompact() {
  if (retired_ < 1000 || retired_ * 4 < ids_.size()) return;
  // Rebuild from the live documents (rare: a quarter of the documents were superseded).
  SearchIndex fresh(vocabulary_);
  std::vector<uint32_t> live;
  for (const auto& [id, doc] : doc_of_) live.push_back(doc);
  std::sort(live.begin(), live.end());
  for (uint32_t d : live) {
    v1::Resource r;
    r.set_id(ids_[d]);
    r.set_kind(static_cast<v1::ResourceKind>(kind_[d]));
    r.set_municipality_code(MunicipalityCodeString(municipality_[d]));
    if (!std::isnan(lat_[d])) {
      r.mutable_location()->set_latitude(lat_[d]);
      r.mutable_location()->set_longitude(lon_[d]);
      r.set_location_precision(approximate_[d] ? v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE
                                               : v1::LOCATION_PRECISION_EXACT);
    }
    if (accepting_[d]) r.set_accepting_new_patients(v1::ACCEPTANCE_ACCEPTING);
    for (uint16_t c : caps_[d]) r.add_capabilities(vocabulary_->at(c).code());
    for (uint32_t m : served_[d]) r.add_service_area(MunicipalityCodeString(m));
    // Normalized text is idempotent under normalization, so it can be indexed again as is.
    r.set_name(name_[d]);
    r.set_name_kana(kana_[d]);
    r.set_address(address_[d]);
    uint32_t nd = fresh.AddDoc(r);
    fresh.doc_of_[r.id()] = nd;
  }
  *this = std::move(fresh);
}

std::vector<uint32_t> SearchIndex::Candidates(const SearchQuery& q, bool* all_docs) const {
  std::vector<const Postings*> lists;
  std::vector<Postings> owned;
  owned.reserve(4);
  static const Postings kEmpty;
  for (int c : q.capabilities) {
    lists.push_back(c >= 0 && c < static_cast<int>(by_capability_.size()) ? &by_capability_[c]
                                                                          : &kEmpty);
  }
  if (!q.kinds.empty()) {
    std::vector<const Postings*> ks;
    for (int k : q.kinds) {
      if (k >= 0 && k < 64) ks.push_back(&by_kind_[k]);
    }
    owned.push_back(Union(ks));
    lists.push_back(&owned.back());
  }
  if (q.municipality != 0) {
    std::vector<const Postings*> ms;
    auto it = located_.find(q.municipality);
    if (it != located_.end()) ms.push_back(&it->second);
    if (q.include_serving) {
      auto s = serving_.find(q.municipality);
      if (s != serving_.end()) ms.push_back(&s->second);
    }
    owned.push_back(Union(ms));
    lists.push_back(&owned.back());
  }
  if (q.prefecture >= 1 && q.prefecture <= 47) lists.push_back(&by_prefecture_[q.prefecture]);
  if (!q.text.empty()) {
    auto cps = common::DecodeUtf8(q.text);
    for (size_t i = 0; i + 1 < cps.size(); ++i) {
      auto it = bigrams_.find(BigramKey(cps[i], cps[i + 1]));
      lists.push_back(it == bigrams_.end() ? &kEmpty : &it->second);
    }
  }
  *all_docs = lists.empty();
  if (lists.empty()) return {};
  std::sort(lists.begin(), lists.end(),
            [](const Postings* a, const Postings* b) { return a->size() < b->size(); });
  std::vector<uint32_t> acc(*lists[0]);
  for (size_t i = 1; i < lists.size() && !acc.empty(); ++i) IntersectInto(&acc, *lists[i]);
  return acc;
}

bool SearchIndex::TextMatch(uint32_t doc, const std::string& text, uint8_t* rank) const {
  const std::string& name = name_[doc];
  size_t at = name.find(text);
  if (at != std::string::npos) {
    *rank = name.size() == text.size() ? 0 : at == 0 ? 1 : 2;
    return true;
  }
  if (kana_[doc].find(text) != std::string::npos) {
    *rank = 3;
    return true;
  }
  if (address_[doc].find(text) != std::string::npos) {
    *rank = 4;
    return true;
  }
  return false;
}

IndexPage SearchIndex::Search(const SearchQuery& q, int offset, int limit) const {
  bool all_docs = false;
  std::vector<uint32_t> candidates = Candidates(q, &all_docs);
  const size_t n = all_docs ? ids_.size() : candidates.size();
  const bool has_ref = q.reference.has_value();
  const double ref_lat = has_ref ? q.reference->first : 0;
  const double ref_lon = has_ref ? q.reference->second : 0;

  std::vector<Scored> scored;
  scored.reserve(std::min<size_t>(n, 1 << 16));
  for (size_t i = 0; i < n; ++i) {
    const uint32_t d = all_docs ? static_cast<uint32_t>(i) : candidates[i];
    if (!alive_[d]) continue;
    if (q.accepting_only && !accepting_[d]) continue;
    if (q.exclude_municipality != 0) {
      if (municipality_[d] == q.exclude_municipality) continue;
      const auto& sv = served_[d];
      if (std::find(sv.begin(), sv.end(), q.exclude_municipality) != sv.end()) continue;
    }
    uint8_t text_rank = 0;
    if (!q.text.empty() && !TextMatch(d, q.text, &text_rank)) continue;
    float dist = kNoDistance;
    if (has_ref && !std::isnan(lat_[d])) dist = ApproxKm(ref_lat, ref_lon, lat_[d], lon_[d]);
    if (q.max_distance_km > 0 && !(dist <= q.max_distance_km)) continue;
    uint8_t relation = 0;
    if (q.municipality != 0) relation = municipality_[d] == q.municipality ? 0 : 1;
    scored.push_back({d, relation, text_rank, dist, sort_prefix_[d]});
  }

  IndexPage page;
  page.total = static_cast<int>(scored.size());
  if (offset >= page.total || limit <= 0) return page;
  auto less = [&](const Scored& a, const Scored& b) {
    if (a.relation != b.relation) return a.relation < b.relation;
    if (a.text_rank != b.text_rank) return a.text_rank < b.text_rank;
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.sort_prefix != b.sort_prefix) return a.sort_prefix < b.sort_prefix;
    const std::string& ka = sort_key_[a.doc];
    const std::string& kb = sort_key_[b.doc];
    if (ka != kb) return ka < kb;
    return ids_[a.doc] < ids_[b.doc];
  };
  const size_t end = std::min<size_t>(scored.size(), static_cast<size_t>(offset) + limit);
  if (end < scored.size()) {
    std::nth_element(scored.begin(), scored.begin() + end, scored.end(), less);
  }
  std::sort(scored.begin(), scored.begin() + end, less);
  for (size_t i = offset; i < end; ++i) page.hits.push_back(MakeHit(scored[i], q));
  return page;
}

IndexHit SearchIndex::MakeHit(const Scored& s, const SearchQuery& q) const {
  IndexHit h;
  const uint32_t d = s.doc;
  h.id = ids_[d];
  if (q.municipality != 0) {
    h.relation = s.relation == 0 ? v1::AREA_RELATION_LOCATED_IN : v1::AREA_RELATION_SERVES;
  } else if (q.exclude_municipality != 0) {
    h.relation = v1::AREA_RELATION_OUTSIDE;
  }
  if (q.reference && !std::isnan(lat_[d])) {
    h.distance_km = common::HaversineKm(q.reference->first, q.reference->second, lat_[d], lon_[d]);
    h.distance_approximate = approximate_[d];
  }
  for (int c : q.capabilities) h.reasons.push_back("capability:" + vocabulary_->at(c).code());
  if (!q.kinds.empty()) h.reasons.push_back("kind");
  if (q.municipality != 0) {
    h.reasons.push_back((s.relation == 0 ? "located_in:" : "serves:") +
                        MunicipalityCodeString(q.municipality));
  }
  if (q.exclude_municipality != 0) h.reasons.push_back("outside_nearest");
  if (!q.text.empty()) {
    h.reasons.push_back(s.text_rank <= 2 ? "text:name" : s.text_rank == 3 ? "text:kana" : "text:address");
  }
  return h;
}

int SearchIndex::CountLocated(uint32_t municipality, int capability) const {
  auto it = located_.find(municipality);
  if (it == located_.end()) return 0;
  std::vector<uint32_t> acc = it->second;
  IntersectInto(&acc, by_capability_[capability]);
  int n = 0;
  for (uint32_t d : acc) n += alive_[d];
  return n;
}

int SearchIndex::CountServingOnly(uint32_t municipality, int capability) const {
  auto it = serving_.find(municipality);
  if (it == serving_.end()) return 0;
  std::vector<uint32_t> acc = it->second;
  IntersectInto(&acc, by_capability_[capability]);
  int n = 0;
  for (uint32_t d : acc) n += alive_[d] && municipality_[d] != municipality;
  return n;
}

std::optional<IndexHit> SearchIndex::NearestOutside(int capability, uint32_t municipality,
                                                    double lat, double lon) const {
  SearchQuery q;
  q.capabilities = {capability};
  q.exclude_municipality = municipality;
  q.reference = std::make_pair(lat, lon);
  IndexPage page = Search(q, 0, 1);
  if (page.hits.empty()) return std::nullopt;
  return page.hits[0];
}

}  // namespace renkei::directory
