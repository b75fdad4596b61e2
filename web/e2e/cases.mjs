// The 典型案例 steps of the browser test: the collector writes a case with a figure, a program
// renamed to .pdf is refused, a PDF is attached and the case submitted; the unit's head approves;
// 质量部 accepts it and downloads the Word document.
import { panel, shot, assert, BASE } from './lib.mjs';

const CASE_TITLE = '“校中厂”共建智能制造产业学院';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The card of the case in the 典型案例 panel. */
async function caseCard(page) {
  const p = await panel(page, '典型案例');
  await p.getByRole('button', { name: '刷新', exact: true }).click();
  const c = p.getByRole('article', { name: CASE_TITLE });
  await c.waitFor();
  return { p, c };
}

export async function writeCase(page) {
  const p = await panel(page, '典型案例');
  await p.getByRole('button', { name: '新建案例', exact: true }).click();
  const form = p.getByRole('form', { name: '典型案例' });
  await form.getByRole('combobox', { name: '主题', exact: true }).selectOption('校企合作');
  await form.getByRole('textbox', { name: '标题', exact: true }).fill(CASE_TITLE);
  await form.getByRole('textbox', { name: '正文', exact: true }).fill('学院与本地龙头企业共建智能制造产业学院。\n三年来共同开发课程 12 门，订单班就业率 98%。');
  await form.getByRole('button', { name: '添加相关数据' }).click();
  await form.getByLabel('核心指标', { exact: true }).selectOption('double_qualified_ratio');
  await form.getByLabel('名称', { exact: true }).fill('双师型教师比例');
  await form.getByLabel('数值', { exact: true }).fill('68.5%');
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await p.getByText(/已新建案例/).waitFor();
  const c = p.getByRole('article', { name: CASE_TITLE });
  // A program renamed to .pdf is refused by its content, with the reason; nothing is stored.
  await c.getByLabel('上传附件').setInputFiles({ name: '协议.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00\x03') });
  await p.getByRole('alert').filter({ hasText: /不在允许的类型内/ }).waitFor();
  await c.getByLabel('上传附件').setInputFiles({ name: '校企合作协议.pdf', mimeType: 'application/pdf', buffer: PDF });
  await p.getByText(/已上传附件“校企合作协议.pdf”/).waitFor();
  await c.getByRole('link', { name: '校企合作协议.pdf' }).waitFor();
  await c.getByRole('button', { name: '提交', exact: true }).click();
  await p.getByText(/已提交：/).waitFor();
  await c.getByText('待审核', { exact: true }).waitFor();
}

export async function approveCase(page) {
  const { p, c } = await caseCard(page);
  await c.getByRole('button', { name: '通过', exact: true }).click();
  await p.getByText(/审核通过：.*等待质量部验收/).waitFor();
}

export async function acceptCase(page) {
  const { p, c } = await caseCard(page);
  await c.getByText('已审核', { exact: true }).waitFor();
  await c.getByRole('button', { name: '验收', exact: true }).click();
  await p.getByText(/已验收：/).waitFor();
  await c.getByText('已验收', { exact: true }).waitFor();
  await shot(page, 'cases');
  const href = await p.getByRole('link', { name: /下载已验收案例/ }).getAttribute('href');
  const res = await page.context().request.get(`${BASE}${href}`);
  assert.equal(res.status(), 200, `the cases document downloads: ${href}`);
  const body = await res.body();
  assert.equal(body.subarray(0, 2).toString(), 'PK', 'a .docx (zip) comes back');
}
