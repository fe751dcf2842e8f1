// renkei-network as a module of the service host (service_host.h): the coordinator network —
// coordinators' profiles and peer consultations across instances (docs/network.md).
#pragma once

#include "renkei/common/service_host.h"

namespace renkei::network {

// Section "network" (its server). Runs at every level. Federation: the network's events from
// the parent (what comes down: the prefecture's and the nation's, and other municipalities'
// passed on) and from the children.
const common::ServiceModule& Module();

}  // namespace renkei::network
