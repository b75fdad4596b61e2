// The browser test of the form explorer, through the page only, against `serve --demo`
// (see .ci/e2e): login and forced password change; a college collector adds a 2.3.1 row choosing
// the teacher by lookup, sees a wrong ISBN flagged, fixes it and saves; an Excel import with a bad
// row is shown by row and writes nothing; the head submits; the 教务部 reviewer returns it with a
// reason; the collector sees the reason and edits; the head resubmits; the reviewer approves;
// 质量部 accepts and copies the bulletin; a dry run names teacher T99999 by Excel row; 质量部 runs
// the checks, opens a finding's row, a college explains a warning and 质量部 accepts it (checks.mjs);
// 质量部 publishes the core data and a leader comments on an
// indicator and signs it off; a 典型案例 is written with a figure and an attachment, submitted, approved by
// the head and accepted by 质量部. No request leaves the origin; no password stays behind.
import { launch, newUser, login, logout, panel, devMode, badges, shot, failureShot, assert, BASE } from './lib.mjs';
import { shell } from './shell.mjs';
import { xlsx } from './xlsx.mjs';
import { checkStorage } from './storage-check.mjs';
import { axeEveryRole } from './axe.mjs';
import { confirmReview, confirmAcceptWithSummary, publishWithPreview, signOffGuarded } from './guards.mjs';
import { writeCase, approveCase, acceptCase } from './cases.mjs';
import { qualityEntersASurveyFigure, leaderReadsTheReport, leaderCommentsOnTheReport } from './annual.mjs';
import { reviewerHelpAndComments } from './review.mjs';
import {
  dryRunNamesUnknownTeacher, collectorEmptiesTable, qualityRunsChecksAndOpensARow, collectorExplainsWarning,
  qualityAcceptsExplanation,
} from './checks.mjs';

const COLLECTOR = { no: '1033', pw: 'Deng@1033', next: 'Jidian#Caiji2023' };
const HEAD = { no: '1034', pw: 'Xu@1034', next: 'Jidian#Fuze2023' };
const REVIEWER = { no: '1012', pw: 'Sun@1012', next: 'Jiaowu#Shenhe2023' };
const QUALITY = { no: '1001', pw: 'Zhang@1001', next: 'Zhiliang#Guan2023' };
const LEADER = { no: '1002', pw: 'Wang@1002', next: 'Lingdao#Shenhe2023' };
// A password an older page left in GraphiQL's History on this PC; opening the page removes it.
const LEFT_BEHIND = 'Old#Secret2022';
const ALL_PASSWORDS = [COLLECTOR, HEAD, REVIEWER, QUALITY, LEADER].flatMap((u) => [u.pw, u.next]).concat(LEFT_BEHIND);
const OLD_HISTORY = `localStorage.setItem('graphiql:queries', JSON.stringify({ queries: [
  { query: 'mutation { login(staffNo: "1001", password: "${LEFT_BEHIND}") { mustChangePassword } }' },
  { query: '{ me { name } }' } ] }));`;
const GOOD_ISBN = '9787111213826';
const BAD_ISBN = '9787111213827';

const requests = [];
const contexts = [];
let step = 0;
function say(text) {
  step += 1;
  console.log(`  ${step}. ${text}`);
}

/** The 我的任务 card of a table (and unit, for review cards). */
function card(p, name) {
  return p.getByRole('article', { name });
}

