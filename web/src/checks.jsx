// 数据检查: 质量部 runs every rule over the cycle (运行检查) and reads the findings by table, unit
// and rule; a unit reads its own and writes a 说明 for a warning, which 质量部 then accepts (认可).
// Every finding opens its row in 填写. Leaders and reviewers read.

import { gql } from './api.js';
import { useApp, hasRole, tableOf } from './state.js';
import { Message, formatTime, useOpenPanel } from './ui.jsx';
import { QualityReport } from './report.jsx';

const { useState, useEffect, useId } = React;

const FINDINGS = `query($cycle: Int!) { findings(cycle: $cycle) {
  id rule severity table unit rowId rowRef field message state explanation explainedBy explainedAt acceptedBy acceptedAt createdAt } }`;

export const SEVERITY = { error: '错误', warning: '提醒' };
export const FINDING_STATE = { open: '待处理', explained: '已说明', accepted: '已认可', resolved: '已解决' };
const STATE_CLASS = { open: 'returned', explained: 'submitted', accepted: 'accepted', resolved: 'approved' };
const PAGE = 50;

export function SeverityBadge({ severity }) {
  return <span className={`sd-sev sd-sev-${severity}`}>{SEVERITY[severity] || severity}</span>;
}

export function FindingState({ state }) {
  return <span className={`sd-state sd-state-${STATE_CLASS[state] || 'draft'}`}>{FINDING_STATE[state] || state}</span>;
}

/** The field's label in the table's definition (findings carry the field's name). */
export function fieldLabel(tableCode, field) {
  if (!field) return '';
  const camel = field.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  return tableOf(tableCode)?.fields.find((f) => f.name === camel || f.name === field)?.label || field;
}

function ExplainBox({ finding, onDone }) {
  const [text, setText] = useState(finding.explanation || '');
  const [error, setError] = useState(null);
  const id = useId();
  const save = async () => {
    if (!text.trim()) {
      setError('请写明原因，例如“本年度该教师已调离，已与人事处核对”');
      return;
    }
    try {
      await gql('mutation($id: ID!, $e: String!) { explainFinding(id: $id, explanation: $e) { id state } }',
        { id: finding.id, e: text.trim() }, `说明发现 ${finding.table}`);
      onDone('说明已保存，等待质量部认可');
    } catch (e) {
      setError(e.message);
    }
  };
  return (
    <div className="sd-dialog">
      <div className="sd-field">
        <label htmlFor={`${id}-ex`}>说明（写给质量部：为什么这样填）</label>
        <textarea id={`${id}-ex`} rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <Message kind="error">{error}</Message>
      <button type="button" className="sd-primary" onClick={save}>保存说明</button>
    </div>
  );
}

function FindingCard({ f, me, unitName, canExplain, onChanged }) {
  const open = useOpenPanel();
  const [explaining, setExplaining] = useState(false);
  const [error, setError] = useState(null);
  const quality = hasRole(me, 'quality_admin');
  const table = tableOf(f.table);
  const live = f.state !== 'resolved';
  const accept = async () => {
    setError(null);
    try {
      await gql('mutation($id: ID!) { acceptFinding(id: $id) { id state } }', { id: f.id }, `认可发现 ${f.table}`);
      onChanged('已认可：这条不再计入该单位的问题');
    } catch (e) {
      setError(e.message);
    }
  };
  const own = f.unit === me.unit;
  const openRow = () => open('填写', {
    target: { table: f.table, unit: f.unit, unitName, mode: own ? 'fill' : 'view', rowId: f.rowId },
  });
  return (
    <article className={`sd-task sd-finding sd-finding-${f.severity}`} aria-label={`${f.table} ${f.rowRef || unitName} ${SEVERITY[f.severity]}`}>
      <div className="sd-task-head">
        <SeverityBadge severity={f.severity} />
        <span className="sd-code">{f.table}</span>
        <span className="sd-task-name">{table?.name || ''}</span>
        <span className="sd-unit">{unitName}</span>
        <FindingState state={f.state} />
      </div>
      <p className="sd-finding-msg">
        {f.rowRef && <span className="sd-rowref">{f.rowRef}</span>}
        {f.field && <span className="sd-muted">【{fieldLabel(f.table, f.field)}】</span>}
        {f.message}
      </p>
      {f.explanation && (
        <p className="sd-comment">说明（{f.explainedBy} {formatTime(f.explainedAt)}）：{f.explanation}</p>
      )}
      {f.acceptedBy && <p className="sd-muted">质量部 {f.acceptedBy} 于 {formatTime(f.acceptedAt)} 认可</p>}
      <div className="sd-actions">
        {f.rowId
          ? <button type="button" onClick={openRow}>{own ? '打开此行修改' : '打开此行'}</button>
          : <button type="button" onClick={openRow}>打开此表</button>}
        {live && canExplain && own && f.severity === 'warning' && f.state !== 'accepted' && (
          <button type="button" aria-expanded={explaining} onClick={() => setExplaining(!explaining)}>
            {f.explanation ? '修改说明' : '写说明'}
          </button>
        )}
        {live && quality && f.state !== 'accepted' && (
          <button type="button" className={f.state === 'explained' ? 'sd-primary' : ''} onClick={accept}>认可</button>
        )}
        <span className="sd-muted">规则 {f.rule} · 发现于 {formatTime(f.createdAt)}</span>
      </div>
      {explaining && <ExplainBox finding={f} onDone={(m) => { setExplaining(false); onChanged(m); }} />}
      <Message kind="error">{error}</Message>
    </article>
  );
}

