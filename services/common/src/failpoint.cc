#include "renkei/common/failpoint.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace renkei::common {
namespace {

const std::string* Active() {
  static const std::string* active = [] {
    const char* env = std::getenv("RENKEI_FAILPOINTS");
    return env == nullptr ? nullptr : new std::string("," + std::string(env) + ",");
  }();
  return active;
}

}  // namespace

void MaybeCrash(std::string_view failpoint) {
  const std::string* active = Active();
  if (active == nullptr) return;
  if (active->find("," + std::string(failpoint) + ",") == std::string::npos) return;
  std::fprintf(stderr, "failpoint %.*s: exiting now\n", static_cast<int>(failpoint.size()),
               failpoint.data());
  std::_Exit(86);
}

}  // namespace renkei::common
