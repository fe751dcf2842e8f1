// The errors every service answers the same way, with machine-readable details (the table is in
// docs/design-notes.md, "Errors"). Bad fields are INVALID_ARGUMENT with google.rpc.BadRequest
// (validation.h); the rest are built here:
//
//   ABORTED              StaleVersion: the record moved on; ErrorInfo{reason STALE_VERSION,
//                        metadata resource_type, resource_id, expected_version, actual_version}
//   NOT_FOUND            NotFoundError: ResourceInfo{resource_type, resource_name = the id}
//   FAILED_PRECONDITION  NotAllowedNow: the record's state does not allow the change (closed,
//                        cancelled, already handled); PreconditionFailure{type STATE, subject =
//                        the request field that names the record}
//   RESOURCE_EXHAUSTED   DiskFull (ErrorInfo DISK_FULL) or TooLarge naming the limit
//   UNAVAILABLE          StoreReadOnly (ErrorInfo STORE_READ_ONLY): the store refuses writes
//                        after an I/O error and is recovering
//
// Messages are Japanese first, English after " / ", and never name a server path.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace renkei::common {

inline constexpr char kErrorDomain[] = "renkei.v1";
inline constexpr char kStaleVersionReason[] = "STALE_VERSION";
inline constexpr char kDiskFullReason[] = "DISK_FULL";
inline constexpr char kStoreUnavailableReason[] = "STORE_READ_ONLY";

// ABORTED: `resource_type` ("renkei.v1.Consultation") `id` is at version `actual`, not
// `expected`.
// `message` replaces the usual one ("someone changed it first").
absl::Status StaleVersion(std::string_view resource_type, std::string_view id, int64_t expected,
                          int64_t actual, std::string_view message = {});

// The same for a stored record: its type's full name, its `id` (or `code`) and `version` fields.
absl::Status StaleVersion(const google::protobuf::Message& record, int64_t expected,
                          std::string_view message = {});

// NOT_FOUND with ResourceInfo. `message` says what is missing in the user's words, e.g.
// "相談が見つかりません / consultation not found".
absl::Status NotFoundError(std::string_view resource_type, std::string_view id,
                           std::string_view message);

// FAILED_PRECONDITION: the state of the record named by request field `field` does not allow the
// change (e.g. a closed consultation, a cancelled training).
absl::Status NotAllowedNow(std::string_view field, std::string_view message);

// RESOURCE_EXHAUSTED: more than `limit` (named in the message and in ErrorInfo metadata).
absl::Status TooLarge(std::string_view what, int64_t limit, std::string_view message);

// RESOURCE_EXHAUSTED: the service's disk is full; nothing was written.
absl::Status DiskFull();
// UNAVAILABLE: the store refuses writes after an I/O error (`cause`, without paths).
absl::Status StoreReadOnly(std::string_view cause);

// `status` with an ErrorInfo naming `reason` (e.g. "SURVEY_LINK_EXPIRED"), for clients that act on
// the kind of refusal rather than its message.
absl::Status WithErrorReason(absl::Status status, std::string_view reason);

// The ErrorInfo.reason of a status ("" when it has none).
std::string ErrorReasonOf(const absl::Status& status);
// The ErrorInfo.metadata of a status (empty when it has none).
std::map<std::string, std::string> ErrorMetadataOf(const absl::Status& status);

}  // namespace renkei::common
