// renkei-directory as a module of the service host (service_host.h): the medical and care
// resources of one instance, searched from an index kept in memory.
#pragma once

#include "renkei/common/service_host.h"

namespace renkei::directory {

// Reads directory.* (extra_capabilities, import_batch_rows). A prefecture keeps every resource
// of its municipalities; a municipality keeps those of its prefecture.
const common::ServiceModule& Module();

}  // namespace renkei::directory
