#!/bin/bash
# The operations files' checks, one per ctest test (tests/ops/CMakeLists.txt, label "ops"):
#
#   check-ops.sh config         promtool check config deploy/prometheus/prometheus.yml
#   check-ops.sh rules          promtool check rules on the alert rules, and each alert has a
#                               severity (warning|critical), a summary, a description and a
#                               runbook_url whose anchor is a section of docs/runbooks.md
#   check-ops.sh alert-tests    promtool test rules deploy/prometheus/renkei-alerts.test.yml
#   check-ops.sh dashboards     node tests/ops/check-dashboards.mjs (generator, Grafana schema,
#                               layout, every query through promtool)
#   check-ops.sh metric-names   every renkei_* metric the rules and dashboards read is one the
#                               services or the gateway define, and every label their queries
#                               use (by/without/on/ignoring, selectors) is one the services set
#                               or the scrape adds (check-metrics.py; tests are not exports)
#   check-ops.sh selftest       each check above fails on a broken copy of its input
#
# Optional second argument: the source tree (default: two levels up from this script).
# Environment (used by selftest to point a check at a broken copy): OPS_PROMETHEUS_DIR,
# OPS_RUNBOOKS, OPS_DASHBOARDS (space-separated files), OPS_SERVICES_DIR.
set -euo pipefail

what=${1:?usage: check-ops.sh config|rules|alert-tests|dashboards|metric-names|selftest [source-dir]}
src=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
prometheus_dir=${OPS_PROMETHEUS_DIR:-$src/deploy/prometheus}
runbooks=${OPS_RUNBOOKS:-$src/docs/runbooks.md}
services_dir=${OPS_SERVICES_DIR:-$src/services}
read -r -a dashboards <<<"${OPS_DASHBOARDS:-$src/deploy/grafana/renkei-municipality.json $src/deploy/grafana/renkei-prefecture.json $src/deploy/grafana/renkei-national.json}"

need() {
  command -v "$1" >/dev/null || { echo "$1 is not installed (tools/setup.sh installs it)" >&2; exit 1; }
}

# GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to hyphens.
anchors() {
  sed -n 's/^#\{1,6\} \+//p' "$1" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}

