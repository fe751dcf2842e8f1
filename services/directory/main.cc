// renkei-directory: the resource directory service of one instance.
#include "directory.h"
#include "directory_service.h"
#include "renkei/common/config.h"
#include "renkei/common/consumer.h"
#include "renkei/common/federation.h"
#include "renkei/common/log.h"
#include "renkei/common/service_host.h"
#include "resource_store.h"
#include "vocabulary.h"

int main(int argc, char** argv) {
  using namespace renkei;
  common::ServiceSpec spec{
      "directory", directory::ResourceStore::ColumnFamilies(),
      [](v1::InstanceConfig* c) { return c->mutable_directory()->mutable_server(); }};
  return common::RunService(
      argc, argv, spec,
      [](common::ServiceHost& host) -> absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> {
        const auto& settings = host.config().directory();
        std::vector<v1::CapabilityDefinition> extra(settings.extra_capabilities().begin(),
                                                    settings.extra_capabilities().end());
        common::FieldViolations v;
        directory::ValidateExtraCapabilities(extra, "directory.extra_capabilities", &v);
        if (settings.import_batch_rows() > 100000) {
          v.Add("directory.import_batch_rows", "100000 以下 / at most 100000");
        }
        if (!v.empty()) return v.ToStatus();
        auto* vocabulary = host.Keep(std::make_unique<directory::CapabilityVocabulary>(extra));
        directory::DirectoryOptions options;
        if (settings.import_batch_rows() > 0)
          options.import_batch_rows = static_cast<int>(settings.import_batch_rows());
        options.instance_id = host.instance_id();
        if (host.config().instance().level() == v1::INSTANCE_LEVEL_MUNICIPALITY)
          options.own_municipality_code = host.config().instance().code();
        auto* dir = host.Keep(std::make_unique<directory::Directory>(
            host.store(), host.outbox(), host.event_source(), vocabulary, options));
        auto start = std::chrono::steady_clock::now();
        if (auto s = dir->LoadIndex(); !s.ok()) return s;
        common::LogLine(common::LogLevel::kInfo, "search index loaded")
            .Field("resources", static_cast<uint64_t>(dir->size()))
            .Field("ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - start)
                                                  .count()));
        // Federation: a prefecture keeps every resource of its municipalities; a municipality
        // keeps those of its prefecture (sourced down), so matching outside the municipality
        // works while the link is down.
        const std::string resources = common::EventFilter("*", "*", "resource", "*");
        auto replicate = [&](const std::string& stream, const std::string& durable) {
          common::ConsumerOptions o;
          o.consumer.stream = stream;
          o.consumer.durable = durable;
          o.consumer.filter_subject = resources;
          host.Consume(o, [dir](const v1::EventEnvelope& e, common::CommandBatch* cmd) {
            return dir->ApplyFederatedEvent(e, cmd);
          });
        };
        if (host.config().instance().level() == v1::INSTANCE_LEVEL_PREFECTURE &&
            common::HasChildren(host.config())) {
          replicate(common::kChildrenStream, "directory_children");
        }
        if (host.config().instance().level() == v1::INSTANCE_LEVEL_MUNICIPALITY &&
            common::HasParent(host.config())) {
          replicate(common::kParentStream, "directory_parent");
        }
        std::vector<std::unique_ptr<grpc::Service>> services;
        services.push_back(std::make_unique<directory::DirectoryService>(dir, host.requests()));
        return services;
      });
}
