// 管理 → 表定义: 质量部 edits a table's definition in the browser. Edits go into a draft kept by
// the server (per table, with its author); each save runs the same check as `statusdata check`
// and shows the problems under the field at fault, the change to the TOML file and to the
// database; 生效 writes the file and every instance reloads. History and 回滚 are below.

import { gql, refreshCatalog, askConfirm, Message, formatTime } from './host.js';
import { read, write, placeProblems, problemText, codeListNames } from './model.js';
import { FieldsForm } from './fields.jsx';
import { History, Diff } from './history.jsx';

const { useState, useEffect } = React;

const DRAFT = 'table toml baseVersion rowVersion authorName updatedAt stale problems { line key message } diff changes { destructive description rows }';
const LOAD = `query($t: String!) { tableDefinition(table: $t) { table name file toml version draft { ${DRAFT} } } }`;
const SAVE = `mutation($t: String!, $toml: String!, $base: Int!, $rv: Int) {
  saveDefinitionDraft(table: $t, toml: $toml, baseVersion: $base, rowVersion: $rv) { ${DRAFT} } }`;

function Changes({ draft }) {
  if (!draft.changes.length) return <p className="sd-muted">数据库：无需变更。</p>;
  return (
    <ul className="sd-def-changes" aria-label="数据库变更">
      {draft.changes.map((c, i) => (
        <li key={i} className={c.destructive ? 'sd-bad' : ''}>
          {c.destructive ? '破坏性变更：' : '新增：'}{c.description}{c.rows != null ? `（涉及 ${c.rows} 行）` : ''}
        </li>
      ))}
    </ul>
  );
}

