// Workflow steps: the head's 提交, the reviewer's 通过 / 退回, and 质量部's 验收, 重新打开 and
// 临时开放. Each shows the server's answer in place. Before 通过 and 验收 the dialog shows the
// server's one-line summary (rows, open findings, the unit's 说明), a link to the data and what
// the step means.

import { gql } from './api.js';
import { getState } from './state.js';
import { Message, useOpenPanel } from './ui.jsx';
import { askConfirm } from './dialog.jsx';
import { ReviewHelp } from './reviewhelp.jsx';

const { useState, useId } = React;

const KEY = 'cycle: $cycle, table: $table, unit: $unit';
const VARS = '$cycle: Int!, $table: String!, $unit: String!';

const SUMMARY = `query(${VARS}) { stepSummary(${KEY}) { line unitName tableName } }`;

/** Closes the open confirmation as 取消 (the dialog's own cancel path). */
function cancelDialog(e) {
  e.currentTarget.closest('dialog')?.dispatchEvent(new Event('cancel'));
}

/**
 * Asks before 通过 or 验收 with the server's summary of (table, unit); `look` names the link to
 * the data and `onLook` opens it (after the dialog closes as 取消). Resolves true to go ahead.
 */
async function confirmStep({ table, unit, title, consequence, confirm, look, onLook }) {
  let s;
  try {
    s = (await gql(SUMMARY, { cycle: getState().cycle, table, unit }, `${title}：摘要`)).stepSummary;
  } catch (e) {
    s = { line: `摘要未能读取：${e.message}`, unitName: '', tableName: '' };
  }
  const body = (
    <div>
      <p className="sd-summary" aria-label="摘要">{s.line}</p>
      <p>{consequence}</p>
      <button type="button" className="sd-link-button" onClick={(e) => { cancelDialog(e); onLook?.(); }}>{look}</button>
    </div>
  );
  const ok = await askConfirm({ title: `${title} ${table} ${s.tableName} · ${s.unitName}`, body, confirm, cancel: '取消' });
  return !!ok;
}

function ProblemList({ problems }) {
  if (!problems?.length) return null;
  return (
    <ul className="sd-problems">
      {problems.map((p, i) => (
        <li key={i}>{p.message}</li>
      ))}
    </ul>
  );
}

/** The head's 提交: a confirmation, a 说明 box for warnings, and the problems when refused. */
export function SubmitBox({ table, unit, onDone, onCancel }) {
  const [explanation, setExplanation] = useState('');
  const [error, setError] = useState(null);
  const [needsExplanation, setNeeds] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await gql(
        `mutation(${VARS}, $explanation: String) { submitTable(${KEY}, explanation: $explanation) { table unit state comment } }`,
        { cycle: getState().cycle, table, unit, explanation: explanation.trim() || null },
        `提交 ${table}`,
      );
      onDone('已提交，等待审核');
    } catch (e) {
      if (/提醒/.test(e.message)) {
        setNeeds(true);
        setError({ message: '本表有提醒（不是错误），请在“说明”中写明原因后再提交（例如本表确无数据时写“本年度无数据”）', problems: e.problems || [] });
      } else {
        setError({ message: e.message, problems: e.problems });
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="sd-dialog" role="group" aria-label={`提交 ${table}`}>
      <p>
        <strong>提交后本表不能再修改</strong>，由审核部门审核；如需修改须等审核退回。确定提交吗？
      </p>
      <div className="sd-field">
        <label htmlFor={`${id}-ex`}>说明{needsExplanation ? '（必填：请说明提醒的原因）' : '（有提醒时必填）'}</label>
        <textarea id={`${id}-ex`} rows={2} value={explanation} aria-invalid={needsExplanation && !explanation.trim()}
          onChange={(e) => setExplanation(e.target.value)} />
      </div>
      {error && (
        <Message kind="error">
          {error.message}
          <ProblemList problems={error.problems} />
        </Message>
      )}
      <div className="sd-actions">
        <button type="button" className="sd-primary" disabled={busy} onClick={submit}>确认提交</button>
        <button type="button" onClick={onCancel}>取消</button>
      </div>
    </div>
  );
}

