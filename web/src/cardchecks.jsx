// The read-only 数据检查 line on the cards of 我的任务: the head sees what the checks found in the
// unit's table before 提交; a reviewer sees what they found in the table under review.

import { gql } from './api.js';
import { getState } from './state.js';

const { useState, useEffect } = React;

const Q = `query($cycle: Int!, $table: String, $unit: String) {
  findings(cycle: $cycle, table: $table, unit: $unit) { id table severity state rowRef message explanation } }`;

/** Standing findings (not resolved) of the caller's own unit, or of one table and unit. */
export async function loadFindings(table = null, unit = null) {
  const d = await gql(Q, { cycle: getState().cycle, table, unit });
  return d.findings.filter((f) => f.state !== 'resolved');
}

/** Loads one table's findings for a review card. */
export function useFindings(table, unit) {
  const [list, setList] = useState(null);
  useEffect(() => {
    let live = true;
    loadFindings(table, unit).then((l) => live && setList(l)).catch(() => {});
    return () => {
      live = false;
    };
  }, [table, unit]);
  return list;
}

export function CardFindings({ list, reviewing }) {
  const [open, setOpen] = useState(false);
  if (!list) return null;
  const errors = list.filter((f) => f.severity === 'error' && f.state !== 'accepted').length;
  const unexplained = list.filter((f) => f.severity !== 'error' && f.state === 'open').length;
  const explained = list.filter((f) => f.severity !== 'error' && f.state !== 'open').length;
  if (!list.length) {
    return reviewing ? <p className="sd-ok">数据检查：未发现问题</p> : null;
  }
  return (
    <div className={errors ? 'sd-card-checks sd-late' : 'sd-card-checks'}>
      数据检查：{errors > 0 && `错误 ${errors} 处`}
      {errors > 0 && (unexplained > 0 || explained > 0) && '，'}
      {unexplained > 0 && `提醒待说明 ${unexplained} 处`}
      {unexplained > 0 && explained > 0 && '，'}
      {explained > 0 && `提醒已说明 ${explained} 处`}{' '}
      <button type="button" className="sd-link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '收起' : '查看'}
      </button>
      {open && (
        <ul className="sd-problems">
          {list.slice(0, 20).map((f) => (
            <li key={f.id}>
              {f.severity === 'error' ? '错误' : '提醒'}：{f.rowRef ? `${f.rowRef}：` : ''}{f.message}
              {f.explanation && <span className="sd-muted">（说明：{f.explanation}）</span>}
            </li>
          ))}
          {list.length > 20 && <li className="sd-muted">另有 {list.length - 20} 处，见“数据检查”</li>}
        </ul>
      )}
    </div>
  );
}
