// renkei-directory: the resource directory service of one instance (directory_module.h).
#include "directory_module.h"

int main(int argc, char** argv) {
  return renkei::common::RunService(argc, argv, renkei::directory::Module());
}
