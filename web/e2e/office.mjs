// What the office does besides the main walk (issue 25 item 10), with 质量部's own accounts so the
// main walk's state is left alone: the collector fills the single-row 1.1.5 through its form; she
// exports her 1.1.2 rows and imports them back (dry run, then 确认导入); the head submits 1.1.5,
// the page keeps it read only and says why; 质量部 grants a lock exception (临时开放), under which
// the collector edits it in the page; the head approves it (1.1.5 is reviewed by 质量部 itself,
// so its own 我的任务 asks for the review); 质量部 reopens it (重新打开) and the collector edits it
// again.
import { newUser, login, logout, panel, shot, assert, BASE } from './lib.mjs';
import { confirmReview } from './guards.mjs';

const COLLECTOR = { no: '1003', pw: 'Li@1003', next: 'Zhiliang#Caiji2023' };
const HEAD = { no: '1004', pw: 'Liu@1004', next: 'Zhiliang#Fuze2023' };
// 质量部's administrator: the main walk changed the password already when it ran before.
const QUALITY = { no: '1001', pw: 'Zhang@1001', next: 'Zhiliang#Guan2023' };
const SINGLE = '1.1.5 教学仪器设备表';
const ROWS = '1.1.2 联系表';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function card(p, name) {
  return p.getByRole('article', { name });
}

/** Logs 1001 in whether or not the main walk changed the password before. */
async function loginQuality(browser, page) {
  const probe = await browser.newContext();
  const r = await probe.request.post(`${BASE}/graphql`, {
    data: { query: `mutation { login(staffNo: "${QUALITY.no}", password: "${QUALITY.next}") { mustChangePassword } }` },
  });
  const changed = r.ok() && !(await r.json()).errors;
  await probe.close();
  if (changed) await login(page, QUALITY.no, QUALITY.next);
  else await login(page, QUALITY.no, QUALITY.pw, QUALITY.next);
}

