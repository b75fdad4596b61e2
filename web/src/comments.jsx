// 审核意见 on rows: a reviewer (or 质量部) writes one on the row open in 填写; the unit sees a
// marker on the row in the grid, the list above it and on its 我的任务 card, and marks each one
// 已解决 with an optional reply (one reply that closes the point; a reviewer who is not
// satisfied writes a new comment, so each point is settled and the answer kept).

import './review.css';
import { gql } from './api.js';
import { getState, useApp, hasRole } from './state.js';
import { Message, formatTime } from './ui.jsx';
import { loadRow } from './fill/grid.jsx';

const { useState, useEffect, useSyncExternalStore, useId } = React;

const FIELDS = 'id table unit rowId rowRef authorName authorUnitName body createdAt resolvedAt resolvedByName reply';

// The comments loaded per (table, unit), shared with the grid's markers.
const loaded = new Map();
const listeners = new Set();
function publish(key, list) {
  loaded.set(key, list);
  for (const l of listeners) l();
}
function subscribe(l) {
  listeners.add(l);
  return () => listeners.delete(l);
}

async function loadComments(table, unit) {
  const d = await gql(`query($cycle: Int!, $table: String, $unit: String!) { rowComments(cycle: $cycle, table: $table, unit: $unit) { ${FIELDS} } }`,
    { cycle: getState().cycle, table, unit });
  if (table) publish(`${table}|${unit}`, d.rowComments);
  return d.rowComments;
}

/** The marker on a grid row with open comments. */
export function CommentMark({ table, unit, rowId }) {
  const target = useApp((s) => s.target);
  const list = useSyncExternalStore(subscribe, () => loaded.get(`${table}|${unit || target?.unit}`));
  const open = (list || []).filter((c) => String(c.rowId) === String(rowId) && !c.resolvedAt).length;
  if (!open) return null;
  return <span className="sd-comment-mark" title="本行有待处理的审核意见">意见 {open}</span>;
}

function Resolve({ comment, onDone }) {
  const [open, setOpen] = useState(false);
  const [reply, setReply] = useState('');
  const [error, setError] = useState(null);
  const id = useId();
  const resolve = async () => {
    setError(null);
    try {
      await gql('mutation($id: ID!, $reply: String) { resolveRowComment(id: $id, reply: $reply) { id } }',
        { id: comment.id, reply: reply.trim() || null }, '处理审核意见');
      setOpen(false);
      onDone();
    } catch (e) {
      setError(e.message);
    }
  };
  if (!open) return <button type="button" className="sd-link-button" onClick={() => setOpen(true)}>标为已解决</button>;
  return (
    <div className="sd-comment-form" role="group" aria-label={`处理意见：${comment.body}`}>
      <label htmlFor={`${id}-r`}>答复（可不填）</label>
      <input id={`${id}-r`} value={reply} placeholder="如：已改为本科" onChange={(e) => setReply(e.target.value)} />
      <button type="button" className="sd-primary" onClick={resolve}>确认已解决</button>
      <button type="button" onClick={() => setOpen(false)}>取消</button>
      <Message kind="error">{error}</Message>
    </div>
  );
}

function Item({ c, canResolve, onOpen, onChanged }) {
  return (
    <li className={c.resolvedAt ? 'sd-comment-done' : ''}>
      <strong>{c.rowRef || `第 ${c.rowId} 号行`}</strong>：{c.body}
      <span className="sd-muted">（{c.authorName}，{c.authorUnitName}，{formatTime(c.createdAt)}）</span>
      {c.resolvedAt ? (
        <span> — 已解决（{c.resolvedByName}，{formatTime(c.resolvedAt)}）{c.reply && `：${c.reply}`}</span>
      ) : (
        <>
          {onOpen && <>{' '}<button type="button" className="sd-link-button" onClick={() => onOpen(c)}>打开此行</button></>}
          {canResolve && <>{' '}<Resolve comment={c} onDone={onChanged} /></>}
        </>
      )}
    </li>
  );
}

