// A table definition as the designer edits it: the TOML text parsed into an object, edited, and
// written back by patching the original text, so the comments and layout the administrator (or
// the IT office, in git) kept survive every edit. The server checks and applies the text.

import { parse, patch } from '@decimalturn/toml-patch';

/** The field types a definition may use, in the words 质量部 knows. */
export const TYPES = [
  ['string', '文字'], ['text', '长文字'], ['int', '整数'], ['decimal', '数值（小数）'], ['bool', '是/否'],
  ['date', '日期'], ['year', '年份'], ['year_month', '年月'], ['enum', '单选（代码表）'],
  ['multi_enum', '多选（代码表）'], ['ref', '引用另一张表'], ['multi_ref', '多项引用'],
];

/** The properties of a field the form shows, in order; the rest are kept as they are. */
export const PROPS = ['name', 'label', 'type', 'required', 'codes', 'ref', 'unit', 'min', 'max', 'max_len',
  'scale', 'pattern', 'in_period', 'help'];

/** Reads a definition's text: `{ def }`, or `{ error }` in Chinese when it is not valid TOML. */
export function read(text) {
  try {
    const def = parse(text);
    if (!Array.isArray(def.fields)) def.fields = [];
    return { def };
  } catch (e) {
    return { error: `TOML 格式有误：${e.message}` };
  }
}

/** The definition written back into `text`, keeping what the edit did not touch. */
export function write(text, def) {
  return patch(text, clean(def));
}

// An emptied input means "not set": the key goes, rather than staying as "" or null.
function clean(def) {
  const out = { ...def, fields: def.fields.map((f) => {
    const g = {};
    for (const [k, v] of Object.entries(f)) if (v !== '' && v !== null && v !== undefined && v !== false) g[k] = v;
    if (f.required === false && 'required' in f) delete g.required;
    return g;
  }) };
  return out;
}

/** A new field with a name not yet used in `def`. */
export function newField(def) {
  const used = new Set(def.fields.map((f) => f.name));
  let n = def.fields.length + 1;
  while (used.has(`field_${n}`)) n += 1;
  return { name: `field_${n}`, label: '新字段', type: 'string' };
}

/** The field moved from `from` to `to` (indexes), as a new definition. */
export function move(def, from, to) {
  if (to < 0 || to >= def.fields.length) return def;
  const fields = [...def.fields];
  const [f] = fields.splice(from, 1);
  fields.splice(to, 0, f);
  return { ...def, fields };
}

/** Whether a field is part of the table's key (`key = [...]` names it). */
export function inKey(def, name) {
  return Array.isArray(def.key) && def.key.includes(name);
}

/** The definition with `name` in or out of its key. */
export function setKey(def, name, on) {
  const key = (def.key || []).filter((k) => k !== name);
  if (on) key.push(name);
  return { ...def, key };
}

/**
 * The check's problems by where they belong: `fields[3].type` goes to field 3, the rest to the
 * table. Each keeps its line, so the text view can point at it too.
 */
export function placeProblems(problems) {
  const byField = {};
  const table = [];
  for (const p of problems || []) {
    const m = /^fields\[(\d+)\]/.exec(p.key || '');
    if (m) (byField[Number(m[1])] = byField[Number(m[1])] || []).push(p);
    else table.push(p);
  }
  return { byField, table };
}

/** One problem in words: "第 12 行 fields[3].codes：…". */
export function problemText(p) {
  const where = [p.line ? `第 ${p.line} 行` : '', p.key].filter(Boolean).join(' ');
  return where ? `${where}：${p.message}` : p.message;
}

/** Every code list the catalog's fields use, sorted: the choices of a 代码表 select. */
export function codeListNames(catalog) {
  const names = new Set();
  for (const t of catalog) for (const f of t.fields) if (f.codes) names.add(f.codes);
  return [...names].sort();
}
