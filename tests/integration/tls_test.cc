// Transport security: the services serve gRPC over TLS with client certificates and talk to a
// nats-server that requires TLS and client certificates, with the development CA of
// tools/dev-ca.sh; plaintext is refused outside loopback.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/bus.h"
#include "renkei/common/config.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;

// Runs a shell command; its exit status and output (stdout and stderr).
class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = tmp_.Sub("ca");
    auto [rc, out] = RunShell("bash " + SourceDir() + "/tools/dev-ca.sh " + ca_ +
                              " nats m132250 coordinator-pc");
    ASSERT_EQ(rc, 0) << out;
    // nats-server: TLS with client certificates on its only port.
    nats_port_ = FreePort();
    const std::string conf = tmp_.Sub("nats.conf");
    std::ofstream(conf) << "listen: \"127.0.0.1:" << nats_port_ << "\"\n"
                        << "jetstream { store_dir: \"" << tmp_.Sub("nats-store") << "\" }\n"
                        << "tls {\n  cert_file: \"" << ca_ << "/nats.crt\"\n  key_file: \"" << ca_
                        << "/nats.key\"\n  ca_file: \"" << ca_ << "/ca.crt\"\n"
                        << "  verify: true\n  timeout: 2\n}\n";
    auto nats = NatsServer::StartConfigured(tmp_.Sub("nats"), conf);
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);

    InstanceSpec spec;
    spec.services = {"directory", "intake"};
    const std::string pem = ca_ + "/m132250";
    spec.nats_json = "\"tls\": {\"cert_file\": \"" + pem + ".crt\", \"key_file\": \"" + pem +
                     ".key\", \"ca_file\": \"" + ca_ + "/ca.crt\"}";
    keys_ = tmp_.Sub("inagi") + "/keys";
    spec.security_json = "{\"key_dir\": \"" + keys_ +
                         "\", \"service_key_id\": \"k1\", \"grpc_tls\": {\"cert_file\": \"" + pem +
                         ".crt\", \"key_file\": \"" + pem + ".key\", \"ca_file\": \"" + ca_ +
                         "/ca.crt\"}}";
    spec.client_tls.set_cert_file(ca_ + "/coordinator-pc.crt");
    spec.client_tls.set_key_file(ca_ + "/coordinator-pc.key");
    spec.client_tls.set_ca_file(ca_ + "/ca.crt");
    instance_ = std::make_unique<InstanceProcesses>(
        tmp_.Sub("inagi"), "nats://127.0.0.1:" + std::to_string(nats_port_), spec);
    client_tls_ = spec.client_tls;
  }

  TempDir tmp_;
  std::string ca_, keys_;
  int nats_port_ = 0;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> instance_;
  v1::GrpcTlsConfig client_tls_;
};

