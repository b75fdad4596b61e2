// 质量年度报告 (质量部, 院领导): the appended data tables of the annual quality report for the
// cycle — each item with this year's and last year's value, the change and where it comes from —
// and, for 质量部, a form per survey or outside figure (value, source, date). The state is the
// core data's: the computed items are frozen when 质量部 publishes the core data.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { Message, formatTime } from './ui.jsx';
import { Comment } from './core.jsx';

const { useState, useEffect } = React;

const Q = `query($cycle: Int!) { annualReport(cycle: $cycle) {
  template state signedOff
  comments { id indicator author authorName body at version resolvedBy resolvedAt }
  tables { id name items { id name unit value previous change formula definition source external enteredBy enteredAt date
    breakdowns { name items { key label value previousValue } } } } } }`;

const COMMENT = `mutation($cycle: Int!, $i: String!, $c: String!) {
  commentIndicator(cycle: $cycle, indicator: $i, comment: $c) { id } }`;
const RESOLVE = 'mutation($cycle: Int!, $id: ID!) { resolveIndicatorComment(cycle: $cycle, id: $id) { id } }';

const SET = `mutation($cycle: Int!, $i: String!, $v: String!, $s: String!, $d: String!) {
  setAnnualReportItem(cycle: $cycle, item: $i, value: $v, source: $s, date: $d) { id } }`;

export const annualAllowed = (me) => hasRole(me, 'quality_admin', 'leader');

const STATES = {
  draft: '核心数据尚未发布：计算项为当前数据的实时值',
  published: '核心数据已发布、待院领导审核：计算项为发布时冻结的值',
  returned: '核心数据已退回质量部',
  signed_off: '核心数据已经院领导签字',
  unsigned: '签字已撤销（有表被重新打开），待重新发布',
};

/** 质量部's form for one entered item. */
function Enter({ item, onSave }) {
  const [value, setValue] = useState(item.value || '');
  const [source, setSource] = useState(item.external && item.enteredBy ? item.source : '');
  const [date, setDate] = useState(item.date || '');
  const id = `sd-annual-${item.id}`;
  return (
    <form className="sd-inline-form" onSubmit={(e) => { e.preventDefault(); onSave(item, value, source, date); }}>
      <label htmlFor={`${id}-v`}>值（{item.unit}）</label>
      <input id={`${id}-v`} value={value} size={8} onChange={(e) => setValue(e.target.value)} />
      <label htmlFor={`${id}-s`}>来源</label>
      <input id={`${id}-s`} value={source} placeholder={item.source} onChange={(e) => setSource(e.target.value)} />
      <label htmlFor={`${id}-d`}>日期</label>
      <input id={`${id}-d`} type="date" value={date} onChange={(e) => setDate(e.target.value)} />
      <button type="submit">保存</button>
    </form>
  );
}

/** A computed item's breakdowns (by 专业, 院系…), folded: this year and last year per group. */
function Breakdowns({ item }) {
  if (!item.breakdowns || item.breakdowns.length === 0) return null;
  return item.breakdowns.map((b) => (
    <details key={b.name} className="sd-breakdown">
      <summary>按{b.name}（{b.items.length} 组）</summary>
      <ul>{b.items.map((g) => <li key={g.key}>{g.label}：{g.value ?? '—'}（上年 {g.previousValue ?? '—'}）</li>)}</ul>
    </details>
  ));
}

/** The comments on one computed item, and (while the core data awaits the leaders) a box for one more. */
function Notes({ item, comments, canComment, canResolve, onComment, onResolve }) {
  const [text, setText] = useState('');
  const mine = comments.filter((c) => c.indicator === item.id);
  if (mine.length === 0 && !canComment) return null;
  const id = `sd-annual-note-${item.id}`;
  return (
    <div className="sd-annual-notes">
      {mine.map((c) => <Comment key={c.id} c={c} canResolve={canResolve(c)} onResolve={onResolve} />)}
      {canComment && (
        <form className="sd-inline-form" onSubmit={(e) => { e.preventDefault(); if (text.trim()) onComment(item, text).then(() => setText('')); }}>
          <label htmlFor={id}>批注</label>
          <input id={id} value={text} size={24} onChange={(e) => setText(e.target.value)} />
          <button type="submit">添加批注</button>
        </form>
      )}
    </div>
  );
}

