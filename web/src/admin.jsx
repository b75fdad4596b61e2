// 管理 (质量部 admins): who fills and reviews what, as a matrix (rights.jsx) with who changed each
// right and when; the table definitions, read-only, and reloading them.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { refreshCatalog } from './session.js';
import { Message } from './ui.jsx';
import { useCodes } from './fill/codes.js';
import { RightsMatrix } from './rights.jsx';

const { useState } = React;

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
      <RightsMatrix catalog={catalog} />
      <Definitions catalog={catalog} />
    </div>
  );
}

export const adminAllowed = (me) => hasRole(me, 'quality_admin');
