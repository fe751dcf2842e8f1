// The directory's FHIR R4 export: each resource as three FHIR resources on their own NDJSON lines
// (docs/directory.md, "Export"):
//   Organization       the provider: kind as a coded type, kana as alias, telecom, address (with
//                      the municipality code and, when located, the standard geolocation)
//   Location           where it is: address, position, managingOrganization
//   HealthcareService  what it offers: kind as category, each capability as a coded
//                      characteristic, providedBy, location, telecom
// FHIR ids allow only [A-Za-z0-9-.]{1,64}: a resource "res_01J…" becomes "res-01J…" (its
// Organization), "res-01J….loc" and "res-01J….svc".
#pragma once

#include <string>

#include "renkei/common/vocabulary.h"
#include "renkei/v1/directory.pb.h"

namespace renkei::directory {

// The FHIR id of a directory id: '_' (not allowed in FHIR ids) becomes '-'.
std::string FhirId(const std::string& id);

// Appends `r` as its Organization, Location and HealthcareService, one JSON object per line.
void AppendFhirResources(const v1::Resource& r, const common::CapabilityVocabulary& vocabulary,
                         std::string* out);

}  // namespace renkei::directory
