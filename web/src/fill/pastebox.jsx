// The rows pasted from Excel/WPS, before anything is saved: each cell editable, its problem (the
// page's own field checks, then the server's check of the whole batch) under it; 保存 only when
// every row is right, or 只保存无误的行. The server matches rows by their key: 新增 or 修改.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { Message } from '../ui.jsx';
import { loadCodes } from './codes.js';
import { readCell, cellText } from './paste.js';

const { useState, useEffect } = React;

const RESULT = 'inserted updated skipped message rows { index id isNew saved problems { field message } }';

/** Client values and problems of every pasted row. */
function readRows(columns, rows, codes) {
  return rows.map((cells) => {
    const input = {};
    const problems = {};
    columns.forEach((f, i) => {
      if (!f) return;
      const { value, problem } = readCell(f, cells[i], codes);
      if (problem) problems[f.name] = problem;
      else input[f.name] = value;
    });
    return { input, problems };
  });
}

export function PasteBox({ table, unit, columns, rows: pasted, onSaved, onClose }) {
  const [rows, setRows] = useState(pasted);
  const [codes, setCodes] = useState(null);
  const [server, setServer] = useState(null); // the last check's rows, by index
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState(null);
  const wanted = [...new Set(columns.filter((f) => f?.codes).map((f) => f.codes))];
  useEffect(() => {
    Promise.all(wanted.map((c) => loadCodes(c).then((l) => [c, l]).catch(() => [c, null])))
      .then((pairs) => setCodes(Object.fromEntries(pairs)));
  }, []);
  const read = codes ? readRows(columns, rows, codes) : null;

  // The catalog read at login does not list it; the name follows the type's, as the server builds it.
  const field = `bulkUpsert${table.typeName}`;
  const send = async (mode, which) => {
    const q = `mutation($rows: [Create${table.typeName}Input!]!, $cycle: Int, $unit: String, $mode: BulkMode) {
  ${field}(rows: $rows, cycle: $cycle, unit: $unit, mode: $mode) { ${RESULT} } }`;
    const d = await gql(q, { rows: which.map((i) => read[i].input), cycle: getState().cycle, unit, mode },
      mode === 'CHECK' ? null : `粘贴 ${which.length} 行到 ${table.code}`);
    return d[field];
  };
  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      const all = read.map((_, i) => i);
      const r = await send('CHECK', all);
      setServer(r.rows);
      setMessage(null);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (read) check();
  }, [codes]);

  const problemsOf = (i) => {
    const own = read[i].problems;
    const out = { ...own };
    for (const p of server?.[i]?.problems || []) if (!out[p.field]) out[p.field] = p.message;
    return out;
  };
  const bad = read ? read.map((_, i) => Object.keys(problemsOf(i)).length > 0) : [];
  const badCount = bad.filter(Boolean).length;
  const save = async (onlyGood) => {
    const which = read.map((_, i) => i).filter((i) => !onlyGood || !bad[i]);
    setBusy(true);
    setError(null);
    try {
      const r = await send(onlyGood ? 'VALID' : 'ALL', which);
      if (!onlyGood && r.skipped) {
        const next = [...(server || [])];
        r.rows.forEach((row) => { next[which[row.index]] = row; });
        setServer(next);
        setMessage(r.message);
        return;
      }
      const left = rows.length - which.length + r.skipped;
      onSaved(onlyGood && left
        ? `“${table.code} ${table.name}”：已保存 ${r.inserted + r.updated} 行（新增 ${r.inserted} 行，修改 ${r.updated} 行）；${left} 行有问题，未保存，请改正后重新粘贴`
        : r.message);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const edit = (ri, ci, text) => {
    setRows((old) => old.map((r, i) => {
      if (i !== ri) return r;
      const next = [...r];
      next[ci] = text;
      return next;
    }));
    setServer((s) => s && s.map((row, i) => (i === ri ? { ...row, problems: row.problems.filter((p) => p.field !== columns[ci]?.name) } : row)));
  };

  if (!read) return <p className="sd-lead">正在读取粘贴的内容…</p>;
  const ignored = columns.filter((f) => !f).length;
  return (
    <section className="sd-paste" aria-label="粘贴的行">
      <h4>粘贴了 {rows.length} 行{badCount ? `，其中 ${badCount} 行有问题` : server ? '，均无问题' : ''}（尚未保存）</h4>
      <p className="sd-help">
        按关键字段（{table.key.map((k) => table.fields.find((f) => f.name === k)?.label || k).join('、')}）与已有的行对照：相同的为“修改”，其余为“新增”。
        标红的格可以直接改，改完点“重新检查”。{ignored ? `有 ${ignored} 列未能对应到本表的字段，已忽略。` : ''}
      </p>
      <Message kind="error">{error}</Message>
      <Message kind={badCount ? 'error' : 'success'}>{message}</Message>
      <div className="sd-grid-wrap">
        <table className="sd-grid sd-paste-grid">
          <thead>
            <tr>
              <th scope="col">行</th>
              <th scope="col">结果</th>
              {columns.map((f, i) => <th key={i} scope="col">{f ? f.label : '（忽略）'}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((cells, ri) => {
              const problems = problemsOf(ri);
              const s = server?.[ri];
              const other = Object.entries(problems).filter(([k]) => !columns.some((f) => f?.name === k));
              return (
                <tr key={ri} className={bad[ri] ? 'sd-row-bad' : ''}>
                  <th scope="row">{ri + 1}</th>
                  <td>
                    {s?.saved ? '已保存' : bad[ri] ? `${Object.keys(problems).length} 处问题` : s ? (s.isNew ? '新增' : '修改') : ''}
                    {other.map(([k, m]) => <div key={k} className="sd-problem">{m}</div>)}
                  </td>
                  {columns.map((f, ci) => {
                    const problem = f && problems[f.name];
                    const id = `sd-paste-${ri}-${ci}`;
                    return (
                      <td key={ci} className={problem ? 'sd-cell-bad' : ''}>
                        {f ? (
                          <>
                            <input id={id} value={cells[ci] ?? ''} aria-label={`第 ${ri + 1} 行 ${f.label}`}
                              aria-invalid={problem ? true : undefined} aria-describedby={problem ? `${id}-p` : undefined}
                              onChange={(e) => edit(ri, ci, e.target.value)} />
                            {problem && <div id={`${id}-p`} className="sd-problem">{problem}</div>}
                          </>
                        ) : <span className="sd-muted">{cellText({}, cells[ci])}</span>}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="sd-actions">
        <button type="button" onClick={check} disabled={busy}>重新检查</button>
        <button type="button" className="sd-primary" disabled={busy || badCount > 0 || !server} onClick={() => save(false)}>
          保存 {rows.length} 行
        </button>
        {badCount > 0 && badCount < rows.length && (
          <button type="button" disabled={busy} onClick={() => save(true)}>只保存无误的行（{rows.length - badCount} 行）</button>
        )}
        <button type="button" onClick={onClose} disabled={busy}>取消</button>
      </div>
    </section>
  );
}
