// The JSON API's description for integrating systems: an OpenAPI 3.0 document made from the one
// route table (routes.cc: the service routes, the public routes and the gateway's own) and the
// protos' descriptors — every path with its parameters, request and answer schemas in protobuf's
// JSON mapping, the error shape, request ids (Idempotency-Key) and the bearer-token scheme.
// Served at GET /api/v1/openapi.json and printed by `renkei-gateway --openapi`.
#pragma once

#include <string>

#include "renkei/v1/config.pb.h"

namespace renkei::gateway {

std::string OpenApiDocument(const v1::InstanceConfig& config);

}  // namespace renkei::gateway
