#include "testing.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "renkei/common/config.h"
#include "renkei/common/validation.h"

namespace renkei::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/renkei-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) std::abort();
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (std::getenv("RENKEI_KEEP_TEST_DIRS")) {
    std::fprintf(stderr, "kept test dir %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
    const std::string& log_file) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  env_strings.reserve(merged.size());
  for (const auto& [k, v] : merged) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
  }
  pid_t pid;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError("spawn " + argv[0] + ": " + std::strerror(rc));
  auto p = std::make_unique<ChildProcess>();
  p->pid_ = pid;
  return p;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Kill();
}

int ChildProcess::Signal(int sig) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

bool ChildProcess::WaitExit(std::chrono::milliseconds timeout, int* wait_status) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      if (wait_status) *wait_status = status;
      return true;
    }
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<NatsServer>> NatsServer::Start(const std::string& dir) {
  auto server = std::make_unique<NatsServer>();
  server->dir_ = dir;
  std::filesystem::create_directories(dir);
  absl::Status s = server->Launch(-1);
  if (!s.ok()) return s;
  return server;
}

absl::StatusOr<std::unique_ptr<NatsServer>> NatsServer::StartConfigured(const std::string& dir,
                                                                        const std::string& config) {
  auto server = std::make_unique<NatsServer>();
  server->dir_ = dir;
  server->config_ = config;
  std::filesystem::create_directories(dir);
  absl::Status s = server->Launch(-1);
  if (!s.ok()) return s;
  return server;
}

absl::Status NatsServer::Launch(int port) {
  std::string ports_dir = dir_ + "/ports";
  std::filesystem::remove_all(ports_dir);
  std::filesystem::create_directories(ports_dir);
  std::string program = "/usr/sbin/nats-server";  // Debian's path
  if (const char* env = std::getenv("NATS_SERVER")) program = env;
  std::vector<std::string> argv = {program,
                                   "-a",
                                   "127.0.0.1",
                                   "-p",
                                   std::to_string(port),
                                   "-js",
                                   "-sd",
                                   dir_ + "/store",
                                   "--ports_file_dir",
                                   ports_dir};
  if (!config_.empty()) argv = {program, "-c", config_, "--ports_file_dir", ports_dir};
  auto p = ChildProcess::Spawn(argv, {}, dir_ + "/nats-server.log");
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  // nats-server writes <ports_dir>/nats-server_<pid>.ports once it listens.
  std::string ports_file = ports_dir + "/nats-server_" + std::to_string(process_->pid()) + ".ports";
  bool ready =
      WaitFor([&] { return std::filesystem::exists(ports_file); }, std::chrono::seconds(15));
  if (!ready) {
    std::string log = ReadFile(dir_ + "/nats-server.log");
    if (log.size() > 2000) log = log.substr(log.size() - 2000);
    return absl::UnavailableError("nats-server did not start; see " + dir_ + "/nats-server.log:\n" +
                                  log);
  }
  std::string content;
  WaitFor([&] {
    content = ReadFile(ports_file);
    return content.find("://127.0.0.1:") != std::string::npos &&
           content.find('}') != std::string::npos;
  });
  // nats://127.0.0.1:<port>, or tls://127.0.0.1:<port> when the configuration asks for TLS.
  size_t at = content.find("://127.0.0.1:");
  if (at == std::string::npos) return absl::InternalError("cannot read nats port from " + content);
  port_ = std::atoi(content.c_str() + at + std::strlen("://127.0.0.1:"));
  return absl::OkStatus();
}

NatsServer::~NatsServer() { Stop(); }

void NatsServer::Stop() {
  if (process_) process_->Terminate();
  process_.reset();
}

void NatsServer::Kill() {
  if (process_) process_->Kill();
  process_.reset();
}

absl::Status NatsServer::Restart() {
  Stop();
  return Launch(port_);
}

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(int target_port) {
  auto proxy = std::unique_ptr<TcpProxy>(new TcpProxy());
  proxy->target_port_ = target_port;
  proxy->listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(proxy->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(proxy->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(proxy->listen_fd_, 16) != 0) {
    return absl::InternalError("proxy: cannot listen");
  }
  socklen_t len = sizeof addr;
  getsockname(proxy->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  proxy->port_ = ntohs(addr.sin_port);
  proxy->accept_thread_ = std::thread([p = proxy.get()] { p->AcceptLoop(); });
  return proxy;
}

void TcpProxy::AcceptLoop() {
  while (!stop_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    if (cut_) {
      close(client);
      continue;
    }
    int upstream = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(target_port_));
    if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(client);
      close(upstream);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    fds_.push_back(client);
    fds_.push_back(upstream);
    pumps_.emplace_back([this, client, upstream] {
      char buf[64 * 1024];
      pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
      while (!stop_) {
        if (poll(fds, 2, 100) < 0) break;
        bool done = false;
        for (int i = 0; i < 2 && !done; ++i) {
          if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
              done = true;
              break;
            }
            const int to = fds[1 - i].fd;
            for (ssize_t off = 0; off < n;) {
              ssize_t w = write(to, buf + off, static_cast<size_t>(n - off));
              if (w <= 0) {
                done = true;
                break;
              }
              off += w;
            }
          }
        }
        if (done) break;
      }
      shutdown(client, SHUT_RDWR);
      shutdown(upstream, SHUT_RDWR);
    });
  }
}

void TcpProxy::Cut() {
  cut_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : fds_) shutdown(fd, SHUT_RDWR);
}

void TcpProxy::Restore() { cut_ = false; }

TcpProxy::~TcpProxy() {
  stop_ = true;
  Cut();
  if (accept_thread_.joinable()) accept_thread_.join();
  for (auto& t : pumps_) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : fds_) close(fd);
  close(listen_fd_);
}

