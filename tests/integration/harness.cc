#include "harness.h"

#include <httplib.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "directory/directory_module.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "indicators/indicators_module.h"
#include "intake/intake_module.h"
#include "issues/issues_module.h"
#include "network/network_module.h"
#include "renkei/common/config.h"
#include "renkei/common/events.h"
#include "renkei/common/ids.h"
#include "renkei/common/vocabulary.h"
#include "training/training_module.h"

namespace renkei::testing {
namespace {

[[noreturn]] void Fatal(const absl::Status& s) {
  std::fprintf(stderr, "test harness: %s\n", s.ToString().c_str());
  std::abort();
}

}  // namespace

std::string ReferenceDataDir() { return SourceDir() + "/reference-data"; }

std::vector<StreamMessage> ReadStream(common::NatsBus& bus, const std::string& stream,
                                      const std::string& filter) {
  std::vector<StreamMessage> out;
  common::ConsumerSpec spec;
  spec.stream = stream;
  spec.durable = "inspect_" + common::NewId("c").substr(2);
  spec.filter_subject = filter;
  auto sub = bus.PullSubscribe(spec);
  if (!sub.ok()) return out;
  while (true) {
    auto batch = (*sub)->Fetch(500, 500);
    if (!batch.ok() || batch->empty()) break;
    for (auto& m : *batch) {
      out.push_back({m.subject(), m.msg_id(), m.data()});
      (void)m.Ack();
    }
  }
  return out;
}

std::optional<double> MetricValue(const std::string& address, const std::string& name,
                                  const std::string& label) {
  const auto colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::atoi(address.c_str() + colon + 1));
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return std::nullopt;
  std::istringstream lines(res->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line.rfind(name, 0) != 0) continue;
    const char after = line.size() > name.size() ? line[name.size()] : '\0';
    if (after != '{' && after != ' ') continue;
    if (!label.empty() && line.find(label) == std::string::npos) continue;
    return std::atof(line.c_str() + line.rfind(' ') + 1);
  }
  return std::nullopt;
}

