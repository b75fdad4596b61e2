// 进度 (质量部, leaders): unit × table-group grid, on-time rate, overdue list, the bulletin with
// 复制, the progress workbook, and every submission with 质量部's 验收 / 重新打开 / 临时开放.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { Message, StateBadge, STATE_NAMES } from './ui.jsx';
import { QualityBox } from './workflow.jsx';
import { Pager } from './fill/gridbar.jsx';

const { useState, useEffect } = React;

const Q = `query($cycle: Int!) {
  progress(cycle: $cycle) { table tableName group unit unitName state comment deadline overdue rowCount approvedBy }
  progressSummary(cycle: $cycle) { onTimeRate }
  bulletin(cycle: $cycle) }`;

const DONE = new Set(['submitted', 'approved', 'accepted']);

function heat(done, all) {
  if (!all) return 'sd-heat-none';
  const f = done / all;
  return f >= 1 ? 'sd-heat-4' : f >= 0.66 ? 'sd-heat-3' : f >= 0.33 ? 'sd-heat-2' : f > 0 ? 'sd-heat-1' : 'sd-heat-0';
}

function UnitGroupGrid({ entries }) {
  const units = [...new Set(entries.map((e) => e.unitName))];
  const groups = [...new Set(entries.map((e) => e.group))].sort((a, b) => a.localeCompare(b, 'zh', { numeric: true }));
  const cellOf = (u, g) => entries.filter((e) => e.unitName === u && e.group === g);
  return (
    <div className="sd-grid-wrap" tabIndex={0} role="region" aria-label="各单位各表组进度（已提交/应报）">
      <table className="sd-grid sd-heat">
        <thead>
          <tr><th scope="col" className="sd-freeze-col">单位</th>{groups.map((g) => <th key={g} scope="col">{g}</th>)}</tr>
        </thead>
        <tbody>
          {units.map((u) => (
            <tr key={u}>
              <th scope="row" className="sd-freeze-col">{u}</th>
              {groups.map((g) => {
                const c = cellOf(u, g);
                const done = c.filter((e) => DONE.has(e.state)).length;
                return (
                  <td key={g} className={heat(done, c.length)} title={c.map((e) => `${e.table} ${STATE_NAMES[e.state]}`).join('\n')}>
                    {c.length ? `${done}/${c.length}` : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Without clipboard permission (plain http on a LAN), select the text the old way.
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function ProgressPanel() {
  const cycle = useApp((s) => s.cycle);
  const me = useApp((s) => s.me);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [copied, setCopied] = useState(null);
  const [filter, setFilter] = useState('');
  const [state, setStateFilter] = useState('');
  const [message, setMessage] = useState(null);
  const [page, setPage] = useState(0);
  const [size, setSize] = useState(50);
  const load = () =>
    gql(Q, { cycle }, '进度与通报').then(setData).catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, [cycle]);
  if (error) return <Message kind="error">{error}</Message>;
  if (!data) return <p className="sd-lead">正在读取进度…</p>;
  const entries = data.progress;
  const quality = hasRole(me, 'quality_admin');
  const overdue = entries.filter((e) => e.overdue);
  const rate = data.progressSummary.onTimeRate;
  const f = filter.trim();
  const matching = entries
    .filter((e) => (!f || `${e.table} ${e.tableName} ${e.unitName}`.includes(f)) && (!state || e.state === state));
  const pages = Math.max(1, Math.ceil(matching.length / size));
  const at = Math.min(page, pages - 1);
  const shown = matching.slice(at * size, (at + 1) * size);
  return (
    <div>
      <div className="sd-kpis">
        <span>应报 {entries.length} 项</span>
        <span>已提交 {entries.filter((e) => DONE.has(e.state)).length} 项</span>
        <span>已验收 {entries.filter((e) => e.state === 'accepted').length} 项</span>
        <span>按时提交率 {rate === null ? '—（尚无到期任务）' : `${Math.round(rate * 100)}%`}</span>
        <span className={overdue.length ? 'sd-late' : ''}>逾期 {overdue.length} 项</span>
        <a className="sd-button" href={`/export/${cycle}/progress.xlsx`} download>下载进度工作簿</a>
      </div>
      <h3>各单位进度（已提交/应报）</h3>
      <UnitGroupGrid entries={entries} />
      {overdue.length > 0 && (
        <>
          <h3>逾期未提交</h3>
          <ul className="sd-overdue">
            {overdue.map((e) => <li key={`${e.table}-${e.unit}`}>{e.unitName}：{e.table} {e.tableName}（截止 {e.deadline}）</li>)}
          </ul>
        </>
      )}
      <h3>进度通报</h3>
      <pre className="sd-bulletin" aria-label="进度通报">{data.bulletin}</pre>
      <div className="sd-actions">
        <button type="button" onClick={async () => setCopied((await copyText(data.bulletin)) ? '已复制，可直接粘贴到工作群' : '复制失败，请手动选择文字复制')}>
          复制
        </button>
        <span role="status">{copied}</span>
      </div>
      <h3>报送明细</h3>
      <div className="sd-toolbar">
        <label htmlFor="sd-progress-filter">筛选</label>
        <input id="sd-progress-filter" type="search" value={filter} placeholder="表号、表名或单位" onChange={(e) => { setFilter(e.target.value); setPage(0); }} />
        <label htmlFor="sd-progress-state">状态</label>
        <select id="sd-progress-state" value={state} onChange={(e) => { setStateFilter(e.target.value); setPage(0); }}>
          <option value="">全部</option>
          {Object.entries(STATE_NAMES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select>
      </div>
      <Message kind="success">{message}</Message>
      <p className="sd-muted">共 {matching.length} 项{matching.length > size ? `，本页显示第 ${at * size + 1}–${at * size + shown.length} 项` : ''}</p>
      {shown.map((e) => (
        <article key={`${e.table}-${e.unit}`} className={`sd-task sd-task-${e.state}`} aria-label={`${e.table} ${e.tableName} ${e.unitName}`}>
          <div className="sd-task-head">
            <span className="sd-code">{e.table}</span>
            <span className="sd-task-name">{e.tableName}</span>
            <span className="sd-unit">{e.unitName}</span>
            <StateBadge state={e.state} />
            <span className="sd-muted">{e.rowCount ?? '—'} 行 · 截止 {e.deadline}</span>
            {e.state === 'submitted' && e.approvedBy.length > 0 && (
              <span className="sd-muted">已通过：{e.approvedBy.join('、')}（等待其他审核部门）</span>
            )}
          </div>
          {e.comment && <p className="sd-comment">{e.comment}</p>}
          {quality && <QualityBox entry={e} onDone={(m) => { setMessage(m); load(); }} />}
        </article>
      ))}
      {matching.length > 20 && (
        <Pager id="sd-progress-page" unit="项" page={at} pages={pages} total={matching.length} size={size}
          setPage={setPage} setSize={(n) => { setSize(n); setPage(0); }} />
      )}
    </div>
  );
}
