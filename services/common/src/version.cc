#include "renkei/common/version.h"

namespace renkei::common {

std::string_view RenkeiVersion() { return RENKEI_VERSION; }

}  // namespace renkei::common