async function addRowWithLookup(page) {
  const tasks = await panel(page, '我的任务');
  await card(tasks, '2.3.1 教材建设表').getByRole('button', { name: '填写', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('heading', { name: '2.3.1 教材建设表' }).waitFor();
  await fill.getByRole('button', { name: '新增', exact: true }).click();
  const form = fill.getByRole('form', { name: /2\.3\.1 教材建设表 的一行/ });
  await form.getByLabel('ISBN', { exact: true }).fill(BAD_ISBN);
  await form.getByLabel('教材名称', { exact: true }).fill('机电设备安装与调试实训教程');
  // The teacher comes from 1.4.1, which the college cannot read: chosen through `lookup`.
  const editor = form.getByRole('combobox', { name: '第一主编工号' });
  await editor.fill('王');
  const option = form.getByRole('listbox', { name: '可选项' }).getByRole('option').first();
  await option.waitFor();
  const chosen = (await option.innerText()).trim();
  await option.click();
  const [teacherNo, teacherName] = chosen.split(/\s+/);
  assert.ok(teacherNo && teacherName, `lookup option shows key and name: ${chosen}`);
  assert.equal(await form.getByLabel('第一主编姓名', { exact: true }).inputValue(), teacherName);
  await form.getByLabel('出版社', { exact: true }).fill('机械工业出版社');
  await form.getByLabel('出版年月', { exact: true }).fill('2023-03');
  await form.getByLabel('版次', { exact: true }).fill('1');
  await form.getByLabel('教材形态', { exact: true }).selectOption('02');
  await form.getByLabel('规划教材级别', { exact: true }).selectOption('03');
  await form.getByRole('button', { name: '保存', exact: true }).click();
  // The server refuses the row; its problem is shown under the ISBN field.
  const isbnField = form.locator('.sd-field', { has: page.getByLabel('ISBN', { exact: true }) });
  await isbnField.locator('.sd-problem').filter({ hasText: /ISBN/ }).waitFor();
  await form.getByText(/有 \d+ 处问题/).waitFor();
  await shot(page, 'form');
  await form.getByLabel('ISBN', { exact: true }).fill(GOOD_ISBN);
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await fill.getByText('已新增一行').waitFor();
  await fill.getByRole('row', { name: new RegExp(GOOD_ISBN) }).waitFor();
  // Office staff never meet GraphQL; in 开发者模式, 查看 GraphQL puts what the form ran into the
  // editor, so developers can learn the API from it.
  assert.equal(await fill.getByRole('button', { name: /查看 GraphQL/ }).count(), 0, 'no GraphQL outside 开发者模式');
  await devMode(page, true);
  await fill.getByRole('button', { name: /查看 GraphQL/ }).click();
  await page.locator('.graphiql-query-editor').getByText(/createTextbooksAuthored/).first().waitFor();
  await devMode(page, false);
  return teacherName;
}

async function importBadWorkbook(page) {
  const fill = await panel(page, '填写');
  const before = await fill.getByText(/共 \d+ 行/).innerText();
  await fill.getByRole('button', { name: '导入 Excel' }).click();
  const box = fill.getByRole('group', { name: '导入 Excel' });
  const header = ['ISBN*', '教材名称*', '第一主编工号*', '第一主编姓名*', '出版社*', '出版年月*', '版次*', '教材形态*', '规划教材级别*'];
  const file = xlsx([
    header,
    ['9787040500009', '数控加工编程', 'T0001', '测试', '高等教育出版社', '2023-05', 1, '01', '03'],
    ['978704050000X', '液压与气动技术', 'T0001', '测试', '高等教育出版社', '2023-06', 1, '01', '03'],
  ]);
  await box.getByLabel('选择 Excel 文件').setInputFiles({
    name: '教材建设表.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: file,
  });
  await box.getByRole('button', { name: '导入', exact: true }).click();
  await box.getByText(/未写入任何数据/).waitFor();
  const rows = await box.locator('.sd-report tbody tr').allInnerTexts();
  assert.ok(rows.some((r) => r.includes('第 3 行') && r.includes('ISBN')), `problems by Excel row: ${rows.join(' | ')}`);
  assert.equal(await box.getByRole('button', { name: '确认导入' }).count(), 0, 'no 确认导入 after a failed check');
  await page.reload();
  const again = await panel(page, '我的任务');
  await card(again, '2.3.1 教材建设表').getByRole('button', { name: '填写', exact: true }).click();
  // Same count as before the import: the failed dry run wrote nothing.
  await (await panel(page, '填写')).getByText(before, { exact: true }).waitFor();
}

async function submitAsHead(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  const c = card(tasks, '2.3.1 教材建设表');
  await c.getByRole('button', { name: '提交', exact: true }).click();
  await c.getByText('提交后本表不能再修改').waitFor();
  await c.getByRole('button', { name: '确认提交' }).click();
  await tasks.getByText(/2\.3\.1 教材建设表：已提交/).waitFor();
  await c.getByText('待审核', { exact: true }).waitFor();
}

async function review(page, decision, reason) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  if (reason) {
    // Before the card is opened: 我的任务 (and its badge) say what waits for review.
    await tasks.getByRole('region', { name: '等待您处理' }).getByText(/待审核 \d+/).waitFor();
    const waiting = await badges(page, '我的任务');
    assert.ok(waiting.some((b) => /^待审核 \d+$/.test(b)), `the reviewer's badge says 待审核: ${waiting}`);
  }
  await card(tasks, /2\.3\.1 教材建设表 机电工程学院/).getByRole('button', { name: '审核' }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('row', { name: new RegExp(GOOD_ISBN) }).waitFor();
  if (reason) {
    await fill.getByLabel('退回原因（退回时必填）').fill(reason);
    await shot(page, 'review');
  }
  await fill.getByRole('button', { name: decision, exact: true }).click();
  if (decision === '通过') await confirmReview(page);
  await fill.getByRole('status').filter({ hasText: decision === '退回' ? /已退回/ : /审核通过/ }).waitFor();
}

async function editAfterReturn(page, reason) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('button', { name: '刷新' }).click();
  const c = card(tasks, '2.3.1 教材建设表');
  await c.getByText(`退回原因：${reason}`).waitFor();
  await tasks.getByText(/有 1 张表被退回/).waitFor();
  assert.deepEqual(await badges(page, '我的任务'), ['被退回 1'], "the collector's badge says 被退回 1");
  await shot(page, 'tasks');
  await c.getByRole('button', { name: '填写', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByText(`退回原因：${reason}`).waitFor();
  await fill.getByRole('row', { name: new RegExp(GOOD_ISBN) }).getByRole('button', { name: '修改' }).click();
  const form = fill.getByRole('form', { name: /2\.3\.1 教材建设表 的一行/ });
  await form.getByLabel('出版社', { exact: true }).fill('机械工业出版社有限公司');
  // The session ends meanwhile (as after 8 idle hours): the page asks for the password in place
  // and keeps the unsaved input.
  await page.evaluate(() => fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation { logout }' }),
  }));
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await fill.getByText('登录已过期，请重新登录').first().waitFor();
  await fill.getByLabel('密码', { exact: true }).fill(COLLECTOR.next);
  await fill.getByRole('button', { name: '登录', exact: true }).click();
  await fill.getByLabel('密码', { exact: true }).waitFor({ state: 'detached' });
  assert.equal(await form.getByLabel('出版社', { exact: true }).inputValue(), '机械工业出版社有限公司');
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await fill.getByText('已保存').waitFor();
}

async function acceptAndCopyBulletin(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('region', { name: '等待您处理' }).getByText(/待验收 \d+/).waitFor();
  const toAccept = await badges(page, '进度');
  assert.ok(toAccept.length === 1 && /^待验收 \d+$/.test(toAccept[0]), `质量部's 进度 badge: ${toAccept}`);
  await shot(page, 'shell-quality-tasks');
  const progress = await panel(page, '进度');
  await progress.getByLabel('筛选', { exact: true }).fill('2.3.1');
  const entry = progress.getByRole('article', { name: '2.3.1 教材建设表 机电工程学院' });
  await entry.getByText('已审核', { exact: true }).waitFor();
  await shot(page, 'progress');
  await entry.getByRole('button', { name: '验收', exact: true }).click();
  await confirmAcceptWithSummary(page, entry);
  await progress.getByText(/验收 2\.3\.1 机电工程学院：完成/).waitFor();
  await entry.getByText('已验收', { exact: true }).waitFor();
  const bulletin = await progress.getByLabel('进度通报').innerText();
  await progress.getByRole('button', { name: '复制', exact: true }).click();
  await progress.getByText(/已复制/).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied.trim(), bulletin.trim(), 'the bulletin is on the clipboard');
}

