// renkei-indicators: indicator definitions, observations, derived indicators, comparisons and
// roll-ups of the instance's jurisdiction (indicators_module.h).
#include "indicators_module.h"

int main(int argc, char** argv) {
  return renkei::common::RunService(argc, argv, renkei::indicators::Module());
}
