// Dates and year-months typed as Excel users type them: the collector types "2023.13" into
// 出版年月 and reads the server's reason, then "2023.5" and reads "= 2023-05" on leaving the field;
// the row saves and reads back as 2023-05.
import { panel, shot, assert } from './lib.mjs';

/** Opens the 2.3.1 row with this ISBN for editing, from 我的任务. */
async function openRow(page, isbn) {
  const tasks = await panel(page, '我的任务');
  await tasks.getByRole('article', { name: '2.3.1 教材建设表' }).getByRole('button', { name: '填写', exact: true }).click();
  const fill = await panel(page, '填写');
  await fill.getByRole('row', { name: new RegExp(isbn) }).getByRole('button', { name: '修改' }).click();
  const form = fill.getByRole('form', { name: /2\.3\.1 教材建设表 的一行/ });
  await form.waitFor();
  return { fill, form };
}

export async function typedYearMonth(page, isbn) {
  let { fill, form } = await openRow(page, isbn);
  const month = form.getByLabel('出版年月', { exact: true });
  assert.equal(await month.getAttribute('type'), 'text', 'a text input, not the browser picker');
  // `has` is queried inside each .sd-field, so it must not start from `form`.
  const field = form.locator('.sd-field', { has: page.getByLabel('出版年月', { exact: true }) });
  await month.fill('2023.13');
  await month.press('Tab');
  await field.getByText(/出版年月：“2023\.13”不是可识别的年月/).waitFor();
  await month.fill('2023.5');
  await month.press('Tab');
  await field.getByText('= 2023-05', { exact: true }).waitFor();
  await shot(page, 'inputs-year-month');
  await form.getByRole('button', { name: '保存', exact: true }).click();
  await fill.getByText('已保存').waitFor();
  ({ fill, form } = await openRow(page, isbn));
  assert.equal(await form.getByLabel('出版年月', { exact: true }).inputValue(), '2023-05', 'saved as 2023-05');
  await form.getByRole('button', { name: '取消', exact: true }).click();
  // The template carries the college's reference lists: its size and build time, for the record.
  for (const code of ['2.3.1', '2.1.1']) {
    const [status, bytes, ms] = await page.evaluate(async (c) => {
      const t0 = performance.now();
      const res = await fetch(`/templates/${c}.xlsx`);
      const b = await res.arrayBuffer();
      return [res.status, b.byteLength, Math.round(performance.now() - t0)];
    }, code);
    assert.equal(status, 200, `template ${code}`);
    console.log(`     template ${code}: ${Math.round(bytes / 1024)} KB in ${ms} ms`);
  }
}
