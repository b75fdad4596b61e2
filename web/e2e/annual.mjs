// The 质量年报 steps of the browser test: 质量部 opens the annual report's data tables, enters a
// survey figure (母校满意度) with its source and date, sees it in the table, and downloads the
// Excel and Word files; the leader reads the same tables without the entry forms. Before the
// sign-off, the leader comments on a computed item and 质量部 marks the comment resolved.
import { panel, shot, assert, BASE } from './lib.mjs';

const ITEM = '母校满意度';

export async function qualityEntersASurveyFigure(page) {
  const p = await panel(page, '质量年报');
  for (const t of ['计分卡', '资源表', '服务贡献表', '落实政策表', '国际影响表', '学生反馈表']) {
    await p.getByRole('region', { name: new RegExp(`^${t}（`) }).waitFor();
  }
  // A computed item shows a value for this year and last year.
  const books = p.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '生均纸质图书', exact: true }) });
  await books.waitFor();
  const cells = await books.getByRole('cell').allTextContents();
  assert.ok(cells.some((c) => /^\d+(\.\d+)?$/.test(c) && Number(c) > 10), `生均纸质图书 is plausible: ${cells}`);
  const row = p.getByRole('row').filter({ has: page.getByRole('rowheader', { name: ITEM, exact: true }) });
  // A careless entry is refused in words, and nothing is stored.
  await row.getByLabel(/^值/).fill('百分之九十');
  await row.getByLabel('来源', { exact: true }).fill('2023 届毕业生培养质量跟踪调查（第三方）');
  await row.getByLabel('日期', { exact: true }).fill('2023-09-20');
  await row.getByRole('button', { name: '保存', exact: true }).click();
  await p.getByRole('alert').filter({ hasText: new RegExp(`录入“${ITEM}”未完成`) }).waitFor();
  await row.getByLabel(/^值/).fill('96.4');
  await row.getByRole('button', { name: '保存', exact: true }).click();
  await p.getByText(`已录入“${ITEM}”`).waitFor();
  await row.getByText(/2023 届毕业生培养质量跟踪调查（第三方）（2023-09-20；/).waitFor();
  assert.ok((await row.getByRole('cell').allTextContents()).includes('96.4'), 'the entered figure is in the table');
  await shot(page, 'annual-report');
  for (const [name, magic] of [[/下载数据表（Excel）/, 'PK'], [/下载数据表与典型案例（Word）/, 'PK']]) {
    const href = await p.getByRole('link', { name }).getAttribute('href');
    const res = await page.context().request.get(`${BASE}${href}`);
    assert.equal(res.status(), 200, `the annual report downloads: ${href}`);
    assert.equal((await res.body()).subarray(0, 2).toString(), magic, `${href} is a zip (xlsx/docx)`);
  }
}

const COMMENTED = '教学计划内课程总学时';

function itemRow(p, page, name) {
  return p.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

export async function leaderCommentsOnTheReport(leader, quality) {
  let p = await panel(leader, '质量年报');
  let row = itemRow(p, leader, COMMENTED);
  await row.getByLabel('批注', { exact: true }).fill('学时比上年多出一成，请核对 1.3.1');
  await row.getByRole('button', { name: '添加批注', exact: true }).click();
  await p.getByText(`已批注“${COMMENTED}”`).waitFor();
  await row.getByText(/学时比上年多出一成.*未解决/).waitFor();
  // A breakdown unfolds by group, this year beside last year.
  const rate = itemRow(p, leader, '毕业去向落实率');
  await rate.getByText(/^按专业（\d+ 组）$/).click();
  await rate.getByRole('listitem').first().waitFor();
  p = await panel(quality, '质量年报');
  row = itemRow(p, quality, COMMENTED);
  await row.getByRole('button', { name: '标记已解决', exact: true }).click();
  await p.getByText(/已把.*的批注标记为已解决/).waitFor();
  await row.getByText(/已解决（/).waitFor();
}

export async function leaderReadsTheReport(page) {
  const p = await panel(page, '质量年报');
  const row = p.getByRole('row').filter({ has: page.getByRole('rowheader', { name: ITEM, exact: true }) });
  await row.waitFor();
  assert.ok((await row.getByRole('cell').allTextContents()).includes('96.4'), 'the leader sees the entered figure');
  assert.equal(await row.getByRole('button', { name: '保存' }).count(), 0, 'the leader enters nothing');
}
