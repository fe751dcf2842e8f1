// renkei-intake as a module of the service host (service_host.h): consultations, matching,
// referrals, follow-ups and issue seeds of one municipality.
#pragma once

#include "renkei/common/service_host.h"

namespace renkei::intake {

// Reads intake.* (directory_address, directory_deadline_ms, personal_retention_days) and
// directory.extra_capabilities (the capabilities matching knows); runs in a municipal instance.
const common::ServiceModule& Module();

}  // namespace renkei::intake
