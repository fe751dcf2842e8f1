// In-memory search index over resources: the read model that answers SearchResources and
// GetGapReport. RocksDB stays the source of truth; the index is rebuilt from it at start-up and
// updated after every committed change.
//
// Layout: documents are numbered in insertion order and never renumbered until compaction; an
// update appends a new document and retires the old one, so every posting list stays sorted by
// construction and updates never shift large arrays. Posting lists exist per capability, kind,
// municipality located in, municipality served, prefecture, and per text bigram (of the
// normalized name, kana and address). A query intersects the lists of its filters (smallest
// first), then checks the remaining conditions document by document.
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
  int prefecture = 0;             // 1..47, 0: none
  std::optional<std::pair<double, double>> reference;  // (lat, lon)
  double max_distance_km = 0;     // 0: no limit
  bool accepting_only = false;
  std::string text;               // already normalized (NormalizeForSearch)
};

struct IndexHit {
  std::string id;
  v1::AreaRelation relation = v1::AREA_RELATION_UNSPECIFIED;
  std::optional<double> distance_km;
  bool distance_approximate = false;
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

  // Gap report helpers for one capability in one municipality.
  int CountLocated(uint32_t municipality, int capability) const;
  int CountServingOnly(uint32_t municipality, int capability) const;
  // Nearest resource with the capability located outside `municipality` and not serving it.
  std::optional<IndexHit> NearestOutside(int capability, uint32_t municipality, double lat,
                                         double lon) const;

 private:
  struct Scored {
    uint32_t doc;
    uint8_t relation;
    uint8_t text_rank;
    float distance;
    uint64_t sort_prefix;
  };
  using Postings = std::vector<uint32_t>;

  uint32_t AddDoc(const v1::Resource& r);
  void Retire(uint32_t doc);
  void MaybeCompact();
  std::vector<uint32_t> Candidates(const SearchQuery& q, bool* all_docs) const;
  bool TextMatch(uint32_t doc, const std::string& text, uint8_t* rank) const;
  IndexHit MakeHit(const Scored& s, const SearchQuery& q) const;

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
  std::vector<std::vector<uint32_t>> served_;
  std::vector<std::string> name_, kana_, address_;  // normalized
  std::vector<uint64_t> sort_prefix_;
  std::vector<std::string> sort_key_;
  std::unordered_map<std::string, uint32_t> doc_of_;
  size_t retired_ = 0;
  // Posting lists.
  std::vector<Postings> by_capability_;
  std::vector<Postings> by_kind_;
  std::vector<Postings> by_prefecture_;
  std::unordered_map<uint32_t, Postings> located_, serving_;
  std::unordered_map<uint64_t, Postings> bigrams_;
};

// Municipality code "132250" <-> 132250.
uint32_t MunicipalityNumber(const std::string& code);
std::string MunicipalityCodeString(uint32_t number);

}  // namespace renkei::directory
