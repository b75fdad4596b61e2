// 我的任务: what awaits the user (myWork: 待签字, 待验收, 待审核, 被退回), then one card per
// (table, unit) the user fills, submits or reviews; returned tables first.

import { useApp, hasRole } from './state.js';
import { refreshTasks } from './session.js';
import { StateBadge, Deadline, Message, formatTime, useOpenPanel } from './ui.jsx';
import { SubmitBox } from './workflow.jsx';
import { CardFindings, useFindings, loadFindings } from './cardchecks.jsx';
import { ReviewHelp } from './reviewhelp.jsx';
import { CardComments } from './comments.jsx';

const { useState, useEffect } = React;

const ORDER = { returned: 0, draft: 1, submitted: 2, approved: 3, accepted: 4 };

function sortTasks(list) {
  return [...list].sort(
    (a, b) =>
      (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) ||
      a.deadline.localeCompare(b.deadline) ||
      a.table.localeCompare(b.table, 'zh', { numeric: true }),
  );
}

function FillTask({ task, me, cycle, findings, onMessage }) {
  const open = useOpenPanel();
  const [submitting, setSubmitting] = useState(false);
  // The server's judgement: a draft or returned table before its deadline, or one 质量部 opened.
  const editable = task.editable;
  const head = hasRole(me, 'head', 'quality_admin');
  const fill = (extra = {}) =>
    open('填写', {
      // Locked or not, the panel opens to fill and says why it is locked.
      target: { table: task.table, unit: task.unit, unitName: task.unitName, mode: 'fill', ...extra },
    });
  return (
    <article className={`sd-task sd-task-${task.state}`} aria-label={`${task.table} ${task.tableName}`}>
      <div className="sd-task-head">
        <span className="sd-code">{task.table}</span>
        <span className="sd-task-name">{task.tableName}</span>
        <StateBadge state={task.state} />
      </div>
      <div className="sd-task-meta">
        <Deadline deadline={task.deadline} overdue={task.overdue} />
        {task.openUntil && <span className="sd-open">质量部临时开放至 {task.openUntil}</span>}
        <span>{task.rowCount} 行</span>
        {task.lastChange && <span>最近修改 {formatTime(task.lastChange)}</span>}
      </div>
      <CardFindings list={findings} />
      <CardComments table={task.table} unit={task.unit} />
      {task.comment && (
        <p className={task.state === 'returned' ? 'sd-return' : 'sd-comment'}>
          {task.state === 'returned' ? '退回原因：' : '意见：'}
          {task.comment}
        </p>
      )}
      <div className="sd-actions">
        <button type="button" className={editable ? 'sd-primary' : ''} onClick={() => fill()}>
          {editable ? '填写' : '查看'}
        </button>
        <a className="sd-button" href={`/templates/${task.table}.xlsx`} download>下载模板</a>
        {editable && <button type="button" onClick={() => fill({ open: 'import' })}>导入 Excel</button>}
        <a className="sd-button" href={`/export/${cycle}/${task.table}.xlsx`} download>导出</a>
        {head && ['draft', 'returned'].includes(task.state) && !submitting && (
          <button type="button" onClick={() => setSubmitting(true)}>提交</button>
        )}
      </div>
      {submitting && (
        <SubmitBox table={task.table} unit={task.unit} onCancel={() => setSubmitting(false)}
          onDone={(m) => {
            setSubmitting(false);
            onMessage(`${task.table} ${task.tableName}：${m}`);
            refreshTasks();
          }} />
      )}
    </article>
  );
}

function ReviewTask({ task }) {
  const open = useOpenPanel();
  const findings = useFindings(task.table, task.unit);
  return (
    <article className="sd-task sd-task-submitted" aria-label={`${task.table} ${task.tableName} ${task.unitName}`}>
      <div className="sd-task-head">
        <span className="sd-code">{task.table}</span>
        <span className="sd-task-name">{task.tableName}</span>
        <span className="sd-unit">{task.unitName}</span>
        <StateBadge state={task.state} />
      </div>
      <div className="sd-task-meta">
        <span>{task.rowCount} 行</span>
        {task.lastChange && <span>提交于 {formatTime(task.lastChange)}</span>}
        {task.approvedBy?.length > 0 && <span>已通过：{task.approvedBy.join('、')}（等待其他审核部门）</span>}
      </div>
      <CardFindings list={findings} reviewing />
      <ReviewHelp table={task.table} unit={task.unit} withNote={false} />
      {task.comment && <p className="sd-comment">{task.comment}</p>}
      <div className="sd-actions">
        <button type="button" className="sd-primary"
          onClick={() => open('填写', { target: { table: task.table, unit: task.unit, unitName: task.unitName, mode: 'review' } })}>
          审核
        </button>
      </div>
    </article>
  );
}

