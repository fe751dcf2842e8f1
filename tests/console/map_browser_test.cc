// The public resource map in a browser (issue 19, acceptance 3): Inagi's real resources
// (reference-data/, this municipality's rows) in the real renkei-directory (in this process), the
// real renkei-gateway serving console/dist/map/ without log-in, Debian's chromium driven by
// Playwright (console/tests/screens/map.mjs) with axe-core, and a local tile server standing in
// for 地理院タイル (the gateway's public_map.tile_url points at it; the page's CSP admits it).
// One resource gets an internal liaison contact and a note, which must appear nowhere public;
// another a survey-verified 訪問診療 and a public liaison contact, which the map shows.
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "gtest/gtest.h"
#include "harness.h"
#include "screens.h"

namespace renkei::testing {
namespace {

// A 1×1 grey PNG: every tile the stub serves.
constexpr unsigned char kTilePng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0xb8, 0x0f, 0x00, 0x01, 0x01, 0x01, 0x00, 0x5b, 0x1c, 0x8c, 0x2e, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

class MapInABrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(FindConsole("map/index.html", "axe-core", &console_));

    // The tile stub: any /tiles/{z}/{x}/{y}.png, counted.
    tiles_.Get(
        R"(/tiles/\d+/\d+/\d+\.png)", [this](const httplib::Request&, httplib::Response& res) {
          ++tile_requests_;
          res.set_content(std::string(reinterpret_cast<const char*>(kTilePng), sizeof(kTilePng)),
                          "image/png");
        });
    tile_port_ = tiles_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(tile_port_, 0);
    tile_thread_ = std::thread([this] { tiles_.listen_after_bind(); });

    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    InstanceSpec spec = InProcess();
    spec.services = {"directory"};
    spec.gateway_json =
        "\"static_dir\": \"" + console_.dir +
        "/dist\", \"public_map\": {\"tile_url\": \"http://127.0.0.1:" + std::to_string(tile_port_) +
        "/tiles/{z}/{x}/{y}.png\", \"attribution\": \"地理院タイル\", "
        "\"attribution_url\": \"https://maps.gsi.go.jp/development/ichiran.html\"}";
    instance_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), spec);
    for (const char* s : {"directory", "gateway"}) {
      auto started = instance_->Start(s);
      ASSERT_TRUE(started.ok()) << started;
    }
    directory_ = v1::DirectoryService::NewStub(instance_->channel("directory"));
    auto imported = ImportRealData(*directory_, {"132250"});
    ASSERT_TRUE(imported.ok()) << imported.status();
    ASSERT_GT(*imported, 50);
  }

  void TearDown() override {
    tiles_.stop();
    if (tile_thread_.joinable()) tile_thread_.join();
  }

  // Inagi's first resource of `kind` (by the search's order).
  v1::Resource First(v1::ResourceKind kind) {
    grpc::ClientContext ctx;
    v1::SearchResourcesRequest q;
    q.set_municipality_code("132250");
    q.set_area_match(v1::AREA_MATCH_LOCATED_IN);
    q.add_kinds(kind);
    v1::SearchResourcesResponse resp;
    EXPECT_TRUE(directory_->SearchResources(&ctx, q, &resp).ok());
    EXPECT_GT(resp.hits_size(), 0);
    return resp.hits_size() > 0 ? resp.hits(0).resource() : v1::Resource();
  }

  void Replace(const v1::Resource& r) {
    grpc::ClientContext ctx;
    v1::UpsertResourceRequest req;
    *req.mutable_resource() = r;
    req.set_expected_version(r.version());
    v1::UpsertResourceResponse resp;
    const grpc::Status s = directory_->UpsertResource(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  TempDir tmp_;
  httplib::Server tiles_;
  std::thread tile_thread_;
  int tile_port_ = 0;
  std::atomic<int> tile_requests_{0};
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> instance_;
  std::unique_ptr<v1::DirectoryService::Stub> directory_;
  ConsoleForTests console_;
};

TEST_F(MapInABrowser, InagisPublicMapShowsPublicFieldsOnly) {
  // A nurse station with an internal liaison contact and a note.
  v1::Resource station = First(v1::RESOURCE_KIND_VISITING_NURSE_STATION);
  station.set_note("内部メモ-非公開-7731");
  station.mutable_liaison()->set_department("院内専用窓口-非公開-7731");
  station.mutable_liaison()->set_phone("042-999-7731");
  station.mutable_liaison()->set_internal(true);
  Replace(station);
  // A clinic whose 訪問診療 a survey confirmed, with a public liaison contact.
  v1::Resource clinic = First(v1::RESOURCE_KIND_CLINIC);
  clinic.clear_capabilities();
  clinic.clear_capability_provenance();
  clinic.add_capabilities("home_visit_medical");
  auto* p = clinic.add_capability_provenance();
  p->set_capability("home_visit_medical");
  p->set_source(v1::CAPABILITY_SOURCE_SURVEY);
  p->mutable_as_of()->set_year(2026);
  p->mutable_as_of()->set_month(12);
  p->mutable_as_of()->set_day(1);
  clinic.mutable_liaison()->set_department("地域連携室");
  clinic.mutable_liaison()->set_phone("042-377-0000");
  Replace(clinic);

  ASSERT_NO_FATAL_FAILURE(RunScreens(
      console_, "map.mjs",
      {{"RENKEI_GATEWAY_URL", instance_->gateway_url()},
       {"RENKEI_MAP_SECRETS", "内部メモ-非公開-7731,院内専用窓口-非公開-7731,042-999-7731"},
       {"RENKEI_MAP_VERIFIED_NAME", clinic.name()},
       {"RENKEI_MAP_HIDDEN_ID", station.id()}},
      tmp_.Sub("playwright-map.log"), "the public map"));
  EXPECT_GT(tile_requests_.load(), 0) << "the page fetched no tile from the configured server";
  for (const char* shot :
       {"23-public-map.png", "24-public-map-filtered.png", "25-public-map-print.png"}) {
    EXPECT_TRUE(std::filesystem::exists(console_.screenshots + "/" + shot))
        << "no screenshot " << shot;
  }
}

}  // namespace
}  // namespace renkei::testing
