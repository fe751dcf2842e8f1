// Helpers for the console's browser tests: the browser, screenshots, waiting on the gateway's
// answers, and the accessibility checks every screen goes through.
import { chromium } from 'playwright-core';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

export async function launch(cfg) {
  await mkdir(cfg.screenshots, { recursive: true });
  const browser = await chromium.launch({ executablePath: cfg.chromium, headless: true, args: ['--no-sandbox'] });
  return { browser, ...await newContext(browser) };
}

// A fresh context (its own cookies and storage) with one page. Any uncaught error or CSP violation
// in the page goes to `problems` (checked after each test); so does every failed load except the
// 4xx answers the tests provoke and those `allowed(status, url)` expects.
export async function newContext(browser, { allowed = () => false } = {}) {
  const context = await browser.newContext({
    locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 }, acceptDownloads: true,
  });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
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
