#include "openapi.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "renkei/v1/labels.pb.h"
#include "renkei/v1/options.pb.h"
#include "routes.h"

namespace renkei::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using google::protobuf::Value;

Value Str(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}
Value Bool(bool b) {
  Value v;
  v.set_bool_value(b);
  return v;
}
Value Obj(std::initializer_list<std::pair<const std::string, Value>> fields) {
  Value v;
  for (const auto& [k, f] : fields) (*v.mutable_struct_value()->mutable_fields())[k] = f;
  return v;
}
Value List(const std::vector<Value>& items) {
  Value v;
  for (const auto& i : items) *v.mutable_list_value()->add_values() = i;
  return v;
}
Value& Field(Value& v, const std::string& key) {
  return (*v.mutable_struct_value()->mutable_fields())[key];
}
Value Ref(const std::string& name) { return Obj({{"$ref", Str("#/components/schemas/" + name)}}); }

// The schemas of the messages and enums the routes use, by full name.
class Schemas {
 public:
  Value RefTo(const Descriptor* d) {
    if (const auto* wk = WellKnown(d)) return *wk;
    Add(d);
    return Ref(d->full_name());
  }
  const std::map<std::string, Value>& all() const { return schemas_; }
  Value EnumRef(const EnumDescriptor* e) {
    AddEnum(e);
    return Ref(e->full_name());
  }

 private:
  const Value* WellKnown(const Descriptor* d) {
    static const std::map<std::string, Value> known = {
        {"google.protobuf.Timestamp", Obj({{"type", Str("string")}, {"format", Str("date-time")}})},
        {"google.protobuf.Duration",
         Obj({{"type", Str("string")}, {"pattern", Str("^-?[0-9]+(\\.[0-9]+)?s$")}})},
        {"google.protobuf.FieldMask", Obj({{"type", Str("string")}})},
        {"google.protobuf.Empty", Obj({{"type", Str("object")}})},
        {"google.protobuf.Struct", Obj({{"type", Str("object")}})},
        {"google.protobuf.Value", Obj({})},
        {"google.protobuf.StringValue", Obj({{"type", Str("string")}, {"nullable", Bool(true)}})},
        {"google.protobuf.BoolValue", Obj({{"type", Str("boolean")}, {"nullable", Bool(true)}})},
        {"google.protobuf.DoubleValue", Obj({{"type", Str("number")}, {"nullable", Bool(true)}})},
        {"google.protobuf.Int32Value", Obj({{"type", Str("integer")}, {"nullable", Bool(true)}})},
        {"google.protobuf.UInt32Value", Obj({{"type", Str("integer")}, {"nullable", Bool(true)}})},
        {"google.protobuf.Int64Value", Obj({{"type", Str("string")}, {"nullable", Bool(true)}})},
    };
    auto it = known.find(d->full_name());
    return it == known.end() ? nullptr : &it->second;
  }

  void AddEnum(const EnumDescriptor* e) {
    if (schemas_.count(e->full_name()) != 0) return;
    std::vector<Value> names;
    std::string description = "protobuf enum " + e->full_name() +
                              " (by name; the number is "
                              "accepted too). Labels:";
    for (int i = 0; i < e->value_count(); ++i) {
      const auto* value = e->value(i);
      names.push_back(Str(value->name()));
      if (value->options().HasExtension(v1::label)) {
        description +=
            "\n- " + value->name() + ": " + value->options().GetExtension(v1::label).ja();
      }
    }
    schemas_[e->full_name()] =
        Obj({{"type", Str("string")}, {"enum", List(names)}, {"description", Str(description)}});
  }

