// renkei-issues: regional issues (地域課題) of a municipality or a prefecture (issues_module.h).
#include "issues_module.h"

int main(int argc, char** argv) {
  return renkei::common::RunService(argc, argv, renkei::issues::Module());
}
