#include "intake_module.h"

#include "intake.h"
#include "intake_service.h"
#include "renkei/common/config.h"
#include "renkei/common/validation.h"
#include "retention.h"

namespace renkei::intake {
namespace {

std::vector<v1::CapabilityDefinition> ExtraCapabilities(const v1::InstanceConfig& config) {
  return {config.directory().extra_capabilities().begin(),
          config.directory().extra_capabilities().end()};
}

void ValidateConfig(const v1::InstanceConfig& config, common::FieldViolations* v) {
  if (config.instance().level() != v1::INSTANCE_LEVEL_MUNICIPALITY) {
    v->Add("instance.level",
           "相談受付は市区町村のインスタンスで動きます / intake runs in a municipal instance");
  }
  if (!common::IsHostPort(config.intake().directory_address())) {
    v->Add("intake.directory_address", "host:port の形式で指定してください / required, host:port");
  }
  if (!config.intake().network_address().empty() &&
      !common::IsHostPort(config.intake().network_address())) {
    v->Add("intake.network_address", "host:port の形式で指定してください / host:port");
  }
  common::ValidateExtraCapabilities(ExtraCapabilities(config), "directory.extra_capabilities", v);
  if (config.intake().personal_retention_days() > 36500) {
    v->Add("intake.personal_retention_days", "0〜36500 です / 0..36500 (0: kept)");
  }
}

absl::StatusOr<common::Services> Build(common::ServiceHost& host) {
  const auto& config = host.config();
  auto* vocabulary =
      host.Keep(std::make_unique<common::CapabilityVocabulary>(ExtraCapabilities(config)));
  const uint32_t deadline =
      config.intake().directory_deadline_ms() ? config.intake().directory_deadline_ms() : 5000;
  auto channel = host.ChannelTo(config.intake().directory_address());
  if (!channel.ok()) return channel.status();
  auto* finder = host.Keep(
      std::make_unique<GrpcResourceFinder>(*channel, std::chrono::milliseconds(deadline)));
  IntakeOptions options;
  options.municipality_code = config.instance().code();
  if (!config.intake().network_address().empty()) {
    auto network = host.ChannelTo(config.intake().network_address());
    if (!network.ok()) return network.status();
    options.coordinators = host.Keep(
        std::make_unique<GrpcCoordinatorFinder>(*network, std::chrono::milliseconds(deadline)));
  }
  auto* intake =
      host.Keep(std::make_unique<Intake>(host.store(), host.outbox(), host.sealer(),
                                         host.event_source(), vocabulary, finder, options));
  if (const uint32_t days = config.intake().personal_retention_days(); days > 0) {
    auto* sweeper =
        host.Keep(std::make_unique<RetentionSweeper>(intake, days, std::chrono::hours(1)));
    sweeper->Start();
    host.OnShutdown([sweeper] { sweeper->Stop(); });
  }
  return common::OneService<IntakeService>(intake, host.requests());
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "intake", ConsultationStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_intake()->mutable_server(); }, ValidateConfig,
      Build};
  return module;
}

}  // namespace renkei::intake