async function openFill(page, name) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  await card(tasks, name).getByRole('button', { name: '填写', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('heading', { name }).waitFor();
  return fill;
}

/** The single-row table opens straight in its form: one value changed, saved. */
async function fillSingle(page, computers) {
  const fill = await openFill(page, SINGLE);
  const form = fill.getByRole('form', { name: `${SINGLE} 的一行` });
  // The demo's row has this year's new equipment above the total: put it right before submitting.
  await form.getByLabel(/^其中：当年新增教学科研仪器设备值/).fill('806.50');
  await form.getByLabel(/^教学用计算机台数/).fill(String(computers));
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await fill.getByRole('status').filter({ hasText: /已保存|已新增一行/ }).first().waitFor();
  // Saved, the form still shows the one row (no list, no 新增).
  assert.equal(await form.getByLabel(/^教学用计算机台数/).inputValue(), String(computers));
  assert.equal(await fill.getByRole('button', { name: '新增', exact: true }).count(), 0, 'a single-row table has no 新增');
  return fill;
}

/** The unit's own rows as the page's 导出 gives them. */
async function exported(page, code) {
  const r = await page.request.get(`${BASE}/export/2023/${code}.xlsx`);
  assert.equal(r.status(), 200, `export ${code}`);
  return r.body();
}

async function importBack(page) {
  const fill = await openFill(page, ROWS);
  const count = await fill.getByText(/共 \d+ 行/).innerText();
  const file = await exported(page, '1.1.2');
  await fill.getByRole('button', { name: '导入 Excel' }).click();
  const box = fill.getByRole('group', { name: '导入 Excel' });
  await box.getByLabel('选择 Excel 文件').setInputFiles({ name: '联系表.xlsx', mimeType: XLSX, buffer: file });
  await box.getByRole('button', { name: '导入', exact: true }).click();
  await box.getByText(/检查通过：共 \d+ 行|格式检查通过/).waitFor();
  await shot(page, 'office-import-check');
  await box.getByRole('button', { name: '确认导入' }).click();
  const done = box.getByText(/已导入 \d+ 行/);
  await done.waitFor();
  const text = await done.innerText();
  assert.match(text, /新增 0 行，更新 [1-9]\d* 行/, `the unit's own rows come back as updates: ${text}`);
  await fill.getByText(count, { exact: true }).waitFor();
}

/** The head submits 1.1.5; being its reviewer too, she then finds it under 待审核. */
async function submit(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  const c = card(tasks, SINGLE);
  await c.getByRole('button', { name: '提交', exact: true }).click();
  await c.getByRole('button', { name: '确认提交' }).click();
  await tasks.getByText(/1\.1\.5 教学仪器设备表：已提交/).waitFor();
  await tasks.getByRole('heading', { name: /待审核（\d+）/ }).waitFor();
  await card(tasks, `${SINGLE} 质量部`).getByRole('button', { name: '审核', exact: true }).waitFor();
}

/** The head approves her own unit's 1.1.5 from 我的任务's 待审核. */
async function approveOwn(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  await card(tasks, `${SINGLE} 质量部`).getByRole('button', { name: '审核', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('button', { name: '通过', exact: true }).click();
  await confirmReview(page);
  await fill.getByRole('status').filter({ hasText: /审核通过/ }).waitFor();
  await shot(page, 'office-own-review');
}

/** The collector opens the submitted 1.1.5: read only, saying why and whom to ask. */
async function lockedInPage(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  await card(tasks, SINGLE).getByRole('button', { name: '查看', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByText(/当前为“待审核”，不能修改；如需修改请联系审核部门退回或质量部重新打开/).waitFor();
  const form = fill.getByRole('form', { name: `${SINGLE} 的一行` });
  assert.equal(await form.getByRole('button', { name: '保存', exact: true }).count(), 0, 'a locked table offers no 保存');
}

async function progressEntry(page) {
  const progress = await panel(page, '进度');
  await progress.getByLabel('筛选', { exact: true }).fill('1.1.5');
  return { progress, entry: progress.getByRole('article', { name: `${SINGLE} 质量部` }) };
}

/** The unit's 1.1.5 row imported back from the page (as its import box would post it, to the
 * same address): the answer. */
async function importSingle(page) {
  const file = [...(await exported(page, '1.1.5'))];
  return page.evaluate(async (bytes) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), '教学仪器设备表.xlsx');
    const r = await fetch('/import/2023/1.1.5?dryRun=false', { method: 'POST', body: form, credentials: 'same-origin' });
    return { status: r.status, body: await r.text() };
  }, file);
}

export async function officeSteps(browser, requests, say) {
  say('单行表：质量部采集员在表单中填写 1.1.5 教学仪器设备表并保存');
  const collector = await newUser(browser, requests);
  const cp = collector.page;
  await login(cp, COLLECTOR.no, COLLECTOR.pw, COLLECTOR.next);
  await fillSingle(cp, 2468);
  await shot(cp, 'office-single-row');

  say('导入 Excel：导出本单位 1.1.2 联系表，再导入，先检查后确认导入');
  await importBack(cp);
  await shot(cp, 'office-import-done');

  say('质量部负责人提交 1.1.5，表锁定（待审核）');
  const head = await newUser(browser, requests);
  await login(head.page, HEAD.no, HEAD.pw, HEAD.next);
  await submit(head.page);
  const quality = await newUser(browser, requests, { width: 1093, height: 614 });
  const qp = quality.page;
  await loginQuality(browser, qp);
  const { progress, entry } = await progressEntry(qp);
  await entry.getByText('待审核', { exact: true }).waitFor();

  say('已提交的表单位不能改（页面只读并说明原因，导入也被拒绝）；质量部临时开放后单位在页面中修改');
  await lockedInPage(cp);
  await shot(cp, 'office-locked');
  const refused = await importSingle(cp);
  assert.match(refused.body, /当前为“待审核”，不能修改/, `a submitted table refuses the unit: ${refused.status} ${refused.body}`);
  await entry.getByRole('button', { name: '临时开放', exact: true }).click();
  const until = new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10);
  await entry.getByLabel('开放至（含当日）').fill(until);
  await entry.getByLabel('开放原因').fill('补录当年新增设备');
  await shot(qp, 'office-lock-exception');
  await entry.getByRole('button', { name: '确认临时开放' }).click();
  await progress.getByText(/临时开放 1\.1\.5 质量部：完成/).waitFor();
  await cp.reload();
  const opened = await fillSingle(cp, 2469);
  await opened.getByText(`质量部已临时开放本表，${until} 前可以修改。`).waitFor();
  await shot(cp, 'office-edit-under-exception');

  say('质量部负责人在“我的任务·待审核”中审核本单位自审的 1.1.5 并通过');
  await approveOwn(head.page);

  say('质量部重新打开 1.1.5，采集员在表单中修改并保存');
  await entry.getByRole('button', { name: '重新打开', exact: true }).click();
  await entry.getByLabel('重新打开原因').fill('设备总值与财务账不符，请核对');
  await entry.getByRole('button', { name: '确认重新打开' }).click();
  await progress.getByText(/重新打开 1\.1\.5 质量部：完成/).waitFor();
  await shot(qp, 'office-reopened');
  await cp.reload();
  const fill = await fillSingle(cp, 2470);
  await fill.getByText(/退回原因：设备总值与财务账不符/).waitFor();
  await shot(cp, 'office-edit-after-reopen');

  for (const u of [collector, head, quality]) {
    await logout(u.page);
    await u.context.close();
  }
}
