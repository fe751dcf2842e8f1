// Checks the Grafana dashboards of deploy/grafana/ without a Grafana (Debian has none):
//   1. each checked-in JSON is exactly what deploy/grafana/generate.mjs makes;
//   2. each one type-checks (tsc, strict) against Grafana's own dashboard schema as published in
//      @grafana/schema (the TypeScript generated from Grafana's CUE schema of the classic
//      dashboard JSON, and of the timeseries and stat panels' options), as object literals, so a
//      missing required field, a wrong type, an unknown value of an enumeration or an unknown key
//      fails; Prometheus targets against the fields Grafana's Prometheus query has;
//   3. layout and wiring: unique panel ids, panels inside the 24-column grid without overlaps,
//      every panel and target on the templated `${datasource}`, the `datasource` and
//      `renkei_instance` variables present;
//   4. every PromQL expression (targets and the variable's query) parses: promtool check rules
//      over a temporary rules file, with Grafana's variables replaced by sample values.
// Usage: node tests/ops/check-dashboards.mjs [dashboard.json ...] (default: the three levels).
// Needs console/node_modules (tools/console-build.sh or `npm ci` in console/) and promtool.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONSOLE_MODULES = join(SOURCE, 'console/node_modules');
const { LEVELS, fileOf, render } = await import(join(SOURCE, 'deploy/grafana/generate.mjs'));

const failures = [];
const fail = (file, message) => failures.push(`${basename(file)}: ${message}`);

const files = (process.argv.length > 2 ? process.argv.slice(2) : LEVELS.map(fileOf)).map((f) =>
  realpathSync(f),
);

// 1. The generator's output.
for (const level of LEVELS) {
  const file = realpathSync(fileOf(level));
  if (!files.includes(file)) continue;
  if (readFileSync(file, 'utf8') !== render(level)) {
    fail(file, 'differs from what deploy/grafana/generate.mjs makes (run it and commit the result)');
  }
}

const dashboards = files.map((file) => ({ file, json: JSON.parse(readFileSync(file, 'utf8')) }));

// 2. Grafana's schema.
const SCHEMA = '@grafana/schema/dist/esm/raw';
const PRELUDE = `
import type * as G from '${SCHEMA}/dashboard/x/Dashboard_types.gen';
import type * as TimeSeries from '${SCHEMA}/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type * as Stat from '${SCHEMA}/composable/stat/panelcfg/x/StatPanelCfg_types.gen';

// JSON has no TypeScript enums: a string enum stands for the union of its values.
type Json<T> = T extends string
  ? \`\${T}\`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer E)[]
      ? Json<E>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

// The fields of Grafana's Prometheus query (its dataquery schema) that dashboards set.
interface PrometheusTarget {
  datasource: { type: 'prometheus'; uid: string };
  editorMode?: 'code' | 'builder';
  exemplar?: boolean;
  expr: string;
  format?: 'time_series' | 'table' | 'heatmap';
  hide?: boolean;
  instant?: boolean;
  interval?: string;
  legendFormat?: string;
  range?: boolean;
  refId: string;
}

type FieldConfigSource<Custom> = Omit<Json<G.FieldConfigSource>, 'defaults'> & {
  defaults: Omit<Json<G.FieldConfig>, 'custom'> & { custom?: Json<Custom> };
};
type PanelOf<Type extends string, Options, Custom> = Omit<
  Json<G.Panel>,
  'type' | 'options' | 'fieldConfig' | 'targets'
> & {
  type: Type;
  options: Json<Options>;
  fieldConfig: FieldConfigSource<Custom>;
  targets: PrometheusTarget[];
};
type TimeSeriesPanel = PanelOf<'timeseries', TimeSeries.Options, TimeSeries.FieldConfig>;
type StatPanel = PanelOf<'stat', Stat.Options, {}>;
type CheckedDashboard = Omit<Json<G.Dashboard>, 'panels'> & {
  panels: (TimeSeriesPanel | StatPanel | Json<G.RowPanel>)[];
};
`;

