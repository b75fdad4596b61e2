// What every designer editor shares (a table's definition, a code list): the text is read with
// its draft, edits are saved as the server's draft (checked like `statusdata check`, with the
// change to the file and to the database), 生效 applies it after asking why, 放弃草稿 drops it.
// `api` says which GraphQL fields serve the subject (tableApi, codeListApi).

import { gql, refreshCatalog, askConfirm, Message, formatTime } from './host.js';
import { Diff } from './history.jsx';
import { problemText } from './model.js';

const { useState, useEffect } = React;

export const DRAFT = 'table toml baseVersion rowVersion authorName updatedAt stale problems { line key message } diff changes { destructive description rows }';

/** The GraphQL of a table's definition (its code). */
export function tableApi(code) {
  return {
    read: async () => (await gql(`query($t: String!) { tableDefinition(table: $t) { table name file toml version draft { ${DRAFT} } } }`,
      { t: code }, '读取表定义')).tableDefinition,
    save: async (v) => (await gql(`mutation($t: String!, $toml: String!, $base: Int!, $rv: Int) {
      saveDefinitionDraft(table: $t, toml: $toml, baseVersion: $base, rowVersion: $rv) { ${DRAFT} } }`,
    { t: code, ...v }, '保存表定义草稿')).saveDefinitionDraft,
    discard: () => gql('mutation($t: String!) { discardDefinitionDraft(table: $t) }', { t: code }, '放弃表定义草稿'),
    apply: async (reason) => (await gql('mutation($t: String!, $r: String!) { applyDefinitionDraft(table: $t, reason: $r) { id definitionsVersion } }',
      { t: code, r: reason }, '表定义生效')).applyDefinitionDraft,
  };
}

/** The GraphQL of a code list (its name). */
export function codeListApi(name) {
  return {
    read: async () => (await gql(`query($n: String!) { codeListDefinition(name: $n) { table name file toml version draft { ${DRAFT} } } }`,
      { n: name }, '读取代码表')).codeListDefinition,
    save: async (v) => (await gql(`mutation($n: String!, $toml: String!, $base: Int!, $rv: Int) {
      saveCodeListDraft(name: $n, toml: $toml, baseVersion: $base, rowVersion: $rv) { ${DRAFT} } }`,
    { n: name, ...v }, '保存代码表草稿')).saveCodeListDraft,
    discard: () => gql('mutation($n: String!) { discardCodeListDraft(name: $n) }', { n: name }, '放弃代码表草稿'),
    apply: async (reason) => (await gql('mutation($n: String!, $r: String!) { applyCodeListDraft(name: $n, reason: $r) { id definitionsVersion } }',
      { n: name, r: reason }, '代码表生效')).applyCodeListDraft,
  };
}

