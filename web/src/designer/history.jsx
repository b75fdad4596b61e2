// The history of a table's definition: every version applied from the designer, with its author,
// time and reason; the change each made; 回滚 puts back the text from before a version, as a new
// version (so a roll-back is itself in the history and can be rolled back).

import { gql, refreshCatalog, askConfirm, Message, formatTime } from './host.js';

const { useState, useEffect } = React;

/** A unified diff, its added and removed lines marked (and said, for screen readers). */
export function Diff({ text }) {
  if (!text) return <p className="sd-muted">TOML 文本没有变化。</p>;
  return (
    <pre className="sd-toml-diff" aria-label="TOML 文本的变化">
      {text.split('\n').map((line, i) => {
        const kind = line.startsWith('+') && !line.startsWith('+++') ? 'add'
          : line.startsWith('-') && !line.startsWith('---') ? 'del' : '';
        return <span key={i} className={kind ? `sd-toml-${kind}` : undefined}>{line}{'\n'}</span>;
      })}
    </pre>
  );
}

export function History({ table, onRolledBack }) {
  const [list, setList] = useState(null);
  const [shown, setShown] = useState(null); // { id, text }
  const [result, setResult] = useState(null);
  const load = () => gql('query($t: String) { definitionHistory(table: $t) { id table authorName at reason definitionsVersion diff } }', { t: table })
    .then((d) => setList(d.definitionHistory))
    .catch((e) => setResult({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
  }, [table]);
  if (!list) return null;
  // Each version's own change: from the text before it to the text it put in force.
  const compare = (v) => setShown({ title: `第 ${v.definitionsVersion} 版的修改（${v.authorName}：${v.reason}）`, text: v.diff });
  const rollback = async (v) => {
    const ok = await askConfirm({
      title: `撤销 ${table} 第 ${v.definitionsVersion} 版的修改？`,
      body: `将以该次修改之前的表定义（${v.authorName} 修改之前）作为新版本生效；历史中保留现在的版本，可再撤销。删除已有数据的字段仍会被拒绝。`,
      confirm: '回滚',
      reason: { label: '回滚原因（记入历史）', required: true },
    });
    if (!ok) return;
    try {
      await gql('mutation($v: Int!, $r: String!) { rollbackDefinition(version: $v, reason: $r) { id } }', { v: v.id, r: ok.reason }, '回滚表定义');
      await refreshCatalog();
      onRolledBack();
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  return (
    <section className="sd-def-history" aria-label="修改历史">
      <h4>修改历史</h4>
      <Message kind={result?.kind}>{result?.text}</Message>
      {list.length === 0 && <p className="sd-muted">本表还没有在页面中修改过（此前的修改在服务器的 table-defs 文件夹中）。</p>}
      <ul>
        {list.map((v, i) => (
          <li key={v.id}>
            第 {v.definitionsVersion} 版 · {v.authorName} · {formatTime(v.at)}：{v.reason}
            {' '}
            <button type="button" className="sd-link-button" onClick={() => compare(v)}>查看修改</button>
            {' '}
            <button type="button" onClick={() => rollback(v)}>撤销此次修改</button>
          </li>
        ))}
      </ul>
      {shown && (
        <div>
          <h5>{shown.title}</h5>
          <Diff text={shown.text} />
        </div>
      )}
    </section>
  );
}
