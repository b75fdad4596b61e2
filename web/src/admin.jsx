// 管理 (质量部 admins): who fills and reviews what, changed through grantRight / revokeRight with
// the server's checks shown; the table definitions, read-only, and reloading them.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { refreshCatalog } from './session.js';
import { Message } from './ui.jsx';
import { useCodes } from './fill/codes.js';

const { useState, useEffect } = React;

function RightsEditor({ catalog }) {
  const [rights, setRights] = useState(null);
  const [table, setTable] = useState('');
  const [unit, setUnit] = useState('');
  const [action, setAction] = useState('FILL');
  const [result, setResult] = useState(null);
  const load = () =>
    gql('{ rights { table fill review } }')
      .then((d) => setRights(d.rights))
      .catch((e) => setResult({ kind: 'error', text: e.message }));
  useEffect(() => {
    load();
  }, []);
  const units = [...new Set((rights || []).flatMap((r) => [...r.fill, ...r.review]))].sort((a, b) => a.localeCompare(b, 'zh'));
  const change = async (grant) => {
    setResult(null);
    try {
      const d = await gql(
        `mutation($unit: String!, $table: String!, $action: RightAction!) { ${grant ? 'grantRight' : 'revokeRight'}(unit: $unit, table: $table, action: $action) }`,
        { unit: unit.trim(), table, action },
        `${grant ? '授予' : '撤销'}权限`,
      );
      const changed = d[grant ? 'grantRight' : 'revokeRight'];
      setResult({ kind: 'success', text: changed ? '已调整，立即生效' : '没有变化（原本就是如此）' });
      load();
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  const of = (code) => (rights || []).find((r) => r.table === code) || { fill: [], review: [] };
  return (
    <div className="sd-card">
      <h3>填报与审核分工</h3>
      <div className="sd-toolbar sd-wrap">
        <label htmlFor="sd-right-table">数据表</label>
        <select id="sd-right-table" value={table} onChange={(e) => { setResult(null); setTable(e.target.value); }}>
          <option value="">（选择）</option>
          {catalog.map((t) => <option key={t.code} value={t.code}>{t.code} {t.name}</option>)}
        </select>
        <label htmlFor="sd-right-unit">单位</label>
        <input id="sd-right-unit" list="sd-unit-list" value={unit} onChange={(e) => { setResult(null); setUnit(e.target.value); }} placeholder="单位名称，或“各院系”" />
        <datalist id="sd-unit-list">
          <option value="各院系" />
          {units.map((u) => <option key={u} value={u} />)}
        </datalist>
        <label htmlFor="sd-right-action">权限</label>
        <select id="sd-right-action" value={action} onChange={(e) => { setResult(null); setAction(e.target.value); }}>
          <option value="FILL">填报</option>
          <option value="REVIEW">审核</option>
        </select>
        <button type="button" className="sd-primary" disabled={!table || !unit.trim()} onClick={() => change(true)}>授予</button>
        <button type="button" className="sd-danger" disabled={!table || !unit.trim()} onClick={() => change(false)}>撤销</button>
      </div>
      {result && <Message kind={result.kind}>{result.text}</Message>}
      <div className="sd-grid-wrap" tabIndex={0} role="region" aria-label="各表的填报与审核单位">
        <table className="sd-grid">
          <thead><tr><th scope="col">表</th><th scope="col">填报单位</th><th scope="col">审核单位</th></tr></thead>
          <tbody>
            {catalog.map((t) => (
              <tr key={t.code}>
                <th scope="row">{t.code} {t.name}</th>
                <td>{of(t.code).fill.join('、')}</td>
                <td>{of(t.code).review.join('、')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const KIND = { source: '源数据表', basic: '基础数据表', special: '专项数据表' };
const SCOPE = { single: '每单位一行', rows: '多行' };
const TYPE = {
  string: '文字', text: '长文字', int: '整数', decimal: '数值', bool: '是/否', date: '日期', year: '年份',
  year_month: '年月', enum: '单选（代码表）', multi_enum: '多选（代码表）', ref: '引用', multi_ref: '多项引用',
};

const camel = (snake) => snake.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** "1.4.1 校内专任教师表 · 工号" for a reference written "table_slug.column" in the definitions. */
function refName(catalog, ref) {
  const [slug, column] = ref.split('.');
  // The list field is the slug in camelCase, with “List” when the slug has no plural form.
  const t = catalog.find((x) => x.listField === camel(slug) || x.listField === `${camel(slug)}List`);
  if (!t) return '另一张表';
  const f = column && t.fields.find((x) => x.name === camel(column));
  return `${t.code} ${t.name}${f ? ` · ${f.label}` : ''}`;
}

/** The code list's own name (代码表 names in the definitions are internal). */
function CodesName({ name }) {
  const list = useCodes(name);
  return list ? `代码表：${list.label || '（未命名）'}` : '代码表';
}

function Fields({ table, catalog }) {
  return (
    <table className="sd-grid">
      <thead><tr><th scope="col">字段</th><th scope="col">类型</th><th scope="col">必填</th><th scope="col">选项来源</th></tr></thead>
      <tbody>
        {table.fields.map((f) => (
          <tr key={f.name}>
            <td>{f.label}{f.unit ? `（${f.unit}）` : ''}</td>
            <td>{TYPE[f.type] || '文字'}</td>
            <td>{f.required ? '是' : ''}</td>
            <td>{f.codes ? <CodesName name={f.codes} /> : f.ref ? refName(catalog, f.ref) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Definitions({ catalog }) {
  const [open, setOpen] = useState(null);
  const [result, setResult] = useState(null);
  const reload = async () => {
    setResult(null);
    try {
      const d = await gql('mutation { reloadDefinitions { version recorded createdTables addedColumns } }', {}, '重新载入表定义');
      const r = d.reloadDefinitions;
      const added = r.createdTables.length + r.addedColumns.length;
      setResult({
        kind: 'success',
        text: `已载入第 ${r.version} 版${r.recorded ? '（新版本）' : '（与正在使用的相同）'}${
          added ? `：新增 ${r.createdTables.length} 张表、${r.addedColumns.length} 个字段` : ''}`,
      });
      await refreshCatalog();
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  return (
    <div className="sd-card">
      <h3>表定义（只读）</h3>
      <p className="sd-muted">
        正在使用的 {catalog.length} 张表的定义已通过检查（表定义、代码表、单位与分工一致）。
        表定义由系统管理员在服务器上修改并检查；改好后点“重新载入表定义”即可生效，不必重启：
        新增的表和字段立即可用；删除字段或改变字段类型的修改会被拒绝，须由系统管理员停机处理。
      </p>
      <div className="sd-toolbar">
        <button type="button" className="sd-primary" onClick={reload}>重新载入表定义</button>
      </div>
      {result && <Message kind={result.kind}>{result.text}</Message>}
      <ul className="sd-defs">
        {catalog.map((t) => (
          <li key={t.code}>
            <button type="button" className="sd-link-button" aria-expanded={open === t.code}
              onClick={() => setOpen(open === t.code ? null : t.code)}>
              {t.code} {t.name}
            </button>
            <span className="sd-muted"> {KIND[t.kind] || ''} · {SCOPE[t.scope] || ''} · {t.fields.length} 个字段</span>
            {open === t.code && <Fields table={t} catalog={catalog} />}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function AdminPanel() {
  const catalog = useApp((s) => s.catalog);
  return (
    <div>
      <RightsEditor catalog={catalog} />
      <Definitions catalog={catalog} />
    </div>
  );
}

export const adminAllowed = (me) => hasRole(me, 'quality_admin');
