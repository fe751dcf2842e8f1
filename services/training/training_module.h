// renkei-training as a module of the service host (service_host.h): trainings (研修会) organized
// by the instance's jurisdiction — national, prefectural or municipal — with sessions,
// registrations, attendance, surveys and calendars.
#pragma once

#include "renkei/common/service_host.h"

namespace renkei::training {

// Reads no section of its own. Federation: trainings from above and the outcome of
// registrations sent up (parent); registrations sent up by the municipalities below (children).
const common::ServiceModule& Module();

}  // namespace renkei::training
