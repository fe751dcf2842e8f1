// The version of this build of Renkei (the CMake project's version, e.g. "0.1.0"), for logs,
// metrics (renkei_build_info) and the messages of docs/compatibility.md.
#pragma once

#include <string_view>

namespace renkei::common {

std::string_view RenkeiVersion();

}  // namespace renkei::common