#ifndef RENKEI_DEFAULT_BIN_DIR
#define RENKEI_DEFAULT_BIN_DIR "."
#endif
#ifndef RENKEI_DEFAULT_SOURCE_DIR
#define RENKEI_DEFAULT_SOURCE_DIR "."
#endif

std::string BinaryPath(const std::string& name) {
  const char* dir = std::getenv("RENKEI_BIN_DIR");
  return std::string(dir ? dir : RENKEI_DEFAULT_BIN_DIR) + "/" + name;
}

std::string SourceDir() {
  const char* dir = std::getenv("RENKEI_SOURCE_DIR");
  return dir ? dir : RENKEI_DEFAULT_SOURCE_DIR;
}

bool PortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

int FreePort() {
  // Below the kernel's ephemeral range (32768+ on Linux), so that no outgoing connection takes
  // the port between now and its user binding it, and never the same port twice in a process
  // (a run that starts hundreds of servers would otherwise draw one again). Each process starts
  // at a different place so parallel tests rarely probe the same ports: ctest starts two tests at
  // once with neighbouring pids, and a federation test draws ~80 ports, so neighbouring pids
  // start thousands of ports apart (a multiplicative spread), not ten.
  static std::mutex mu;
  static std::set<int> given;
  static int next = 20000 + static_cast<int>((static_cast<uint64_t>(getpid()) * 7919) % 1200) * 10;
  std::lock_guard<std::mutex> lock(mu);
  for (int attempt = 0; attempt < 12000; ++attempt) {
    const int port = next;
    next = next + 1 >= 32000 ? 20000 : next + 1;
    if (given.count(port)) continue;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) {
      given.insert(port);
      return port;
    }
  }
  return 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::vector<google::rpc::BadRequest::FieldViolation> Violations(const grpc::Status& status) {
  std::vector<google::rpc::BadRequest::FieldViolation> out;
  google::rpc::Status detail;
  if (!detail.ParseFromString(status.error_details())) return out;
  for (const auto& any : detail.details()) {
    google::rpc::BadRequest bad;
    if (any.type_url() == "type.googleapis.com/google.rpc.BadRequest" &&
        bad.ParseFromString(any.value())) {
      for (const auto& v : bad.field_violations()) out.push_back(v);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : Violations(status)) out.push_back(v.field());
  return out;
}

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& [field, description] : common::FieldViolationsOf(status)) out.push_back(field);
  return out;
}

std::vector<std::string> ViolatedFields(const common::FieldViolations& violations) {
  std::vector<std::string> out;
  for (const auto& [field, description] : violations.violations()) out.push_back(field);
  return out;
}

std::string ViolationDescriptions(const grpc::Status& status) {
  std::string out;
  for (const auto& v : Violations(status)) out += v.field() + ": " + v.description() + "\n";
  return out;
}

}  // namespace renkei::testing

namespace renkei::testing {

TestSealer::TestSealer(const std::string& dir) {
  auto keys = common::DataKeys::Load(dir, /*create_if_empty=*/true);
  if (!keys.ok()) {
    ADD_FAILURE() << "data keys: " << keys.status();
    std::abort();
  }
  keys_ = std::move(*keys);
  sealer_ = std::make_unique<common::RecordSealer>(keys_.get());
}

std::map<std::string, std::vector<std::string>> FilesContaining(
    const std::string& dir, const std::vector<std::string>& needles) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& n : needles) out[n];
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::string bytes = ReadFile(path.string());
    for (auto& [needle, where] : out) {
      if (!needle.empty() && bytes.find(needle) != std::string::npos) {
        where.push_back(std::filesystem::relative(path, dir, ec).string());
      }
    }
  }
  return out;
}

std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  return FilesContaining(dir, std::vector<std::string>{needle})[needle];
}

std::vector<std::string> StoreEntriesContaining(const common::Store& store,
                                                const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& family : store.column_family_names()) {
    auto it = store.NewIterator(store.Cf(family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().find(needle) != std::string_view::npos ||
          it->value().find(needle) != std::string_view::npos) {
        out.push_back(family + ": " + std::string(it->key()));
      }
    }
  }
  return out;
}

v1::InstanceConfig InProcessConfig(const std::string& dir, std::string_view level,
                                   std::string_view code, std::string_view sections) {
  std::string upper(level);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string json = R"({"instance": {"level": "INSTANCE_LEVEL_)" + upper + R"(")";
  if (!code.empty()) json += R"(, "code": ")" + std::string(code) + R"(")";
  json += R"(}, "nats": {"url": "nats://127.0.0.1:1"}, "data_root": ")" + dir +
          R"(/data", "security": {"unauthenticated_loopback": true})";
  // A service section named in `sections` gets its port-0 server there (unless it starts with a
  // server of its own).
  std::string tail(sections);
  for (const char* service :
       {"directory", "intake", "issues", "training", "indicators", "network"}) {
    const std::string key = "\"" + std::string(service) + "\": {";
    const std::string server = R"("server": {"listen_address": "127.0.0.1:0"})";
    if (const size_t at = tail.find(key); at != std::string::npos) {
      if (tail.compare(at + key.size(), 8, "\"server\"") == 0) continue;  // the caller's own
      const bool empty = tail.compare(at + key.size(), 1, "}") == 0;
      tail.insert(at + key.size(), server + (empty ? "" : ", "));
    } else {
      absl::StrAppend(&json, ", ", key, server, "}");
    }
  }
  if (!tail.empty()) json += ", " + tail;
  json += "}";
  auto config = common::ParseInstanceConfig(json);
  EXPECT_TRUE(config.ok()) << config.status() << "\n" << json;
  return config.ok() ? *config : v1::InstanceConfig();
}

}  // namespace renkei::testing
