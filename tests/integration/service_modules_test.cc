// The services as modules (service_host.h): each names every bad field of the parts of the
// instance file it reads, and builds and serves in-process (port 0, no child process).
#include <functional>

#include "directory/directory_module.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "indicators/indicators_module.h"
#include "intake/intake_module.h"
#include "issues/issues_module.h"
#include "network/network_module.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "renkei/v1/network.grpc.pb.h"
#include "renkei/v1/training.grpc.pb.h"
#include "testing.h"
#include "training/training_module.h"

namespace renkei {
namespace {

using testing::InProcessConfig;
using testing::TempDir;
using ::testing::UnorderedElementsAreArray;
using testing::ViolatedFields;

struct ModuleCase {
  const char* name;
  const common::ServiceModule& module;
  const char* level;
  const char* code;
  const char* sections;  // a valid configuration of the module's own sections
  // A configuration with every check of the module failing, and the fields it must name.
  const char* bad_level;
  const char* bad_code;
  const char* bad_sections;
  std::vector<std::string> bad_fields;
  // One read on the served module (true when answered OK).
  std::function<bool(const std::shared_ptr<grpc::Channel>&)> read;
};

// A read of `Service` through `call` with an empty request, answered OK.
template <typename Service, typename Stub, typename Request, typename Response>
std::function<bool(const std::shared_ptr<grpc::Channel>&)> Read(
    grpc::Status (Stub::*call)(grpc::ClientContext*, const Request&, Response*)) {
  return [call](const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = Service::NewStub(channel);
    grpc::ClientContext ctx;
    Response response;
    grpc::Status s = (stub.get()->*call)(&ctx, Request(), &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok();
  };
}

std::vector<ModuleCase> Cases() {
  return {
      {"directory",
       directory::Module(),
       "municipality",
       "132250",
       "",
       "municipality",
       "132250",
       R"("directory": {"extra_capabilities": [{"code": "Bad", "label_ja": "x"}],
                        "import_batch_rows": 200000})",
       {"directory.extra_capabilities[0].code", "directory.import_batch_rows"},
       Read<v1::DirectoryService>(&v1::DirectoryService::Stub::ListCapabilities)},
      {"intake",
       intake::Module(),
       "municipality",
       "132250",
       R"("intake": {"directory_address": "127.0.0.1:1"})",
       "prefecture",
       "130001",
       R"("intake": {"personal_retention_days": 40000, "network_address": "no port"},
          "directory": {"extra_capabilities": [{"code": "ok_code"}]})",
       {"instance.level", "intake.directory_address", "intake.personal_retention_days",
        "intake.network_address", "directory.extra_capabilities[0].label_ja"},
       Read<v1::IntakeService>(&v1::IntakeService::Stub::ListConsultations)},
      {"issues",
       issues::Module(),
       "municipality",
       "132250",
       "",
       "national",
       "",
       R"("issues": {"candidate_threshold": 2000, "candidate_window_days": 4000})",
       {"instance.level", "issues.candidate_threshold", "issues.candidate_window_days"},
       Read<v1::IssuesService>(&v1::IssuesService::Stub::ListIssues)},
      {"training",
       training::Module(),
       "prefecture",
       "130001",
       "",
       "prefecture",
       "130001",
       R"("training": {"server": {"listen_address": "127.0.0.1:0", "max_message_bytes": 1}})",
       {"training.server.max_message_bytes"},
       Read<v1::TrainingService>(&v1::TrainingService::Stub::ListTrainings)},
      {"indicators",
       indicators::Module(),
       "national",
       "",
       "",
       "national",
       "",
       R"("indicators": {"suppression_max_count": 1001, "suppression_min_denominator": 100001,
                         "import_batch_rows": 100001, "reconcile_interval_seconds": 604801})",
       {"indicators.suppression_max_count", "indicators.suppression_min_denominator",
        "indicators.import_batch_rows", "indicators.reconcile_interval_seconds"},
       Read<v1::IndicatorsService>(&v1::IndicatorsService::Stub::ListIndicators)},
      {"network",
       network::Module(),
       "prefecture",
       "130001",
       "",
       "municipality",
       "132250",
       R"("network": {"server": {"listen_address": "127.0.0.1:0", "max_message_bytes": 1}})",
       {"network.server.max_message_bytes"},
       Read<v1::NetworkService>(&v1::NetworkService::Stub::ListProfiles)},
  };
}

TEST(ServiceModulesTest, EachNamesEveryBadFieldOfWhatItReads) {
  for (const auto& c : Cases()) {
    SCOPED_TRACE(c.name);
    TempDir tmp;
    auto host = common::ServiceHost::Open(
        InProcessConfig(tmp.path(), c.bad_level, c.bad_code, c.bad_sections), c.module);
    ASSERT_FALSE(host.ok());
    EXPECT_EQ(host.status().code(), absl::StatusCode::kInvalidArgument) << host.status();
    EXPECT_THAT(ViolatedFields(host.status()), UnorderedElementsAreArray(c.bad_fields))
        << host.status();
  }
}

TEST(ServiceModulesTest, EachBuildsAndServesInProcess) {
  for (const auto& c : Cases()) {
    SCOPED_TRACE(c.name);
    TempDir tmp;
    auto host = common::ServiceHost::Open(InProcessConfig(tmp.path(), c.level, c.code, c.sections),
                                          c.module);
    ASSERT_TRUE(host.ok()) << host.status();
    ASSERT_TRUE((*host)->Serve().ok());
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*host)->port()),
                                       grpc::InsecureChannelCredentials());
    EXPECT_TRUE(c.read(channel));
    (*host)->Shutdown();
  }
}

}  // namespace
}  // namespace renkei
