#include "fhir_export.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "csv_formats.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/log.h"
#include "vocabulary.h"

namespace renkei::directory {
namespace {

constexpr std::string_view kKindSystem = "urn:renkei:resource-kind";
constexpr std::string_view kCapabilitySystem = "urn:renkei:capability";

// A FHIR string as HL7's R4 JSON schema accepts it: its pattern [ \r\n\t\S]+, read as validators
// read it (JavaScript's \s), refuses other white space, e.g. the ideographic space U+3000 in many
// facility names ("医療法人社団　…"). Each is written as an ASCII space, as NFKC would.
std::string FhirText(std::string_view s) {
  static constexpr std::string_view kSpaces[] = {
      "\v",           "\f",           "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80",
      "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85",
      "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A",
      "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80",
      "\xEF\xBB\xBF"};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (std::string_view space : kSpaces) {
      if (s.substr(i, space.size()) == space) {
        out.push_back(' ');
        i += space.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

// Builds one JSON object: fields in the order added; Raw takes a value that is JSON already.
class Json {
 public:
  Json& Raw(std::string_view name, std::string_view json) {
    if (out_.size() > 1) out_.push_back(',');
    common::AppendJsonString(name, &out_);
    out_.push_back(':');
    out_.append(json);
    return *this;
  }
  Json& Str(std::string_view name, std::string_view value) { return Raw(name, Quote(value)); }
  // Only when not empty.
  Json& StrIf(std::string_view name, std::string_view value) {
    return value.empty() ? *this : Str(name, value);
  }
  std::string Done() { return out_ + "}"; }

  // Every string value goes through FhirText.
  static std::string Quote(std::string_view value) {
    std::string q;
    common::AppendJsonString(FhirText(value), &q);
    return q;
  }
  static std::string Array(const std::vector<std::string>& items) {
    std::string a = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) a.push_back(',');
      a.append(items[i]);
    }
    return a + "]";
  }

 private:
  std::string out_ = "{";
};

std::string Coding(std::string_view system, std::string_view code, std::string_view display) {
  return Json().Str("system", system).Str("code", code).StrIf("display", display).Done();
}

std::string Concept(std::string_view system, std::string_view code, std::string_view display) {
  return Json().Raw("coding", Json::Array({Coding(system, code, display)})).Done();
}

std::string Reference(std::string_view type, const std::string& id) {
  return Json().Str("reference", std::string(type) + "/" + id).Done();
}

std::string Telecom(const v1::Resource& r) {
  const std::pair<const char*, const std::string*> points[] = {{"phone", &r.contact().phone()},
                                                               {"fax", &r.contact().fax()},
                                                               {"url", &r.contact().url()},
                                                               {"email", &r.contact().email()}};
  std::vector<std::string> items;
  for (const auto& [system, value] : points) {
    if (value->empty()) continue;
    items.push_back(Json().Str("system", system).Str("value", *value).Str("use", "work").Done());
  }
  return items.empty() ? "" : Json::Array(items);
}

bool Located(const v1::Resource& r) {
  return r.has_location() && r.location_precision() != v1::LOCATION_PRECISION_UNSPECIFIED;
}

std::string Address(const v1::Resource& r) {
  const auto* m = common::Jurisdictions::Get().FindMunicipality(r.municipality_code());
  Json a;
  a.Str("use", "work").StrIf("text", r.address());
  if (m != nullptr) a.Str("city", m->name).Str("state", m->prefecture_name);
  a.Str("country", "JP");
  std::vector<std::string> extensions = {Json()
                                             .Str("url", "urn:renkei:fhir:municipality-code")
                                             .Str("valueCode", r.municipality_code())
                                             .Done()};
  if (Located(r)) {
    extensions.push_back(
        Json()
            .Str("url", "http://hl7.org/fhir/StructureDefinition/geolocation")
            .Raw("extension",
                 Json::Array({Json()
                                  .Str("url", "latitude")
                                  .Raw("valueDecimal", FormatDouble(r.location().latitude()))
                                  .Done(),
                              Json()
                                  .Str("url", "longitude")
                                  .Raw("valueDecimal", FormatDouble(r.location().longitude()))
                                  .Done()}))
            .Done());
  }
  a.Raw("extension", Json::Array(extensions));
  return a.Done();
}

}  // namespace

std::string FhirId(const std::string& id) {
  std::string out = id;
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

void AppendFhirResources(const v1::Resource& r, const common::CapabilityVocabulary& vocabulary,
                         std::string* out) {
  const std::string org = FhirId(r.id());
  const std::string loc = org + ".loc";
  const std::string svc = org + ".svc";
  const std::string kind = KindCode(r.kind());
  const std::string kind_label(common::Label(r.kind()));
  const std::string meta = Json().Str("versionId", std::to_string(r.version())).Done();
  const std::string telecom = Telecom(r);

  Json o;
  o.Str("resourceType", "Organization").Str("id", org).Raw("meta", meta);
  if (!r.source().system().empty()) {
    o.Raw("identifier", Json::Array({Json()
                                         .Str("system", "urn:renkei:source:" + r.source().system())
                                         .Str("value", r.source().source_id())
                                         .Done()}));
  }
  o.Raw("active", "true")
      .Raw("type", Json::Array({Concept(kKindSystem, kind, kind_label)}))
      .Str("name", r.name());
  if (!r.name_kana().empty()) o.Raw("alias", Json::Array({Json::Quote(r.name_kana())}));
  if (!telecom.empty()) o.Raw("telecom", telecom);
  o.Raw("address", Json::Array({Address(r)}));
  out->append(o.Done()).push_back('\n');

  Json l;
  l.Str("resourceType", "Location").Str("id", loc).Raw("meta", meta);
  l.Str("status", "active").Str("name", r.name()).Str("mode", "instance");
  if (!telecom.empty()) l.Raw("telecom", telecom);
  l.Raw("address", Address(r));
  if (Located(r)) {
    l.Raw("position", Json()
                          .Raw("longitude", FormatDouble(r.location().longitude()))
                          .Raw("latitude", FormatDouble(r.location().latitude()))
                          .Done());
  }
  l.Raw("managingOrganization", Reference("Organization", org));
  out->append(l.Done()).push_back('\n');

  Json s;
  s.Str("resourceType", "HealthcareService").Str("id", svc).Raw("meta", meta);
  s.Raw("active", "true")
      .Raw("providedBy", Reference("Organization", org))
      .Raw("category", Json::Array({Concept(kKindSystem, kind, kind_label)}))
      .Raw("location", Json::Array({Reference("Location", loc)}))
      .Str("name", r.name());
  if (!telecom.empty()) s.Raw("telecom", telecom);
  std::vector<std::string> characteristics;
  for (const auto& code : r.capabilities()) {
    characteristics.push_back(Concept(kCapabilitySystem, code, vocabulary.LabelOf(code)));
  }
  if (!characteristics.empty()) s.Raw("characteristic", Json::Array(characteristics));
  out->append(s.Done()).push_back('\n');
}

}  // namespace renkei::directory
