#include "training_module.h"

#include <chrono>

#include "renkei/common/config.h"
#include "renkei/common/federation.h"
#include "renkei/common/log.h"
#include "renkei/common/mail.h"
#include "renkei/common/mail_queue.h"
#include "renkei/common/periodic.h"
#include "renkei/common/status_macros.h"
#include "training.h"
#include "training_service.h"

namespace renkei::training {
namespace {

void ValidateConfig(const v1::InstanceConfig& config, common::FieldViolations* v) {
  const auto& t = config.training();
  if (t.resident_retention_days() > 3650) {
    v->Add("training.resident_retention_days", "1〜3650 です / 1..3650 (default 30)");
  }
  if (!t.link_origin().empty() && t.link_origin().rfind("https://", 0) != 0 &&
      t.link_origin().rfind("http://", 0) != 0) {
    v->Add("training.link_origin", "http(s):// で始めてください / an http(s) origin");
  }
}

absl::StatusOr<common::Services> Build(common::ServiceHost& host) {
  const auto& config = host.config();
  TrainingOptions options;
  options.level = config.instance().level();
  // The nation's code is "000000" (its instance file names no code).
  options.jurisdiction_code =
      options.level == v1::INSTANCE_LEVEL_NATIONAL ? "000000" : config.instance().code();
  options.jurisdiction_name = config.instance().name();
  options.link_origin = common::PublicLinkOrigin(config, config.training().link_origin());
  if (config.training().resident_retention_days() > 0) {
    options.resident_retention_days = static_cast<int>(config.training().resident_retention_days());
  }
  ASSIGN_OR_RETURN(auto mailer, common::NewSmtpMailer(config.mail()));
  options.mail = host.Keep(std::make_unique<common::MailQueue>(
      host.store(), host.sealer(), mailer ? host.Keep(std::move(mailer)) : nullptr, host.clock()));
  auto* domain = host.Keep(std::make_unique<Trainings>(host.store(), host.outbox(), host.sealer(),
                                                       host.event_source(), options));
  if (auto s = domain->Load(); !s.ok()) return s;
  const std::string registrations = common::EventFilter("*", "*", "registration", "*");
  if (common::HasParent(config)) {
    host.Consume(common::kParentStream, "training_parent_trainings",
                 common::EventFilter("*", "*", "training", "*"),
                 [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                   return domain->ApplyFederatedTraining(e, cmd);
                 });
    host.Consume(common::kParentStream, "training_parent_registrations", registrations,
                 [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                   return domain->ApplyRegistrationOutcome(e, cmd);
                 });
  }
  if (common::HasChildren(config)) {
    host.Consume(common::kChildrenStream, "training_children_registrations", registrations,
                 [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                   return domain->ApplyRegistrationRequest(e, cmd);
                 });
  }
  options.mail->Start();
  // Residents' names and contacts go once their event is long enough over.
  host.Keep(std::make_unique<common::PeriodicTask>(
                [domain] {
                  if (auto erased = domain->EraseResidentData(); !erased.ok()) {
                    common::LogLine(common::LogLevel::kWarning, "resident retention failed")
                        .Field("error", erased.status().ToString());
                  }
                },
                std::chrono::hours(1)))
      ->Start();
  return common::OneService<TrainingService>(domain, host.requests());
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "training", TrainingStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_training()->mutable_server(); }, ValidateConfig,
      Build};
  return module;
}

}  // namespace renkei::training
