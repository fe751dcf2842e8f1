// renkei-gateway: HTTP/JSON in front of an instance's gRPC services, and the console's files
// (docs/gateway.md). Stateless: every API route is one call to a service with the caller's bearer
// token, so the services' own authentication and authorization matrix decide.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "renkei/v1/config.pb.h"

namespace renkei::gateway {

// Fills the gateway section's defaults and checks it (errors name "gateway.<field>").
absl::Status PrepareGatewayConfig(v1::InstanceConfig* config);

// The origin (scheme://host[:port]) of an http(s) URL, as a Content-Security-Policy source; empty
// when it is not one (another scheme, no host, or characters a policy cannot hold).
std::string TileOrigin(const std::string& url);

class Gateway {
 public:
  // `config` as prepared by PrepareGatewayConfig.
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(const v1::InstanceConfig& config);
  ~Gateway();
  // Binds gateway.listen_address (port 0: a free one) and serves on a thread of its own.
  absl::Status Start();
  int port() const;
  // Stops accepting and waits for running requests.
  void Stop();

  class Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace renkei::gateway
