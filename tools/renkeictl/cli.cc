#include "cli.h"

#include <cstdio>
#include <iostream>

#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "renkei/common/text.h"

namespace renkei::cli {

GlobalOptions& Options() {
  static GlobalOptions options;
  return options;
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<grpc::ClientContext> NewContext(double timeout_seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  double t = timeout_seconds < 0 ? Options().timeout_seconds : timeout_seconds;
  if (t > 0) {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(static_cast<int64_t>(t * 1000)));
  }
  return ctx;
}

int ExitCodeFor(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return kOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return kInvalidInput;
    case grpc::StatusCode::NOT_FOUND:
      return kNotFound;
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return kConflict;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kUnavailable;
    default:
      return kFailure;
  }
}

int ReportError(const grpc::Status& status) {
  if (status.ok()) return kOk;
  std::string what;
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      what = "サービスに接続できません / service unavailable";
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      what = "時間切れです / deadline exceeded";
      break;
    default:
      what = "エラー / error";
  }
  std::fprintf(stderr, "%s (%d): %s\n", what.c_str(), static_cast<int>(status.error_code()),
               status.error_message().c_str());
  google::rpc::Status detail;
  if (!status.error_details().empty() && detail.ParseFromString(status.error_details())) {
    for (const auto& any : detail.details()) {
      google::rpc::BadRequest bad;
      if (any.type_url() == "type.googleapis.com/google.rpc.BadRequest" &&
          bad.ParseFromString(any.value())) {
        for (const auto& v : bad.field_violations()) {
          std::fprintf(stderr, "  - %s: %s\n", v.field().c_str(), v.description().c_str());
        }
      }
    }
  }
  return ExitCodeFor(status);
}

bool JsonOutput() { return Options().output == "json"; }

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = true;
  o.preserve_proto_field_names = true;
  std::string out;
  auto s = google::protobuf::util::MessageToJsonString(message, &out, o);
  if (!s.ok()) {
    std::fprintf(stderr, "json: %s\n", std::string(s.message()).c_str());
    return;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (out.empty() || out.back() != '\n') std::fputc('\n', stdout);
}

void Table::Print(const std::vector<int>& max_width) const {
  const size_t n = header_.size();
  std::vector<int> width(n, 0);
  auto cell = [&](const std::vector<std::string>& row, size_t i) -> std::string {
    std::string c = i < row.size() ? row[i] : "";
    for (char& ch : c) {
      if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    }
    if (i < max_width.size() && max_width[i] > 0) c = common::TruncateToWidth(c, max_width[i]);
    return c;
  };
  for (size_t i = 0; i < n; ++i) width[i] = common::DisplayWidth(cell(header_, i));
  for (const auto& row : rows_) {
    for (size_t i = 0; i < n; ++i)
      width[i] = std::max(width[i], common::DisplayWidth(cell(row, i)));
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < n; ++i) {
      std::string c = cell(row, i);
      line += c;
      if (i + 1 < n) line += std::string(width[i] - common::DisplayWidth(c) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  };
  print_row(header_);
  std::vector<std::string> rule;
  for (size_t i = 0; i < n; ++i) rule.push_back(std::string(width[i], '-'));
  print_row(rule);
  for (const auto& row : rows_) print_row(row);
}

}  // namespace renkei::cli
