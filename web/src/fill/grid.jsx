// The paged grid of a unit's rows, as in a spreadsheet: Chinese headers, code names instead of
// codes, the key column and the header frozen, editing in the cell (Enter/Tab/Esc), rows pasted
// from Excel/WPS, a column chooser, page size and jump, and bulk delete of the selected rows.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { Message } from '../ui.jsx';
import { askConfirm } from '../dialog.jsx';
import { useNames, shown, CellEditor, IN_CELL } from './cells.jsx';
import { ColumnChooser, Pager, useHidden } from './gridbar.jsx';
import { PasteBox } from './pastebox.jsx';
import { parseTsv, mapColumns } from './paste.js';
import { CommentMark } from '../comments.jsx';

const { useState, useEffect, useRef } = React;

export const PAGE = 20;

/**
 * Reads one page of rows (all fields) of a unit, or of every unit when `unit` is null; only the
 * rows `ids` when given (只看有问题的行).
 */
export async function loadRows(table, unit, search, page, record = true, size = PAGE, ids = null) {
  const and = [];
  if (unit) and.push({ unit: { eq: unit } });
  if (ids) and.push({ id: { in: ids.length ? ids : ['0'] } });
  const s = search.trim();
  if (s) {
    const text = table.fields.filter((f) => ['string', 'text', 'ref', 'enum'].includes(f.type));
    and.push({ or: text.map((f) => ({ [f.name]: { contains: s } })) });
  }
  const names = table.fields.map((f) => f.name).join(' ');
  const q = `query($cycle: Int, $filter: ${table.typeName}Filter, $first: Int, $offset: Int) {
  ${table.listField}(cycle: $cycle, filter: $filter, first: $first, offset: $offset) {
    totalCount nodes { id unit rowVersion ${names} } } }`;
  const d = await gql(q, { cycle: getState().cycle, filter: and.length ? { and } : null, first: size, offset: page * size },
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

// Widths of the frozen columns: each one's `left` is the sum of those before it.
const SEL = 36;
const ACT = 112;
const KEY = 150;

function frozen(left, width) {
  return { left, width, minWidth: width, maxWidth: width };
}

const MOVES = { ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1], down: [1, 0], right: [0, 1], left: [0, -1] };

/** Bulk delete of the selected rows, after saying how many and that it cannot be undone. */
async function deleteSelected(table, ids) {
  const ok = await askConfirm({
    title: `删除选中的 ${ids.length} 行？`,
    body: `将从“${table.code} ${table.name}”删除选中的 ${ids.length} 行。删除后不能撤销；如需恢复，只能重新录入或导入。`,
    confirm: `删除 ${ids.length} 行`,
    danger: true,
  });
  if (!ok) return null;
  const d = await gql('mutation($table: String!, $ids: [ID!]!) { deleteRows(table: $table, ids: $ids) { deleted message } }',
    { table: table.code, ids }, `删除 ${table.code} 的 ${ids.length} 行`);
  return d.deleteRows.message;
}

export function RowGrid({
  table, unit, rows, total, page, setPage, size, setSize, editable, onOpen, onDeleted, onSaved, onPasted,
  unitNames, checks, rowMarker,
}) {
  const names = useNames(table, rows);
  const [hidden, setHidden] = useHidden(table);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(() => new Set());
  const [active, setActive] = useState(null); // { r, c } of the selected cell
  const [editing, setEditing] = useState(null); // { start } while the active cell is edited
  const [pasted, setPasted] = useState(null); // { columns, rows } of a paste under review
  const tableRef = useRef(null);
  const pages = Math.max(1, Math.ceil(total / size));
  const keyName = table.key[0] || table.fields[0].name;
  const keyField = table.fields.find((f) => f.name === keyName) || table.fields[0];
  const fields = [keyField, ...table.fields.filter((f) => f !== keyField && !hidden.includes(f.name))];
  useEffect(() => {
    setSelected(new Set());
    setActive(null);
    setEditing(null);
  }, [table, page, size]);
  useEffect(() => {
    if (!active || editing) return;
    tableRef.current?.querySelector(`[data-cell="${active.r}-${active.c}"]`)?.focus();
  }, [active, editing]);

  const problems = {};
  for (const c of checks || []) {
    if (!c.rowId) continue;
    const p = (problems[c.rowId] ||= {});
    p[c.field || keyName] = [...(p[c.field || keyName] || []), c];
  }
  const move = (dr, dc) => {
    if (!active) return;
    setActive({ r: Math.min(Math.max(active.r + dr, 0), rows.length - 1), c: Math.min(Math.max(active.c + dc, 0), fields.length - 1) });
  };
  const cellKeys = (e, r, c) => {
    if (editing) return;
    const f = fields[c];
    if (MOVES[e.key]) {
      e.preventDefault();
      move(...MOVES[e.key]);
    } else if (e.key === 'Enter' || e.key === 'F2') {
      e.preventDefault();
      if (editable && IN_CELL.has(f.type)) setEditing({ start: null });
      else onOpen(rows[r]);
    } else if (editable && IN_CELL.has(f.type) && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey
      && !['enum', 'bool'].includes(f.type)) {
      e.preventDefault();
      setEditing({ start: e.key });
    }
  };
  const onPaste = (e) => {
    if (!editable || editing || pasted || e.target.closest('.sd-paste')) return;
    const text = e.clipboardData?.getData('text/plain') || '';
    const grid = parseTsv(text);
    if (!grid.length || (grid.length === 1 && grid[0].length < 2)) return;
    e.preventDefault();
    setPasted(mapColumns(grid, table.fields, fields));
  };
  // Asked in the page's one confirmation dialog: a 确认删除 inside the frozen 操作 column did not
  // fit its width and the next frozen column covered it.
  const remove = async (row) => {
    setError(null);
    const ok = await askConfirm({
      title: '删除这一行？',
      body: `将从“${table.code} ${table.name}”删除“${shown(keyField, row[keyName], names)}”这一行。删除后不能撤销；如需恢复，只能重新录入或导入。`,
      confirm: '删除',
      danger: true,
    });
    if (!ok) return;
    try {
      await gql(`mutation($id: ID!) { ${table.deleteMutation}(id: $id) }`, { id: row.id }, `删除 ${table.code} 的一行`);
      onDeleted('已删除一行');
    } catch (e) {
      setError(e.message);
    }
  };
  const removeSelected = async () => {
    setError(null);
    try {
      const message = await deleteSelected(table, [...selected]);
      if (message) {
        setSelected(new Set());
        onDeleted(message);
      }
    } catch (e) {
      setError(e.message);
    }
  };
  const toggle = (id) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const lefts = { sel: 0, act: editable ? SEL : 0, key: (editable ? SEL : 0) + ACT };

  return (
    <div onPaste={onPaste}>
      <Message kind="error">{error}</Message>
      <div className="sd-toolbar sd-grid-bar">
        <ColumnChooser table={table} hidden={hidden} setHidden={setHidden} />
        {editable && (
          <span className="sd-muted sd-grid-hint">
            单击选中格，回车或直接输入即可修改；在 Excel/WPS 中复制若干行后，在表格中按 Ctrl+V 粘贴
          </span>
        )}
        {editable && selected.size > 0 && (
          <button type="button" className="sd-danger" onClick={removeSelected}>删除选中的 {selected.size} 行</button>
        )}
      </div>
      {pasted && (
        <PasteBox table={table} unit={unit} columns={pasted.columns} rows={pasted.data}
          onClose={() => setPasted(null)}
          onSaved={(m) => {
            setPasted(null);
            onPasted(m);
          }} />
      )}
      <div className="sd-grid-wrap" tabIndex={0} role="region" aria-label={`${table.name}（可左右滚动）`}>
        <table className="sd-grid sd-grid-frozen" ref={tableRef}>
          <thead>
            <tr>
              {editable && (
                <th scope="col" className="sd-freeze" style={frozen(lefts.sel, SEL)}>
                  <input type="checkbox" aria-label="选择本页全部行" checked={allOnPage}
                    onChange={() => setSelected(allOnPage ? new Set() : new Set(rows.map((r) => r.id)))} />
                </th>
              )}
              <th scope="col" className="sd-freeze" style={frozen(lefts.act, ACT)}>操作</th>
              {fields.map((f, c) => (
                <th key={f.name} scope="col" className={c === 0 ? 'sd-freeze sd-freeze-last' : ''}
                  style={c === 0 ? frozen(lefts.key, KEY) : undefined}>{f.label}</th>
              ))}
              {unitNames && <th scope="col">单位</th>}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr><td colSpan={fields.length + 3} className="sd-muted">没有数据</td></tr>
            )}
            {rows.map((row, r) => (
              <tr key={row.id} aria-label={`第 ${row.id} 号行 ${shown(keyField, row[keyName], names)}`}
                className={selected.has(row.id) ? 'sd-row-selected' : ''}>
                {editable && (
                  <td className="sd-freeze" style={frozen(lefts.sel, SEL)}>
                    <input type="checkbox" aria-label={`选择 ${shown(keyField, row[keyName], names)}`}
                      checked={selected.has(row.id)} onChange={() => toggle(row.id)} />
                  </td>
                )}
                <td className="sd-row-actions sd-freeze" style={frozen(lefts.act, ACT)}>
                  <button type="button" onClick={() => onOpen(row)}>{editable ? '修改' : '查看'}</button>
                  <CommentMark table={table.code} unit={row.unit} rowId={row.id} />
                  {editable && (
                    <button type="button" className="sd-danger" onClick={() => remove(row)}>删除</button>
                  )}
                  {/* A spot for a row's own marker (a comment on the row), kept clear here. */}
                  {rowMarker && rowMarker(row)}
                </td>
                {fields.map((f, c) => {
                  const here = active && active.r === r && active.c === c;
                  const found = problems[row.id]?.[f.name];
                  const bad = found?.some((x) => x.severity === 'error') ? 'sd-cell-bad' : found ? 'sd-cell-warn' : '';
                  const cls = [c === 0 ? 'sd-freeze sd-freeze-last' : '', here ? 'sd-cell-active' : '', bad].filter(Boolean).join(' ');
                  return (
                    <td key={f.name} className={cls || undefined} style={c === 0 ? frozen(lefts.key, KEY) : undefined}
                      tabIndex={here ? 0 : -1} data-cell={`${r}-${c}`} title={found ? found.map((x) => x.message).join('\n') : undefined}
                      onClick={() => !(here && editing) && setActive({ r, c })}
                      onDoubleClick={() => editable && IN_CELL.has(f.type) && setEditing({ start: null })}
                      onKeyDown={(e) => cellKeys(e, r, c)}>
                      {here && editing ? (
                        <CellEditor table={table} row={row} field={f} start={editing.start}
                          onCancel={() => setEditing(null)}
                          onDone={(saved, to) => {
                            setEditing(null);
                            if (saved) onSaved(saved);
                            if (MOVES[to]) move(...MOVES[to]);
                          }} />
                      ) : shown(f, row[f.name], names)}
                    </td>
                  );
                })}
                {unitNames && <td>{unitNames[row.unit] || row.unit}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} pages={pages} total={total} size={size} setPage={setPage} setSize={(n) => { setSize(n); setPage(0); }} />
    </div>
  );
}
