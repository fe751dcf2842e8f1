// Helpers for the console's browser tests (screens/*.mjs): the browser, screenshots, waiting on
// the gateway's answers, logging in, and the accessibility checks every screen goes through.
import { before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { leaksIn } from './leaks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

async function defaultPassword() {
  try {
    return (await readFile(path.join(here, '..', '..', 'data', 'local', 'demo-password'), 'utf8')).trim();
  } catch {
    return '';
  }
}

export async function config() {
  return {
    base: (process.env.RENKEI_GATEWAY_URL || 'http://127.0.0.1:7180').replace(/\/$/, ''),
    login: process.env.RENKEI_LOGIN || 'inagi-demo',
    password: process.env.RENKEI_PASSWORD || await defaultPassword(),
    screenshots: process.env.RENKEI_SCREENSHOT_DIR || path.join(here, '..', 'test-output', 'screenshots'),
    chromium: process.env.RENKEI_CHROMIUM || '/usr/bin/chromium',
  };
}

// The browser of one screen file: launched before its tests, closed after them; `ready` receives
// {browser, context, page, problems} and may set up more before the first test (one hook: Node
// 20 runs the root's before hooks as they are registered, not one after the other). After each
// test the page must have reported no problems — among them any word of the machine it showed
// while the test ran (newContext watches every screen drawn) — and show none at its end.
export function useBrowser(cfg, ready) {
  let browser = null;
  let problems = null;
  let page = null;
  before(async () => {
    assert.ok(cfg.password, 'RENKEI_PASSWORD is not set (and data/local/demo-password was not found)');
    const launched = await launch(cfg);
    ({ browser, problems, page } = launched);
    await ready(launched);
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    if (page && !page.isClosed()) {
      const leaks = await vocabularyLeaks(page);
      assert.deepEqual(leaks, [], `${page.url()}: the page shows words of the machine`);
    }
    const found = problems ? problems.splice(0) : [];
    assert.deepEqual(found, [], 'the page reported errors (script errors, CSP violations, words of the machine)');
  });
}

// The machine's words in a text (leaks.mjs), for the screens' own checks too.
export { leaksIn };

// Everything of the page people may read or hear, run in the page (so it must close over
// nothing): the text of every node of the body — textContent, not innerText, so a closed
// <details>, a hidden panel or a collapsed table is read too, each text node apart so that words
// of neighbouring cells do not run together —; the values of the text fields, text areas and
// buttons people read; and the attributes read or heard (title, aria-label, placeholder, alt).
// Left out: the values of selects, check boxes and radio buttons (their option's or label's text
// is what is shown, the value is the enum name sent to the API); of password, e-mail, hidden and
// URL inputs; and of the fields of ids and log-in names typed by people (a participant ID, the
// log-in ID: autocomplete="username", or a field named …_id, …_ids, login), which may hold an
// underscore without being a code of ours.
function pageText() {
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement && n.parentElement.closest('script, style, noscript')) continue;
    parts.push(n.data);
  }
  const shown = new Set(['', 'text', 'search', 'tel', 'number', 'date', 'time', 'month', 'week',
    'datetime-local', 'submit', 'button', 'reset']);
  for (const el of document.querySelectorAll('input, textarea')) {
    if (el.tagName === 'INPUT' && !shown.has(el.type)) continue;
    if (/username|email/.test(el.autocomplete || '') || /(^|[._])(login|ids?)$|_ids?$/.test(el.name || '')) continue;
    parts.push(el.value);
  }
  for (const e of document.querySelectorAll('[title],[aria-label],[placeholder],[alt]')) {
    for (const a of ['title', 'aria-label', 'placeholder', 'alt']) parts.push(e.getAttribute(a) || '');
  }
  return parts.join('\n');
}

// The machine's words the page shows now; [] when none.
export async function vocabularyLeaks(page) {
  return leaksIn(await page.evaluate(pageText));
}

// Watches a context's pages: each time a page has drawn something — a screen after a navigation,
// a screen drawn again, results or a section filled in place — and the DOM has been still for
// 100 ms, its text is read (pageText) and any word of the machine goes to `problems`, with the
// route it was on. The one central point every screen goes through, whether a test opened it
// (open, goto, reload) or the console navigated itself (a link, ctx.navigate after a save).
async function watchVocabulary(context, problems) {
  await context.exposeFunction('__renkeiVocabularyCheck', (route, text) => {
    const found = leaksIn(text);
    if (found.length) problems.push(`words of the machine on ${route || '/'}: ${found.join(', ')}`);
  });
  await context.addInitScript({
    content: `(() => {
      const pageText = ${pageText.toString()};
      let timer = 0;
      const check = () => {
        timer = 0;
        if (!document.body || typeof window.__renkeiVocabularyCheck !== 'function') return;
        window.__renkeiVocabularyCheck(location.hash, pageText()).catch(() => {});
      };
      const later = () => { if (timer) clearTimeout(timer); timer = setTimeout(check, 100); };
      const start = () => {
        new MutationObserver(later).observe(document.body, {
          childList: true, subtree: true, characterData: true, attributes: true,
          attributeFilter: ['title', 'aria-label', 'placeholder', 'alt', 'value', 'open', 'hidden'],
        });
        window.addEventListener('hashchange', later);
        later();
      };
      if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
    })();`,
  });
}

