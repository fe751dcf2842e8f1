// The search index's queries: choosing the posting lists that drive a query, checking the other
// conditions per document, ranking a page (text tiers, distance rings) and the gap report's
// counts. Documents are added in search_index.cc.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"
#include "search_index.h"
#include "search_index_parts.h"

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

// The lists a text needs from one field: its character (1), its pair (2), or its triples (3+).
template <typename Fn>
void ForEachQueryGram(const std::vector<char32_t>& cps, Fn fn) {
  if (cps.size() == 1) {
    fn(GramKey(cps[0]));
  } else if (cps.size() == 2) {
    fn(GramKey(cps[0], cps[1]));
  } else {
    for (size_t i = 0; i + 2 < cps.size(); ++i) fn(GramKey(cps[i], cps[i + 1], cps[i + 2]));
  }
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

// Substring test with glibc's memmem (bigram-hashed Horspool for short needles): several times
// faster than a character-by-character find on Japanese UTF-8, where every third byte is 0xE3.
bool Contains(std::string_view haystack, std::string_view needle) {
  return memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

// The same test with the needle's Horspool table built once for a whole scan.
class Finder {
 public:
  explicit Finder(std::string_view needle)
      : needle_(needle), searcher_(needle_.begin(), needle_.end()) {}
  bool In(std::string_view haystack) const {
    if (haystack.size() < needle_.size()) return false;
    return std::search(haystack.begin(), haystack.end(), searcher_) != haystack.end();
  }

 private:
  std::string_view needle_;
  std::boyer_moore_horspool_searcher<std::string_view::const_iterator> searcher_;
};

}  // namespace

std::vector<const SearchIndex::Postings*> SearchIndex::CellsAround(double lat, double lon,
                                                                   double km) const {
  const double dlat = km / 111.0;
  const double dlon = km / (111.0 * std::max(0.2, std::cos(lat * kDegToRad)));
  const int lat0 = CellIndex(lat - dlat, 20.0), lat1 = CellIndex(lat + dlat, 20.0);
  const int lon0 = CellIndex(lon - dlon, 120.0), lon1 = CellIndex(lon + dlon, 120.0);
  std::vector<const Postings*> cells;
  if (static_cast<int64_t>(lat1 - lat0 + 1) * (lon1 - lon0 + 1) >
      4 * static_cast<int64_t>(grid_.size())) {
    for (const auto& [key, docs] : grid_) {  // a huge box: walk the cells that exist instead
      int a = static_cast<int>(key >> 16), b = static_cast<int>(key & 0xFFFF);
      if (a >= lat0 && a <= lat1 && b >= lon0 && b <= lon1) cells.push_back(&docs);
    }
    return cells;
  }
  for (int a = lat0; a <= lat1; ++a) {
    for (int b = lon0; b <= lon1; ++b) {
      auto it = grid_.find(CellKey(a, b));
      if (it != grid_.end()) cells.push_back(&it->second);
    }
  }
  return cells;
}

SearchIndex::Plan SearchIndex::ChoosePlan(const SearchQuery& q) const {
  static const Postings kEmpty;
  Plan best;
  best.size = ids_.size();
  auto consider = [&](Driver driver, std::vector<const Postings*> lists) {
    size_t size = 0;
    for (const auto* l : lists) size += l->size();
    if (best.driver == Driver::kAll || size < best.size) best = {driver, std::move(lists), size};
  };
  for (int c : q.capabilities) {
    consider(
        Driver::kCapability,
        {c >= 0 && c < static_cast<int>(by_capability_.size()) ? &by_capability_[c] : &kEmpty});
  }
  if (!q.kinds.empty()) {
    std::vector<const Postings*> ks;
    for (int k : q.kinds) ks.push_back(k >= 0 && k < 64 ? &by_kind_[k] : &kEmpty);
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
    consider(Driver::kKinds, ks);
  }
  if (q.municipality != 0) {
    std::vector<const Postings*> ms;
    auto it = located_.find(q.municipality);
    ms.push_back(it != located_.end() ? &it->second : &kEmpty);
    if (q.include_serving) {
      auto s = serving_.find(q.municipality);
      if (s != serving_.end()) ms.push_back(&s->second);
    }
    consider(Driver::kMunicipality, ms);
  }
  if (q.prefecture >= 1 && q.prefecture <= 47) {
    consider(Driver::kPrefecture, {&by_prefecture_[q.prefecture]});
  }
  if (q.reference && q.max_distance_km > 0) {
    consider(Driver::kGrid,
             CellsAround(q.reference->first, q.reference->second, q.max_distance_km));
  }
  if (!q.text.empty()) {
    // The text's set is within the union over fields of each field's rarest character or pair.
    auto cps = common::DecodeUtf8(q.text);
    std::vector<const Postings*> per_field;
    for (const auto& grams : grams_) {
      const Postings* rarest = &kEmpty;
      bool first = true;
      auto look = [&](uint64_t key) {
        auto it = grams.find(key);
        const Postings* l = it == grams.end() ? &kEmpty : &it->second;
        if (first || l->size() < rarest->size()) rarest = l;
        first = false;
      };
      ForEachQueryGram(cps, look);
      per_field.push_back(rarest);
    }
    consider(Driver::kText, per_field);
  }
  return best;
}

bool SearchIndex::NameStartsWith(uint32_t d, const std::string& text, uint64_t text_head) const {
  if (name_bytes_[d] < text.size()) return false;
  const size_t head = std::min<size_t>(8, text.size());
  const uint64_t mask = head == 8 ? ~0ULL : ~((1ULL << (8 * (8 - head))) - 1);
  if ((name_head_[d] & mask) != text_head) return false;
  return text.size() <= 8 || name_[d].substr(0, text.size()) == text;
}

int SearchIndex::TextRank(uint32_t d, std::string_view text) const {
  const std::string_view name = name_[d];
  if (name.size() >= text.size()) {
    if (name.compare(0, text.size(), text) == 0) return name.size() == text.size() ? 0 : 1;
    if (Contains(name, text)) return 2;
  }
  if (Contains(kana_[d], text)) return 3;
  if (Contains(address_[d], text)) return 4;
  return -1;
}

bool SearchIndex::Matches(uint32_t d, const SearchQuery& q, Driver skip) const {
  if (!alive_[d]) return false;
  if (q.accepting_only && !accepting_[d]) return false;
  if (q.verified_before != 0 && verified_on_[d] >= q.verified_before) return false;
  if (q.exclude_municipality != 0) {
    if (municipality_[d] == q.exclude_municipality) return false;
    const auto& sv = served_[d];
    if (std::find(sv.begin(), sv.end(), q.exclude_municipality) != sv.end()) return false;
  }
  if (!q.capabilities.empty() && !(skip == Driver::kCapability && q.capabilities.size() == 1)) {
    const CapBits& bits = cap_bits_[d];
    for (int c : q.capabilities) {
      if (c < 0 || c >= 128 || !(bits.w[c / 64] >> (c % 64) & 1)) return false;
    }
  }
  if (!q.kinds.empty() && skip != Driver::kKinds &&
      std::find(q.kinds.begin(), q.kinds.end(), kind_[d]) == q.kinds.end()) {
    return false;
  }
  if (q.municipality != 0 && skip != Driver::kMunicipality && municipality_[d] != q.municipality) {
    if (!q.include_serving) return false;
    const auto& sv = served_[d];
    if (std::find(sv.begin(), sv.end(), q.municipality) == sv.end()) return false;
  }
  if (q.prefecture != 0 && skip != Driver::kPrefecture &&
      static_cast<int>(municipality_[d] / 10000) != q.prefecture) {
    return false;
  }
  return true;
}

uint64_t SearchIndex::Key(uint32_t d, const SearchQuery& q, uint8_t text_rank,
                          float distance) const {
  uint64_t relation = q.municipality != 0 && municipality_[d] != q.municipality ? 1 : 0;
  uint64_t unverified = !q.rank_verified || Verified(d, q) ? 0 : 1;
  uint64_t key =
      (relation << 63) | (static_cast<uint64_t>(text_rank & 7) << 60) | (unverified << 59);
  if (q.reference) {
    // 10 m steps, capped at 2^24 (about 167,000 km: "no location" sorts last).
    double steps = std::isinf(distance) ? 16777215.0 : std::min(16777215.0, distance * 100.0);
    key |= static_cast<uint64_t>(steps) << 35;
    key |= sort_prefix_[d] >> 29;
  } else {
    key |= sort_prefix_[d] >> 5;
  }
  return key;
}

bool SearchIndex::Verified(uint32_t d, const SearchQuery& q) const {
  if (q.capabilities.empty()) return true;
  const CapBits& bits = cap_bits_[d];
  if ((bits.inferred[0] | bits.inferred[1]) == 0) return true;
  for (int c : q.capabilities) {
    if (c >= 0 && c < 128 && (bits.inferred[c / 64] >> (c % 64) & 1)) return false;
  }
  return true;
}

// The k best (smallest) keys seen, in a max-heap: most candidates are rejected by one comparison
// with the current worst, so ranking costs O(n) for a page of k out of n matches.
class SearchIndex::TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }
  void Offer(const Scored& s) {
    if (k_ == 0) return;
    if (heap_.size() < k_) {
      heap_.push_back(s);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (s < heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = s;
      std::push_heap(heap_.begin(), heap_.end());
    }
  }
  size_t size() const { return heap_.size(); }
  bool full() const { return heap_.size() >= k_; }
  void Clear() { heap_.clear(); }
  std::vector<Scored> Sorted() {
    std::sort_heap(heap_.begin(), heap_.end());
    return std::move(heap_);
  }

 private:
  size_t k_;
  std::vector<Scored> heap_;
};

