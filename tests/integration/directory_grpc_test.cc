// Every DirectoryService RPC over real gRPC (in-process server, real RocksDB, real nats-server):
// bad input answers INVALID_ARGUMENT / ABORTED / NOT_FOUND naming the problem, and writes nothing
// (no resource, no outbox record, no JetStream message).
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "harness.h"

namespace renkei::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DirectoryGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One valid resource so that stale versions and deletes have something to aim at.
    v1::UpsertResourceRequest req;
    *req.mutable_resource() = Valid();
    grpc::ClientContext ctx;
    ASSERT_TRUE(d_.stub().UpsertResource(&ctx, req, &existing_).ok());
    ASSERT_EQ(d_.WaitForStreamCount(1), 1u);
    Snapshot();
  }

  static v1::Resource Valid() {
    v1::Resource r;
    r.set_kind(v1::RESOURCE_KIND_CLINIC);
    r.set_name("稲城クリニック");
    r.set_municipality_code("132250");
    r.mutable_location()->set_latitude(35.63);
    r.mutable_location()->set_longitude(139.50);
    return r;
  }

  void Snapshot() {
    resources_ = d_.CountKeys("resources");
    outbox_ = d_.CountKeys("outbox");
    stream_ = d_.bus().GetStreamState(InProcessDirectory::kStream)->messages;
  }

  // Nothing was written since the snapshot.
  void ExpectNothingWritten() {
    EXPECT_EQ(d_.CountKeys("resources"), resources_);
    EXPECT_EQ(d_.CountKeys("outbox"), outbox_);
    EXPECT_EQ(d_.bus().GetStreamState(InProcessDirectory::kStream)->messages, stream_);
    v1::GetResourceRequest get;
    get.set_id(existing_.resource().id());
    v1::Resource r;
    grpc::ClientContext ctx;
    ASSERT_TRUE(d_.stub().GetResource(&ctx, get, &r).ok());
    EXPECT_EQ(r.version(), existing_.resource().version());
  }

  grpc::Status Upsert(const v1::Resource& r, int64_t expected = 0) {
    v1::UpsertResourceRequest req;
    *req.mutable_resource() = r;
    req.set_expected_version(expected);
    v1::UpsertResourceResponse resp;
    grpc::ClientContext ctx;
    return d_.stub().UpsertResource(&ctx, req, &resp);
  }

  InProcessDirectory d_;
  v1::UpsertResourceResponse existing_;
  int resources_ = 0, outbox_ = 0;
  uint64_t stream_ = 0;
};

TEST_F(DirectoryGrpcTest, UpsertRejectsBadCodesTextEnumsAndStaleVersions) {
  v1::Resource r = Valid();
  r.set_municipality_code("132251");  // bad check digit
  grpc::Status s = Upsert(r);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("resource.municipality_code"));
  EXPECT_THAT(s.error_message(), HasSubstr("チェックディジット"));

  r = Valid();
  r.set_municipality_code("999991");  // well-formed, unknown
  EXPECT_THAT(ViolatedFields(Upsert(r)), ElementsAre("resource.municipality_code"));

  r = Valid();
  r.set_name(std::string(3000, 'a'));  // oversized
  r.set_address(std::string(size_t{301} * 3, '\x41'));
  s = Upsert(r);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("resource.name", "resource.address"));

  r = Valid();
  r.set_kind(static_cast<v1::ResourceKind>(4242));  // unknown enum value
  r.set_accepting_new_patients(static_cast<v1::Acceptance>(9));
  s = Upsert(r);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("resource.kind", "resource.accepting_new_patients"));

  r = Valid();
  r.add_capabilities("flying");
  EXPECT_THAT(ViolatedFields(Upsert(r)), ElementsAre("resource.capabilities[0]"));

  // Stale version on the existing resource.
  r = existing_.resource();
  r.set_name("変更");
  s = Upsert(r, 0);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::ABORTED));
  EXPECT_THAT(s.error_message(), HasSubstr("stored 1, expected 0"));
  ExpectNothingWritten();
}

TEST_F(DirectoryGrpcTest, InvalidUtf8IsInvalidArgumentNamingTheField) {
  v1::Resource r = Valid();
  r.set_name("稲城\xFF\xFE");
  grpc::Status s = Upsert(r);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("resource.name"));
  EXPECT_THAT(s.error_message(), HasSubstr("UTF-8"));

  v1::SearchResourcesRequest q;
  q.set_text("\xC3\x28");
  v1::SearchResourcesResponse resp;
  grpc::ClientContext ctx;
  s = d_.stub().SearchResources(&ctx, q, &resp);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("text"));
  ExpectNothingWritten();
}

