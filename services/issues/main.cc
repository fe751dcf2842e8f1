// renkei-issues: regional issues (地域課題) of a municipality or a prefecture. A municipal instance
// turns seeds from consultations into candidate issues; a prefectural instance receives the
// wide-area issues its municipalities escalate.
#include "issues.h"
#include "issues_service.h"
#include "renkei/common/config.h"
#include "renkei/common/consumer.h"
#include "renkei/common/federation.h"
#include "renkei/common/service_host.h"
#include "renkei/common/validation.h"

int main(int argc, char** argv) {
  using namespace renkei;
  common::ServiceSpec spec{
      "issues", issues::IssueStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_issues()->mutable_server(); }};
  return common::RunService(
      argc, argv, spec,
      [](common::ServiceHost& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
        const auto& config = host.config();
        const auto& section = config.issues();
        const bool prefecture = config.instance().level() == v1::INSTANCE_LEVEL_PREFECTURE;
        common::FieldViolations v;
        if (config.instance().level() != v1::INSTANCE_LEVEL_MUNICIPALITY && !prefecture) {
          v.Add("instance.level",
                "地域課題は市区町村か都道府県のインスタンスで動きます / issues runs in a "
                "municipal or prefectural instance");
        }
        if (section.candidate_threshold() > 1000)
          v.Add("issues.candidate_threshold", "1〜1000 です / 1..1000");
        if (section.candidate_window_days() > 3650) {
          v.Add("issues.candidate_window_days", "1〜3650 です / 1..3650");
        }
        if (!v.empty()) return v.ToStatus();

        issues::IssuesOptions options;
        options.jurisdiction_code = config.instance().code();
        options.prefecture = prefecture;
        options.clustering.municipality_code = config.instance().code();
        options.clustering.threshold =
            section.candidate_threshold() ? static_cast<int>(section.candidate_threshold()) : 3;
        options.clustering.window_days = section.candidate_window_days()
                                             ? static_cast<int>(section.candidate_window_days())
                                             : 90;
        auto* domain = host.Keep(std::make_unique<issues::Issues>(
            host.store(), host.outbox(), host.sealer(), host.event_source(), options));
        if (auto s = domain->Load(); !s.ok()) return s;

        // Durable consumers: seeds and gaps of this municipality, or escalations to this
        // prefecture. Each applies its effect with the inbox record in one batch.
        auto consume = [&](const std::string& stream, const std::string& durable,
                           const std::string& filter, common::EventHandler handler) {
          common::ConsumerOptions o;
          o.consumer.stream = stream;
          o.consumer.durable = durable;
          o.consumer.filter_subject = filter;
          host.Consume(o, std::move(handler));
        };
        const std::string& instance = host.instance_id();
        if (!prefecture) {
          auto seeds = [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
            return domain->ApplySeedEvent(e, cmd);
          };
          consume(config.nats().stream(), "issues_seeds",
                  common::EventFilter("*", instance, "*", "issue_seed_raised"), seeds);
          consume(config.nats().stream(), "issues_gaps",
                  common::EventFilter("*", instance, "*", "resource_gap_found"), seeds);
          // Federation: the prefecture's wide-area issues come down on RENKEI_PARENT.
          if (common::HasParent(config)) {
            consume(common::kParentStream, "issues_wide_area",
                    common::EventFilter("*", "*", "issue", "*"),
                    [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                      return domain->ApplyWideAreaEvent(e, cmd);
                    });
          }
        } else {
          // In a federation the municipalities' escalations arrive on RENKEI_CHILDREN.
          const std::string stream = !section.escalation_stream().empty()
                                         ? section.escalation_stream()
                                     : common::HasChildren(config) ? common::kChildrenStream
                                                                   : config.nats().stream();
          const std::string subject = section.escalation_subject().empty()
                                          ? common::EventFilter("pref", "*", "*", "issue_escalated")
                                          : section.escalation_subject();
          consume(stream, "issues_escalations_" + instance, subject,
                  [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                    return domain->ApplyEscalation(e, cmd);
                  });
        }
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(std::make_unique<issues::IssuesService>(domain, host.requests()));
        return services;
      });
}
