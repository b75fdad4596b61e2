// 管理 → 表定义 → 代码表 (issue 26): 质量部 adds a code to 级别 (level) with 起用年份, sees the check
// pass and the diff, applies it; the collector, without a restart, finds the new code among the
// choices of 1.1.7's 级别; 撤销此次修改 takes it out again (no row holds it). Called from designer.mjs
// with the collector it logged in.
import { panel, newRowForm, shot, assert } from './lib.mjs';

const NAME = '区县级（新增）';

async function openCodeList(page, name = 'level') {
  const admin = await panel(page, '管理');
  const card = admin.getByRole('region', { name: '表定义' });
  await card.getByLabel('代码表的代码').check();
  const pick = card.getByLabel('代码表', { exact: true });
  // Shown with its label once the labels are read.
  await pick.locator(`option[value="${name}"]`, { hasText: '级别（level）' }).waitFor({ state: 'attached' });
  await pick.selectOption(name);
  await card.getByText(/正在使用第 \d+ 版/).waitFor();
  return card;
}

/** The choices of 级别 in the collector's new-row form of 1.1.7. */
async function levelChoices(page) {
  const form = await newRowForm(page, '1.1.7');
  const level = form.getByLabel(/^级别/).first();
  await level.locator('option').nth(1).waitFor({ state: 'attached' });
  return level.locator('option').allInnerTexts();
}

/** `quality`: 质量部's page; `cp`: 政务部's collector's page, logged in. */
export async function codesSteps(quality, cp, say) {
  say('质量部在“管理·表定义·代码表”中为“级别”添加一个代码（起用年份为本周期），存草稿检查后生效');
  const card = await openCodeList(quality, 'level');
  const codes = card.getByRole('table', { name: '代码表 level 的代码' });
  const before = await codes.locator('tbody tr').count();
  await card.getByRole('button', { name: '添加代码', exact: true }).click();
  const row = before + 1;
  const code = await card.getByLabel(`第 ${row} 个代码`, { exact: true }).inputValue();
  assert.ok(code, 'the new code is numbered after the last');
  await card.getByLabel(`第 ${row} 个代码的名称`).fill(NAME);
  assert.ok(await card.getByLabel(`第 ${row} 个代码的起用年份`).inputValue(), 'since is the open cycle');
  await card.getByRole('button', { name: '保存草稿并检查' }).click();
  await card.getByText('草稿已保存，检查通过').waitFor();
  await card.getByLabel('TOML 文本的变化').getByText(new RegExp(`\\+.*${NAME}`)).waitFor();
  await shot(quality, 'designer-codes-draft');
  await card.getByRole('button', { name: '生效…' }).click();
  const ask = quality.getByRole('dialog');
  await ask.getByLabel('修改原因（记入历史）').fill('本年度新增区县级');
  await ask.getByRole('button', { name: '生效', exact: true }).click();
  await card.getByText(/已生效：表定义第 \d+ 版/).waitFor();
  await card.getByRole('region', { name: '修改历史' }).getByText(/本年度新增区县级/).waitFor();

  say('政务部采集员（不重启服务）在 1.1.7 的“级别”选项中看到新代码');
  const choices = await levelChoices(cp);
  assert.ok(choices.some((c) => c.includes(NAME)), `the new code is a choice: ${choices.join(' | ')}`);
  await shot(cp, 'designer-codes-collector');

  say('撤销此次修改：新代码从选项中消失');
  const again = await openCodeList(quality, 'level');
  const history = again.getByRole('region', { name: '修改历史' });
  await history.getByRole('button', { name: '撤销此次修改' }).first().click();
  await quality.getByRole('dialog').getByLabel('回滚原因（记入历史）').fill('等待正式通知');
  await quality.getByRole('dialog').getByRole('button', { name: '回滚', exact: true }).click();
  await again.getByRole('region', { name: '修改历史' }).getByText(/等待正式通知/).waitFor();
  const back = await levelChoices(cp);
  assert.ok(!back.some((c) => c.includes(NAME)), `after the roll-back the code is gone: ${back.join(' | ')}`);
}