TEST_F(DirectoryGrpcTest, GetAndDeleteNameTheirProblems) {
  v1::GetResourceRequest get;
  get.set_id("../../etc/passwd");
  v1::Resource r;
  grpc::ClientContext c1;
  grpc::Status s = d_.stub().GetResource(&c1, get, &r);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("id"));

  get.set_id("res_01JZZZZZZZZZZZZZZZZZZZZZZZ");
  grpc::ClientContext c2;
  EXPECT_THAT(d_.stub().GetResource(&c2, get, &r), GrpcStatusIs(grpc::StatusCode::NOT_FOUND));

  v1::DeleteResourceRequest del;
  del.set_id(existing_.resource().id());
  del.set_expected_version(5);
  v1::DeleteResourceResponse dr;
  grpc::ClientContext c3;
  EXPECT_THAT(d_.stub().DeleteResource(&c3, del, &dr), GrpcStatusIs(grpc::StatusCode::ABORTED));
  del.set_id("res_bad");
  grpc::ClientContext c4;
  EXPECT_THAT(ViolatedFields(d_.stub().DeleteResource(&c4, del, &dr)), ElementsAre("id"));
  ExpectNothingWritten();
}

TEST_F(DirectoryGrpcTest, SearchAndGapReportNameEveryBadField) {
  v1::SearchResourcesRequest q;
  q.add_capabilities("parkinsons");
  q.add_capabilities("teleportation");
  q.add_kinds(static_cast<v1::ResourceKind>(-3));
  q.set_area_match(static_cast<v1::AreaMatch>(8));
  q.set_near_municipality_code("abc");
  q.mutable_near()->set_latitude(91);
  q.set_text(std::string(101, 'x'));
  v1::SearchResourcesResponse resp;
  grpc::ClientContext c1;
  grpc::Status s = d_.stub().SearchResources(&c1, q, &resp);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("capabilities[1]", "kinds[0]", "area_match", "near",
                                             "near_municipality_code", "text"));

  v1::GetGapReportRequest g;
  g.set_municipality_code("13225");
  g.add_capabilities("nothing");
  v1::GapReport report;
  grpc::ClientContext c2;
  s = d_.stub().GetGapReport(&c2, g, &report);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("municipality_code", "capabilities[0]"));
  ExpectNothingWritten();
}

TEST_F(DirectoryGrpcTest, ImportRejectsBadOptionsBadFramingAndBadFilesWithoutWriting) {
  auto run_import = [&](const std::vector<v1::ImportResourcesRequest>& requests,
                        v1::ImportSummary* summary) {
    grpc::ClientContext ctx;
    auto stream = d_.stub().ImportResources(&ctx);
    for (const auto& r : requests) {
      if (!stream->Write(r)) break;
    }
    stream->WritesDone();
    v1::ImportResourcesResponse resp;
    while (stream->Read(&resp)) {
      if (resp.has_summary() && summary) *summary = resp.summary();
    }
    return stream->Finish();
  };
  v1::ImportResourcesRequest options, chunk;
  options.mutable_options()->set_format(static_cast<v1::ImportFormat>(77));
  grpc::Status s = run_import({options}, nullptr);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("options.format"));

  chunk.set_chunk("a,b\n1,2\n");
  EXPECT_THAT(ViolatedFields(run_import({chunk}, nullptr)), ElementsAre("options"));

  options.mutable_options()->set_format(v1::IMPORT_FORMAT_UNSPECIFIED);
  EXPECT_THAT(ViolatedFields(run_import({options, chunk}, nullptr)), ElementsAre("options.format"));

  v1::ImportResourcesRequest big;
  big.set_chunk(std::string((1 << 20) + 1, 'x'));
  EXPECT_THAT(ViolatedFields(run_import({options, big}, nullptr)), ElementsAre("chunk"));

  // A file with one good and one bad row, without allow_partial: the summary lists the bad row
  // and the status says nothing was imported.
  chunk.set_chunk(
      "office_number,name,address,lat,lon,prefecture_code,municipality_code_derived\n"
      "1360199901,良い行,稲城市,35.63,139.50,13,132250\n"
      "1360199902,悪い行,稲城市,35.63,139.50,13,132251\n");
  v1::ImportSummary summary;
  s = run_import({options, chunk}, &summary);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(ViolatedFields(s), ElementsAre("line 3 (municipality_code_derived)"));
  EXPECT_FALSE(summary.committed());
  ASSERT_EQ(summary.errors_size(), 1);
  EXPECT_EQ(summary.errors(0).reason(), v1::ROW_ERROR_REASON_BAD_MUNICIPALITY_CODE);
  ExpectNothingWritten();
}