/** The reviewer's 通过 / 退回 (a reason is required to return). */
export function ReviewBox({ table, unit, onDone }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const decide = async (decision) => {
    if (decision === 'RETURN' && !reason.trim()) {
      setError('退回须填写退回原因');
      return;
    }
    if (decision === 'APPROVE') {
      const go = await confirmStep({
        table, unit, title: '审核通过', confirm: '通过',
        consequence: '通过后本表交质量部验收，填报单位不能再修改；如需修改须由质量部重新打开。',
        look: '先看数据（关闭此框，数据在下方）',
      });
      if (!go) return;
    }
    setBusy(true);
    setError(null);
    try {
      const { reviewTable } = await gql(
        `mutation(${VARS}, $decision: ReviewDecision!, $comment: String) { reviewTable(${KEY}, decision: $decision, comment: $comment) { state approvedBy comment } }`,
        { cycle: getState().cycle, table, unit, decision, comment: reason.trim() || null },
        decision === 'APPROVE' ? `审核通过 ${table}` : `退回 ${table}`,
      );
      const waiting = reviewTable.state === 'submitted' && reviewTable.approvedBy?.length;
      onDone(
        decision === 'RETURN'
          ? '已退回，填报单位会在“我的任务”中看到退回原因'
          : waiting
            ? `已通过（${reviewTable.approvedBy.join('、')}），还需另一审核部门通过`
            : '审核通过',
      );
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="sd-dialog" role="group" aria-label="审核">
      <ReviewHelp table={table} unit={unit} />
      <div className="sd-field">
        <label htmlFor={`${id}-reason`}>退回原因（退回时必填）</label>
        <textarea id={`${id}-reason`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <Message kind="error">{error}</Message>
      <div className="sd-actions">
        <button type="button" className="sd-primary" disabled={busy} onClick={() => decide('APPROVE')}>通过</button>
        <button type="button" className="sd-danger" disabled={busy} onClick={() => decide('RETURN')}>退回</button>
      </div>
    </div>
  );
}

/** 质量部: 验收 an approved table, 重新打开 with a reason, 临时开放 until a date. */
export function QualityBox({ entry, onDone }) {
  const [mode, setMode] = useState(null);
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState(null);
  const id = useId();
  const open = useOpenPanel();
  const run = async (title, query, extra) => {
    setError(null);
    try {
      await gql(query, { cycle: getState().cycle, table: entry.table, unit: entry.unit, ...extra }, title);
      setMode(null);
      setReason('');
      onDone(`${title}：完成`);
    } catch (e) {
      setError(e.message);
    }
  };
  const accept = async () => {
    const go = await confirmStep({
      table: entry.table, unit: entry.unit, title: '验收', confirm: '验收',
      consequence: '验收后该表锁定，单位不能再修改；如需修改须由质量部重新打开。',
      look: '打开数据（只读）',
      onLook: () => open('填写', { target: { table: entry.table, unit: entry.unit, unitName: entry.unitName, mode: 'view' } }),
    });
    if (go) await run(`验收 ${entry.table} ${entry.unitName}`, `mutation(${VARS}) { acceptTable(${KEY}) { state } }`, {});
  };
  const reopen = () =>
    reason.trim()
      ? run(`重新打开 ${entry.table} ${entry.unitName}`,
          `mutation(${VARS}, $reason: String!) { reopenTable(${KEY}, reason: $reason) { state } }`,
          { reason: reason.trim() })
      : setError('请填写重新打开的原因');
  const grant = () =>
    reason.trim() && until
      ? run(`临时开放 ${entry.table} ${entry.unitName}`,
          `mutation(${VARS}, $until: Date!, $reason: String!) { grantLockException(${KEY}, until: $until, reason: $reason) }`,
          { until, reason: reason.trim() })
      : setError('请填写开放截止日期和原因');
  return (
    <div className="sd-quality" role="group" aria-label={`${entry.table} ${entry.unitName} 的验收操作`}>
      <div className="sd-actions">
        {entry.state === 'approved' && (
          <button type="button" className="sd-primary" onClick={accept}>验收</button>
        )}
        {entry.state !== 'draft' && entry.state !== 'returned' && (
          <button type="button" onClick={() => setMode(mode === 'reopen' ? null : 'reopen')}>重新打开</button>
        )}
        <button type="button" onClick={() => setMode(mode === 'grant' ? null : 'grant')}>临时开放</button>
      </div>
      {mode && (
        <div className="sd-dialog">
          {mode === 'grant' && (
            <div className="sd-field">
              <label htmlFor={`${id}-until`}>开放至（含当日）</label>
              <input id={`${id}-until`} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
            </div>
          )}
          <div className="sd-field">
            <label htmlFor={`${id}-why`}>{mode === 'grant' ? '开放原因' : '重新打开原因'}</label>
            <input id={`${id}-why`} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="button" className="sd-primary" onClick={mode === 'grant' ? grant : reopen}>
            {mode === 'grant' ? '确认临时开放' : '确认重新打开'}
          </button>
        </div>
      )}
      <Message kind="error">{error}</Message>
    </div>
  );
}