IndexPage SearchIndex::Search(const SearchQuery& q, int offset, int limit) const {
  const Plan plan = ChoosePlan(q);
  const bool has_text = !q.text.empty();
  const bool has_ref = q.reference.has_value();
  const double ref_lat = has_ref ? q.reference->first : 0;
  const double ref_lon = has_ref ? q.reference->second : 0;
  const size_t want = static_cast<size_t>(offset) + std::max(0, limit);

  // Visits the driver's documents (each once: the driver's lists are disjoint).
  auto for_each_candidate = [&](auto&& fn) {
    if (plan.driver == Driver::kCapability && q.capabilities.size() > 1) {
      // Several capabilities: intersect their lists (sorted, read in sequence) first, so that
      // only documents offering all of them are looked at one by one (each look is a cache miss
      // in arrays of 500,000 documents).
      thread_local std::vector<uint32_t> all_of;
      all_of.assign(plan.lists[0]->begin(), plan.lists[0]->end());
      for (int c : q.capabilities) {
        if (c < 0 || c >= static_cast<int>(by_capability_.size())) {
          all_of.clear();
        } else if (&by_capability_[c] != plan.lists[0]) {
          IntersectInto(&all_of, by_capability_[c]);
        }
      }
      for (uint32_t d : all_of) fn(d);
      return;
    }
    if (plan.driver == Driver::kAll) {
      for (uint32_t d = 0; d < ids_.size(); ++d) fn(d);
      return;
    }
    if (plan.driver == Driver::kText) {
      // A document can be in several fields' lists: visit the union once, in order.
      std::vector<uint32_t> merged;
      for (const auto* l : plan.lists) {
        std::vector<uint32_t> u;
        u.reserve(merged.size() + l->size());
        std::set_union(merged.begin(), merged.end(), l->begin(), l->end(), std::back_inserter(u));
        merged.swap(u);
      }
      for (uint32_t d : merged) fn(d);
      return;
    }
    for (const auto* l : plan.lists) {
      for (uint32_t d : *l) fn(d);
    }
  };

  IndexPage page;
  TopK top(want);
  // Offers a candidate that matches every condition; returns whether it did (within radius).
  // Counts the candidates scored whose asked capabilities are all verified (they rank first).
  size_t verified_scored = 0;
  // Offers a candidate known to match.
  auto offer = [&](uint32_t d, float radius) {
    int rank = 0;
    if (has_text) {
      rank = TextRank(d, q.text);
      if (rank < 0) return false;
    }
    float dist = kNoDistance;
    if (has_ref && !std::isnan(lat_[d])) dist = ApproxKm(ref_lat, ref_lon, lat_[d], lon_[d]);
    if (radius > 0 && !(dist <= radius)) return false;
    top.Offer({Key(d, q, static_cast<uint8_t>(rank), dist), d});
    verified_scored += !q.rank_verified || Verified(d, q);
    return true;
  };
  auto score = [&](uint32_t d, float radius) {
    return Matches(d, q, plan.driver) && offer(d, radius);
  };

  bool done = false;
  if (plan.driver == Driver::kText) {
    SearchTextTiers(q, &top, &page.total);
    done = true;
  } else if (has_ref && !has_text && q.max_distance_km <= 0 && plan.size > 20000) {
    // Nearest first among many candidates: count the matches, then measure distances only in
    // growing rings of grid cells until the page is full. Verified matches rank before inferred
    // ones however near: a ring ends the search once it holds the page and every verified match
    // the page can take (min(page, all verified)) — any match outside it is farther, or inferred
    // and farther. A ring visits every document of its cells, matching or not: once a ring would
    // visit more documents than there are matches (a sparse match, such as a combination of
    // capabilities whose verified matches lie far apart), every match is ranked instead.
    thread_local std::vector<uint32_t> matching;
    matching.clear();
    size_t total_verified = 0;
    for_each_candidate([&](uint32_t d) {
      if (!Matches(d, q, plan.driver)) return;
      matching.push_back(d);
      total_verified += !q.rank_verified || Verified(d, q);
    });
    page.total = static_cast<int>(matching.size());
    const size_t verified_needed = std::min(want, total_verified);
    for (double radius : {5.0, 15.0, 50.0, 150.0, 500.0}) {
      const auto cells = CellsAround(ref_lat, ref_lon, radius);
      size_t visits = 0;
      for (const auto* cell : cells) visits += cell->size();
      if (visits >= matching.size()) break;
      top.Clear();
      verified_scored = 0;
      size_t within = 0;
      for (const auto* cell : cells) {
        for (uint32_t d : *cell) within += score(d, static_cast<float>(radius));
      }
      if (within >= want && verified_scored >= verified_needed) {
        done = true;
        break;
      }
    }
    if (!done) {
      top.Clear();
      for (uint32_t d : matching) offer(d, 0);
      done = true;
    }
  }
  if (!done) {
    top.Clear();
    int total = 0;
    for_each_candidate(
        [&](uint32_t d) { total += score(d, static_cast<float>(q.max_distance_km)); });
    page.total = total;
  }
  std::vector<Scored> best = top.Sorted();
  for (size_t i = offset; i < best.size(); ++i) {
    page.hits.push_back(MakeHit(best[i].doc, q, static_cast<uint8_t>((best[i].key >> 60) & 7)));
  }
  return page;
}