function Write({ table, unit, row, onDone }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState(null);
  const id = useId();
  const send = async () => {
    if (!body.trim()) {
      setError('请填写意见');
      return;
    }
    setError(null);
    try {
      await gql(`mutation($cycle: Int!, $table: String!, $unit: String!, $row: ID!, $body: String!) {
  addRowComment(cycle: $cycle, table: $table, unit: $unit, rowId: $row, body: $body) { id } }`,
      { cycle: getState().cycle, table, unit, row: row.id, body: body.trim() }, '写审核意见');
      setBody('');
      onDone();
    } catch (e) {
      setError(e.message);
    }
  };
  return (
    <div className="sd-comment-form">
      <label htmlFor={`${id}-b`}>对此行的意见</label>
      <textarea id={`${id}-b`} rows={2} value={body} onChange={(e) => setBody(e.target.value)} />
      <button type="button" className="sd-primary" onClick={send}>提交意见</button>
      <Message kind="error">{error}</Message>
    </div>
  );
}

/**
 * The comments on a unit's table in 填写: all of them, or those of `row` when one is open; a
 * reviewer writes on the open row; the unit resolves. `onOpen(row)` opens a commented row.
 */
export function RowComments({ table, unit, mode, row, onOpen }) {
  const me = useApp((s) => s.me);
  const key = `${table.code}|${unit}`;
  const list = useSyncExternalStore(subscribe, () => loaded.get(key));
  const [error, setError] = useState(null);
  const reload = () => loadComments(table.code, unit).then(() => setError(null)).catch((e) => setError(e.message));
  useEffect(() => {
    reload();
  }, [key]);
  const reviewer = mode === 'review' || (hasRole(me, 'quality_admin') && me.unit !== unit);
  const canResolve = me?.unit === unit || hasRole(me, 'quality_admin');
  const shown = (list || []).filter((c) => !row || String(c.rowId) === String(row.id));
  const open = shown.filter((c) => !c.resolvedAt).length;
  if (error) return null;
  if (!shown.length && !(reviewer && row)) return null;
  const openRow = async (c) => {
    const r = await loadRow(table, c.rowId).catch(() => null);
    if (r) onOpen?.(r);
    else setError(null);
  };
  return (
    <section className="sd-comments" aria-label={row ? '本行的审核意见' : '审核意见'}>
      <h4>{row ? '本行的审核意见' : '审核意见'}{shown.length > 0 && `（待处理 ${open} 条，共 ${shown.length} 条）`}</h4>
      {shown.length > 0 && (
        <ul>
          {shown.map((c) => (
            <Item key={c.id} c={c} canResolve={canResolve} onOpen={row ? null : openRow} onChanged={reload} />
          ))}
        </ul>
      )}
      {reviewer && row && <Write table={table.code} unit={unit} row={row} onDone={reload} />}
    </section>
  );
}

// One read of all the unit's comments serves every card of 我的任务 (not one query per card), and
// each refresh of 我的任务 (a new task list, `stamp`) reads again: a reviewer's new comment shows
// after 刷新, not only after the page is reloaded.
let unitRead = null;
function unitComments(unit, stamp) {
  if (!unitRead || unitRead.unit !== unit || unitRead.stamp !== stamp) {
    unitRead = { unit, stamp, list: loadComments(null, unit) };
  }
  return unitRead.list;
}

/** The line on a unit's 我的任务 card: open comments on the table's rows. */
export function CardComments({ table, unit }) {
  const [list, setList] = useState(null);
  const tasks = useApp((s) => s.tasks);
  useEffect(() => {
    let live = true;
    unitComments(unit, tasks).then((l) => live && setList(l.filter((c) => c.table === table))).catch(() => {});
    return () => {
      live = false;
    };
  }, [table, unit, tasks]);
  const open = (list || []).filter((c) => !c.resolvedAt);
  if (!open.length) return null;
  return (
    <div className="sd-comments" aria-label="审核意见">
      审核意见 {open.length} 条待处理：
      <ul>
        {open.slice(0, 5).map((c) => (
          <li key={c.id}><strong>{c.rowRef || `第 ${c.rowId} 号行`}</strong>：{c.body}<span className="sd-muted">（{c.authorName}）</span></li>
        ))}
        {open.length > 5 && <li className="sd-muted">另有 {open.length - 5} 条，请点“填写”查看</li>}
      </ul>
    </div>
  );
}
