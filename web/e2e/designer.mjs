// 管理 → 表定义 (issue 26): 质量部 adds a field with a code list to 1.1.7, sees the check pass and
// the diff, applies it; 政务部's collector, in another browser and without a restart, finds the
// new input in the form and the new column in the template; removing a field of a table that has
// rows is refused with the reason; 撤销此次修改 puts the previous form back.
import { newUser, login, logout, panel, newRowForm, shot, assert, BASE } from './lib.mjs';
import { xlsxEntry } from './xlsx.mjs';
import { codesSteps } from './designer_codes.mjs';

const COLLECTOR = { no: '1005', pw: 'Chen@1005', next: 'Zhengwu#Caiji2023' };
const LABEL = '奖励类别（新增）';

async function openDesigner(page, code) {
  const admin = await panel(page, '管理');
  const card = admin.getByRole('region', { name: '表定义' });
  await card.getByLabel('数据表', { exact: true }).selectOption(code);
  await card.getByText(/正在使用第 \d+ 版/).waitFor();
  return card;
}

/** The collector's new-row form of 1.1.7: its labels. */
async function formLabels(page) {
  return (await newRowForm(page, '1.1.7')).locator('label').allInnerTexts();
}

/** The strings of 1.1.7's import template as the collector downloads it. */
async function templateText(page) {
  const r = await page.request.get(`${BASE}/templates/1.1.7.xlsx`);
  assert.equal(r.status(), 200, 'the template downloads');
  return (await xlsxEntry(Buffer.from(await r.body()), 'xl/sharedStrings.xml')) || '';
}

export async function designerSteps(browser, requests, quality, say) {
  say('质量部在“管理·表定义”中为 1.1.7 新增一个代码表字段：先存草稿并检查，看到差异后生效');
  const card = await openDesigner(quality, '1.1.7');
  const fields = card.locator('fieldset.sd-def-field');
  const before = await fields.count();
  await card.getByRole('button', { name: '添加字段', exact: true }).click();
  const added = fields.nth(before);
  await added.getByLabel('字段名（英文，存储用）').fill('award_kind');
  await added.getByLabel('标题（采集员看到的）').fill(LABEL);
  await added.getByLabel('类型', { exact: true }).selectOption('enum');
  await added.getByLabel('代码表', { exact: true }).selectOption('level');
  await added.getByLabel('填写说明').fill('按授予单位的级别选择。');
  await card.getByRole('button', { name: '保存草稿并检查' }).click();
  await card.getByText('草稿已保存，检查通过').waitFor();
  const diff = card.getByLabel('TOML 文本的变化');
  await diff.getByText(/\+name = "award_kind"/).waitFor();
  await card.getByLabel('数据库变更').getByText(/新增/).waitFor();
  await diff.scrollIntoViewIfNeeded();
  await shot(quality, 'designer-draft');
  await card.getByRole('button', { name: '生效…' }).click();
  const ask = quality.getByRole('dialog');
  await ask.getByLabel('修改原因（记入历史）').fill('2024 年通知新增奖励类别');
  await ask.getByRole('button', { name: '生效', exact: true }).click();
  await card.getByText(/已生效：表定义第 \d+ 版/).waitFor();
  await card.getByRole('region', { name: '修改历史' }).getByText(/2024 年通知新增奖励类别/).waitFor();

  say('政务部采集员在另一浏览器中（不重启服务）看到新字段：表单和导入模板');
  const collector = await newUser(browser, requests);
  const cp = collector.page;
  await login(cp, COLLECTOR.no, COLLECTOR.pw, COLLECTOR.next);
  const labels = await formLabels(cp);
  assert.ok(labels.some((l) => l.includes(LABEL)), `the new input is in the form: ${labels.join(' | ')}`);
  await shot(cp, 'designer-collector-form');
  assert.ok((await templateText(cp)).includes(LABEL), 'the template has the new column');

  say('删除已有数据的字段被拒绝并说明原因；撤销新增后表单恢复原样');
  const again = await openDesigner(quality, '1.1.7');
  const first = again.locator('fieldset.sd-def-field').first();
  await first.getByRole('button', { name: '删除此字段' }).click();
  await again.getByRole('button', { name: '保存草稿并检查' }).click();
  await again.getByLabel('数据库变更').getByText(/破坏性变更/).waitFor();
  await again.getByRole('button', { name: '生效…' }).click();
  await quality.getByRole('dialog').getByLabel('修改原因（记入历史）').fill('试删字段');
  await quality.getByRole('dialog').getByRole('button', { name: '生效', exact: true }).click();
  const refused = again.getByRole('alert').filter({ hasText: /statusdata migrate/ });
  await refused.waitFor();
  await refused.scrollIntoViewIfNeeded();
  await shot(quality, 'designer-refused');
  await again.getByRole('button', { name: '放弃草稿' }).click();
  await quality.getByRole('dialog').getByRole('button', { name: '放弃草稿', exact: true }).click();
  await again.getByText('已放弃草稿').waitFor();
  const history = again.getByRole('region', { name: '修改历史' });
  await history.getByRole('button', { name: '撤销此次修改' }).first().click();
  await quality.getByRole('dialog').getByLabel('回滚原因（记入历史）').fill('暂不新增，等待正式通知');
  await quality.getByRole('dialog').getByRole('button', { name: '回滚', exact: true }).click();
  await again.getByRole('region', { name: '修改历史' }).getByText(/暂不新增，等待正式通知/).waitFor();
  await again.getByRole('region', { name: '修改历史' }).scrollIntoViewIfNeeded();
  await shot(quality, 'designer-history');
  const back = await formLabels(cp);
  assert.ok(!back.some((l) => l.includes(LABEL)), `after the roll-back the form is as before: ${back.join(' | ')}`);
  await codesSteps(quality, cp, say);
  await logout(cp);
  await collector.context.close();
}
