#!/usr/bin/env bash
# Sets up the machine (apt, idempotent), builds everything and runs every test:
# unit, integration (real nats-server and RocksDB) and scenario tests, plus the format check,
# clang-tidy (tools/tidy.sh) and the unit tests again under ASan + UBSan (tools/sanitize.sh).
# Exit status: 0 when everything passed. Extra arguments go to the main ctest run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)

bash tools/setup.sh
echo "== format check (clang-format, .clang-format)"
bash tools/format.sh --check
echo "== build"
bash tools/build.sh
echo "== clang-tidy (.clang-tidy; files unchanged since they passed are not checked again)"
bash tools/tidy.sh
echo "== tests"
(cd build && ctest --output-on-failure -j "${RENKEI_JOBS:-2}" --timeout 600 "$@")
echo "== unit tests under ASan + UBSan (build-asan/)"
bash tools/sanitize.sh
echo "== all tests passed in $(( $(date +%s) - start )) s"
