// Shared pieces of renkeictl: connection settings and calls, output (tables sized for Japanese
// text, fields of the table form, or protobuf JSON), the date, text, option and file helpers of
// the command files (their command-line words are in words.h), and the mapping of gRPC statuses to
// exit codes scripts can rely on:
//
//   0  success
//   1  unexpected error (INTERNAL, UNKNOWN, DATA_LOSS, ...)
//   2  usage error (bad command line)
//   3  invalid input (INVALID_ARGUMENT; an import with bad rows and no --allow-partial)
//   4  not found
//   5  conflict (ABORTED: stale version; ALREADY_EXISTS; FAILED_PRECONDITION)
//   6  service unavailable, too slow or out of disk (UNAVAILABLE, DEADLINE_EXCEEDED,
//      RESOURCE_EXHAUSTED): retry later
//   7  partial import: good rows imported, some rows rejected
//   8  not authenticated or not allowed (UNAUTHENTICATED, PERMISSION_DENIED): no token, an
//      expired one, or a role that may not do this
//
// Every command carries a request id (--request-id, or a new one per invocation) and a call
// that failed with UNAVAILABLE or DEADLINE_EXCEEDED is sent again with the same id after a
// short wait (docs/design-notes.md, "Request ids"): a command is applied at most once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "renkei/v1/common.pb.h"
#include "renkei/v1/directory.pb.h"

namespace renkei::v1 {
class Material;
}

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
  kNotAllowed = 8,
};

struct GlobalOptions {
  std::string directory_address = "127.0.0.1:7101";
  std::string intake_address = "127.0.0.1:7102";
  std::string issues_address = "127.0.0.1:7103";
  std::string training_address = "127.0.0.1:7104";
  std::string indicators_address = "127.0.0.1:7105";
  std::string network_address = "127.0.0.1:7106";
  std::string output = "table";  // table | json
  // The bearer token every call carries (env RENKEI_TOKEN, or the file RENKEI_TOKEN_FILE /
  // --token-file), and TLS client certificate files (RENKEI_TLS_CERT, _KEY, _CA); without TLS
  // files only loopback addresses are reachable.
  std::string token;
  std::string token_file;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;
  double timeout_seconds = 30;
  // The request id of the command (empty: a new one for this invocation).
  std::string request_id;
  // Attempts per call when the service is unavailable or too slow (1: no retry).
  int attempts = 4;
};

GlobalOptions& Options();

std::shared_ptr<grpc::Channel> Channel(const std::string& address);
// A context with the global deadline (streaming commands pass their own).
std::unique_ptr<grpc::ClientContext> NewContext(double timeout_seconds = -1);

// The request id of this invocation's commands: --request-id, else one made up once. The first
// command sends it as it is, the n-th "<id>:<n>".
const std::string& InvocationRequestId();
// Sends `request` (with the invocation's request id when it is a command) through `call`, each
// attempt with a new context of the global deadline; retries UNAVAILABLE and DEADLINE_EXCEEDED
// with backoff (Options().attempts in all). The last status.
grpc::Status CallWithRetry(const google::protobuf::Message& request,
                           const std::function<grpc::Status(const google::protobuf::Message&,
                                                            grpc::ClientContext*)>& call);

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

// "label  value" with the label padded to a display width of `width` after `indent` spaces; the
// further lines of a multi-line value are aligned under its first. Nothing for an empty value.
void Field(const std::string& label, const std::string& value, int indent = 0, int width = 14);

// ---- calls and command-line checks ----

// Makes one unary call with the global deadline. A failed call is reported (ReportError) and its
// exit code returned; otherwise the response is printed as JSON with -o json, or else by `print`.
// Commands (requests with a request_id field) get the invocation's request id; a call that
// failed with UNAVAILABLE or DEADLINE_EXCEEDED is retried with it (see the exit codes above).
template <typename ServiceStub, typename Request, typename Response, typename Print>
int CallAndPrint(ServiceStub& stub,
                 grpc::Status (ServiceStub::*method)(grpc::ClientContext*, const Request&,
                                                     Response*),
                 const Request& request, Print print) {
  Response response;
  grpc::Status s =
      CallWithRetry(request, [&](const google::protobuf::Message& sent, grpc::ClientContext* ctx) {
        return (stub.*method)(ctx, static_cast<const Request&>(sent), &response);
      });
  if (!s.ok()) return ReportError(s);
  if (JsonOutput()) {
    PrintJson(response);
  } else {
    print(response);
  }
  return kOk;
}

