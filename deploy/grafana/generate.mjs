// Generates the Grafana dashboards of the three levels from one description, so they cannot drift
// apart: renkei-municipality.json, renkei-prefecture.json and renkei-national.json (Grafana's
// classic dashboard JSON, schemaVersion 42; import them, or provision this directory).
//
//   node deploy/grafana/generate.mjs           writes the three files beside this script
//   node deploy/grafana/generate.mjs --check   exits 1 when a checked-in file differs
//
// Every dashboard has a `datasource` variable (any Prometheus) and a `renkei_instance` variable
// (the instance's id: m132250, p13, national), and shows that instance's services. The
// prefecture's and the nation's also show the instances below them (the `renkei_parent` label of
// deploy/prometheus/prometheus.yml) and the consumers of the federation streams; the nation's
// adds the whole fleet. Metrics: services/common/include/renkei/common/metrics.h and
// services/gateway/gateway_metrics.cc. Checked by tests/ops/check-dashboards.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LEVELS = ['municipality', 'prefecture', 'national'];

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const OWN = 'renkei_instance="$renkei_instance"';
const BELOW = 'renkei_parent="$renkei_instance"';
const RATE = '$__rate_interval';
// The durable consumers that read the federation streams (RENKEI_CHILDREN, RENKEI_PARENT):
// directory_children/_parent, issues_escalations_<id>, issues_wide_area, training_parent_*,
// training_children_registrations, indicators_children_*/_parent_*, network_children/_parent,
// sharing_parent (services/*/*_module.cc).
const FEDERATION_CONSUMERS = 'consumer=~".*(children|parent|escalations|wide_area).*"';
// gRPC codes that mean the service failed, not that the caller was refused: UNKNOWN,
// DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS.
const SERVER_ERROR_CODES = 'code=~"2|4|8|10|12|13|14|15"';

const GREEN = 'green';
const ORANGE = 'orange';
const RED = 'red';

function target(refId, expr, legendFormat, instant) {
  return {
    datasource: DATASOURCE,
    editorMode: 'code',
    expr,
    instant,
    legendFormat,
    range: !instant,
    refId,
  };
}

function targets(queries, instant) {
  return queries.map(([expr, legend], i) => target(String.fromCharCode(65 + i), expr, legend, instant));
}

function thresholds(steps) {
  return { mode: 'absolute', steps: steps.map(([value, color]) => ({ color, value })) };
}