async function rightsMatrix(page) {
  const admin = await panel(page, '管理');
  // 2.15.2 has two reviewing units: their 审核 boxes in the matrix are ticked.
  for (const unit of ['教务部', '质量部']) {
    assert.ok(await admin.getByRole('checkbox', { name: `2.15.2 ${unit} 审核` }).isChecked(), `2.15.2 reviewed by ${unit}`);
  }
  await shot(page, 'admin');
}


/** The rows of one indicator in the 核心数据 table. */
function indicator(page, core, name) {
  return core.locator('tbody', { has: page.getByRole('rowheader', { name, exact: true }) });
}

async function leaderComments(page) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('region', { name: '等待您处理' }).getByText('待签字').waitFor();
  assert.deepEqual(await badges(page, '核心数据'), ['待签字'], "the leader's 核心数据 badge");
  await shot(page, 'shell-leader-tasks');
  const core = await panel(page, '核心数据');
  const students = indicator(page, core, '在校生数');
  await students.getByRole('button', { name: /详情/ }).click();
  await students.locator('summary', { hasText: '按层次' }).click();
  await students.getByRole('cell', { name: '高职专科', exact: true }).waitFor();
  await students.getByLabel('对“在校生数”的批注').fill('请与高基报表的在校生数核对后上报');
  await students.getByRole('button', { name: '添加批注' }).click();
  await core.getByText('已批注“在校生数”').waitFor();
  await students.getByText(/王静怡（.*）：请与高基报表的在校生数核对后上报/).waitFor();
}

