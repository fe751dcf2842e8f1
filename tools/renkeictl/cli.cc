#include "cli.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "renkei/common/auth.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/requests.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/issues.pb.h"

namespace renkei::cli {
namespace {

bool AllDigits(const std::string& s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

GlobalOptions& Options() {
  static GlobalOptions options;
  return options;
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  const GlobalOptions& o = Options();
  common::ClientSecurity security;
  std::string token = o.token;
  if (token.empty() && !o.token_file.empty()) {
    std::ifstream in(o.token_file);
    std::getline(in, token);
  }
  if (!token.empty()) security.token = common::TokenSource::Fixed(token);
  security.tls.set_cert_file(o.tls_cert);
  security.tls.set_key_file(o.tls_key);
  security.tls.set_ca_file(o.tls_ca);
  auto channel = common::NewChannel(address, security, args);
  if (!channel.ok()) {
    // An unusable channel: every call fails with the reason.
    std::fprintf(stderr, "%s\n", std::string(channel.status().message()).c_str());
    return grpc::CreateChannel("unix:/nonexistent", grpc::InsecureChannelCredentials());
  }
  return *channel;
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

const std::string& InvocationRequestId() {
  static const std::string id =
      Options().request_id.empty() ? common::NewId("req") : Options().request_id;
  return id;
}

namespace {
// The id of the invocation's n-th command: the invocation's id, then "<id>:2", "<id>:3", ... so
// that an invocation repeated with the same --request-id repeats the same ids in order.
std::string CommandRequestId() {
  static int commands = 0;
  ++commands;
  return commands == 1 ? InvocationRequestId()
                       : InvocationRequestId() + ":" + std::to_string(commands);
}
}  // namespace

grpc::Status CallWithRetry(const google::protobuf::Message& request,
                           const std::function<grpc::Status(const google::protobuf::Message&,
                                                            grpc::ClientContext*)>& call) {
  const google::protobuf::Message* sent = &request;
  std::unique_ptr<google::protobuf::Message> with_id;
  const auto* field = request.GetDescriptor()->FindFieldByName(common::kRequestIdField);
  if (field != nullptr && request.GetReflection()->GetString(request, field).empty()) {
    with_id.reset(request.New());
    with_id->CopyFrom(request);
    with_id->GetReflection()->SetString(with_id.get(), field, CommandRequestId());
    sent = with_id.get();
  }
  const int attempts = std::max(1, Options().attempts);
  grpc::Status s;
  for (int attempt = 1;; ++attempt) {
    auto ctx = NewContext();
    s = call(*sent, ctx.get());
    // CANCELLED without our asking: a service that stopped while the call was under way (it
    // may have committed: the request id makes the retry safe; docs/compatibility.md).
    const bool transient = s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                           s.error_code() == grpc::StatusCode::CANCELLED;
    if (!transient || attempt >= attempts) return s;
    // 0.25 s, 0.5 s, 1 s, ... with up to 50% jitter: a restarting service gets a moment.
    const int64_t base_ms = int64_t{250} << std::min(attempt - 1, 4);
    static std::mt19937_64 random{std::random_device{}()};
    const int64_t wait_ms =
        base_ms + std::uniform_int_distribution<int64_t>(0, base_ms / 2)(random);
    if (isatty(fileno(stderr))) {
      std::fprintf(stderr, "再試行します (%d/%d) / retrying: %s\n", attempt + 1, attempts,
                   s.error_message().c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
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
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kNotAllowed;
    default:
      return kFailure;
  }
}

int ReportError(const grpc::Status& status) {
  if (status.ok()) return kOk;
  google::rpc::Status detail;
  std::vector<google::rpc::BadRequest> bad_requests;
  std::vector<google::rpc::PreconditionFailure> preconditions;
  std::string reason;  // ErrorInfo.reason
  if (!status.error_details().empty() && detail.ParseFromString(status.error_details())) {
    for (const auto& any : detail.details()) {
      google::rpc::BadRequest bad;
      google::rpc::ErrorInfo info;
      if (any.type_url() == "type.googleapis.com/google.rpc.BadRequest" &&
          bad.ParseFromString(any.value())) {
        bad_requests.push_back(std::move(bad));
      } else if (google::rpc::PreconditionFailure failure;
                 any.type_url() == "type.googleapis.com/google.rpc.PreconditionFailure" &&
                 failure.ParseFromString(any.value())) {
        preconditions.push_back(std::move(failure));
      } else if (any.type_url() == "type.googleapis.com/google.rpc.ErrorInfo" &&
                 info.ParseFromString(any.value())) {
        reason = info.reason();
      }
    }
  }
  std::string what;
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      what = reason == common::kStoreUnavailableReason
                 ? "サービスがデータを書き込めません / the service cannot write its data"
                 : "サービスに接続できません / service unavailable";
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      what = "時間切れです / deadline exceeded";
      break;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      what = reason == common::kDiskFullReason ? "ディスクの空きがありません / the disk is full"
                                               : "上限を超えました / limit exceeded";
      break;
    case grpc::StatusCode::UNAUTHENTICATED:
      what = "認証されていません / not authenticated";
      break;
    case grpc::StatusCode::PERMISSION_DENIED:
      what = "権限がありません / not allowed";
      break;
    default:
      what = "エラー / error";
  }
  std::fprintf(stderr, "%s (%d): %s\n", what.c_str(), static_cast<int>(status.error_code()),
               status.error_message().c_str());
  for (const auto& bad : bad_requests) {
    for (const auto& v : bad.field_violations()) {
      std::fprintf(stderr, "  - %s: %s\n", v.field().c_str(), v.description().c_str());
    }
  }
  for (const auto& failure : preconditions) {
    for (const auto& v : failure.violations()) {
      std::fprintf(stderr, "  - %s: %s\n", v.subject().c_str(), v.description().c_str());
    }
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED && Options().token.empty() &&
      Options().token_file.empty()) {
    std::fprintf(stderr,
                 "  トークンを指定してください: export RENKEI_TOKEN_FILE=<file> または "
                 "--token-file (tools/run-local.sh は data/local/token に書きます) / set "
                 "RENKEI_TOKEN_FILE, RENKEI_TOKEN or --token-file\n");
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

void Field(const std::string& label, const std::string& value, int indent, int width) {
  if (value.empty()) return;
  const int pad = std::max(1, width - common::DisplayWidth(label));
  const auto lines = Split(value, '\n');
  std::printf("%s%s%s %s\n", std::string(indent, ' ').c_str(), label.c_str(),
              std::string(pad, ' ').c_str(), lines[0].c_str());
  const std::string under(indent + common::DisplayWidth(label) + pad + 1, ' ');
  for (size_t k = 1; k < lines.size(); ++k) {
    std::printf("%s%s\n", under.c_str(), lines[k].c_str());
  }
}

CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeText* out,
                      const std::string& help) {
  return cmd->add_option_function<std::string>(
      name,
      [out](const std::string& v) {
        out->given = true;
        out->value = v;
      },
      help);
}

CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeNumber* out,
                      const std::string& help) {
  return cmd
      ->add_option_function<double>(
          name,
          [out](const double& v) {
            out->given = true;
            out->value = v;
          },
          help)
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            try {
              size_t used = 0;
              double d = std::stod(s, &used);
              if (used == s.size() && std::isfinite(d)) return "";
            } catch (...) {
              // std::stod throws on text that is not a number; reported below.
            }
            return "数値を指定してください / not a number: " + s;
          },
          "NUMBER", "number"));
}

bool ParseDate(const std::string& s, v1::Date* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !AllDigits(s, 0, 4) || !AllDigits(s, 5, 2) ||
      !AllDigits(s, 8, 2)) {
    return false;
  }
  const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)),
            d = std::stoi(s.substr(8, 2));
  if (!common::IsValidDate(y, m, d)) return false;
  out->set_year(y);
  out->set_month(m);
  out->set_day(d);
  return true;
}