// Every buffer here is thread-local and reused: a common fragment's lists hold over 100,000
// entries, and fresh vectors of that size each query cost page faults (docs/benchmarks.md).
void SearchIndex::TextDocs(int f, const std::vector<char32_t>& cps,
                           std::vector<uint32_t>* docs) const {
  docs->clear();
  auto list = [&](uint64_t key) -> const Postings* {
    auto it = grams_[f].find(key);
    return it == grams_[f].end() ? nullptr : &it->second;
  };
  if (cps.size() <= 2) {
    const Postings* l = cps.size() == 1 ? list(GramKey(cps[0])) : list(GramKey(cps[0], cps[1]));
    if (l != nullptr) docs->assign(l->begin(), l->end());
    return;
  }
  // Triple i of the text must occur at position p + i: shift each list back by i and intersect.
  const size_t k = cps.size() - 2;
  std::vector<const Postings*> lists(k);
  for (size_t i = 0; i < k; ++i) {
    lists[i] = list(GramKey(cps[i], cps[i + 1], cps[i + 2]));
    if (lists[i] == nullptr) return;
  }
  // Start from the shortest list.
  size_t first = 0;
  for (size_t i = 1; i < k; ++i) {
    if (lists[i]->size() < lists[first]->size()) first = i;
  }
  auto shift = [&](size_t i, std::vector<uint32_t>* out) {
    out->clear();
    for (uint32_t e : *lists[i]) {
      if ((e & 0xFF) >= i) out->push_back(e - static_cast<uint32_t>(i));
    }
  };
  thread_local std::vector<uint32_t> acc;
  thread_local std::vector<uint32_t> shifted;
  shift(first, &acc);
  for (size_t i = 0; i < k && !acc.empty(); ++i) {
    if (i == first) continue;
    shift(i, &shifted);
    IntersectInto(&acc, shifted);
  }
  for (uint32_t e : acc) {
    uint32_t d = e >> 8;
    if (docs->empty() || docs->back() != d) docs->push_back(d);
  }
}

