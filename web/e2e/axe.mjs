// axe-core on every page a non-developer sees: the login card, the forced 修改密码 form, and each
// panel a collector, a head, 质量部 and a leader can open, at 1366×768. Any serious or critical
// violation fails the run, listed with the rule, the panel and the elements it found.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { newUser, login, nav, shot, assert } from './lib.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TITLES = ['我的任务', '填写', '进度', '核心数据', '典型案例', '质量年报', '数据检查', '管理'];
// Accounts no other step uses, so their first login (and its 修改密码 form) happens here.
const COLLECTOR = { no: '1037', pw: 'Peng@1037', next: 'Jingguan#Caiji2023' };
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
    if (await nav(page).getByRole('button', { name: title, exact: true }).isVisible().catch(() => false)) shown.push(title);
  }
  return shown;
}

/** Opens a panel from the navigation ("填写" is also on every task card). */
async function openPanel(page, title) {
  const region = page.getByRole('region', { name: title, exact: true });
  if (!(await region.isVisible().catch(() => false))) {
    await nav(page).getByRole('button', { name: title, exact: true }).click();
  }
  await region.waitFor();
  return region;
}

/** Every panel the signed-in user can open; answers the violations found on each. */
async function everyPanel(page, who) {
  const found = [];
  const titles = await visiblePanels(page);
  assert.ok(titles.length > 0, `${who}: the sidebar shows panels`);
  for (const title of titles) {
    const region = await openPanel(page, title);
    // Let the panel read its data: axe on a "正在读取…" placeholder proves little.
    await region.getByText(/^正在读取/).first().waitFor({ state: 'detached' });
    found.push(...(await violations(page, `${who} · ${title}`)));
    // E2E_AXE_SHOTS=1: a picture of every panel checked, for whoever fixes what axe found.
    if (process.env.E2E_AXE_SHOTS) await shot(page, `axe-${who}-${title}`);
  }
  return found;
}

/**
 * The collector's forms in the states a walk meets them: a new 2.3.1 row with the teacher lookup
 * open, the same form after a refused save (the focus is then on the first field to fix), and
 * the 导入 Excel box.
 */
async function collectorForms(page) {
  const found = [];
  const tasks = await openPanel(page, '我的任务');
  await tasks.getByRole('article', { name: '2.3.1 教材建设表' }).getByRole('button', { name: '填写', exact: true }).click();
  const fill = await openPanel(page, '填写');
  await fill.getByRole('heading', { name: '2.3.1 教材建设表' }).waitFor();
  assert.match(await fill.getByLabel('数据表', { exact: true }).evaluate((s) => s.selectedOptions[0]?.textContent || ''),
    /^2\.3\.1 教材建设表/, 'the 数据表 select shows the table opened from 我的任务');
  await fill.getByRole('button', { name: '新增', exact: true }).click();
  const form = fill.getByRole('form', { name: /2\.3\.1 教材建设表 的一行/ });
  const lookup = form.getByRole('combobox', { name: '第一主编工号' });
  await lookup.fill('王');
  await form.getByRole('listbox', { name: '可选项' }).getByRole('option').first().waitFor();
  found.push(...(await violations(page, '采集员 · 填写 · 查找主编')));
  // Leaving the field closes the list, chosen or not.
  await form.getByLabel('教材名称', { exact: true }).focus();
  await form.getByRole('listbox', { name: '可选项' }).waitFor({ state: 'detached' });
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await form.getByText(/有 \d+ 处问题/).waitFor();
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'));
  assert.equal(focused, 'true', 'after a refused save the focus is on a field to fix');
  found.push(...(await violations(page, '采集员 · 填写 · 保存被拒')));
  await shot(page, 'form-refused');
  await form.getByRole('button', { name: '取消', exact: true }).click();
  await fill.getByRole('button', { name: '导入 Excel' }).click();
  await fill.getByRole('group', { name: '导入 Excel' }).waitFor();
  found.push(...(await violations(page, '采集员 · 填写 · 导入 Excel')));
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
    // Signed out, the page is the login card alone (no navigation yet).
    const form = page.getByRole('form', { name: '登录' });
    await form.getByLabel('工号', { exact: true }).waitFor();
    found.push(...(await violations(page, '登录')));
    await shot(page, 'login');
    await form.getByLabel('工号', { exact: true }).fill(COLLECTOR.no);
    await form.getByLabel('密码', { exact: true }).fill(COLLECTOR.pw);
    await form.getByRole('button', { name: '登录', exact: true }).click();
    const change = page.getByRole('form', { name: '修改密码' });
    await change.getByLabel('确认新密码', { exact: true }).waitFor();
    found.push(...(await violations(page, '修改密码')));
    await change.getByLabel('原密码', { exact: true }).fill(COLLECTOR.pw);
    await change.getByLabel('新密码', { exact: true }).fill(COLLECTOR.next);
    await change.getByLabel('确认新密码', { exact: true }).fill(COLLECTOR.next);
    await change.getByRole('button', { name: '修改密码', exact: true }).click();
    const p = page.getByRole('region', { name: '我的任务', exact: true });
    await p.getByText('本单位填报').waitFor();
    found.push(...(await everyPanel(page, '采集员')));
    found.push(...(await collectorForms(page)));
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
