// The console's browser tests, ログイン and the session: a wrong password refused and the right one
// logging in (the header names the instance and the user), a session that ends while working
// (back to the log-in screen, then to the screen asked for, with what was being typed), log-out;
// staff creating an account, its temporary password replaced, an authenticator enrolled from the
// QR code (read by zbarimg) and log-ins with codes computed here from RFC 6238 (a wrong and a
// replayed code refused, a recovery code used once), and one's sessions ended from another.
//
//   RENKEI_GATEWAY_URL=http://127.0.0.1:7180 RENKEI_LOGIN=inagi-demo RENKEI_PASSWORD=... \
//     node console/tests/screens/login.mjs
//
// (the variables and defaults of console/README.md; exits non-zero when a test fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  config, useBrowser, screenshot, during, open, unnamedControls, tabWalk, logIn, newContext, atBothWidths, eventually,
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
  assert.equal(await header.locator('.user').textContent(), `ログイン中: ${session.displayName} (市町村担当者)`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '相談受付');
});

test('a session that ends while working sends the console to the log-in screen, and back after it', async () => {
  await open(page, cfg, '#/intake', '相談受付');
  // The screen's own requests done first: one still under way when the cookies go would send the
  // console to the log-in screen before the click (seen on a loaded machine: the nav detached).
  await page.waitForLoadState('networkidle');
  await page.context().clearCookies();
  await page.getByRole('navigation', { name: '画面' }).getByRole('link', { name: '資源検索' }).click();
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  await logIn(page, cfg);
  await page.getByRole('heading', { level: 1, name: '資源検索' }).waitFor();
});

test('a form being typed when the session ends is kept and put back after logging in again', async () => {
  await open(page, cfg, '#/intake/new', '新しい相談を受け付ける');
  await page.getByLabel('相談内容').fill('ログインが切れる前に書いていた相談内容');
  await page.getByLabel('本人の氏名').fill('下書き 太郎');
  await page.context().clearCookies();
  await page.getByRole('button', { name: '相談を受け付ける' }).click();
  await page.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
  await logIn(page, cfg);
  await page.getByRole('heading', { level: 1, name: '新しい相談を受け付ける' }).waitFor();
  await eventually(async () => (await page.getByLabel('相談内容').inputValue()) === 'ログインが切れる前に書いていた相談内容',
    { what: 'the narrative put back' });
  assert.equal(await page.getByLabel('本人の氏名').inputValue(), '下書き 太郎');
  await eventually(async () => /入力していた内容を戻しました/.test(await page.locator('.status-region').textContent()),
    { what: 'the console saying so' });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('renkei.draft')), null, 'the draft is gone once restored');
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

// --- accounts and the second factor ------------------------------------------------------------

// HOTP (RFC 4226) and TOTP (RFC 6238, SHA-1, 30 s) computed here, from the RFCs, not the console.
function hotp(key, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.toUpperCase().replace(/[\s=]/g, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
const step = () => Math.floor(Date.now() / 1000 / 30);

test('TOTP as computed here matches the vectors of RFC 4226 and RFC 6238', () => {
  const key = Buffer.from('12345678901234567890');
  assert.deepEqual([0, 1, 2, 9].map((c) => hotp(key, c)), ['755224', '287082', '359152', '520489']);
  assert.equal(hotp(key, Math.floor(59 / 30), 8), '94287082');
  assert.equal(hotp(key, Math.floor(1111111109 / 30), 8), '07081804');
  assert.equal(hotp(key, Math.floor(20000000000 / 30), 8), '65353130');
  assert.deepEqual(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), key);
});

const newcomer = { login: `totp-${Date.now().toString(36)}`, password: 'newcomer-password-2026!' };
let temporary;
let secret;
let usedStep = 0;
let recoveryCodes = [];

test('職員アカウント: staff create an account and read its temporary password once', async () => {
  await open(page, cfg, '#/intake', '相談受付');
  await page.getByRole('banner').getByRole('link', { name: '職員アカウント' }).click();
  await page.getByRole('heading', { level: 1, name: '職員アカウント' }).waitFor();
  await atBothWidths(page, cfg, '30-staff-accounts', '職員アカウント');
  const form = page.getByRole('form', { name: 'アカウントを作る' });
  // Bad input is shown next to its fields, in Japanese.
  await form.getByLabel('ログインID').fill('X');
  const bad = await during(page, 'POST', /^\/api\/v1\/accounts$/, () => form.getByRole('button', { name: 'アカウントを作る' }).click());
  assert.equal(bad.status(), 400);
  const loginError = form.locator('[data-field="login"] .field-error');
  await loginError.waitFor();
  assert.match(await loginError.textContent(), /英小文字/);
  await form.getByLabel('ログインID').fill(newcomer.login);
  await form.getByLabel('名前 (画面に表示)').fill('二要素 テスト');
  await form.getByLabel('役割').selectOption({ label: '在宅医療・介護連携コーディネーター' });
  const r = await during(page, 'POST', /^\/api\/v1\/accounts$/, () => form.getByRole('button', { name: 'アカウントを作る' }).click());
  assert.equal(r.status(), 201);
  temporary = (await page.locator('#temporary-password').textContent()).trim();
  assert.match(temporary, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'temporary-heading');
  const row = page.locator('#accounts-table tbody tr', { hasText: newcomer.login });
  assert.match(await row.textContent(), /初期パスワード/);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: '職員アカウント' }).waitFor();
  assert.equal(await page.locator('#temporary-password').count(), 0, 'shown once');
});

