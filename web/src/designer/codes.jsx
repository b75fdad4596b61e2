// 管理 → 表定义 → 代码表: 质量部 edits a code list (table-defs/codes/<name>.toml) in the browser:
// adds the codes a new year brings (起用年份 = since), retires those withdrawn (停用 sets
// 停用年份 = until to the year before the open cycle, so old rows keep their code). Saved as a
// draft, checked, diffed and applied exactly like a table's definition (draft.jsx); removing a
// code that rows hold is refused by the server, naming the rows.

import { parse, patch } from '@decimalturn/toml-patch';
import { gql, Message } from './host.js';
import { History } from './history.jsx';
import { useDraft, codeListApi, DraftHead, DraftText, DraftDiff } from './draft.jsx';
import { problemText } from './model.js';

const { useState, useEffect } = React;

/** A code list's text parsed: `{ list }`, or `{ error }` in Chinese when it is not valid TOML. */
function readList(text) {
  try {
    return { list: parse(text) };
  } catch (e) {
    return { error: `TOML 格式有误：${e.message}` };
  }
}

// The order a code's keys are written in, as the files write them.
const KEYS = ['code', 'name', 'group', 'note', 'since', 'until'];
const rank = (k) => (KEYS.includes(k) ? KEYS.indexOf(k) : KEYS.length);

/** The list written back into `text`; an emptied box means the key goes. */
function writeList(text, list) {
  const codes = list.codes.map((c) => Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => v !== '' && v !== null && v !== undefined)
      .sort(([a], [b]) => rank(a) - rank(b)),
  ));
  return patch(text, { ...list, codes });
}

/** A year typed in a box: a number when it reads as one, else the text (the check says why). */
function yearOf(text) {
  if (text.trim() === '') return '';
  const n = Number(text);
  return Number.isInteger(n) ? n : text;
}

/** The code after the last one when the codes are numbers of one width (`09` → `10`), else ''. */
function nextCode(codes) {
  const all = codes.map((c) => String(c.code ?? ''));
  if (!all.length || !all.every((c) => /^\d+$/.test(c) && c.length === all[0].length)) return '';
  const next = String(Math.max(...all.map(Number)) + 1);
  return next.padStart(all[0].length, '0');
}

/** The check's problems by code: `codes[3].name` goes to code 3, the rest to the list. */
function placeProblems(problems) {
  const byCode = {};
  const rest = [];
  for (const p of problems || []) {
    const m = /^codes\[(\d+)\]/.exec(p.key || '');
    if (m) (byCode[Number(m[1])] = byCode[Number(m[1])] || []).push(p);
    else rest.push(p);
  }
  return { byCode, rest };
}

function CodeRow({ index, code, cycle, problems, onChange, onRemove }) {
  const set = (prop, value) => onChange({ ...code, [prop]: value });
  const n = index + 1;
  return (
    <tr className={problems?.length ? 'sd-def-bad' : undefined}>
      <td><input aria-label={`第 ${n} 个代码`} size={8} value={code.code ?? ''} onChange={(e) => set('code', e.target.value)} /></td>
      <td>
        <input aria-label={`第 ${n} 个代码的名称`} value={code.name ?? ''} onChange={(e) => set('name', e.target.value)} />
        {problems?.length > 0 && (
          <ul className="sd-problems" role="alert">{problems.map((p, i) => <li key={i}>{problemText(p)}</li>)}</ul>
        )}
      </td>
      <td><input aria-label={`第 ${n} 个代码的起用年份`} size={6} inputMode="numeric" value={code.since ?? ''} onChange={(e) => set('since', yearOf(e.target.value))} /></td>
      <td><input aria-label={`第 ${n} 个代码的停用年份`} size={6} inputMode="numeric" value={code.until ?? ''} onChange={(e) => set('until', yearOf(e.target.value))} /></td>
      <td className="sd-actions">
        <button type="button" disabled={!cycle || code.until != null && code.until !== ''}
          title={cycle ? `停用年份设为 ${cycle - 1}：${cycle} 年起不能再选，往年的数据保留` : undefined}
          onClick={() => set('until', cycle - 1)}>停用</button>
        <button type="button" className="sd-danger" onClick={onRemove}>删除</button>
      </td>
    </tr>
  );
}

function CodeListEditor({ name, cycle, onApplied }) {
  const [asText, setAsText] = useState(false);
  const d = useDraft(codeListApi(name), name, `代码表 ${name}`, onApplied);
  if (!d.loaded) return <p className="sd-lead">正在读取代码表…</p>;
  const parsed = readList(d.text);
  const { byCode, rest } = placeProblems(d.draft?.problems);
  const codes = parsed.list?.codes || [];
  const setCodes = (next) => d.edit(writeList(d.text, { ...parsed.list, codes: next }));
  const change = (i) => (c) => setCodes(codes.map((old, j) => (j === i ? c : old)));
  return (
    <div className="sd-designer">
      <DraftHead d={d} asText={asText} setAsText={setAsText} problems={rest} label="代码表的问题" />
      {asText || parsed.error ? (
        <DraftText d={d} id="sd-codes-text" label={`代码表 ${name} 的 TOML 文本`} error={parsed.error} />
      ) : (
        <>
          <table className="sd-table" aria-label={`代码表 ${name} 的代码`}>
            <thead><tr><th>代码</th><th>名称</th><th>起用年份</th><th>停用年份</th><th /></tr></thead>
            <tbody>
              {codes.map((c, i) => (
                <CodeRow key={i} index={i} code={c} cycle={cycle} problems={byCode[i]} onChange={change(i)}
                  onRemove={() => setCodes(codes.filter((_, j) => j !== i))} />
              ))}
            </tbody>
          </table>
          <p className="sd-help">起用年份、停用年份留空表示不限。已有数据使用的代码不能删除，请“停用”。</p>
          <button type="button" onClick={() => setCodes([...codes, { code: nextCode(codes), name: '', since: cycle || '' }])}>添加代码</button>
        </>
      )}
      <DraftDiff draft={d.draft} />
    </div>
  );
}

/** The 代码表 part of the designer card: pick a list, edit its codes, see its history. */
export function CodeLists() {
  const [lists, setLists] = useState([]); // every list, with those only reached through include
  const [cycle, setCycle] = useState(null);
  const [name, setName] = useState('');
  const [applied, setApplied] = useState(0);
  const [rolled, setRolled] = useState(0);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql('{ cycles { year } catalog { codeLists { name label } } }', {}, '读取代码表')
      .then((r) => {
        setCycle(Math.max(...r.cycles.map((c) => c.year)));
        setLists(r.catalog.codeLists);
      })
      .catch((e) => setError(e.message));
  }, []);
  const key = `codes/${name}`;
  return (
    <>
      <Message kind="error">{error}</Message>
      <div className="sd-toolbar">
        <label htmlFor="sd-codes-pick">代码表</label>
        <select id="sd-codes-pick" value={name} onChange={(e) => setName(e.target.value)}>
          <option value="">（选择要修改的代码表）</option>
          {lists.map((l) => <option key={l.name} value={l.name}>{l.label ? `${l.label}（${l.name}）` : l.name}</option>)}
        </select>
      </div>
      {name && <CodeListEditor key={`${name}-${rolled}`} name={name} cycle={cycle} onApplied={() => setApplied((n) => n + 1)} />}
      {name && <History key={`${key}-${applied}-${rolled}`} table={key} onRolledBack={() => setRolled((n) => n + 1)} />}
    </>
  );
}
