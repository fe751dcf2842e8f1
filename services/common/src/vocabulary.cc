#include "renkei/common/vocabulary.h"

#include <algorithm>
#include <unordered_map>

#include "renkei/common/csv.h"

namespace renkei::common {
namespace embedded {
extern const char vocabulary_csv[];
extern const unsigned long vocabulary_csv_size;
}  // namespace embedded

namespace {

std::vector<VocabularyEntry> Parse() {
  std::string_view text(embedded::vocabulary_csv, embedded::vocabulary_csv_size);
  StripUtf8Bom(&text);
  CsvReader reader;
  reader.Feed(text);
  reader.Finish();
  std::vector<VocabularyEntry> out;
  CsvRecord r;
  bool header = true;
  while (reader.Next(&r)) {
    if (header) {  // set,code,ja,en
      header = false;
      continue;
    }
    if (r.malformed || r.fields.size() < 4 || r.fields[1].empty()) continue;
    out.push_back({r.fields[0], r.fields[1], r.fields[2], r.fields[3]});
  }
  return out;
}

bool IsCapabilityCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 40) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return code[0] >= 'a' && code[0] <= 'z';
}

}  // namespace

const std::vector<VocabularyEntry>& Vocabulary() {
  static const std::vector<VocabularyEntry>* entries = new std::vector<VocabularyEntry>(Parse());
  return *entries;
}

const VocabularyEntry* FindVocabulary(std::string_view set, std::string_view code) {
  // "set\0code" -> entry; built once (Vocabulary() never changes).
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string, const VocabularyEntry*>();
    for (const auto& e : Vocabulary()) m->emplace(e.set + '\0' + e.code, &e);
    return m;
  }();
  std::string key;
  key.reserve(set.size() + 1 + code.size());
  key.append(set).push_back('\0');
  key.append(code);
  auto it = index->find(key);
  return it == index->end() ? nullptr : it->second;
}

std::string StepName(int step) {
  const VocabularyEntry* e = FindVocabulary(kPdcaStepSet, std::to_string(step));
  return e ? e->ja : "不明";
}

std::string TagLabel(std::string_view tag) {
  constexpr std::string_view kCapabilityKey = "capability:";
  constexpr std::string_view kTagKey = "tag:";
  if (tag.substr(0, kCapabilityKey.size()) == kCapabilityKey)
    tag.remove_prefix(kCapabilityKey.size());
  if (tag.substr(0, kTagKey.size()) == kTagKey) tag.remove_prefix(kTagKey.size());
  if (const auto* e = FindVocabulary(kSeedTagSet, tag)) return e->ja;
  if (const auto* e = FindVocabulary(kCapabilitySet, tag)) return e->ja;
  return std::string(tag);
}

CapabilityVocabulary::CapabilityVocabulary(const std::vector<v1::CapabilityDefinition>& extra) {
  for (const auto& b : Vocabulary()) {
    if (b.set != kCapabilitySet) continue;
    v1::Capability c;
    c.set_code(b.code);
    c.set_label_ja(b.ja);
    c.set_label_en(b.en);
    c.set_built_in(true);
    index_[c.code()] = static_cast<int>(capabilities_.size());
    capabilities_.push_back(std::move(c));
  }
  for (const auto& e : extra) {
    if (index_.count(e.code())) continue;
    v1::Capability c;
    c.set_code(e.code());
    c.set_label_ja(e.label_ja());
    c.set_label_en(e.label_en());
    index_[c.code()] = static_cast<int>(capabilities_.size());
    capabilities_.push_back(std::move(c));
  }
}

int CapabilityVocabulary::IndexOf(std::string_view code) const {
  auto it = index_.find(std::string(code));
  return it == index_.end() ? -1 : it->second;
}

std::string CapabilityVocabulary::LabelOf(std::string_view code) const {
  const int i = IndexOf(code);
  return i >= 0 ? capabilities_[i].label_ja() : std::string(code);
}

void ValidateExtraCapabilities(const std::vector<v1::CapabilityDefinition>& extra,
                               std::string_view path, FieldViolations* v) {
  CapabilityVocabulary builtins;
  if (builtins.size() + extra.size() > kMaxVocabulary) {
    v->Add(std::string(path), "対応内容は合計 " + std::to_string(kMaxVocabulary) +
                                  " 件までです / at most " +
                                  std::to_string(kMaxVocabulary - builtins.size()) + " additions");
  }
  std::vector<std::string> seen;
  for (size_t i = 0; i < extra.size(); ++i) {
    std::string p = std::string(path) + "[" + std::to_string(i) + "]";
    const auto& e = extra[i];
    if (!IsCapabilityCode(e.code())) {
      v->Add(p + ".code", "英小文字・数字・_ の2〜40文字 / [a-z][a-z0-9_]{1,39}");
    } else if (builtins.Contains(e.code()) ||
               std::find(seen.begin(), seen.end(), e.code()) != seen.end()) {
      v->Add(p + ".code", "既に定義されています: " + e.code() + " / already defined");
    }
    seen.push_back(e.code());
    v->CheckText(p + ".label_ja", e.label_ja(), {.required = true, .max_chars = 50});
    v->CheckText(p + ".label_en", e.label_en(), {.max_chars = 100});
  }
}

}  // namespace renkei::common