std::vector<v1::ConsultationSummary> ListAllConsultations(v1::IntakeService::Stub& stub) {
  std::vector<v1::ConsultationSummary> out;
  std::string token;
  do {
    v1::ListConsultationsRequest r;
    r.set_page_size(200);
    r.set_page_token(token);
    v1::ListConsultationsResponse page;
    grpc::ClientContext ctx;
    grpc::Status s = stub.ListConsultations(&ctx, r, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    for (auto& c : *page.mutable_consultations()) out.push_back(std::move(c));
    token = page.next_page_token();
  } while (!token.empty());
  return out;
}

uint64_t StreamCount(common::NatsBus& bus, const std::string& stream) {
  auto st = bus.GetStreamState(stream);
  return st.ok() ? st->messages : 0;
}

uint64_t SettledStreamCount(common::NatsBus& bus, const std::string& stream) {
  uint64_t last = StreamCount(bus, stream);
  for (int stable = 0; stable < 6;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    uint64_t now = StreamCount(bus, stream);
    stable = now == last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

InProcessDirectory::InProcessDirectory() {
  auto nats = NatsServer::Start(tmp_.Sub("nats"));
  if (!nats.ok()) Fatal(nats.status());
  nats_ = std::move(*nats);
  std::vector<std::string> families = directory::ResourceStore::ColumnFamilies();
  for (const auto& cf : common::RequestLedger::ColumnFamilies()) families.push_back(cf);
  auto store = common::Store::Open({.path = tmp_.Sub("db"), .column_families = families});
  if (!store.ok()) Fatal(store.status());
  store_ = std::move(*store);
  outbox_ = std::make_unique<common::Outbox>(store_.get());
  common::NatsOptions nopts;
  nopts.url = nats_->url();
  nopts.reconnect_wait_ms = 100;
  bus_ = std::move(*common::NatsBus::Connect(nopts));
  common::RelayOptions ropts;
  ropts.stream.name = kStream;
  ropts.stream.subjects = common::InstanceStreamSubjects(kInstance);
  ropts.stream.duplicate_window_seconds = 3600;
  ropts.publish_timeout_ms = 2000;
  relay_ = std::make_unique<common::OutboxRelay>(outbox_.get(), bus_.get(), ropts);
  directory_ = std::make_unique<directory::Directory>(store_.get(), outbox_.get(),
                                                      common::EventSource{kInstance}, &vocabulary_);
  if (auto s = directory_->LoadIndex(); !s.ok()) Fatal(s);
  sealer_ = std::make_unique<TestSealer>(tmp_.Sub("keys"));
  requests_ = std::make_unique<common::RequestLedger>(store_.get(), sealer_->get());
  service_ = std::make_unique<directory::DirectoryService>(directory_.get(), requests_.get());
  common::ServerOptions sopts;
  sopts.listen_address = "127.0.0.1:0";
  auto server = common::GrpcServer::Start(sopts, {service_.get()});
  if (!server.ok()) Fatal(server.status());
  server_ = std::move(*server);
  channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                 grpc::InsecureChannelCredentials());
  stub_ = v1::DirectoryService::NewStub(channel_);
  relay_->Start();
}

InProcessDirectory::~InProcessDirectory() {
  server_.reset();
  relay_->Stop();
}

uint64_t InProcessDirectory::WaitForStreamCount(uint64_t n, std::chrono::milliseconds timeout) {
  uint64_t count = 0;
  WaitFor(
      [&] {
        auto st = bus_->GetStreamState(kStream);
        count = st.ok() ? st->messages : 0;
        return count >= n;
      },
      timeout);
  return count;
}

int InProcessDirectory::CountKeys(const std::string& column_family) {
  int n = 0;
  auto it = store_->NewIterator(store_->Cf(column_family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

// Test channels retry quickly: the processes they talk to are started and killed on purpose, and
// gRPC's default reconnect backoff (1 s, growing) would only slow the tests down.
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address,
                                                    const std::string& token,
                                                    const v1::GrpcTlsConfig& tls) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  // Own subchannels: no backoff state shared with earlier channels to the same address.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  common::ClientSecurity security;
  if (!token.empty()) security.token = common::TokenSource::Fixed(token);
  security.tls = tls;
  auto channel = common::NewChannel(address, security, args);
  if (!channel.ok()) Fatal(channel.status());
  return *channel;
}

absl::StatusOr<v1::ImportSummary> ImportFile(v1::DirectoryService::Stub& stub,
                                             const std::string& path, bool allow_partial,
                                             const std::vector<std::string>& only) {
  grpc::ClientContext ctx;
  auto stream = stub.ImportResources(&ctx);
  v1::ImportResourcesRequest req;
  req.mutable_options()->set_allow_partial(allow_partial);
  for (const auto& code : only) req.mutable_options()->add_only_municipalities(code);
  req.mutable_options()->set_file_name(path.substr(path.find_last_of('/') + 1));
  bool ok = stream->Write(req);
  std::string data = ReadFile(path);
  constexpr size_t kChunk = size_t{512} * 1024;
  for (size_t i = 0; ok && i < data.size(); i += kChunk) {
    req.Clear();
    req.set_chunk(data.substr(i, kChunk));
    ok = stream->Write(req);
  }
  stream->WritesDone();
  v1::ImportResourcesResponse resp;
  v1::ImportSummary summary;
  while (stream->Read(&resp)) {
    if (resp.has_summary()) summary = resp.summary();
  }
  grpc::Status s = stream->Finish();
  if (!s.ok()) return absl::InternalError("import " + path + ": " + s.error_message());
  return summary;
}

absl::StatusOr<int64_t> ImportRealData(v1::DirectoryService::Stub& stub,
                                       const std::vector<std::string>& only) {
  const std::string data = ReferenceDataDir();
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(data + "/mhlw-kaigo-opendata"))
    files.push_back(e.path());
  std::sort(files.begin(), files.end());
  files.push_back(data + "/visiting_nursing_stations.csv");
  files.push_back(data + "/medical_institutions_ika.csv");
  int64_t imported = 0;
  for (const auto& f : files) {
    auto summary = ImportFile(stub, f, /*allow_partial=*/true, only);
    if (!summary.ok()) return summary.status();
    imported += summary->inserted() + summary->unchanged() + summary->updated();
  }
  return imported;
}

bool Healthy(const std::string& address, const v1::GrpcTlsConfig& tls) {
  // grpc.health.v1.Health/Check with an empty request; SERVING is the response bytes 08 01.
  grpc::GenericStub generic(FastReconnectChannel(address, "", tls));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_all();
                    });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  if (!status.ok()) return false;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return false;
  std::string bytes;
  for (auto& sl : slices)
    bytes += std::string(reinterpret_cast<const char*>(sl.begin()), sl.size());
  return bytes == std::string("\x08\x01", 2);
}