void SearchIndex::SearchTextTiers(const SearchQuery& q, TopK* top, int* total) const {
  const auto cps = common::DecodeUtf8(q.text);
  const size_t head_bytes = std::min<size_t>(8, q.text.size());
  const uint64_t text_head =
      PrefixKey(q.text) & (head_bytes == 8 ? ~0ULL : ~((1ULL << (8 * (8 - head_bytes))) - 1));
  const Finder finder(q.text);
  const bool has_ref = q.reference.has_value();
  // Documents already matched by an earlier field (thread-local bitmap, cleared after use).
  thread_local std::vector<uint8_t> matched_before;
  if (matched_before.size() < ids_.size()) matched_before.resize(ids_.size() + 4096);
  thread_local std::vector<uint32_t> marked;
  marked.clear();
  thread_local std::vector<uint32_t> candidates;
  const TextColumn* values[3] = {&name_, &kana_, &address_};
  bool collecting = true;
  for (int f = 0; f < 3; ++f) {
    // This field's matches, exact from the lists, then its long texts, checked one by one.
    TextDocs(f, cps, &candidates);
    const size_t exact_count = candidates.size();
    for (uint32_t d : long_docs_[f]) {
      if (!std::binary_search(candidates.begin(),
                              candidates.begin() + static_cast<std::ptrdiff_t>(exact_count), d)) {
        candidates.push_back(d);
      }
    }
    for (size_t i = 0; i < candidates.size(); ++i) {
      const uint32_t d = candidates[i];
      const bool exact = i < exact_count;
      if (matched_before[d] || !Matches(d, q, Driver::kText)) continue;
      int rank = f + 2;  // kana 3, address 4
      if (f == kName) {
        if (NameStartsWith(d, q.text, text_head)) {
          rank = name_bytes_[d] == q.text.size() ? 0 : 1;
        } else if (!exact && !finder.In(name_[d])) {
          continue;
        } else {
          rank = 2;
        }
      } else if (!exact && !finder.In((*values[f])[d])) {
        continue;
      }
      float dist = kNoDistance;
      if (has_ref && !std::isnan(lat_[d]) && (collecting || q.max_distance_km > 0)) {
        dist = ApproxKm(q.reference->first, q.reference->second, lat_[d], lon_[d]);
      }
      if (q.max_distance_km > 0 && !(dist <= q.max_distance_km)) continue;
      ++*total;
      if (f < 2) {
        matched_before[d] = 1;
        marked.push_back(d);
      }
      if (collecting) top->Offer({Key(d, q, static_cast<uint8_t>(rank), dist), d});
    }
    // Without an area filter every match of this field ranks before any of the next fields, so
    // a full page ends the ranking (the rest is only counted).
    if (q.municipality == 0 && top->full()) collecting = false;
  }
  for (uint32_t d : marked) matched_before[d] = 0;
}

