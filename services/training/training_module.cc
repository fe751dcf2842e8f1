#include "training_module.h"

#include "renkei/common/federation.h"
#include "training.h"
#include "training_service.h"

namespace renkei::training {
namespace {

absl::StatusOr<common::Services> Build(common::ServiceHost& host) {
  const auto& config = host.config();
  TrainingOptions options;
  options.level = config.instance().level();
  // The nation's code is "000000" (its instance file names no code).
  options.jurisdiction_code =
      options.level == v1::INSTANCE_LEVEL_NATIONAL ? "000000" : config.instance().code();
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
  return common::OneService<TrainingService>(domain, host.requests());
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "training", TrainingStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_training()->mutable_server(); },
      /*validate_config=*/nullptr, Build};
  return module;
}

}  // namespace renkei::training