InstanceProcesses::InstanceProcesses(const std::string& dir, const std::string& nats_url,
                                     const std::string& code)
    : InstanceProcesses(dir, nats_url, [&] {
        InstanceSpec spec;
        spec.code = code;
        return spec;
      }()) {}

InstanceProcesses::InstanceProcesses(const std::string& dir, const std::string& nats_url,
                                     const InstanceSpec& spec)
    : dir_(dir),
      code_(spec.national && spec.code.empty() ? "000000" : spec.code),
      client_tls_(spec.client_tls),
      in_process_(spec.in_process),
      clock_(spec.clock) {
  std::filesystem::create_directories(dir);
  v1::InstanceIdentity identity;
  identity.set_level(spec.national     ? v1::INSTANCE_LEVEL_NATIONAL
                     : spec.prefecture ? v1::INSTANCE_LEVEL_PREFECTURE
                                       : v1::INSTANCE_LEVEL_MUNICIPALITY);
  identity.set_code(spec.code);
  instance_id_ = common::InstanceId(identity);
  default_role_ = spec.national     ? v1::ROLE_NATIONAL_STAFF
                  : spec.prefecture ? v1::ROLE_PREFECTURE_STAFF
                                    : v1::ROLE_MUNICIPAL_STAFF;
  if (!std::filesystem::exists(key_dir() + "/k1.key")) {
    std::filesystem::create_directories(key_dir());
    if (auto s = common::GenerateKeyPair(key_dir(), "k1"); !s.ok()) Fatal(s);
  }
  for (const char* s :
       {"directory", "intake", "issues", "training", "indicators", "network", "gateway"}) {
    ports_[s] = FreePort();
    // Only when asked: every port drawn widens the chance that two test processes draw one.
    if (spec.metrics) metrics_ports_[s] = FreePort();
  }
  std::vector<std::string> services = spec.services;
  if (services.empty()) services = {"directory", "intake", "issues", "training", "indicators"};
  auto has = [&](const std::string& s) {
    return std::find(services.begin(), services.end(), s) != services.end();
  };
  std::ostringstream c;
  c << "{\n  \"instance\": {\"level\": \""
    << (spec.national     ? "INSTANCE_LEVEL_NATIONAL"
        : spec.prefecture ? "INSTANCE_LEVEL_PREFECTURE"
                          : "INSTANCE_LEVEL_MUNICIPALITY")
    << "\", \"code\": \"" << spec.code << "\"},\n";
  c << "  \"nats\": {\"url\": \"" << nats_url << "\"";
  if (!spec.stream.empty()) c << ", \"stream\": \"" << spec.stream << "\"";
  if (!spec.jetstream_domain.empty())
    c << ", \"jetstream_domain\": \"" << spec.jetstream_domain << "\"";
  if (!spec.nats_json.empty()) c << ", " << spec.nats_json;
  c << "},\n  \"data_root\": \"" << dir << "/data\"";
  if (!spec.federation_json.empty()) c << ",\n  \"federation\": " << spec.federation_json;
  if (spec.security_json.empty()) {
    c << ",\n  \"security\": {\"key_dir\": \"" << key_dir() << "\", \"service_key_id\": \"k1\"}";
  } else {
    c << ",\n  \"security\": " << spec.security_json;
  }
  if (!spec.backup_json.empty()) c << ",\n  \"backup\": " << spec.backup_json;
  if (!spec.extra_json.empty()) c << ",\n  " << spec.extra_json;
  auto server = [&](const std::string& s) {
    return "{\"listen_address\": \"" + address(s) + "\"" +
           (spec.metrics ? ", \"metrics_address\": \"" + metrics_address(s) + "\"" : "") + "}";
  };
  if (has("directory")) c << ",\n  \"directory\": {\"server\": " << server("directory") << "}";
  if (has("intake")) {
    c << ",\n  \"intake\": {\"server\": " << server("intake") << ", \"directory_address\": \""
      << address("directory") << "\"";
    if (has("network")) c << ", \"network_address\": \"" << address("network") << "\"";
    c << "}";
  }
  if (has("issues")) {
    c << ",\n  \"issues\": {\"server\": " << server("issues")
      << (spec.issues_json.empty() ? "" : ", " + spec.issues_json) << "}";
  }
  if (has("training")) c << ",\n  \"training\": {\"server\": " << server("training") << "}";
  if (has("network")) {
    c << ",\n  \"network\": {\"server\": " << server("network");
    if (has("issues") && has("indicators")) {
      c << ", \"issues_address\": \"" << address("issues") << "\", \"indicators_address\": \""
        << address("indicators") << "\"";
    }
    c << "}";
  }
  if (has("indicators")) {
    c << ",\n  \"indicators\": {\"server\": " << server("indicators")
      << (spec.indicators_json.empty() ? "" : ", " + spec.indicators_json) << "}";
  }
  c << ",\n  \"gateway\": {\"listen_address\": \"" << address("gateway")
    << "\", \"accounts_file\": \"" << accounts_file() << "\""
    << (spec.gateway_json.empty() ? "" : ", " + spec.gateway_json) << "}";
  c << "\n}\n";
  std::ofstream config(dir + "/instance.json");
  config << c.str();
}

