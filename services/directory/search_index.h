// In-memory search index over resources: the read model that answers SearchResources and
// GetGapReport. RocksDB stays the source of truth; the index is rebuilt from it at start-up and
// updated after every committed change.
//
// Layout: documents are numbered in insertion order and never renumbered until compaction; an
// update appends a new document and retires the old one, so every posting list stays sorted by
// construction and updates never shift large arrays. Posting lists exist per capability, kind,
// municipality located in, municipality served, prefecture, grid cell (0.05°, about 5 km), and
// per character and character pair of each text field (normalized name, kana, address). A
// query intersects the lists of its filters (smallest first), then checks the remaining
// conditions document by document. Text of one or two characters is answered from the lists
// alone; longer text is verified in the candidates' field. Nearest-first queries with many
// candidates search outwards in rings of grid cells instead of measuring every candidate.
//
// Order within a page: area relation, text match quality, verification (resources whose asked
// capabilities are all verified first: a survey answer, staff, a curated file or the kind's
// definition, not an inference from the name), distance (10 m steps), then the first characters
// of the kana (or name); remaining ties in registration order.
//
// Not thread-safe: the owner serializes writers and readers (Directory uses a shared mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "renkei/v1/directory.pb.h"
#include "vocabulary.h"

namespace renkei::directory {

struct SearchQuery {
  std::vector<int> capabilities;  // vocabulary indexes; all required
  std::vector<int> kinds;         // any of (empty: any)
  uint32_t municipality = 0;      // 0: no area filter
  bool include_serving = true;
  // Excludes resources located in or serving this municipality (outside fallback).
  uint32_t exclude_municipality = 0;
  int prefecture = 0;                                  // 1..47, 0: none
  std::optional<std::pair<double, double>> reference;  // (lat, lon)
  double max_distance_km = 0;                          // 0: no limit
  bool accepting_only = false;
  std::string text;  // already normalized (NormalizeForSearch)
  // The stale list: only documents last verified before this date (yyyymmdd), or never.
  int32_t verified_before = 0;
  // Rank documents whose asked capabilities are all verified first (after relation and text).
  bool rank_verified = true;
};

struct IndexHit {
  std::string id;
  v1::AreaRelation relation = v1::AREA_RELATION_UNSPECIFIED;
  std::optional<double> distance_km;
  bool distance_approximate = false;
  bool verified = true;  // every capability asked for is verified
  std::vector<std::string> reasons;
};

struct IndexPage {
  std::vector<IndexHit> hits;
  int total = 0;
};

class SearchIndex {
 public:
  explicit SearchIndex(const CapabilityVocabulary* vocabulary);

  // Adds or replaces the resource.
  void Upsert(const v1::Resource& r);
  void Remove(const std::string& id);
  size_t size() const { return doc_of_.size(); }

  // Ordered: relation (located in, then serving), then text match quality when there is a text,
  // then distance when there is a reference, then name (kana) order.
  IndexPage Search(const SearchQuery& q, int offset, int limit) const;

  // Gap report helpers for a capability or a combination (all of `capabilities`) in one
  // municipality.
  int CountLocated(uint32_t municipality, const std::vector<int>& capabilities) const;
  int CountServingOnly(uint32_t municipality, const std::vector<int>& capabilities) const;
  // Nearest resource with the capabilities located outside `municipality` and not serving it.
  std::optional<IndexHit> NearestOutside(const std::vector<int>& capabilities,
                                         uint32_t municipality, double lat, double lon) const;

 private:
  struct Scored {
    uint64_t key;  // relation | text rank | distance | name prefix, most significant first
    uint32_t doc;
    bool operator<(const Scored& o) const { return key != o.key ? key < o.key : doc < o.doc; }
  };
  using Postings = std::vector<uint32_t>;
  enum Field { kName = 0, kKana = 1, kAddress = 2 };

