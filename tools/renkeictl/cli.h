// Shared pieces of renkeictl: connection settings, output (tables sized for Japanese text, or
// protobuf JSON), and the mapping of gRPC statuses to exit codes scripts can rely on:
//
//   0  success
//   1  unexpected error (INTERNAL, UNKNOWN, DATA_LOSS, ...)
//   2  usage error (bad command line)
//   3  invalid input (INVALID_ARGUMENT; an import with bad rows and no --allow-partial)
//   4  not found
//   5  conflict (ABORTED: stale version; ALREADY_EXISTS; FAILED_PRECONDITION)
//   6  service unavailable or too slow (UNAVAILABLE, DEADLINE_EXCEEDED): retry later
//   7  partial import: good rows imported, some rows rejected
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace renkei::cli {

enum ExitCode {
  kOk = 0,
  kFailure = 1,
  kUsage = 2,
  kInvalidInput = 3,
  kNotFound = 4,
  kConflict = 5,
  kUnavailable = 6,
  kPartial = 7,
};

struct GlobalOptions {
  std::string directory_address = "127.0.0.1:7101";
  std::string intake_address = "127.0.0.1:7102";
  std::string output = "table";  // table | json
  double timeout_seconds = 30;
};

GlobalOptions& Options();

std::shared_ptr<grpc::Channel> Channel(const std::string& address);
// A context with the global deadline (streaming commands pass their own).
std::unique_ptr<grpc::ClientContext> NewContext(double timeout_seconds = -1);

// Prints the error (message and each field violation) to stderr; returns the exit code.
int ReportError(const grpc::Status& status);
int ExitCodeFor(const grpc::Status& status);

bool JsonOutput();
// Prints a message as indented protobuf JSON.
void PrintJson(const google::protobuf::Message& message);

// A plain-text table; column widths count East Asian wide characters as two.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // `max_width` limits each column (0: no limit); long cells are cut with "…".
  void Print(const std::vector<int>& max_width = {}) const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace renkei::cli
