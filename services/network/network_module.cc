#include "network_module.h"

#include <chrono>
#include <utility>

#include "network.h"
#include "network_service.h"
#include "renkei/common/config.h"
#include "renkei/common/federation.h"
#include "renkei/common/validation.h"
#include "worksheets.h"

namespace renkei::network {
namespace {

void ValidateConfig(const v1::InstanceConfig& config, common::FieldViolations* v) {
  const auto& n = config.network();
  for (const auto& [field, address] :
       {std::pair<const char*, const std::string*>{"network.issues_address", &n.issues_address()},
        {"network.indicators_address", &n.indicators_address()}}) {
    if (!address->empty() && !common::IsHostPort(*address)) {
      v->Add(field, "host:port の形式で指定してください / host:port");
    }
  }
  if (n.issues_address().empty() != n.indicators_address().empty()) {
    v->Add("network.indicators_address",
           "issues_address と一緒に指定してください / give both or neither");
  }
}

absl::StatusOr<common::Services> Build(common::ServiceHost& host) {
  const auto& config = host.config();
  NetworkOptions options;
  options.level = config.instance().level();
  // The nation's code is "000000" (its instance file names no code).
  options.jurisdiction_code =
      options.level == v1::INSTANCE_LEVEL_NATIONAL ? "000000" : config.instance().code();
  const bool publishes = !config.network().issues_address().empty();
  if (publishes) {
    auto issues = host.ChannelTo(config.network().issues_address());
    if (!issues.ok()) return issues.status();
    auto indicators = host.ChannelTo(config.network().indicators_address());
    if (!indicators.ok()) return indicators.status();
    options.worksheets = host.Keep(
        std::make_unique<GrpcWorksheets>(*issues, *indicators, std::chrono::milliseconds(5000)));
  }
  auto* domain = host.Keep(std::make_unique<Network>(host.store(), host.outbox(), host.sealer(),
                                                     host.event_source(), options));
  if (auto s = domain->Load(); !s.ok()) return s;
  if (publishes) {
    // A practice published here follows its issue and its evaluation values.
    auto follow = [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
      return domain->FollowIssue(e, cmd);
    };
    const std::string& own = config.nats().stream();
    host.Consume(own, "network_follow_issues",
                 common::EventFilter("*", host.instance_id(), "issue", "*"), follow);
    host.Consume(own, "network_follow_observations",
                 common::EventFilter("*", host.instance_id(), "observation", "*"), follow);
  }
  const std::string network = common::EventFilter("*", "*", "network", "*");
  auto apply = [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
    return domain->ApplyEvent(e, cmd);
  };
  if (common::HasParent(config))
    host.Consume(common::kParentStream, "network_parent", network, apply);
  if (common::HasChildren(config)) {
    host.Consume(common::kChildrenStream, "network_children", network, apply);
  }
  return common::OneService<NetworkService>(domain, host.requests());
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "network", NetworkStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_network()->mutable_server(); }, ValidateConfig,
      Build};
  return module;
}

}  // namespace renkei::network
