// Rows copied from Excel/WPS arrive as tab-separated text: a header line (when the user copied
// it) maps columns by label, otherwise the columns fill the grid's visible columns in order.
// Each cell is read the way a person wrote it (code names, 是/否; dates as typed, read by the server) into the field's
// value; what cannot be read is a problem of that cell, and the server judges the rest.

import { checkField } from './checks.js';

/** Splits clipboard text into rows of cells (quoted cells may hold tabs and line breaks). */
export function parseTsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  const src = text.replace(/\r\n?/g, '\n');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === '\t') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

/** The fields the columns of `rows` hold, and the data rows (without a header line). */
export function mapColumns(rows, fields, visible) {
  const first = rows[0] || [];
  const byLabel = (c) => fields.find((f) => f.label === c.trim().replace(/[*＊]$/, '') || f.name === c.trim());
  const named = first.map(byLabel);
  if (first.length && named.filter(Boolean).length >= Math.ceil(first.length / 2)) {
    return { columns: named, data: rows.slice(1) };
  }
  return { columns: first.map((_, i) => visible[i] || null), data: rows };
}

function code(list, text) {
  if (!list) return { value: text };
  const c = list.codes.find((x) => x.code === text || x.name === text || `${x.code} ${x.name}` === text);
  return c ? { value: c.code } : { value: text, problem: `“${text}”不在可选项中` };
}

/**
 * One cell's text as the field's value: { value } or { value, problem } (the problem in
 * Chinese, naming the field). `codes` maps a code list's name to its loaded list.
 */
export function readCell(field, raw, codes) {
  const text = (raw ?? '').trim();
  if (text === '') return { value: null, problem: checkField(field, null) };
  let out;
  switch (field.type) {
    case 'int':
    case 'year':
      out = /^-?\d+$/.test(text.replace(/,/g, '')) ? { value: Number.parseInt(text.replace(/,/g, ''), 10) } : { value: text, problem: '应为整数' };
      break;
    case 'decimal':
      out = { value: text.replace(/,/g, '') };
      break;
    case 'bool':
      out = ['是', 'true', '1', 'Y', 'y'].includes(text) ? { value: true }
        : ['否', 'false', '0', 'N', 'n'].includes(text) ? { value: false } : { value: text, problem: '应为“是”或“否”' };
      break;
    // Dates and year-months go as typed (2023.5, 202305, 2023年5月): the server reads them by the
    // same rules as a save and names the cell it cannot read.
    case 'enum':
      out = code(codes[field.codes], text);
      break;
    case 'multi_enum': {
      const parts = text.split(/[、,，;；]\s*/).filter(Boolean).map((t) => code(codes[field.codes], t.trim()));
      const bad = parts.find((p) => p.problem);
      out = { value: parts.map((p) => p.value), problem: bad?.problem };
      break;
    }
    case 'multi_ref':
      out = { value: text.split(/[、,，;；]\s*/).filter(Boolean).map((t) => t.trim().split(/\s+/)[0]) };
      break;
    case 'ref':
      // "T00001 王芳" as the grid shows a reference: the key is the first word.
      out = { value: text.split(/\s+/)[0] };
      break;
    default:
      out = { value: text };
  }
  if (out.problem) return { value: out.value, problem: `${field.label}：${out.problem}` };
  return { value: out.value, problem: checkField(field, out.value) };
}

/** A value as the text of a cell being edited in the paste preview. */
export function cellText(field, v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join('、');
  if (field.type === 'bool') return v === true ? '是' : v === false ? '否' : String(v);
  return String(v);
}