  Value Scalar(const FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_UINT32:
        return Obj({{"type", Str("integer")},
                    {"format",
                     Str(f->cpp_type() == FieldDescriptor::CPPTYPE_INT32 ? "int32" : "uint32")}});
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_UINT64:
        // 64-bit integers travel as decimal strings in protobuf's JSON.
        return Obj(
            {{"type", Str("string")},
             {"format", Str(f->cpp_type() == FieldDescriptor::CPPTYPE_INT64 ? "int64" : "uint64")},
             {"pattern", Str("^-?[0-9]+$")}});
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        return Obj({{"type", Str("number")}});
      case FieldDescriptor::CPPTYPE_BOOL:
        return Obj({{"type", Str("boolean")}});
      case FieldDescriptor::CPPTYPE_ENUM:
        AddEnum(f->enum_type());
        return Ref(f->enum_type()->full_name());
      case FieldDescriptor::CPPTYPE_STRING:
        return f->type() == FieldDescriptor::TYPE_BYTES
                   ? Obj({{"type", Str("string")}, {"format", Str("byte")}})
                   : Obj({{"type", Str("string")}});
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return RefTo(f->message_type());
    }
    return Obj({});
  }

  void Add(const Descriptor* d) {
    if (schemas_.count(d->full_name()) != 0) return;
    schemas_[d->full_name()] = Obj({});  // a placeholder: recursive messages end here
    Value schema = Obj({{"type", Str("object")}, {"additionalProperties", Bool(false)}});
    Value properties = Obj({});
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      Value property;
      if (f->is_map()) {
        property = Obj({{"type", Str("object")},
                        {"additionalProperties", Scalar(f->message_type()->map_value())}});
      } else if (f->is_repeated()) {
        property = Obj({{"type", Str("array")}, {"items", Scalar(f)}});
      } else {
        property = Scalar(f);
      }
      if (f->options().HasExtension(v1::personal) && f->options().GetExtension(v1::personal)) {
        // Personal data: only the municipality's own coordinators and staff receive it.
        Value wrapped = Obj({{"allOf", List({property})},
                             {"description", Str("personal data (個人情報): left out of answers "
                                                 "to callers not allowed it")},
                             {"x-renkei-personal", Bool(true)}});
        property = wrapped;
      }
      Field(properties, f->json_name()) = property;
    }
    Field(schema, "properties") = properties;
    Field(schema, "description") = Str("protobuf message " + d->full_name() + " (JSON mapping)");
    schemas_[d->full_name()] = schema;
  }

  std::map<std::string, Value> schemas_;
};

// The path parameters of a route's path ("{id}", "{meeting.id}"), in order.
std::vector<std::string> PathParameters(const std::string& path) {
  std::vector<std::string> out;
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    out.push_back(path.substr(open + 1, path.find('}', open) - open - 1));
  }
  return out;
}

// The schema of a query parameter filling field `f` (docs/gateway.md, "Requests"): numbers,
// true/false, enum names, dates YYYY-MM-DD (renkei.v1.Date), the JSON string form of
// well-known types (a Timestamp in RFC 3339); null when the field cannot come from a query.
std::optional<Value> QuerySchema(const FieldDescriptor* f, Schemas& schemas) {
  Value schema;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      schema = Obj({{"type", Str("boolean")}});
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      schema = Obj({{"type", Str("number")}});
      break;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
      schema = Obj({{"type", Str("integer")}});
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      schema = schemas.EnumRef(f->enum_type());
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const std::string name = f->message_type()->full_name();
      if (name == "renkei.v1.Date") {
        schema = Obj({{"type", Str("string")}, {"format", Str("date")}});
      } else if (name == "google.protobuf.Timestamp") {
        schema = Obj({{"type", Str("string")}, {"format", Str("date-time")}});
      } else if (name.rfind("google.protobuf.", 0) == 0) {
        schema = Obj({{"type", Str("string")}});
      } else {
        return std::nullopt;
      }
      break;
    }
    default:  // strings and 64-bit integers
      schema = Obj({{"type", Str("string")}});
  }
  if (f->is_repeated()) schema = Obj({{"type", Str("array")}, {"items", schema}});
  return schema;
}

Value JsonContent(const Value& schema) {
  return Obj({{"application/json", Obj({{"schema", schema}})}});
}

Value ErrorResponses(Value responses) {
  Field(responses, "default") = Obj({{"$ref", Str("#/components/responses/Error")}});
  return responses;
}

Value Parameter(const std::string& name, const std::string& in, const Value& schema,
                bool required) {
  return Obj(
      {{"name", Str(name)}, {"in", Str(in)}, {"required", Bool(required)}, {"schema", schema}});
}

}  // namespace

