// 管理 (质量部 admins): who fills and reviews what, changed through grantRight / revokeRight with
// the server's checks shown; the table definitions, read-only, and reloading them.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { refreshCatalog } from './session.js';
import { Message } from './ui.jsx';
import { RightsMatrix } from './rights.jsx';

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
        <select id="sd-right-table" value={table} onChange={(e) => setTable(e.target.value)}>
          <option value="">（选择）</option>
          {catalog.map((t) => <option key={t.code} value={t.code}>{t.code} {t.name}</option>)}
        </select>
        <label htmlFor="sd-right-unit">单位</label>
        <input id="sd-right-unit" list="sd-unit-list" value={unit} onChange={(e) => setUnit(e.target.value)} placeholder="单位名称，或“各院系”" />
        <datalist id="sd-unit-list">
          <option value="各院系" />
          {units.map((u) => <option key={u} value={u} />)}
        </datalist>
        <label htmlFor="sd-right-action">权限</label>
        <select id="sd-right-action" value={action} onChange={(e) => setAction(e.target.value)}>
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

function Definitions({ catalog }) {
  const [open, setOpen] = useState(null);
  const [result, setResult] = useState(null);
  const reload = async () => {
    setResult(null);
    try {
      const d = await gql('mutation { reloadDefinitions { version recorded createdTables addedColumns } }', {}, '重新载入表定义');
      const r = d.reloadDefinitions;
      const added = [...r.createdTables.map((t) => `新表 ${t}`), ...r.addedColumns.map((c) => `新字段 ${c}`)];
      setResult({
        kind: 'success',
        text: `已载入第 ${r.version} 版${r.recorded ? '（新版本）' : '（与数据库中的相同）'}${added.length ? '：' + added.join('、') : ''}`,
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
        修改请编辑服务器上的 table-defs/，运行 statusdata check 直到显示 ok，再点“重新载入表定义”（不必重启；
        新增表和字段立即可用，删除或改类型的修改会被拒绝，须停机后运行 statusdata migrate --allow-destructive）。
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
            <span className="sd-muted"> {KIND[t.kind] || t.kind} · {SCOPE[t.scope] || t.scope} · {t.fields.length} 个字段 · {t.listField}</span>
            {open === t.code && (
              <table className="sd-grid">
                <thead><tr><th scope="col">字段</th><th scope="col">名称</th><th scope="col">类型</th><th scope="col">必填</th><th scope="col">代码表/引用</th></tr></thead>
                <tbody>
                  {t.fields.map((f) => (
                    <tr key={f.name}><td>{f.name}</td><td>{f.label}</td><td>{f.type}</td><td>{f.required ? '是' : ''}</td><td>{f.codes || f.ref || ''}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
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