bool ParseTokyoTime(const std::string& s, google::protobuf::Timestamp* out) {
  v1::Date date;
  if (s.size() != 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      !ParseDate(s.substr(0, 10), &date) || !AllDigits(s, 11, 2) || !AllDigits(s, 14, 2)) {
    return false;
  }
  const int h = std::stoi(s.substr(11, 2)), m = std::stoi(s.substr(14, 2));
  if (h > 23 || m > 59) return false;
  const int64_t micros = common::TokyoStartOfDay(date) + (h * 60LL + m) * 60 * 1000000;
  out->set_seconds(micros / 1000000);
  out->set_nanos(0);
  return true;
}

CLI::Validator DateCheck() {
  return ParseCheck(&ParseDate,
                    "実在する日付を YYYY-MM-DD で指定してください / not a date (YYYY-MM-DD): ",
                    "YYYY-MM-DD", "date");
}

CLI::Validator TokyoTimeCheck() {
  return ParseCheck(&ParseTokyoTime,
                    "日時を YYYY-MM-DD HH:MM (東京時間) で指定してください / not a time "
                    "(YYYY-MM-DD HH:MM, Asia/Tokyo): ",
                    "YYYY-MM-DD HH:MM", "time");
}

std::string FormatTokyo(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  const int64_t micros = t.seconds() * 1000000 + t.nanos() / 1000;
  const v1::Date date = common::TokyoDate(micros);
  const int64_t minutes = (micros - common::TokyoStartOfDay(date)) / 60000000;
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return common::FormatDate(date) + buf;
}

