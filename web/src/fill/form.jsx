// The form of one row, generated from the table's definition: required marks, help, an input per
// type, checks as typed, and the server's problems under their fields.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { Message } from '../ui.jsx';
import { checkField } from './checks.js';
import { FieldInput, lookupChoices } from './inputs.jsx';

const { useState, useEffect, useId, useRef } = React;

/** The GraphQL value of a form value. */
function toInput(field, v) {
  if (v === null || v === undefined || v === '') return null;
  if (field.type === 'int' || field.type === 'year') return Number.parseInt(v, 10);
  return v;
}

function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The field that copies the display name of a reference (chiefEditorNo → chiefEditorName,
 * company → companyName), as the server pairs them.
 */
function nameFieldOf(table, field) {
  if (field.type !== 'ref') return null;
  const base = field.name.replace(/(No|Code|Id)$/, '');
  return table.fields.find((f) => f.name === `${base}Name`) || null;
}

export function RowForm({ table, unit, row, readOnly, onSaved, onCancel, onReload }) {
  const [values, setValues] = useState(() => ({ ...(row || {}) }));
  const [touched, setTouched] = useState({});
  const [server, setServer] = useState({});
  const [error, setError] = useState(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const [labels, setLabels] = useState({});
  const [tried, setTried] = useState(false);
  const [failed, setFailed] = useState(0); // bumps after each refused save
  const formRef = useRef(null);
  const id = useId();
  // After a refused save the keyboard (and the screen reader) lands on the first field to fix.
  useEffect(() => {
    if (failed) formRef.current?.querySelector('[aria-invalid="true"]')?.focus();
  }, [failed]);

  // Names for the references already filled in (a teacher's 姓名 beside the 工号).
  useEffect(() => {
    setValues({ ...(row || {}) });
    table.fields.filter((f) => f.type === 'ref' || f.type === 'multi_ref').forEach((f) => {
      const v = row?.[f.name];
      const keys = Array.isArray(v) ? v : v ? [v] : [];
      if (keys.length) {
        lookupChoices(table.code, f.name, null, keys)
          .then((found) => setLabels((l) => ({ ...l, ...Object.fromEntries(found.map((o) => [o.value, o.label])) })))
          .catch(() => {});
      }
    });
  }, [row]);

  const set = (field, v, label) => {
    setValues((old) => {
      const next = { ...old, [field.name]: v };
      // Another teacher (or major) chosen: the copied name follows, whatever it was before;
      // a name typed by hand afterwards is kept, and the server warns when it differs.
      const nameField = label && nameFieldOf(table, field);
      if (nameField && v !== old[field.name]) {
        next[nameField.name] = label;
        setTouched((t) => ({ ...t, [nameField.name]: true }));
      }
      return next;
    });
    if (label) setLabels((l) => ({ ...l, [v]: label }));
    setTouched((t) => ({ ...t, [field.name]: true }));
    setServer((s) => ({ ...s, [field.name]: undefined }));
  };

  const save = async (e) => {
    e.preventDefault();
    setTried(true);
    setBusy(true);
    setError(null);
    setConflict(false);
    const input = {};
    for (const f of table.fields) {
      const v = toInput(f, values[f.name]);
      if (!row || !same(v, toInput(f, row[f.name]))) input[f.name] = v;
    }
    const cycle = getState().cycle;
    try {
      if (row) {
        const d = await gql(
          `mutation($id: ID!, $rowVersion: Int!, $patch: Update${table.typeName}Input!) { ${table.updateMutation}(id: $id, rowVersion: $rowVersion, patch: $patch) { id rowVersion } }`,
          { id: row.id, rowVersion: row.rowVersion, patch: input },
          `修改 ${table.code} 的一行`,
        );
        onSaved(d[table.updateMutation], '已保存');
      } else {
        const d = await gql(
          `mutation($input: Create${table.typeName}Input!, $cycle: Int, $unit: String) { ${table.createMutation}(input: $input, cycle: $cycle, unit: $unit) { id rowVersion } }`,
          { input, cycle, unit },
          `新增 ${table.code} 的一行`,
        );
        onSaved(d[table.createMutation], '已新增一行');
      }
      setServer({});
    } catch (err) {
      if (err.code === 'CONFLICT') setConflict(true);
      const byField = {};
      for (const p of err.problems || []) byField[p.field] = [...(byField[p.field] || []), p.message];
      setServer(byField);
      const count = (err.problems || []).length;
      setError(count ? `有 ${count} 处问题，请按字段下方的提示修改后再保存` : err.message);
      setFailed((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const problemOf = (f) => {
    const own = server[f.name];
    if (own?.length) return own.join('；');
    if (readOnly || !(touched[f.name] || tried)) return null;
    return checkField(f, values[f.name]);
  };
  const unplaced = Object.entries(server).filter(([k, v]) => v?.length && !table.fields.some((f) => f.name === k));

  return (
    <form ref={formRef} className="sd-form" onSubmit={save} aria-label={`${table.code} ${table.name} 的一行`} noValidate>
      <p className="sd-lead">
        {row ? (readOnly ? '查看一行' : '修改一行') : '新增一行'}。带 <span className="sd-req">*</span> 的为必填项。
      </p>
      {error && <Message kind="error">{conflict ? '已被他人修改，请刷新' : error}</Message>}
      {conflict && onReload && <button type="button" onClick={onReload}>刷新</button>}
      {unplaced.length > 0 && (
        <Message kind="error">{unplaced.map(([, v]) => v.join('；')).join('；')}</Message>
      )}
      <div className="sd-form-grid">
        {table.fields.map((f) => {
          const fid = `${id}-${f.name}`;
          const problem = problemOf(f);
          const wide = f.type === 'text' || f.type === 'multi_enum' || f.type === 'multi_ref';
          return (
            <div key={f.name} className={`sd-field${wide ? ' sd-wide' : ''}${problem ? ' sd-has-problem' : ''}`}>
              <div className="sd-label-row">
                <label id={`${fid}-label`} htmlFor={fid}>
                  {f.label}
                  {f.unit && <span className="sd-muted">（{f.unit}）</span>}
                </label>
                {/* The star stays outside the label so the field's name is just its label;
                    aria-required on the input tells screen readers instead. */}
                {f.required && <span className="sd-req" aria-hidden="true">*</span>}
              </div>
              <FieldInput table={table.code} field={f} value={values[f.name]} id={fid} labels={labels}
                describedBy={`${fid}-help ${fid}-problem`} invalid={!!problem} disabled={readOnly}
                onChange={(v, label) => set(f, v, label)} />
              {f.help && <div id={`${fid}-help`} className="sd-help">{f.help}</div>}
              <div id={`${fid}-problem`} className="sd-problem" aria-live="polite">{problem || ''}</div>
            </div>
          );
        })}
      </div>
      <div className="sd-actions sd-sticky">
        {!readOnly && <button type="submit" className="sd-primary" disabled={busy}>保存</button>}
        {onCancel && <button type="button" onClick={onCancel}>{readOnly ? '返回列表' : '取消'}</button>}
      </div>
    </form>
  );
}