test('the newcomer replaces the temporary password and enrolls an authenticator from a QR code', async () => {
  const other = await newContext(page.context().browser());
  const p = other.page;
  try {
    await p.goto(`${cfg.base}/`);
    await p.getByLabel('ログインID').fill(newcomer.login);
    await p.getByLabel('パスワード').fill(temporary);
    await p.getByRole('button', { name: 'ログイン' }).click();
    await p.getByRole('heading', { level: 1, name: '新しいパスワードの設定' }).waitFor();
    await p.locator('[data-field="new_password"] input').fill(newcomer.password);
    await p.getByLabel('新しいパスワード (確認)').fill(`${newcomer.password}x`);
    await p.getByRole('button', { name: 'パスワードを設定する' }).click();
    await p.locator('[data-field="new_password_again"] .field-error').waitFor();
    await p.getByLabel('新しいパスワード (確認)').fill(newcomer.password);
    await p.getByRole('button', { name: 'パスワードを設定する' }).click();
    await p.getByRole('heading', { level: 1, name: '相談受付' }).waitFor();

    await p.getByRole('banner').getByRole('link', { name: '自分のアカウント' }).click();
    await p.getByRole('heading', { level: 1, name: '自分のアカウント' }).waitFor();
    await p.getByRole('button', { name: '認証アプリを登録する' }).click();
    // The password again first; a wrong one is refused next to its field.
    await p.getByLabel('今のパスワード', { exact: false }).last().fill('not-the-password');
    await p.getByRole('button', { name: 'QR コードを表示する' }).click();
    await p.locator('#second-factor-area [data-field="password"] .field-error').waitFor();
    await p.locator('#second-factor-area [data-field="password"] input').fill(newcomer.password);
    await p.getByRole('button', { name: 'QR コードを表示する' }).click();
    await p.locator('#totp-qr svg').waitFor();
    await atBothWidths(p, cfg, '31-totp-enrollment', '認証アプリの登録');
    // The QR code read by an independent decoder (zbarimg) is the key shown beside it.
    const png = path.join(cfg.screenshots, '32-totp-qr.png');
    await p.locator('#totp-qr').screenshot({ path: png });
    const uri = execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).trim();
    assert.match(uri, new RegExp(`^otpauth://totp/.*:${newcomer.login}\\?secret=[A-Z2-7]{32}&issuer=.*&algorithm=SHA1&digits=6&period=30$`));
    secret = new URL(uri).searchParams.get('secret');
    assert.equal((await p.locator('#totp-key').textContent()).replace(/\s/g, ''), secret);

    const form = p.getByRole('form', { name: '認証アプリの確認' });
    await form.getByLabel('認証アプリに表示された6桁の数字').fill('000000');
    const wrong = await during(p, 'POST', /\/totp-confirmation$/, () => form.getByRole('button', { name: '登録する' }).click());
    assert.equal(wrong.status(), 400);
    const error = form.locator('[data-field="code"] .field-error');
    await error.waitFor();
    assert.match(await error.textContent(), /コードが違います/);
    usedStep = step();
    await form.getByLabel('認証アプリに表示された6桁の数字').fill(hotp(base32Decode(secret), usedStep));
    await form.getByRole('button', { name: '登録する' }).click();
    await p.locator('#recovery-codes li').first().waitFor();
    recoveryCodes = await p.locator('#recovery-codes li').allTextContents();
    assert.equal(recoveryCodes.length, 10);
    await screenshot(p, cfg, '33-recovery-codes.png');
  } finally {
    await other.context.close();
  }
});

async function passwordStep(p) {
  await p.goto(`${cfg.base}/`);
  await p.getByLabel('ログインID').fill(newcomer.login);
  await p.getByLabel('パスワード').fill(newcomer.password);
  await p.getByRole('button', { name: 'ログイン' }).click();
  await p.getByRole('heading', { level: 1, name: '二要素認証' }).waitFor();
}