check_rules() {
  local rules=$prometheus_dir/renkei-alerts.yml
  need promtool
  promtool check rules "$rules"
  [[ -f $runbooks ]] || { echo "$runbooks is missing" >&2; return 1; }
  local known problems=0
  known=$(anchors "$runbooks")
  # One block per rule: from "- alert:" (or "- record:") to the next.
  while IFS=$'\t' read -r alert severity summary description url; do
    [[ $severity =~ ^(warning|critical)$ ]] ||
      { echo "$alert: severity '$severity' is not warning or critical" >&2; problems=1; }
    [[ $summary == 1 && $description == 1 ]] ||
      { echo "$alert: needs exactly one summary and one description annotation" >&2; problems=1; }
    if [[ $url != docs/runbooks.md#* ]]; then
      echo "$alert: runbook_url '$url' does not point into docs/runbooks.md" >&2; problems=1
    elif ! grep -qxF "${url#docs/runbooks.md#}" <<<"$known"; then
      echo "$alert: $url has no section in $runbooks" >&2; problems=1
    fi
  done < <(awk '
    function flush() {
      if (name != "") printf "%s\t%s\t%d\t%d\t%s\n", name, severity, summary, description, url
      name = ""; severity = ""; summary = 0; description = 0; url = ""
    }
    /^ *- (alert|record):/ { flush(); if ($2 == "alert:") name = $3 }
    name != "" && /^ +severity:/ { severity = $2 }
    name != "" && /^ +summary:/ { summary++ }
    name != "" && /^ +description:/ { description++ }
    name != "" && /^ +runbook_url:/ { url = $2 }
    END { flush() }' "$rules")
  local count
  count=$(grep -c '^ *- alert:' "$rules")
  [[ $count -gt 0 ]] || { echo "no alerts in $rules" >&2; return 1; }
  [[ $problems == 0 ]] || return 1
  echo "OK: $count alert rules, each with severity, summary, description and a runbook section"
}

check_metric_names() {
  need python3
  python3 "$src/tests/ops/check-metrics.py" "$prometheus_dir" "$services_dir" "${dashboards[@]}"
}

# Runs check $1 with the environment in $2.. and expects it to fail.
expect_failure() {
  local check=$1
  shift
  if env "$@" bash "$0" "$check" "$src" >/dev/null 2>&1; then
    echo "selftest: '$check' passed with a broken input ($*)" >&2
    return 1
  fi
  echo "selftest: '$check' fails as it should ($*)"
}

selftest() {
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/ok" "$tmp/config" "$tmp/syntax" "$tmp/threshold" "$tmp/runbook" "$tmp/metric" \
    "$tmp/by-label" "$tmp/matcher-label"
  cp "$prometheus_dir"/* "$tmp/ok/"
  # The unchanged copy passes: the failures below come from the breakage, not from the copy.
  OPS_PROMETHEUS_DIR=$tmp/ok bash "$0" alert-tests "$src" >/dev/null
  for d in config syntax threshold runbook metric by-label matcher-label; do cp "$prometheus_dir"/* "$tmp/$d/"; done
  sed -i 's/^  scrape_interval: 15s/  scrape_interval: 15 seconds/' "$tmp/config/prometheus.yml"
  expect_failure config OPS_PROMETHEUS_DIR="$tmp/config"
  sed -i 's/expr: renkei_store_writable == 0/expr: renkei_store_writable == = 0/' "$tmp/syntax/renkei-alerts.yml"
  expect_failure rules OPS_PROMETHEUS_DIR="$tmp/syntax"
  expect_failure config OPS_PROMETHEUS_DIR="$tmp/syntax"
  # A wrong threshold is valid PromQL: only the unit tests see it.
  sed -i 's/expr: renkei_stream_history_gap > 0/expr: renkei_stream_history_gap > 10/' "$tmp/threshold/renkei-alerts.yml"
  OPS_PROMETHEUS_DIR=$tmp/threshold bash "$0" rules "$src" >/dev/null
  expect_failure alert-tests OPS_PROMETHEUS_DIR="$tmp/threshold"
  sed -i 's/#renkeiconsumerlag/#renkei-consumer-lag/' "$tmp/runbook/renkei-alerts.yml"
  expect_failure rules OPS_PROMETHEUS_DIR="$tmp/runbook"
  sed -i 's/renkei_events_parked > 0/renkei_events_held > 0/' "$tmp/metric/renkei-alerts.yml"
  expect_failure metric-names OPS_PROMETHEUS_DIR="$tmp/metric"
  # Labels no service sets: in a `by (...)` clause and in a selector.
  sed -i '0,/min by (renkei_instance, renkei_level, renkei_parent, file)/s//min by (renkei_instance, renkei_level, renkei_parent, path)/' \
    "$tmp/by-label/renkei-alerts.yml"
  expect_failure metric-names OPS_PROMETHEUS_DIR="$tmp/by-label"
  sed -i 's/renkei_outbox_records{state="pending"}/renkei_outbox_records{phase="pending"}/' \
    "$tmp/matcher-label/renkei-alerts.yml"
  expect_failure metric-names OPS_PROMETHEUS_DIR="$tmp/matcher-label"
  # A metric that only a *_test.cc names, a label that only a file in a tests/ directory sets:
  # neither is exported.
  cp -r "$services_dir" "$tmp/services"
  mkdir -p "$tmp/services/intake/tests"
  echo 'TEST(Metrics, Held) { metrics.SetGauge("renkei_events_held", "held", 1); }' \
    >"$tmp/services/intake/held_test.cc"
  echo 'void Phase() { metrics.SetGauge("renkei_outbox_records", "o", 1, {{"phase", "x"}}); }' \
    >"$tmp/services/intake/tests/phase.cc"
  OPS_SERVICES_DIR=$tmp/services bash "$0" metric-names "$src" >/dev/null
  expect_failure metric-names OPS_PROMETHEUS_DIR="$tmp/metric" OPS_SERVICES_DIR="$tmp/services"
  expect_failure metric-names OPS_PROMETHEUS_DIR="$tmp/matcher-label" OPS_SERVICES_DIR="$tmp/services"
  # A dashboard with an unknown panel option, one with a query promtool cannot parse.
  node -e '
    const fs = require("fs");
    const [from, bad, unparsable] = process.argv.slice(1);
    const d = JSON.parse(fs.readFileSync(from, "utf8"));
    const stat = d.panels.find((p) => p.type === "stat");
    stat.options.colorMode = "blinking";
    fs.writeFileSync(bad, JSON.stringify(d, null, 2));
    stat.options.colorMode = "background";
    d.panels.find((p) => p.type === "timeseries").targets[0].expr += " by";
    fs.writeFileSync(unparsable, JSON.stringify(d, null, 2));
  ' "${dashboards[0]}" "$tmp/bad-option.json" "$tmp/unparsable.json"
  expect_failure dashboards OPS_DASHBOARDS="$tmp/bad-option.json"
  expect_failure dashboards OPS_DASHBOARDS="$tmp/unparsable.json"
  # A checked-in dashboard edited by hand instead of through the generator.
  mkdir -p "$tmp/grafana"
  cp "$src"/deploy/grafana/* "$tmp/grafana/"
  sed -i '0,/"title": "Services up"/s//"title": "Services UP"/' "$tmp/grafana/renkei-municipality.json"
  if node "$tmp/grafana/generate.mjs" --check >/dev/null 2>&1; then
    echo "selftest: generate.mjs --check passed a hand-edited dashboard" >&2
    return 1
  fi
  echo "selftest: generate.mjs --check fails on a hand-edited dashboard"
}

case $what in
  config)
    need promtool
    promtool check config "$prometheus_dir/prometheus.yml"
    ;;
  rules) check_rules ;;
  alert-tests)
    need promtool
    cd "$prometheus_dir"
    promtool test rules renkei-alerts.test.yml
    ;;
  dashboards)
    need node
    need promtool
    node "$src/tests/ops/check-dashboards.mjs" "${dashboards[@]}"
    ;;
  metric-names) check_metric_names ;;
  selftest) selftest ;;
  *)
    echo "unknown check '$what'" >&2
    exit 2
    ;;
esac
