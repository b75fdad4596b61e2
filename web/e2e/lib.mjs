// Shared helpers for the browser tests: launch the system Chromium (never a downloaded one),
// record every request, log in through the page.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

export const BASE = process.env.E2E_BASE_URL || 'http://127.0.0.1:8080';
export const SHOTS = process.env.E2E_SCREENSHOTS || '';
// Pictures of a failed run go elsewhere, so docs/screenshots only ever holds a passing run.
export const FAILURES = process.env.E2E_FAILURES || SHOTS;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--lang=zh-CN',
    ],
  });
}

/** A fresh browser context (its own cookies and storage) whose requests are all recorded. */
export async function newUser(browser, requests, viewport = { width: 1366, height: 768 }, init = null) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true });
  if (init) await context.addInitScript(init);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('  页面脚本错误：', e.message));
  await page.goto(`${BASE}/`);
  return { context, page };
}

/** The visible sidebar panel titled `title` (opens it when needed). */
export async function panel(page, title) {
  const region = page.getByRole('region', { name: title, exact: true });
  if (!(await region.isVisible().catch(() => false))) {
    await page.getByRole('button', { name: title, exact: true }).click();
  }
  await region.waitFor();
  return region;
}

/** Logs in through the page; a first login changes the password to `newPassword`. */
export async function login(page, staffNo, password, newPassword) {
  const p = await panel(page, '我的任务');
  await p.getByLabel('工号', { exact: true }).fill(staffNo);
  await p.getByLabel('密码', { exact: true }).fill(password);
  await p.getByRole('button', { name: '登录', exact: true }).click();
  if (newPassword) {
    await p.getByLabel('原密码', { exact: true }).fill(password);
    await p.getByLabel('新密码', { exact: true }).fill(newPassword);
    await p.getByLabel('确认新密码', { exact: true }).fill(newPassword);
    await p.getByRole('button', { name: '修改密码', exact: true }).click();
  }
  await p.getByRole('button', { name: '退出', exact: true }).first().waitFor();
  await p.getByText('本单位填报').waitFor();
  return p;
}

export async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

export async function failureShot(page, name) {
  if (FAILURES) await page.screenshot({ path: `${FAILURES}/${name}.png` });
}

export { assert };