test('log-in with the code: a wrong one and the same one again are refused, a recovery code works once', async () => {
  const other = await newContext(page.context().browser());
  const p = other.page;
  try {
    await passwordStep(p);
    await atBothWidths(p, cfg, '34-second-factor', '二要素認証');
    await p.getByLabel('確認コード (6桁)').fill('123456' === hotp(base32Decode(secret), step()) ? '654321' : '123456');
    const wrong = await during(p, 'POST', /\/second-factor$/, () => p.getByRole('button', { name: 'ログイン' }).click());
    assert.equal(wrong.status(), 401);
    await p.locator('[data-field="code"] .field-error').waitFor();
    assert.equal(await p.getByRole('heading', { level: 1 }).textContent(), '二要素認証', 'still on the step');
    // The code of the step used at enrollment is spent: wait for the next one.
    while (step() <= usedStep) await new Promise((r) => setTimeout(r, 500));
    usedStep = step();
    const code = hotp(base32Decode(secret), usedStep);
    await p.getByLabel('確認コード (6桁)').fill(code);
    const ok = await during(p, 'POST', /\/second-factor$/, () => p.getByRole('button', { name: 'ログイン' }).click());
    assert.equal(ok.status(), 200);
    await p.getByRole('heading', { level: 1, name: '相談受付' }).waitFor();
    const session = await p.evaluate(() => fetch('/api/v1/session').then((x) => x.json()));
    assert.equal(session.twoFactor, true);

    // The same code once more, on another log-in: a replay, refused.
    await other.context.clearCookies();
    await passwordStep(p);
    await p.getByLabel('確認コード (6桁)').fill(code);
    const replay = await during(p, 'POST', /\/second-factor$/, () => p.getByRole('button', { name: 'ログイン' }).click());
    assert.equal(replay.status(), 401, 'a code is accepted once');
    // A recovery code instead.
    await p.getByText('認証アプリを使えないとき').first().click();
    await p.getByLabel('確認コード (6桁)').fill('');
    await p.getByLabel('回復コード').fill(recoveryCodes[0]);
    await p.getByRole('button', { name: 'ログイン' }).click();
    await p.getByRole('heading', { level: 1, name: '相談受付' }).waitFor();
    await other.context.clearCookies();
    await passwordStep(p);
    await p.getByText('認証アプリを使えないとき').first().click();
    await p.getByLabel('回復コード').fill(recoveryCodes[0]);
    const again = await during(p, 'POST', /\/second-factor$/, () => p.getByRole('button', { name: 'ログイン' }).click());
    assert.equal(again.status(), 401, 'a recovery code is used once');
  } finally {
    await other.context.close();
  }
});

test('自分のアカウント: one session ended from another is refused by the services', async () => {
  const a = await newContext(page.context().browser());
  const b = await newContext(page.context().browser());
  try {
    for (const { page: p } of [a, b]) {
      await p.goto(`${cfg.base}/`);
      await logIn(p, { ...cfg, login: process.env.RENKEI_COORDINATOR_LOGIN || cfg.login, password: process.env.RENKEI_COORDINATOR_PASSWORD || cfg.password });
    }
    await a.page.getByRole('banner').getByRole('link', { name: '自分のアカウント' }).click();
    await a.page.getByRole('heading', { level: 1, name: '自分のアカウント' }).waitFor();
    await atBothWidths(a.page, cfg, '35-my-account', '自分のアカウント');
    // b's own session, by the id b's gateway answer gives it.
    const bSessions = await b.page.evaluate(() => fetch('/api/v1/sessions').then((x) => x.json()));
    const bCurrent = bSessions.sessions.find((s) => s.current);
    const issued = new Date(Number(bCurrent.issuedAt) * 1000);
    const others = a.page.locator('#main tbody tr', { hasNotText: 'この端末' });
    const before = await others.count();
    assert.ok(before >= 1);
    // The row of b's session: the newest of the others (b logged in after a).
    assert.ok(issued.getTime() > 0);
    const end = others.first().getByRole('button', { name: 'ログインを終わらせる' });
    await end.click();
    const dialog = a.page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await a.page.evaluate(() => document.activeElement.getAttribute('role')), 'dialog');
    await dialog.getByRole('button', { name: 'やめる' }).click();
    assert.equal(await a.page.evaluate(() => document.activeElement.textContent), 'ログインを終わらせる', 'focus back on the button');
    await end.click();
    await a.page.getByRole('dialog').getByRole('button', { name: '終わらせる' }).click();
    await a.page.getByRole('heading', { level: 2, name: 'ログイン中の端末' }).waitFor();
    await eventually(async () => (await others.count()) === before - 1, { what: 'the session gone from the list' });
    // b's session is over — refused by the intake service itself — and a's goes on.
    const refused = await b.page.evaluate(() => fetch('/api/v1/consultations').then(async (x) => [x.status, await x.text()]));
    assert.equal(refused[0], 401, refused[1]);
    assert.match(refused[1], /ログアウト済み/);
    const mine = await a.page.evaluate(() => fetch('/api/v1/consultations').then((x) => x.status));
    assert.equal(mine, 200);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
