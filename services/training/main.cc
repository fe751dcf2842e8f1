// renkei-training: trainings (研修会) organized by the instance's jurisdiction — national,
// prefectural or municipal — with sessions, registrations, attendance, surveys and calendars.
#include "renkei/common/config.h"
#include "renkei/common/consumer.h"
#include "renkei/common/federation.h"
#include "renkei/common/service_host.h"
#include "training.h"
#include "training_service.h"

int main(int argc, char** argv) {
  using namespace renkei;
  common::ServiceSpec spec{
      "training", training::TrainingStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_training()->mutable_server(); }};
  return common::RunService(
      argc, argv, spec,
      [](common::ServiceHost& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
        const auto& config = host.config();
        training::TrainingOptions options;
        options.level = config.instance().level();
        // The nation's code is "000000" (its instance file names no code).
        options.jurisdiction_code = config.instance().level() == v1::INSTANCE_LEVEL_NATIONAL
                                        ? "000000"
                                        : config.instance().code();
        auto* domain = host.Keep(std::make_unique<training::Trainings>(
            host.store(), host.outbox(), host.sealer(), host.event_source(), options));
        if (auto s = domain->Load(); !s.ok()) return s;
        // Federation: trainings from above and the outcome of registrations sent up (parent);
        // registrations sent up by the municipalities below (children).
        auto consume = [&](const std::string& stream, const std::string& durable,
                           const std::string& filter, common::EventHandler handler) {
          common::ConsumerOptions o;
          o.consumer.stream = stream;
          o.consumer.durable = durable;
          o.consumer.filter_subject = filter;
          host.Consume(o, std::move(handler));
        };
        const std::string registrations = common::EventFilter("*", "*", "registration", "*");
        if (common::HasParent(config)) {
          consume(common::kParentStream, "training_parent_trainings",
                  common::EventFilter("*", "*", "training", "*"),
                  [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                    return domain->ApplyFederatedTraining(e, cmd);
                  });
          consume(common::kParentStream, "training_parent_registrations", registrations,
                  [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                    return domain->ApplyRegistrationOutcome(e, cmd);
                  });
        }
        if (common::HasChildren(config)) {
          consume(common::kChildrenStream, "training_children_registrations", registrations,
                  [domain](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                    return domain->ApplyRegistrationRequest(e, cmd);
                  });
        }
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(std::make_unique<training::TrainingService>(domain, host.requests()));
        return services;
      });
}
