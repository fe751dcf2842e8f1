#!/usr/bin/env bash
# ASan + UBSan over the unit tests (CTest label `unit`, see renkei_unit_test in
# tools/cmake/renkei.cmake): configures build-asan/ (RENKEI_ASAN_BUILD_DIR elsewhere), builds only
# the unit-test executables and runs them. Any report fails the run: UBSan halts on its first
# (-fno-sanitize-recover), ASan always does, and LeakSanitizer reports leaks at exit.
# Extra arguments go to ctest. RENKEI_JOBS as build.sh (default 2).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build="${RENKEI_ASAN_BUILD_DIR:-$repo/build-asan}"
jobs=${RENKEI_JOBS:-2}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  # -O1: ASan's recommendation (readable reports, tests at a reasonable speed); -g1: line tables
  # for the stack traces without the cost of full debug information. Debug keeps assert() on.
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DRENKEI_SANITIZE=address,undefined -DRENKEI_BUILD_BENCHMARKS=OFF >/dev/null
fi
cmake --build "$build" -j "$jobs" --target renkei_unit_tests
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$build"
ctest -L unit --output-on-failure -j "$jobs" --timeout 600 "$@"
