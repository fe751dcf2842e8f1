// The console's browser tests, ログイン and the session: a wrong password refused and the right one
// logging in (the header names the instance and the user), a session that ends while working
// (back to the log-in screen, then to the screen asked for), and log-out.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/login.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  config, useBrowser, screenshot, during, open, unnamedControls, tabWalk, logIn,
} from '../lib.mjs';

const cfg = await config();
let page;
useBrowser(cfg, (launched) => { ({ page } = launched); });

test('log-in screen: a wrong password is refused, the right one logs in', async () => {
  await page.goto(`${cfg.base}/`);
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  assert.deepEqual(await unnamedControls(page), []);
  await screenshot(page, cfg, '01-login.png');
  await page.getByLabel('ログインID').fill(cfg.login);
  await page.getByLabel('パスワード').fill(`${cfg.password}-wrong`);
  const r = await during(page, 'POST', /^\/api\/v1\/login$/, () => page.getByRole('button', { name: 'ログイン' }).click());
  assert.equal(r.status(), 401);
  await page.getByRole('alert').filter({ hasText: /./ }).first().waitFor();
  await logIn(page, cfg);
  const header = page.getByRole('banner');
  assert.equal(await header.locator('.instance').textContent(), 'インスタンス: 稲城市');
  const session = await page.evaluate(() => fetch('/api/v1/session').then((x) => x.json()));
  assert.equal(await header.locator('.user').textContent(), `ログイン中: ${session.displayName} (市区町村職員)`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '相談受付');
});

test('a session that ends while working sends the console to the log-in screen, and back after it', async () => {
  await open(page, cfg, '#/intake', '相談受付');
  await page.context().clearCookies();
  await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '資源検索' }).click();
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  await logIn(page, cfg);
  await page.getByRole('heading', { level: 1, name: '資源検索' }).waitFor();
});

test('log-out: back to the log-in screen; a screen asked for afterwards opens after logging in', async () => {
  await open(page, cfg, '#/intake', '相談受付');
  await during(page, 'POST', /^\/api\/v1\/logout$/, () => page.getByRole('button', { name: 'ログアウト' }).click());
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  const r = await page.evaluate(() => fetch('/api/v1/session').then((x) => x.status));
  assert.equal(r, 401);
  await page.goto(`${cfg.base}/#/issues`);
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  const steps = await tabWalk(page, 3);
  assert.deepEqual(steps.map((s) => `${s.tag}:${s.tag === 'button' ? s.text : s.region}`), ['input:main', 'input:main', 'button:ログイン']);
  assert.ok(steps.every((s) => s.visible && /^(solid|auto) [2-9]/.test(s.outline)));
  await logIn(page, cfg);
  await page.getByRole('heading', { level: 1, name: '地域課題' }).waitFor();
});
