// The paged grid of a unit's rows: Chinese headers, code names instead of codes, search, and
// per-row 修改 / 删除.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { Message } from '../ui.jsx';
import { loadCodes } from './codes.js';
import { lookupChoices } from './inputs.jsx';
import { CommentMark } from '../comments.jsx';

const { useState, useEffect } = React;

export const PAGE = 20;

/** Reads one page of rows (all fields) of a unit, or of every unit when `unit` is null. */
export async function loadRows(table, unit, search, page, record = true) {
  const and = [];
  if (unit) and.push({ unit: { eq: unit } });
  const s = search.trim();
  if (s) {
    const text = table.fields.filter((f) => ['string', 'text', 'ref', 'enum'].includes(f.type));
    and.push({ or: text.map((f) => ({ [f.name]: { contains: s } })) });
  }
  const names = table.fields.map((f) => f.name).join(' ');
  const q = `query($cycle: Int, $filter: ${table.typeName}Filter, $first: Int, $offset: Int) {
  ${table.listField}(cycle: $cycle, filter: $filter, first: $first, offset: $offset) {
    totalCount nodes { id unit rowVersion ${names} } } }`;
  const d = await gql(q, { cycle: getState().cycle, filter: and.length ? { and } : null, first: PAGE, offset: page * PAGE },
    record ? `读取 ${table.code} ${table.name}` : null);
  return d[table.listField];
}

/** One row by id (a finding's 打开此行), or null when it is gone or out of reach. */
export async function loadRow(table, id) {
  const names = table.fields.map((f) => f.name).join(' ');
  const q = `query($cycle: Int, $filter: ${table.typeName}Filter) {
  ${table.listField}(cycle: $cycle, filter: $filter, first: 1) { nodes { id unit rowVersion ${names} } } }`;
  const d = await gql(q, { cycle: getState().cycle, filter: { id: { eq: id } } });
  return d[table.listField].nodes[0] || null;
}

/** Display names for the codes and references on a page. */
function useNames(table, rows) {
  const [names, setNames] = useState({});
  useEffect(() => {
    let live = true;
    const put = (field, pairs) => live && setNames((n) => ({ ...n, [field]: { ...(n[field] || {}), ...pairs } }));
    for (const f of table.fields) {
      if (f.codes) {
        loadCodes(f.codes).then((l) => put(f.name, Object.fromEntries(l.codes.map((c) => [c.code, c.name])))).catch(() => {});
      } else if (f.type === 'ref' && rows.length) {
        const keys = [...new Set(rows.map((r) => r[f.name]).filter(Boolean))];
        if (keys.length) {
          lookupChoices(table.code, f.name, null, keys)
            .then((found) => put(f.name, Object.fromEntries(found.map((o) => [o.value, o.label]))))
            .catch(() => {});
        }
      }
    }
    return () => {
      live = false;
    };
  }, [table, rows]);
  return names;
}

function cell(f, v, names) {
  if (v === null || v === undefined || v === '') return '';
  const n = names[f.name] || {};
  if (Array.isArray(v)) return v.map((x) => n[x] || x).join('、');
  if (f.type === 'bool') return v ? '是' : '否';
  if (f.codes || f.type === 'ref') return n[v] ? (f.type === 'ref' ? `${v} ${n[v]}` : n[v]) : v;
  return String(v);
}

export function RowGrid({ table, rows, total, page, setPage, editable, onOpen, onDeleted, unitNames }) {
  const names = useNames(table, rows);
  const [confirming, setConfirming] = useState(null);
  const [error, setError] = useState(null);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const remove = async (row) => {
    setError(null);
    try {
      await gql(`mutation($id: ID!) { ${table.deleteMutation}(id: $id) }`, { id: row.id }, `删除 ${table.code} 的一行`);
      setConfirming(null);
      onDeleted();
    } catch (e) {
      setError(e.message);
    }
  };
  const keyField = table.fields.find((f) => f.name === table.key[0]) || table.fields[0];
  return (
    <div>
      <Message kind="error">{error}</Message>
      <div className="sd-grid-wrap" tabIndex={0} role="region" aria-label={`${table.name}（可左右滚动）`}>
        <table className="sd-grid">
          <thead>
            <tr>
              <th scope="col">操作</th>
              {unitNames && <th scope="col">单位</th>}
              {table.fields.map((f) => <th key={f.name} scope="col">{f.label}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr><td colSpan={table.fields.length + 2} className="sd-muted">没有数据</td></tr>
            )}
            {rows.map((r) => (
              <tr key={r.id} aria-label={`第 ${r.id} 号行 ${cell(keyField, r[keyField.name], names)}`}>
                <td className="sd-row-actions">
                  <button type="button" onClick={() => onOpen(r)}>{editable ? '修改' : '查看'}</button>
                  <CommentMark table={table.code} unit={r.unit} rowId={r.id} />
                  {editable && confirming !== r.id && (
                    <button type="button" className="sd-danger" onClick={() => setConfirming(r.id)}>删除</button>
                  )}
                  {confirming === r.id && (
                    <span role="group" aria-label="确认删除">
                      <button type="button" className="sd-danger" onClick={() => remove(r)}>确认删除</button>
                      <button type="button" onClick={() => setConfirming(null)}>取消</button>
                    </span>
                  )}
                </td>
                {unitNames && <td>{unitNames[r.unit] || r.unit}</td>}
                {table.fields.map((f) => <td key={f.name}>{cell(f, r[f.name], names)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="sd-pager" aria-label="翻页">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>上一页</button>
        <span>第 {page + 1} / {pages} 页，共 {total} 行</span>
        <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>下一页</button>
      </nav>
    </div>
  );
}
