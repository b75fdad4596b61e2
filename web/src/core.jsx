// 核心数据 (院领导, 质量部): the core indicators of the cycle with last year's value and the change,
// each with its breakdowns and the leaders' comments; 质量部 publishes a snapshot, a leader
// comments per indicator, signs it off or sends it back with a reason. A leader signs only within
// 院领导审核期 and with every comment resolved, unless 质量部 lets it through with a written reason;
// publishing first shows what it leaves behind (the unaccepted tables) and asks 继续/取消.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { Message, formatTime } from './ui.jsx';
import { askConfirm } from './dialog.jsx';
import { refreshTasks } from './session.js';

const { useState, useEffect } = React;

const Q = `query($cycle: Int!) {
  coreData(cycle: $cycle) {
    state version publishedBy publishedAt decidedBy decidedAt decisionComment warnings reviewStart reviewEnd
    overrideBy overrideAt overrideReason signOffBlockers
    indicators { id name unit value previousValue change changePercent definition source formula
      breakdowns { name items { key label value previousValue } }
      comments { id author authorName body at version resolvedBy resolvedAt } }
  } }`;

const PREVIEW = `query($cycle: Int!) { publishPreview(cycle: $cycle) {
  nextVersion refusal unaccepted notes openComments { authorName body } } }`;

/** What publishing leaves behind, as the confirmation shows it. */
function PreviewBody({ p }) {
  return (
    <div>
      <p>发布即冻结当前数据为第 {p.nextVersion} 版，报院领导审核。</p>
      {p.unaccepted.length > 0 ? (
        <>
          <p><strong>{p.unaccepted.length} 张表尚未验收</strong>（发布后仍可验收，但本版数据不会随之更新）：</p>
          <ul className="sd-preview-list">{p.unaccepted.map((u) => <li key={u}>{u}</li>)}</ul>
        </>
      ) : <p>核心指标用到的表均已验收。</p>}
      {p.openComments.length > 0 && (
        <p>{p.openComments.length} 条批注尚未解决，发布后仍须解决才能签字：{p.openComments.map((c) => `${c.authorName}：${c.body}`).join('；')}</p>
      )}
      {p.notes.map((n) => <p key={n}>{n}</p>)}
    </div>
  );
}

export function Comment({ c, current, canResolve, onResolve }) {
  const old = c.version !== current ? `（第 ${c.version} 版）` : '';
  return (
    <p className="sd-comment">
      {c.authorName}（{formatTime(c.at)}）{old}：{c.body}
      {c.resolvedAt ? <span className="sd-muted"> · 已解决（{c.resolvedBy}）</span> : <strong> · 未解决</strong>}
      {!c.resolvedAt && canResolve && (
        <> <button type="button" className="sd-link-button" onClick={() => onResolve(c)}>标记已解决</button></>
      )}
    </p>
  );
}

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

