// The grid's cells: the shown text of a value (code names, 是/否, a teacher's name beside the
// 工号), and the editor of one cell — the form's input and checks, saved through the same update
// mutation, with the problem under the cell. Enter saves and goes down, Tab saves and goes right,
// Esc gives up the change.

import { gql } from '../api.js';
import { loadCodes } from './codes.js';
import { checkField } from './checks.js';
import { FieldInput, lookupChoices } from './inputs.jsx';

const { useState, useEffect, useRef } = React;

/** Types edited in the cell; the others (lookups, multiple choices) open the row's form. */
export const IN_CELL = new Set(['string', 'text', 'int', 'year', 'decimal', 'date', 'year_month', 'enum', 'bool']);

/** Display names for the codes and references on a page. */
export function useNames(table, rows) {
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

/** The text a cell shows. */
export function shown(f, v, names) {
  if (v === null || v === undefined || v === '') return '';
  const n = names[f.name] || {};
  if (Array.isArray(v)) return v.map((x) => n[x] || x).join('、');
  if (f.type === 'bool') return v ? '是' : '否';
  if (f.codes || f.type === 'ref') return n[v] ? (f.type === 'ref' ? `${v} ${n[v]}` : n[v]) : v;
  return String(v);
}

/** The GraphQL value of an edited value (as the form sends it). */
function toInput(field, v) {
  if (v === null || v === undefined || v === '') return null;
  if (field.type === 'int' || field.type === 'year') return Number.parseInt(v, 10);
  return v;
}

/** Saves one cell: the row as the server has it now, or throws with the cell's problem. */
async function saveCell(table, row, field, value) {
  const own = checkField(field, value);
  if (own) throw new Error(own);
  const names = table.fields.map((f) => f.name).join(' ');
  try {
    const d = await gql(
      `mutation($id: ID!, $rowVersion: Int!, $patch: Update${table.typeName}Input!) { ${table.updateMutation}(id: $id, rowVersion: $rowVersion, patch: $patch) { id unit rowVersion ${names} } }`,
      { id: row.id, rowVersion: row.rowVersion, patch: { [field.name]: toInput(field, value) } },
      `修改 ${table.code} 的一格`,
    );
    return d[table.updateMutation];
  } catch (e) {
    const mine = (e.problems || []).filter((p) => p.field === field.name).map((p) => p.message);
    const rest = (e.problems || []).filter((p) => p.field !== field.name).map((p) => p.message);
    throw new Error([...mine, ...rest].join('；') || e.message);
  }
}

/**
 * The editor inside a cell. `start` is the text typed to begin editing (replacing the value),
 * or null to edit the value. `onDone(saved, move)` after a save ('down', 'right', 'left');
 * `onCancel` on Esc.
 */
export function CellEditor({ table, row, field, start, onDone, onCancel }) {
  const [value, setValue] = useState(start ?? row[field.name] ?? null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const box = useRef(null);
  const id = `sd-cell-${row.id}-${field.name}`;
  useEffect(() => {
    const input = box.current?.querySelector('input, select, textarea');
    input?.focus();
    if (start === null && input?.select) input.select();
  }, []);
  const commit = async (move) => {
    if (busy) return;
    const before = row[field.name] ?? null;
    if (JSON.stringify(toInput(field, value)) === JSON.stringify(toInput(field, before))) {
      onDone(null, move);
      return;
    }
    setBusy(true);
    try {
      const saved = await saveCell(table, row, field, value);
      onDone(saved, move);
    } catch (e) {
      setProblem(e.message);
      setBusy(false);
      box.current?.querySelector('input, select, textarea')?.focus();
    }
  };
  const keys = (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      e.stopPropagation();
      commit('down');
    } else if (e.key === 'Tab') {
      e.preventDefault();
      e.stopPropagation();
      commit(e.shiftKey ? 'left' : 'right');
    }
  };
  return (
    <div ref={box} className="sd-cell-editor" onKeyDown={keys}>
      <FieldInput table={table.code} field={field} value={value} id={id} labels={{}}
        describedBy={`${id}-problem`} invalid={!!problem} disabled={busy}
        onChange={(v) => {
          setValue(v);
          setProblem(null);
        }} />
      {problem && <div id={`${id}-problem`} className="sd-problem sd-cell-problem" role="alert">{problem}</div>}
    </div>
  );
}