void InstanceProcesses::Stop(const std::string& service) {
  if (auto host = hosts_.find(service); host != hosts_.end()) {
    host->second->Shutdown();
    hosts_.erase(host);
    return;
  }
  auto it = processes_.find(service);
  if (it == processes_.end() || !it->second) return;
  it->second->Terminate();
  processes_.erase(it);
}

std::string InstanceProcesses::address(const std::string& service) const {
  return "127.0.0.1:" + std::to_string(ports_.at(service));
}

std::shared_ptr<grpc::Channel> InstanceProcesses::channel(const std::string& service) {
  return FastReconnectChannel(address(service), DefaultToken(), client_tls_);
}

std::shared_ptr<grpc::Channel> InstanceProcesses::channel(const std::string& service, v1::Role role,
                                                          const std::string& jurisdiction) {
  return FastReconnectChannel(address(service), Token(role, jurisdiction), client_tls_);
}

std::string InstanceProcesses::Token(v1::Role role, const std::string& jurisdiction,
                                     const std::string& subject) const {
  auto key = common::LoadSigningKey(key_dir(), "k1");
  if (!key.ok()) Fatal(key.status());
  v1::TokenClaims claims;
  claims.set_iss(instance_id_);
  claims.set_aud(instance_id_);
  claims.set_sub(subject);
  claims.set_role(role);
  claims.set_jur(jurisdiction.empty() ? code_ : jurisdiction);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  claims.set_iat(static_cast<uint32_t>(now));
  claims.set_exp(static_cast<uint32_t>(now + 3600));
  auto token = common::IssueToken(*key, claims);
  if (!token.ok()) Fatal(token.status());
  return *token;
}

std::string InstanceProcesses::DefaultToken() const { return Token(default_role_); }

InstanceSpec InProcess(const std::string& code) {
  InstanceSpec spec;
  spec.code = code;
  spec.in_process = true;
  return spec;
}

namespace {

const common::ServiceModule* ModuleNamed(const std::string& service) {
  if (service == "directory") return &directory::Module();
  if (service == "intake") return &intake::Module();
  if (service == "issues") return &issues::Module();
  if (service == "training") return &training::Module();
  if (service == "indicators") return &indicators::Module();
  if (service == "network") return &network::Module();
  return nullptr;
}

}  // namespace

