// 填写: pick a table (or arrive from 我的任务), then the grid of the unit's rows and the form of a
// row. Reviewers get the read-only grid with 通过 / 退回.

import { useApp, setState, tableOf, hasRole } from '../state.js';
import { refreshTasks } from '../session.js';
import { Message, StateBadge } from '../ui.jsx';
import { ImportBox } from '../excel.jsx';
import { ReviewBox } from '../workflow.jsx';
import { RowGrid, loadRows, loadRow } from './grid.jsx';
import { usePageSize } from './gridbar.jsx';
import { problemRowIds } from './problems.js';
import { ChecksBox, rowChecks, checkLine } from './rowchecks.jsx';
import { RowForm } from './form.jsx';
import { RowComments } from '../comments.jsx';
import { gql } from '../api.js';

const { useState, useEffect } = React;

function TablePicker({ tasks, me, catalog, target }) {
  const all = hasRole(me, 'quality_admin', 'leader');
  const choices = all
    ? catalog.map((t) => ({ key: `${t.code}|`, text: `${t.code} ${t.name}（全部单位）`, table: t.code, unit: null }))
    : (tasks || []).map((t) => ({
        key: `${t.table}|${t.unit}`,
        text: `${t.table} ${t.tableName}${t.unit === me.unit ? '' : `（${t.unitName}）`}`,
        table: t.table,
        unit: t.unit,
      }));
  // The select shows the table that is open, however it was opened (我的任务, 进度, 数据检查).
  const open = target && choices.find((c) => c.table === target.table && (c.unit || null) === (target.unit || null));
  return (
    <div className="sd-toolbar">
      <label htmlFor="sd-pick">数据表</label>
      <select id="sd-pick" value={open ? open.key : ''} onChange={(e) => {
        const c = choices.find((x) => x.key === e.target.value);
        if (c) {
          const task = tasks?.find((t) => t.table === c.table && t.unit === c.unit);
          const unitName = task?.unitName;
          // The own unit's table opens to fill; the panel says why when it is locked.
          const mode = !c.unit ? 'view' : task?.toReview ? 'review' : c.unit === me.unit ? 'fill' : 'view';
          setState({ target: { table: c.table, unit: c.unit, unitName, mode } });
        }
      }}>
        <option value="">{target && !open
          ? `${target.table} ${catalog.find((t) => t.code === target.table)?.name || ''}（${target.unitName || '其他单位'}）`
          : '（选择要填写或查看的表）'}</option>
        {choices.map((c) => <option key={c.key} value={c.key}>{c.text}</option>)}
      </select>
    </div>
  );
}

/** Why the unit cannot change a table now, in its words. */
function lockedWhy(task) {
  if (['draft', 'returned'].includes(task.state)) {
    return `本表已过填报截止日期（${task.deadline}），不能修改；如需修改请联系质量部临时开放。`;
  }
  const state = task.state === 'submitted' ? '待审核' : '已审核/已验收';
  return `本表当前为“${state}”，不能修改；如需修改请联系审核部门退回或质量部重新打开。`;
}