export async function launch(cfg) {
  await mkdir(cfg.screenshots, { recursive: true });
  const browser = await chromium.launch({ executablePath: cfg.chromium, headless: true, args: ['--no-sandbox'] });
  return { browser, ...await newContext(browser) };
}

// A fresh context (its own cookies and storage) with one page. Any uncaught error or CSP violation
// in the page goes to `problems` (checked after each test); so does every failed load except the
// 4xx answers the tests provoke and those `allowed(status, url)` expects, and every word of the
// machine a drawn screen shows (watchVocabulary).
export async function newContext(browser, { allowed = () => false } = {}) {
  const context = await browser.newContext({
    locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  });
  context.setDefaultTimeout(15000);
  const problems = [];
  await watchVocabulary(context, problems);
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const failed = msg.text().match(/Failed to load resource: the server responded with a status of (\d{3})/);
    if (failed && (/^4/.test(failed[1]) || allowed(Number(failed[1]), msg.location().url || ''))) return;
    problems.push(`console error: ${msg.text()} (${msg.location().url || 'no url'})`);
  });
  return { context, page, problems };
}

export function screenshot(page, cfg, name) {
  return page.screenshot({ path: path.join(cfg.screenshots, name), fullPage: true });
}

// The gateway's answer to `method` on a path matching `pattern` (a RegExp on the pathname).
export function answer(page, method, pattern) {
  return page.waitForResponse((r) => r.request().method() === method && pattern.test(new URL(r.url()).pathname));
}

// Runs `action` and returns the gateway's answer it caused.
export async function during(page, method, pattern, action) {
  const [response] = await Promise.all([answer(page, method, pattern), action()]);
  return response;
}

