// renkei-gateway: HTTP/JSON in front of the instance's services and the console's files.
//
//   renkei-gateway --config deploy/local/inagi.json
//   renkei-gateway --routes-markdown        (docs/gateway.md's route table)
//   renkei-gateway --openapi                (the API's OpenAPI 3 document, as /api/v1/openapi.json)
//
// Exit status (common::RunProcess): 0 after SIGTERM/SIGINT, 2 for a bad command line or
// configuration (every bad field named), 1 when start-up failed (keys, accounts file, port in
// use).
#include <iostream>

#include "gateway/gateway.h"
#include "gateway/openapi.h"
#include "gateway/routes.h"
#include "renkei/common/log.h"
#include "renkei/common/service_host.h"

namespace renkei::gateway {
namespace {

absl::StatusOr<std::function<void()>> Start(v1::InstanceConfig config) {
  if (auto s = PrepareGatewayConfig(&config); !s.ok()) return s;
  auto created = Gateway::Create(config);
  // Keys, the accounts file: start-up failed (1), not a bad field.
  if (!created.ok()) return absl::UnavailableError(created.status().ToString());
  std::shared_ptr<Gateway> gateway = std::move(*created);
  if (auto s = gateway->Start(); !s.ok()) return absl::UnavailableError(s.ToString());
  common::LogLine(common::LogLevel::kInfo, "listening")
      .Field("address", config.gateway().listen_address())
      .Field("port", gateway->port())
      .Field("console", config.gateway().static_dir());
  return [gateway] {
    // NOLINTNEXTLINE(bugprone-unused-raii): a LogLine writes its line when the temporary ends.
    common::LogLine(common::LogLevel::kInfo, "stopping");
    gateway->Stop();
  };
}

}  // namespace
}  // namespace renkei::gateway

int main(int argc, char** argv) {
  return renkei::common::RunProcess(
      argc, argv,
      {"gateway",
       {{"--routes-markdown", [] { std::cout << renkei::gateway::RoutesMarkdown(); }},
        {"--openapi",
         [] {
           renkei::v1::InstanceConfig config;
           config.mutable_instance()->set_name("(any instance)");
           std::cout << renkei::gateway::OpenApiDocument(config) << "\n";
         }}},
       renkei::gateway::Start});
}
