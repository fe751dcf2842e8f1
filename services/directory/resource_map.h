// The public resource map (resource_map.proto, docs/directory.md "The public map"): one
// municipality's resources with their public fields only, nearest first from the office, a place
// in the municipality or a point. Built on Directory::Search; each public field is copied by name,
// so a field added to Resource is not published until it is added here.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "directory.h"
#include "renkei/v1/resource_map.pb.h"
#include "vocabulary.h"

namespace renkei::directory {

// At most this many resources on one map (nearest first).
inline constexpr int kMaxMapResources = 2000;

class ResourceMapBuilder {
 public:
  // `own_municipality`: a municipal instance's code, the map shown when a request names none.
  ResourceMapBuilder(const Directory* directory, const CapabilityVocabulary* vocabulary,
                     std::string own_municipality = "")
      : directory_(directory),
        vocabulary_(vocabulary),
        own_municipality_(std::move(own_municipality)) {}

  absl::StatusOr<v1::ResourceMap> Get(const v1::GetResourceMapRequest& request) const;

 private:
  // Every hit of `search` (page after page), up to kMaxMapResources; the total in `total`.
  absl::StatusOr<std::vector<v1::SearchHit>> AllHits(v1::SearchResourcesRequest search,
                                                     int* total) const;
  // The middle of the municipality's resources whose address contains `place`.
  absl::Status ResolvePlace(const std::string& municipality_code, const std::string& place,
                            v1::ResourceMap* map) const;
  v1::PublicResource PublicFields(const v1::SearchHit& hit, const std::string& municipality) const;

  const Directory* directory_;
  const CapabilityVocabulary* vocabulary_;
  std::string own_municipality_;
};

}  // namespace renkei::directory