std::string FormatTokyoDate(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return common::FormatDate(common::TokyoDate(t.seconds() * 1000000 + t.nanos() / 1000));
}

std::string FormatDateOrEmpty(const v1::Date& d) {
  return d.year() == 0 ? "" : common::FormatDate(d);
}

std::string Trim(const std::string& s) { return std::string(common::TrimSpaces(s)); }

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t from = 0;
  while (true) {
    size_t at = s.find(sep, from);
    parts.push_back(s.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return parts;
    from = at + 1;
  }
}

std::string MunicipalityLabel(const std::string& code) {
  const auto* m = common::Jurisdictions::Get().FindMunicipality(code);
  return m ? m->prefecture_name + m->name : code;
}

std::string JapaneseHalf(const std::string& message) {
  const size_t i = message.find(" / ");
  if (i == std::string::npos || i == 0) return message;
  const bool has_japanese =
      std::any_of(message.begin(), message.begin() + static_cast<long>(i),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  return has_japanese ? message.substr(0, i) : message;
}

std::string JurisdictionName(const std::string& code) {
  if (code == "000000") return "全国";
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->prefecture_name + m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

std::string FormatNumber(double v) {
  char buf[32];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

std::string TagsText(const google::protobuf::RepeatedPtrField<std::string>& tags) {
  std::string out;
  for (const auto& label : common::TagLabels(tags)) out += (out.empty() ? "" : ", ") + label;
  return out;
}

std::string CapabilityLabel(const std::string& code) {
  static const common::CapabilityVocabulary* vocabulary = new common::CapabilityVocabulary();
  const int i = vocabulary->IndexOf(code);
  return i >= 0 ? vocabulary->at(i).label_ja() + " (" + code + ")" : code;
}

std::string CapabilitiesText(const google::protobuf::RepeatedPtrField<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) out += (out.empty() ? "" : ", ") + CapabilityLabel(c);
  return out;
}

std::string RelationLabel(v1::AreaRelation r) { return std::string(common::Label(r, "")); }

bool ParseMaterial(const std::string& spec, v1::Material* out) {
  const size_t bar = spec.find('|');
  const std::string title = Trim(spec.substr(0, bar));
  if (title.empty()) return false;
  out->set_title(title);
  if (bar != std::string::npos) out->set_reference(Trim(spec.substr(bar + 1)));
  return true;
}

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "ファイルを開けません / cannot open %s\n", path.c_str());
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return true;
}

bool WriteWholeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "ファイルに書き込めません / cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

bool ParseJson(const std::string& path, const std::string& json, google::protobuf::Message* out) {
  auto s = google::protobuf::util::JsonStringToMessage(json, out);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), std::string(s.message()).c_str());
    return false;
  }
  return true;
}

}  // namespace renkei::cli
