// 典型案例: a unit's cases of the cycle by theme; write one (theme, title, text, figures linked to a
// core indicator or a table row), attach files, submit; the unit's head approves or returns it;
// 质量部 accepts or returns it and downloads the accepted cases as a Word document.

import { gql, ApiError } from './api.js';
import { useApp, hasRole, setState, getState } from './state.js';
import { Message, StateBadge, STATE_NAMES, formatTime } from './ui.jsx';
import { askConfirm } from './dialog.jsx';

const { useState, useEffect, useId } = React;

const FIELDS = `id cycle theme unit unitName title text state comment rowVersion updatedAt updatedBy uploadUrl
  figures { indicator table rowId source label value }
  attachments { id fileName size url }`;
const LIST = `query($cycle: Int!, $theme: String, $state: String) {
  caseThemes
  cases(cycle: $cycle, theme: $theme, state: $state) { ${FIELDS} } }`;

// The core indicators by id (names, not ids, are what a collector reads and picks), read once.
let indicatorsRead = null;
function useIndicators() {
  const [list, setList] = useState(null);
  useEffect(() => {
    indicatorsRead = indicatorsRead || gql('{ catalog { indicators { id name unit } } }').then((d) => d.catalog.indicators);
    indicatorsRead.then(setList).catch(() => {
      indicatorsRead = null;
    });
  }, []);
  return list;
}

function indicatorName(list, id) {
  return list?.find((i) => i.id === id)?.name || id;
}

function size(n) {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** Uploads one attachment (HTTP, multipart field `file`); answers the server's JSON. */
async function upload(c, file) {
  const url = c.uploadUrl;
  setState({
    lastOp: {
      title: '上传附件',
      query: `# 上传附件走 HTTP 接口：POST ${url}，表单字段 file\nquery($id: ID!) { case(id: $id) { title attachments { fileName size url } } }`,
      variables: { id: c.id },
    },
  });
  const form = new FormData();
  form.append('file', file);
  const res = await fetch(url, { method: 'POST', body: form, credentials: 'same-origin' });
  let body = {};
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`服务器返回 ${res.status}`, 'HTTP');
  }
  if (!res.ok) throw new ApiError(body.message || `服务器返回 ${res.status}`, body.code || 'HTTP');
  return body;
}

function emptyFigure() {
  return { kind: 'indicator', indicator: '', table: '', rowId: '', label: '', value: '' };
}

function figureInput(f) {
  return f.kind === 'indicator'
    ? { indicator: f.indicator.trim(), label: f.label, value: f.value }
    : { table: f.table.trim(), rowId: f.rowId.trim(), label: f.label, value: f.value };
}

