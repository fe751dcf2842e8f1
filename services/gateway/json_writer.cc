#include "json_writer.h"

#include <charconv>
#include <cmath>

#include "absl/strings/escaping.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "renkei/common/log.h"

namespace renkei::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

template <typename T>
void AppendNumber(T value, std::string* out) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, r.ptr);
}

template <typename T>
void AppendFloating(T value, std::string* out) {
  if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    AppendNumber(value, out);  // shortest form that reads back the same
  }
}

bool AppendValue(const Message& m, const Reflection* r, const FieldDescriptor* f, int index,
                 std::string* out);

// One element (index >= 0) or the singular value (index < 0).
void AppendScalar(const Message& m, const Reflection* r, const FieldDescriptor* f, int index,
                  bool as_map_key, std::string* out) {
  const bool rep = index >= 0;
  auto quoted = [&](auto fn) {
    if (as_map_key) out->push_back('"');
    fn();
    if (as_map_key) out->push_back('"');
  };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      quoted(
          [&] { AppendNumber(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f), out); });
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      quoted(
          [&] { AppendNumber(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f), out); });
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      out->push_back('"');
      AppendNumber(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), out);
      out->push_back('"');
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      out->push_back('"');
      AppendNumber(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), out);
      out->push_back('"');
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendFloating(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), out);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendFloating(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), out);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      quoted([&] {
        out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      });
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      if (f->enum_type()->full_name() == "google.protobuf.NullValue") {
        out->append("null");
      } else if (const auto* v = f->enum_type()->FindValueByNumber(number)) {
        out->push_back('"');
        out->append(v->name());
        out->push_back('"');
      } else {
        AppendNumber(number, out);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        out->push_back('"');
        out->append(absl::Base64Escape(s));
        out->push_back('"');
      } else {
        common::AppendJsonString(s, out);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;  // not a scalar
  }
}

bool AppendMessage(const Message& m, std::string* out) {
  const auto* d = m.GetDescriptor();
  if (d->file()->package() == "google.protobuf") {
    // Well-known types have their own JSON forms (Timestamp as RFC 3339, wrappers as values...):
    // the library's printer, for these small messages only.
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    std::string wkt;
    if (!google::protobuf::util::MessageToJsonString(m, &wkt, options).ok()) return false;
    out->append(wkt);
    return true;
  }
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      // Empty repeated fields and maps print as [] and {}.
    } else if (f->has_presence()) {
      if (!r->HasField(m, f)) continue;  // messages, oneof members, proto3 optional
    }
    if (!first) out->push_back(',');
    first = false;
    out->push_back('"');
    out->append(f->json_name());
    out->append("\":");
    if (f->is_map()) {
      const FieldDescriptor* key = f->message_type()->map_key();
      const FieldDescriptor* value = f->message_type()->map_value();
      out->push_back('{');
      const int n = r->FieldSize(m, f);
      for (int k = 0; k < n; ++k) {
        const Message& entry = r->GetRepeatedMessage(m, f, k);
        const Reflection* er = entry.GetReflection();
        if (k) out->push_back(',');
        if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          AppendScalar(entry, er, key, -1, true, out);
        } else {
          out->push_back('"');
          std::string k_text;
          AppendScalar(entry, er, key, -1, false, &k_text);
          if (!k_text.empty() && k_text.front() == '"')
            k_text = k_text.substr(1, k_text.size() - 2);
          out->append(k_text);
          out->push_back('"');
        }
        out->push_back(':');
        if (!AppendValue(entry, er, value, -1, out)) return false;
      }
      out->push_back('}');
    } else if (f->is_repeated()) {
      out->push_back('[');
      const int n = r->FieldSize(m, f);
      for (int k = 0; k < n; ++k) {
        if (k) out->push_back(',');
        if (!AppendValue(m, r, f, k, out)) return false;
      }
      out->push_back(']');
    } else if (!AppendValue(m, r, f, -1, out)) {
      return false;
    }
  }
  out->push_back('}');
  return true;
}

bool AppendValue(const Message& m, const Reflection* r, const FieldDescriptor* f, int index,
                 std::string* out) {
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return AppendMessage(index >= 0 ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f),
                         out);
  }
  AppendScalar(m, r, f, index, false, out);
  return true;
}

}  // namespace

bool AppendJson(const Message& message, std::string* out) { return AppendMessage(message, out); }

}  // namespace renkei::gateway
