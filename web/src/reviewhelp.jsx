// 审核参考 on the reviewer's cards: the last 退回原因 (who, when), "自退回以来修改了 N 行" with
// the rows added, changed (field: old → new, by label) and deleted, the head's 提交说明, and the
// table's 提醒 with the unit's 说明. The server works the changes out from the audit log.

import './review.css';
import { gql } from './api.js';
import { getState } from './state.js';
import { formatTime } from './ui.jsx';
import { loadFindings } from './cardchecks.jsx';

const { useState, useEffect } = React;

const Q = `query($cycle: Int!, $table: String!, $unit: String!) {
  reviewHelp(cycle: $cycle, table: $table, unit: $unit) {
    returned { at byName reason } note
    changes { rowId kind label fields { label before after } } } }`;

const KIND = { added: '新增', changed: '修改', deleted: '删除' };

function FieldLine({ f }) {
  return (
    <span>
      {f.label}：<del>{f.before ?? '（空）'}</del> → <ins>{f.after ?? '（空）'}</ins>
    </span>
  );
}

function Change({ c }) {
  const shown = c.kind === 'changed' ? c.fields : [];
  return (
    <li className={`sd-diff-${c.kind}`}>
      <span className="sd-diff-kind">{KIND[c.kind] || c.kind}</span>
      {c.label || `第 ${c.rowId} 号行`}
      {shown.length > 0 && '：'}
      {shown.map((f, i) => (
        <span key={f.label}>{i > 0 && '；'}<FieldLine f={f} /></span>
      ))}
    </li>
  );
}

function count(changes, kind) {
  return changes.filter((c) => c.kind === kind).length;
}

/** Changes since the last return, folded when long. */
function Changes({ changes }) {
  const [open, setOpen] = useState(changes.length <= 5);
  const parts = ['added', 'changed', 'deleted'].filter((k) => count(changes, k)).map((k) => `${KIND[k]} ${count(changes, k)}`);
  if (!changes.length) return <p>自退回以来没有修改任何行。</p>;
  return (
    <div>
      <p>
        自退回以来修改了 {changes.length} 行（{parts.join('，')}）{' '}
        <button type="button" className="sd-link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? '收起' : '查看修改'}
        </button>
      </p>
      {open && (
        <ul className="sd-diff" aria-label="自退回以来的修改">
          {changes.slice(0, 50).map((c) => <Change key={c.rowId} c={c} />)}
          {changes.length > 50 && <li className="sd-muted">另有 {changes.length - 50} 行，请在“填写”中查看</li>}
        </ul>
      )}
    </div>
  );
}

/** The table's 提醒 (warnings of the checks) with the unit's 说明. */
function Reminders({ list }) {
  const warnings = (list || []).filter((f) => f.severity !== 'error');
  if (!warnings.length) return null;
  const explained = warnings.filter((f) => f.explanation).length;
  return (
    <div>
      <p>提醒 {warnings.length} 处（已说明 {explained} 处）：</p>
      <ul className="sd-diff">
        {warnings.slice(0, 10).map((f) => (
          <li key={f.id}>
            {f.rowRef ? `${f.rowRef}：` : ''}{f.message}
            <span className={f.explanation ? '' : 'sd-late'}>（说明：{f.explanation || '未说明'}）</span>
          </li>
        ))}
        {warnings.length > 10 && <li className="sd-muted">另有 {warnings.length - 10} 处，见“数据检查”</li>}
      </ul>
    </div>
  );
}

/** 审核参考 for one unit's table (`withNote` false where the card already shows the 提交说明). */
export function ReviewHelp({ table, unit, withNote = true }) {
  const [help, setHelp] = useState(null);
  const [findings, setFindings] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    gql(Q, { cycle: getState().cycle, table, unit })
      .then((d) => live && setHelp(d.reviewHelp))
      .catch((e) => live && setError(e.message));
    loadFindings(table, unit).then((l) => live && setFindings(l)).catch(() => {});
    return () => {
      live = false;
    };
  }, [table, unit]);
  if (error) return <p className="sd-muted">审核参考暂不可用：{error}</p>;
  if (!help) return null;
  const r = help.returned;
  return (
    <section className="sd-review-help" aria-label="审核参考">
      {r && (
        <p className="sd-return">
          上次退回（{r.byName}，{formatTime(r.at)}）：{r.reason}
        </p>
      )}
      {r && <Changes changes={help.changes} />}
      {withNote && help.note && <p className="sd-comment">提交说明：{help.note}</p>}
      <Reminders list={findings} />
    </section>
  );
}
