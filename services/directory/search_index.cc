// The search index's documents: adding, replacing and retiring them with their posting lists,
// and compacting the index when a quarter of them are retired. Queries are in
// search_index_query.cc.
#include "search_index.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "renkei/common/dates.h"
#include "renkei/common/text.h"
#include "resource_rules.h"
#include "search_index_parts.h"

namespace renkei::directory {
namespace {

void AppendUnique(std::vector<uint32_t>* list, uint32_t doc) {
  if (list->empty() || list->back() != doc) list->push_back(doc);
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
  CapBits bits;
  for (int i = 0; i < r.capabilities_size(); ++i) {
    int idx = vocabulary_->IndexOf(r.capabilities(i));
    if (idx < 0) continue;
    caps.push_back(static_cast<uint16_t>(idx));
    AppendUnique(&by_capability_[idx], doc);
    if (idx >= 128) continue;
    bits.w[idx / 64] |= 1ULL << (idx % 64);
    // Canonical resources carry one provenance entry per capability, in the same order.
    const bool verified = i < r.capability_provenance_size() &&
                          r.capability_provenance(i).capability() == r.capabilities(i) &&
                          IsVerified(r.capability_provenance(i).source());
    if (!verified) bits.inferred[idx / 64] |= 1ULL << (idx % 64);
  }
  cap_bits_.push_back(bits);
  verified_on_.push_back(
      r.source().last_verified().year() != 0 ? common::DateNumber(r.source().last_verified()) : 0);
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

  const std::string fields[3] = {common::NormalizeForSearch(r.name()),
                                 common::NormalizeForSearch(r.name_kana()),
                                 common::NormalizeForSearch(r.address())};
  name_.Add(fields[kName]);
  kana_.Add(fields[kKana]);
  address_.Add(fields[kAddress]);
  sort_prefix_.push_back(PrefixKey(fields[kKana].empty() ? fields[kName] : fields[kKana]));
  name_head_.push_back(PrefixKey(fields[kName]));
  name_bytes_.push_back(static_cast<uint32_t>(fields[kName].size()));
  if (doc >= (1u << 24)) {
    // Packed positions leave 24 bits for the document; MaybeCompact keeps ids near the live
    // count, so this means more than 16 million resources in one instance.
    std::fprintf(stderr, "search index: more than 2^24 documents (program limit)\n");
    std::abort();
  }
  for (int f = 0; f < 3; ++f) {
    auto cps = common::DecodeUtf8(fields[f]);
    // A document's lists all grow during this call, so a repeated gram is caught by back().
    for (size_t i = 0; i < cps.size(); ++i) {
      AppendUnique(&grams_[f][GramKey(cps[i])], doc);
      if (i + 1 < cps.size()) AppendUnique(&grams_[f][GramKey(cps[i], cps[i + 1])], doc);
      if (i + 2 < cps.size() && i < 255) {
        grams_[f][GramKey(cps[i], cps[i + 1], cps[i + 2])].push_back(doc << 8 |
                                                                     static_cast<uint32_t>(i));
      }
    }
    if (cps.size() > 257) long_docs_[f].push_back(doc);
  }
  if (has_loc) {
    grid_[CellKey(CellIndex(r.location().latitude(), 20.0),
                  CellIndex(r.location().longitude(), 120.0))]
        .push_back(doc);
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
    for (uint16_t c : caps_[d]) {
      r.add_capabilities(vocabulary_->at(c).code());
      auto* e = r.add_capability_provenance();
      e->set_capability(vocabulary_->at(c).code());
      const bool inferred = c < 128 && (cap_bits_[d].inferred[c / 64] >> (c % 64) & 1);
      e->set_source(inferred ? v1::CAPABILITY_SOURCE_NAME : v1::CAPABILITY_SOURCE_SURVEY);
    }
    if (verified_on_[d] != 0) {
      *r.mutable_source()->mutable_last_verified() = common::DateFromNumber(verified_on_[d]);
    }
    for (uint32_t m : served_[d]) r.add_service_area(MunicipalityCodeString(m));
    // Normalized text is idempotent under normalization, so it can be indexed again as is.
    r.set_name(std::string(name_[d]));
    r.set_name_kana(std::string(kana_[d]));
    r.set_address(std::string(address_[d]));
    uint32_t nd = fresh.AddDoc(r);
    fresh.doc_of_[r.id()] = nd;
  }
  *this = std::move(fresh);
}

}  // namespace renkei::directory