TEST_F(DirectoryGrpcTest, ExportRejectsBadFilters) {
  v1::ExportResourcesRequest req;
  req.set_format(static_cast<v1::ExportFormat>(12));
  req.set_prefecture_code("99");
  req.add_kinds(v1::RESOURCE_KIND_UNSPECIFIED);
  grpc::ClientContext ctx;
  auto reader = d_.stub().ExportResources(&ctx, req);
  v1::ExportResourcesChunk chunk;
  EXPECT_FALSE(reader->Read(&chunk));
  grpc::Status s = reader->Finish();
  EXPECT_THAT(ViolatedFields(s), ElementsAre("format", "prefecture_code", "kinds[0]"));
}

TEST_F(DirectoryGrpcTest, StandardHealthServiceAnswersServing) {
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest; the response's field 1
  // (status) is SERVING = 1, i.e. the bytes 08 01.
  grpc::GenericStub generic(d_.channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
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
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (auto& sl : slices)
    bytes += std::string(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
}

}  // namespace
}  // namespace renkei::testing

namespace renkei::testing {
namespace {

TEST_F(DirectoryGrpcTest, InvalidUtf8InEveryRpcNamesTheField) {
  const std::string bad = "\xE7\xA8\xFF";
  {
    v1::GetResourceRequest req;
    req.set_id(bad);
    v1::Resource r;
    grpc::ClientContext ctx;
    EXPECT_THAT(ViolatedFields(d_.stub().GetResource(&ctx, req, &r)), ElementsAre("id"));
  }
  {
    v1::DeleteResourceRequest req;
    req.set_id(bad);
    v1::DeleteResourceResponse r;
    grpc::ClientContext ctx;
    EXPECT_THAT(ViolatedFields(d_.stub().DeleteResource(&ctx, req, &r)), ElementsAre("id"));
  }
  {
    v1::GetGapReportRequest req;
    req.set_municipality_code(bad);
    v1::GapReport r;
    grpc::ClientContext ctx;
    EXPECT_THAT(ViolatedFields(d_.stub().GetGapReport(&ctx, req, &r)),
                ElementsAre("municipality_code"));
  }
  {
    v1::ExportResourcesRequest req;
    req.set_municipality_code(bad);
    grpc::ClientContext ctx;
    auto reader = d_.stub().ExportResources(&ctx, req);
    v1::ExportResourcesChunk chunk;
    while (reader->Read(&chunk)) {
    }
    EXPECT_THAT(ViolatedFields(reader->Finish()), ElementsAre("municipality_code"));
  }
  {
    grpc::ClientContext ctx;
    auto stream = d_.stub().ImportResources(&ctx);
    v1::ImportResourcesRequest req;
    req.mutable_options()->set_file_name(bad);
    stream->Write(req);
    stream->WritesDone();
    v1::ImportResourcesResponse resp;
    while (stream->Read(&resp)) {
    }
    EXPECT_THAT(ViolatedFields(stream->Finish()), ElementsAre("options.file_name"));
  }
  ExpectNothingWritten();
}

}  // namespace
}  // namespace renkei::testing

namespace renkei::testing {
namespace {

TEST_F(DirectoryGrpcTest, ServerReflectionListsTheDirectoryService) {
  // grpc.reflection.v1alpha ServerReflectionInfo with list_services = "" (field 7: bytes 3A 00).
  grpc::GenericStub generic(d_.channel());
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto call = generic.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  // gRPC's completion queue tags calls with a void*: small integers, as in gRPC's own examples.
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the tag is never dereferenced.
  auto tag = [](int t) { return reinterpret_cast<void*>(static_cast<intptr_t>(t)); };
  auto step = [&](int t) {
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&got, &ok));
    EXPECT_EQ(got, tag(t));
    return ok;
  };
  call->StartCall(tag(1));
  ASSERT_TRUE(step(1));
  grpc::Slice request_bytes(std::string("\x3A\x00", 2));
  grpc::ByteBuffer request(&request_bytes, 1);
  call->Write(request, tag(2));
  ASSERT_TRUE(step(2));
  grpc::ByteBuffer response;
  call->Read(&response, tag(3));
  ASSERT_TRUE(step(3));
  call->WritesDone(tag(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, tag(5));
  step(5);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (auto& sl : slices)
    bytes += std::string(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_THAT(bytes, HasSubstr("renkei.v1.DirectoryService"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
}

}  // namespace
}  // namespace renkei::testing
