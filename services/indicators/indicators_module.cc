#include "indicators_module.h"

#include "derived_feed.h"
#include "indicators.h"
#include "indicators_service.h"
#include "renkei/common/federation.h"

namespace renkei::indicators {
namespace {

void ValidateConfig(const v1::InstanceConfig& config, common::FieldViolations* v) {
  const auto& section = config.indicators();
  if (section.suppression_max_count() > 1000) {
    v->Add("indicators.suppression_max_count", "0〜1000 です / 0..1000");
  }
  if (section.suppression_min_denominator() > 100000) {
    v->Add("indicators.suppression_min_denominator", "0〜100000 です / 0..100000");
  }
  if (section.import_batch_rows() > 100000) {
    v->Add("indicators.import_batch_rows", "1〜100000 です / 1..100000");
  }
  if (section.reconcile_interval_seconds() > 7 * 86400) {
    v->Add("indicators.reconcile_interval_seconds", "0〜604800 です / 0..604800 (0: never)");
  }
}

IndicatorsOptions OptionsFrom(const v1::InstanceConfig& config) {
  const auto& section = config.indicators();
  IndicatorsOptions options;
  options.level = config.instance().level();
  // The nation's code is "000000" (its instance file names no code).
  options.jurisdiction_code =
      options.level == v1::INSTANCE_LEVEL_NATIONAL ? "000000" : config.instance().code();
  if (section.has_suppression_max_count()) {
    options.suppression.max_small_count = section.suppression_max_count();
  }
  if (section.has_suppression_min_denominator()) {
    options.suppression.min_denominator = section.suppression_min_denominator();
  }
  if (section.import_batch_rows()) {
    options.import_batch_rows = static_cast<int>(section.import_batch_rows());
  }
  return options;
}

// Every event of the instance feeds the derived indicators (derived_feed.h), reconciled with the
// counts of the services that publish them (their AdminService).
absl::StatusOr<DerivedFeed*> StartDerivedFeed(common::ServiceHost& host, Indicators* domain) {
  const auto& config = host.config();
  DerivedFeedOptions options;
  options.instance_id = host.instance_id();
  options.stream = config.nats().stream();
  const auto& section = config.indicators();
  options.reconcile_interval_ms =
      int64_t{section.has_reconcile_interval_seconds() ? section.reconcile_interval_seconds()
                                                       : 3600} *
      1000;
  if (common::HasChildren(config)) options.children_stream = common::kChildrenStream;
  for (const auto& [name, server] :
       {std::pair<std::string, const v1::ServerConfig*>{"intake", &config.intake().server()},
        {"issues", &config.issues().server()},
        {"training", &config.training().server()}}) {
    if (server->listen_address().empty()) continue;
    auto channel = host.ChannelTo(server->listen_address());
    if (!channel.ok()) return channel.status();
    options.sources[name] = *channel;
  }
  auto* feed = host.Keep(std::make_unique<DerivedFeed>(domain, host.store(), host.outbox(),
                                                       host.bus(), host.metrics(), options));
  if (auto s = feed->Start(); !s.ok()) return s;
  host.OnShutdown([feed] { feed->Stop(); });
  return feed;
}

absl::StatusOr<common::Services> Build(common::ServiceHost& host) {
  const auto& config = host.config();
  auto* domain = host.Keep(std::make_unique<Indicators>(host.store(), host.outbox(),
                                                        host.event_source(), OptionsFrom(config)));
  if (auto s = domain->RefreshDerivedDefinitions(); !s.ok()) return s;
  // The instance's regional issues define indicators through their expected changes.
  host.Consume(config.nats().stream(), "indicators_expected_changes",
               common::EventFilter("*", host.instance_id(), "*", "expected_change_defined"),
               [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                 return domain->ApplyExpectedChange(e, cmd);
               });
  auto feed = StartDerivedFeed(host, domain);
  if (!feed.ok()) return feed.status();

  // Federation: definitions and observations of the instances below (roll-ups at the prefecture
  // and the nation use the values the municipalities recorded), definitions from above (national
  // indicators reach every instance).
  auto federated = [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
    return domain->ApplyFederated(e, cmd);
  };
  if (common::HasChildren(config)) {
    host.Consume(common::kChildrenStream, "indicators_children_definitions",
                 common::EventFilter("*", "*", "indicator", "*"), federated);
    host.Consume(common::kChildrenStream, "indicators_children_observations",
                 common::EventFilter("*", "*", "observation", "*"), federated);
  }
  if (common::HasParent(config)) {
    host.Consume(common::kParentStream, "indicators_parent_definitions",
                 common::EventFilter("*", "*", "indicator", "*"), federated);
  }
  return common::OneService<IndicatorsService>(domain, *feed, host.requests());
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "indicators", IndicatorStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_indicators()->mutable_server(); },
      ValidateConfig, Build};
  return module;
}

}  // namespace renkei::indicators