function timeseries(title, description, queries, { unit = 'short', min = 0, steps } = {}) {
  return {
    type: 'timeseries',
    title,
    description,
    datasource: DATASOURCE,
    size: { w: 12, h: 8 },
    fieldConfig: {
      defaults: {
        color: { mode: 'palette-classic' },
        custom: {
          drawStyle: 'line',
          fillOpacity: 10,
          lineWidth: 1,
          showPoints: 'never',
          spanNulls: false,
          ...(steps ? { thresholdsStyle: { mode: 'line' } } : {}),
        },
        min,
        thresholds: thresholds(steps ?? [[null, GREEN]]),
        unit,
      },
      overrides: [],
    },
    options: {
      legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets: targets(queries, false),
  };
}

function stat(title, description, queries, { unit = 'short', steps, mappings = [], w = 8 } = {}) {
  return {
    type: 'stat',
    title,
    description,
    datasource: DATASOURCE,
    size: { w, h: 5 },
    fieldConfig: {
      defaults: {
        color: { mode: 'thresholds' },
        mappings,
        noValue: 'no data',
        thresholds: thresholds(steps ?? [[null, GREEN]]),
        unit,
      },
      overrides: [],
    },
    options: {
      colorMode: 'background',
      graphMode: 'none',
      justifyMode: 'auto',
      orientation: 'auto',
      percentChangeColorMode: 'standard',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      showPercentChange: false,
      textMode: 'value_and_name',
      wideLayout: true,
    },
    targets: targets(queries, true),
  };
}

function row(title) {
  return { type: 'row', title, collapsed: false, panels: [], size: { w: 24, h: 1 } };
}

const UP_DOWN = [
  {
    type: 'value',
    options: { 0: { color: RED, index: 0, text: 'DOWN' }, 1: { color: GREEN, index: 1, text: 'UP' } },
  },
];
const WRITABLE = [
  {
    type: 'value',
    options: {
      0: { color: RED, index: 0, text: 'REFUSES WRITES' },
      1: { color: GREEN, index: 1, text: 'writable' },
    },
  },
];

// The instance's own services: what the municipality's dashboard is, and the top of the others.
function instancePanels(level) {
  const panels = [
    row('Services'),
    stat(
      'Services up',
      'Whether Prometheus can scrape each service (RenkeiServiceDown after 2 minutes).',
      [[`up{${OWN}, job=~"renkei-.*"}`, '{{job}}']],
      { steps: [[null, RED], [1, GREEN]], mappings: UP_DOWN, w: 12 },
    ),
    stat(
      'Versions',
      'Services per Renkei version: more than one version for a day is RenkeiMixedVersions.',
      [[`count by (version) (renkei_build_info{${OWN}})`, '{{version}}']],
      { steps: [[null, 'blue']], w: 6 },
    ),
    stat(
      'Store format',
      'The data format version of each service\'s store (migrated forward at start-up).',
      [[`renkei_store_format_version{${OWN}}`, '{{service}}']],
      { steps: [[null, 'blue']], w: 6 },
    ),
    row('Requests (gRPC)'),
    timeseries(
      'Requests by method',
      'gRPC requests per second, by service and method.',
      [[`sum by (service, method) (rate(renkei_rpc_requests_total{${OWN}}[${RATE}]))`, '{{service}} {{method}}']],
      { unit: 'reqps' },
    ),
    timeseries(
      'Server errors by method',
      'Share of requests answered with a server-side gRPC error (UNKNOWN, DEADLINE_EXCEEDED, ' +
        'RESOURCE_EXHAUSTED, ABORTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS); refusals ' +
        'of bad or unauthorized requests are not counted.',
      [[
        `sum by (service, method) (rate(renkei_rpc_requests_total{${OWN}, ${SERVER_ERROR_CODES}}[${RATE}]))` +
          ` / sum by (service, method) (rate(renkei_rpc_requests_total{${OWN}}[${RATE}]))`,
        '{{service}} {{method}}',
      ]],
      { unit: 'percentunit', steps: [[null, GREEN], [0.01, RED]] },
    ),
    timeseries(
      'p99 latency by method',
      '99th percentile of gRPC handling time, by service and method.',
      [[
        `histogram_quantile(0.99, sum by (service, method, le) (rate(renkei_rpc_latency_seconds_bucket{${OWN}}[${RATE}])))`,
        '{{service}} {{method}}',
      ]],
      { unit: 's' },
    ),
    timeseries(
      'Retried commands answered from their record',
      'Commands repeated with the same request id and answered without applying them twice.',
      [[`sum by (service) (rate(renkei_request_replays_total{${OWN}}[${RATE}]))`, '{{service}}']],
      { unit: 'reqps' },
    ),
    row('Events'),
    timeseries(
      'Outbox pending',
      'Events written with their command and not yet acknowledged by JetStream ' +
        '(RenkeiOutboxNotDraining when nothing is published for 10 minutes).',
      [[`renkei_outbox_records{${OWN}, state="pending"}`, '{{service}}']],
    ),
    timeseries(
      'Events published',
      'Events the outbox relays publish to JetStream, per second.',
      [[`sum by (service) (rate(renkei_outbox_events_published_total{${OWN}}[${RATE}]))`, '{{service}}']],
      { unit: 'ops' },
    ),
    timeseries(
      'Consumer lag',
      'Events in the stream each durable consumer has not handled yet (RenkeiConsumerLag).',
      [[`renkei_consumer_pending{${OWN}}`, '{{service}} {{consumer}}']],
      { steps: [[null, GREEN], [1000, ORANGE]] },
    ),
    timeseries(
      'Events waiting for an upgrade',
      'Events from a newer Renkei version held until this service is upgraded ' +
        '(RenkeiEventsWaitingForUpgrade after an hour).',
      [[`renkei_events_parked{${OWN}}`, '{{service}} {{consumer}}']],
      { steps: [[null, GREEN], [1, ORANGE]] },
    ),
    timeseries(
      'Events consumed by result',
      'Events handled by the durable consumers per second: applied, duplicate, ignored, retried, rejected.',
      [[`sum by (consumer, result) (rate(renkei_events_consumed_total{${OWN}}[${RATE}]))`, '{{consumer}} {{result}}']],
      { unit: 'ops' },
    ),
    stat(
      'Stream history gaps',
      'Events a service published that the stream no longer holds, not yet accepted ' +
        '(RenkeiStreamHistoryGap).',
      [[`renkei_stream_history_gap{${OWN}}`, '{{service}}']],
      { steps: [[null, GREEN], [1, RED]], w: 12 },
    ),
    row('Storage and audit'),
    stat(
      'Store writable',
      'Whether each service\'s store accepts writes (RenkeiStoreNotWritable after a minute).',
      [[`renkei_store_writable{${OWN}}`, '{{service}}']],
      { steps: [[null, RED], [1, GREEN]], mappings: WRITABLE, w: 12 },
    ),
    stat(
      'Certificate days left',
      'Days until each certificate file a service uses expires (RenkeiCertificateExpiring: ' +
        'warning under 21, critical under 7).',
      [[`min by (file) (renkei_certificate_expiry_timestamp_seconds{${OWN}} - time()) / 86400`, '{{file}}']],
      { unit: 'd', steps: [[null, RED], [7, ORANGE], [21, GREEN]], w: 12 },
    ),
    timeseries(
      'Disk free',
      'Free share of the file system holding each service\'s data directory (RenkeiDiskFilling: ' +
        'full within a day at the 6-hour trend, or under 5%).',
      [[`renkei_store_disk_free_bytes{${OWN}} / renkei_store_disk_total_bytes{${OWN}}`, '{{service}}']],
      { unit: 'percentunit', steps: [[null, RED], [0.05, ORANGE], [0.2, GREEN]] },
    ),
    timeseries(
      'Disk free (bytes)',
      'Free bytes on the file system of each service\'s data directory.',
      [[`renkei_store_disk_free_bytes{${OWN}}`, '{{service}}']],
      { unit: 'bytes' },
    ),
    timeseries(
      'Audit records not sealed yet',
      'Journal records waiting to be chained (sealed every 100 ms; RenkeiAuditSealingFailing).',
      [[`renkei_audit_unsealed_entries{${OWN}}`, '{{service}}']],
    ),
    timeseries(
      'Since the last audit seal',
      'Time since each service last sealed its audit journal, and seal failures.',
      [
        [`time() - renkei_audit_last_seal_timestamp_seconds{${OWN}}`, '{{service}}'],
        [`increase(renkei_audit_seal_failures_total{${OWN}}[${RATE}])`, '{{service}} failures'],
      ],
      { unit: 's', steps: [[null, GREEN], [600, RED]] },
    ),
    row('Console (gateway)'),
    timeseries(
      'Gateway requests by status',
      'HTTP requests the gateway answered per second, by status code.',
      [[`sum by (status) (rate(renkei_gateway_requests_total{${OWN}}[${RATE}]))`, '{{status}}']],
      { unit: 'reqps' },
    ),
    timeseries(
      'Gateway p99 by route',
      '99th percentile of the time from a request\'s arrival to its answer, by route pattern.',
      [[
        `histogram_quantile(0.99, sum by (route, le) (rate(renkei_gateway_request_seconds_bucket{${OWN}}[${RATE}])))`,
        '{{route}}',
      ]],
      { unit: 's' },
    ),
    timeseries(
      'Log-ins by result',
      'Console log-in steps per minute: success, wrong_password, wrong_second_factor, disabled, locked.',
      [[`sum by (result) (rate(renkei_gateway_logins_total{${OWN}}[${RATE}])) * 60`, '{{result}}']],
      { unit: 'short' },
    ),
    timeseries(
      'Sessions',
      'Log-ins waiting for a step, and sessions ended before they expired (per minute).',
      [
        [`renkei_gateway_pending_logins{${OWN}}`, 'pending log-ins'],
        [`rate(renkei_gateway_sessions_revoked_total{${OWN}}[${RATE}]) * 60`, 'revoked per minute'],
      ],
    ),
  ];
  if (level === 'municipality') {
    panels.push(
      timeseries(
        'Derived indicators that differ',
        'Derived indicator figures that differ from what intake, issues and training count ' +
          '(hourly comparison; RenkeiDerivedIndicatorsDiffer).',
        [[`renkei_derived_differences{${OWN}}`, '{{service}}']],
        { steps: [[null, GREEN], [1, ORANGE]] },
      ),
    );
  }
  return panels;
}

// The consumers of the federation streams at this instance.
function federationPanels() {
  return [
    row('Federation consumers (this instance)'),
    timeseries(
      'Federation consumer lag',
      'Events of RENKEI_CHILDREN and RENKEI_PARENT not handled yet by this instance\'s consumers.',
      [[`renkei_consumer_pending{${OWN}, ${FEDERATION_CONSUMERS}}`, '{{service}} {{consumer}}']],
      { steps: [[null, GREEN], [1000, ORANGE]] },
    ),
    timeseries(
      'Federation events consumed',
      'Events from the instances below and above applied (or skipped) per second.',
      [[
        `sum by (consumer, result) (rate(renkei_events_consumed_total{${OWN}, ${FEDERATION_CONSUMERS}}[${RATE}]))`,
        '{{consumer}} {{result}}',
      ]],
      { unit: 'ops' },
    ),
    timeseries(
      'Federation events waiting for an upgrade',
      'Events from instances on a newer Renkei version held by this instance\'s consumers.',
      [[`renkei_events_parked{${OWN}, ${FEDERATION_CONSUMERS}}`, '{{service}} {{consumer}}']],
      { steps: [[null, GREEN], [1, ORANGE]] },
    ),
  ];
}

// The instances whose parent is this one: a prefecture's municipalities, the nation's prefectures.
function belowPanels(level) {
  const below = level === 'prefecture' ? 'municipalities' : 'prefectures';
  return [
    row(`Instances below (${below})`),
    stat(
      'Firing alerts per instance',
      `Alerts firing at each of the ${below}, by severity.`,
      [[`sum by (renkei_instance, severity) (ALERTS{${BELOW}, alertstate="firing"})`, '{{renkei_instance}} {{severity}}']],
      { steps: [[null, ORANGE]], w: 12 },
    ),
    stat(
      'Services down per instance',
      `Services Prometheus cannot scrape at each of the ${below}.`,
      [[`sum by (renkei_instance) (1 - up{${BELOW}, job=~"renkei-.*"})`, '{{renkei_instance}}']],
      { steps: [[null, GREEN], [1, RED]], w: 12 },
    ),
    stat(
      'Instances per version',
      `How many of the ${below} run each Renkei version (upgrades proceed one instance at a time).`,
      [[`count by (version) (count by (renkei_instance, version) (renkei_build_info{${BELOW}}))`, '{{version}}']],
      { steps: [[null, 'blue']], w: 8 },
    ),
    stat(
      'Stream history gaps per instance',
      'Events lost from the stream of each instance below, not yet accepted: they never arrive here.',
      [[`sum by (renkei_instance) (renkei_stream_history_gap{${BELOW}})`, '{{renkei_instance}}']],
      { steps: [[null, GREEN], [1, RED]], w: 8 },
    ),
    stat(
      'Certificate days left (soonest)',
      'Days until the first certificate of each instance below expires.',
      [[`min by (renkei_instance) (renkei_certificate_expiry_timestamp_seconds{${BELOW}} - time()) / 86400`, '{{renkei_instance}}']],
      { unit: 'd', steps: [[null, RED], [7, ORANGE], [21, GREEN]], w: 8 },
    ),
    timeseries(
      'Outbox pending per instance',
      'Events waiting in the outboxes of each instance below: they have not reached its stream, ' +
        'so not this one either.',
      [[`sum by (renkei_instance) (renkei_outbox_records{${BELOW}, state="pending"})`, '{{renkei_instance}}']],
    ),
    timeseries(
      'Events published per instance',
      'Events each instance below publishes to its stream, per second.',
      [[`sum by (renkei_instance) (rate(renkei_outbox_events_published_total{${BELOW}}[${RATE}]))`, '{{renkei_instance}}']],
      { unit: 'ops' },
    ),
    timeseries(
      'Consumer lag per instance',
      'Events waiting for the consumers of each instance below (among them what comes down from here).',
      [[`sum by (renkei_instance) (renkei_consumer_pending{${BELOW}})`, '{{renkei_instance}}']],
    ),
    timeseries(
      'Events waiting for an upgrade per instance',
      'Events an instance below holds because they come from a newer version than it runs.',
      [[`sum by (renkei_instance) (renkei_events_parked{${BELOW}})`, '{{renkei_instance}}']],
      { steps: [[null, GREEN], [1, ORANGE]] },
    ),
    timeseries(
      'Lowest disk free per instance',
      'The fullest data file system of each instance below.',
      [[
        `min by (renkei_instance) (renkei_store_disk_free_bytes{${BELOW}} / renkei_store_disk_total_bytes{${BELOW}})`,
        '{{renkei_instance}}',
      ]],
      { unit: 'percentunit', steps: [[null, RED], [0.05, ORANGE], [0.2, GREEN]] },
    ),
    timeseries(
      'Server error ratio per instance',
      'Share of gRPC requests failing on the server side at each instance below.',
      [[
        `sum by (renkei_instance) (rate(renkei_rpc_requests_total{${BELOW}, ${SERVER_ERROR_CODES}}[${RATE}]))` +
          ` / sum by (renkei_instance) (rate(renkei_rpc_requests_total{${BELOW}}[${RATE}]))`,
        '{{renkei_instance}}',
      ]],
      { unit: 'percentunit', steps: [[null, GREEN], [0.01, RED]] },
    ),
  ];
}

// Every instance of the country (the national dashboard only).
function fleetPanels() {
  return [
    row('All instances'),
    stat(
      'Instances reporting by level',
      'Instances with at least one service scraped, by level (1,741 municipal instances in all).',
      [[`count by (renkei_level) (count by (renkei_level, renkei_instance) (up{job=~"renkei-.*"} == 1))`, '{{renkei_level}}']],
      { steps: [[null, 'blue']], w: 8 },
    ),
    stat(
      'Services down by level',
      'Services Prometheus cannot scrape, by level.',
      [[`sum by (renkei_level) (1 - up{job=~"renkei-.*"})`, '{{renkei_level}}']],
      { steps: [[null, GREEN], [1, RED]], w: 8 },
    ),
    stat(
      'Instances per version (all)',
      'How many instances of any level run each Renkei version.',
      [[`count by (version) (count by (renkei_instance, version) (renkei_build_info))`, '{{version}}']],
      { steps: [[null, 'blue']], w: 8 },
    ),
    timeseries(
      'Firing alerts by name',
      'Alerts firing anywhere, by alert and severity.',
      [[`sum by (alertname, severity) (ALERTS{alertstate="firing", renkei_instance!=""})`, '{{alertname}} {{severity}}']],
    ),
    timeseries(
      'Instances with events waiting for an upgrade',
      'Instances holding events of a newer version, by level: how far an upgrade has to go.',
      [[`count by (renkei_level) (sum by (renkei_level, renkei_instance) (renkei_events_parked) > 0)`, '{{renkei_level}}']],
    ),
  ];
}

// Places panels left to right in rows of 24 columns; a row header starts a new line.
function layout(panels) {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return panels.map((panel, i) => {
    const { size, ...rest } = panel;
    if (x + size.w > 24 || panel.type === 'row') {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const placed = { id: i + 1, gridPos: { h: size.h, w: size.w, x, y }, ...rest };
    x += size.w;
    lineHeight = Math.max(lineHeight, size.h);
    if (panel.type === 'row') {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    return placed;
  });
}

const TITLES = {
  municipality: 'Renkei — municipal instance',
  prefecture: 'Renkei — prefectural instance',
  national: 'Renkei — national instance',
};

export function dashboard(level) {
  if (!LEVELS.includes(level)) throw new Error(`unknown level ${level}`);
  const panels = [...instancePanels(level)];
  if (level !== 'municipality') panels.push(...federationPanels(), ...belowPanels(level));
  if (level === 'national') panels.push(...fleetPanels());
  return {
    uid: `renkei-${level}`,
    title: TITLES[level],
    description:
      'Generated by deploy/grafana/generate.mjs; alerts in deploy/prometheus/renkei-alerts.yml, ' +
      'runbooks in docs/runbooks.md.',
    tags: ['renkei', level],
    editable: true,
    fiscalYearStartMonth: 3,
    graphTooltip: 1,
    links: [
      {
        asDropdown: true,
        icon: 'external link',
        includeVars: false,
        keepTime: true,
        tags: ['renkei'],
        targetBlank: false,
        title: 'Renkei dashboards',
        tooltip: '',
        type: 'dashboards',
      },
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
        },
      ],
    },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          hide: 0,
          includeAll: false,
          multi: false,
          refresh: 1,
          regex: '',
          options: [],
        },
        {
          name: 'renkei_instance',
          label: 'Instance',
          type: 'query',
          datasource: DATASOURCE,
          query: `label_values(up{job=~"renkei-.*", renkei_level="${level}"}, renkei_instance)`,
          hide: 0,
          includeAll: false,
          multi: false,
          refresh: 2,
          regex: '',
          sort: 1,
          options: [],
        },
      ],
    },
    panels: layout(panels),
    refresh: '1m',
    schemaVersion: 42,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    version: 1,
    weekStart: '',
  };
}

export function render(level) {
  return `${JSON.stringify(dashboard(level), null, 2)}\n`;
}

export function fileOf(level) {
  return join(dirname(fileURLToPath(import.meta.url)), `renkei-${level}.json`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const level of LEVELS) {
    const file = fileOf(level);
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // A missing file is stale too.
      }
      if (current !== render(level)) {
        console.error(`${file} is not what generate.mjs makes: run node deploy/grafana/generate.mjs`);
        stale += 1;
      }
    } else {
      writeFileSync(file, render(level));
      console.log(`wrote ${file}`);
    }
  }
  process.exit(stale === 0 ? 0 : 1);
}
