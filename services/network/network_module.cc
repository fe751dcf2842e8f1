#include "network_module.h"

#include <chrono>
#include <utility>

#include "network.h"
#include "network_service.h"
#include "renkei/common/config.h"
#include "renkei/common/federation.h"
#include "renkei/common/mail.h"
#include "renkei/common/mail_queue.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/validation.h"
#include "sharing.h"
#include "sharing_service.h"
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
  if (!n.link_origin().empty() && n.link_origin().rfind("https://", 0) != 0 &&
      n.link_origin().rfind("http://", 0) != 0) {
    v->Add("network.link_origin", "http(s):// で始めてください / an http(s) origin");
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
  // Information sharing: the mails of notices and subscriptions, the documents and notices the
  // instances above issue (they come down the parent's stream).
  ASSIGN_OR_RETURN(auto mailer, common::NewSmtpMailer(config.mail()));
  auto* mail = host.Keep(std::make_unique<common::MailQueue>(
      host.store(), host.sealer(), mailer ? host.Keep(std::move(mailer)) : nullptr, host.clock()));
  SharingOptions sharing_options;
  sharing_options.level = options.level;
  sharing_options.jurisdiction_code = options.jurisdiction_code;
  sharing_options.jurisdiction_name = config.instance().name();
  sharing_options.link_origin = common::PublicLinkOrigin(config, config.network().link_origin());
  auto* sharing = host.Keep(std::make_unique<Sharing>(host.store(), host.outbox(), host.sealer(),
                                                      host.event_source(), mail, sharing_options,
                                                      host.clock()));
  RETURN_IF_ERROR(sharing->Load());
  if (common::HasParent(config)) {
    host.Consume(common::kParentStream, "sharing_parent",
                 common::EventFilter("*", "*", "sharing", "*"),
                 [sharing](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                   return sharing->ApplyEvent(e, cmd);
                 });
  }
  mail->Start();
  common::Services services;
  services.push_back(std::make_unique<NetworkService>(domain, host.requests()));
  services.push_back(std::make_unique<SharingService>(sharing, host.requests()));
  return services;
}

std::vector<std::string> ColumnFamilies() {
  std::vector<std::string> cfs = NetworkStore::ColumnFamilies();
  for (auto& cf : Sharing::ColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "network", ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_network()->mutable_server(); }, ValidateConfig,
      Build};
  return module;
}

}  // namespace renkei::network
