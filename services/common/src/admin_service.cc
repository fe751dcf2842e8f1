#include "renkei/common/admin_service.h"

#include <filesystem>

#include "renkei/common/event_counts.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/log.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/validation.h"

namespace renkei::common {
namespace {

namespace fs = std::filesystem;

// The checkpoint is written by the service process on its host, wherever the operator's
// renkeictl runs: a relative path would depend on the service's working directory, and ".."
// would let a path look like it stays under the backup directory when it does not.
absl::Status CheckTargetDir(const std::string& dir) {
  constexpr char kField[] = "target_dir";
  if (dir.empty()) return InvalidField(kField, "必須です / required");
  const fs::path path(dir);
  if (!path.is_absolute()) {
    return InvalidField(kField, "絶対パスで指定してください / must be an absolute path: " + dir);
  }
  if (path.lexically_normal() != path || !path.has_filename()) {
    return InvalidField(kField,
                        "'.' '..' や末尾の '/' を含まない形で指定してください / must be in normal "
                        "form (no '.', '..' or trailing '/'): " +
                            dir);
  }
  std::error_code ec;
  if (fs::exists(path, ec) || fs::is_symlink(path, ec)) {
    return InvalidField(kField, "すでに存在します / already exists: " + dir);
  }
  if (!fs::is_directory(path.parent_path(), ec)) {
    return InvalidField(kField, "親ディレクトリがありません / parent directory does not exist: " +
                                    path.parent_path().string());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::CheckpointResponse> TakeCheckpoint(const Store& store,
                                                      const std::string& service,
                                                      const v1::CheckpointRequest& request,
                                                      const Clock& clock) {
  RETURN_IF_ERROR(CheckTargetDir(request.target_dir()));
  v1::CheckpointResponse out;
  uint64_t sequence = 0;
  RETURN_IF_ERROR(store.Checkpoint(request.target_dir(), &sequence));
  *out.mutable_taken_at() = clock.NowTimestamp();
  out.set_service(service);
  out.set_dir(request.target_dir());
  out.set_sequence(sequence);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(request.target_dir(), ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto size = it->file_size(ec);
    if (ec) break;
    out.set_files(out.files() + 1);
    out.set_bytes(out.bytes() + size);
  }
  if (ec) {
    return absl::UnavailableError("checkpoint " + request.target_dir() + ": " + ec.message());
  }
  return out;
}

grpc::Status AdminService::Checkpoint(grpc::ServerContext*, const v1::CheckpointRequest* request,
                                      v1::CheckpointResponse* response) {
  auto result = TakeCheckpoint(*store_, service_, *request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  LogLine(LogLevel::kInfo, "checkpoint written")
      .Field("dir", result->dir())
      .Field("sequence", result->sequence())
      .Field("bytes", result->bytes());
  *response = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status AdminService::GetStreamHistory(grpc::ServerContext*,
                                            const v1::GetStreamHistoryRequest*,
                                            v1::StreamHistory* response) {
  *response = relay_->History();
  return grpc::Status::OK;
}

grpc::Status AdminService::AcceptStreamHistoryGap(grpc::ServerContext*,
                                                  const v1::AcceptStreamHistoryGapRequest* request,
                                                  v1::StreamHistory* response) {
  return RespondOnce(*requests_, *request, response,
                     [&] { return relay_->AcceptGaps(std::string(CurrentCallerSubject())); });
}

grpc::Status AdminService::CountEvents(grpc::ServerContext*, const v1::CountEventsRequest*,
                                       v1::EventCounts* response) {
  auto counts = ReadEventCounts(*store_);
  if (!counts.ok()) return ToGrpcStatus(counts.status());
  *response = std::move(*counts);
  response->set_service(service_);
  response->set_unpublished(static_cast<uint64_t>(relay_->PendingCount()));
  return grpc::Status::OK;
}

}  // namespace renkei::common