absl::Status InstanceProcesses::Start(const std::string& service, const std::string& failpoints) {
  if (const auto* module = ModuleNamed(service); in_process_ && module && failpoints.empty()) {
    auto config = common::LoadInstanceConfig(config_path());
    if (!config.ok()) return config.status();
    common::HostOptions options;
    if (clock_ != nullptr) options.clock = clock_;
    auto host = common::ServiceHost::Open(std::move(*config), *module, options);
    if (!host.ok()) return host.status();
    if (auto s = (*host)->Serve(); !s.ok()) return s;
    hosts_[service] = std::move(*host);
    if (!WaitFor([&] { return Healthy(address(service), client_tls_); },
                 std::chrono::seconds(30))) {
      return absl::UnavailableError(service + " (in process) did not become healthy");
    }
    return absl::OkStatus();
  }
  std::map<std::string, std::string> env;
  if (!failpoints.empty()) env["RENKEI_FAILPOINTS"] = failpoints;
  auto p =
      ChildProcess::Spawn({BinaryPath("renkei-" + service), "--config", dir_ + "/instance.json"},
                          env, log_path(service));
  if (!p.ok()) return p.status();
  processes_[service] = std::move(*p);
  ChildProcess* child = processes_[service].get();
  auto healthy = [&] {
    if (service == "gateway") return PortAccepts(ports_.at("gateway"));
    return Healthy(address(service), client_tls_);
  };
  bool up = WaitFor([&] { return child->Running() && healthy(); }, std::chrono::seconds(30));
  if (!up) {
    return absl::UnavailableError("renkei-" + service +
                                  " did not become healthy; log: " + ReadFile(log_path(service)));
  }
  return absl::OkStatus();
}

std::ostream& operator<<(std::ostream& os, const CliResult& r) {
  return os << "exit " << r.exit_code << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
}

CliResult RunRenkeictl(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env,
                       const std::string& scratch_dir, const std::string& cwd) {
  static std::atomic<int> runs{0};
  std::filesystem::create_directories(scratch_dir);
  const std::string base = scratch_dir + "/cli" + std::to_string(++runs);
  std::vector<std::string> argv = {
      "/bin/sh", "-c",
      cwd.empty() ? "exec \"$0\" \"$@\" >\"$CLI_OUT\" 2>\"$CLI_ERR\""
                  : "cd \"$CLI_CWD\" && exec \"$0\" \"$@\" >\"$CLI_OUT\" 2>\"$CLI_ERR\"",
      BinaryPath("renkeictl")};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child_env = env;
  child_env["CLI_OUT"] = base + ".out";
  child_env["CLI_ERR"] = base + ".err";
  if (!cwd.empty()) child_env["CLI_CWD"] = cwd;
  auto child = ChildProcess::Spawn(argv, child_env);
  CliResult r;
  if (!child.ok()) {
    r.err = std::string(child.status().message());
    return r;
  }
  int status = 0;
  if ((*child)->WaitExit(std::chrono::seconds(60), &status) && WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  }
  r.out = ReadFile(base + ".out");
  r.err = ReadFile(base + ".err");
  // Output for programs (JSON, an export's CSV or JSON) is not for people: it names enum values.
  bool for_people = true;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    const bool format = args[i] == "-o" || args[i] == "--output" || args[i] == "--format";
    if ((format && (args[i + 1] == "json" || args[i + 1] == "csv")) ||
        ((args[i] == "-f" || args[i] == "--out") && args[i + 1] == "-")) {
      for_people = false;
    }
  }
  if (for_people) {
    for (const auto& leak : VocabularyLeaks(r.out + "\n" + r.err)) {
      ADD_FAILURE() << "renkeictl shows \"" << leak << "\" to people (args:" <<
          [&] {
            std::string a;
            for (const auto& x : args) a += " " + x;
            return a;
          }() << ")\n"
                    << r.out << r.err;
    }
  }
  return r;
}

