// 核心数据 (院领导, 质量部): the core indicators of the cycle with last year's value and the change,
// each with its breakdowns and the leaders' comments; 质量部 publishes a snapshot, a leader
// comments per indicator, signs it off or sends it back with a reason.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { Message, formatTime } from './ui.jsx';

const { useState, useEffect } = React;

const Q = `query($cycle: Int!) {
  coreData(cycle: $cycle) {
    state version publishedBy publishedAt decidedBy decidedAt decisionComment warnings reviewStart reviewEnd
    indicators { id name unit value previousValue change changePercent definition source formula
      breakdowns { name items { key label value previousValue } }
      comments { authorName body at } }
  } }`;

const STATES = {
  draft: ['尚未发布', 'sd-state-draft'],
  published: ['待院领导审核', 'sd-state-submitted'],
  returned: ['已退回质量部', 'sd-state-returned'],
  signed_off: ['院领导已签字', 'sd-state-accepted'],
  unsigned: ['签字已撤销（有表被重新打开）', 'sd-state-returned'],
};

export const coreAllowed = (me) => hasRole(me, 'quality_admin', 'leader');

function num(v) {
  if (v === null || v === undefined) return '—';
  const [i, f] = String(v).split('.');
  return i.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (f ? `.${f}` : '');
}

function Change({ ind }) {
  if (ind.change === null) return <span className="sd-muted">—</span>;
  const up = !String(ind.change).startsWith('-') && ind.change !== '0';
  const arrow = ind.change === '0' ? '' : up ? '▲' : '▼';
  const pct = ind.changePercent === null ? '' : `（${up ? '+' : ''}${ind.changePercent}%）`;
  return <span className={up ? 'sd-up' : ind.change === '0' ? '' : 'sd-down'}>{arrow}{up ? '+' : ''}{num(ind.change)}{pct}</span>;
}

function Indicator({ ind, canComment, onComment }) {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  return (
    <tbody className="sd-ind" aria-label={ind.name}>
      <tr>
        <th scope="row" title={`${ind.definition}\n来源：${ind.source}\n公式：${ind.formula}`}>{ind.name}</th>
        <td className="sd-num"><strong>{num(ind.value)}</strong></td>
        <td className="sd-num">{num(ind.previousValue)}</td>
        <td className="sd-num"><Change ind={ind} /></td>
        <td>{ind.unit}</td>
        <td>
          {(ind.breakdowns.length > 0 || canComment || ind.comments.length > 0) && (
            <button type="button" className="sd-link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
              {open ? '收起' : `详情${ind.comments.length ? `（批注 ${ind.comments.length}）` : ''}`}
            </button>
          )}
        </td>
      </tr>
      {ind.comments.length > 0 && !open && (
        <tr className="sd-ind-note"><td colSpan={6}>{ind.comments.map((c) => `${c.authorName}：${c.body}`).join('；')}</td></tr>
      )}
      {open && (
        <tr className="sd-ind-more">
          <td colSpan={6}>
            <p className="sd-muted">{ind.definition} 来源：{ind.source}</p>
            {ind.breakdowns.map((b) => (
              <details key={b.name}>
                <summary>按{b.name}（{b.items.length} 项）</summary>
                <table className="sd-grid">
                  <thead><tr><th scope="col">{b.name}</th><th scope="col">本年</th><th scope="col">上年</th></tr></thead>
                  <tbody>
                    {b.items.map((i) => (
                      <tr key={i.key}><td>{i.label}</td><td className="sd-num">{num(i.value)}</td><td className="sd-num">{num(i.previousValue)}</td></tr>
                    ))}
                  </tbody>
                </table>
              </details>
            ))}
            {ind.comments.map((c, i) => (
              <p key={i} className="sd-comment">{c.authorName}（{formatTime(c.at)}）：{c.body}</p>
            ))}
            {canComment && (
              <div className="sd-actions">
                <label htmlFor={`sd-note-${ind.id}`}>批注</label>
                <input id={`sd-note-${ind.id}`} aria-label={`对“${ind.name}”的批注`} value={text} onChange={(e) => setText(e.target.value)} />
                <button type="button" disabled={!text.trim()} onClick={async () => { if (await onComment(ind, text)) setText(''); }}>
                  添加批注
                </button>
              </div>
            )}
          </td>
        </tr>
      )}
    </tbody>
  );
}