// The JSON starts on the header's last line, so a TypeScript line minus this is the JSON's line.
const header = `${PRELUDE}\nexport const dashboard = `;
const jsonStart = header.split('\n').length - 1;
const work = mkdtempSync(join(tmpdir(), 'renkei-dashboards-'));
try {
  symlinkSync(CONSOLE_MODULES, join(work, 'node_modules'), 'dir');
  const sources = [];
  for (const [i, { file, json }] of dashboards.entries()) {
    const name = `dashboard${i}.ts`;
    sources.push(name);
    writeFileSync(join(work, name), `${header}${JSON.stringify(json, null, 2)} satisfies CheckedDashboard;\n`);
  }
  writeFileSync(
    join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        types: [],
      },
      files: sources,
    }),
  );
  try {
    execFileSync(join(CONSOLE_MODULES, '.bin/tsc'), ['-p', work], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || String(e);
    // Name the dashboard and the line of its JSON instead of the temporary file's.
    failures.push(
      out.replace(/\S*dashboard(\d+)\.ts\((\d+),(\d+)\)/g, (_, n, line, column) => {
        const at = Number(line) - jsonStart;
        return `${basename(dashboards[Number(n)].file)}:${at}:${column}`;
      }),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// 3. Layout and wiring.
for (const { file, json } of dashboards) {
  const variables = new Map((json.templating?.list ?? []).map((v) => [v.name, v]));
  if (variables.get('datasource')?.type !== 'datasource' || variables.get('datasource')?.query !== 'prometheus') {
    fail(file, 'no `datasource` variable of type datasource (prometheus)');
  }
  if (variables.get('renkei_instance')?.type !== 'query') fail(file, 'no `renkei_instance` query variable');
  const ids = new Set();
  const cells = new Map();
  for (const panel of json.panels ?? []) {
    const where = `panel ${panel.id} "${panel.title}"`;
    if (ids.has(panel.id)) fail(file, `${where}: id used twice`);
    ids.add(panel.id);
    const { x, y, w, h } = panel.gridPos ?? {};
    if (![x, y, w, h].every(Number.isInteger) || x < 0 || w < 1 || h < 1 || x + w > 24) {
      fail(file, `${where}: gridPos outside the 24-column grid`);
      continue;
    }
    for (let cx = x; cx < x + w; cx += 1) {
      for (let cy = y; cy < y + h; cy += 1) {
        const other = cells.get(`${cx},${cy}`);
        if (other !== undefined) fail(file, `${where}: overlaps panel ${other} at (${cx},${cy})`);
        cells.set(`${cx},${cy}`, panel.id);
      }
    }
    if (panel.type === 'row') continue;
    if (panel.datasource?.uid !== '${datasource}') fail(file, `${where}: datasource is not \${datasource}`);
    if (!panel.targets?.length) fail(file, `${where}: no query`);
    for (const t of panel.targets ?? []) {
      if (t.datasource?.uid !== '${datasource}') fail(file, `${where} ${t.refId}: datasource is not \${datasource}`);
      if (!t.expr?.includes('renkei_')) fail(file, `${where} ${t.refId}: the query reads no renkei metric`);
    }
  }
}

// 4. PromQL.
const SAMPLES = [
  [/\$__rate_interval|\$__interval|\$__range/g, '5m'],
  [/\$renkei_instance|\$\{renkei_instance\}/g, 'm132250'],
];
const rules = [];
for (const { file, json } of dashboards) {
  const exprs = [];
  for (const panel of json.panels ?? []) {
    for (const t of panel.targets ?? []) exprs.push([`panel ${panel.id} ${t.refId}`, t.expr]);
  }
  for (const v of json.templating?.list ?? []) {
    const inner = typeof v.query === 'string' && /^label_values\((.*), *\w+\)$/.exec(v.query);
    if (inner) exprs.push([`variable ${v.name}`, inner[1]]);
  }
  for (const [where, expr] of exprs) {
    let sample = expr;
    for (const [pattern, value] of SAMPLES) sample = sample.replace(pattern, value);
    if (sample.includes('$')) fail(file, `${where}: unknown variable in ${expr}`);
    rules.push({ record: `dashboard:query:${rules.length}`, expr: sample, labels: { at: `${basename(file)} ${where}` } });
  }
}
const rulesDir = mkdtempSync(join(tmpdir(), 'renkei-dashboard-queries-'));
try {
  // JSON is YAML: promtool reads it as a rules file.
  const rulesFile = join(rulesDir, 'queries.yml');
  writeFileSync(rulesFile, JSON.stringify({ groups: [{ name: 'dashboard-queries', rules }] }, null, 1));
  try {
    execFileSync('promtool', ['check', 'rules', rulesFile], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    failures.push(`promtool check rules on the dashboards' queries:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
} finally {
  rmSync(rulesDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(failures.join('\n'));
  console.error(`FAILED: ${failures.length} problem(s) in ${dashboards.length} dashboard(s)`);
  process.exit(1);
}
const panels = dashboards.reduce((n, d) => n + d.json.panels.length, 0);
console.log(
  `OK: ${dashboards.length} dashboards, ${panels} panels, ${rules.length} queries ` +
    '(generator, @grafana/schema type check, layout, promtool)',
);
