// renkei-indicators: indicator definitions, observations, derived indicators, comparisons and
// roll-ups of the instance's jurisdiction (a municipality, a prefecture or the nation).
#include "derived_feed.h"
#include "indicators.h"
#include "indicators_service.h"
#include "renkei/common/config.h"
#include "renkei/common/consumer.h"
#include "renkei/common/federation.h"
#include "renkei/common/service_host.h"
#include "renkei/common/validation.h"

int main(int argc, char** argv) {
  using namespace renkei;
  common::ServiceSpec spec{
      "indicators", indicators::IndicatorStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_indicators()->mutable_server(); }};
  return common::RunService(
      argc, argv, spec,
      [](common::ServiceHost& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
        const auto& config = host.config();
        const auto& section = config.indicators();
        common::FieldViolations v;
        if (section.suppression_max_count() > 1000)
          v.Add("indicators.suppression_max_count", "0〜1000 です / 0..1000");
        if (section.suppression_min_denominator() > 100000)
          v.Add("indicators.suppression_min_denominator", "0〜100000 です / 0..100000");
        if (section.import_batch_rows() > 100000)
          v.Add("indicators.import_batch_rows", "1〜100000 です / 1..100000");
        if (section.reconcile_interval_seconds() > 7 * 86400)
          v.Add("indicators.reconcile_interval_seconds", "0〜604800 です / 0..604800 (0: never)");
        if (!v.empty()) return v.ToStatus();
        indicators::IndicatorsOptions options;
        options.level = config.instance().level();
        // The nation's code is "000000" (its instance file names no code).
        options.jurisdiction_code = config.instance().level() == v1::INSTANCE_LEVEL_NATIONAL
                                        ? "000000"
                                        : config.instance().code();
        if (section.has_suppression_max_count())
          options.suppression.max_small_count = section.suppression_max_count();
        if (section.has_suppression_min_denominator())
          options.suppression.min_denominator = section.suppression_min_denominator();
        if (section.import_batch_rows()) options.import_batch_rows = section.import_batch_rows();
        auto* domain = host.Keep(std::make_unique<indicators::Indicators>(
            host.store(), host.outbox(), host.event_source(), options));

        auto consume_from = [&](const std::string& stream, const std::string& durable,
                                const std::string& filter, common::EventHandler handler,
                                bool skip_no_ops) {
          common::ConsumerOptions o;
          o.consumer.stream = stream;
          o.consumer.durable = durable;
          o.consumer.filter_subject = filter;
          o.skip_inbox_for_no_ops = skip_no_ops;
          host.Consume(o, std::move(handler));
        };
        auto consume = [&](const std::string& durable, const std::string& filter,
                           common::EventHandler handler, bool skip_no_ops) {
          consume_from(config.nats().stream(), durable, filter, std::move(handler), skip_no_ops);
        };
        const std::string& instance = host.instance_id();
        // The instance's regional issues define indicators through their expected changes.
        consume(
            "indicators_expected_changes",
            common::EventFilter("*", instance, "*", "expected_change_defined"),
            [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
              return domain->ApplyExpectedChange(e, cmd);
            },
            /*skip_no_ops=*/false);
        // Every event of the instance feeds the derived indicators (derived_feed.h), counted by
        // the services that publish them (their AdminService).
        indicators::DerivedFeedOptions feed_options;
        feed_options.instance_id = instance;
        feed_options.stream = config.nats().stream();
        feed_options.reconcile_interval_ms =
            int64_t{section.has_reconcile_interval_seconds() ? section.reconcile_interval_seconds()
                                                             : 3600} *
            1000;
        if (common::HasChildren(config)) feed_options.children_stream = common::kChildrenStream;
        for (const auto& [name, server] :
             {std::pair<std::string, const v1::ServerConfig*>{"intake", &config.intake().server()},
              {"issues", &config.issues().server()},
              {"training", &config.training().server()}}) {
          if (server->listen_address().empty()) continue;
          auto channel = host.ChannelTo(server->listen_address());
          if (!channel.ok()) return channel.status();
          feed_options.sources[name] = *channel;
        }
        auto* feed = host.Keep(std::make_unique<indicators::DerivedFeed>(
            domain, host.store(), host.outbox(), host.bus(), host.metrics(), feed_options));
        if (auto s = feed->Start(); !s.ok()) return s;
        host.OnShutdown([feed] { feed->Stop(); });

        // Federation: definitions and observations of the instances below (roll-ups at the
        // prefecture and the nation use the values the municipalities recorded), definitions
        // from above (national indicators reach every instance), and the derived indicators of
        // the municipalities counted from the events they share.
        auto federated = [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
          return domain->ApplyFederated(e, cmd);
        };
        if (common::HasChildren(config)) {
          consume_from(common::kChildrenStream, "indicators_children_definitions",
                       common::EventFilter("*", "*", "indicator", "*"), federated, false);
          consume_from(common::kChildrenStream, "indicators_children_observations",
                       common::EventFilter("*", "*", "observation", "*"), federated, false);
        }
        if (common::HasParent(config)) {
          consume_from(common::kParentStream, "indicators_parent_definitions",
                       common::EventFilter("*", "*", "indicator", "*"), federated, false);
        }
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(
            std::make_unique<indicators::IndicatorsService>(domain, feed, host.requests()));
        return services;
      });
}
