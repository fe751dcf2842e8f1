#include "directory_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/log.h"
#include "renkei/common/requests.h"
#include "renkei/common/server.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/validation.h"

namespace renkei::directory {
namespace {

using common::ToGrpcStatus;

constexpr size_t kMaxChunkBytes = 1 << 20;
constexpr int kRowErrorsInStatus = 20;

}  // namespace

grpc::Status DirectoryService::UpsertResource(grpc::ServerContext*,
                                              const v1::UpsertResourceRequest* request,
                                              v1::UpsertResourceResponse* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return directory_->Upsert(*request); });
}

grpc::Status DirectoryService::GetResource(grpc::ServerContext*,
                                           const v1::GetResourceRequest* request,
                                           v1::Resource* response) {
  return common::Respond(directory_->Get(request->id()), response);
}

grpc::Status DirectoryService::DeleteResource(grpc::ServerContext*,
                                              const v1::DeleteResourceRequest* request,
                                              v1::DeleteResourceResponse* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&]() -> absl::StatusOr<v1::DeleteResourceResponse> {
                               RETURN_IF_ERROR(directory_->Delete(*request));
                               return v1::DeleteResourceResponse();
                             });
}

grpc::Status DirectoryService::SearchResources(grpc::ServerContext*,
                                               const v1::SearchResourcesRequest* request,
                                               v1::SearchResourcesResponse* response) {
  return common::Respond(directory_->Search(*request), response);
}

grpc::Status DirectoryService::ImportResources(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::ImportResourcesResponse, v1::ImportResourcesRequest>* stream) {
  common::RequestBudget budget(*context, /*apply_default=*/false);
  v1::ImportResourcesRequest request;
  if (!stream->Read(&request)) {
    if (auto bad = common::StreamReadStatus(v1::ImportResourcesRequest::descriptor()); !bad.ok())
      return ToGrpcStatus(bad);
  }
  if (!request.has_options()) {
    return ToGrpcStatus(common::InvalidField(
        "options",
        "最初のメッセージで options を送ってください / the first message must carry options"));
  }
  const v1::ImportOptions options = request.options();
  auto session = directory_->StartImport(options);
  if (!session.ok()) return ToGrpcStatus(session.status());
  const std::string& file = options.file_name();
  (*session)->set_progress([&](const v1::ImportProgress& p) {
    v1::ImportResourcesResponse out;
    *out.mutable_progress() = p;
    stream->Write(out);
  });
  while (stream->Read(&request)) {
    if (auto alive = budget.Check(); !alive.ok()) return ToGrpcStatus(alive);
    if (!request.has_chunk()) {
      return ToGrpcStatus(common::InvalidField(
          "options", "options は最初に1回だけです / options only once, first"));
    }
    if (request.chunk().size() > kMaxChunkBytes) {
      return ToGrpcStatus(
          common::InvalidField("chunk", "1チャンクは 1 MiB 以下です / chunk larger than 1 MiB"));
    }
    if (auto s = (*session)->Feed(request.chunk()); !s.ok()) return ToGrpcStatus(s);
  }
  if (auto bad = common::StreamReadStatus(v1::ImportResourcesRequest::descriptor()); !bad.ok())
    return ToGrpcStatus(bad);
  auto summary = (*session)->Finish();
  if (!summary.ok()) return ToGrpcStatus(summary.status());
  v1::ImportResourcesResponse out;
  *out.mutable_summary() = *summary;
  stream->Write(out);
  common::LogLine(common::LogLevel::kInfo, "import finished")
      .Field("file", file)
      .Field("rows", summary->rows_total())
      .Field("inserted", summary->inserted())
      .Field("updated", summary->updated())
      .Field("unchanged", summary->unchanged())
      .Field("rejected", summary->rejected())
      .Field("committed", summary->committed());
  if (!summary->committed() && summary->rejected() > 0 && !options.dry_run()) {
    common::FieldViolations v;
    for (int i = 0; i < summary->errors_size() && i < kRowErrorsInStatus; ++i) {
      const auto& e = summary->errors(i);
      v.Add(
          "line " + std::to_string(e.line()) + (e.column().empty() ? "" : " (" + e.column() + ")"),
          e.message());
    }
    absl::Status details = v.ToStatus();
    absl::Status s =
        absl::InvalidArgumentError(std::to_string(summary->rejected()) +
                                   " 行に誤りがあるため取り込みませんでした (--allow-partial "
                                   "で正しい行のみ取り込めます) / rows "
                                   "rejected, nothing imported");
    details.ForEachPayload(
        [&](absl::string_view url, const absl::Cord& payload) { s.SetPayload(url, payload); });
    return ToGrpcStatus(s);
  }
  return grpc::Status::OK;
}

grpc::Status DirectoryService::ExportResources(
    grpc::ServerContext* context, const v1::ExportResourcesRequest* request,
    grpc::ServerWriter<v1::ExportResourcesChunk>* writer) {
  common::RequestBudget budget(*context, /*apply_default=*/false);
  absl::Status status = directory_->Export(*request, [&](const std::string& chunk, int64_t rows) {
    if (!budget.Check().ok()) return false;
    v1::ExportResourcesChunk out;
    out.set_data(chunk);
    out.set_rows(rows);
    return writer->Write(out);
  });
  if (!status.ok()) return ToGrpcStatus(status);
  return ToGrpcStatus(budget.Check());
}

grpc::Status DirectoryService::GetGapReport(grpc::ServerContext*,
                                            const v1::GetGapReportRequest* request,
                                            v1::GapReport* response) {
  return common::Respond(directory_->GapReport(*request), response);
}

grpc::Status DirectoryService::ListCapabilities(grpc::ServerContext*,
                                                const v1::ListCapabilitiesRequest*,
                                                v1::ListCapabilitiesResponse* response) {
  *response = directory_->ListCapabilities();
  return grpc::Status::OK;
}

}  // namespace renkei::directory