export function FillPanel() {
  const me = useApp((s) => s.me);
  const tasks = useApp((s) => s.tasks);
  const catalog = useApp((s) => s.catalog);
  const target = useApp((s) => s.target);
  const cycle = useApp((s) => s.cycle);
  const [data, setData] = useState(null); // null while the target's rows are being read
  const [page, setPage] = useState(0);
  const [size, setSize] = usePageSize();
  const [onlyProblems, setOnlyProblems] = useState(false);
  const [checks, setChecks] = useState(null); // the unit's 提交前检查, shared by the box and the grid
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState(null); // a row, 'new', or null
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const [unitNames, setUnitNames] = useState({});
  useEffect(() => {
    // 质量部 and leaders see every unit's rows: name the unit, not its code.
    gql('{ units { code name } }')
      .then((d) => setUnitNames(Object.fromEntries(d.units.map((u) => [u.code, u.name]))))
      .catch(() => {});
  }, []);
  const [showImport, setShowImport] = useState(false);
  const [reviewed, setReviewed] = useState(false);
  const [checked, setChecked] = useState(0); // bumps the 提交前检查 box after each change
  const [rowNotes, setRowNotes] = useState([]); // what the saved row still needs before submission
  const table = target ? tableOf(target.table) : null;
  const task = target && tasks?.find((t) => t.table === target.table && t.unit === target.unit);
  // The server's judgement (state, deadline, 质量部's 临时开放), not a copy of it here.
  const editable = target?.mode === 'fill' && (!task || task.editable);

  const reload = async (keep) => {
    if (!table) return;
    setError(null);
    try {
      // A reload after a save must not replace the save as the GraphQL 查看 GraphQL shows.
      const ids = onlyProblems ? await problemRowIds(table, target.unit) : null;
      const d = await loadRows(table, target.unit, query, page, !keep, size, ids);
      setData({ rows: d.nodes, total: d.totalCount });
      if (table.scope === 'single' && !keep) setEditing(d.nodes[0] || (editable ? 'new' : null));
      return d;
    } catch (e) {
      setError(e.message);
      setData((d) => d || { rows: [], total: 0 });
      return null;
    }
  };
  useEffect(() => {
    // Another table: never show the previous table's rows (or its count) meanwhile.
    setData(null);
    setEditing(null);
    setMessage(null);
    setPage(0);
    setSearch('');
    setQuery('');
    setShowImport(target?.open === 'import');
    setReviewed(false);
    setRowNotes([]);
    setOnlyProblems(false);
  }, [target]);
  useEffect(() => {
    reload();
  }, [target, page, query, size, onlyProblems]);
  useEffect(() => {
    let live = true;
    setChecks(null);
    if (table && target.unit) rowChecks(table.code, target.unit).then((c) => live && setChecks(c)).catch(() => {});
    return () => {
      live = false;
    };
  }, [target, checked]);
  // Arriving from 数据检查: open the finding's row.
  useEffect(() => {
    if (!table || !target?.rowId) return;
    loadRow(table, target.rowId)
      .then((r) => (r ? setEditing(r) : setError('该行已不存在（可能已删除），请运行检查刷新结果')))
      .catch((e) => setError(e.message));
  }, [target]);

  const picker = <TablePicker tasks={tasks} me={me} catalog={catalog} target={target} />;
  if (!table) return <div>{picker}<p className="sd-lead">请在“我的任务”中点“填写”，或在上方选择一张表。</p></div>;
  const unitName = task?.unitName || target.unitName || (target.unit ? unitNames[target.unit] || '' : '全部单位');
  // After a change in the grid: the checks run again and 我的任务's counts follow.
  const changed = () => {
    setRowNotes([]);
    setChecked((n) => n + 1);
    refreshTasks().catch(() => {});
  };
  const afterSave = async (saved, text) => {
    setMessage(text);
    setChecked((n) => n + 1);
    setRowNotes([]);
    rowChecks(table.code, target.unit, [saved.id]).then(setRowNotes).catch(() => {});
    const d = await reload(true);
    refreshTasks().catch(() => {});
    if (table.scope === 'single') setEditing(d?.nodes.find((r) => r.id === saved.id) || null);
    else setEditing(null);
  };
  return (
    <div>
      {picker}
      <div className="sd-table-head">
        <h3>{table.code} {table.name}</h3>
        <span>{unitName}</span>
        {task && <StateBadge state={task.state} />}
      </div>
      {table.help && <p className="sd-help">{table.help}</p>}
      {task?.state === 'returned' && task.comment && <p className="sd-return">退回原因：{task.comment}</p>}
      {target.mode === 'fill' && !editable && task && <Message>{lockedWhy(task)}</Message>}
      {target.mode === 'fill' && task?.openUntil && (
        <Message>质量部已临时开放本表，{task.openUntil} 前可以修改。</Message>
      )}
      {target.mode === 'review' && !reviewed && (
        <ReviewBox table={table.code} unit={target.unit} onDone={(m) => {
          setMessage(m);
          setReviewed(true);
          refreshTasks().catch(() => {});
        }} />
      )}
      <Message kind="success">{message}</Message>
      {rowNotes.length > 0 && (
        <div className="sd-msg sd-msg-warn" role="status">
          已保存，但这一行提交前还须处理 {rowNotes.length} 处（保存不受影响，可稍后改正）：
          <ul className="sd-problems">{rowNotes.map((c, i) => <li key={i}>{checkLine(c)}</li>)}</ul>
        </div>
      )}
      <Message kind="error">{error}</Message>
      {target.unit && !editing && (
        <ChecksBox table={table} unit={target.unit} checks={checks} editable={editable}
          onOpen={(r) => { setMessage(null); setRowNotes([]); setEditing(r); }} />
      )}
      {target.unit && <RowComments table={table} unit={target.unit} mode={target.mode} row={editing && editing !== 'new' ? editing : null} onOpen={setEditing} />}
      {editing ? (
        <RowForm key={editing === 'new' ? 'new' : `${editing.id}-${editing.rowVersion}`} table={table} unit={target.unit}
          row={editing === 'new' ? null : editing} readOnly={!editable}
          onSaved={afterSave} onCancel={table.scope === 'single' ? null : () => setEditing(null)}
          onReload={async () => {
            const d = await reload(true);
            const fresh = d?.nodes.find((r) => r.id === editing.id);
            setEditing(fresh || null);
          }} />
      ) : (
        <>
          <div className="sd-toolbar">
            {editable && <button type="button" className="sd-primary" onClick={() => { setMessage(null); setEditing('new'); }}>新增</button>}
            <label htmlFor="sd-search">搜索</label>
            <input id="sd-search" type="search" value={search} placeholder="名称、代码等"
              onChange={(e) => setSearch(e.target.value)}
              onKeyDown={(e) => { if (e.key === 'Enter') { setPage(0); setQuery(search); } }} />
            <button type="button" onClick={() => { setPage(0); setQuery(search); }}>查找</button>
            <a className="sd-button" href={`/templates/${table.code}.xlsx`} download>下载模板</a>
            {editable && (
              <button type="button" aria-expanded={showImport} onClick={() => setShowImport(!showImport)}>导入 Excel</button>
            )}
            <a className="sd-button" href={`/export/${cycle}/${table.code}.xlsx`} download>导出</a>
            {target.unit && (
              <label className="sd-check">
                <input type="checkbox" checked={onlyProblems} onChange={(e) => { setPage(0); setOnlyProblems(e.target.checked); }} />
                只看有问题的行
              </label>
            )}
          </div>
          {showImport && editable && (
            <ImportBox table={table} unit={target.unit} onImported={() => { reload(true); setChecked((n) => n + 1); refreshTasks().catch(() => {}); }} />
          )}
          {!data && <p className="sd-lead">正在读取…</p>}
          {data && <RowGrid table={table} unit={target.unit} rows={data.rows} total={data.total} page={page} setPage={setPage}
            size={size} setSize={setSize} editable={editable} checks={checks}
            onOpen={(r) => { setMessage(null); setEditing(r); }}
            onSaved={(row) => { setMessage('已保存'); setData((d) => ({ ...d, rows: d.rows.map((r) => (r.id === row.id ? row : r)) })); changed(); }}
            onPasted={(m) => { setMessage(m); changed(); reload(true); }}
            onDeleted={(m) => { setMessage(m); changed(); reload(true); }}
            unitNames={target.unit ? null : unitNames} />}
        </>
      )}
    </div>
  );
}
