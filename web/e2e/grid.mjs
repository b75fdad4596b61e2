// The grid like a spreadsheet, through the page: a collector of 信息工程学院 (1366×768) edits a
// cell of 2.15.5 with a wrong value (the problem shows in the cell) and fixes it with Enter; pastes
// three rows copied from Excel through a real paste event, one with a bad code (marked in its
// cell, nothing saved), fixes it and saves; deletes two rows at once after the confirmation;
// the key column stays in view when the grid scrolls sideways. 学务部 (1093×614) jumps to page
// 600 of 1.5.1 and hides a column. 进度 keeps its 单位 column in view and pages 报送明细.
import { newUser, login, panel, shot, failureShot, assert } from './lib.mjs';

const COLLECTOR = { no: '1035', pw: 'Fu@1035', next: 'Xinxi#Caiji2023' };
const STUDENTS = { no: '1017', pw: 'He@1017', next: 'Xuewu#Caiji2023' };

/**
 * Logs in; on a loaded machine 我的任务 can outlast the server's time limit for one request, and
 * the page then waits for ever: reading the page again asks again.
 */
async function enter(page, who) {
  try {
    await login(page, who.no, who.pw, who.next);
    return;
  } catch (e) {
    if (!(await page.getByText('正在读取任务…').isVisible().catch(() => false))) throw e;
  }
  for (let i = 0; i < 3; i++) {
    await page.reload();
    const tasks = await panel(page, '我的任务');
    if (await tasks.getByText('本单位填报').waitFor({ timeout: 40000 }).then(() => true, () => false)) return;
  }
  throw new Error(`我的任务 did not load for ${who.no}`);
}

async function openTable(page, code, name) {
  const fill = await panel(page, '填写');
  const pick = fill.getByLabel('数据表', { exact: true });
  const value = await pick.locator('option', { hasText: `${code} ${name}` }).first().getAttribute('value');
  await pick.selectOption(value);
  await fill.getByRole('heading', { name: `${code} ${name}` }).waitFor();
  await fill.getByText(/共 \d+ 行/).waitFor();
  return fill;
}

const total = async (fill) => Number((await fill.getByText(/共 \d+ 行/).innerText()).match(/共 (\d+) 行/)[1]);

/** A teacher of the collector's college, as the lookup offers it (key only). */
async function teacherNo(page) {
  return page.evaluate(async () => {
    const r = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ lookup(table: "2.15.5", field: "teacherNo", search: "") { value } }' }),
    });
    return (await r.json()).data.lookup[0].value;
  });
}

async function editInCell(page, fill) {
  const grid = fill.getByRole('region', { name: /社会兼职（可左右滚动）/ });
  const cell = grid.locator('tbody tr').first().locator('td[data-cell$="-2"]');
  await cell.click();
  const label = await grid.locator('thead th').nth(4).innerText();
  // Typing starts editing (as in a spreadsheet); the field check refuses an empty required cell.
  await page.keyboard.press('Enter');
  const input = cell.locator('input, textarea').first();
  await input.fill('');
  await page.keyboard.press('Enter');
  await cell.getByRole('alert').filter({ hasText: new RegExp(`${label}：必填`) }).waitFor();
  await shot(page, 'grid-cell-error');
  await input.fill('理事（网格修改）');
  await page.keyboard.press('Enter');
  await fill.getByText('已保存', { exact: true }).first().waitFor();
  await grid.getByText('理事（网格修改）', { exact: true }).waitFor();
  // Esc gives up an edit.
  await grid.getByText('理事（网格修改）', { exact: true }).click();
  await page.keyboard.type('x');
  await page.keyboard.press('Escape');
  await grid.getByText('理事（网格修改）', { exact: true }).waitFor();
}

async function pasteRows(page, fill, teacher) {
  const before = await total(fill);
  const lines = [
    ['工号', '兼职单位', '兼职职务', '兼职类型', '级别', '任职开始年月'].join('\t'),
    [teacher, '网格粘贴学会一', '委员', '01', '02', '2022.10'].join('\t'),
    [teacher, '网格粘贴学会二', '委员', '99', '02', '202210'].join('\t'),
    [teacher, '网格粘贴学会三', '委员', '01', '02', '2022-10'].join('\t'),
  ];
  const grid = fill.getByRole('region', { name: /社会兼职（可左右滚动）/ });
  await grid.locator('tbody td[data-cell]').first().click();
  await grid.locator('tbody td[data-cell]').first().evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, lines.join('\r\n'));
  const box = fill.getByRole('region', { name: '粘贴的行' });
  await box.getByText(/粘贴了 3 行，其中 1 行有问题/).waitFor();
  const bad = box.getByLabel('第 2 行 兼职类型', { exact: true });
  assert.equal(await bad.getAttribute('aria-invalid'), 'true', 'the bad code is marked in its cell');
  assert.ok(await box.getByRole('button', { name: /^保存/ }).isDisabled(), 'nothing is saved while a cell is wrong');
  await box.getByRole('button', { name: /只保存无误的行（2 行）/ }).waitFor();
  await shot(page, 'grid-paste');
  await bad.fill('01');
  await box.getByRole('button', { name: '重新检查' }).click();
  await box.getByText(/粘贴了 3 行，均无问题/).waitFor();
  await box.getByRole('button', { name: '保存 3 行' }).click();
  await fill.getByText(/已保存 3 行（新增 3 行，修改 0 行）/).waitFor();
  await fill.getByText(`共 ${before + 3} 行`).waitFor();
}