TEST_F(TlsTest, ServicesServeTlsWithClientCertificatesAndPublishOverTls) {
  ASSERT_TRUE(instance_->Start("directory").ok());
  ASSERT_TRUE(instance_->Start("intake").ok());

  // A coordinator's call over TLS with a client certificate and a token; the intake reaches the
  // directory over TLS with its own identity (matching) and publishes over TLS.
  auto intake = v1::IntakeService::NewStub(instance_->channel("intake", v1::ROLE_COORDINATOR));
  v1::CreateConsultationRequest req;
  req.set_channel(v1::CHANNEL_PHONE);
  req.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
  req.mutable_person()->set_name("暗号 太郎");
  req.add_needs()->set_capability("home_visit_medical");
  v1::Consultation c;
  {
    grpc::ClientContext ctx;
    grpc::Status s = intake->CreateConsultation(&ctx, req, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::MatchResourcesRequest match;
  match.set_id(c.id());
  match.set_expected_version(c.version());
  v1::MatchResourcesResponse matched;
  {
    grpc::ClientContext ctx;
    grpc::Status s = intake->MatchResources(&ctx, match, &matched);
    EXPECT_TRUE(s.ok()) << s.error_message();  // intake -> directory over TLS
  }
  common::NatsOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(nats_port_);
  o.tls_cert_file = ca_ + "/coordinator-pc.crt";
  o.tls_key_file = ca_ + "/coordinator-pc.key";
  o.tls_ca_file = ca_ + "/ca.crt";
  auto bus = common::NatsBus::Connect(o);
  ASSERT_TRUE(bus.ok()) << bus.status();
  EXPECT_TRUE(
      WaitFor([&] { return StreamCount(**bus, "RENKEI_EVENTS") >= 2; }, std::chrono::seconds(15)));

  // Without TLS (loopback local credentials, as the local profile uses), nothing gets through.
  {
    auto stub = v1::IntakeService::NewStub(
        FastReconnectChannel(instance_->address("intake"), instance_->Token(v1::ROLE_COORDINATOR)));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    v1::GetConsultationRequest get;
    get.set_id(c.id());
    v1::Consultation out;
    grpc::Status s = stub->GetConsultation(&ctx, get, &out);
    EXPECT_NE(s.error_code(), grpc::StatusCode::OK) << s.error_message();
    EXPECT_TRUE(out.id().empty());
  }
  // Without a client certificate: the handshake fails.
  {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(ca_ + "/ca.crt");
    auto channel = grpc::CreateChannel(instance_->address("intake"), grpc::SslCredentials(ssl));
    auto stub = v1::IntakeService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + instance_->Token(v1::ROLE_COORDINATOR));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    v1::GetConsultationRequest get;
    get.set_id(c.id());
    v1::Consultation out;
    grpc::Status s = stub->GetConsultation(&ctx, get, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  }
  // The negotiated protocol, seen from outside: TLS 1.3 with the client certificate.
  auto [rc, out] = RunShell("openssl s_client -connect " + instance_->address("intake") +
                            " -alpn h2 -CAfile " + ca_ + "/ca.crt -cert " + ca_ +
                            "/coordinator-pc.crt -key " + ca_ + "/coordinator-pc.key </dev/null");
  EXPECT_THAT(out, HasSubstr("TLSv1.3")) << out;
  EXPECT_THAT(out, HasSubstr("Verify return code: 0 (ok)")) << out;
  auto [rc12, out12] =
      RunShell("openssl s_client -tls1_2 -connect " + instance_->address("intake") +
               " -alpn h2 -CAfile " + ca_ + "/ca.crt -cert " + ca_ + "/coordinator-pc.crt -key " +
               ca_ + "/coordinator-pc.key </dev/null");
  std::printf("[ tls ] a TLS 1.2-only client: %s\n",
              out12.find("Protocol  : TLSv1.2") != std::string::npos ||
                      out12.find("TLSv1.2, Cipher") != std::string::npos
                  ? "accepted"
                  : "refused");
  // A plaintext NATS client is refused by the server.
  common::NatsOptions plain;
  plain.url = o.url;
  plain.connect_timeout_ms = 1000;
  auto plain_bus = common::NatsBus::Connect(plain);
  if (plain_bus.ok()) {
    EXPECT_FALSE((*plain_bus)->WaitConnected(1500));
  }
}

TEST_F(TlsTest, PlaintextOutsideLoopbackIsRefusedAtStart) {
  // gRPC: a non-loopback listen address without security.grpc_tls.
  InstanceSpec spec;
  spec.services = {"directory"};
  std::filesystem::create_directories(tmp_.Sub("open") + "/keys");
  spec.security_json =
      "{\"key_dir\": \"" + tmp_.Sub("open") + "/keys\", \"service_key_id\": \"k1\"}";
  InstanceProcesses open(tmp_.Sub("open"), "nats://127.0.0.1:" + std::to_string(nats_port_), spec);
  // Rewrite the listen address to every interface.
  std::string config = ReadFile(open.config_path());
  const std::string loopback = "\"listen_address\": \"127.0.0.1:";
  size_t at = config.find(loopback);
  ASSERT_NE(at, std::string::npos);
  config.replace(at, loopback.size(), "\"listen_address\": \"0.0.0.0:");
  std::ofstream(open.config_path()) << config;
  auto child = ChildProcess::Spawn({BinaryPath("renkei-directory"), "--config", open.config_path()},
                                   {}, tmp_.Sub("open.log"));
  ASSERT_TRUE(child.ok());
  int status = 0;
  ASSERT_TRUE((*child)->WaitExit(std::chrono::seconds(20), &status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_THAT(ReadFile(tmp_.Sub("open.log")), HasSubstr("security.grpc_tls"));

  // NATS: a non-loopback server without TLS.
  common::NatsOptions o;
  o.url = "nats://10.1.2.3:4222";
  auto bus = common::NatsBus::Connect(o);
  ASSERT_FALSE(bus.ok());
  EXPECT_THAT(std::string(bus.status().message()), HasSubstr("nats.tls"));
  o.url = "nats://127.0.0.1:4222,nats://10.1.2.3:4222";
  EXPECT_FALSE(common::NatsBus::Connect(o).ok());
}

}  // namespace
}  // namespace renkei::testing
