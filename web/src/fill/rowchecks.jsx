// 提交前检查 in 填写: what the record and reference rules still find in the unit's rows (the same
// rules submission runs), asked after every save, import and delete. It never stops a save: a
// draft may hold problems; the head's 提交 is refused while errors remain.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { loadRow } from './grid.jsx';

const { useState } = React;

const Q = `query($table: String!, $cycle: Int, $unit: String, $ids: [ID!]) {
  rowChecks(table: $table, cycle: $cycle, unit: $unit, ids: $ids) { rowId rowRef rule severity field label message } }`;

/** The checks of a unit's rows of a table (only `ids` when given). */
export async function rowChecks(table, unit, ids = null) {
  const d = await gql(Q, { table, cycle: getState().cycle, unit, ids });
  return d.rowChecks;
}

/** One check as a line: the row's key, then the message (which names the field). */
export function checkLine(c) {
  const kind = c.severity === 'error' ? '错误' : '提醒';
  return `${c.rowRef ? `${c.rowRef}：` : ''}${c.message}（${kind}）`;
}

/** The box of the unit's checks (`checks` as read by the panel, null while reading). */
export function ChecksBox({ table, checks, editable, onOpen }) {
  const [open, setOpen] = useState(false);
  if (!checks) return null;
  const errors = checks.filter((c) => c.severity === 'error').length;
  const warnings = checks.length - errors;
  if (!checks.length) {
    return <p className="sd-ok" role="status">提交前检查：本单位的行未发现违反记录规则或引用规则的问题。</p>;
  }
  const openRow = async (c) => {
    const row = c.rowId ? await loadRow(table, c.rowId).catch(() => null) : null;
    if (row) onOpen(row);
  };
  return (
    <div className={`sd-checks-box ${errors ? 'sd-msg-error' : 'sd-msg-warn'} sd-msg`} role="region" aria-label="提交前检查">
      <strong>提交前检查：</strong>
      {errors > 0 && <>错误 {errors} 处（提交前须改正）</>}
      {errors > 0 && warnings > 0 && '，'}
      {warnings > 0 && <>提醒 {warnings} 处（请核对）</>}
      。{editable ? '保存不受影响，可以先保存再改。' : ''}{' '}
      <button type="button" className="sd-link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '收起' : '查看明细'}
      </button>
      {open && (
        <ul className="sd-problems">
          {checks.slice(0, 100).map((c, i) => (
            <li key={i}>
              {checkLine(c)}{' '}
              {c.rowId && <button type="button" className="sd-link-button" onClick={() => openRow(c)}>打开此行</button>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
