// One input per field type: text, numbers with min/max, dates and year-months typed as Excel
// users type them (read by the server, never by a copy of its rules here), code lists (select, or
// searchable when long), multi-select, and reference lookups. The form and the grid's cell editor
// both use FieldInput.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { useCodes } from './codes.js';
import { Combobox } from './combobox.jsx';

const { useState, useId } = React;

// Up to this many codes a native <select> is quicker than searching.
const SHORT_LIST = 25;

function matches(c, text) {
  const t = text.trim();
  return !t || c.code.includes(t) || c.name.includes(t);
}

function CodeInput({ field, value, onChange, common }) {
  const list = useCodes(field.codes);
  if (!list) return <input {...common} disabled value="正在读取选项…" />;
  if (list.codes.length <= SHORT_LIST) {
    return (
      <select {...common} value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">（请选择）</option>
        {list.codes.map((c) => (
          <option key={c.code} value={c.code}>{c.code} {c.name}</option>
        ))}
      </select>
    );
  }
  const current = list.codes.find((c) => c.code === value);
  return (
    <Combobox {...common} shown={value ? `${value} ${current ? current.name : ''}` : ''}
      search={(t) => list.codes.filter((c) => matches(c, t)).slice(0, 50).map((c) => ({ value: c.code, label: c.name }))}
      onPick={(o) => onChange(o.value)} />
  );
}

function MultiCodeInput({ field, value, onChange, common }) {
  const list = useCodes(field.codes);
  const chosen = value || [];
  if (!list) return <p className="sd-muted">正在读取选项…</p>;
  const toggle = (code) =>
    onChange(chosen.includes(code) ? chosen.filter((c) => c !== code) : [...chosen, code]);
  if (list.codes.length <= SHORT_LIST) {
    return (
      <div className="sd-checks" role="group" aria-labelledby={`${common.id}-label`}>
        {list.codes.map((c) => (
          <label key={c.code} className="sd-check">
            <input type="checkbox" checked={chosen.includes(c.code)} onChange={() => toggle(c.code)} />
            {c.name}
          </label>
        ))}
      </div>
    );
  }
  const name = (code) => list.codes.find((c) => c.code === code)?.name || '';
  return (
    <Chips chosen={chosen} name={name} onRemove={toggle}>
      <Combobox {...common} shown="" placeholder="输入文字搜索，选中即添加"
        search={(t) => list.codes.filter((c) => matches(c, t) && !chosen.includes(c.code)).slice(0, 50)
          .map((c) => ({ value: c.code, label: c.name }))}
        onPick={(o) => toggle(o.value)} />
    </Chips>
  );
}

function Chips({ chosen, name, onRemove, children }) {
  return (
    <div className="sd-chips">
      {chosen.map((c) => (
        <span key={c} className="sd-chip">
          {c} {name(c)}
          <button type="button" aria-label={`移除 ${c} ${name(c)}`} onClick={() => onRemove(c)}>×</button>
        </span>
      ))}
      {children}
    </div>
  );
}

/** Searches the referenced table through `lookup` (key and display name only). */
export async function lookupChoices(table, field, search, values) {
  const { lookup } = await gql(
    'query($table: String!, $field: String!, $search: String, $values: [String!], $cycle: Int) { lookup(table: $table, field: $field, search: $search, values: $values, cycle: $cycle) { value label table } }',
    { table, field, search: search || null, values: values || null, cycle: getState().cycle },
  );
  return lookup;
}

function RefInput({ table, field, value, labels, onChange, common }) {
  const label = labels[value];
  return (
    <Combobox {...common} shown={value ? `${value}${label ? ` ${label}` : ''}` : ''}
      placeholder="输入工号、代码或名称搜索"
      search={(t) => lookupChoices(table, field.name, t)}
      onPick={(o) => onChange(o.value, o.label)} />
  );
}

function MultiRefInput({ table, field, value, labels, onChange, common }) {
  const chosen = value || [];
  const [names, setNames] = useState({});
  const name = (c) => names[c] || labels[c] || '';
  return (
    <Chips chosen={chosen} name={name} onRemove={(c) => onChange(chosen.filter((x) => x !== c))}>
      <Combobox {...common} shown="" placeholder="输入代码或名称搜索，选中即添加"
        search={async (t) => (await lookupChoices(table, field.name, t)).filter((o) => !chosen.includes(o.value))}
        onPick={(o) => {
          setNames({ ...names, [o.value]: o.label });
          onChange([...chosen, o.value], o.label);
        }} />
    </Chips>
  );
}