async function bulkDelete(page, fill) {
  const before = await total(fill);
  const grid = fill.getByRole('region', { name: /社会兼职（可左右滚动）/ });
  await grid.getByRole('checkbox', { name: /选择 / }).nth(0).check();
  await grid.getByRole('checkbox', { name: /选择 / }).nth(1).check();
  await fill.getByRole('button', { name: '删除选中的 2 行' }).click();
  const dialog = page.getByRole('dialog', { name: '删除选中的 2 行？' });
  await dialog.getByText(/删除后不能撤销/).waitFor();
  await shot(page, 'grid-delete-confirm');
  await dialog.getByRole('button', { name: '删除 2 行' }).click();
  await fill.getByText(/已删除“2\.15\.5 社会兼职”的 2 行/).waitFor();
  await fill.getByText(`共 ${before - 2} 行`).waitFor();
}

/** The frozen key column stays where it was when the grid scrolls sideways. */
async function keyStaysInView(fill, name) {
  const grid = fill.getByRole('region', { name });
  const key = grid.locator('thead th.sd-freeze-last');
  const before = await key.boundingBox();
  await grid.evaluate((el) => el.scrollBy(600, 0));
  const after = await key.boundingBox();
  const scrolled = await grid.evaluate((el) => el.scrollLeft);
  assert.ok(scrolled > 0, `the grid scrolls sideways (${scrolled})`);
  assert.ok(Math.abs(after.x - before.x) < 2, `the key column stays (${before.x} → ${after.x})`);
}

async function studentsPageJump(page) {
  const fill = await openTable(page, '1.5.1', '全日制高职在校生信息表');
  const first = fill.getByText(/第 1 \/ \d{3} 页/);
  await first.waitFor();
  const pages = Number((await first.innerText()).match(/第 1 \/ (\d+) 页/)[1]);
  // A page past the end lands on the last page; a page within goes there.
  await fill.getByLabel('跳到第').fill(String(pages + 50));
  await fill.getByRole('button', { name: '跳转', exact: true }).click();
  await fill.getByText(`第 ${pages} / ${pages} 页`, { exact: false }).waitFor();
  const target = pages - 10;
  await fill.getByLabel('跳到第').fill(String(target));
  await fill.getByRole('button', { name: '跳转', exact: true }).click();
  await fill.getByText(`第 ${target} / ${pages} 页`, { exact: false }).waitFor();
  await keyStaysInView(fill, /（可左右滚动）/);
  await shot(page, 'grid-page-jump');
  await fill.getByText(/显示的列/).click();
  const chooser = fill.getByRole('group', { name: '显示的列' });
  const boxes = chooser.getByRole('checkbox', { disabled: false });
  const hide = (await boxes.nth(0).locator('..').innerText()).trim();
  await boxes.nth(0).uncheck();
  await fill.getByRole('columnheader', { name: hide, exact: true }).waitFor({ state: 'detached' });
  await page.reload();
  const again = await openTable(page, '1.5.1', '全日制高职在校生信息表');
  assert.equal(await again.getByRole('columnheader', { name: hide, exact: true }).count(), 0, 'the hidden column is remembered');
}

async function progressFrozen(page) {
  const progress = await panel(page, '进度');
  await progress.getByText(/共 \d+ 项，本页显示/).waitFor();
  const grid = progress.getByRole('region', { name: /各单位各表组进度/ });
  const unit = grid.locator('thead th').first();
  const before = await unit.boundingBox();
  await grid.evaluate((el) => el.scrollBy(800, 0));
  const after = await unit.boundingBox();
  assert.ok(Math.abs(after.x - before.x) < 2, '单位 stays in view');
  await progress.getByRole('navigation', { name: '翻页' }).getByRole('button', { name: '下一页' }).click();
  await progress.getByText(/第 2 \/ \d+ 页/).waitFor();
  await shot(page, 'grid-progress');
}

/** The whole walk; `quality` is 质量部's page, already logged in. */
export async function gridLikeASpreadsheet(browser, requests, quality) {
  const { context, page } = await newUser(browser, requests);
  const small = await newUser(browser, requests, { width: 1093, height: 614 });
  // 我的任务 of a college reads every table's state: allow for a busy CI machine.
  for (const p of [page, small.page]) p.setDefaultTimeout(45000);
  try {
    await enter(page, COLLECTOR);
    const fill = await openTable(page, '2.15.5', '社会兼职');
    await editInCell(page, fill);
    await pasteRows(page, fill, await teacherNo(page));
    await bulkDelete(page, fill);
    await keyStaysInView(fill, /社会兼职（可左右滚动）/);
    await shot(page, 'grid');
    await enter(small.page, STUDENTS);
    await studentsPageJump(small.page);
    if (quality) await progressFrozen(quality);
  } catch (e) {
    await failureShot(page, 'failure-grid-1').catch(() => {});
    await failureShot(small.page, 'failure-grid-2').catch(() => {});
    throw e;
  } finally {
    await context.close();
    await small.context.close();
  }
}
