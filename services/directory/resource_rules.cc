#include "resource_rules.h"

#include <algorithm>
#include <cmath>

#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"

namespace renkei::directory {
namespace {

void Trim(std::string* s) {
  std::string_view t = common::TrimSpaces(*s);
  if (t.size() != s->size()) *s = std::string(t);
}

void SortUnique(google::protobuf::RepeatedPtrField<std::string>* field) {
  std::vector<std::string> v(field->begin(), field->end());
  for (auto& s : v) Trim(&s);
  v.erase(std::remove(v.begin(), v.end(), std::string()), v.end());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  field->Clear();
  for (auto& s : v) field->Add(std::move(s));
}

double Round7(double x) { return std::round(x * 1e7) / 1e7; }

// One provenance entry per capability, in the capabilities' order (UNSPECIFIED where none was
// given); entries naming no capability, or one already named, follow for validation to refuse.
void OrderProvenance(v1::Resource* r) {
  std::vector<v1::CapabilityProvenance> given(r->capability_provenance().begin(),
                                              r->capability_provenance().end());
  std::vector<bool> used(given.size(), false);
  r->clear_capability_provenance();
  for (const auto& code : r->capabilities()) {
    v1::CapabilityProvenance* out = r->add_capability_provenance();
    out->set_capability(code);
    for (size_t i = 0; i < given.size(); ++i) {
      if (!used[i] && common::TrimSpaces(given[i].capability()) == code) {
        used[i] = true;
        out->set_source(given[i].source());
        if (given[i].as_of().year() != 0) *out->mutable_as_of() = given[i].as_of();
        break;
      }
    }
  }
  for (size_t i = 0; i < given.size(); ++i) {
    if (!used[i]) *r->add_capability_provenance() = std::move(given[i]);
  }
}

}  // namespace

void ValidateLiaison(const v1::LiaisonContact& l, std::string_view path,
                     common::FieldViolations* v) {
  const std::string p(path);
  v->CheckText(p + ".department", l.department(), {.max_chars = kMaxDepartmentChars});
  v->CheckText(p + ".phone", l.phone(), {.max_chars = 30});
  v->CheckText(p + ".fax", l.fax(), {.max_chars = 30});
  v->CheckText(p + ".email", l.email(), {.max_chars = 254});
  if (!l.phone().empty() && l.phone().size() <= 30 && !common::LooksLikePhone(l.phone())) {
    v->Add(p + ".phone", "電話番号の形式ではありません (例: 042-378-2111)");
  }
  if (!l.fax().empty() && l.fax().size() <= 30 && !common::LooksLikePhone(l.fax())) {
    v->Add(p + ".fax", "FAX番号の形式ではありません (例: 042-378-2112)");
  }
  if (!l.email().empty() && l.email().size() <= 254 && !common::LooksLikeEmail(l.email())) {
    v->Add(p + ".email", "メールアドレスの形式ではありません (例: renkei@example.jp)");
  }
}

void CanonicalizeLiaison(v1::LiaisonContact* l) {
  Trim(l->mutable_department());
  Trim(l->mutable_phone());
  Trim(l->mutable_fax());
  Trim(l->mutable_email());
}

bool IsVerified(v1::CapabilitySource source) {
  return source == v1::CAPABILITY_SOURCE_KIND || source == v1::CAPABILITY_SOURCE_SURVEY ||
         source == v1::CAPABILITY_SOURCE_COORDINATOR ||
         source == v1::CAPABILITY_SOURCE_CURATED_FILE;
}

namespace {

bool IsSourceSystem(std::string_view s) {
  if (s.empty() || s.size() > 50) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

void Canonicalize(v1::Resource* r) {
  Trim(r->mutable_name());
  Trim(r->mutable_name_kana());
  Trim(r->mutable_address());
  Trim(r->mutable_municipality_code());
  Trim(r->mutable_corporation_name());
  Trim(r->mutable_note());
  Trim(r->mutable_contact()->mutable_phone());
  Trim(r->mutable_contact()->mutable_fax());
  Trim(r->mutable_contact()->mutable_url());
  Trim(r->mutable_contact()->mutable_email());
  SortUnique(r->mutable_capabilities());
  SortUnique(r->mutable_service_area());
  auto* area = r->mutable_service_area();
  for (int i = 0; i < area->size(); ++i) {
    if (area->Get(i) == r->municipality_code()) {
      area->DeleteSubrange(i, 1);
      break;
    }
  }
  if (r->has_location()) {
    auto* loc = r->mutable_location();
    loc->set_latitude(Round7(loc->latitude()));
    loc->set_longitude(Round7(loc->longitude()));
    if (loc->latitude() == 0 && loc->longitude() == 0) {
      r->clear_location();
      r->set_location_precision(v1::LOCATION_PRECISION_UNSPECIFIED);
    } else if (r->location_precision() == v1::LOCATION_PRECISION_UNSPECIFIED) {
      r->set_location_precision(v1::LOCATION_PRECISION_EXACT);
    }
  }
  if (!r->has_contact() || r->contact().ByteSizeLong() == 0) r->clear_contact();
  if (r->has_source() && r->source().ByteSizeLong() == 0) r->clear_source();
  OrderProvenance(r);
  Trim(r->mutable_hours());
  CanonicalizeLiaison(r->mutable_liaison());
  if (r->liaison().ByteSizeLong() == 0) r->clear_liaison();
}

void ValidateResource(const v1::Resource& r, const CapabilityVocabulary& vocabulary,
                      std::string_view path, common::FieldViolations* v) {
  const std::string p(path);
  if (!r.id().empty() && !common::IsWellFormedId("res", r.id())) {
    v->Add(p + ".id", "資源IDの形式が不正です (res_ + 26文字) / malformed id");
  }
  v->CheckEnum(p + ".kind", r.kind(), v1::ResourceKind_IsValid, /*allow_unspecified=*/false);
  v->CheckText(p + ".name", r.name(), {.required = true, .max_chars = kMaxNameChars});
  v->CheckText(p + ".name_kana", r.name_kana(), {.max_chars = kMaxNameChars});
  v->CheckText(p + ".address", r.address(), {.max_chars = kMaxAddressChars});
  v->CheckText(p + ".corporation_name", r.corporation_name(), {.max_chars = kMaxNameChars});
  v->CheckText(p + ".note", r.note(), {.max_chars = kMaxNoteChars, .single_line = false});
  size_t before = v->violations().size();
  v->CheckMunicipalityCode(p + ".municipality_code", r.municipality_code());
  const bool municipality_ok = v->violations().size() == before;

  v->CheckEnum(p + ".location_precision", r.location_precision(), v1::LocationPrecision_IsValid,
               /*allow_unspecified=*/true);
  if (r.has_location()) {
    const auto& loc = r.location();
    if (!common::InsideJapan(loc.latitude(), loc.longitude())) {
      v->CheckLatLng(p + ".location", loc.latitude(), loc.longitude());
    } else if (municipality_ok && r.location_precision() == v1::LOCATION_PRECISION_EXACT) {
      const auto* m = common::Jurisdictions::Get().FindMunicipality(r.municipality_code());
      if (!common::Jurisdictions::Get().PlausiblyInPrefecture(m->prefecture_code, loc.latitude(),
                                                              loc.longitude())) {
        v->Add(p + ".location",
               "座標が" + m->prefecture_name + "の範囲外です / coordinates outside the prefecture");
      }
    }
  }
  v->CheckCount(p + ".service_area", r.service_area_size(), kMaxServiceArea);
  for (int i = 0; i < r.service_area_size() && i < static_cast<int>(kMaxServiceArea); ++i) {
    v->CheckMunicipalityCode(p + ".service_area[" + std::to_string(i) + "]", r.service_area(i));
  }
  v->CheckCount(p + ".capabilities", r.capabilities_size(), kMaxCapabilities);
  for (int i = 0; i < r.capabilities_size() && i < static_cast<int>(kMaxCapabilities); ++i) {
    const std::string& c = r.capabilities(i);
    if (!common::IsValidUtf8(c) || !vocabulary.Contains(c)) {
      std::string shown = common::IsValidUtf8(c) && c.size() <= 60 ? c : "(invalid)";
      v->Add(p + ".capabilities[" + std::to_string(i) + "]",
             "未定義の対応内容です: " + shown + " / unknown capability (see ListCapabilities)");
    }
  }
  for (int i = 0; i < r.capability_provenance_size(); ++i) {
    const auto& e = r.capability_provenance(i);
    const std::string ep = p + ".capability_provenance[" + std::to_string(i) + "]";
    if (i >= r.capabilities_size()) {
      v->Add(ep + ".capability",
             "対応内容にないか、重複しています / not one of the capabilities, or repeated");
      continue;
    }
    v->CheckEnum(ep + ".source", e.source(), v1::CapabilitySource_IsValid,
                 /*allow_unspecified=*/true);
    v->CheckDate(ep + ".as_of", e.as_of().year(), e.as_of().month(), e.as_of().day());
  }
  v->CheckText(p + ".hours", r.hours(), {.max_chars = kMaxHoursChars});
  ValidateLiaison(r.liaison(), p + ".liaison", v);
  v->CheckEnum(p + ".accepting_new_patients", r.accepting_new_patients(), v1::Acceptance_IsValid,
               /*allow_unspecified=*/true);
  if (r.capacity() < 0 || r.capacity() > kMaxCapacity) {
    v->Add(p + ".capacity", "0〜100000 の範囲で指定してください / must be 0..100000");
  }
  v->CheckText(p + ".contact.phone", r.contact().phone(), {.max_chars = 40});
  v->CheckText(p + ".contact.fax", r.contact().fax(), {.max_chars = 40});
  v->CheckText(p + ".contact.url", r.contact().url(), {.max_chars = 500});
  v->CheckText(p + ".contact.email", r.contact().email(), {.max_chars = 200});
  if (r.has_source()) {
    const auto& s = r.source();
    if (!s.system().empty() && !IsSourceSystem(s.system())) {
      v->Add(p + ".source.system", "英小文字・数字・- の50文字以内 / [a-z0-9-_], ≤ 50");
    }
    v->CheckText(p + ".source.source_id", s.source_id(), {.max_chars = 100});
    if (s.system().empty() != s.source_id().empty()) {
      v->Add(p + ".source",
             "出典の体系と出典での ID は、両方指定するか両方とも空にしてください / give both "
             "system and source_id, or neither");
    }
    v->CheckDate(p + ".source.last_verified", s.last_verified().year(), s.last_verified().month(),
                 s.last_verified().day());
  }
}

void FillProvenance(const v1::Resource* stored, const v1::Date& today, v1::Resource* r) {
  for (auto& e : *r->mutable_capability_provenance()) {
    if (e.source() != v1::CAPABILITY_SOURCE_UNSPECIFIED) continue;
    const v1::CapabilityProvenance* before = nullptr;
    if (stored != nullptr) {
      for (const auto& s : stored->capability_provenance()) {
        if (s.capability() == e.capability()) before = &s;
      }
    }
    if (before != nullptr && before->source() != v1::CAPABILITY_SOURCE_UNSPECIFIED) {
      e = *before;
    } else if (before == nullptr) {
      e.set_source(v1::CAPABILITY_SOURCE_COORDINATOR);
      *e.mutable_as_of() = today;
    }
  }
}

bool SameContent(const v1::Resource& a, const v1::Resource& b) {
  v1::Resource x = a, y = b;
  x.clear_version();
  x.clear_updated_at();
  y.clear_version();
  y.clear_updated_at();
  return x.SerializeAsString() == y.SerializeAsString();
}

std::string SourceKey(const v1::Resource& r) {
  if (!r.has_source() || r.source().system().empty()) return "";
  return r.source().system() + ":" + r.source().source_id();
}

std::string NewResourceId(const v1::Resource& r, const common::Clock& clock) {
  std::string key = SourceKey(r);
  return key.empty() ? common::NewId("res", clock) : common::DeterministicId("res", key);
}

}  // namespace renkei::directory
