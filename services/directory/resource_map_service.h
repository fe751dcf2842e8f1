// The gRPC edge of the public resource map: maps the request to ResourceMapBuilder and its
// status to gRPC's. No domain logic here.
#pragma once

#include "renkei/v1/resource_map.grpc.pb.h"
#include "resource_map.h"

namespace renkei::directory {

class ResourceMapService final : public v1::ResourceMapService::Service {
 public:
  explicit ResourceMapService(const ResourceMapBuilder* maps) : maps_(maps) {}

  grpc::Status GetResourceMap(grpc::ServerContext* context,
                              const v1::GetResourceMapRequest* request,
                              v1::ResourceMap* response) override;

 private:
  const ResourceMapBuilder* maps_;
};

}  // namespace renkei::directory