function Row({ n, item, quality, onSave, notes }) {
  const source = item.external
    ? (item.enteredBy ? `${item.source}（${item.date}；${item.enteredBy} ${formatTime(item.enteredAt)} 录入）` : `待质量部录入：${item.source}`)
    : item.source;
  return (
    <tr>
      <td>{n}</td>
      <th scope="row" title={item.definition}>{item.name}</th>
      <td>{item.unit}</td>
      <td>{item.value ?? '—'}</td>
      <td>{item.previous ?? '—'}</td>
      <td>{item.change ?? '—'}</td>
      <td>
        <span title={item.formula || ''}>{source}</span>
        {item.external && quality && <Enter item={item} onSave={onSave} />}
        {!item.external && <Breakdowns item={item} />}
        {!item.external && notes(item)}
      </td>
    </tr>
  );
}

export function AnnualPanel() {
  const cycle = useApp((s) => s.cycle);
  const me = useApp((s) => s.me);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState(null);
  const load = () =>
    gql(Q, { cycle }, '质量年度报告').then((d) => { setData(d.annualReport); setError(null); }).catch((e) => setError(e.message));
  useEffect(() => { load(); }, [cycle]);
  const save = async (item, v, s, d) => {
    try {
      await gql(SET, { cycle, i: item.id, v, s, d }, `录入“${item.name}”`);
      setMessage(`已录入“${item.name}”`);
      await load();
    } catch (e) {
      setMessage(null);
      setError(`录入“${item.name}”未完成：${e.message}`);
    }
  };
  const run = async (query, vars, what, done) => {
    try {
      await gql(query, { cycle, ...vars }, what);
      setMessage(done);
      await load();
    } catch (e) {
      setMessage(null);
      setError(`${what}未完成：${e.message}`);
    }
  };
  if (!data) return error ? <Message kind="error">{error}</Message> : <p className="sd-lead">正在读取质量年度报告数据表…</p>;
  const quality = hasRole(me, 'quality_admin');
  const leader = hasRole(me, 'leader');
  // Comments go on the published version, as on 核心数据: the computed items are frozen in it.
  const notes = (item) => (
    <Notes item={item} comments={data.comments} canComment={data.state === 'published' && (leader || quality)}
      canResolve={(c) => quality || c.author === me.staffNo}
      onResolve={(c) => run(RESOLVE, { id: c.id }, '标记已解决', `已把${c.authorName}的批注标记为已解决`)}
      onComment={(i, text) => run(COMMENT, { i: i.id, c: text.trim() }, '批注', `已批注“${i.name}”`)} />
  );
  return (
    <div>
      <div className="sd-kpis">
        <span>{STATES[data.state] || data.state}</span>
        <a className="sd-button" href={`/export/${cycle}/annual-report.xlsx`} download>下载数据表（Excel）</a>
        <a className="sd-button" href={`/export/${cycle}/annual-report.docx`} download>下载数据表与典型案例（Word）</a>
      </div>
      <p className="sd-muted">模板：{data.template}</p>
      {!data.signedOff && <Message kind="error">核心数据尚未经院领导签字，导出的文件带有提醒。</Message>}
      <Message kind="success">{message}</Message>
      <Message kind="error">{error}</Message>
      {data.tables.map((t, i) => (
        <section key={t.id} aria-label={t.name}>
          <h3>表{i + 1} {t.name}</h3>
          <div className="sd-grid-wrap" tabIndex={0} role="region" aria-label={`${t.name}（${cycle} 年）`}>
            <table className="sd-grid">
              <thead>
                <tr><th scope="col">序号</th><th scope="col">指标</th><th scope="col">单位</th><th scope="col">{cycle} 年</th><th scope="col">{cycle - 1} 年</th><th scope="col">变化</th><th scope="col">来源</th></tr>
              </thead>
              <tbody>
                {t.items.map((item, n) => <Row key={item.id} n={n + 1} item={item} quality={quality} onSave={save} notes={notes} />)}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}
