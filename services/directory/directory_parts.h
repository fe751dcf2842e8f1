// The directory service's own helpers, shared by directory.cc and its import session
// (directory_import.cc). Not part of the service's interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "csv_formats.h"
#include "renkei/common/validation.h"
#include "renkei/v1/directory.pb.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::directory {

using common::FieldViolations;

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 200;
inline constexpr size_t kMaxSearchTextChars = 100;
// GetGapReport: combinations per request, capabilities per combination.
inline constexpr int kMaxGapCombinations = 100;
inline constexpr int kMaxCombinationSize = 6;
inline constexpr size_t kExportChunkBytes = size_t{256} * 1024;

uint64_t Fingerprint(const v1::SearchResourcesRequest& r);
std::string EncodePageToken(int offset, uint64_t fingerprint);
bool DecodePageToken(const std::string& token, int* offset, uint64_t* fingerprint);
v1::RowError RowErrorFor(const RowParser& parser, int64_t line, const std::string& field,
                         const std::string& description);

}  // namespace renkei::directory
