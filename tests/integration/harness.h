// Integration-test harness: a real nats-server and real RocksDB in temp dirs, and the directory
// either in-process (gRPC on a loopback port, the same classes main() wires) or as the real
// renkei-directory binary in a child process.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "directory/directory.h"
#include "directory/directory_service.h"
#include "grpcpp/client_context.h"
#include "renkei/common/auth.h"
#include "renkei/common/bus.h"
#include "renkei/common/clock.h"
#include "renkei/common/outbox.h"
#include "renkei/common/requests.h"
#include "renkei/common/server.h"
#include "renkei/common/service_host.h"
#include "renkei/common/store.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "testing.h"

namespace renkei::testing {

// One unary call of `stub`'s method `m` with a 10 s deadline, e.g.
// Call(stub, &v1::DirectoryService::Stub::GetResource, request, &resource).
template <typename Stub, typename Req, typename Resp>
grpc::Status Call(Stub& stub, grpc::Status (Stub::*m)(grpc::ClientContext*, const Req&, Resp*),
                  const Req& req, Resp* resp) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return (stub.*m)(&ctx, req, resp);
}

// The repository's copy of the real public data (reference-data/: municipalities, facilities).
std::string ReferenceDataDir();

// Every message currently in the stream, read with a throwaway durable consumer.
struct StreamMessage {
  std::string subject;
  std::string msg_id;
  std::string data;
};
std::vector<StreamMessage> ReadStream(common::NatsBus& bus, const std::string& stream,
                                      const std::string& filter = "renkei.>");

// Messages in the stream now (0 when it does not exist).
uint64_t StreamCount(common::NatsBus& bus, const std::string& stream);
// The stream's count once it has not changed for 300 ms. Proving that nothing is published needs
// a window of time; a relay publishes within milliseconds of a commit.
uint64_t SettledStreamCount(common::NatsBus& bus, const std::string& stream);

// The directory in this process, with its relay publishing to a real nats-server.
class InProcessDirectory {
 public:
  static constexpr char kStream[] = "RENKEI_EVENTS";
  static constexpr char kInstance[] = "m132250";

  InProcessDirectory();
  ~InProcessDirectory();
  v1::DirectoryService::Stub& stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  common::NatsBus& bus() { return *bus_; }
  common::Store& store() { return *store_; }
  common::OutboxRelay& relay() { return *relay_; }
  NatsServer& nats() { return *nats_; }
  directory::Directory& directory() { return *directory_; }
  // Waits until the stream holds `n` messages (or the timeout passes); returns the count.
  uint64_t WaitForStreamCount(uint64_t n,
                              std::chrono::milliseconds timeout = std::chrono::seconds(15));
  int CountKeys(const std::string& column_family);

 private:
  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<common::Store> store_;
  std::unique_ptr<common::Outbox> outbox_;
  std::unique_ptr<common::NatsBus> bus_;
  std::unique_ptr<common::OutboxRelay> relay_;
  directory::CapabilityVocabulary vocabulary_;
  std::unique_ptr<directory::Directory> directory_;
  std::unique_ptr<TestSealer> sealer_;
  std::unique_ptr<common::RequestLedger> requests_;
  std::unique_ptr<directory::DirectoryService> service_;
  std::unique_ptr<common::GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::DirectoryService::Stub> stub_;
};

