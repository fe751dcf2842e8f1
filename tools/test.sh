#!/usr/bin/env bash
# Sets up the machine (apt, idempotent), builds everything and runs every test:
# unit, integration (real nats-server and RocksDB) and scenario tests, plus the format check.
# Exit status: 0 when everything passed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)

bash tools/setup.sh
echo "== format check (clang-format, .clang-format)"
bash tools/format.sh --check
echo "== build"
bash tools/build.sh
echo "== tests"
cd build
ctest --output-on-failure -j "${RENKEI_JOBS:-2}" --timeout 600 "$@"
echo "== all tests passed in $(( $(date +%s) - start )) s"
