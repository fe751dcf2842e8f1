// The real renkei-directory binary, killed with SIGKILL in the middle of a long import of real
// data: every row the server acknowledged as committed is there after the restart, and
// finishing the import leaves exactly one JetStream event per resource.
#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/csv.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"

namespace renkei::testing {
namespace {

struct FileRow {
  int64_t line;
  std::string id;  // the deterministic resource id the importer derives
};

// A clean copy of the first `limit` rows of the real medical institution list (rows whose
// municipality code is known), so every row is valid and the whole file is committed.
std::vector<FileRow> WriteCleanMedicalFile(const std::string& path, size_t limit) {
  std::ifstream in(ReferenceDataDir() + "/medical_institutions_ika.csv", std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  common::CsvReader reader;
  reader.Feed(buf.str());
  reader.Finish();
  common::CsvRecord rec;
  std::string out;
  std::vector<FileRow> rows;
  reader.Next(&rec);
  common::AppendCsvRow(rec.fields, &out);
  int64_t line = 1;
  std::set<std::string> seen;
  while (rows.size() < limit && reader.Next(&rec)) {
    if (rec.fields.size() != 8) continue;
    if (common::Jurisdictions::Get().CheckMunicipalityCode(rec.fields[7]) != common::CodeCheck::kOk)
      continue;
    if (rec.fields[4].empty() || !seen.insert(rec.fields[0]).second) continue;
    common::AppendCsvRow(rec.fields, &out);
    rows.push_back({++line, common::DeterministicId("res", "kouseikyoku:" + rec.fields[0])});
  }
  std::ofstream(path, std::ios::binary) << out;
  return rows;
}

struct ImportRun {
  std::atomic<int64_t> rows_committed{0};
  std::atomic<int64_t> committed_through_line{0};
  v1::ImportSummary summary;
  grpc::Status status;
};

// Streams the file; `on_progress` sees every acknowledgement as it arrives.
void StreamImport(v1::DirectoryService::Stub& stub, const std::string& path, ImportRun* run) {
  grpc::ClientContext ctx;
  auto stream = stub.ImportResources(&ctx);
  std::thread reader([&] {
    v1::ImportResourcesResponse resp;
    while (stream->Read(&resp)) {
      if (resp.has_progress()) {
        run->rows_committed = resp.progress().rows_committed();
        run->committed_through_line = resp.progress().committed_through_line();
      }
      if (resp.has_summary()) run->summary = resp.summary();
    }
  });
  v1::ImportResourcesRequest req;
  req.mutable_options()->set_file_name("clean_medical.csv");
  bool ok = stream->Write(req);
  std::string data = ReadFile(path);
  constexpr size_t kChunk = size_t{256} * 1024;
  for (size_t i = 0; ok && i < data.size(); i += kChunk) {
    req.Clear();
    req.set_chunk(data.substr(i, kChunk));
    ok = stream->Write(req);
  }
  stream->WritesDone();
  reader.join();
  run->status = stream->Finish();
}

std::set<std::string> ExportedIds(v1::DirectoryService::Stub& stub) {
  grpc::ClientContext ctx;
  auto reader = stub.ExportResources(&ctx, {});
  std::string csv;
  v1::ExportResourcesChunk chunk;
  while (reader->Read(&chunk)) csv += chunk.data();
  EXPECT_TRUE(reader->Finish().ok());
  common::CsvReader r;
  r.Feed(csv);
  r.Finish();
  common::CsvRecord rec;
  std::set<std::string> ids;
  r.Next(&rec);  // header
  while (r.Next(&rec)) ids.insert(rec.fields[0]);
  return ids;
}

TEST(DirectoryProcessTest, Kill9DuringALongImportLosesNoAcknowledgedRow) {
  TempDir tmp;
  const std::string file = tmp.Sub("clean_medical.csv");
  std::vector<FileRow> rows = WriteCleanMedicalFile(file, 60000);
  ASSERT_EQ(rows.size(), 60000u) << "needs reference-data/medical_institutions_ika.csv";

  auto nats = NatsServer::Start(tmp.Sub("nats"));
  ASSERT_TRUE(nats.ok());
  InstanceProcesses dir(tmp.Sub("dir"), (*nats)->url());
  auto stub = v1::DirectoryService::NewStub(dir.channel("directory"));
  ASSERT_TRUE(dir.Start("directory").ok());

  ImportRun first;
  std::thread importer([&] { StreamImport(*stub, file, &first); });
  // Kill the service once a few batches are acknowledged, while it is still writing.
  ASSERT_TRUE(WaitFor([&] { return first.rows_committed >= 5000; }, std::chrono::seconds(60)));
  dir.process("directory")->Kill();
  importer.join();
  const int64_t acked_rows = first.rows_committed;
  const int64_t acked_line = first.committed_through_line;
  EXPECT_FALSE(first.status.ok()) << "the import should have been cut off";
  ASSERT_LT(acked_rows, 60000) << "the kill came too late to test anything";

  ASSERT_TRUE(dir.Start("directory").ok());
  std::set<std::string> present = ExportedIds(*stub);
  int64_t acknowledged = 0;
  for (const auto& r : rows) {
    if (r.line > acked_line) break;
    ++acknowledged;
    ASSERT_TRUE(present.count(r.id)) << "acknowledged row at line " << r.line << " was lost";
  }
  EXPECT_EQ(acknowledged, acked_rows);
  EXPECT_GE(present.size(), static_cast<size_t>(acked_rows));

  // Importing the same file again completes it: committed rows are unchanged, the rest inserted.
  ImportRun second;
  StreamImport(*stub, file, &second);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_EQ(second.summary.rows_total(), 60000);
  EXPECT_EQ(second.summary.inserted() + second.summary.unchanged(), 60000);
  EXPECT_GE(second.summary.unchanged(), acked_rows);
  EXPECT_EQ(ExportedIds(*stub).size(), 60000u);

  // One event per resource in the stream: nothing lost in the crash, nothing doubled.
  common::NatsOptions o;
  o.url = (*nats)->url();
  auto bus = common::NatsBus::Connect(o);
  ASSERT_TRUE(bus.ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto st = (*bus)->GetStreamState("RENKEI_EVENTS");
        return st.ok() && st->messages >= 60000;
      },
      std::chrono::seconds(60)));
  auto messages = ReadStream(**bus, "RENKEI_EVENTS");
  std::set<std::string> aggregates;
  for (const auto& m : messages) {
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    aggregates.insert(e.aggregate_id());
  }
  EXPECT_EQ(messages.size(), 60000u);
  EXPECT_EQ(aggregates.size(), 60000u);
  dir.process("directory")->Terminate();
}

}  // namespace
}  // namespace renkei::testing
