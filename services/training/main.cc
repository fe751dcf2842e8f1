// renkei-training: trainings (研修会) organized by the instance's jurisdiction — national,
// prefectural or municipal — with sessions, registrations, attendance, surveys and calendars.
#include "renkei/common/config.h"
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
            host.store(), host.outbox(), host.event_source(), options));
        if (auto s = domain->Load(); !s.ok()) return s;
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(std::make_unique<training::TrainingService>(domain));
        return services;
      });
}