function Editor({ code, catalog, onApplied }) {
  const [loaded, setLoaded] = useState(null); // tableDefinition
  const [text, setText] = useState('');
  const [draft, setDraft] = useState(null); // the saved draft with its check
  const [dirty, setDirty] = useState(false);
  const [asText, setAsText] = useState(false);
  const [result, setResult] = useState(null);
  const load = async () => {
    const d = (await gql(LOAD, { t: code }, '读取表定义')).tableDefinition;
    setLoaded(d);
    setDraft(d.draft);
    setText(d.draft ? d.draft.toml : d.toml);
    setDirty(false);
  };
  useEffect(() => {
    setResult(null);
    load().catch((e) => setResult({ kind: 'error', text: e.message }));
  }, [code]);
  if (!loaded) return <p className="sd-lead">正在读取表定义…</p>;
  const parsed = read(text);
  const { byField, table } = placeProblems(draft?.problems);
  const edit = (next) => {
    setText(next);
    setDirty(true);
  };
  const save = async () => {
    setResult(null);
    try {
      const d = (await gql(SAVE, {
        t: code, toml: text, base: draft ? draft.baseVersion : loaded.version, rv: draft ? draft.rowVersion : null,
      }, '保存表定义草稿')).saveDefinitionDraft;
      setDraft(d);
      setDirty(false);
      setResult(d.problems.length
        ? { kind: 'error', text: `草稿已保存，检查发现 ${d.problems.length} 处问题，改正后才能生效` }
        : { kind: 'success', text: '草稿已保存，检查通过' });
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  const discard = async () => {
    const ok = await askConfirm({ title: '放弃草稿？', body: '草稿中的修改将丢失，表定义保持正在使用的版本。', confirm: '放弃草稿', danger: true });
    if (!ok) return;
    try {
      await gql('mutation($t: String!) { discardDefinitionDraft(table: $t) }', { t: code }, '放弃表定义草稿');
      await load();
      setResult({ kind: 'success', text: '已放弃草稿' });
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  const apply = async () => {
    const destructive = draft.changes.some((c) => c.destructive);
    const ok = await askConfirm({
      title: `使 ${code} 的新定义生效？`,
      body: (
        <div>
          <p>生效后表定义文件随之改写，所有服务实例立即载入，采集员的表单和导入模板随之变化。</p>
          <Changes draft={draft} />
          {destructive && <p><strong>含破坏性变更：已有数据的表会被拒绝。</strong></p>}
        </div>
      ),
      confirm: '生效',
      reason: { label: '修改原因（记入历史）', required: true },
    });
    if (!ok) return;
    try {
      const v = (await gql('mutation($t: String!, $r: String!) { applyDefinitionDraft(table: $t, reason: $r) { id definitionsVersion } }',
        { t: code, r: ok.reason }, '表定义生效')).applyDefinitionDraft;
      await refreshCatalog();
      await load();
      setResult({ kind: 'success', text: `已生效：表定义第 ${v.definitionsVersion} 版，各实例已重新载入` });
      onApplied();
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  const canApply = draft && !dirty && !draft.problems.length && !draft.stale;
  return (
    <div className="sd-designer">
      <p className="sd-muted">
        文件 {loaded.file} · 正在使用第 {loaded.version} 版
        {draft && ` · 草稿：${draft.authorName} 于 ${formatTime(draft.updatedAt)} 保存，基于第 ${draft.baseVersion} 版`}
      </p>
      {draft?.stale && (
        <Message kind="error">草稿所依据的版本已过时（其他管理员已使别的修改生效）：请放弃草稿后重新修改，或对照差异重新保存。</Message>
      )}
      <Message kind={result?.kind}>{result?.text}</Message>
      <div className="sd-toolbar">
        <label className="sd-check"><input type="checkbox" checked={asText} onChange={(e) => setAsText(e.target.checked)} /> 直接编辑 TOML 文本</label>
        <button type="button" className="sd-primary" onClick={save} disabled={!dirty && !!draft}>保存草稿并检查</button>
        <button type="button" onClick={apply} disabled={!canApply}>生效…</button>
        {draft && <button type="button" className="sd-danger" onClick={discard}>放弃草稿</button>}
        {dirty && <span className="sd-muted">有未保存的修改</span>}
      </div>
      {table.length > 0 && (
        <ul className="sd-problems" role="alert" aria-label="表的问题">{table.map((p, i) => <li key={i}>{problemText(p)}</li>)}</ul>
      )}
      {asText || parsed.error ? (
        <div className="sd-field">
          {parsed.error && <Message kind="error">{parsed.error}（请在文本中改正）</Message>}
          <label htmlFor="sd-def-text">{code} 的 TOML 文本</label>
          <textarea id="sd-def-text" className="sd-def-text" rows={24} spellCheck={false} value={text}
            onChange={(e) => edit(e.target.value)} />
        </div>
      ) : (
        <>
          <div className="sd-field">
            <label htmlFor="sd-def-help">本表填写说明</label>
            <textarea id="sd-def-help" rows={2} value={parsed.def.help || ''}
              onChange={(e) => edit(write(text, { ...parsed.def, help: e.target.value }))} />
          </div>
          <FieldsForm def={parsed.def} codeLists={codeListNames(catalog)} byField={byField}
            onDef={(def) => edit(write(text, def))} />
        </>
      )}
      {draft && (
        <details open className="sd-def-diff">
          <summary>与正在使用的版本相比</summary>
          <Changes draft={draft} />
          <Diff text={draft.diff} />
        </details>
      )}
    </div>
  );
}

/** The designer card of 管理. */
export function Designer({ catalog }) {
  const [code, setCode] = useState('');
  const [applied, setApplied] = useState(0); // the history reads again after an apply
  const [rolled, setRolled] = useState(0); // the editor reads again after a roll-back
  return (
    <div className="sd-card" role="region" aria-label="表定义">
      <h3>表定义</h3>
      <p className="sd-muted">
        选择一张表修改其字段、类型、必填、代码表和填写说明。修改先存为草稿并自动检查；检查通过后点“生效”，
        表定义文件随之改写，所有实例立即载入，无需重启。删除已有数据的字段须由系统管理员备份后用命令行迁移。
      </p>
      <div className="sd-toolbar">
        <label htmlFor="sd-def-pick">数据表</label>
        <select id="sd-def-pick" value={code} onChange={(e) => setCode(e.target.value)}>
          <option value="">（选择要修改的表）</option>
          {catalog.map((t) => <option key={t.code} value={t.code}>{t.code} {t.name}</option>)}
        </select>
      </div>
      {code && <Editor key={`${code}-${rolled}`} code={code} catalog={catalog} onApplied={() => setApplied((n) => n + 1)} />}
      {code && <History key={`${code}-${applied}-${rolled}`} table={code} onRolledBack={() => setRolled((n) => n + 1)} />}
    </div>
  );
}
