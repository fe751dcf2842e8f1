#include "resource_map_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::directory {

grpc::Status ResourceMapService::GetResourceMap(grpc::ServerContext*,
                                                const v1::GetResourceMapRequest* request,
                                                v1::ResourceMap* response) {
  return common::Respond(maps_->Get(*request), response);
}

}  // namespace renkei::directory