std::vector<std::string> VocabularyLeaks(const std::string& text) {
  std::vector<std::string> out;
  auto add = [&](const std::string& s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  static const std::regex kEnumName("\\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\\b");
  static const std::regex kMethodPath("/?renkei\\.v1\\.[A-Za-z]+");
  for (const std::regex* re : {&kEnumName, &kMethodPath}) {
    for (auto it = std::sregex_iterator(text.begin(), text.end(), *re);
         it != std::sregex_iterator(); ++it) {
      const std::string m = it->str();
      if (m.rfind("RENKEI_", 0) == 0) continue;  // environment variables in help texts
      add(m);
    }
  }
  for (const auto& e : common::Vocabulary()) {
    if (e.set != common::kSeedTagSet) continue;
    const std::regex word("(^|[^A-Za-z0-9_])" + e.code + "($|[^A-Za-z0-9_])");
    if (std::regex_search(text, word)) add(e.code);
  }
  return out;
}

std::pair<int, std::string> RunShell(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string FindFirst(const std::string& text, const std::string& pattern) {
  std::smatch m;
  const std::regex re(pattern);
  if (!std::regex_search(text, m, re)) return "";
  return m.size() > 1 ? m[1].str() : m[0].str();
}

void ThroughStepFour(v1::IssuesService::Stub& issues, v1::RegionalIssue* issue) {
  auto step = [&](const std::function<void(v1::UpdateIssueRequest*)>& fill) {
    v1::UpdateIssueRequest u;
    u.set_id(issue->id());
    u.set_expected_version(issue->version());
    fill(&u);
    grpc::ClientContext ctx;
    grpc::Status s = issues.UpdateIssue(&ctx, u, issue);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::AdvanceStepRequest a;
    a.set_id(issue->id());
    a.set_expected_version(issue->version());
    grpc::ClientContext actx;
    s = issues.AdvanceStep(&actx, a, issue);
    ASSERT_TRUE(s.ok()) << s.error_message();
  };
  step([](auto* u) { u->set_target_state("終末期であっても在宅生活を継続できる"); });
  step([](auto* u) {
    u->set_current_state("家族が不安になり救急車を呼ぶ");
    u->set_replace_evidence(true);
    auto* e = u->add_evidence();
    e->set_kind(v1::EVIDENCE_KIND_HEARING);
    e->set_summary("ケアマネジャーへのヒアリング");
  });
  step([](auto* u) { u->set_chosen_issue("本人の意向に沿った在宅での看取りができていない"); });
  step([](auto* u) {
    u->set_replace_causes(true);
    auto* main = u->add_causes();
    main->set_text("衰弱すると家族が不安になる");
    main->set_main(true);
    u->set_root_cause("専門職が看取るプロセスを十分説明しきれていない");
  });
}

absl::StatusOr<std::unique_ptr<SmtpServer>> SmtpServer::Start(const std::string& dir) {
  auto server = std::make_unique<SmtpServer>();
  server->dir_ = dir;
  std::filesystem::create_directories(dir);
  server->port_ = FreePort();
  auto process = ChildProcess::Spawn({"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                                      "127.0.0.1:" + std::to_string(server->port_), "-c",
                                      "aiosmtpd.handlers.Mailbox", dir + "/maildir"},
                                     {}, dir + "/smtp.log");
  if (!process.ok()) return process.status();
  server->process_ = std::move(*process);
  if (!WaitFor([&] { return PortAccepts(server->port_); }, std::chrono::seconds(20))) {
    return absl::UnavailableError("aiosmtpd did not start: " + ReadFile(dir + "/smtp.log"));
  }
  return server;
}

std::string SmtpServer::MailJson() const {
  return "\"mail\": {\"smtp_url\": \"smtp://127.0.0.1:" + std::to_string(port_) +
         "\", \"from_address\": \"renkei@city.example.lg.jp\"}";
}

std::vector<std::string> SmtpServer::Messages() const {
  std::vector<std::string> out;
  const std::string fresh = dir_ + "/maildir/new";
  if (!std::filesystem::exists(fresh)) return out;
  for (const auto& e : std::filesystem::directory_iterator(fresh)) {
    std::string raw = ReadFile(e.path());
    const size_t body_at =
        raw.find("\n\n") != std::string::npos ? raw.find("\n\n") : raw.find("\r\n\r\n");
    std::string body_b64, decoded;
    for (char c : raw.substr(body_at == std::string::npos ? raw.size() : body_at)) {
      if (c != '\r' && c != '\n') body_b64 += c;
    }
    absl::Base64Unescape(body_b64, &decoded);
    out.push_back(raw.substr(0, body_at) + "\n\n" + decoded);
  }
  return out;
}

}  // namespace renkei::testing