/** What the server makes of `text` for a field when saving: { value, message }. */
export async function normalizeValue(table, field, text) {
  const d = await gql(
    'query($t: String!, $f: String!, $x: String!) { normalizeValue(table: $t, field: $f, text: $x) { value message } }',
    { t: table, f: field, x: text },
  );
  return d.normalizeValue;
}

const TYPED_HINT = {
  date: '如 2023-05-01、2023.5.1、20230501',
  year_month: '如 2023-05、2023.5、202305',
};

/**
 * A date or year-month as text, in the forms Excel users type (2023.5, 202305, 2023年5月). The
 * typed text is what is saved (the server reads it); on leaving the field the server's reading
 * shows beside it: "= 2023-05", or the reason it cannot be read.
 */
export function TypedInput({ table, field, value, onChange, common }) {
  const [note, setNote] = useState(null);
  const noteId = `${useId()}-reading`;
  const read = async (e) => {
    const typed = e.target.value.trim();
    if (!typed) return setNote(null);
    try {
      const r = await normalizeValue(table, field.name, typed);
      if (r.message) setNote({ problem: true, text: r.message });
      else setNote(r.value && r.value !== typed ? { problem: false, text: `= ${r.value}` } : null);
    } catch {
      setNote(null);
    }
  };
  const describedBy = [common['aria-describedby'], noteId].filter(Boolean).join(' ');
  return (
    <span className="sd-typed">
      <input {...common} type="text" autoComplete="off" placeholder={TYPED_HINT[field.type]}
        aria-describedby={describedBy} value={value ?? ''} onBlur={read}
        onChange={(e) => {
          setNote(null);
          onChange(e.target.value === '' ? null : e.target.value);
        }} />
      <span id={noteId} className={note?.problem ? 'sd-problem' : 'sd-help'} style={{ display: 'block' }}
        aria-live="polite">{note?.text || ''}</span>
    </span>
  );
}

/**
 * The input for one field. `labels` maps reference keys to display names; `inputProps` (e.g.
 * autoFocus, onKeyDown for a cell editor) go on the input element.
 */
export function FieldInput({ table, field, value, onChange, id, describedBy, invalid, disabled, labels, inputProps }) {
  const common = {
    ...(inputProps || {}),
    id,
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    'aria-required': field.required || undefined,
    disabled,
  };
  const text = (v) => onChange(v === '' ? null : v);
  switch (field.type) {
    case 'text':
      return <textarea {...common} rows={3} value={value ?? ''} onChange={(e) => text(e.target.value)} />;
    case 'int':
    case 'year':
      return (
        <input {...common} type="number" step="1" min={field.min ?? undefined} max={field.max ?? undefined}
          value={value ?? ''} onChange={(e) => text(e.target.value)} />
      );
    case 'decimal':
      return <input {...common} inputMode="decimal" value={value ?? ''} onChange={(e) => text(e.target.value.trim())} />;
    case 'date':
    case 'year_month':
      return <TypedInput table={table} field={field} value={value} onChange={onChange} common={common} />;
    case 'bool':
      return (
        <select {...common} value={value === true ? 'true' : value === false ? 'false' : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'true')}>
          <option value="">（请选择）</option>
          <option value="true">是</option>
          <option value="false">否</option>
        </select>
      );
    case 'enum':
      return disabled ? <input {...common} value={value ?? ''} readOnly /> : <CodeInput field={field} value={value} onChange={onChange} common={common} />;
    case 'multi_enum':
      return <MultiCodeInput field={field} value={value} onChange={onChange} common={common} />;
    case 'ref':
      return <RefInput table={table} field={field} value={value} labels={labels} onChange={onChange} common={common} />;
    case 'multi_ref':
      return <MultiRefInput table={table} field={field} value={value} labels={labels} onChange={onChange} common={common} />;
    default:
      return <input {...common} value={value ?? ''} onChange={(e) => text(e.target.value)} />;
  }
}
