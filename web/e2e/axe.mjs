// axe-core on every page a non-developer sees: the login card, the forced 修改密码 form, and each
// panel a collector, a head, 质量部 and a leader can open, at 1366×768. Any serious or critical
// violation fails the run, listed with the rule, the panel and the elements it found.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { newUser, login, panel, shot, assert } from './lib.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TITLES = ['我的任务', '填写', '进度', '核心数据', '典型案例', '数据检查', '管理'];
// Accounts no other step uses, so their first login (and its 修改密码 form) happens here.
const COLLECTOR = { no: '1035', pw: 'Fu@1035', next: 'Xinxi#Caiji2023' };
const HEAD = { no: '1036', pw: 'Shen@1036', next: 'Xinxi#Fuze2023' };

// GraphiQL's own frame (editor, docs, history, its tab bar and dialogs) is a developer tool; the
// `shell` branch moves it behind the 开发者模式 switch, after which none of it is in the page.
// Until that lands only the plugin pane — our panels — and the sidebar's panel buttons count.
const EXCLUDE = [
  ['.graphiql-container .graphiql-sessions'],
  ['.graphiql-container .graphiql-horizontal-drag-bar'],
  ['.graphiql-container .graphiql-sidebar-section:not(:first-child)'],
  ['.graphiql-dialog-overlay'],
  ['.graphiql-dialog'],
];

/** Runs axe on the page; answers the serious and critical violations, one line each. */
async function violations(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = await page.evaluate(async (exclude) => {
    const r = await window.axe.run({ include: [['body']], exclude }, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  }, EXCLUDE);
  return found.map((v) => `${where}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' | ')}`);
}

/** The panel buttons this user's sidebar shows (a role may see fewer once the shell hides some). */
async function visiblePanels(page) {
  const shown = [];
  for (const title of TITLES) {
    if (await page.getByRole('button', { name: title, exact: true }).first().isVisible().catch(() => false)) shown.push(title);
  }
  return shown;
}

/** Every panel the signed-in user can open; answers the violations found on each. */
async function everyPanel(page, who) {
  const found = [];
  const titles = await visiblePanels(page);
  assert.ok(titles.length > 0, `${who}: the sidebar shows panels`);
  for (const title of titles) {
    const region = await panel(page, title);
    // Let the panel read its data: axe on a "正在读取…" placeholder proves little.
    await page.waitForLoadState('networkidle').catch(() => {});
    await region.waitFor();
    found.push(...(await violations(page, `${who} · ${title}`)));
  }
  return found;
}

/**
 * Signs in as each role in a fresh browser and runs axe on everything that role sees. `others`
 * are [who, { no, pw, next }] for 质量部 and the leader (`next` only when not yet changed).
 */
export async function axeEveryRole(browser, requests, others) {
  const found = [];
  const first = await newUser(browser, requests);
  try {
    const page = first.page;
    await (await panel(page, '我的任务')).getByLabel('工号', { exact: true }).waitFor();
    found.push(...(await violations(page, '登录')));
    await shot(page, 'login');
    const p = await panel(page, '我的任务');
    await p.getByLabel('工号', { exact: true }).fill(COLLECTOR.no);
    await p.getByLabel('密码', { exact: true }).fill(COLLECTOR.pw);
    await p.getByRole('button', { name: '登录', exact: true }).click();
    await p.getByLabel('确认新密码', { exact: true }).waitFor();
    found.push(...(await violations(page, '修改密码')));
    await p.getByLabel('原密码', { exact: true }).fill(COLLECTOR.pw);
    await p.getByLabel('新密码', { exact: true }).fill(COLLECTOR.next);
    await p.getByLabel('确认新密码', { exact: true }).fill(COLLECTOR.next);
    await p.getByRole('button', { name: '修改密码', exact: true }).click();
    await p.getByText('本单位填报').waitFor();
    found.push(...(await everyPanel(page, '采集员')));
  } finally {
    await first.context.close();
  }
  for (const [who, u] of [['部门负责人', HEAD], ...others]) {
    const { context, page } = await newUser(browser, requests);
    try {
      await login(page, u.no, u.pw, u.next);
      found.push(...(await everyPanel(page, who)));
    } finally {
      await context.close();
    }
  }
  assert.deepEqual(found, [], `axe found serious or critical violations:\n${found.join('\n')}`);
}
