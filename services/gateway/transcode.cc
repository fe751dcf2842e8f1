#include "transcode.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "json_writer.h"
#include "renkei/common/log.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "renkei/v1/common.pb.h"
#include "renkei/v1/gateway.pb.h"

namespace renkei::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

const FieldDescriptor* FindField(const Descriptor* d, std::string_view name) {
  const std::string n(name);
  if (const auto* f = d->FindFieldByName(n)) return f;
  if (const auto* f = d->FindFieldByCamelcaseName(n)) return f;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->json_name() == n) return d->field(i);
  }
  return nullptr;
}

// "2026-11-24" -> Date; false when it is not a valid date.
bool ParseDate(std::string_view text, v1::Date* date) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(text.data(), text.size()), '-');
  int y, m, d;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d)) {
    return false;
  }
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) return false;
  date->set_year(y);
  date->set_month(m);
  date->set_day(d);
  return true;
}

// Sets one field (the last of a dotted path) from text; the problem in Japanese/English if not.
std::string SetField(Message* m, const FieldDescriptor* f, const std::string& value) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (f->type() == FieldDescriptor::TYPE_BYTES)
        return "クエリでは指定できません / not a query field";
      rep ? r->AddString(m, f, value) : r->SetString(m, f, value);
      return "";
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(value, &v)) return "整数ではありません / not an integer";
      rep ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      return "";
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(value, &v)) return "整数ではありません / not an integer";
      rep ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      return "";
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(value, &v))
        return "0以上の整数ではありません / not a non-negative integer";
      rep ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
      return "";
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(value, &v))
        return "0以上の整数ではありません / not a non-negative integer";
      rep ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
      return "";
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(value, &v)) return "数値ではありません / not a number";
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        rep ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
      } else {
        rep ? r->AddFloat(m, f, static_cast<float>(v)) : r->SetFloat(m, f, static_cast<float>(v));
      }
      return "";
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (value == "true" || value == "1") {
        v = true;
      } else if (value == "false" || value == "0") {
        v = false;
      } else {
        return "true か false です / must be true or false";
      }
      rep ? r->AddBool(m, f, v) : r->SetBool(m, f, v);
      return "";
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = f->enum_type();
      const auto* v = e->FindValueByName(value);
      int number;
      if (v == nullptr && absl::SimpleAtoi(value, &number)) v = e->FindValueByNumber(number);
      if (v == nullptr) return "不明な値です: " + value + " / unknown value of " + e->name();
      rep ? r->AddEnum(m, f, v) : r->SetEnum(m, f, v);
      return "";
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* sub = rep ? r->AddMessage(m, f) : r->MutableMessage(m, f);
      if (f->message_type()->full_name() == v1::Date::descriptor()->full_name()) {
        v1::Date date;
        if (!ParseDate(value, &date))
          return "日付 (YYYY-MM-DD) ではありません / not a date YYYY-MM-DD";
        sub->CopyFrom(date);
        return "";
      }
      if (f->message_type()->file()->package() == "google.protobuf") {
        // Well-known types have a JSON string form (Timestamp, Duration, wrappers).
        std::string quoted;
        common::AppendJsonString(value, &quoted);
        if (google::protobuf::util::JsonStringToMessage(quoted, sub).ok()) return "";
        return "値を読み取れません / unreadable value";
      }
      return "項目名を . でつないで指定してください / name the message's fields (a.b)";
    }
  }
  return "指定できません / not settable";
}

}  // namespace

std::string NarrowAscii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c0 = static_cast<unsigned char>(text[i]);
    if (c0 == 0xEF && i + 2 < text.size()) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      const auto c2 = static_cast<unsigned char>(text[i + 2]);
      const unsigned cp = ((c0 & 0x0F) << 12) | ((c1 & 0x3F) << 6) | (c2 & 0x3F);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        out.push_back(static_cast<char>(cp - 0xFEE0));
        i += 3;
        continue;
      }
    } else if (c0 == 0xE3 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               static_cast<unsigned char>(text[i + 2]) == 0x80) {
      out.push_back(' ');  // U+3000
      i += 3;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

absl::Status FillFromParams(const Params& params, Message* message) {
  common::FieldViolations v;
  for (const auto& [name, raw] : params) {
    const std::string value = NarrowAscii(raw);
    Message* m = message;
    const FieldDescriptor* field = nullptr;
    std::vector<absl::string_view> path = absl::StrSplit(name, '.');
    std::string problem;
    for (size_t i = 0; i < path.size(); ++i) {
      field = FindField(m->GetDescriptor(), std::string_view(path[i].data(), path[i].size()));
      if (field == nullptr) {
        problem = "不明な項目です / unknown field";
        break;
      }
      if (i + 1 < path.size()) {
        if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
          problem = "不明な項目です / unknown field";
          break;
        }
        m = m->GetReflection()->MutableMessage(m, field);
      }
    }
    if (problem.empty()) problem = SetField(m, field, value);
    if (!problem.empty()) v.Add(name, problem);
  }
  return v.ToStatus();
}

absl::Status ParseJsonBody(std::string_view body, Message* message) {
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return absl::OkStatus();  // an empty message
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = false;
  auto s = google::protobuf::util::JsonStringToMessage(body, message, options);
  if (s.ok()) return absl::OkStatus();
  // Protobuf 3.21's parser names where it stopped: "(needs[0].capability): invalid value ...",
  // "(person) nickname: Cannot find field.", "no_such_field: Cannot find field."; anything else
  // (not JSON at all) is the body's.
  const std::string detail(s.message());
  std::string field = "body";
  const size_t cannot = detail.find(": Cannot find field");
  if (!detail.empty() && detail[0] == '(') {
    const size_t close = detail.find(')');
    if (close != std::string::npos) {
      field = detail.substr(1, close - 1);
      if (cannot != std::string::npos && cannot > close + 1) {
        field += "." + detail.substr(close + 2, cannot - close - 2);
      }
    }
  } else if (cannot != std::string::npos && detail.find(' ') > cannot) {
    field = detail.substr(0, cannot);
  }
  common::FieldViolations v;
  v.Add(field, "JSON を読み取れません / unreadable JSON: " + detail);
  return v.ToStatus();
}

absl::Status WriteJson(const Message& message, std::string* out) {
  out->clear();
  if (!AppendJson(message, out)) {
    out->clear();
    return absl::InternalError("応答を JSON にできません / the answer has no JSON form");
  }
  return absl::OkStatus();
}

std::string ToJson(const Message& message) {
  std::string out;
  (void)WriteJson(message, &out);
  return out;
}

std::string ErrorJson(const absl::Status& status) {
  v1::HttpErrorBody body;
  auto* e = body.mutable_error();
  e->set_code(absl::StatusCodeToString(status.code()));
  e->set_message(std::string(status.message()));
  for (const auto& [field, description] : common::FieldViolationsOf(status)) {
    auto* f = e->add_fields();
    f->set_field(field);
    f->set_description(description);
  }
  // A state that refuses the change (FAILED_PRECONDITION) names the request field too.
  if (auto payload = status.GetPayload("type.googleapis.com/google.rpc.PreconditionFailure")) {
    google::rpc::PreconditionFailure failure;
    if (failure.ParseFromString(std::string(*payload))) {
      for (const auto& v : failure.violations()) {
        auto* f = e->add_fields();
        f->set_field(v.subject());
        f->set_description(v.description());
      }
    }
  }
  return ToJson(body);
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

}  // namespace renkei::gateway