struct InstanceSpec {
  std::string code = "132250";  // a municipality's code, or a prefecture's 6-digit code
  bool prefecture = false;
  bool national = false;  // code "000000"
  std::string stream;     // nats.stream; empty: the default
  std::string
      issues_json;  // extra members of the "issues" section, e.g. "\"candidate_threshold\": 3"
  std::string indicators_json;   // extra members of the "indicators" section
  std::string jetstream_domain;  // nats.jetstream_domain
  std::string federation_json;   // the "federation" section (a JSON object), if any
  std::string backup_json;       // the "backup" section (a JSON object), if any
  // The services given a section (empty: the five of DESIGN.md; "network" only when listed).
  std::vector<std::string> services;
  // The "security" section (a JSON object). Empty: keys in <dir>/keys (key k1, generated once),
  // service identities signed with k1.
  std::string security_json;
  // Extra members of the "nats" section, e.g. "\"tls\": {...}".
  std::string nats_json;
  // The client certificate the test's channels present when the services serve TLS
  // (security.grpc_tls); empty: loopback local credentials.
  v1::GrpcTlsConfig client_tls;
  // Each service serves Prometheus metrics on a port of its own (metrics_address()).
  bool metrics = false;
  // Extra top-level members of the instance file, e.g. "\"outbox\": {\"retention_seconds\": 1}".
  std::string extra_json;
  // Extra members of the "gateway" section (listen_address and accounts_file are always set),
  // e.g. "\"static_dir\": \"...\"".
  std::string gateway_json;
  // The five services run in the test's own process (each module on a common::ServiceHost over
  // the same instance file and ports) rather than as renkei-<service> processes: for tests that
  // neither kill a service, nor inject failpoints, nor read its log. The gateway stays a process.
  bool in_process = false;
  // With in_process: the services' clock (HostOptions::clock), e.g. a FakeClock the test moves on.
  const common::Clock* clock = nullptr;
};

// The spec of a municipality's instance (`code`) whose services run in the test's own process.
InstanceSpec InProcess(const std::string& code = "132250");

// A real SMTP server for tests: Debian's python3-aiosmtpd storing what it receives in a Maildir.
class SmtpServer {
 public:
  static absl::StatusOr<std::unique_ptr<SmtpServer>> Start(const std::string& dir);
  int port() const { return port_; }
  // The instance file's "mail" member for this server.
  std::string MailJson() const;
  // Every message received, as text with each base64 body decoded.
  std::vector<std::string> Messages() const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// The services of one instance (municipal 132250 unless given) as real processes, or in this
// process (InstanceSpec::in_process): one instance file with a free port per service, data under
// `dir`.
class InstanceProcesses {
 public:
  InstanceProcesses(const std::string& dir, const std::string& nats_url,
                    const std::string& code = "132250");
  InstanceProcesses(const std::string& dir, const std::string& nats_url, const InstanceSpec& spec);
  // Starts renkei-<service> ("directory", "intake", "issues", "training", "indicators",
  // "network"), optionally
  // with RENKEI_FAILPOINTS, and waits until its health service answers SERVING; "gateway" starts
  // renkei-gateway and waits until its port accepts connections.
  // In process (InstanceSpec::in_process), a service given failpoints still starts as a process.
  absl::Status Start(const std::string& service, const std::string& failpoints = "");
  // The service's process; nullptr for one running in this process.
  ChildProcess* process(const std::string& service) { return processes_[service].get(); }
  // Stops the service with SIGTERM and waits for it to exit (in process: shuts its host down).
  void Stop(const std::string& service);
  std::string address(const std::string& service) const;
  // Where the service serves its Prometheus metrics, "127.0.0.1:<port>" (InstanceSpec::metrics).
  std::string metrics_address(const std::string& service) const {
    return "127.0.0.1:" + std::to_string(metrics_ports_.at(service));
  }
  // A channel carrying the instance's default test identity: its own staff (municipal staff of a
  // municipality, prefecture staff of a prefecture, national staff of the nation).
  std::shared_ptr<grpc::Channel> channel(const std::string& service);
  // A channel as `role` of `jurisdiction` (empty: the instance's own code).
  std::shared_ptr<grpc::Channel> channel(const std::string& service, v1::Role role,
                                         const std::string& jurisdiction = "");
  // A token signed with the instance's key for this instance (exp: 1 hour).
  std::string Token(v1::Role role, const std::string& jurisdiction = "",
                    const std::string& subject = "test-staff") const;
  // The default identity's token (see channel()).
  std::string DefaultToken() const;
  v1::Role default_role() const { return default_role_; }
  const std::string& code() const { return code_; }
  std::string instance_id() const { return instance_id_; }
  std::string key_dir() const { return dir_ + "/keys"; }
  std::string log_path(const std::string& service) const { return dir_ + "/" + service + ".log"; }
  const std::string& data_dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/instance.json"; }
  // The gateway's base URL, "http://127.0.0.1:<port>", and its accounts file.
  std::string gateway_url() const { return "http://" + address("gateway"); }
  std::string accounts_file() const { return dir_ + "/accounts.json"; }

