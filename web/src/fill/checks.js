// Field checks run as the user types, mirroring the server's field rules (required, length,
// pattern, range, check digits). The server stays the judge: its problems are shown too.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function isIsbn(text) {
  const s = text.replace(/[- ]/g, '');
  if (/^\d{13}$/.test(s)) {
    const sum = [...s.slice(0, 12)].reduce((a, d, i) => a + Number(d) * (i % 2 ? 3 : 1), 0);
    return (10 - (sum % 10)) % 10 === Number(s[12]);
  }
  if (/^\d{9}[\dXx]$/.test(s)) {
    const sum = [...s].reduce((a, c, i) => a + (c === 'X' || c === 'x' ? 10 : Number(c)) * (10 - i), 0);
    return sum % 11 === 0;
  }
  return false;
}

function isGb11643(id) {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  const sum = [...id.slice(0, 17)].reduce((a, d, i) => a + Number(d) * ID_WEIGHTS[i], 0);
  return ID_CHECK[sum % 11] === id[17].toUpperCase();
}

function isGb32100(code) {
  if (code.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARS.indexOf(code[i]);
    if (v < 0) return false;
    sum += v * USCC_WEIGHTS[i];
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31] === code[17];
}

const FORMATS = {
  isbn: [isIsbn, 'ISBN 校验位不正确，请核对书号'],
  gb11643: [isGb11643, '身份证号码不正确（应为 18 位，校验位须正确）'],
  gb32100: [isGb32100, '统一社会信用代码不正确（应为 18 位，校验位须正确）'],
  mobile: [(s) => /^1[3-9]\d{9}$/.test(s), '手机号码应为 11 位数字'],
  phone: [(s) => /^0\d{2,3}-?\d{7,8}$/.test(s), '电话号码应含区号，如 0371-68765432'],
  email: [(s) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s), '电子邮箱格式不正确'],
  url: [(s) => /^https?:\/\/\S+$/.test(s), '网址应以 http:// 或 https:// 开头'],
  issn: [(s) => /^\d{4}-?\d{3}[\dXx]$/.test(s), 'ISSN 格式应为 1234-567X'],
  gb2260: [(s) => /^\d{6}$/.test(s), '行政区划代码应为 6 位数字'],
};

function compilePattern(p) {
  try {
    return new RegExp(p.replace(/\\A/g, '^').replace(/\\z/g, '$'), 'u');
  } catch {
    return null;
  }
}

function isEmpty(v) {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

/** The problem of one field's value, in Chinese, or null. */
export function checkField(field, value) {
  const label = field.label;
  if (isEmpty(value)) return field.required ? `${label}：必填` : null;
  const text = String(value);
  if (field.maxLen && typeof value === 'string' && [...value].length > field.maxLen) {
    return `${label}：最多 ${field.maxLen} 个字`;
  }
  if (field.type === 'int' || field.type === 'year') {
    if (!/^-?\d+$/.test(text)) return `${label}：应为整数`;
  }
  if (field.type === 'decimal' && !/^-?\d+(\.\d+)?$/.test(text)) return `${label}：应为数字，如 12.50`;
  if (['int', 'year', 'decimal'].includes(field.type)) {
    const n = Number(text);
    if (field.min !== null && field.min !== undefined && n < Number(field.min)) return `${label}：不能小于 ${field.min}`;
    if (field.max !== null && field.max !== undefined && n > Number(field.max)) return `${label}：不能大于 ${field.max}`;
  }
  // Dates and year-months are typed as Excel users type them (2023.5, 202305): the server reads
  // them (TypedInput shows its reading), so no copy of its rules here.
  if (field.pattern && typeof value === 'string') {
    const re = compilePattern(field.pattern);
    if (re && !re.test(value)) {
      return field.format && FORMATS[field.format] ? `${label}：${FORMATS[field.format][1]}` : `${label}：格式不正确`;
    }
  }
  if (field.format && FORMATS[field.format] && typeof value === 'string') {
    const [ok, msg] = FORMATS[field.format];
    if (!ok(value)) return `${label}：${msg}`;
  }
  return null;
}
