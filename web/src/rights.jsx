// 填报与审核分工 as a matrix for 质量部: tables down, units (by name) across, a 填报 and a 审核 box
// per unit; the table column and the header stay in view. Each cell says who changed it last
// and when (from the audit log); a change asks first and says what it means for the unit.

import './review.css';
import { gql } from './api.js';
import { askConfirm } from './dialog.jsx';
import { Message, formatTime } from './ui.jsx';

const { useState, useEffect, useMemo } = React;

const ACTIONS = [['FILL', '填报'], ['REVIEW', '审核']];
const Q = '{ units { code name } rightCells { table unit action granted via change changedBy changedAt } }';

function consequence(t, unit, action, grant, group) {
  const who = group ? `${unit}（所有院系）` : unit;
  const sheet = `“${t.code} ${t.name}”`;
  if (action === 'FILL') {
    return grant
      ? `授予后，${who}的采集员和负责人可以填报${sheet}，本表会出现在其“我的任务”中。`
      : `撤销后，${who}不能再填报${sheet}，本表从其“我的任务”中消失；已填的数据保留。`;
  }
  return grant
    ? `授予后，${who}的负责人要审核各单位提交的${sheet}（通过或退回），并能查看各单位的数据。`
    : `撤销后，${who}不能再审核${sheet}；等待审核的提交改由其余审核部门处理。`;
}

function changeText(c) {
  if (!c?.changedAt) return '未调整过（按初始分工）';
  return `${c.changedBy} 于 ${formatTime(c.changedAt)} ${c.change === 'grant' ? '授予' : '撤销'}`;
}

/** The matrix, inside 管理. */
export function RightsMatrix({ catalog }) {
  const [data, setData] = useState(null);
  const [filter, setFilter] = useState('');
  const [focus, setFocus] = useState(null); // { t, unit, action }
  const [result, setResult] = useState(null);
  const load = () => gql(Q).then(setData).catch((e) => setResult({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
  }, []);
  const cells = useMemo(() => {
    const m = new Map();
    for (const c of data?.rightCells || []) m.set(`${c.table}|${c.unit}|${c.action}`, c);
    return m;
  }, [data]);
  if (!data) return <div className="sd-card"><h3>填报与审核分工</h3><Message kind={result?.kind}>{result?.text}</Message></div>;
  const unitNames = new Set(data.units.map((u) => u.name));
  const groups = [...new Set(data.rightCells.map((c) => c.unit).filter((u) => !unitNames.has(u)))];
  const columns = [...groups.map((g) => ({ name: g, group: true })), ...data.units.map((u) => ({ name: u.name }))];
  const tables = catalog.filter((t) => !filter.trim() || `${t.code} ${t.name}`.includes(filter.trim()));
  const recent = data.rightCells.filter((c) => c.changedAt).sort((a, b) => b.changedAt.localeCompare(a.changedAt)).slice(0, 5);
  const change = async (t, col, action, held) => {
    const grant = !held;
    const label = ACTIONS.find((a) => a[0] === action)[1];
    const answer = await askConfirm({
      title: `${grant ? '授予' : '撤销'}${col.name}“${t.code}”的${label}权限`,
      body: consequence(t, col.name, action, grant, col.group),
      confirm: grant ? '授予' : '撤销',
      danger: !grant,
    });
    if (!answer) return;
    setResult(null);
    try {
      const field = grant ? 'grantRight' : 'revokeRight';
      const d = await gql(`mutation($unit: String!, $table: String!, $action: RightAction!) { ${field}(unit: $unit, table: $table, action: $action) }`,
        { unit: col.name, table: t.code, action }, `${grant ? '授予' : '撤销'}权限`);
      await load();
      setFocus({ t, unit: col.name, action });
      setResult({ kind: 'success', text: d[field] ? `已${grant ? '授予' : '撤销'}${col.name}“${t.code} ${t.name}”的${label}权限，立即生效` : '没有变化（原本就是如此）' });
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  const focused = focus && cells.get(`${focus.t.code}|${focus.unit}|${focus.action}`);
  return (
    <div className="sd-card">
      <h3>填报与审核分工</h3>
      <div className="sd-toolbar sd-wrap">
        <label htmlFor="sd-matrix-filter">筛选表</label>
        <input id="sd-matrix-filter" type="search" value={filter} placeholder="表号或表名" onChange={(e) => setFilter(e.target.value)} />
        <span className="sd-muted">勾选即授予，取消勾选即撤销（会先确认）；浅黄色的格调整过。</span>
      </div>
      <Message kind={result?.kind}>{result?.text}</Message>
      <p className="sd-matrix-note" role="status" aria-label="选中格的调整记录">
        {focus
          ? `${focus.t.code} ${focus.t.name} · ${focus.unit} · ${ACTIONS.find((a) => a[0] === focus.action)[1]}：${focused?.via ? `通过“${focused.via}”持有；` : ''}${changeText(focused)}`
          : '指向或选中一格，可看到谁在何时调整过它。'}
      </p>
      {recent.length > 0 && (
        <ul className="sd-changes" aria-label="最近的调整">
          {recent.map((c) => (
            <li key={`${c.table}|${c.unit}|${c.action}`}>
              {formatTime(c.changedAt)} {c.changedBy} {c.change === 'grant' ? '授予' : '撤销'} {c.unit} {c.table} {c.action === 'FILL' ? '填报' : '审核'}
            </li>
          ))}
        </ul>
      )}
      <div className="sd-matrix-wrap" tabIndex={0} role="region" aria-label="分工矩阵（可上下左右滚动）">
        <table className="sd-matrix">
          <thead>
            <tr>
              <th scope="col" rowSpan={2} className="sd-corner">表</th>
              {columns.map((c) => <th key={c.name} scope="colgroup" colSpan={2}>{c.name}</th>)}
            </tr>
            <tr>
              {columns.flatMap((c) => ACTIONS.map(([a, label]) => <th key={`${c.name}${a}`} scope="col">{label.slice(0, 1)}</th>))}
            </tr>
          </thead>
          <tbody>
            {tables.map((t) => (
              <tr key={t.code}>
                <th scope="row" title={`${t.code} ${t.name}`}>{t.code} {t.name}</th>
                {columns.flatMap((col) => ACTIONS.map(([a, label]) => {
                  const c = cells.get(`${t.code}|${col.name}|${a}`);
                  const held = !!c?.granted;
                  const via = held && c.via;
                  const name = `${t.code} ${col.name} ${label}`;
                  const show = () => setFocus({ t, unit: col.name, action: a });
                  return (
                    <td key={`${col.name}${a}`} className={`${c?.changedAt ? 'sd-changed' : ''} ${via ? 'sd-via' : ''}`}
                      title={`${name}：${via ? `通过“${c.via}”持有，请在“${c.via}”列调整；` : ''}${changeText(c)}`}
                      onMouseEnter={show}>
                      <input type="checkbox" aria-label={name} checked={held} disabled={!!via}
                        onFocus={show} onChange={() => change(t, col, a, held)} />
                    </td>
                  );
                }))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
