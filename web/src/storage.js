// What GraphiQL keeps in the browser (tabs, History, favourites) must never hold a password: an
// office PC is shared, and History is one click away for the next person. GraphiQL writes through
// the Storage object we hand it, so every write passes here first.

const NS = 'graphiql:';
// An operation that carries passwords: History must not keep it at all.
const SECRET_OP = /\b(login|changePassword)\s*\(/;
// Password arguments written into a query, and password keys in variables JSON.
const PASSWORD_ARG = /((?:old|new)?[Pp]assword\s*:\s*)"(?:[^"\\]|\\.)*"/g;
const PASSWORD_KEY = /("(?:old|new)?[Pp]assword"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
// The same test without the global flag: a /g regex keeps lastIndex between test() calls.
const HAS_PASSWORD_KEY = /"(?:old|new)?[Pp]assword"\s*:/;
const HISTORY_KEYS = new Set([`${NS}queries`, `${NS}favorites`]);
// Without a stored width the explorer opens at two thirds of the page, room for a form.
const DEFAULTS = { [`${NS}docExplorerFlex`]: '2' };

/** Replaces every password literal in a query or variables text. */
export function redact(text) {
  if (typeof text !== 'string') return text;
  return text.replace(PASSWORD_ARG, '$1"******"').replace(PASSWORD_KEY, '$1"******"');
}

function holdsSecret(item) {
  return SECRET_OP.test(item.query || '') || HAS_PASSWORD_KEY.test(item.variables || '');
}

function redactDeep(value) {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  }
  return value;
}

/** The value to store for `key`, or an Error when History would keep a password. */
function clean(key, value) {
  if (HISTORY_KEYS.has(key)) {
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
    const list = Object.values(parsed)[0] || [];
    if (list.some(holdsSecret)) return new Error('含密码的操作不记入历史记录');
    return value;
  }
  try {
    return JSON.stringify(redactDeep(JSON.parse(value)));
  } catch {
    return redact(value);
  }
}

/** The Storage GraphiQL is given. Throwing from setItem makes GraphiQL drop the History entry. */
export const guardedStorage = {
  getItem(key) {
    const v = localStorage.getItem(key);
    return v === null && key in DEFAULTS ? DEFAULTS[key] : v;
  },
  setItem(key, value) {
    const v = clean(key, value);
    if (v instanceof Error) throw v;
    localStorage.setItem(key, v);
  },
  removeItem(key) {
    localStorage.removeItem(key);
  },
  clear() {
    for (const k of Object.keys(localStorage)) if (k.startsWith(NS)) localStorage.removeItem(k);
  },
  get length() {
    return Object.keys(localStorage).filter((k) => k.startsWith(NS)).length;
  },
};

/** Removes passwords left by earlier versions of the page (stock GraphiQL kept them). */
export function sanitizeStoredState() {
  for (const key of Object.keys(localStorage)) {
    if (!key.startsWith(NS)) continue;
    const value = localStorage.getItem(key);
    if (HISTORY_KEYS.has(key)) {
      try {
        const parsed = JSON.parse(value);
        const name = Object.keys(parsed)[0];
        const kept = (parsed[name] || []).filter((item) => !holdsSecret(item));
        localStorage.setItem(key, JSON.stringify({ [name]: kept }));
      } catch {
        localStorage.removeItem(key);
      }
    } else {
      const v = clean(key, value);
      if (v !== value) localStorage.setItem(key, v);
    }
  }
}
