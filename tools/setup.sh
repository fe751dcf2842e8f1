#!/usr/bin/env bash
# Installs exactly the Debian packages Renkei builds, runs and tests with. Idempotent: packages that
# are already installed are not touched, and `apt-get update` runs only when something is missing.
set -euo pipefail

packages=(
  # toolchain (clang-format: the format check in tools/test.sh; clang-tidy-14, clang-14 for its
  # cache key and jq for compile_commands.json: tools/tidy.sh)
  build-essential cmake pkg-config ccache clang-format git openssl clang-tidy-14 clang-14 jq
  # the stack (see docs/building.md)
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libnats-dev nats-server librocksdb-dev libabsl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev
  # the training scenario test parses our .ics exports with a real iCalendar parser, the gateway
  # test the public notices' Atom feed with a real feed parser
  python3 python3-icalendar python3-feedparser
  # command line parsing (renkeictl) and the Prometheus endpoint; promtool (in Debian's prometheus)
  # checks the gateway's /metrics in a test
  libcli11-dev prometheus-cpp-dev prometheus
  # renkeictl federation status reads nats-server monitoring and the services' metrics over HTTP
  libcpp-httplib-dev
  # bearer tokens (Ed25519 signatures), encryption of personal fields, console passwords (Argon2id)
  libsodium-dev
  # resource surveys: the letters' QR codes, e-mail through the instance's SMTP server; the survey
  # test's real local SMTP server and the independent QR decoder that reads a printed letter
  libqrencode-dev libcurl4-openssl-dev python3-aiosmtpd zbar-tools
  # the console's browser tests (Playwright drives Debian's chromium; Japanese glyphs for its
  # screenshots) and the gateway benchmark
  chromium fonts-noto-cjk wrk
  # the Debian package and its test (tests/package): dpkg-shlibdeps for cpack's Depends, systemd
  # for systemd-analyze and the units run under a real systemd, adduser for its postinst
  dpkg-dev systemd adduser procps curl file
)
# The console is bundled with npm (console/package.json). Node.js from Debian (18) unless a node
# with npm is already installed (e.g. NodeSource's, whose nodejs package conflicts with Debian's
# npm). Built and tested here with Node 20 only.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
