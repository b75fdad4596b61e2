// The reviewer's help and the rights matrix, through the page (issue 25 items 5 and 7): the 教务部
// head returns 2.15.5 with a reason; the college's collector changes two rows; after the
// resubmission the head's 审核 card shows the reason and "自退回以来修改了 2 行" field by field;
// the head writes a comment on a row; the collector sees it on the card and beside the row and
// marks it resolved with a reply; 质量部 grants a right in the matrix (asked first) and the cell
// says who changed it and when. Screenshots at 1366×768 and 1093×614.
import { panel, shot, assert } from './lib.mjs';

const TABLE = '2.15.5';
const NAME = '社会兼职';
const UNIT = '机电工程学院';
const REASON = '兼职职务请写全称（如“委员”写为“专业委员会委员”）';
const COMMENT = '这一行的兼职单位请写全称';
const REPLY = '已按全称改正';

function card(p, name) {
  return p.getByRole('article', { name });
}

function say(text) {
  console.log(`  · ${text}`);
}

/** The head submits through the API of the page's own session (the form's own path is walked in run.mjs). */
async function submit(page) {
  const r = await page.evaluate(async (table) => {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { submitTable(cycle: 2023, table: "${table}", unit: "机电工程学院", explanation: "已核对") { state } }` }),
    });
    return res.json();
  }, TABLE);
  assert.equal(r.data?.submitTable?.state, 'submitted', JSON.stringify(r));
}

async function openReview(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  return card(tasks, `${TABLE} ${NAME} ${UNIT}`);
}

async function returnWithReason(page) {
  const c = await openReview(page);
  await c.getByRole('button', { name: '审核', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('heading', { name: `${TABLE} ${NAME}` }).waitFor();
  await fill.getByLabel('退回原因（退回时必填）').fill(REASON);
  await fill.getByRole('button', { name: '退回', exact: true }).click();
  await fill.getByRole('status').filter({ hasText: /已退回/ }).waitFor();
}

async function changeTwoRows(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  const c = card(tasks, `${TABLE} ${NAME}`);
  await c.getByText(`退回原因：${REASON}`).waitFor();
  await c.getByRole('button', { name: '填写', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('heading', { name: `${TABLE} ${NAME}` }).waitFor();
  const posts = [];
  for (const i of [0, 1]) {
    await fill.getByRole('button', { name: '修改', exact: true }).nth(i).click();
    const form = fill.getByRole('form', { name: new RegExp(`${TABLE.replace(/\./g, '\\.')} ${NAME} 的一行`) });
    const post = form.getByLabel('兼职职务', { exact: true });
    const before = await post.inputValue();
    const after = `${before}（全称${i + 1}）`;
    await post.fill(after);
    await form.getByRole('button', { name: '保存', exact: true }).click();
    await fill.getByText('已保存').first().waitFor();
    posts.push([before, after]);
  }
  return posts;
}

async function seeReasonAndDiff(page, posts) {
  const c = await openReview(page);
  const help = c.getByRole('region', { name: '审核参考' });
  await help.getByText(new RegExp(`上次退回（.+）：${REASON.slice(0, 8)}`)).waitFor();
  await help.getByText(/自退回以来修改了 2 行（修改 2）/).waitFor();
  const diff = await help.getByRole('list', { name: '自退回以来的修改' }).innerText();
  for (const [before, after] of posts) {
    assert.ok(diff.includes(`兼职职务：${before} → ${after}`), `the diff names field, old and new: ${diff}`);
  }
  await c.getByText('提交说明：已核对').waitFor();
  await c.scrollIntoViewIfNeeded();
  await shot(page, 'review-help');
}

async function commentOnARow(page) {
  const c = await openReview(page);
  await c.getByRole('button', { name: '审核', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('button', { name: '查看', exact: true }).first().click();
  const box = fill.getByRole('region', { name: '本行的审核意见' });
  await box.getByLabel('对此行的意见').fill(COMMENT);
  await box.getByRole('button', { name: '提交意见' }).click();
  await box.getByText(COMMENT).waitFor();
  await box.scrollIntoViewIfNeeded();
  await shot(page, 'review-comment');
}

async function resolveTheComment(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  const c = card(tasks, `${TABLE} ${NAME}`);
  await c.getByText(/审核意见 1 条待处理/).waitFor();
  await c.getByText(COMMENT).waitFor();
  await c.getByRole('button', { name: /填写|查看/ }).first().click();
  const fill = await panel(page, '填写');
  await fill.getByText('意见 1', { exact: true }).first().waitFor();
  const box = fill.getByRole('region', { name: '审核意见' });
  await box.getByText(COMMENT).waitFor();
  await shot(page, 'comments');
  await box.getByRole('button', { name: '标为已解决' }).click();
  await box.getByLabel('答复（可不填）').fill(REPLY);
  await box.getByRole('button', { name: '确认已解决' }).click();
  await box.getByText(new RegExp(`已解决（.+）：${REPLY}`)).waitFor();
}

async function grantInMatrix(page) {
  const admin = await panel(page, '管理');
  await admin.getByLabel('筛选表').fill('1.1.2');
  const cell = admin.getByRole('checkbox', { name: '1.1.2 图书馆 填报' });
  assert.equal(await cell.isChecked(), false);
  await cell.click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(/授予后，图书馆的采集员和负责人可以填报/).waitFor();
  await dialog.getByRole('button', { name: '授予', exact: true }).click();
  await admin.getByText(/已授予图书馆“1\.1\.2 .*”的填报权限/).waitFor();
  await cell.isChecked().then((v) => assert.ok(v, 'the cell is ticked'));
  const note = admin.getByRole('status', { name: '选中格的调整记录' });
  await note.getByText(/1\.1\.2 .* · 图书馆 · 填报：.+ 于 \d{4}-\d\d-\d\d \d\d:\d\d 授予/).waitFor();
  await admin.getByRole('list', { name: '最近的调整' }).getByText(/授予 图书馆 1\.1\.2 填报/).waitFor();
  await admin.getByLabel('筛选表').fill('');
  await shot(page, 'rights-matrix');
  await page.setViewportSize({ width: 1093, height: 614 });
  await shot(page, 'rights-matrix-small');
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** The whole walk; `users` are the signed-in pages of run.mjs. */
export async function reviewerHelpAndComments(users) {
  say('负责人提交 2.15.5；教务部负责人（1093×614）写明原因退回');
  await submit(users.head.page);
  await returnWithReason(users.reviewer.page);
  say('采集员看到退回原因，修改两行；负责人重新提交');
  const posts = await changeTwoRows(users.collector.page);
  await submit(users.head.page);
  say('教务部负责人在审核卡片上看到退回原因、"自退回以来修改了 2 行"和每个字段的原值与新值');
  await seeReasonAndDiff(users.reviewer.page, posts);
  say('教务部负责人对一行写审核意见；采集员在卡片和该行旁看到，答复并标为已解决');
  await commentOnARow(users.reviewer.page);
  await resolveTheComment(users.collector.page);
  say('质量部在分工矩阵中授予一格（先确认），看到谁在何时调整');
  await grantInMatrix(users.quality.page);
}
