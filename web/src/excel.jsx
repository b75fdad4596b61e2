// Excel in the page: 下载模板, and 导入 as a dry run first (problems listed by Excel row, with the
// marked workbook), then 确认导入 (append, or replace after a clear warning). What would stop
// submission but not the import (a teacher missing from 1.4.1) is listed apart, by Excel row.

import { importExcel, markedWorkbook } from './api.js';
import { getState } from './state.js';
import { Message } from './ui.jsx';
import { askConfirm } from './dialog.jsx';

const { useState, useId } = React;

export function ImportBox({ table, unit, onImported }) {
  const [file, setFile] = useState(null);
  const [replace, setReplace] = useState(false);
  const [report, setReport] = useState(null);
  const [marked, setMarked] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const [checks, setChecks] = useState([]);
  const id = useId();
  const cycle = getState().cycle;
  const check = async () => {
    if (!file) {
      setError('请先选择 Excel 文件');
      return;
    }
    setBusy(true);
    setError(null);
    setReport(null);
    setMarked(null);
    setDone(null);
    setChecks([]);
    try {
      const r = await importExcel(cycle, table.code, unit, file, { dryRun: true, replace });
      setReport(r);
      setChecks(r.checks || []);
      if (r.problems?.length) setMarked(await markedWorkbook(cycle, table.code, unit, file).catch(() => null));
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const commit = async () => {
    // Replacing with a file without rows empties the table: say so, and go on only when asked to.
    const empty = replace && report?.rows === 0;
    if (empty) {
      const ok = await askConfirm({
        title: `清空 ${table.code} ${table.name}？`,
        body: '所选文件中没有数据行。确认后将删除本单位该表原有的全部行，本表变为空表。',
        confirm: '清空本表',
        danger: true,
      });
      if (!ok) return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await importExcel(cycle, table.code, unit, file, { dryRun: false, replace, allowEmpty: empty });
      if (r.problems?.length || r.ok === false) {
        setReport(r);
      } else {
        setReport(null);
        setChecks(r.checks || []);
        setDone(`已导入 ${r.rows ?? ''} 行（新增 ${r.inserted ?? 0} 行，更新 ${r.updated ?? 0} 行${r.deleted ? `，删除原有 ${r.deleted} 行` : ''}）`);
        onImported();
      }
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const ok = report && !report.problems?.length && report.ok !== false;
  return (
    <div className="sd-card sd-import" role="group" aria-label="导入 Excel">
      <h3>导入 Excel</h3>
      <p className="sd-lead">
        先 <a href={`/templates/${table.code}.xlsx${unit ? `?unit=${encodeURIComponent(unit)}` : ''}`} download>下载模板</a>，按模板填好后选择文件。导入先检查、不写入；
        检查无误后点“确认导入”才写入。有任何问题则一行也不写入。
      </p>
      <div className="sd-field">
        <label htmlFor={`${id}-file`}>选择 Excel 文件</label>
        <input id={`${id}-file`} type="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => { setFile(e.target.files[0] || null); setReport(null); setDone(null); }} />
      </div>
      <label className="sd-check">
        <input type="checkbox" checked={replace} onChange={(e) => { setReplace(e.target.checked); setReport(null); }} />
        替换本单位该表原有的全部数据（默认追加：按关键字段新增或更新）
      </label>
      {replace && <Message kind="error">注意：确认导入时将先删除本单位该表原有的全部行，再写入文件中的行。</Message>}
      <div className="sd-actions">
        <button type="button" onClick={check} disabled={busy}>导入</button>
        {ok && <button type="button" className="sd-primary" onClick={commit} disabled={busy}>确认导入</button>}
      </div>
      <Message kind="error">{error}</Message>
      <Message kind="success">{done}</Message>
      {ok && !checks.length && <Message kind="success">检查通过：共 {report.rows} 行，没有发现问题。点“确认导入”写入。</Message>}
      {ok && checks.length > 0 && (
        <Message kind="success">格式检查通过：共 {report.rows} 行，可以导入。但下表 {report.checkCount} 处须在提交前改正或说明；可先导入，改正后再提交。</Message>
      )}
      {report?.problems?.length > 0 && (
        <div role="alert">
          <p className="sd-problem">
            检查发现 {report.problems.length} 处问题，未写入任何数据。请改正后重新导入。
            {marked && <> <a href={marked} download={`${table.code}-问题标注.xlsx`}>下载标出问题的工作簿</a></>}
          </p>
          <table className="sd-grid sd-report">
            <thead>
              <tr><th scope="col">Excel 行号</th><th scope="col">字段</th><th scope="col">问题</th></tr>
            </thead>
            <tbody>
              {report.problems.map((p, i) => (
                <tr key={i}>
                  <td>{p.row ? `第 ${p.row} 行` : '整个文件'}</td>
                  <td>{p.label || p.field || ''}</td>
                  <td>{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {checks.length > 0 && (
        <div role="region" aria-label="提交前须处理">
          <h4>提交前须处理（{checks.length} 处；不影响导入）</h4>
          <p className="sd-muted">错误须在提交前改正（例如引用的教师须先在 1.4.1 中存在）；提醒请核对，确实无误可不改。</p>
          <table className="sd-grid sd-report sd-checks-report">
            <thead>
              <tr><th scope="col">Excel 行号</th><th scope="col">字段</th><th scope="col">问题</th><th scope="col">类型</th></tr>
            </thead>
            <tbody>
              {checks.map((c, i) => (
                <tr key={i}>
                  <td>{c.row ? `第 ${c.row} 行` : c.rowRef}</td>
                  <td>{c.label || ''}</td>
                  <td>{c.message}</td>
                  <td>{c.severity === 'error' ? '错误' : '提醒'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
