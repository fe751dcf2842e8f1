// renkei-issues as a module of the service host (service_host.h): regional issues (地域課題) of a
// municipality or a prefecture. A municipal instance turns seeds from consultations into
// candidate issues; a prefectural instance receives the wide-area issues its municipalities
// escalate.
#pragma once

#include "renkei/common/service_host.h"

namespace renkei::issues {

// Reads issues.* (candidate_threshold, candidate_window_days, escalation_stream,
// escalation_subject); runs in a municipal or prefectural instance.
const common::ServiceModule& Module();

}  // namespace renkei::issues
