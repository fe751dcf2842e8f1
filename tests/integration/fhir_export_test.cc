// The FHIR R4 export checked by an independent validator (issue 19, acceptance 4): Inagi's real
// resources (reference-data/, imported as an operator would) exported with the real renkeictl
// (`resource export --format fhir`) and validated by @asymmetrik/fhir-json-schema-validator, HL7's
// FHIR R4 JSON schema (console/tests/fhir-validate.mjs; console/node_modules from
// tools/console-build.sh). A control: the same checker refuses an id with '_', as every id of
// the earlier export had.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/v1/directory.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;

struct Checked {
  int exit_code = -1;
  std::string out;
};

// Runs the validator over `file`: its exit status and what it printed.
Checked Validate(const std::string& file) {
  const std::string command =
      "node '" + SourceDir() + "/console/tests/fhir-validate.mjs' '" + file + "' 2>&1";
  Checked c;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return c;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) c.out.append(buf.data(), n);
  const int status = pclose(pipe);
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return c;
}

TEST(FhirExportTest, InagisExportValidatesWithAnIndependentChecker) {
  TempDir tmp;
  auto nats = NatsServer::Start(tmp.Sub("nats"));
  ASSERT_TRUE(nats.ok()) << nats.status();
  InstanceProcesses procs(tmp.Sub("inagi"), (*nats)->url(), InProcess());
  ASSERT_TRUE(procs.Start("directory").ok());
  auto stub = v1::DirectoryService::NewStub(procs.channel("directory"));
  auto imported = ImportRealData(*stub);
  ASSERT_TRUE(imported.ok()) << imported.status();

  const std::string file = tmp.path() + "/inagi.ndjson";
  const CliResult exported = RunRenkeictl(
      {"resource", "export", "--format", "fhir", "--municipality", "132250", "--out", file},
      {{"RENKEI_DIRECTORY", procs.address("directory")}, {"RENKEI_TOKEN", procs.DefaultToken()}},
      tmp.path());
  ASSERT_EQ(exported.exit_code, 0) << exported;

  const Checked checked = Validate(file);
  std::printf("%s", checked.out.c_str());
  ASSERT_EQ(checked.exit_code, 0) << checked.out;
  // "<n> resources (Organization: a, Location: a, HealthcareService: a), 0 errors"
  const std::string orgs = FindFirst(checked.out, R"(Organization: (\d+))");
  ASSERT_FALSE(orgs.empty()) << checked.out;
  EXPECT_GT(std::stoi(orgs), 50) << "Inagi has more than 50 resources in the real data";
  EXPECT_THAT(checked.out, HasSubstr("Location: " + orgs + ","));
  EXPECT_THAT(checked.out, HasSubstr("HealthcareService: " + orgs + ")"));
  EXPECT_THAT(checked.out, HasSubstr(std::to_string(3 * std::stoi(orgs)) + " resources"));
  EXPECT_THAT(checked.out, HasSubstr(", 0 errors"));

  // The control: the first line again with the id the earlier export wrote.
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  const std::string id = FindFirst(first, R"re("id":"(res-[0-9A-Z]+)")re");
  ASSERT_FALSE(id.empty()) << first;
  std::string bad = first;
  bad.replace(bad.find(id), 4, "res_");
  const std::string control = tmp.path() + "/control.ndjson";
  std::ofstream(control) << bad << "\n";
  const Checked refused = Validate(control);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("should match pattern"));
  procs.Stop("directory");
}

}  // namespace
}  // namespace renkei::testing