IndexHit SearchIndex::MakeHit(uint32_t d, const SearchQuery& q, uint8_t text_rank) const {
  IndexHit h;
  h.id = ids_[d];
  const bool located = municipality_[d] == q.municipality;
  if (q.municipality != 0) {
    h.relation = located ? v1::AREA_RELATION_LOCATED_IN : v1::AREA_RELATION_SERVES;
  } else if (q.exclude_municipality != 0) {
    h.relation = v1::AREA_RELATION_OUTSIDE;
  }
  if (q.reference && !std::isnan(lat_[d])) {
    h.distance_km = common::HaversineKm(q.reference->first, q.reference->second, lat_[d], lon_[d]);
    h.distance_approximate = approximate_[d];
  }
  for (int c : q.capabilities) h.reasons.push_back("capability:" + vocabulary_->at(c).code());
  h.verified = Verified(d, q);
  if (!q.capabilities.empty() && h.verified) h.reasons.push_back("verified");
  for (int c : q.capabilities) {
    if (c >= 0 && c < 128 && (cap_bits_[d].inferred[c / 64] >> (c % 64) & 1)) {
      h.reasons.push_back("inferred:" + vocabulary_->at(c).code());
    }
  }
  if (!q.kinds.empty()) h.reasons.push_back("kind");
  if (q.municipality != 0) {
    h.reasons.push_back((located ? "located_in:" : "serves:") +
                        MunicipalityCodeString(q.municipality));
  }
  if (q.exclude_municipality != 0) h.reasons.push_back("outside_nearest");
  if (!q.text.empty()) {
    h.reasons.push_back(text_rank <= 2   ? "text:name"
                        : text_rank == 3 ? "text:kana"
                                         : "text:address");
  }
  return h;
}

