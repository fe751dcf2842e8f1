// renkei-intake: consultations, matching, referrals, follow-ups and issue seeds of one
// municipality (intake_module.h).
#include "intake_module.h"

int main(int argc, char** argv) {
  return renkei::common::RunService(argc, argv, renkei::intake::Module());
}
