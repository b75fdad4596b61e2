// The office application's shell: a fresh visit shows the login (not GraphiQL's Docs); signing in
// lands on 我的任务; the navigation holds only the panels the role uses; each panel opens at its
// top; 开发者模式 shows the GraphQL editor and is remembered per browser, and the schema is read
// once per version; a collector's first load stays under 1.5 MB and reads no schema. At 1366×768
// and 1093×614. (The badges per role are checked where the walk in run.mjs creates them.)
import { BASE, login, logout, nav, panel, devMode, shot, assert } from './lib.mjs';

const LIMIT = 1.5 * 1024 * 1024;
const SIZES = [{ width: 1366, height: 768 }, { width: 1093, height: 614 }];

/** A fresh browser context whose requests (with their bodies) are recorded. */
async function fresh(browser, requests, viewport) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const seen = [];
  context.on('request', (r) => {
    requests.push(r.url());
    seen.push({ url: r.url(), body: r.postData() || '' });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('  页面脚本错误：', e.message));
  return { context, page, seen };
}

/** Waits until the editor has kept the schema it read in the browser (IndexedDB). */
async function schemaKept(page) {
  const kept = () => page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('statusdata-schema', 1);
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
      try {
        const get = open.result.transaction('schema').objectStore('schema').get('current');
        get.onsuccess = () => resolve(!!get.result);
        get.onerror = () => resolve(false);
      } catch {
        resolve(false);
      }
    };
  }));
  for (let i = 0; i < 120 && !(await kept()); i += 1) await page.waitForTimeout(500);
  assert.ok(await kept(), 'the schema is kept in the browser');
}

const introspections = (seen) => seen.filter((r) => r.body.includes('__schema')).length;
const graphiqlLoads = (seen) => seen.filter((r) => /\/assets\/graphiql\./.test(r.url)).length;

/** Bytes the page transferred so far (resource timing: the document and every resource). */
function transferred(page) {
  return page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
      .reduce((sum, e) => sum + (e.transferSize || 0), 0));
}

async function firstVisit(browser, requests, viewport, collector) {
  const tag = `${viewport.width}x${viewport.height}`;
  const { context, page, seen } = await fresh(browser, requests, viewport);
  await page.goto(`${BASE}/`);
  const form = page.getByRole('form', { name: '登录' });
  await form.getByLabel('工号', { exact: true }).waitFor();
  assert.equal(await page.getByText(/Docs|接口文档|AdmissionByLevel/).count(), 0, 'no GraphiQL Docs on a fresh visit');
  assert.equal(await nav(page).count(), 0, 'no navigation before signing in');
  await shot(page, `shell-login-${tag}`);
  await login(page, collector.no, collector.next);
  const current = nav(page).locator('[aria-current="page"]');
  assert.equal(await current.getAttribute('aria-label'), '我的任务', 'signing in lands on 我的任务');
  const titles = await nav(page).getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
  assert.deepEqual(titles, ['我的任务', '填写', '典型案例', '数据检查'], `a collector's navigation: ${titles}`);
  const header = await page.getByRole('banner').innerText();
  assert.ok(header.includes('机电工程学院') && header.includes('年度'), `the header names the unit and cycle: ${header}`);
  await page.waitForLoadState('networkidle');
  const bytes = await transferred(page);
  console.log(`     ${tag}：采集员首次加载共传输 ${(bytes / 1024).toFixed(0)} KB，${seen.length} 个请求`);
  assert.ok(bytes > 0 && bytes <= LIMIT, `first load transfers ${bytes} bytes (≤ ${LIMIT})`);
  assert.equal(introspections(seen), 0, 'no introspection outside 开发者模式');
  assert.equal(graphiqlLoads(seen), 0, 'GraphiQL is not loaded outside 开发者模式');
  await shot(page, `shell-collector-${tag}`);
  await context.close();
  return bytes;
}

/** Each panel opens at its top, not where the previous one was scrolled to. */
async function scrollResets(page) {
  const progress = await panel(page, '进度');
  await progress.getByLabel('进度通报').waitFor();
  const main = page.getByRole('main');
  await main.evaluate((m) => { m.scrollTop = 600; });
  assert.ok((await main.evaluate((m) => m.scrollTop)) > 0, '进度 scrolls');
  await panel(page, '我的任务');
  assert.equal(await main.evaluate((m) => m.scrollTop), 0, 'the next panel starts at its top');
}

async function developerMode(browser, requests, account) {
  const { context, page, seen } = await fresh(browser, requests, SIZES[0]);
  await page.goto(`${BASE}/`);
  await login(page, account.no, account.next);
  await scrollResets(page);
  await devMode(page, true);
  await panel(page, '接口调试');
  await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor();
  await page.getByRole('button', { name: '接口文档' }).first().waitFor();
  await schemaKept(page);
  assert.ok(introspections(seen) >= 1, 'the editor reads the schema');
  await shot(page, 'shell-developer');
  // Remembered in this browser; the schema is not read again for the same definitions.
  seen.length = 0;
  await page.reload();
  await page.getByRole('region', { name: '我的任务', exact: true }).waitFor();
  assert.equal(await page.getByRole('switch', { name: '开发者模式' }).getAttribute('aria-checked'), 'true', 'the switch is remembered');
  assert.equal(graphiqlLoads(seen), 0, 'GraphiQL loads only when its view opens');
  await panel(page, '接口调试');
  await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor();
  await page.getByRole('button', { name: '接口文档' }).first().click();
  await page.locator('.graphiql-plugin').first().waitFor();
  await page.waitForLoadState('networkidle');
  await shot(page, 'shell-developer-docs');
  assert.equal(introspections(seen), 0, 'the schema comes from the browser for the same definitions version');
  await devMode(page, false);
  await page.getByRole('region', { name: '我的任务', exact: true }).waitFor();
  assert.equal(await nav(page).getByRole('button', { name: '接口调试' }).count(), 0, 'off: no editor');
  await logout(page);
  await context.close();
}

/** The shell's checks; run after the walk (the accounts' passwords are changed by then). */
export async function shell(browser, requests, { collector, quality }) {
  for (const size of SIZES) await firstVisit(browser, requests, size, collector);
  await developerMode(browser, requests, quality);
}
