// Provisioning as an operator does it (docs/provisioning.md), with the real renkeictl, nats-server
// and renkei-directory: `renkeictl instance init` a prefecture and run it from the files it wrote,
// `init` a municipality under it, `admit` the municipality at the prefecture (its nats-server and
// directory restarted), `join` at the municipality, and a resource entered in the municipality
// arrives in the prefecture's directory. And the refusals: init over existing files, a second
// join, a second admit, a request of the wrong level or of another prefecture's municipality, an
// admit or join that fails halfway, a data root that is / or whose parent is not the instance's.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/config.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/tokens.h"
#include "renkei/v1/directory.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using DirectoryStub = v1::DirectoryService::Stub;

bool CanBind(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// A base port B for `instance init --base-port`: B..B+26 free on loopback now.
int FreeBasePort() {
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> hundreds(200, 580);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int base = hundreds(random) * 100;
    bool free = true;
    for (int p = base; p <= base + 26 && free; ++p) free = CanBind(p);
    if (free) return base;
  }
  return 0;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

// One instance as `instance init` wrote it, run from its own files: its nats-server from
// nats.conf, its directory from instance.json.
class ProvisionedInstance {
 public:
  ProvisionedInstance(std::string id, std::string code, std::string dir, int base)
      : id_(std::move(id)), code_(std::move(code)), dir_(std::move(dir)), base_(base) {}
  ~ProvisionedInstance() { Stop(); }

  const std::string& dir() const { return dir_; }
  std::string directory_address() const { return "127.0.0.1:" + std::to_string(base_ + 11); }

  // Starts (or restarts, after admit or join) the nats-server and then the directory.
  absl::Status Start() {
    if (directory_) directory_->Terminate();
    directory_.reset();
    if (nats_) {
      if (auto s = nats_->Restart(); !s.ok()) return s;
    } else {
      auto nats = NatsServer::StartConfigured(dir_ + "/run/nats", dir_ + "/nats.conf");
      if (!nats.ok()) return nats.status();
      nats_ = std::move(*nats);
    }
    auto directory =
        ChildProcess::Spawn({BinaryPath("renkei-directory"), "--config", dir_ + "/instance.json"},
                            {}, dir_ + "/run/directory.log");
    if (!directory.ok()) return directory.status();
    directory_ = std::move(*directory);
    if (!WaitFor([&] { return directory_->Running() && Healthy(directory_address()); },
                 std::chrono::seconds(30))) {
      return absl::UnavailableError("renkei-directory of " + id_ + " did not start:\n" +
                                    ReadFile(dir_ + "/run/directory.log"));
    }
    return absl::OkStatus();
  }

  void Stop() {
    if (directory_) directory_->Terminate();
    directory_.reset();
    nats_.reset();
  }

  // The directory as the instance's own staff, with a token signed by the key init made.
  std::unique_ptr<DirectoryStub> Directory(v1::Role role) const {
    auto key = common::LoadSigningKey(dir_ + "/keys", id_ + "-services");
    EXPECT_TRUE(key.ok()) << key.status();
    v1::TokenClaims claims;
    claims.set_iss(id_);
    claims.set_aud(id_);
    claims.set_sub("provisioning-test");
    claims.set_role(role);
    claims.set_jur(code_);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    claims.set_iat(static_cast<uint32_t>(now));
    claims.set_exp(static_cast<uint32_t>(now + 3600));
    auto token = common::IssueToken(*key, claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return v1::DirectoryService::NewStub(FastReconnectChannel(directory_address(), *token));
  }

 private:
  std::string id_, code_, dir_;
  int base_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<ChildProcess> directory_;
};

class ProvisioningTest : public ::testing::Test {
 protected:
  CliResult Ctl(const std::vector<std::string>& args) {
    return RunRenkeictl(args, {}, tmp_.Sub("cli"));
  }
  // `instance init` of a local-layout instance (no TLS) at a free base port.
  CliResult Init(const std::string& level, const std::string& code, const std::string& dir,
                 int* base, const std::vector<std::string>& more = {}) {
    *base = FreeBasePort();
    EXPECT_NE(*base, 0);
    std::vector<std::string> args = {"instance", "init", "--level",     level,
                                     "--dir",    dir,    "--base-port", std::to_string(*base)};
    if (!code.empty()) {
      args.emplace_back("--code");
      args.push_back(code);
    }
    args.insert(args.end(), more.begin(), more.end());
    return Ctl(args);
  }

  TempDir tmp_;
};

TEST_F(ProvisioningTest, InitAdmitJoinMakeAWorkingMunicipalityUnderARunningPrefecture) {
  // The prefecture, provisioned alone and running from its own files.
  const std::string pref_dir = tmp_.Sub("p13"), muni_dir = tmp_.Sub("m132250");
  int pref_base = 0, muni_base = 0;
  auto init = Init("prefecture", "13", pref_dir, &pref_base);
  ASSERT_EQ(init.exit_code, 0) << init;
  EXPECT_THAT(init.out, HasSubstr("p13-admin"));
  EXPECT_THAT(init.out, HasSubstr("次にすること / next"));
  auto loaded = common::LoadInstanceConfig(pref_dir + "/instance.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->instance().code(), "130001");
  EXPECT_EQ(loaded->nats().jetstream_domain(), "p13");
  EXPECT_FALSE(loaded->has_federation());
  // The console's first account: a temporary password, replaced at the first log-in.
  const std::string accounts = ReadFile(pref_dir + "/accounts.json");
  EXPECT_THAT(accounts, HasSubstr("\"p13-admin\""));
  EXPECT_THAT(accounts, HasSubstr("\"must_change_password\": true"));
  EXPECT_EQ(ModeOf(pref_dir + "/accounts.json"), 0600u);
  EXPECT_EQ(ModeOf(pref_dir + "/keys/p13-services.key"), 0600u);
  ProvisionedInstance pref("p13", "130001", pref_dir, pref_base);
  ASSERT_TRUE(pref.Start().ok());

  // The municipality, and its join request: who it is, no secret.
  init = Init("municipality", "132250", muni_dir, &muni_base, {"--staff-login", "inagi-admin"});
  ASSERT_EQ(init.exit_code, 0) << init;
  const std::string request = ReadFile(muni_dir + "/join-request.json");
  EXPECT_THAT(request, HasSubstr("\"leaf_user\": \"m132250\""));
  EXPECT_THAT(request, Not(HasSubstr("password")));
  EXPECT_THAT(ReadFile(muni_dir + "/accounts.json"), HasSubstr("\"inagi-admin\""));

  // The prefecture admits it: a leaf password of its own in the prefecture's files and in the
  // credentials file (0600) for the municipality.
  const std::string credentials = tmp_.Sub("credentials-m132250.json");
  auto admit = Ctl({"instance", "admit", "--dir", pref_dir, "--request",
                    muni_dir + "/join-request.json", "--out", credentials});
  ASSERT_EQ(admit.exit_code, 0) << admit;
  EXPECT_EQ(ModeOf(credentials), 0600u);
  loaded = common::LoadInstanceConfig(pref_dir + "/instance.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->federation().children_size(), 1);
  const std::string password = loaded->federation().children(0).leaf_password();
  EXPECT_GE(password.size(), 20u);
  EXPECT_THAT(ReadFile(credentials), HasSubstr(password));
  EXPECT_THAT(ReadFile(pref_dir + "/nats.conf"), HasSubstr(password));
  EXPECT_EQ(loaded->federation().leafnode_listen(), "127.0.0.1:" + std::to_string(pref_base + 1));
  // Admitted once only.
  auto again = Ctl({"instance", "admit", "--dir", pref_dir, "--request",
                    muni_dir + "/join-request.json", "--out", tmp_.Sub("again.json")});
  EXPECT_EQ(again.exit_code, 5) << again;
  EXPECT_THAT(again.err, HasSubstr("already admitted"));
  // The prefecture takes the new child: its nats-server opens the hub, its directory sources the
  // child's streams.
  ASSERT_TRUE(pref.Start().ok());

  // The municipality joins with the credentials, once.
  auto join = Ctl({"instance", "join", "--dir", muni_dir, "--credentials", credentials});
  ASSERT_EQ(join.exit_code, 0) << join;
  EXPECT_THAT(join.out, HasSubstr("p13"));
  auto joined = Ctl({"instance", "join", "--dir", muni_dir, "--credentials", credentials});
  EXPECT_EQ(joined.exit_code, 5) << joined;
  EXPECT_THAT(joined.err, HasSubstr("already joined"));
  auto muni_config = common::LoadInstanceConfig(muni_dir + "/instance.json");
  ASSERT_TRUE(muni_config.ok()) << muni_config.status();
  EXPECT_EQ(muni_config->federation().parent().leaf_password(), password);
  EXPECT_EQ(muni_config->federation().parent().leafnode_url(),
            "nats-leaf://127.0.0.1:" + std::to_string(pref_base + 1));
  ProvisionedInstance muni("m132250", "132250", muni_dir, muni_base);
  ASSERT_TRUE(muni.Start().ok());

  // A resource entered in the municipality reaches the prefecture's directory.
  v1::UpsertResourceRequest upsert;
  auto* res = upsert.mutable_resource();
  res->set_kind(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
  res->set_name("プロビジョニング試験 訪問看護ステーション");
  res->set_municipality_code("132250");
  const auto* inagi = common::Jurisdictions::Get().FindMunicipality("132250");
  res->mutable_location()->set_latitude(inagi->office_lat);
  res->mutable_location()->set_longitude(inagi->office_lon);
  v1::UpsertResourceResponse upserted;
  auto s = Call(*muni.Directory(v1::ROLE_MUNICIPAL_STAFF), &DirectoryStub::UpsertResource, upsert,
                &upserted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto tokyo = pref.Directory(v1::ROLE_PREFECTURE_STAFF);
  auto at_tokyo = [&] {
    v1::SearchResourcesRequest search;
    search.set_municipality_code("132250");
    v1::SearchResourcesResponse found;
    if (!Call(*tokyo, &DirectoryStub::SearchResources, search, &found).ok()) return false;
    for (const auto& h : found.hits()) {
      if (h.resource().id() == upserted.resource().id()) return true;
    }
    return false;
  };
  EXPECT_TRUE(WaitFor(at_tokyo, std::chrono::seconds(60)))
      << "the municipality's resource never reached the prefecture; logs in " << tmp_.path();
  muni.Stop();
  pref.Stop();
}

TEST_F(ProvisioningTest, InitRefusesToOverwriteAndWritesNothing) {
  const std::string dir = tmp_.Sub("m132250");
  int base = 0;
  auto first = Init("municipality", "132250", dir, &base);
  ASSERT_EQ(first.exit_code, 0) << first;
  const std::string before = ReadFile(dir + "/instance.json");
  auto second = Init("municipality", "132250", dir, &base);
  EXPECT_EQ(second.exit_code, 5) << second;
  EXPECT_THAT(second.err, HasSubstr(dir + "/instance.json"));
  EXPECT_THAT(second.err, HasSubstr("not overwritten"));
  EXPECT_EQ(ReadFile(dir + "/instance.json"), before);

  // One file in the way: refused, naming it, before anything else is written.
  const std::string other = tmp_.Sub("m132080");
  std::filesystem::create_directories(other);
  { std::ofstream(other + "/accounts.json") << "{}"; }
  auto blocked = Init("municipality", "132080", other, &base);
  EXPECT_EQ(blocked.exit_code, 5) << blocked;
  EXPECT_THAT(blocked.err, HasSubstr(other + "/accounts.json"));
  EXPECT_FALSE(std::filesystem::exists(other + "/instance.json"));
  EXPECT_FALSE(std::filesystem::exists(other + "/keys"));

  // A code whose check digit is wrong, a parent that is not the municipality's prefecture.
  auto bad = Init("municipality", "132251", tmp_.Sub("bad"), &base);
  EXPECT_EQ(bad.exit_code, 3) << bad;
  EXPECT_THAT(bad.err, HasSubstr("check digit"));
  auto wrong_parent =
      Init("municipality", "132250", tmp_.Sub("bad"), &base, {"--parent-code", "110001"});
  EXPECT_EQ(wrong_parent.exit_code, 3) << wrong_parent;
  EXPECT_THAT(wrong_parent.err, HasSubstr("the parent of m132250 is p13"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.Sub("bad")));
}

TEST_F(ProvisioningTest, AdmitRefusesTheWrongLevelAndAnotherPrefecturesMunicipality) {
  int base = 0;
  ASSERT_EQ(Init("prefecture", "130001", tmp_.Sub("p13"), &base).exit_code, 0);
  ASSERT_EQ(Init("prefecture", "11", tmp_.Sub("p11"), &base).exit_code, 0);
  ASSERT_EQ(Init("municipality", "112020", tmp_.Sub("m112020"), &base).exit_code, 0);
  const std::string before = ReadFile(tmp_.Sub("p13") + "/instance.json");

  auto prefecture = Ctl({"instance", "admit", "--dir", tmp_.Sub("p13"), "--request",
                         tmp_.Sub("p11") + "/join-request.json"});
  EXPECT_EQ(prefecture.exit_code, 3) << prefecture;
  EXPECT_THAT(prefecture.err, HasSubstr("wrong level: the request is from a prefecture (p11)"));
  EXPECT_THAT(prefecture.err, HasSubstr("p13 admits municipality instances only"));

  auto saitama = Ctl({"instance", "admit", "--dir", tmp_.Sub("p13"), "--request",
                      tmp_.Sub("m112020") + "/join-request.json"});
  EXPECT_EQ(saitama.exit_code, 3) << saitama;
  EXPECT_THAT(saitama.err, HasSubstr("m112020 is not a municipality of p13"));

  // Nothing changed, no credentials written.
  EXPECT_EQ(ReadFile(tmp_.Sub("p13") + "/instance.json"), before);
  EXPECT_FALSE(std::filesystem::exists(tmp_.Sub("p13") + "/credentials-p11.json"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.Sub("p13") + "/credentials-m112020.json"));

  // Its own prefecture admits it; credentials meant for another instance are refused at join.
  auto admit = Ctl({"instance", "admit", "--dir", tmp_.Sub("p11"), "--request",
                    tmp_.Sub("m112020") + "/join-request.json"});
  ASSERT_EQ(admit.exit_code, 0) << admit;
  ASSERT_EQ(Init("municipality", "112089", tmp_.Sub("m112089"), &base).exit_code, 0);
  auto stranger = Ctl({"instance", "join", "--dir", tmp_.Sub("m112089"), "--credentials",
                       tmp_.Sub("p11") + "/credentials-m112020.json"});
  EXPECT_EQ(stranger.exit_code, 3) << stranger;
  EXPECT_THAT(stranger.err, HasSubstr("these credentials are for m112020"));
}

// admit and join replace nats.conf before the instance file: one that fails halfway (here
// nats.conf is a directory, which no file is renamed over) changes nothing, and once the obstacle
// is gone the same command completes.
TEST_F(ProvisioningTest, AdmitAndJoinThatFailChangeNothingAndRunAgain) {
  namespace fs = std::filesystem;
  const std::string pref = tmp_.Sub("p13"), muni = tmp_.Sub("m132250");
  int base = 0;
  ASSERT_EQ(Init("prefecture", "13", pref, &base).exit_code, 0);
  ASSERT_EQ(Init("municipality", "132250", muni, &base).exit_code, 0);
  // nats.conf made a directory; returns the file's content.
  auto block = [](const std::string& nats_conf) {
    std::string content = ReadFile(nats_conf);
    fs::remove(nats_conf);
    fs::create_directories(nats_conf + "/in-the-way");
    return content;
  };
  auto unblock = [](const std::string& nats_conf, const std::string& content) {
    fs::remove_all(nats_conf);
    std::ofstream(nats_conf) << content;
  };

  const std::string credentials = tmp_.Sub("credentials-m132250.json");
  const std::vector<std::string> admit = {"instance", "admit",     "--dir",
                                          pref,       "--request", muni + "/join-request.json",
                                          "--out",    credentials};
  const std::string pref_instance = ReadFile(pref + "/instance.json");
  std::string nats = block(pref + "/nats.conf");
  auto failed = Ctl(admit);
  EXPECT_NE(failed.exit_code, 0) << failed;
  EXPECT_THAT(failed.err, HasSubstr(pref + "/nats.conf"));
  EXPECT_EQ(ReadFile(pref + "/instance.json"), pref_instance);
  EXPECT_FALSE(fs::exists(credentials));
  unblock(pref + "/nats.conf", nats);
  auto admitted = Ctl(admit);
  ASSERT_EQ(admitted.exit_code, 0) << admitted;
  auto loaded = common::LoadInstanceConfig(pref + "/instance.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->federation().children_size(), 1);
  const std::string password = loaded->federation().children(0).leaf_password();
  EXPECT_THAT(ReadFile(pref + "/nats.conf"), HasSubstr(password));

  const std::vector<std::string> join = {"instance", "join",          "--dir",
                                         muni,       "--credentials", credentials};
  const std::string muni_instance = ReadFile(muni + "/instance.json");
  nats = block(muni + "/nats.conf");
  failed = Ctl(join);
  EXPECT_NE(failed.exit_code, 0) << failed;
  EXPECT_THAT(failed.err, HasSubstr(muni + "/nats.conf"));
  EXPECT_EQ(ReadFile(muni + "/instance.json"), muni_instance);
  unblock(muni + "/nats.conf", nats);
  auto joined = Ctl(join);
  ASSERT_EQ(joined.exit_code, 0) << joined;
  loaded = common::LoadInstanceConfig(muni + "/instance.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->federation().parent().leaf_password(), password);
  EXPECT_THAT(ReadFile(muni + "/nats.conf"), HasSubstr(password));
}

// The production layout: TLS everywhere, with a certificate of the development CA or a key and a
// request for the instance's own CA; both files load and validate.
TEST_F(ProvisioningTest, ProductionLayoutWithDevCaCertificateOrCertificateRequest) {
  const std::string ca = tmp_.Sub("ca");
  auto made = RunShell("bash " + SourceDir() + "/tools/dev-ca.sh " + ca + " unused");
  ASSERT_EQ(made.first, 0) << made.second;

  const std::string chofu = tmp_.Sub("m132080");
  // The service user owns what the services read or write (chown needs root, as CI runs).
  const bool root = geteuid() == 0;
  auto init_chofu = [&](const std::string& data_root) {
    std::vector<std::string> args = {
        "instance",    "init",    "--level",      "municipality",
        "--code",      "132080",  "--dir",        chofu,
        "--data-root", data_root, "--parent-url", "tls://renkei.metro.tokyo.example.jp:7422",
        "--dev-ca",    ca,        "--host",       "renkei.city.chofu.example.lg.jp"};
    if (root) args.insert(args.end(), {"--service-user", "nobody"});
    return Ctl(args);
  };
  // Refused before anything is written: a data root whose parent (the state directory: data keys,
  // accounts) holds something already, e.g. another instance's state, and /.
  const std::string shared = tmp_.Sub("var/shared");
  std::filesystem::create_directories(shared + "/other-instance");
  auto refused = init_chofu(shared + "/data");
  EXPECT_EQ(refused.exit_code, 5) << refused;
  EXPECT_THAT(refused.err, HasSubstr(shared + " (data_root's parent"));
  refused = init_chofu("/");
  EXPECT_EQ(refused.exit_code, 3) << refused;
  EXPECT_THAT(refused.err, HasSubstr("may be /"));
  EXPECT_FALSE(std::filesystem::exists(chofu));
  EXPECT_FALSE(std::filesystem::exists(shared + "/data"));

  auto init = init_chofu(tmp_.Sub("var/m132080/data"));
  ASSERT_EQ(init.exit_code, 0) << init;
  auto c = common::LoadInstanceConfig(chofu + "/instance.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->directory().server().listen_address(), "0.0.0.0:7101");
  EXPECT_EQ(c->security().grpc_tls().cert_file(), chofu + "/tls/m132080.crt");
  // The package's layout: keys beside the configuration directory, what the services and the
  // gateway write (data keys, the accounts file) beside the data root.
  EXPECT_EQ(c->security().key_dir(), tmp_.Sub("keys/m132080"));
  EXPECT_EQ(c->security().data_key_dir(), tmp_.Sub("var/m132080/keys/data"));
  EXPECT_EQ(c->gateway().accounts_file(), tmp_.Sub("var/m132080/accounts.json"));
  if (root) {
    auto status = [](const std::string& path) {
      struct stat st {};
      EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
      return st;
    };
    const struct stat key = status(tmp_.Sub("keys/m132080/m132080-services.key"));
    EXPECT_NE(key.st_uid, 0u);
    // What init made for the services is the service user's ...
    for (const std::string path : {"keys/m132080", "var/m132080", "var/m132080/data",
                                   "var/m132080/keys/data", "var/m132080/accounts.json",
                                   "var/m132080/accounts.json.lock", "m132080/tls/m132080.key"}) {
      EXPECT_EQ(status(tmp_.Sub(path)).st_uid, key.st_uid) << path;
    }
    // ... the configuration stays root's, readable by the service user's group, and nothing that
    // was there before init (a sibling of the instance's state directory) changes hands.
    for (const std::string path : {"m132080", "m132080/instance.json", "m132080/nats.conf"}) {
      const struct stat config = status(tmp_.Sub(path));
      EXPECT_EQ(config.st_uid, 0u) << path;
      EXPECT_EQ(config.st_gid, key.st_gid) << path;
    }
    for (const std::string path : {"var", "var/shared", "var/shared/other-instance", "keys"}) {
      const struct stat untouched = status(tmp_.Sub(path));
      EXPECT_EQ(untouched.st_uid, 0u) << path;
      EXPECT_EQ(untouched.st_gid, 0u) << path;
    }
  }
  EXPECT_EQ(c->federation().parent().leafnode_url(), "tls://renkei.metro.tokyo.example.jp:7422");
  EXPECT_TRUE(c->federation().parent().leaf_password().empty());
  auto verified = RunShell("openssl verify -CAfile " + chofu + "/tls/ca.crt " + chofu +
                           "/tls/m132080.crt && openssl x509 -noout -ext subjectAltName -in " +
                           chofu + "/tls/m132080.crt");
  EXPECT_EQ(verified.first, 0) << verified.second;
  EXPECT_THAT(verified.second, HasSubstr("DNS:renkei.city.chofu.example.lg.jp"));
  EXPECT_THAT(verified.second, HasSubstr("IP Address:127.0.0.1"));
  EXPECT_EQ(ModeOf(chofu + "/tls/m132080.key"), 0600u);
  EXPECT_THAT(ReadFile(chofu + "/nats.conf"), HasSubstr("min_version: \"1.3\""));

  const std::string tokyo = tmp_.Sub("p13");
  init = Ctl({"instance", "init", "--level", "prefecture", "--code", "130001", "--dir", tokyo,
              "--data-root", tmp_.Sub("var/p13/data")});
  ASSERT_EQ(init.exit_code, 0) << init;
  EXPECT_THAT(init.out, HasSubstr(tokyo + "/tls/p13.csr"));
  EXPECT_FALSE(std::filesystem::exists(tokyo + "/tls/p13.crt"));
  auto request = RunShell("openssl req -verify -noout -subject -in " + tokyo + "/tls/p13.csr");
  EXPECT_EQ(request.first, 0) << request.second;
  EXPECT_THAT(request.second, HasSubstr("CN = p13"));
  c = common::LoadInstanceConfig(tokyo + "/instance.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->security().grpc_tls().cert_file(), tokyo + "/tls/p13.crt");
  EXPECT_EQ(c->data_root(), tmp_.Sub("var/p13/data"));

  // The first child of a hub on every address: the URL children connect to must be named, and
  // is advertised from then on.
  auto unnamed =
      Ctl({"instance", "admit", "--dir", tokyo, "--request", chofu + "/join-request.json"});
  EXPECT_EQ(unnamed.exit_code, 3) << unnamed;
  EXPECT_THAT(unnamed.err, HasSubstr("--leaf-url"));
  auto admit = Ctl({"instance", "admit", "--dir", tokyo, "--request", chofu + "/join-request.json",
                    "--leaf-url", "tls://renkei.metro.tokyo.example.jp:7422"});
  ASSERT_EQ(admit.exit_code, 0) << admit;
  c = common::LoadInstanceConfig(tokyo + "/instance.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->federation().leafnode_listen(), "0.0.0.0:7422");
  EXPECT_EQ(c->federation().leafnode_advertise(), "renkei.metro.tokyo.example.jp:7422");
  EXPECT_THAT(ReadFile(tokyo + "/credentials-m132080.json"),
              HasSubstr("\"leafnode_url\": \"tls://renkei.metro.tokyo.example.jp:7422\""));
  // The municipality's files keep their owner and group when join replaces them.
  struct stat before {};
  ASSERT_EQ(stat((chofu + "/instance.json").c_str(), &before), 0);
  auto join = Ctl(
      {"instance", "join", "--dir", chofu, "--credentials", tokyo + "/credentials-m132080.json"});
  ASSERT_EQ(join.exit_code, 0) << join;
  struct stat after {};
  ASSERT_EQ(stat((chofu + "/instance.json").c_str(), &after), 0);
  EXPECT_EQ(after.st_gid, before.st_gid);
  EXPECT_EQ(after.st_mode & 0777, 0640u);
  c = common::LoadInstanceConfig(chofu + "/instance.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->federation().parent().leaf_password().empty());
}

}  // namespace
}  // namespace renkei::testing
