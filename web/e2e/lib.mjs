// Shared helpers for the browser tests: launch the system Chromium (never a downloaded one),
// record every request, log in and out through the page, read the navigation's badges.
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

/** The navigation of the shell (the panels the user's roles use). */
export function nav(page) {
  return page.getByRole('navigation', { name: '功能' });
}

/** The open panel titled `title` (opened from the navigation when needed). */
export async function panel(page, title) {
  const region = page.getByRole('region', { name: title, exact: true });
  if (!(await region.isVisible().catch(() => false))) {
    await nav(page).getByRole('button', { name: title, exact: true }).click();
  }
  await region.waitFor();
  return region;
}

/** Logs in through the page; a first login changes the password to `newPassword`. Answers 我的任务. */
export async function login(page, staffNo, password, newPassword) {
  const form = page.getByRole('form', { name: '登录' });
  await form.getByLabel('工号', { exact: true }).fill(staffNo);
  await form.getByLabel('密码', { exact: true }).fill(password);
  await form.getByRole('button', { name: '登录', exact: true }).click();
  if (newPassword) {
    const change = page.getByRole('form', { name: '修改密码' });
    await change.getByLabel('原密码', { exact: true }).fill(password);
    await change.getByLabel('新密码', { exact: true }).fill(newPassword);
    await change.getByLabel('确认新密码', { exact: true }).fill(newPassword);
    await change.getByRole('button', { name: '修改密码', exact: true }).click();
  }
  await page.getByRole('banner').getByRole('button', { name: '退出', exact: true }).waitFor();
  const tasks = page.getByRole('region', { name: '我的任务', exact: true });
  await tasks.getByText('本单位填报').waitFor();
  return tasks;
}

/** Signs out from the header and waits for the login. */
export async function logout(page) {
  await page.getByRole('banner').getByRole('button', { name: '退出', exact: true }).click();
  await page.getByRole('form', { name: '登录' }).getByLabel('工号', { exact: true }).waitFor();
}

/** Switches 开发者模式 to `on` (the header's switch) and answers the switch. */
export async function devMode(page, on) {
  const sw = page.getByRole('banner').getByRole('switch', { name: '开发者模式' });
  if ((await sw.getAttribute('aria-checked')) !== String(on)) await sw.click();
  await page.waitForFunction((v) => document.querySelector('[role="switch"]')?.getAttribute('aria-checked') === String(v), on);
  return sw;
}

/** The badges of a navigation entry, as their texts (e.g. ['被退回 1']). */
export async function badges(page, title) {
  const button = nav(page).getByRole('button', { name: title, exact: true });
  return button.locator('.sd-badge').allInnerTexts();
}

export async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** The whole page (not only the viewport) and its text: what the user saw when a step failed. */
export async function failureShot(page, name) {
  if (!FAILURES) return;
  await page.screenshot({ path: `${FAILURES}/${name}.png`, fullPage: true });
  const text = await page.locator('body').innerText().catch(() => '');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(`${FAILURES}/${name}.txt`, `${page.url()}\n\n${text}`);
}

export { assert };

/** The collector's new-row form of table `code`, opened from 我的任务 after a reload (so that
 * definitions changed meanwhile are read). */
export async function newRowForm(page, code) {
  const at = code.replace(/\./g, '\\.');
  await page.reload();
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('article', { name: new RegExp(`^${at} `) }).getByRole('button', { name: '填写', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('button', { name: '新增', exact: true }).click();
  const form = fill.getByRole('form', { name: new RegExp(`${at} .* 的一行`) });
  await form.waitFor();
  return form;
}