/** What awaits the user, by role, with a way to it; the navigation shows the same as badges. */
function WorkSummary() {
  const work = useApp((s) => s.work);
  const open = useOpenPanel();
  if (!work) return null;
  const items = [];
  if (work.toSignOff) {
    items.push(
      <li key="sign">
        <strong>待签字</strong>：核心数据已由质量部发布，等待院领导审核签字。
        <button type="button" onClick={() => open('核心数据')}>去签字</button>
      </li>,
    );
  }
  if (work.toAccept) {
    items.push(
      <li key="accept">
        <strong>待验收 {work.toAccept}</strong> 张表：各审核部门已通过，等待质量部验收。
        <button type="button" onClick={() => open('进度')}>去验收</button>
      </li>,
    );
  }
  if (work.toReview) {
    items.push(<li key="review"><strong>待审核 {work.toReview}</strong> 张表：其他单位已提交，见下方“待审核”。</li>);
  }
  if (work.returned) {
    items.push(<li key="returned"><strong>被退回 {work.returned}</strong> 张表：请按退回原因修改后重新提交。</li>);
  }
  return (
    <section className="sd-work" aria-label="等待您处理">
      <h3>等待您处理</h3>
      {items.length ? <ul>{items}</ul> : <p className="sd-muted">目前没有等待您处理的事项。</p>}
    </section>
  );
}

export function TasksPanel() {
  const me = useApp((s) => s.me);
  const tasks = useApp((s) => s.tasks);
  const cycle = useApp((s) => s.cycle);
  const [filter, setFilter] = useState('');
  const [message, setMessage] = useState(null);
  const [own, setOwn] = useState(null); // the unit's standing findings, by table
  const refresh = () => {
    refreshTasks().catch(() => {});
    loadFindings().then((l) => {
      const by = {};
      for (const f of l) (by[f.table] = by[f.table] || []).push(f);
      setOwn(by);
    }).catch(() => {});
  };
  useEffect(() => {
    refresh();
  }, []);
  if (!tasks) return <p className="sd-lead">正在读取任务…</p>;
  const match = (t) => !filter || `${t.table} ${t.tableName} ${t.unitName}`.includes(filter.trim());
  const mine = sortTasks(tasks.filter((t) => t.unit === me.unit)).filter(match);
  // Awaiting the user's review: other units' tables and the few the own unit reviews itself.
  const review = sortTasks(tasks.filter((t) => t.toReview)).filter(match);
  const returned = mine.filter((t) => t.state === 'returned').length;
  return (
    <div>
      <div className="sd-toolbar">
        <label htmlFor="sd-task-filter">筛选</label>
        <input id="sd-task-filter" type="search" value={filter} placeholder="表号或表名"
          onChange={(e) => setFilter(e.target.value)} />
        <button type="button" onClick={refresh}>刷新</button>
      </div>
      <WorkSummary />
      <Message kind="success">{message}</Message>
      {returned > 0 && <Message kind="error">有 {returned} 张表被退回，请按退回原因修改后重新提交。</Message>}
      {review.length > 0 && (
        <>
          <h3>待审核（{review.length}）</h3>
          {review.map((t) => <ReviewTask key={`${t.table}-${t.unit}`} task={t} />)}
        </>
      )}
      <h3>本单位填报（{mine.length}）</h3>
      {mine.length === 0 && <p className="sd-lead">本单位没有需要填报的表。</p>}
      {mine.map((t) => (
        <FillTask key={`${t.table}-${t.unit}`} task={t} me={me} cycle={cycle}
          findings={own ? own[t.table] || [] : null} onMessage={(m) => { setMessage(m); refresh(); }} />
      ))}
    </div>
  );
}
