// renkei-indicators as a module of the service host (service_host.h): indicator definitions,
// observations, derived indicators, comparisons and roll-ups of the instance's jurisdiction (a
// municipality, a prefecture or the nation).
#pragma once

#include "renkei/common/service_host.h"

namespace renkei::indicators {

// Reads indicators.* (suppression_max_count, suppression_min_denominator, import_batch_rows,
// reconcile_interval_seconds) and the server addresses of intake, issues and training (whose
// counts the derived indicators are reconciled with).
const common::ServiceModule& Module();

}  // namespace renkei::indicators