// Polls `probe` until it returns a truthy value (a condition with a deadline, not a sleep).
export async function eventually(probe, { timeout = 15000, interval = 200, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// Opens a screen (logging in again first if the session is gone) and waits for its heading.
export async function open(page, cfg, hash, heading) {
  const url = `${cfg.base}/${hash}`;
  // The same hash again would not redraw the screen: load it afresh.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  const first = page.getByRole('heading', { level: 1 }).first();
  await first.waitFor();
  if ((await first.textContent()) === 'ログイン' && !hash.startsWith('#/login')) {
    await page.getByLabel('ログインID').fill(cfg.login);
    await page.getByLabel('パスワード').fill(cfg.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('navigation', { name: '画面' }).waitFor();
  }
  const h1 = page.getByRole('heading', { level: 1, ...(heading ? { name: heading } : {}) });
  await h1.first().waitFor();
  return h1;
}

// Every visible input, select and textarea must have an accessible name: aria-labelledby,
// aria-label, a <label for> (or wrapping label), or a title. Returns the ones without.
export function unnamedControls(page) {
  return page.evaluate(() => {
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const nameOf = (el) => {
      const by = el.getAttribute('aria-labelledby');
      if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
      if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
      const labels = [...(el.labels || [])].map((l) => l.textContent.trim()).join(' ');
      if (labels) return labels;
      return (el.getAttribute('title') || '').trim();
    };
    return [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && visible(el))
      .filter((el) => !nameOf(el))
      .map((el) => el.outerHTML.slice(0, 160));
  });
}

// Presses Tab from the skip link up to `presses` times and describes where the focus went; stops
// when the focus leaves the page after its last element.
export async function tabWalk(page, presses) {
  await page.locator('a.skip-link').focus();
  const steps = [];
  for (let i = 0; i < presses; i += 1) {
    await page.keyboard.press('Tab');
    steps.push(await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const all = [...document.querySelectorAll('*')];
      return {
        tag: el.tagName.toLowerCase(),
        text: (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 40),
        id: el.id,
        region: el.closest('nav') ? 'nav' : el.closest('main') ? 'main' : el.closest('header') ? 'header' : 'other',
        visible: r.width > 0 && r.height > 0 && style.visibility !== 'hidden',
        outline: `${style.outlineStyle} ${style.outlineWidth}`,
        index: all.indexOf(el),
        isBody: el === document.body || el === document.documentElement,
      };
    }));
    if (steps[steps.length - 1].isBody) {
      steps.pop();
      break;
    }
  }
  return steps;
}

// The aria-live status line of the shell.
export function statusLine(page) {
  return page.locator('.status-region[role="status"]');
}

// One probe of a screen that fills through events: once `marker` (the part of the screen that
// holds the answer) is drawn, `probe` decides; when it says no, the screen is loaded again.
export async function reloadUntil(page, probe, marker) {
  await page.locator(marker).waitFor();
  if (await probe()) return true;
  await page.reload();
  return false;
}

// Logs in on the log-in screen on show.
export async function logIn(page, cfg) {
  await page.getByLabel('ログインID').fill(cfg.login);
  await page.getByLabel('パスワード').fill(cfg.password);
  const r = await during(page, 'POST', /^\/api\/v1\/login$/, () => page.getByRole('button', { name: 'ログイン' }).click());
  assert.equal(r.status(), 200, 'log-in refused: check RENKEI_LOGIN / RENKEI_PASSWORD');
  await page.getByRole('navigation', { name: '画面' }).waitFor();
}

// The screens of the navigation, in their order; an instance offers those its services and the
// user's role allow (main.js).
export const NAV = ['相談受付', '資源検索', '地域課題', '研修', '指標', '定例ミーティング資料', 'ネットワーク', '取組事例', '情報共有'];

// The a11y checks of one screen on `page`: labelled controls, and Tab walking the nav links and
// then the main content in document order, each focused element visible with an outline. `nav`:
// the links expected exactly; by default some of NAV, in its order.
export async function checkAccessibility(page, where, { nav: expectedNav = null } = {}) {
  const unnamed = await unnamedControls(page);
  assert.deepEqual(unnamed, [], `${where}: controls without an accessible name`);
  const landmarks = await page.evaluate(() => ({
    header: document.querySelectorAll('header').length,
    nav: document.querySelectorAll('nav').length,
    main: document.querySelectorAll('main').length,
    lang: document.documentElement.lang,
  }));
  assert.deepEqual(landmarks, { header: 1, nav: 1, main: 1, lang: 'ja' }, `${where}: landmarks`);

  const steps = await tabWalk(page, 24);
  for (const [i, s] of steps.entries()) {
    assert.ok(s.visible, `${where}: Tab ${i + 1} focused an invisible element ${JSON.stringify(s)}`);
    assert.match(s.outline, /^(solid|auto) [2-9]/, `${where}: no visible focus outline on ${JSON.stringify(s)}`);
    if (i > 0) assert.notEqual(s.index, steps[i - 1].index, `${where}: Tab ${i + 1} did not move the focus`);
  }
  const nav = steps.filter((s) => s.region === 'nav').map((s) => s.text);
  if (expectedNav) {
    assert.deepEqual(nav, expectedNav, `${where}: nav links in order`);
  } else {
    assert.ok(nav.length > 0, `${where}: a nav link`);
    assert.deepEqual(nav, NAV.filter((n) => nav.includes(n)), `${where}: nav links of NAV, in order`);
  }
  const firstMain = steps.findIndex((s) => s.region === 'main');
  const lastNav = steps.map((s) => s.region).lastIndexOf('nav');
  assert.ok(firstMain > lastNav, `${where}: the main content comes after the navigation`);
  const mainSteps = steps.filter((s) => s.region === 'main');
  assert.ok(mainSteps.length >= 3, `${where}: Tab reaches the main content`);
  for (let i = 1; i < mainSteps.length; i += 1) {
    assert.ok(mainSteps[i].index > mainSteps[i - 1].index, `${where}: focus order follows the page (${mainSteps[i - 1].text} → ${mainSteps[i].text})`);
  }
}

// Calls the gateway from the page, with its session and CSRF token: what a screen's tests need
// to exist before them (fixtures.mjs). Throws on any answer but 2xx.
export function apiCall(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const csrf = decodeURIComponent((document.cookie.match(/(?:^|; )renkei_csrf=([^;]*)/) || [])[1] || '');
    const r = await fetch(p, {
      method: m,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    if (!r.ok) throw new Error(`${m} ${p}: ${r.status} ${await r.text()}`);
    return r.json();
  }, [method, path, body]);
}

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axe-core (WCAG 2.1 A and AA rules) on the page as it is: no serious or critical violation;
// the others are printed. Returns every violation.
export async function axe(page, where) {
  // Evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help,
      where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${where}: axe-core found serious violations`);
  console.log(`axe-core, ${where}: ${result.length ? result.map((v) => `${v.id} (${v.impact}, ${v.nodes})`).join(', ') : 'no violations'}`);
  return result;
}

// The page does not scroll sideways at its width.
export async function fitsTheWidth(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${where}: ${overflow}px wider than the screen`);
}

// The screen on show at a phone's width (390 px) and a desk's (1280 px): a screenshot at each
// (`<name>-390.png`, `<name>-1280.png`), no sideways scrolling, axe-core clean. The viewport is
// left at 1280 px.
export async function atBothWidths(page, cfg, name, where = name) {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.waitForTimeout(50); // a layout pass after the resize
    await fitsTheWidth(page, `${where} at ${width} px`);
    await axe(page, `${where} at ${width} px`);
    await screenshot(page, cfg, `${name}-${width}.png`);
  }
}
