#include "issues_module.h"

#include "issues.h"
#include "issues_service.h"
#include "renkei/common/federation.h"

namespace renkei::issues {
namespace {

void ValidateConfig(const v1::InstanceConfig& config, common::FieldViolations* v) {
  const v1::InstanceLevel level = config.instance().level();
  if (level != v1::INSTANCE_LEVEL_MUNICIPALITY && level != v1::INSTANCE_LEVEL_PREFECTURE) {
    v->Add("instance.level",
           "地域課題は市区町村か都道府県のインスタンスで動きます / issues runs in a municipal or "
           "prefectural instance");
  }
  if (config.issues().candidate_threshold() > 1000) {
    v->Add("issues.candidate_threshold", "1〜1000 です / 1..1000");
  }
  if (config.issues().candidate_window_days() > 3650) {
    v->Add("issues.candidate_window_days", "1〜3650 です / 1..3650");
  }
}

// Seeds and gaps of the municipality, and the prefecture's wide-area issues coming down.
void ConsumeAsMunicipality(common::ServiceHost& host, Issues* domain) {
  const auto& config = host.config();
  const std::string& instance = host.instance_id();
  auto seeds = [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
    return domain->ApplySeedEvent(e, cmd);
  };
  host.Consume(config.nats().stream(), "issues_seeds",
               common::EventFilter("*", instance, "*", "issue_seed_raised"), seeds);
  host.Consume(config.nats().stream(), "issues_gaps",
               common::EventFilter("*", instance, "*", "resource_gap_found"), seeds);
  if (common::HasParent(config)) {
    host.Consume(common::kParentStream, "issues_wide_area",
                 common::EventFilter("*", "*", "issue", "*"),
                 [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                   return domain->ApplyWideAreaEvent(e, cmd);
                 });
  }
}

// The municipalities' escalations (in a federation they arrive on RENKEI_CHILDREN).
void ConsumeAsPrefecture(common::ServiceHost& host, Issues* domain) {
  const auto& config = host.config();
  const auto& section = config.issues();
  const std::string stream = !section.escalation_stream().empty() ? section.escalation_stream()
                             : common::HasChildren(config)        ? common::kChildrenStream
                                                                  : config.nats().stream();
  const std::string subject = section.escalation_subject().empty()
                                  ? common::EventFilter("pref", "*", "*", "issue_escalated")
                                  : section.escalation_subject();
  host.Consume(stream, "issues_escalations_" + host.instance_id(), subject,
               [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                 return domain->ApplyEscalation(e, cmd);
               });
}

absl::StatusOr<common::Services> Build(common::ServiceHost& host) {
  const auto& config = host.config();
  const auto& section = config.issues();
  const bool prefecture = config.instance().level() == v1::INSTANCE_LEVEL_PREFECTURE;
  IssuesOptions options;
  options.jurisdiction_code = config.instance().code();
  options.prefecture = prefecture;
  options.clustering.municipality_code = config.instance().code();
  options.clustering.threshold =
      section.candidate_threshold() ? static_cast<int>(section.candidate_threshold()) : 3;
  options.clustering.window_days =
      section.candidate_window_days() ? static_cast<int>(section.candidate_window_days()) : 90;
  auto* domain = host.Keep(std::make_unique<Issues>(host.store(), host.outbox(), host.sealer(),
                                                    host.event_source(), options));
  if (auto s = domain->Load(); !s.ok()) return s;
  // Each consumer applies its effect with the inbox record in one batch.
  if (prefecture) {
    ConsumeAsPrefecture(host, domain);
  } else {
    ConsumeAsMunicipality(host, domain);
  }
  return common::OneService<IssuesService>(domain, host.requests());
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "issues", IssueStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_issues()->mutable_server(); }, ValidateConfig,
      Build};
  return module;
}

}  // namespace renkei::issues
