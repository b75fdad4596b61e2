// 管理 → 表定义: 质量部 edits a table's definition in the browser. Edits go into a draft kept by
// the server (per table, with its author); each save runs the same check as `statusdata check`
// and shows the problems under the field at fault, the change to the TOML file and to the
// database; 生效 writes the file and every instance reloads. History and 回滚 are below.

import { read, write, placeProblems, codeListNames } from './model.js';
import { FieldsForm } from './fields.jsx';
import { History } from './history.jsx';
import { useDraft, tableApi, DraftHead, DraftText, DraftDiff } from './draft.jsx';
import { CodeLists } from './codes.jsx';

const { useState } = React;

function Editor({ code, catalog, onApplied }) {
  const [asText, setAsText] = useState(false);
  const d = useDraft(tableApi(code), code, code, onApplied);
  if (!d.loaded) return <p className="sd-lead">正在读取表定义…</p>;
  const { text, edit } = d;
  const parsed = read(text);
  const { byField, table } = placeProblems(d.draft?.problems);
  return (
    <div className="sd-designer">
      <DraftHead d={d} asText={asText} setAsText={setAsText} problems={table} label="表的问题" />
      {asText || parsed.error ? (
        <DraftText d={d} id="sd-def-text" label={`${code} 的 TOML 文本`} error={parsed.error} />
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
      <DraftDiff draft={d.draft} />
    </div>
  );
}

/** The designer card of 管理. */
export function Designer({ catalog }) {
  const [kind, setKind] = useState('table'); // 'table' | 'codes'
  const [code, setCode] = useState('');
  const [applied, setApplied] = useState(0); // the history reads again after an apply
  const [rolled, setRolled] = useState(0); // the editor reads again after a roll-back
  return (
    <div className="sd-card" role="region" aria-label="表定义">
      <h3>表定义</h3>
      <p className="sd-muted">
        选择一张表修改其字段、类型、必填、代码表和填写说明。修改先存为草稿并自动检查；检查通过后点“生效”，
        表定义文件随之改写，所有实例立即载入，无需重启。删除已有数据的字段须由系统管理员备份后用命令行迁移。
        代码表（下拉选项）同样修改：每年新增的代码填写起用年份，不再使用的代码点“停用”。
      </p>
      <div className="sd-toolbar" role="radiogroup" aria-label="修改什么">
        <label className="sd-check"><input type="radio" name="sd-def-kind" checked={kind === 'table'} onChange={() => setKind('table')} /> 数据表的字段</label>
        <label className="sd-check"><input type="radio" name="sd-def-kind" checked={kind === 'codes'} onChange={() => setKind('codes')} /> 代码表的代码</label>
      </div>
      {kind === 'codes' ? <CodeLists /> : (
        <>
          <div className="sd-toolbar">
            <label htmlFor="sd-def-pick">数据表</label>
            <select id="sd-def-pick" value={code} onChange={(e) => setCode(e.target.value)}>
              <option value="">（选择要修改的表）</option>
              {catalog.map((t) => <option key={t.code} value={t.code}>{t.code} {t.name}</option>)}
            </select>
          </div>
          {code && <Editor key={`${code}-${rolled}`} code={code} catalog={catalog} onApplied={() => setApplied((n) => n + 1)} />}
          {code && <History key={`${code}-${applied}-${rolled}`} table={code} onRolledBack={() => setRolled((n) => n + 1)} />}
        </>
      )}
    </div>
  );
}
