// The guards of steps that cannot be undone, through the page: 通过 and 验收 show the table's
// one-line summary, a link to the data and what the step means before they run; publishing the
// core data lists the unaccepted tables first and 取消 publishes nothing; a leader's signature
// outside 院领导审核期 and over her own open comment is refused with the reasons; 质量部 lets it
// through with a written reason, shown on the core data; then the leader signs.
import { panel, shot, assert } from './lib.mjs';

/** The open confirmation dialog. */
function dialog(page) {
  return page.getByRole('dialog');
}

/** The reviewer's 通过: the summary and its consequence, then 通过 in the dialog. */
export async function confirmReview(page) {
  const d = dialog(page);
  await d.getByLabel('摘要').getByText(/共 \d+ 行；未处理的错误 \d+ 条、提醒 \d+ 条/).waitFor();
  await d.getByText(/通过后本表交质量部验收/).waitFor();
  assert.ok(!/jdgc/.test(await d.innerText()), 'the unit by name, never its code');
  await d.getByRole('button', { name: '通过', exact: true }).click();
  await d.waitFor({ state: 'detached' });
}

/** 质量部's 验收: the summary, the link to the data (read only), then 验收 in the dialog. */
export async function confirmAcceptWithSummary(page, entry) {
  const d = dialog(page);
  await d.getByLabel('摘要').getByText(/2\.3\.1 教材建设表 · 机电工程学院：共 \d+ 行/).waitFor();
  await d.getByText('验收后该表锁定，单位不能再修改；如需修改须由质量部重新打开。').waitFor();
  await shot(page, 'accept-summary');
  // The link closes the dialog as 取消 and opens the rows read only; nothing is accepted.
  await d.getByRole('button', { name: '打开数据（只读）' }).click();
  await d.waitFor({ state: 'detached' });
  const fill = await panel(page, '填写');
  await fill.getByRole('heading', { name: '2.3.1 教材建设表' }).waitFor();
  assert.equal(await fill.getByRole('button', { name: '新增', exact: true }).count(), 0, 'read only');
  const progress = await panel(page, '进度');
  await progress.getByLabel('筛选', { exact: true }).fill('2.3.1');
  await entry.getByText('已审核', { exact: true }).waitFor();
  await entry.getByRole('button', { name: '验收', exact: true }).click();
  await dialog(page).getByRole('button', { name: '验收', exact: true }).click();
  return progress;
}

/** 质量部 publishes: the list of unaccepted tables first; 取消 leaves nothing published. */
export async function publishWithPreview(page) {
  const core = await panel(page, '核心数据');
  await core.getByRole('button', { name: '发布核心数据' }).click();
  const d = dialog(page);
  await d.getByText(/\d+ 张表尚未验收/).waitFor();
  await d.getByText(/1\.5\.3 在校生数量表：.*尚未验收/).waitFor();
  await shot(page, 'publish-preview');
  await d.getByRole('button', { name: '取消', exact: true }).click();
  await d.waitFor({ state: 'detached' });
  await core.getByText('尚未发布', { exact: true }).waitFor();
  await core.getByRole('button', { name: '发布核心数据' }).click();
  await dialog(page).getByRole('button', { name: '继续发布', exact: true }).click();
  await core.getByText('已发布，等待院领导审核').waitFor();
  await core.getByText('待院领导审核', { exact: true }).waitFor();
}

/**
 * The leader (with her own comment open, weeks before 院领导审核期) is refused with both reasons;
 * 质量部 lets it through with a reason; the leader sees who and why, and signs.
 */
export async function signOffGuarded(leader, quality) {
  let core = await panel(leader, '核心数据');
  await core.getByRole('status', { name: '签字条件' }).getByText(/审核期尚未开始/).waitFor();
  await core.getByRole('button', { name: '签字同意' }).click();
  await dialog(leader).getByText(/签字后核心数据第 1 版冻结/).waitFor();
  await dialog(leader).getByRole('button', { name: '签字', exact: true }).click();
  const refused = core.getByRole('alert').filter({ hasText: /签字未完成/ });
  await refused.getByText(/院领导审核期为 .*审核期尚未开始/).waitFor();
  assert.match(await refused.innerText(), /有 1 条批注尚未解决：在校生数（王静怡：请与高基报表的在校生数核对后上报）/);
  await shot(leader, 'signoff-refused');

  await quality.reload();
  const qc = await panel(quality, '核心数据');
  await qc.getByRole('button', { name: '写明原因，放行签字' }).click();
  const d = dialog(quality);
  await d.getByText(/放行后，院领导可以签字第 1 版/).waitFor();
  // Without a reason the dialog stays open and asks for one.
  await d.getByRole('button', { name: '放行', exact: true }).click();
  await d.getByRole('alert').getByText('请填写放行原因').waitFor();
  await d.getByLabel('放行原因').fill('教育厅要求提前上报，院长已同意；批注已与学务部核对');
  await shot(quality, 'signoff-override');
  await d.getByRole('button', { name: '放行', exact: true }).click();
  await qc.getByText('已放行，院领导可以签字').waitFor();

  await leader.reload();
  core = await panel(leader, '核心数据');
  await core.getByText(/质量部已放行：.*（1001）.*教育厅要求提前上报/).waitFor();
  await core.getByLabel('意见（退回时必填）').fill('数据已核对，同意上报');
  await core.getByRole('button', { name: '签字同意' }).click();
  await dialog(leader).getByRole('button', { name: '签字', exact: true }).click();
  await core.getByText('已签字，核心数据可以上报').waitFor();
  await core.getByText('院领导已签字', { exact: true }).waitFor();
  await core.getByText(/审核：王静怡.*数据已核对，同意上报/).waitFor();
  await core.getByText(/质量部放行签字：.*教育厅要求提前上报/).waitFor();
  assert.equal(await core.getByRole('button', { name: '签字同意' }).count(), 0, 'a signed-off snapshot is final');
  await shot(leader, 'core');
}
