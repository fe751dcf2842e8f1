// Crash points for durability tests. A process started with RENKEI_FAILPOINTS=name[,name...]
// exits immediately (no destructors, no flushing: like kill -9) when it reaches MaybeCrash(name).
// Without the variable, MaybeCrash costs one branch.
#pragma once

#include <string_view>

namespace renkei::common {

void MaybeCrash(std::string_view failpoint);

}  // namespace renkei::common
