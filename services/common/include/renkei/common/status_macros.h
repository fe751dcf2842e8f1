// Propagation macros for absl::Status / absl::StatusOr (Debian's Abseil 20220623 predates its own).
//
//   RETURN_IF_ERROR(store.Write(batch));
//   ASSIGN_OR_RETURN(Resource r, LoadResource(id));
//
// Ignoring a Status on purpose is spelled IgnoreError(status), so it can be found with grep.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RENKEI_CONCAT_INNER_(a, b) a##b
#define RENKEI_CONCAT_(a, b) RENKEI_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::absl::Status renkei_status_ = (expr);          \
    if (!renkei_status_.ok()) return renkei_status_; \
  } while (false)

#define ASSIGN_OR_RETURN(lhs, expr) \
  RENKEI_ASSIGN_OR_RETURN_IMPL_(RENKEI_CONCAT_(renkei_statusor_, __LINE__), lhs, expr)

// `lhs` is a declaration (`Resource r`) as often as an lvalue: it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses): `statusor` is an identifier, `lhs` see above.
#define RENKEI_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace renkei::common {

// Explicitly drops a status that does not matter (e.g. best-effort cleanup).
inline void IgnoreError(const absl::Status&) {}

}  // namespace renkei::common
