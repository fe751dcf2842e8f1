// renkei-gateway: HTTP/JSON in front of the instance's services and the console's files.
//
//   renkei-gateway --config deploy/local/inagi.json
//   renkei-gateway --routes-markdown        (docs/gateway.md's route table)
//
// Exit status: 0 after SIGTERM/SIGINT, 2 for a bad command line or configuration (every bad field
// named), 1 when start-up failed (keys, accounts file, port in use).
#include <cstring>
#include <iostream>

#include "gateway/gateway.h"
#include "gateway/routes.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/log.h"
#include "renkei/common/server.h"

int main(int argc, char** argv) {
  using namespace renkei;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--routes-markdown") == 0) {
      std::cout << gateway::RoutesMarkdown();
      return 0;
    }
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else {
      std::cerr << "usage: renkei-gateway --config <instance.json> | --routes-markdown\n";
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "usage: renkei-gateway --config <instance.json> | --routes-markdown\n";
    return 2;
  }
  common::BlockTerminationSignals();
  auto config = common::LoadInstanceConfig(config_path);
  if (config.ok()) {
    if (auto s = gateway::PrepareGatewayConfig(&*config); !s.ok()) config = s;
  }
  if (!config.ok()) {
    common::InitLogging("gateway", "");
    common::LogLine(common::LogLevel::kError, "bad config")
        .Field("error", config.status().ToString());
    return 2;  // as the services: a bad command line or configuration
  }
  common::InitLogging("gateway", common::InstanceId(config->instance()));
  auto gw = gateway::Gateway::Create(*config);
  if (!gw.ok()) {
    common::LogLine(common::LogLevel::kError, "cannot start")
        .Field("error", gw.status().ToString());
    return 1;
  }
  if (auto s = (*gw)->Start(); !s.ok()) {
    common::LogLine(common::LogLevel::kError, "cannot listen").Field("error", s.ToString());
    return 1;
  }
  common::LogLine(common::LogLevel::kInfo, "listening")
      .Field("address", config->gateway().listen_address())
      .Field("port", (*gw)->port())
      .Field("console", config->gateway().static_dir());
  common::WaitForTerminationSignal();
  common::LogLine(common::LogLevel::kInfo, "stopping");
  (*gw)->Stop();
  return 0;
}