int SearchIndex::CountLocated(uint32_t municipality, const std::vector<int>& capabilities) const {
  auto it = located_.find(municipality);
  if (it == located_.end()) return 0;
  std::vector<uint32_t> acc = it->second;
  for (int c : capabilities) IntersectInto(&acc, by_capability_[c]);
  int n = 0;
  for (uint32_t d : acc) n += alive_[d];
  return n;
}

int SearchIndex::CountServingOnly(uint32_t municipality,
                                  const std::vector<int>& capabilities) const {
  auto it = serving_.find(municipality);
  if (it == serving_.end()) return 0;
  std::vector<uint32_t> acc = it->second;
  for (int c : capabilities) IntersectInto(&acc, by_capability_[c]);
  int n = 0;
  for (uint32_t d : acc) n += alive_[d] && municipality_[d] != municipality;
  return n;
}

std::optional<IndexHit> SearchIndex::NearestOutside(const std::vector<int>& capabilities,
                                                    uint32_t municipality, double lat,
                                                    double lon) const {
  SearchQuery q;
  q.capabilities = capabilities;
  q.exclude_municipality = municipality;
  q.reference = std::make_pair(lat, lon);
  q.rank_verified = false;  // the nearest, however its capabilities are known
  IndexPage page = Search(q, 0, 1);
  if (page.hits.empty()) return std::nullopt;
  return page.hits[0];
}

}  // namespace renkei::directory
