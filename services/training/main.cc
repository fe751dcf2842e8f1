// renkei-training: trainings (研修会) organized by the instance's jurisdiction, with sessions,
// registrations, attendance, surveys and calendars (training_module.h).
#include "training_module.h"

int main(int argc, char** argv) {
  return renkei::common::RunService(argc, argv, renkei::training::Module());
}
