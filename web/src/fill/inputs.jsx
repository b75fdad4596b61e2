// One input per field type: text, numbers with min/max, date and year-month pickers, code lists
// (select, or searchable when long), multi-select, and reference lookups.

import { gql } from '../api.js';
import { getState } from '../state.js';
import { useCodes } from './codes.js';
import { Combobox } from './combobox.jsx';

const { useState } = React;

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

/** The input for one field. `labels` maps reference keys to display names. */
export function FieldInput({ table, field, value, onChange, id, describedBy, invalid, disabled, labels }) {
  const common = {
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
      return <input {...common} type="date" value={value ?? ''} onChange={(e) => text(e.target.value)} />;
    case 'year_month':
      return (
        <input {...common} type="month" placeholder="YYYY-MM" value={value ?? ''} onChange={(e) => text(e.target.value)} />
      );
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
