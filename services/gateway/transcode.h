// HTTP <-> protobuf for the gateway: request messages from path and query parameters or a JSON
// body (protobuf's JSON mapping on the generated types: nothing hand-written per message), and
// answers and errors as JSON.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "routes.h"

namespace renkei::gateway {

// Sets the fields named by `params` ("municipality_code" or "municipalityCode"; dotted names
// reach into messages; repeated fields take each occurrence). Values: numbers, true/false,
// enum names (or numbers), dates YYYY-MM-DD for renkei.v1.Date, RFC 3339 for Timestamp;
// full-width ASCII is read as ASCII. INVALID_ARGUMENT naming each parameter it could not use.
absl::Status FillFromParams(const Params& params, google::protobuf::Message* message);

// The body as the message's protobuf JSON (empty: an empty message). Unknown fields are refused.
// INVALID_ARGUMENT naming the field where the parser stopped.
absl::Status ParseJsonBody(std::string_view body, google::protobuf::Message* message);

// The message as protobuf JSON: lowerCamelCase names, enums by name, defaults included.
// INTERNAL when a well-known type holds a value without a JSON form.
absl::Status WriteJson(const google::protobuf::Message& message, std::string* out);
// The same for messages the gateway builds itself (always writable).
std::string ToJson(const google::protobuf::Message& message);

// {"error": {"code", "message", "fields": [{"field", "description"}]}} for a failed status.
std::string ErrorJson(const absl::Status& status);

// The HTTP status for a gRPC/absl code (docs/gateway.md).
int HttpStatusOf(absl::StatusCode code);

// Full-width ASCII (U+FF01..U+FF5E) and the ideographic space as ASCII; other text unchanged
// (every query and path value goes through it, free text included).
std::string NarrowAscii(std::string_view text);

}  // namespace renkei::gateway