 private:
  std::string dir_;
  std::string code_;
  std::string instance_id_;
  v1::Role default_role_ = v1::ROLE_MUNICIPAL_STAFF;
  v1::GrpcTlsConfig client_tls_;
  std::map<std::string, int> ports_;
  std::map<std::string, int> metrics_ports_;
  bool in_process_ = false;
  const common::Clock* clock_ = nullptr;
  std::map<std::string, std::unique_ptr<ChildProcess>> processes_;
  std::map<std::string, std::unique_ptr<common::ServiceHost>> hosts_;  // shut down first
};

// Streams a CSV file through ImportResources (allow_partial as given); the final summary.
absl::StatusOr<v1::ImportSummary> ImportFile(v1::DirectoryService::Stub& stub,
                                             const std::string& path, bool allow_partial,
                                             const std::vector<std::string>& only = {});
// Every real file of reference-data/ (MHLW care offices, visiting nursing stations, medical
// institutions), imported with allow_partial; rows imported in all.
// With `only`, the rows of those municipalities (ImportOptions.only_municipalities).
absl::StatusOr<int64_t> ImportRealData(v1::DirectoryService::Stub& stub,
                                       const std::vector<std::string>& only = {});

// The value of a Prometheus metric (the first line of `name` whose labels contain `label`, e.g.
// "service=\"intake\"") served at http://<address>/metrics; nullopt when unreadable or absent.
std::optional<double> MetricValue(const std::string& address, const std::string& name,
                                  const std::string& label = "");

// Every consultation intake lists (all pages), newest first.
std::vector<v1::ConsultationSummary> ListAllConsultations(v1::IntakeService::Stub& stub);

// Whether the standard health service at `address` answers SERVING.
bool Healthy(const std::string& address, const v1::GrpcTlsConfig& tls = {});
// A channel that reconnects quickly (tests start and kill servers on purpose), with loopback
// (local) credentials and, when given, a bearer token on every call.
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address,
                                                    const std::string& token = "",
                                                    const v1::GrpcTlsConfig& tls = {});

// What a run of the real renkeictl printed and how it ended.
struct CliResult {
  int exit_code = -1;  // -1: it did not exit normally within the time limit
  std::string out;
  std::string err;
};
std::ostream& operator<<(std::ostream& os, const CliResult& r);

// Runs build/bin/renkeictl with `args` and `env` (e.g. RENKEI_TRAINING=<address>), in `cwd` when
// given, capturing stdout and stderr in files under `scratch_dir` (numbered per run). When the
// run prints for people (not `-o json`, not an export in CSV or JSON), neither its output nor its
// error messages may show the machine's words (VocabularyLeaks): a leak is a test failure,
// whatever the test asserts.
CliResult RunRenkeictl(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env,
                       const std::string& scratch_dir, const std::string& cwd = "");

// What people must never read in renkeictl's tables and texts (issue 17, "one vocabulary"): enum
// value names (\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\b, environment variables RENKEI_* aside), seed
// tags of the system (resource_gap) and gRPC method paths (/renkei.v1.…). Capability and
// indicator codes are renkeictl's own words (typed after -c, --code) and may appear. Distinct
// leaks in order of appearance; empty when none.
std::vector<std::string> VocabularyLeaks(const std::string& text);

// Runs `command` with /bin/sh, stderr joined to stdout: its exit code and output.
std::pair<int, std::string> RunShell(const std::string& command);

// The first match of `pattern` in `text` (the whole match, or group 1 when there is one); "" when
// none.
std::string FindFirst(const std::string& text, const std::string& pattern);

// Worked example 2's 看取り issue through steps 1–4 with their content (target state, current
// state with a hearing, the issue chosen, the main cause): `issue` comes back at step 5, where
// expected changes are added. A failed call fails the test.
void ThroughStepFour(v1::IssuesService::Stub& issues, v1::RegionalIssue* issue);

}  // namespace renkei::testing
