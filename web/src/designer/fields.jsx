// The designer's form over a table's fields: one box per field with the properties a field may
// have for its type, moved up and down, removed, added; the check's problems under the field
// they belong to.

import { TYPES, inKey, setKey, move, newField, problemText } from './model.js';

const { useId } = React;

const NUMERIC = new Set(['int', 'decimal', 'year']);
const CODED = new Set(['enum', 'multi_enum']);
const REF = new Set(['ref', 'multi_ref']);
const TEXT = new Set(['string', 'text']);
const DATED = new Set(['date', 'year_month', 'year']);

/** A number typed in a box: a number when it reads as one, else the text (the check says why). */
function numberOf(text) {
  if (text.trim() === '') return '';
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

function Input({ label, value, onChange, kind = 'text', hint }) {
  const id = useId();
  return (
    <div className="sd-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" inputMode={kind === 'number' ? 'decimal' : undefined} value={value ?? ''}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(kind === 'number' ? numberOf(e.target.value) : e.target.value)} />
      {hint && <p id={`${id}-hint`} className="sd-help">{hint}</p>}
    </div>
  );
}

function Check({ label, checked, onChange }) {
  return (
    <label className="sd-check"><input type="checkbox" checked={!!checked} onChange={(e) => onChange(e.target.checked)} /> {label}</label>
  );
}

function FieldBox({ def, index, field, codeLists, problems, onChange, onMove, onRemove }) {
  const id = useId();
  const set = (prop) => (value) => onChange({ ...field, [prop]: value });
  const type = field.type || 'string';
  return (
    <fieldset className={`sd-def-field${problems?.length ? ' sd-def-bad' : ''}`}>
      <legend>第 {index + 1} 个字段：{field.label || field.name}</legend>
      <div className="sd-def-grid">
        <Input label="字段名（英文，存储用）" value={field.name} onChange={set('name')}
          hint="小写字母、数字和下划线；已有数据的字段改名会被当作删除后新增。" />
        <Input label="标题（采集员看到的）" value={field.label} onChange={set('label')} />
        <div className="sd-field">
          <label htmlFor={`${id}-type`}>类型</label>
          <select id={`${id}-type`} value={type} onChange={(e) => set('type')(e.target.value)}>
            {TYPES.map(([v, words]) => <option key={v} value={v}>{words}</option>)}
          </select>
        </div>
        {CODED.has(type) && (
          <div className="sd-field">
            <label htmlFor={`${id}-codes`}>代码表</label>
            <select id={`${id}-codes`} value={field.codes || ''} onChange={(e) => set('codes')(e.target.value)}>
              <option value="">（请选择）</option>
              {[...new Set([...codeLists, field.codes].filter(Boolean))].map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </div>
        )}
        {REF.has(type) && (
          <Input label="引用（表.字段）" value={field.ref} onChange={set('ref')} hint="如 internal_teachers.teacher_no" />
        )}
        {NUMERIC.has(type) && <Input label="最小值" kind="number" value={field.min} onChange={set('min')} />}
        {NUMERIC.has(type) && <Input label="最大值" kind="number" value={field.max} onChange={set('max')} />}
        {type === 'decimal' && <Input label="小数位数" kind="number" value={field.scale} onChange={set('scale')} />}
        {NUMERIC.has(type) && <Input label="计量单位" value={field.unit} onChange={set('unit')} hint="如 万元、人、%" />}
        {TEXT.has(type) && <Input label="最大长度（字）" kind="number" value={field.max_len} onChange={set('max_len')} />}
        {TEXT.has(type) && <Input label="格式（正则表达式）" value={field.pattern} onChange={set('pattern')} />}
      </div>
      <div className="sd-toolbar">
        <Check label="必填" checked={field.required} onChange={set('required')} />
        <Check label="关键字段（同一单位内不重复）" checked={inKey(def, field.name)}
          onChange={(on) => onChange(field, setKey(def, field.name, on))} />
        {DATED.has(type) && <Check label="须在统计期内" checked={field.in_period} onChange={set('in_period')} />}
      </div>
      <div className="sd-field">
        <label htmlFor={`${id}-help`}>填写说明</label>
        <textarea id={`${id}-help`} rows={2} value={field.help || ''} onChange={(e) => set('help')(e.target.value)} />
      </div>
      {problems?.length > 0 && (
        <ul className="sd-problems" role="alert">{problems.map((p, i) => <li key={i}>{problemText(p)}</li>)}</ul>
      )}
      <div className="sd-actions">
        <button type="button" disabled={index === 0} onClick={() => onMove(index - 1)}>上移</button>
        <button type="button" onClick={() => onMove(index + 1)}>下移</button>
        <button type="button" className="sd-danger" onClick={onRemove}>删除此字段</button>
      </div>
    </fieldset>
  );
}

/** The fields of `def` as a form; `onDef` receives each edited definition. */
export function FieldsForm({ def, codeLists, byField, onDef }) {
  const change = (i) => (field, whole) => {
    const base = whole || def;
    const old = def.fields[i].name;
    let next = { ...base, fields: base.fields.map((f, j) => (j === i ? field : f)) };
    // A renamed field stays in the key under its new name.
    if (!whole && old !== field.name && inKey(def, old)) next = setKey(setKey(next, old, false), field.name, true);
    onDef(next);
  };
  const remove = (i) => {
    const name = def.fields[i].name;
    onDef(setKey({ ...def, fields: def.fields.filter((_, j) => j !== i) }, name, false));
  };
  return (
    <div>
      {def.fields.map((f, i) => (
        <FieldBox key={i} def={def} index={i} field={f} codeLists={codeLists} problems={byField[i]}
          onChange={change(i)} onMove={(to) => onDef(move(def, i, to))} onRemove={() => remove(i)} />
      ))}
      <button type="button" onClick={() => onDef({ ...def, fields: [...def.fields, newField(def)] })}>添加字段</button>
    </div>
  );
}