// Rejects an option value that `parse` does not take (a usage error, exit 2): the message is
// `message` followed by the value. `format` is how help texts show the value ("YYYY-MM-DD"); `name`
// names the check.
template <typename T>
CLI::Validator ParseCheck(bool (*parse)(const std::string&, T*), const std::string& message,
                          const std::string& format, const std::string& name) {
  return CLI::Validator(
      [parse, message](std::string& s) -> std::string {
        T parsed;
        if (parse(s, &parsed)) return "";
        return message + s;
      },
      format, name);
}

// ParseCheck for a structured value ("TITLE|REFERENCE"): the message is `help`, " / use ",
// `format` and the value; `format` also names the check.
template <typename Message>
CLI::Validator SpecCheck(bool (*parse)(const std::string&, Message*), const char* format,
                         const std::string& help) {
  return ParseCheck(parse, help + " / use " + format + ": ", format, format);
}

// An option whose absence differs from an empty value (the optional fields of an edit).
struct MaybeText {
  bool given = false;
  std::string value;
};
struct MaybeNumber {
  bool given = false;
  double value = 0;
};
// Adds the option `name` to `cmd`, filling *out when given. A number must be a finite number
// (a usage error, exit 2, otherwise).
CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeText* out,
                      const std::string& help);
CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeNumber* out,
                      const std::string& help);

// ---- dates and times ----

// "2026-11-24": a real date, 1900..2999.
bool ParseDate(const std::string& s, v1::Date* out);
// "2026-11-24T09:30" (or with a space) in Tokyo time (UTC+9).
bool ParseTokyoTime(const std::string& s, google::protobuf::Timestamp* out);
// Rejects an option value that ParseDate does not take (a usage error, exit 2).
CLI::Validator DateCheck();
// Rejects an option value that ParseTokyoTime does not take (a usage error, exit 2).
CLI::Validator TokyoTimeCheck();
// "2026-11-24 09:30" in Tokyo time; "" for an unset timestamp.
std::string FormatTokyo(const google::protobuf::Timestamp& t);
// "2026-11-24", the Tokyo date of the instant; "" for an unset timestamp.
std::string FormatTokyoDate(const google::protobuf::Timestamp& t);
// "2026-11-24"; "" for an unset date.
std::string FormatDateOrEmpty(const v1::Date& d);

// ---- text ----

// The text without the spaces around it (common::TrimSpaces).
std::string Trim(const std::string& s);

// "a b c", or with another separator.
std::string Join(const google::protobuf::RepeatedPtrField<std::string>& v, const char* sep = " ");
// Tags of seeds, candidates and issues as people read them (common::TagLabel), joined with ", ".
std::string TagsText(const google::protobuf::RepeatedPtrField<std::string>& tags);
// "パーキンソン病 (parkinsons)": a built-in capability's label with the code renkeictl takes; the
// bare code for capabilities the instance added.
std::string CapabilityLabel(const std::string& code);
// CapabilityLabel of each code, joined with ", ".
std::string CapabilitiesText(const google::protobuf::RepeatedPtrField<std::string>& codes);
// Every part between separators, empty ones included: Split("a||b", '|') is {"a", "", "b"}.
std::vector<std::string> Split(const std::string& s, char sep);
// The Japanese half of a service's "日本語 / English" message (the whole message when it has
// none): what people read.
std::string JapaneseHalf(const std::string& message);
// "東京都稲城市" for a municipality code; the code itself when it is not one.
std::string MunicipalityLabel(const std::string& code);
// "全国" for "000000", a prefecture's name ("東京都") for its code ("130001" or "13"),
// "東京都稲城市" for a municipality's code; the code itself when it is none of them.
std::string JurisdictionName(const std::string& code);
// A number as people write it: whole numbers in full ("1500000"), others with at most 6
// significant digits ("0.375").
std::string FormatNumber(double v);
// "市区町村内", "市区町村外 (対応地域内)" or "市区町村外" (a search hit's or a candidate's relation
// to the municipality).
std::string RelationLabel(v1::AreaRelation r);

// "看取りパンフレット案|pamphlet_v2.pdf", a meeting's or a training's material: the reference may
// be left out.
bool ParseMaterial(const std::string& spec, v1::Material* out);

// ---- files ----

// Reads the whole file at `path` into *out. When it cannot be opened, says so on stderr and
// returns false.
bool ReadWholeFile(const std::string& path, std::string* out);
// Writes `bytes` to `path` exactly (binary, replacing the file). When it cannot be written, says
// so on stderr and returns false.
bool WriteWholeFile(const std::string& path, const std::string& bytes);
// Parses protobuf JSON read from `path` into *out. When it is not such JSON, says why on stderr
// ("<path>: <reason>") and returns false.
bool ParseJson(const std::string& path, const std::string& json, google::protobuf::Message* out);

}  // namespace renkei::cli