async function passwordsStayOutOfTheEditor(page) {
  await devMode(page, true);
  await panel(page, '接口调试');
  await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor();
  const history = await page.evaluate(() => localStorage.getItem('graphiql:queries') || '');
  assert.ok(!history.includes('login('), `old login entries are removed from History: ${history}`);
  await page.evaluate((pw) => {
    document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(
      `mutation { login(staffNo: "1001", password: "${pw}") { mustChangePassword } }`);
  }, QUALITY.next);
  await page.getByRole('button', { name: /运行/ }).click();
  await page.locator('.graphiql-response').getByText(/请在“我的任务”中登录/).first().waitFor();
  const after = await page.evaluate(() => localStorage.getItem('graphiql:queries') || '');
  assert.ok(!after.includes('login('), 'History keeps no login');
  // Keyboard users are not trapped in the editor: Esc, then Tab moves on.
  await page.locator('.graphiql-query-editor .CodeMirror textarea').first().focus();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('.CodeMirror')), false, 'Esc, Tab leaves the editor');
}

async function main() {
  const browser = await launch();
  try {
    const users = {};
    const who = [['collector', null], ['head', null], ['reviewer', { width: 1093, height: 614 }], ['quality', null, OLD_HISTORY], ['leader', null]];
    for (const [key, viewport, init] of who) {
      users[key] = await newUser(browser, requests, viewport || undefined, init);
      contexts.push(users[key].context);
    }
    say('采集员首次登录并修改密码');
    await login(users.collector.page, COLLECTOR.no, COLLECTOR.pw, COLLECTOR.next);
    say('采集员新增 2.3.1 一行：按姓名查找主编，ISBN 错误在字段下提示，改正后保存');
    await addRowWithLookup(users.collector.page);
    say('导入有错误行的 Excel：按 Excel 行号列出问题，不写入任何数据');
    await importBadWorkbook(users.collector.page);
    say('导入引用了 1.4.1 中没有的教师 T99999：试导入按 Excel 行号指出，提交前须改正，但不妨碍导入');
    await dryRunNamesUnknownTeacher(users.collector.page);
    say('出版年月按 Excel 习惯输入 2023.5：离开字段即显示“= 2023-05”，保存后读回 2023-05'); await (await import('./inputs.mjs')).typedYearMonth(users.collector.page, GOOD_ISBN);
    say('部门负责人登录、修改密码并提交');
    await login(users.head.page, HEAD.no, HEAD.pw, HEAD.next);
    await submitAsHead(users.head.page);
    say('教务部负责人（1093×614）退回并写明原因');
    await login(users.reviewer.page, REVIEWER.no, REVIEWER.pw, REVIEWER.next);
    const reason = '第一主编姓名请与人事系统核对，出版社写全称';
    await review(users.reviewer.page, '退回', reason);
    say('采集员看到退回原因并修改；会话中途过期，重新登录后未保存的修改仍在');
    await editAfterReturn(users.collector.page, reason);
    say('负责人重新提交，审核部门通过');
    await submitAsHead(users.head.page);
    await review(users.reviewer.page, '通过');
    say('质量部验收并复制进度通报');
    await login(users.quality.page, QUALITY.no, QUALITY.pw, QUALITY.next);
    await acceptAndCopyBulletin(users.quality.page);
    say('典型案例：采集员撰写案例、引用核心指标，上传附件（改了扩展名的程序被拒绝）并提交');
    await writeCase(users.collector.page);
    say('典型案例：本单位负责人审核通过，质量部验收并下载 Word 文档');
    await approveCase(users.head.page);
    await acceptCase(users.quality.page);
    say('数据检查：学院本年度无挂职锻炼，清空 2.15.4；质量部运行检查，从发现打开该行');
    await collectorEmptiesTable(users.collector.page);
    await qualityRunsChecksAndOpensARow(users.quality.page);
    say('数据检查：学院为提醒写说明，质量部认可；进度通报报告工作质量');
    await collectorExplainsWarning(users.collector.page);
    await qualityAcceptsExplanation(users.quality.page);
    say('质量部在“管理”中看到各表的填报与审核单位');
    await rightsMatrix(users.quality.page);
    await reviewerHelpAndComments(users);
    say('质量部发布核心数据（先列出尚未验收的表，取消则不发布）；院领导查看本年与上年、按层次的分项并批注');
    await publishWithPreview(users.quality.page);
    await login(users.leader.page, LEADER.no, LEADER.pw, LEADER.next);
    await leaderComments(users.leader.page);
    say('质量年报：院领导批注一个计算项并展开分项，质量部标记已解决');
    await leaderCommentsOnTheReport(users.leader.page, users.quality.page);
    say('院领导在审核期前、批注未解决时签字被拒绝并说明原因；质量部写明原因放行，院领导签字');
    await signOffGuarded(users.leader.page, users.quality.page);
    say('质量年报：质量部录入调查得到的母校满意度（写错被拒绝并说明），下载 Excel 与 Word；院领导只看不录');
    await qualityEntersASurveyFigure(users.quality.page);
    await leaderReadsTheReport(users.leader.page);
    say('编辑器中写登录操作被拒绝，历史记录不保存密码；Esc、Tab 可离开编辑器');
    await passwordsStayOutOfTheEditor(users.quality.page);
    say('表格如 WPS：单元格内修改、从 Excel 粘贴、批量删除、跳页、冻结关键列（grid.mjs）'); await (await import('./grid.mjs')).gridLikeASpreadsheet(browser, requests, users.quality.page);
    await (await import('./office.mjs')).officeSteps(browser, requests, say);
    await (await import('./designer.mjs')).designerSteps(browser, requests, users.quality.page, say);
    say('没有请求离开本站；浏览器存储中没有密码');
    const origin = new URL(BASE).origin;
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
    assert.deepEqual(foreign, [], 'every request goes to the server itself');
    for (const c of contexts) {
      for (const p of c.pages()) await checkStorage(p, ALL_PASSWORDS);
    }
    say('退出');
    await logout(users.collector.page);
    say('应用外壳：首次访问显示登录；登录后到“我的任务”；开发者模式记住在本浏览器；采集员首次加载不超过 1.5 MB、不读取接口结构');
    await shell(browser, requests, { collector: COLLECTOR, quality: QUALITY });
    await axeEveryRole(browser, requests, [['质量部', { no: QUALITY.no, pw: QUALITY.next }], ['院领导', { no: LEADER.no, pw: LEADER.next }]]);
    console.log(`e2e: ok (${requests.length} requests, all to ${origin})`);
  } catch (e) {
    // Leave a picture of every page for the person reading the CI log.
    let i = 0;
    for (const c of contexts) for (const p of c.pages()) await failureShot(p, `failure-${(i += 1)}`).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
