#!/usr/bin/env bash
# Configures and builds into build/ (Release; RENKEI_BUILD_DIR elsewhere). Usage:
# tools/build.sh [target...]. With no targets, builds everything (services, tools, tests,
# benchmarks) and the console (tools/console-build.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build="${RENKEI_BUILD_DIR:-$repo/build}"
jobs=${RENKEI_JOBS:-2}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if (($#)); then
  cmake --build "$build" -j "$jobs" --target "$@"
else
  cmake --build "$build" -j "$jobs"
  bash "$repo/tools/console-build.sh"
fi