function CaseForm({ themes, initial, onSaved, onCancel }) {
  const indicators = useIndicators();
  const id = useId();
  const [theme, setTheme] = useState(initial?.theme || themes[0] || '');
  const [title, setTitle] = useState(initial?.title || '');
  const [text, setText] = useState(initial?.text || '');
  const [figures, setFigures] = useState(
    (initial?.figures || []).map((f) => ({
      kind: f.indicator ? 'indicator' : 'row',
      indicator: f.indicator || '',
      table: f.table || '',
      rowId: f.rowId || '',
      label: f.label,
      value: f.value,
    })),
  );
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (i, patch) => setFigures(figures.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const input = { theme, title, text, figures: figures.map(figureInput) };
    try {
      if (initial) {
        await gql(
          `mutation($id: ID!, $v: Int!, $p: CaseInput!) { updateCase(id: $id, rowVersion: $v, patch: $p) { id rowVersion } }`,
          { id: initial.id, v: initial.rowVersion, p: input },
          `修改典型案例 ${title}`,
        );
      } else {
        await gql(
          `mutation($cycle: Int, $i: CaseInput!) { createCase(cycle: $cycle, input: $i) { id } }`,
          { cycle: getState().cycle, i: input },
          `新建典型案例 ${title}`,
        );
      }
      onSaved(initial ? '已保存' : '已新建案例，可在案例下方上传附件，写好后提交');
    } catch (err) {
      setError({ message: err.message, problems: err.problems || [] });
    } finally {
      setBusy(false);
    }
  };
  const problem = (field) => error?.problems.filter((p) => p.field === field || p.field.startsWith(`${field}[`)).map((p) => p.message).join('；');
  return (
    <form className="sd-card" aria-label="典型案例" onSubmit={save}>
      <div className="sd-form-grid">
        <div className="sd-field">
          <label htmlFor={`${id}-theme`}>主题<span className="sd-req" aria-hidden="true">*</span></label>
          <select id={`${id}-theme`} value={theme} onChange={(e) => setTheme(e.target.value)}>
            {themes.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
          <span className="sd-problem">{problem('theme')}</span>
        </div>
        <div className="sd-field sd-wide">
          <label htmlFor={`${id}-title`}>标题<span className="sd-req" aria-hidden="true">*</span></label>
          <input id={`${id}-title`} value={title} maxLength={100} aria-invalid={!!problem('title')} onChange={(e) => setTitle(e.target.value)} />
          <span className="sd-problem">{problem('title')}</span>
        </div>
        <div className="sd-field sd-wide">
          <label htmlFor={`${id}-text`}>正文<span className="sd-req" aria-hidden="true">*</span></label>
          <textarea id={`${id}-text`} rows={6} value={text} aria-invalid={!!problem('text')} onChange={(e) => setText(e.target.value)} />
          <span className="sd-help">分段请换行；导出 Word 时每段首行缩进。</span>
          <span className="sd-problem">{problem('text')}</span>
        </div>
      </div>
      <h4>相关数据</h4>
      {figures.map((f, i) => (
        <fieldset key={i} className="sd-figure" aria-label={`相关数据 ${i + 1}`}>
          <select aria-label="关联" value={f.kind} onChange={(e) => set(i, { kind: e.target.value })}>
            <option value="indicator">核心指标</option>
            <option value="row">数据表的一行</option>
          </select>
          {f.kind === 'indicator' ? (
            <select aria-label="核心指标" value={f.indicator} onChange={(e) => {
              const chosen = indicators?.find((x) => x.id === e.target.value);
              set(i, { indicator: e.target.value, label: f.label || chosen?.name || '' });
            }}>
              <option value="">（选择核心指标）</option>
              {(indicators || []).map((x) => <option key={x.id} value={x.id}>{x.name}{x.unit ? `（${x.unit}）` : ''}</option>)}
            </select>
          ) : (
            <>
              <input aria-label="表号" placeholder="表号，如 2.15.5" size={8} value={f.table} onChange={(e) => set(i, { table: e.target.value })} />
              <input aria-label="行号" placeholder="行号" size={6} value={f.rowId} onChange={(e) => set(i, { rowId: e.target.value })} />
            </>
          )}
          <input aria-label="名称" placeholder="名称，如 双师型教师比例" value={f.label} onChange={(e) => set(i, { label: e.target.value })} />
          <input aria-label="数值" placeholder="数值，如 68.5%" size={10} value={f.value} onChange={(e) => set(i, { value: e.target.value })} />
          <button type="button" onClick={() => setFigures(figures.filter((_, j) => j !== i))}>移除</button>
          <span className="sd-problem">{problem(`figures[${i}]`)}</span>
        </fieldset>
      ))}
      <button type="button" onClick={() => setFigures([...figures, emptyFigure()])}>添加相关数据</button>
      {error && <Message kind="error">{error.message}{error.problems.length > 0 && <ul className="sd-problems">{error.problems.map((p, i) => <li key={i}>{p.message}</li>)}</ul>}</Message>}
      <div className="sd-actions sd-sticky">
        <button type="submit" className="sd-primary" disabled={busy}>保存</button>
        <button type="button" onClick={onCancel}>取消</button>
      </div>
    </form>
  );
}

function Attachments({ c, editable, onChanged, onError }) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const pick = async (e) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setBusy(true);
    try {
      const r = await upload(c, file);
      onChanged(r.message);
    } catch (err) {
      onError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (a) => {
    try {
      await gql('mutation($id: ID!) { deleteCaseAttachment(id: $id) { id } }', { id: a.id }, `删除附件 ${a.fileName}`);
      onChanged(`已删除附件“${a.fileName}”`);
    } catch (err) {
      onError(err.message);
    }
  };
  return (
    <div className="sd-attachments">
      {c.attachments.length > 0 && (
        <ul aria-label="附件">
          {c.attachments.map((a) => (
            <li key={a.id}>
              <a href={a.url} download>{a.fileName}</a> <span className="sd-muted">{size(a.size)}</span>
              {editable && <button type="button" className="sd-link-button" onClick={() => remove(a)}>删除附件</button>}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <div className="sd-actions">
          <label htmlFor={`${id}-file`}>上传附件</label>
          <input id={`${id}-file`} type="file" disabled={busy} accept=".pdf,.docx,.xlsx,.jpg,.jpeg,.png" onChange={pick} />
          <span className="sd-help">PDF、Word、Excel、JPG、PNG，单个不超过 10 MB</span>
        </div>
      )}
    </div>
  );
}

function CaseCard({ c, me, onEdit, onDone, onError }) {
  const indicators = useIndicators();
  const [reason, setReason] = useState('');
  const own = me.unit === c.unit;
  const writer = own && hasRole(me, 'collector', 'head', 'quality_admin');
  const reviewer = own && hasRole(me, 'head', 'quality_admin');
  const quality = hasRole(me, 'quality_admin');
  const editable = writer && (c.state === 'draft' || c.state === 'returned');
  const run = async (name, args, title, done) => {
    if (args.comment === '' || args.reason === '') {
      onError('退回须填写原因');
      return;
    }
    try {
      const vars = Object.keys(args).map((k) => `, ${k}: $${k}`).join('');
      const types = Object.keys(args).map((k) => `, $${k}: ${k === 'decision' ? 'ReviewDecision!' : 'String!'}`).join('');
      await gql(`mutation($id: ID!${types}) { ${name}(id: $id${vars}) { state } }`, { id: c.id, ...args }, `${title}：${c.title}`);
      onDone(done);
    } catch (err) {
      onError(err.message);
    }
  };
  const rid = `sd-case-reason-${c.id}`;
  const canReturn = (reviewer && c.state === 'submitted') || (quality && ['submitted', 'approved', 'accepted'].includes(c.state));
  return (
    <article className={`sd-task sd-task-${c.state}`} aria-label={c.title}>
      <div className="sd-task-head">
        <span className="sd-code">{c.theme}</span>
        <span className="sd-task-name">{c.title}</span>
        <span className="sd-unit">{c.unitName}</span>
        <StateBadge state={c.state} />
        <span className="sd-muted">更新于 {formatTime(c.updatedAt)}</span>
      </div>
      {c.comment && <p className={c.state === 'returned' ? 'sd-return' : 'sd-comment'}>{c.state === 'returned' ? `退回原因：${c.comment}` : c.comment}</p>}
      <p className="sd-case-text">{c.text}</p>
      {c.figures.length > 0 && (
        <ul className="sd-figures" aria-label="相关数据">
          {c.figures.map((f, i) => (
            <li key={i}>{f.label}{f.value ? `：${f.value}` : ''}<span className="sd-muted">（{f.indicator && !f.source ? `核心指标：${indicatorName(indicators, f.indicator)}` : f.source}）</span></li>
          ))}
        </ul>
      )}
      <Attachments c={c} editable={editable} onChanged={onDone} onError={onError} />
      <div className="sd-actions">
        {editable && <button type="button" onClick={() => onEdit(c)}>修改</button>}
        {editable && <button type="button" className="sd-danger" onClick={async () => (await askConfirm({ title: '删除典型案例', body: `删除案例“${c.title}”及其全部附件，删除后不能恢复。`, confirm: '删除', danger: true })) && run('deleteCase', {}, '删除典型案例', '已删除')}>删除</button>}
        {editable && <button type="button" className="sd-primary" onClick={() => run('submitCase', {}, '提交典型案例', `已提交：${c.title}，等待本单位负责人审核`)}>提交</button>}
        {reviewer && c.state === 'submitted' && <button type="button" className="sd-primary" onClick={() => run('reviewCase', { decision: 'APPROVE' }, '审核通过典型案例', `审核通过：${c.title}，等待质量部验收`)}>通过</button>}
        {quality && c.state === 'approved' && <button type="button" className="sd-primary" onClick={() => run('acceptCase', {}, '验收典型案例', `已验收：${c.title}`)}>验收</button>}
        {canReturn && (
          <>
            <label htmlFor={rid}>退回原因</label>
            <input id={rid} value={reason} onChange={(e) => setReason(e.target.value)} />
            <button type="button" onClick={() => (reviewer && c.state === 'submitted'
              ? run('reviewCase', { decision: 'RETURN', comment: reason.trim() }, '退回典型案例', `已退回：${c.title}`)
              : run('returnCase', { reason: reason.trim() }, '质量部退回典型案例', `已退回：${c.title}`))}>退回</button>
          </>
        )}
      </div>
    </article>
  );
}

export function CasesPanel() {
  const cycle = useApp((s) => s.cycle);
  const me = useApp((s) => s.me);
  const [data, setData] = useState(null);
  const [theme, setTheme] = useState('');
  const [state, setStateFilter] = useState('');
  const [editing, setEditing] = useState(null); // null | 'new' | a case
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    gql(LIST, { cycle, theme: theme || null, state: state || null }, '典型案例')
      .then((d) => { setData(d); setError(null); })
      .catch((e) => setError(e.message));
  useEffect(() => { load(); }, [cycle, theme, state]);
  if (!data) return error ? <Message kind="error">{error}</Message> : <p className="sd-lead">正在读取典型案例…</p>;
  const writer = hasRole(me, 'collector', 'head', 'quality_admin');
  const wide = hasRole(me, 'quality_admin', 'leader');
  const done = (m) => { setMessage(m); setError(null); setEditing(null); load(); };
  const fail = (m) => { setError(m); setMessage(null); };
  // A new step starts: the banner of the last one goes, so it is not read as this step's result.
  const moveOn = () => { setMessage(null); setError(null); };
  return (
    <div>
      <p className="sd-lead">
        通知第 5 条：提炼教学改革、学生发展、校企合作、创新创业、技能大赛、社会服务、国际交流等方面的典型案例。
        {wide ? '质量部、院领导可看全部单位的案例。' : '本单位撰写，负责人审核，质量部验收。'}
      </p>
      <div className="sd-toolbar">
        <label htmlFor="sd-case-theme">主题</label>
        <select id="sd-case-theme" value={theme} onChange={(e) => { moveOn(); setTheme(e.target.value); }}>
          <option value="">全部</option>
          {data.caseThemes.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <label htmlFor="sd-case-state">状态</label>
        <select id="sd-case-state" value={state} onChange={(e) => { moveOn(); setStateFilter(e.target.value); }}>
          <option value="">全部</option>
          {Object.entries(STATE_NAMES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select>
        <button type="button" onClick={load}>刷新</button>
        {writer && <button type="button" className="sd-primary" onClick={() => { moveOn(); setEditing('new'); }}>新建案例</button>}
        {wide && <a className="sd-button" href={`/export/${cycle}/cases.docx`} download>下载已验收案例（Word）</a>}
      </div>
      <Message kind="success">{message}</Message>
      <Message kind="error">{error}</Message>
      {editing && (
        <CaseForm
          themes={data.caseThemes}
          initial={editing === 'new' ? null : editing}
          onSaved={done}
          onCancel={() => setEditing(null)}
        />
      )}
      <p className="sd-muted">共 {data.cases.length} 篇</p>
      {data.cases.map((c) => (
        <CaseCard key={c.id} c={c} me={me} onEdit={(x) => { moveOn(); setEditing(x); }} onDone={done} onError={fail} />
      ))}
    </div>
  );
}
