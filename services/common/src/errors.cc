#include "renkei/common/errors.h"

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"

namespace renkei::common {
namespace {

constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";

absl::Status WithErrorInfo(absl::Status s, std::string_view reason,
                           const std::map<std::string, std::string>& metadata = {}) {
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  for (const auto& [k, v] : metadata) (*info.mutable_metadata())[k] = v;
  s.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return s;
}

}  // namespace

absl::Status StaleVersion(std::string_view resource_type, std::string_view id, int64_t expected,
                          int64_t actual, std::string_view message) {
  absl::Status s = absl::AbortedError(
      !message.empty()
          ? std::string(message)
          : "他の人が先に更新しました。読み込み直してください / stale version: stored " +
                std::to_string(actual) + ", expected " + std::to_string(expected));
  return WithErrorInfo(std::move(s), kStaleVersionReason,
                       {{"resource_type", std::string(resource_type)},
                        {"resource_id", std::string(id)},
                        {"expected_version", std::to_string(expected)},
                        {"actual_version", std::to_string(actual)}});
}

absl::Status StaleVersion(const google::protobuf::Message& record, int64_t expected,
                          std::string_view message) {
  const auto* d = record.GetDescriptor();
  const auto* r = record.GetReflection();
  std::string id;
  for (const char* name : {"id", "code"}) {
    const auto* f = d->FindFieldByName(name);
    if (f != nullptr && !f->is_repeated() &&
        f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
      id = r->GetString(record, f);
      break;
    }
  }
  int64_t actual = 0;
  const auto* v = d->FindFieldByName("version");
  if (v != nullptr && !v->is_repeated() &&
      v->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    actual = r->GetInt64(record, v);
  }
  return StaleVersion(d->full_name(), id, expected, actual, message);
}

absl::Status NotFoundError(std::string_view resource_type, std::string_view id,
                           std::string_view message) {
  absl::Status s = absl::NotFoundError(std::string(message) + ": " + std::string(id));
  google::rpc::ResourceInfo info;
  info.set_resource_type(std::string(resource_type));
  info.set_resource_name(std::string(id));
  info.set_description(std::string(message));
  s.SetPayload("type.googleapis.com/google.rpc.ResourceInfo", absl::Cord(info.SerializeAsString()));
  return s;
}

absl::Status NotAllowedNow(std::string_view field, std::string_view message) {
  absl::Status s = absl::FailedPreconditionError(std::string(field) + ": " + std::string(message));
  google::rpc::PreconditionFailure detail;
  auto* v = detail.add_violations();
  v->set_type("STATE");
  v->set_subject(std::string(field));
  v->set_description(std::string(message));
  s.SetPayload("type.googleapis.com/google.rpc.PreconditionFailure",
               absl::Cord(detail.SerializeAsString()));
  return s;
}

absl::Status TooLarge(std::string_view what, int64_t limit, std::string_view message) {
  absl::Status s = absl::ResourceExhaustedError(std::string(message) + " (" + std::string(what) +
                                                " ≤ " + std::to_string(limit) + ")");
  return WithErrorInfo(std::move(s), "LIMIT_EXCEEDED",
                       {{"limit_name", std::string(what)}, {"limit", std::to_string(limit)}});
}

absl::Status WithErrorReason(absl::Status status, std::string_view reason) {
  return WithErrorInfo(std::move(status), reason);
}

absl::Status DiskFull() {
  return WithErrorInfo(
      absl::ResourceExhaustedError(
          "ディスクの空きがありません。空きができると自動で再開します / the service's disk is "
          "full; nothing was written (writes resume by themselves once space is freed)"),
      kDiskFullReason);
}

absl::Status StoreReadOnly(std::string_view cause) {
  return WithErrorInfo(
      absl::UnavailableError(
          "データを書き込めません。自動で復旧を試みています / the service cannot write its data "
          "and is recovering: " +
          std::string(cause)),
      kStoreUnavailableReason);
}

std::string ErrorReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoUrl);
  google::rpc::ErrorInfo info;
  if (!payload || !info.ParseFromString(std::string(*payload))) return "";
  return info.reason();
}

std::map<std::string, std::string> ErrorMetadataOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoUrl);
  google::rpc::ErrorInfo info;
  if (!payload || !info.ParseFromString(std::string(*payload))) return {};
  return {info.metadata().begin(), info.metadata().end()};
}

}  // namespace renkei::common