std::string OpenApiDocument(const v1::InstanceConfig& config) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  Schemas schemas;
  Value paths = Obj({});
  std::set<std::string> operation_ids;
  auto unique_id = [&](const std::string& id) {
    std::string candidate = id;
    for (int n = 2; !operation_ids.insert(candidate).second; ++n) {
      candidate = id + "_" + std::to_string(n);
    }
    return candidate;
  };
  const Value no_security = List({});

  auto add_route = [&](const Route& route, bool is_public) {
    const auto* method = pool->FindMethodByName(route.rpc);
    if (method == nullptr) return;
    const std::string path = route.path;
    const std::string verb = std::string(route.method);
    std::string lower;
    for (char c : verb) lower += static_cast<char>(c - 'A' + 'a');
    std::string rpc = route.rpc;
    if (rpc.rfind("renkei.v1.", 0) == 0) rpc = rpc.substr(10);
    Value op = Obj({{"operationId", Str(unique_id(rpc))},
                    {"summary", Str(route.summary)},
                    {"tags", List({Str(method->service()->name())})},
                    {"description", Str("gRPC " + rpc +
                                        (route.proof_of_work ? ". A public form: send a solved "
                                                               "challenge in the Renkei-Proof "
                                                               "header (docs/gateway.md)."
                                                             : ""))}});
    std::vector<Value> parameters;
    std::set<std::string> in_path;
    for (const auto& name : PathParameters(path)) {
      in_path.insert(name);
      parameters.push_back(Parameter(name, "path", Obj({{"type", Str("string")}}), true));
    }
    const Descriptor* request = method->input_type();
    if (verb == "GET") {
      // Query parameters: the request's fields, and one level into its messages by dotted
      // name ("near.municipality_code").
      for (int i = 0; i < request->field_count(); ++i) {
        const FieldDescriptor* f = request->field(i);
        if (in_path.count(f->name()) != 0) continue;
        if (auto schema = QuerySchema(f, schemas)) {
          parameters.push_back(Parameter(f->name(), "query", *schema, false));
          continue;
        }
        if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) continue;
        const Descriptor* inner = f->message_type();
        for (int j = 0; j < inner->field_count(); ++j) {
          const std::string name = f->name() + "." + inner->field(j)->name();
          if (in_path.count(name) != 0) continue;
          if (auto schema = QuerySchema(inner->field(j), schemas)) {
            parameters.push_back(Parameter(name, "query", *schema, false));
          }
        }
      }
    } else {
      Field(op, "requestBody") =
          Obj({{"required", Bool(false)}, {"content", JsonContent(schemas.RefTo(request))}});
      for (int i = 0; i < request->field_count(); ++i) {
        if (request->field(i)->name() == "request_id") {
          parameters.push_back(Obj({{"$ref", Str("#/components/parameters/IdempotencyKey")}}));
          break;
        }
      }
    }
    if (!parameters.empty()) Field(op, "parameters") = List(parameters);
    Value ok = route.file
                   ? Obj({{"description", Str("the file (its type and download name in the "
                                              "headers)")},
                          {"content",
                           Obj({{"*/*", Obj({{"schema", Obj({{"type", Str("string")},
                                                             {"format", Str("binary")}})}})}})}})
                   : Obj({{"description", Str(route.summary)},
                          {"content", JsonContent(schemas.RefTo(method->output_type()))}});
    Field(op, "responses") = ErrorResponses(Obj({{"200", ok}}));
    if (is_public) Field(op, "security") = no_security;
    Field(Field(paths, path), lower) = op;
  };
  for (const Route& route : Routes()) add_route(route, false);
  for (const Route& route : PublicRoutes()) add_route(route, true);

  for (const OwnRoute& route : OwnRoutes()) {
    const std::string path = route.path;
    std::string lower;
    for (const char* c = route.method; *c != '\0'; ++c) lower += static_cast<char>(*c - 'A' + 'a');
    std::string id = "Gateway." + lower;
    for (char c : path.substr(std::string("/api/v1").size())) {
      id += (c == '/' || c == '{' || c == '}' || c == '-' || c == '.') ? '_' : c;
    }
    Value op = Obj({{"operationId", Str(unique_id(id))},
                    {"summary", Str(route.summary)},
                    {"tags", List({Str("Gateway")})}});
    std::vector<Value> parameters;
    for (const auto& name : PathParameters(path)) {
      parameters.push_back(Parameter(name, "path", Obj({{"type", Str("string")}}), true));
    }
    if (!parameters.empty()) Field(op, "parameters") = List(parameters);
    if (*route.request != '\0') {
      const Descriptor* d = pool->FindMessageTypeByName(route.request);
      if (d != nullptr) {
        Field(op, "requestBody") =
            Obj({{"required", Bool(true)}, {"content", JsonContent(schemas.RefTo(d))}});
      }
    }
    Value answer = Obj({{"type", Str("object")}});
    if (*route.response != '\0') {
      if (const Descriptor* d = pool->FindMessageTypeByName(route.response); d != nullptr) {
        answer = schemas.RefTo(d);
      }
    }
    // A new account answers 201 Created; every other own route 200.
    const std::string created = path == "/api/v1/accounts" && lower == "post" ? "201" : "200";
    Field(op, "responses") = ErrorResponses(Obj(
        {{created, Obj({{"description", Str(route.summary)}, {"content", JsonContent(answer)}})}}));
    const std::string caller = route.caller;
    if (caller == "public" || caller == "pending") {
      Field(op, "description") =
          Str("Log-in routes need the double-submit CSRF check: the renkei_csrf cookie's value "
              "in the X-CSRF-Token header (any answer of the gateway sets the cookie).");
    }
    if (caller == "public") {
      Field(op, "security") = no_security;
    } else if (caller == "pending") {
      Field(op, "security") = List({Obj({{"pending", List({})}})});
    }
    Field(Field(paths, path), lower) = op;
  }

  Value error_schema = schemas.RefTo(pool->FindMessageTypeByName("renkei.v1.HttpErrorBody"));
  Value components = Obj({});
  Value schema_map = Obj({});
  for (const auto& [name, schema] : schemas.all()) Field(schema_map, name) = schema;
  Field(components, "schemas") = schema_map;
  Field(components, "securitySchemes") = Obj({
      {"bearer", Obj({{"type", Str("http")},
                      {"scheme", Str("bearer")},
                      {"bearerFormat", Str("JWT")},
                      {"description", Str("A token of the instance (EdDSA-signed JWT: "
                                          "`renkeictl token issue`, or a console log-in's)")}})},
      {"session", Obj({{"type", Str("apiKey")},
                       {"in", Str("cookie")},
                       {"name", Str("renkei_session")},
                       {"description", Str("The console's log-in cookie; changes also need the "
                                           "renkei_csrf cookie's value in X-CSRF-Token")}})},
      {"pending", Obj({{"type", Str("apiKey")},
                       {"in", Str("cookie")},
                       {"name", Str("renkei_pending")},
                       {"description", Str("A log-in under way (its next step)")}})},
  });
  Field(components, "responses") = Obj({
      {"Error",
       Obj({{"description",
             Str("An error: the gRPC code's name, a message (Japanese / English) and the fields "
                 "concerned; the HTTP status follows the code (docs/gateway.md)")},
            {"content", JsonContent(error_schema)}})},
  });
  Field(components, "parameters") = Obj({
      {"IdempotencyKey",
       Obj({{"name", Str("Idempotency-Key")},
            {"in", Str("header")},
            {"required", Bool(false)},
            {"description", Str("The command's request id (8–64 of A-Z a-z 0-9 . _ : -), unless "
                                "the body has request_id: the same key again answers the first "
                                "call's answer and applies nothing twice")},
            {"schema",
             Obj({{"type", Str("string")}, {"pattern", Str("^[A-Za-z0-9._:-]{8,64}$")}})}})},
  });

  Value document = Obj({
      {"openapi", Str("3.0.3")},
      {"info", Obj({{"title", Str("Renkei (連携) JSON API — " + config.instance().name())},
                    {"version", Str("v1")},
                    {"description",
                     Str("HTTP/JSON in front of the instance's gRPC services (docs/gateway.md). "
                         "Bodies and answers are the protobuf messages in protobuf's JSON "
                         "mapping (lowerCamelCase names, enums by name, 64-bit integers as "
                         "strings).")}})},
      {"servers", List({Obj({{"url", Str("/")}})})},
      {"security", List({Obj({{"bearer", List({})}}), Obj({{"session", List({})}})})},
      {"paths", paths},
      {"components", components},
  });
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  (void)google::protobuf::util::MessageToJsonString(document, &json, options);
  return json;
}

}  // namespace renkei::gateway
