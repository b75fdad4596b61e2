// The same checks, early, and 质量部's 数据检查, through the page: a collector's Excel dry run
// names teacher T99999 (not in 1.4.1) by its Excel row and still offers 确认导入; 质量部 runs the
// checks and opens a finding's row in 填写; a college that has no 挂职锻炼 this year empties the
// table, explains the completeness warning, and 质量部 accepts the explanation; the bulletin
// reports 工作质量.
import { panel, shot, assert } from './lib.mjs';
import { xlsx } from './xlsx.mjs';

const UNIT = '机电工程学院';
const EMPTIED = '2.15.4';
const REASON = '本年度本院无教师挂职锻炼，已与人事处核对';

function card(p, name) {
  return p.getByRole('article', { name });
}

export async function dryRunNamesUnknownTeacher(page) {
  const tasks = await panel(page, '我的任务');
  await card(tasks, '2.3.1 教材建设表').getByRole('button', { name: '导入 Excel' }).click();
  const fill = await panel(page, '填写');
  const box = fill.getByRole('group', { name: '导入 Excel' });
  const header = ['ISBN*', '教材名称*', '第一主编工号*', '第一主编姓名*', '出版社*', '出版年月*', '版次*', '教材形态*', '规划教材级别*'];
  const file = xlsx([header, ['9787040500004', '液压与气动技术', 'T99999', '赵六', '高等教育出版社', '2023-06', 1, '01', '03']]);
  await box.getByLabel('选择 Excel 文件').setInputFiles({
    name: '教材建设表.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: file,
  });
  await box.getByRole('button', { name: '导入', exact: true }).click();
  const checks = box.getByRole('region', { name: '提交前须处理' });
  await checks.waitFor();
  const rows = await checks.locator('tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => r.includes('第 2 行') && r.includes('T99999') && r.includes('第一主编工号')),
    `the unknown teacher is named by Excel row: ${rows.join(' | ')}`);
  assert.ok(!rows.some((r) => /\bid\b|（id）/.test(r)), 'no database id in the report');
  // It stops submission, not the import: a draft may wait for 人事处 to add the teacher.
  await box.getByRole('button', { name: '确认导入' }).waitFor();
  await shot(page, 'import-checks');
  // Not confirmed: the rest of the test submits 2.3.1, which this row would stop.
  await box.getByLabel('选择 Excel 文件').setInputFiles([]);
}

async function deleteAllRows(fill) {
  const count = async () => Number((await fill.getByText(/共 \d+ 行/).innerText()).match(/共 (\d+) 行/)[1]);
  for (let n = await count(); n > 0; n -= 1) {
    await fill.getByRole('button', { name: '删除', exact: true }).first().click();
    const ask = fill.page().getByRole('dialog', { name: '删除这一行？' });
    await ask.getByText(/删除后不能撤销/).waitFor();
    await ask.getByRole('button', { name: '删除', exact: true }).click();
    await fill.getByText(`共 ${n - 1} 行`).waitFor();
  }
}

export async function collectorEmptiesTable(page) {
  const tasks = await panel(page, '我的任务');
  await card(tasks, /^2\.15\.4 /).getByRole('button', { name: '填写', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('heading', { name: /^2\.15\.4 / }).waitFor();
  // The demo college has rows in 2.15.4: wait for them, not for another table's count.
  await fill.getByText(/共 [1-9]\d* 行/).waitFor();
  await deleteAllRows(fill);
  await fill.getByText('共 0 行').waitFor();
}

export async function qualityRunsChecksAndOpensARow(page) {
  const p = await panel(page, '数据检查');
  await p.getByRole('button', { name: '运行检查' }).click();
  await p.getByText(/已运行 \d+ 条规则：错误 \d+ 处、提醒 \d+ 处/).waitFor({ timeout: 60000 });
  await p.getByRole('region', { name: '质量报告' }).getByText(/无问题的数据行 \d/).waitFor();
  await shot(page, 'checks');
  // A warning of the college that emptied 2.15.4 is among the findings.
  await p.getByLabel('单位', { exact: true }).selectOption({ label: UNIT });
  await p.getByLabel('严重程度', { exact: true }).selectOption('warning');
  await p.getByRole('article', { name: new RegExp(`^${EMPTIED.replace(/\./g, '\\.')} `) }).waitFor();
  // Any error with a row opens that row in 填写.
  await p.getByLabel('单位', { exact: true }).selectOption('');
  await p.getByLabel('严重程度', { exact: true }).selectOption('error');
  const finding = p.getByRole('article').filter({ has: page.getByRole('button', { name: '打开此行' }) }).first();
  const text = await finding.innerText();
  await finding.getByRole('button', { name: '打开此行' }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('form').waitFor();
  assert.ok(text.length > 0);
  await panel(page, '数据检查');
}

export async function collectorExplainsWarning(page) {
  const p = await panel(page, '数据检查');
  await p.getByRole('button', { name: '刷新' }).click();
  const warning = p.getByRole('article', { name: new RegExp(`^${EMPTIED.replace(/\./g, '\\.')} .*提醒`) });
  await warning.getByText('待处理').waitFor();
  await warning.getByRole('button', { name: '写说明' }).click();
  await warning.getByLabel(/说明/).fill(REASON);
  await warning.getByRole('button', { name: '保存说明' }).click();
  await p.getByText('说明已保存，等待质量部认可').waitFor();
  await warning.getByText('已说明', { exact: true }).waitFor();
  await shot(page, 'checks-explain');
}

export async function qualityAcceptsExplanation(page) {
  const p = await panel(page, '数据检查');
  await p.getByRole('button', { name: '刷新' }).click();
  await p.getByLabel('状态', { exact: true }).selectOption('explained');
  const warning = p.getByRole('article', { name: new RegExp(`^${EMPTIED.replace(/\./g, '\\.')} `) });
  await warning.getByText(REASON).waitFor();
  await warning.getByRole('button', { name: '认可' }).click();
  await p.getByText(/已认可：这条不再计入/).waitFor();
  await p.getByLabel('状态', { exact: true }).selectOption('accepted');
  await warning.getByText('已认可', { exact: true }).waitFor();
  const progress = await panel(page, '进度');
  const bulletin = await progress.getByLabel('进度通报').innerText();
  assert.ok(bulletin.includes('工作质量'), `the bulletin reports 工作质量: ${bulletin}`);
}
