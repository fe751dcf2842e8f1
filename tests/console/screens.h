// What the console's browser tests share: finding the built console, its npm modules and
// chromium, and running one of console/tests/screens/*.mjs against a started instance.
#pragma once

#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "harness.h"

namespace renkei::testing {

struct ConsoleForTests {
  std::string dir;          // console/
  std::string chromium;     // RENKEI_CHROMIUM, else Debian's
  std::string screenshots;  // build/console-screenshots
};

// Fails the calling test unless console/dist/<built> and console/node_modules/<module> exist.
inline void FindConsole(const std::string& built, const std::string& module, ConsoleForTests* c) {
  c->dir = SourceDir() + "/console";
  ASSERT_TRUE(std::filesystem::exists(c->dir + "/dist/" + built))
      << "console/dist is not built: run tools/console-build.sh (tools/build.sh does)";
  ASSERT_TRUE(std::filesystem::exists(c->dir + "/node_modules/" + module))
      << "console/node_modules is not installed: run tools/console-build.sh";
  const char* chromium = std::getenv("RENKEI_CHROMIUM");
  c->chromium = chromium != nullptr ? chromium : "/usr/bin/chromium";
  c->screenshots =
      std::filesystem::path(BinaryPath("renkei-gateway")).parent_path().parent_path().string() +
      "/console-screenshots";
  std::filesystem::create_directories(c->screenshots);
}

// Runs console/tests/screens/<script> with node (CONSOLE_DIR, RENKEI_CHROMIUM and
// RENKEI_SCREENSHOT_DIR set besides `env`), its output kept in `log` and echoed. Fails the calling
// test when it does not finish in five minutes or a test in it fails; `what` names the run.
inline void RunScreens(const ConsoleForTests& c, const std::string& script,
                       std::map<std::string, std::string> env, const std::string& log,
                       const std::string& what) {
  env["CONSOLE_DIR"] = c.dir;
  env["RENKEI_CHROMIUM"] = c.chromium;
  env["RENKEI_SCREENSHOT_DIR"] = c.screenshots;
  auto node = ChildProcess::Spawn(
      {"/bin/sh", "-c", "cd \"$CONSOLE_DIR\" && exec node tests/screens/" + script}, env, log);
  ASSERT_TRUE(node.ok()) << node.status();
  int status = 0;
  const bool exited = (*node)->WaitExit(std::chrono::minutes(5), &status);
  const std::string output = ReadFile(log);
  std::cout << output;
  ASSERT_TRUE(exited) << what << ": the browser tests did not finish in 5 minutes";
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what << " failed:\n" << output;
}

}  // namespace renkei::testing
