#include "directory_module.h"

#include <chrono>

#include "directory.h"
#include "directory_service.h"
#include "renkei/common/config.h"
#include "renkei/common/federation.h"
#include "renkei/common/log.h"
#include "renkei/common/mail.h"
#include "renkei/common/status_macros.h"
#include "resource_map_service.h"
#include "resource_store.h"
#include "resource_survey.h"
#include "resource_survey_service.h"
#include "vocabulary.h"

namespace renkei::directory {
namespace {

std::vector<v1::CapabilityDefinition> ExtraCapabilities(const v1::InstanceConfig& config) {
  return {config.directory().extra_capabilities().begin(),
          config.directory().extra_capabilities().end()};
}

void ValidateConfig(const v1::InstanceConfig& config, common::FieldViolations* v) {
  ValidateExtraCapabilities(ExtraCapabilities(config), "directory.extra_capabilities", v);
  if (config.directory().import_batch_rows() > 100000) {
    v->Add("directory.import_batch_rows", "100000 以下 / at most 100000");
  }
  const std::string& origin = config.directory().survey_link_origin();
  if (!origin.empty() && ((origin.rfind("https://", 0) != 0 && origin.rfind("http://", 0) != 0) ||
                          origin.back() == '/')) {
    v->Add("directory.survey_link_origin",
           "https://host[:port] の形 (末尾の / なし) です / an origin, https://host[:port]");
  }
  common::ValidateMailConfig(config.mail(), v);
}

std::vector<std::string> ColumnFamilies() {
  std::vector<std::string> cfs = ResourceStore::ColumnFamilies();
  for (auto& cf : ResourceSurveys::ColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

absl::StatusOr<common::Services> Build(common::ServiceHost& host) {
  const auto& config = host.config();
  auto* vocabulary = host.Keep(std::make_unique<CapabilityVocabulary>(ExtraCapabilities(config)));
  DirectoryOptions options;
  if (config.directory().import_batch_rows() > 0) {
    options.import_batch_rows = static_cast<int>(config.directory().import_batch_rows());
  }
  options.instance_id = host.instance_id();
  const v1::InstanceLevel level = config.instance().level();
  if (level == v1::INSTANCE_LEVEL_MUNICIPALITY) {
    options.own_municipality_code = config.instance().code();
  }
  auto* dir = host.Keep(std::make_unique<Directory>(
      host.store(), host.outbox(), host.event_source(), vocabulary, options, host.clock()));
  const auto start = std::chrono::steady_clock::now();
  if (auto s = dir->LoadIndex(); !s.ok()) return s;
  common::LogLine(common::LogLevel::kInfo, "search index loaded")
      .Field("resources", static_cast<uint64_t>(dir->size()))
      .Field("ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - start)
                                            .count()));
  // Federation: a prefecture keeps every resource of its municipalities; a municipality keeps
  // those of its prefecture (sourced down), so matching outside the municipality works while
  // the link is down.
  auto replicate = [&](const std::string& stream, const std::string& durable) {
    host.Consume(stream, durable, common::EventFilter("*", "*", "resource", "*"),
                 [dir](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
                   return dir->ApplyFederatedEvent(e, cmd);
                 });
  };
  if (level == v1::INSTANCE_LEVEL_PREFECTURE && common::HasChildren(config)) {
    replicate(common::kChildrenStream, "directory_children");
  }
  if (level == v1::INSTANCE_LEVEL_MUNICIPALITY && common::HasParent(config)) {
    replicate(common::kParentStream, "directory_parent");
  }
  ASSIGN_OR_RETURN(auto mailer, common::NewSmtpMailer(config.mail()));
  SurveyOptions survey_options;
  if (level == v1::INSTANCE_LEVEL_MUNICIPALITY) {
    survey_options.municipality_code = config.instance().code();
  }
  survey_options.link_origin =
      common::PublicLinkOrigin(config, config.directory().survey_link_origin());
  auto* surveys = host.Keep(std::make_unique<ResourceSurveys>(
      dir, host.outbox(), host.sealer(), host.event_source(), host.audit(),
      mailer ? host.Keep(std::move(mailer)) : nullptr, survey_options, host.clock()));
  common::Services services;
  services.push_back(std::make_unique<DirectoryService>(dir, host.requests()));
  services.push_back(std::make_unique<ResourceSurveyService>(surveys, host.requests()));
  services.push_back(std::make_unique<ResourceMapService>(host.Keep(
      std::make_unique<ResourceMapBuilder>(dir, vocabulary, survey_options.municipality_code))));
  return services;
}

}  // namespace

const common::ServiceModule& Module() {
  static const common::ServiceModule module{
      "directory", ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_directory()->mutable_server(); },
      ValidateConfig, Build};
  return module;
}

}  // namespace renkei::directory