export function Changes({ draft }) {
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

/**
 * The draft of one subject: what was read, the text being edited, the saved draft with its
 * check, and the actions. `key` reads again when it changes.
 */
export function useDraft(api, key, title, onApplied) {
  const [loaded, setLoaded] = useState(null);
  const [text, setText] = useState('');
  const [draft, setDraft] = useState(null);
  const [dirty, setDirty] = useState(false);
  const [result, setResult] = useState(null);
  const fail = (e) => setResult({ kind: 'error', text: e.message });
  const load = async () => {
    const d = await api.read();
    setLoaded(d);
    setDraft(d.draft);
    setText(d.draft ? d.draft.toml : d.toml);
    setDirty(false);
  };
  useEffect(() => {
    setResult(null);
    load().catch(fail);
  }, [key]);
  const edit = (next) => {
    setText(next);
    setDirty(true);
  };
  const save = async () => {
    setResult(null);
    try {
      const d = await api.save({ toml: text, base: draft ? draft.baseVersion : loaded.version, rv: draft ? draft.rowVersion : null });
      setDraft(d);
      setDirty(false);
      setResult(d.problems.length
        ? { kind: 'error', text: `草稿已保存，检查发现 ${d.problems.length} 处问题，改正后才能生效` }
        : { kind: 'success', text: '草稿已保存，检查通过' });
    } catch (e) {
      fail(e);
    }
  };
  const discard = async () => {
    const ok = await askConfirm({ title: '放弃草稿？', body: '草稿中的修改将丢失，定义保持正在使用的版本。', confirm: '放弃草稿', danger: true });
    if (!ok) return;
    try {
      await api.discard();
      await load();
      setResult({ kind: 'success', text: '已放弃草稿' });
    } catch (e) {
      fail(e);
    }
  };
  const apply = async () => {
    const destructive = draft.changes.some((c) => c.destructive);
    const ok = await askConfirm({
      title: `使 ${title} 的新定义生效？`,
      body: (
        <div>
          <p>生效后定义文件随之改写，所有服务实例立即载入，采集员的表单和导入模板随之变化。</p>
          <Changes draft={draft} />
          {destructive && <p><strong>含破坏性变更：已有数据的会被拒绝。</strong></p>}
        </div>
      ),
      confirm: '生效',
      reason: { label: '修改原因（记入历史）', required: true },
    });
    if (!ok) return;
    try {
      const v = await api.apply(ok.reason);
      await refreshCatalog();
      await load();
      setResult({ kind: 'success', text: `已生效：表定义第 ${v.definitionsVersion} 版，各实例已重新载入` });
      onApplied();
    } catch (e) {
      fail(e);
    }
  };
  const canApply = draft && !dirty && !draft.problems.length && !draft.stale;
  return { loaded, text, draft, dirty, result, edit, save, discard, apply, canApply };
}

/** Where the draft stands, and what last happened to it. */
export function DraftStatus({ d }) {
  const { loaded, draft, result } = d;
  return (
    <>
      <p className="sd-muted">
        文件 {loaded.file} · 正在使用第 {loaded.version} 版
        {draft && ` · 草稿：${draft.authorName} 于 ${formatTime(draft.updatedAt)} 保存，基于第 ${draft.baseVersion} 版`}
      </p>
      {draft?.stale && (
        <Message kind="error">草稿所依据的版本已过时（其他管理员已使别的修改生效）：请放弃草稿后重新修改，或对照差异重新保存。</Message>
      )}
      <Message kind={result?.kind}>{result?.text}</Message>
    </>
  );
}

/** The draft's buttons, after what the editor puts first (`children`). */
export function DraftToolbar({ d, children }) {
  return (
    <div className="sd-toolbar">
      {children}
      <button type="button" className="sd-primary" onClick={d.save} disabled={!d.dirty && !!d.draft}>保存草稿并检查</button>
      <button type="button" onClick={d.apply} disabled={!d.canApply}>生效…</button>
      {d.draft && <button type="button" className="sd-danger" onClick={d.discard}>放弃草稿</button>}
      {d.dirty && <span className="sd-muted">有未保存的修改</span>}
    </div>
  );
}

/** The draft compared with the version in use: the database's changes and the text's. */
export function DraftDiff({ draft }) {
  if (!draft) return null;
  return (
    <details open className="sd-def-diff">
      <summary>与正在使用的版本相比</summary>
      <Changes draft={draft} />
      <Diff text={draft.diff} />
    </details>
  );
}

/** What both editors show above their form: the draft's status, the toolbar with 直接编辑 TOML
 * 文本, and the problems that belong to no row of the form (`label` names them). */
export function DraftHead({ d, asText, setAsText, problems, label }) {
  return (
    <>
      <DraftStatus d={d} />
      <DraftToolbar d={d}>
        <label className="sd-check"><input type="checkbox" checked={asText} onChange={(e) => setAsText(e.target.checked)} /> 直接编辑 TOML 文本</label>
      </DraftToolbar>
      {problems.length > 0 && (
        <ul className="sd-problems" role="alert" aria-label={label}>{problems.map((p, i) => <li key={i}>{problemText(p)}</li>)}</ul>
      )}
    </>
  );
}

/** The draft as TOML text, with why the form cannot show it (`error`) when it does not parse. */
export function DraftText({ d, id, label, error }) {
  return (
    <div className="sd-field">
      {error && <Message kind="error">{error}（请在文本中改正）</Message>}
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="sd-def-text" rows={24} spellCheck={false} value={d.text}
        onChange={(e) => d.edit(e.target.value)} />
    </div>
  );
}
