// renkei-network: the coordinator network — coordinators' profiles and peer consultations across
// instances (network_module.h).
#include "network_module.h"

int main(int argc, char** argv) {
  return renkei::common::RunService(argc, argv, renkei::network::Module());
}