function Indicator({ ind, current, canComment, onComment, canResolve, onResolve }) {
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
        <tr className="sd-ind-note"><td colSpan={6}>{ind.comments.map((c) => `${c.authorName}：${c.body}${c.resolvedAt ? '（已解决）' : '（未解决）'}`).join('；')}</td></tr>
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
            {ind.comments.map((c) => (
              <Comment key={c.id} c={c} current={current} canResolve={canResolve(c)} onResolve={onResolve} />
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

const SIGN = 'mutation($cycle: Int!, $c: String, $v: Int) { signOffIndicators(cycle: $cycle, comment: $c, version: $v) { state } }';
const RETURN = 'mutation($cycle: Int!, $c: String!, $v: Int) { returnIndicators(cycle: $cycle, comment: $c, version: $v) { state } }';
const OVERRIDE = 'mutation($cycle: Int!, $r: String!, $v: Int) { overrideSignOff(cycle: $cycle, reason: $r, version: $v) { state } }';
const RESOLVE = 'mutation($cycle: Int!, $id: ID!) { resolveIndicatorComment(cycle: $cycle, id: $id) { id } }';

/** What stands in the way of the leaders' signature, and 质量部's override when given. */
function Guards({ data, quality, onOverride }) {
  if (data.state !== 'published' || (!data.signOffBlockers.length && !data.overrideReason)) return null;
  return (
    <div className="sd-msg sd-msg-warn" role="status" aria-label="签字条件">
      {data.signOffBlockers.length > 0 && (
        <>
          <strong>院领导现在还不能签字：</strong>
          <ul className="sd-problems">{data.signOffBlockers.map((b) => <li key={b}>{b}</li>)}</ul>
        </>
      )}
      {data.overrideReason ? (
        <p>质量部已放行：{data.overrideBy}（{formatTime(data.overrideAt)}）：{data.overrideReason}</p>
      ) : quality && (
        <button type="button" onClick={onOverride}>写明原因，放行签字</button>
      )}
    </div>
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
      refreshTasks().catch(() => {}); // the badges (待签字, 待验收) follow the step
      return true;
    } catch (e) {
      // Read again first: a successful read clears the error, which must outlive it.
      setMessage(null);
      await load();
      setError(`${title}未完成：${e.message}`);
      return false;
    }
  };
  if (!data) return error ? <Message kind="error">{error}</Message> : <p className="sd-lead">正在读取核心数据…</p>;
  const leader = hasRole(me, 'leader');
  const quality = hasRole(me, 'quality_admin');
  const awaiting = data.state === 'published';
  const [words, cls] = STATES[data.state] || [data.state, ''];
  const window = data.reviewEnd ? `院领导审核期 ${data.reviewStart || ''} 至 ${data.reviewEnd}` : '';
  const publish = async () => {
    let p;
    try {
      p = (await gql(PREVIEW, { cycle }, '发布前检查')).publishPreview;
    } catch (e) {
      setError(`发布核心数据未完成：${e.message}`);
      return;
    }
    if (p.refusal) {
      setError(`不能发布：${p.refusal}`);
      return;
    }
    const ok = await askConfirm({
      title: `发布核心数据第 ${p.nextVersion} 版`, body: <PreviewBody p={p} />, confirm: '继续发布', cancel: '取消',
    });
    if (ok) await run('mutation($cycle: Int!) { publishIndicators(cycle: $cycle) { version } }', {}, '发布核心数据', '已发布，等待院领导审核');
  };
  const override = async () => {
    const ok = await askConfirm({
      title: '放行院领导签字',
      body: (
        <div>
          <p>放行后，院领导可以签字第 {data.version} 版，尽管：</p>
          <ul className="sd-preview-list">{data.signOffBlockers.map((b) => <li key={b}>{b}</li>)}</ul>
          <p>放行人、时间和原因记入审计，并显示在核心数据上；重新发布后须重新放行。</p>
        </div>
      ),
      confirm: '放行', reason: { label: '放行原因', required: true },
    });
    if (ok) await run(OVERRIDE, { r: ok.reason, v: data.version }, '放行签字', '已放行，院领导可以签字');
  };
  const sign = async () => {
    const ok = await askConfirm({
      title: `签字同意第 ${data.version} 版核心数据`,
      body: (
        <div>
          <p>签字后核心数据第 {data.version} 版冻结，不能再修改，可以上报；只有质量部重新打开相关的表才会撤销签字。</p>
          {data.signOffBlockers.length > 0 && !data.overrideReason && <p><strong>现在还不能签字：</strong>{data.signOffBlockers.join('；')}</p>}
        </div>
      ),
      confirm: '签字', cancel: '取消',
    });
    if (ok && await run(SIGN, { c: decision.trim() || null, v: data.version }, '签字', '已签字，核心数据可以上报')) setDecision('');
  };
  const resolve = (c) => run(RESOLVE, { id: c.id }, '标记已解决', `已把${c.authorName}的批注标记为已解决`);
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
      {data.overrideReason && data.state !== 'published' && (
        <p className="sd-comment">质量部放行签字：{data.overrideBy}（{formatTime(data.overrideAt)}）：{data.overrideReason}</p>
      )}
      <Message kind="success">{message}</Message>
      <Message kind="error">{error}</Message>
      <Guards data={data} quality={quality} onOverride={override} />
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
            <Indicator key={ind.id} ind={ind} current={data.version} canComment={awaiting && (leader || quality)}
              canResolve={(c) => quality || c.author === me.staffNo} onResolve={resolve}
              onComment={(i, text) => run(
                'mutation($cycle: Int!, $i: String!, $c: String!) { commentIndicator(cycle: $cycle, indicator: $i, comment: $c) { id } }',
                { i: i.id, c: text.trim() }, '批注', `已批注“${i.name}”`)} />
          ))}
        </table>
      </div>
      {quality && data.state !== 'signed_off' && (
        <div className="sd-actions">
          <button type="button" onClick={publish}>{data.state === 'draft' ? '发布核心数据' : '重新发布'}</button>
          <span className="sd-muted">发布前先列出尚未验收的表，确认后冻结当前数据报院领导审核</span>
        </div>
      )}
      {leader && awaiting && (
        <fieldset className="sd-decide">
          <legend>审核意见</legend>
          <label htmlFor="sd-core-decision">意见（退回时必填）</label>
          <textarea id="sd-core-decision" rows={2} value={decision} onChange={(e) => setDecision(e.target.value)} />
          <div className="sd-actions">
            <button type="button" className="sd-primary" onClick={sign}>签字同意</button>
            <button type="button" disabled={!decision.trim()} onClick={async () => {
              if (await run(RETURN, { c: decision.trim(), v: data.version }, '退回', '已退回质量部')) setDecision('');
            }}>退回</button>
          </div>
        </fieldset>
      )}
    </div>
  );
}
