// Bundles the console into dist/ (index.html, app.js, app.css), which renkei-gateway serves at
// "/". No CDN and nothing fetched at run time: the municipality names are compiled in from the
// repository's services/common/data/municipalities_ext.csv, the labels from the protos and
// services/common/data/vocabulary.csv (vocabulary.mjs writes src/vocabulary.gen.js first).
//
//   node build.mjs           one build
//   node build.mjs --watch   rebuild on change
import { build, context } from 'esbuild';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const csvPath = path.join(here, '..', 'services', 'common', 'data', 'municipalities_ext.csv');

// "code,prefecture_code,prefecture_name,municipality_name,..." → {municipalities, prefectures}.
async function municipalityTable() {
  const text = await readFile(csvPath, 'utf8');
  const [header, ...lines] = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  const cols = header.split(',');
  const at = (name) => cols.indexOf(name);
  const municipalities = {};
  const prefectures = {};
  for (const line of lines) {
    const f = line.split(',');
    municipalities[f[at('code')]] = [f[at('prefecture_name')], f[at('municipality_name')]];
    prefectures[f[at('prefecture_code')]] = f[at('prefecture_name')];
  }
  return { municipalities, prefectures };
}

const municipalitiesPlugin = {
  name: 'municipalities',
  setup(b) {
    b.onResolve({ filter: /^virtual:municipalities$/ }, () => ({ path: csvPath, namespace: 'municipalities' }));
    b.onLoad({ filter: /.*/, namespace: 'municipalities' }, async () => ({
      contents: `export default ${JSON.stringify(await municipalityTable())};`,
      loader: 'js',
      watchFiles: [csvPath],
    }));
  },
};

// src/vocabulary.gen.js, which words.js imports: generated from the protos before bundling.
// It needs protoc ($PROTOC, else on PATH); vocabulary.mjs says so when it is missing.
try {
  execFileSync(process.execPath, [path.join(here, 'vocabulary.mjs')], { stdio: 'inherit' });
} catch {
  console.error('build.mjs: src/vocabulary.gen.js could not be generated (see above); nothing was built');
  process.exit(1);
}

const options = {
  entryPoints: { app: path.join(here, 'src', 'main.js'), 'app-style': path.join(here, 'src', 'app.css') },
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  charset: 'utf8',
  outdir: dist,
  entryNames: '[name]',
  plugins: [municipalitiesPlugin],
  logLevel: 'info',
};

// The providers' public answer form of resource surveys, served at /survey/ (no log-in).
const surveyOptions = {
  ...options,
  entryPoints: {
    survey: path.join(here, 'src', 'survey', 'survey.js'),
    'survey-style': path.join(here, 'src', 'survey', 'survey.css'),
  },
  outdir: path.join(dist, 'survey'),
};

// The public resource map, served at /map/ (no log-in); Leaflet and its stylesheet bundled in
// (its images inline), nothing fetched from elsewhere but the configured tiles.
const mapOptions = {
  ...options,
  entryPoints: {
    map: path.join(here, 'src', 'map', 'map.js'),
    'map-style': path.join(here, 'src', 'map', 'map.css'),
  },
  loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  outdir: path.join(dist, 'map'),
};

// The residents' events page, served at /events/ (no log-in): public events, registration with
// its cancellation link, the awareness questionnaire.
const eventsOptions = {
  ...options,
  entryPoints: {
    events: path.join(here, 'src', 'events', 'events.js'),
    'events-style': path.join(here, 'src', 'events', 'events.css'),
  },
  outdir: path.join(dist, 'events'),
};

// The professionals' page, served at /board/ (no log-in): notices, rules and forms, the mail
// subscription with its confirmation and unsubscribe links.
const boardOptions = {
  ...options,
  entryPoints: {
    board: path.join(here, 'src', 'board', 'board.js'),
    'board-style': path.join(here, 'src', 'board', 'board.css'),
  },
  outdir: path.join(dist, 'board'),
};

async function copyStatic() {
  await mkdir(dist, { recursive: true });
  await copyFile(path.join(here, 'src', 'index.html'), path.join(dist, 'index.html'));
  await mkdir(path.join(dist, 'survey'), { recursive: true });
  await copyFile(path.join(here, 'src', 'survey', 'index.html'), path.join(dist, 'survey', 'index.html'));
  await mkdir(path.join(dist, 'map'), { recursive: true });
  await copyFile(path.join(here, 'src', 'map', 'index.html'), path.join(dist, 'map', 'index.html'));
  for (const page of ['events', 'board']) {
    await mkdir(path.join(dist, page), { recursive: true });
    await copyFile(path.join(here, 'src', page, 'index.html'), path.join(dist, page, 'index.html'));
  }
}

// esbuild names the CSS bundle after its entry: app-style.css → app.css.
async function renameCss() {
  const { rename } = await import('node:fs/promises');
  await rename(path.join(dist, 'app-style.css'), path.join(dist, 'app.css'));
  await rename(path.join(dist, 'survey', 'survey-style.css'), path.join(dist, 'survey', 'survey.css'));
  await rename(path.join(dist, 'map', 'map-style.css'), path.join(dist, 'map', 'map.css'));
  await rename(path.join(dist, 'events', 'events-style.css'), path.join(dist, 'events', 'events.css'));
  await rename(path.join(dist, 'board', 'board-style.css'), path.join(dist, 'board', 'board.css'));
}

if (process.argv.includes('--watch')) {
  const ctx = await context({
    ...options,
    plugins: [...options.plugins, {
      name: 'after',
      setup(b) { b.onEnd(async (r) => { if (!r.errors.length) { await copyStatic(); await renameCss(); } }); },
    }],
  });
  await ctx.watch();
} else {
  await build(options);
  await build(surveyOptions);
  await build(mapOptions);
  await build(eventsOptions);
  await build(boardOptions);
  await copyStatic();
  await renameCss();
}