  uint32_t AddDoc(const v1::Resource& r);
  void Retire(uint32_t doc);
  void MaybeCompact();
  // Which filter's posting lists drive a query (every other filter is checked per document).
  enum class Driver { kAll, kCapability, kKinds, kMunicipality, kPrefecture, kGrid, kText };
  struct Plan {
    Driver driver = Driver::kAll;
    std::vector<const Postings*> lists;  // disjoint lists whose union is the driver's set
    size_t size = 0;
  };
  Plan ChoosePlan(const SearchQuery& q) const;
  // Grid cells covering the box of radius km around (lat, lon).
  std::vector<const Postings*> CellsAround(double lat, double lon, double km) const;
  // Text match rank of a document: 0 name exact, 1 name prefix, 2 in name, 3 in kana,
  // 4 in address; -1 when the text is not in it.
  int TextRank(uint32_t doc, std::string_view text) const;
  // Whether the normalized name starts with / equals `text` (reads the name only when the
  // first 8 bytes match).
  bool NameStartsWith(uint32_t doc, const std::string& text, uint64_t text_head) const;
  // Every condition of the query except the driver's (and distance, applied when scoring).
  bool Matches(uint32_t doc, const SearchQuery& q, Driver skip) const;
  // Text-driven queries, field by field (name matches rank before kana, kana before address):
  // once a tier fills the page, later tiers are only counted.
  class TopK;
  void SearchTextTiers(const SearchQuery& q, TopK* top, int* total) const;
  // Documents whose field f contains the text (exact, from the lists; without long_docs_), in
  // ascending order into `docs` (cleared first; its capacity is reused).
  void TextDocs(int f, const std::vector<char32_t>& cps, std::vector<uint32_t>* docs) const;
  uint64_t Key(uint32_t doc, const SearchQuery& q, uint8_t text_rank, float distance) const;
  // Whether every capability the query asks for is verified on the document.
  bool Verified(uint32_t doc, const SearchQuery& q) const;
  IndexHit MakeHit(uint32_t doc, const SearchQuery& q, uint8_t text_rank) const;

  const CapabilityVocabulary* vocabulary_;
  // Per document (structure of arrays).
  std::vector<std::string> ids_;
  std::vector<uint8_t> alive_;
  std::vector<float> lat_, lon_;  // NaN without location
  std::vector<uint8_t> approximate_;
  std::vector<uint8_t> kind_;
  std::vector<uint32_t> municipality_;
  std::vector<uint8_t> accepting_;
  std::vector<std::vector<uint16_t>> caps_;
  // The same capabilities as a bit set (vocabulary index < 128), read by per-document checks,
  // and those of them only inferred (from the name, or of no recorded source) beside them: one
  // 32-byte read answers both the filter and the ranking.
  struct CapBits {
    uint64_t w[2] = {0, 0};
    uint64_t inferred[2] = {0, 0};
  };
  std::vector<CapBits> cap_bits_;
  std::vector<int32_t> verified_on_;  // source.last_verified as yyyymmdd, 0 when never
  std::vector<std::vector<uint32_t>> served_;
  // Normalized text, each field in one contiguous arena (documents in order): scanning many
  // candidates reads memory sequentially instead of chasing one heap string per document.
  class TextColumn {
   public:
    void Add(const std::string& s) {
      data_ += s;
      ends_.push_back(data_.size());
    }
    std::string_view operator[](uint32_t d) const {
      size_t begin = d == 0 ? 0 : ends_[d - 1];
      return std::string_view(data_).substr(begin, ends_[d] - begin);
    }

   private:
    std::string data_;
    std::vector<size_t> ends_;
  };
  TextColumn name_, kana_, address_;
  std::vector<uint64_t> sort_prefix_;
  std::vector<uint64_t> name_head_;  // first 8 bytes of the normalized name (rank checks)
  std::vector<uint32_t> name_bytes_;

  std::unordered_map<std::string, uint32_t> doc_of_;
  size_t retired_ = 0;
  // Posting lists.
  std::vector<Postings> by_capability_;
  std::vector<Postings> by_kind_;
  std::vector<Postings> by_prefecture_;
  std::unordered_map<uint32_t, Postings> located_, serving_;
  // Per field: documents containing each character and each pair; and each triple's
  // occurrences, packed as (doc << 8 | position), so phrases of any length are matched by
  // joining shifted lists instead of reading text. Positions from 255 on are not listed: such
  // documents (long addresses) are kept in long_docs_ and checked against their text.
  std::unordered_map<uint64_t, Postings> grams_[3];
  std::vector<uint32_t> long_docs_[3];
  std::unordered_map<uint32_t, Postings> grid_;
};

// Municipality code "132250" <-> 132250.
uint32_t MunicipalityNumber(const std::string& code);
std::string MunicipalityCodeString(uint32_t number);

}  // namespace renkei::directory