function Tallies({ title, groups, onPick, active }) {
  if (!groups.length) return null;
  return (
    <div className="sd-tally" role="group" aria-label={title}>
      <h4>{title}</h4>
      <ul>
        {groups.slice(0, 8).map((g) => (
          <li key={g.key}>
            <button type="button" className="sd-link-button" aria-pressed={active === g.key} onClick={() => onPick(active === g.key ? '' : g.key)}>
              {g.name}
            </button>
            <span className="sd-muted">错误 {g.errors} · 提醒 {g.warnings}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function tally(list, key, name) {
  const map = new Map();
  for (const f of list) {
    const k = key(f);
    const t = map.get(k) || { key: k, name: name(k, f), errors: 0, warnings: 0 };
    if (f.severity === 'error') t.errors += 1;
    else t.warnings += 1;
    map.set(k, t);
  }
  return [...map.values()].sort((a, b) => b.errors + b.warnings - (a.errors + a.warnings));
}

function RunChecks({ cycle, onRan }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const { runChecks: r } = await gql(
        'mutation($cycle: Int!) { runChecks(cycle: $cycle) { rules errors warnings opened kept reopened resolved } }',
        { cycle }, '运行检查');
      onRan(`已运行 ${r.rules} 条规则：错误 ${r.errors} 处、提醒 ${r.warnings} 处（新发现 ${r.opened}，已解决 ${r.resolved}）`);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="sd-primary" disabled={busy} onClick={run}>{busy ? '正在检查…' : '运行检查'}</button>
      <Message kind="error">{error}</Message>
    </>
  );
}

function Filters({ list, filter, setFilter, unitNames }) {
  const pick = (k) => (e) => setFilter({ ...filter, [k]: e.target.value });
  const tables = [...new Set(list.map((f) => f.table))].sort((a, b) => a.localeCompare(b, 'zh', { numeric: true }));
  const units = [...new Set(list.map((f) => f.unit))];
  const rules = [...new Set(list.map((f) => f.rule))].sort();
  const id = useId();
  const select = (key, label, options) => (
    <>
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select id={`${id}-${key}`} value={filter[key]} onChange={pick(key)}>
        {options.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
      </select>
    </>
  );
  return (
    <div className="sd-toolbar">
      {select('table', '表', [['', '全部表'], ...tables.map((t) => [t, `${t} ${tableOf(t)?.name || ''}`])])}
      {units.length > 1 && select('unit', '单位', [['', '全部单位'], ...units.map((u) => [u, unitNames[u] || u])])}
      {select('rule', '规则', [['', '全部规则'], ...rules.map((r) => [r, r])])}
      {select('severity', '严重程度', [['', '错误和提醒'], ['error', '错误'], ['warning', '提醒']])}
      {select('state', '状态', [['live', '未解决'], ['open', '待处理'], ['explained', '已说明待认可'], ['accepted', '已认可'], ['resolved', '已解决'], ['', '全部']])}
    </div>
  );
}

const NO_FILTER = { table: '', unit: '', rule: '', severity: '', state: 'live' };

export function ChecksPanel() {
  const me = useApp((s) => s.me);
  const cycle = useApp((s) => s.cycle);
  const tasks = useApp((s) => s.tasks);
  const [list, setList] = useState(null);
  const [unitNames, setUnitNames] = useState({});
  const [filter, setFilter] = useState(NO_FILTER);
  const [shown, setShown] = useState(PAGE);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const quality = hasRole(me, 'quality_admin');
  const load = () => gql(FINDINGS, { cycle }, '读取检查结果').then((d) => setList(d.findings)).catch((e) => setError(e.message));
  useEffect(() => {
    load();
    gql('{ units { code name } }').then((d) => setUnitNames(Object.fromEntries(d.units.map((u) => [u.code, u.name])))).catch(() => {});
  }, [cycle]);
  const changed = (m) => {
    setMessage(m);
    load();
    setVersion((v) => v + 1);
  };
  // A new filter is a new question: the banner of the last step goes.
  const pickFilter = (f) => { setMessage(null); setFilter(f); };
  const fills = new Set((tasks || []).filter((t) => t.unit === me.unit).map((t) => t.table));
  const live = (list || []).filter((f) => f.state !== 'resolved');
  const matches = (f) =>
    (!filter.table || f.table === filter.table) && (!filter.unit || f.unit === filter.unit) &&
    (!filter.rule || f.rule === filter.rule) && (!filter.severity || f.severity === filter.severity) &&
    (filter.state === '' || (filter.state === 'live' ? f.state !== 'resolved' : f.state === filter.state));
  const filtered = (list || []).filter(matches).sort((a, b) =>
    (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
    a.table.localeCompare(b.table, 'zh', { numeric: true }) || a.unit.localeCompare(b.unit) || a.rowRef.localeCompare(b.rowRef));
  const errors = live.filter((f) => f.severity === 'error').length;
  const unexplained = live.filter((f) => f.severity === 'warning' && f.state === 'open').length;
  const waiting = live.filter((f) => f.state === 'explained').length;
  return (
    <div>
      <p className="sd-lead">
        {quality
          ? '“运行检查”按全部规则检查本年度所有数据。错误须由填报单位改正；提醒须由填报单位写说明，再由质量部认可。'
          : '这里列出本单位数据的检查结果。错误请点“打开此行修改”改正；提醒如确实无误，请点“写说明”写明原因，质量部认可后即不再计入。'}
      </p>
      <div className="sd-toolbar">
        {quality && <RunChecks cycle={cycle} onRan={changed} />}
        <button type="button" onClick={() => changed(null)}>刷新</button>
      </div>
      <Message kind="success">{message}</Message>
      <Message kind="error">{error}</Message>
      {!list ? <p className="sd-lead">正在读取检查结果…</p> : (
        <>
          <div className="sd-kpis">
            <span className={errors ? 'sd-late' : ''}>错误 {errors} 处</span>
            <span>提醒待说明 {unexplained} 处</span>
            <span>已说明待认可 {waiting} 处</span>
            <span>已认可 {live.filter((f) => f.state === 'accepted').length} 处</span>
          </div>
          {list.length === 0 && <Message>{quality ? '本年度尚无检查结果：点“运行检查”。' : '本单位暂无检查结果。'}</Message>}
          {live.length > 0 && (
            <div className="sd-tallies">
              <Tallies title="按表" groups={tally(live, (f) => f.table, (k) => `${k} ${tableOf(k)?.name || ''}`)}
                active={filter.table} onPick={(v) => pickFilter({ ...filter, table: v })} />
              {quality && <Tallies title="按单位" groups={tally(live, (f) => f.unit, (k) => unitNames[k] || k)}
                active={filter.unit} onPick={(v) => pickFilter({ ...filter, unit: v })} />}
              <Tallies title="按规则" groups={tally(live, (f) => f.rule, (k) => k)}
                active={filter.rule} onPick={(v) => pickFilter({ ...filter, rule: v })} />
            </div>
          )}
          <h3>检查结果</h3>
          <Filters list={list} filter={filter} setFilter={(f) => { setMessage(null); setFilter(f); setShown(PAGE); }} unitNames={unitNames} />
          <p className="sd-muted">共 {filtered.length} 条{filtered.length > shown ? `，显示前 ${shown} 条` : ''}</p>
          {filtered.slice(0, shown).map((f) => (
            <FindingCard key={f.id} f={f} me={me} unitName={unitNames[f.unit] || f.unit}
              canExplain={fills.has(f.table)} onChanged={changed} />
          ))}
          {filtered.length > shown && <button type="button" onClick={() => setShown(shown + PAGE)}>显示更多</button>}
        </>
      )}
      {hasRole(me, 'quality_admin', 'leader') && <QualityReport cycle={cycle} version={version} />}
    </div>
  );
}