export function CorePanel() {
  const cycle = useApp((s) => s.cycle);
  const me = useApp((s) => s.me);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState(null);
  const [decision, setDecision] = useState('');
  const load = () =>
    gql(Q, { cycle }, '核心数据').then((d) => { setData(d.coreData); setError(null); }).catch((e) => setError(e.message));
  useEffect(() => {
    load();
  }, [cycle]);
  const run = async (query, variables, title, done) => {
    try {
      await gql(query, { cycle, ...variables }, title);
      setMessage(done);
      setError(null);
      await load();
      return true;
    } catch (e) {
      setError(`${title}未完成：${e.message}`);
      await load();
      return false;
    }
  };
  if (!data) return error ? <Message kind="error">{error}</Message> : <p className="sd-lead">正在读取核心数据…</p>;
  const leader = hasRole(me, 'leader');
  const quality = hasRole(me, 'quality_admin');
  const awaiting = data.state === 'published';
  const [words, cls] = STATES[data.state] || [data.state, ''];
  const window = data.reviewEnd ? `院领导审核期 ${data.reviewStart || ''} 至 ${data.reviewEnd}` : '';
  return (
    <div>
      <div className="sd-kpis">
        <span className={`sd-state ${cls}`}>{words}</span>
        {data.version && <span>第 {data.version} 版 · {formatTime(data.publishedAt)} 发布</span>}
        {window && <span>{window}</span>}
        <a className="sd-button" href={`/export/${cycle}/indicators.xlsx`} download>下载核心数据工作簿</a>
      </div>
      {data.decidedBy && data.state !== 'published' && (
        <p className="sd-comment">审核：{data.decidedBy}（{formatTime(data.decidedAt)}）{data.decisionComment ? `：${data.decisionComment}` : ''}</p>
      )}
      <Message kind="success">{message}</Message>
      <Message kind="error">{error}</Message>
      {data.indicators.every((i) => i.previousValue === null) && (
        <p className="sd-muted">系统中没有 {cycle - 1} 年周期的数据，上年值与变化暂缺。</p>
      )}
      {data.warnings.length > 0 && (
        <details className="sd-warn">
          <summary>发布时有 {data.warnings.length} 张表尚未验收（点击查看）</summary>
          <ul>{data.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </details>
      )}
      <div className="sd-grid-wrap" tabIndex={0} role="region" aria-label={`${cycle} 年核心指标`}>
        <table className="sd-grid sd-core">
          <thead>
            <tr><th scope="col">指标</th><th scope="col">{cycle} 年</th><th scope="col">{cycle - 1} 年</th><th scope="col">变化</th><th scope="col">单位</th><th scope="col"></th></tr>
          </thead>
          {data.indicators.map((ind) => (
            <Indicator key={ind.id} ind={ind} canComment={awaiting && (leader || quality)}
              onComment={(i, text) => run(
                'mutation($cycle: Int!, $i: String!, $c: String!) { commentIndicator(cycle: $cycle, indicator: $i, comment: $c) { id } }',
                { i: i.id, c: text.trim() }, '批注', `已批注“${i.name}”`)} />
          ))}
        </table>
      </div>
      {quality && data.state !== 'signed_off' && (
        <div className="sd-actions">
          <button type="button" onClick={() => run('mutation($cycle: Int!) { publishIndicators(cycle: $cycle) { version } }', {}, '发布核心数据', '已发布，等待院领导审核')}>
            {data.state === 'draft' ? '发布核心数据' : '重新发布'}
          </button>
          <span className="sd-muted">发布即冻结当前数据，报院领导审核</span>
        </div>
      )}
      {leader && awaiting && (
        <fieldset className="sd-decide">
          <legend>审核意见</legend>
          <label htmlFor="sd-core-decision">意见（退回时必填）</label>
          <textarea id="sd-core-decision" rows={2} value={decision} onChange={(e) => setDecision(e.target.value)} />
          <div className="sd-actions">
            <button type="button" className="sd-primary" onClick={async () => {
              if (await run('mutation($cycle: Int!, $c: String) { signOffIndicators(cycle: $cycle, comment: $c) { state } }', { c: decision.trim() || null }, '签字', '已签字，核心数据可以上报')) setDecision('');
            }}>签字同意</button>
            <button type="button" disabled={!decision.trim()} onClick={async () => {
              if (await run('mutation($cycle: Int!, $c: String!) { returnIndicators(cycle: $cycle, comment: $c) { state } }', { c: decision.trim() }, '退回', '已退回质量部')) setDecision('');
            }}>退回</button>
          </div>
        </fieldset>
      )}
    </div>
  );
}
