// renkei-intake: consultations, matching, referrals, follow-ups and issue seeds of one
// municipality.
#include "intake.h"
#include "intake_service.h"
#include "renkei/common/config.h"
#include "renkei/common/service_host.h"
#include "renkei/common/validation.h"
#include "retention.h"

int main(int argc, char** argv) {
  using namespace renkei;
  common::ServiceSpec spec{
      "intake", intake::ConsultationStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_intake()->mutable_server(); }};
  return common::RunService(
      argc, argv, spec,
      [](common::ServiceHost& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
        const auto& config = host.config();
        common::FieldViolations v;
        if (config.instance().level() != v1::INSTANCE_LEVEL_MUNICIPALITY) {
          v.Add("instance.level",
                "相談受付は市区町村のインスタンスで動きます / intake runs in a municipal instance");
        }
        if (!common::IsHostPort(config.intake().directory_address())) {
          v.Add("intake.directory_address",
                "host:port の形式で指定してください / required, host:port");
        }
        std::vector<v1::CapabilityDefinition> extra(config.directory().extra_capabilities().begin(),
                                                    config.directory().extra_capabilities().end());
        directory::ValidateExtraCapabilities(extra, "directory.extra_capabilities", &v);
        const uint32_t retention_days = config.intake().personal_retention_days();
        if (retention_days > 36500) {
          v.Add("intake.personal_retention_days", "0〜36500 です / 0..36500 (0: kept)");
        }
        if (!v.empty()) return v.ToStatus();
        auto* vocabulary = host.Keep(std::make_unique<directory::CapabilityVocabulary>(extra));
        const uint32_t deadline = config.intake().directory_deadline_ms()
                                      ? config.intake().directory_deadline_ms()
                                      : 5000;
        auto channel = host.ChannelTo(config.intake().directory_address());
        if (!channel.ok()) return channel.status();
        auto* finder = host.Keep(std::make_unique<intake::GrpcResourceFinder>(
            *channel, std::chrono::milliseconds(deadline)));
        intake::IntakeOptions options;
        options.municipality_code = config.instance().code();
        auto* intake = host.Keep(
            std::make_unique<intake::Intake>(host.store(), host.outbox(), host.sealer(),
                                             host.event_source(), vocabulary, finder, options));
        if (retention_days > 0) {
          auto* sweeper = host.Keep(std::make_unique<intake::RetentionSweeper>(
              intake, retention_days, std::chrono::hours(1)));
          sweeper->Start();
          host.OnShutdown([sweeper] { sweeper->Stop(); });
        }
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(std::make_unique<intake::IntakeService>(intake, host.requests()));
        return services;
      });
}
