// The instance configuration file: JSON in the protobuf JSON mapping of renkei.v1.InstanceConfig
// (proto/renkei/v1/config.proto). Unknown keys are rejected; defaults are filled in; every bad
// value is reported with its path. A service refuses to start on a bad file.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "renkei/common/validation.h"
#include "renkei/v1/config.pb.h"

namespace renkei::common {

// Reads, parses, fills defaults and validates the instance-wide sections (instance, nats,
// outbox). Service sections are validated by ValidateServerConfig from the service.
absl::StatusOr<v1::InstanceConfig> LoadInstanceConfig(const std::string& path);
absl::StatusOr<v1::InstanceConfig> ParseInstanceConfig(std::string_view json);

// Fills a service's ServerConfig defaults (data_dir under data_root) and validates it;
// `path` is the section's name in the file, e.g. "directory.server".
void PrepareServerConfig(const v1::InstanceConfig& instance, std::string_view service,
                         std::string_view path, v1::ServerConfig* server, FieldViolations* v);

// "host:port" with a port 0..65535.
bool IsHostPort(std::string_view address);

// Where links sent to people without an account point (answer, cancellation, confirmation
// links): `configured` (a service's own setting), else the gateway's public origin, else the
// gateway's own address.
std::string PublicLinkOrigin(const v1::InstanceConfig& config, const std::string& configured);

}  // namespace renkei::common
