// Talks to the server: GraphQL on /graphql and the Excel routes, always same-origin with the
// session cookie. Every operation a form runs is remembered (passwords masked) for 查看 GraphQL.

import { getState, setState } from './state.js';

/** An error the server answered, with its contract code and validation problems. */
export class ApiError extends Error {
  constructor(message, code, problems = []) {
    super(message);
    this.code = code;
    this.problems = problems;
  }
}

const MESSAGES = {
  UNAUTHENTICATED: '登录已过期，请重新登录',
  FORBIDDEN: '没有权限',
  CONFLICT: '已被他人修改，请刷新',
  LOCKED: '本表已提交或已锁定，不能修改',
  DEADLINE_PASSED: '已过截止日期，不能修改',
  INTERNAL: '服务器内部错误，请稍后再试或联系质量部',
};

function messageOf(err) {
  const code = err.extensions?.code;
  // The server's own words when it gives them in Chinese (a conflict says what stands in the way:
  // a newer version, the review period, an open comment); the generic line only for English.
  const english = /^[\x00-\x7f]*$/.test(err.message || '');
  if (english && MESSAGES[code]) return MESSAGES[code];
  // GraphQL's own messages (parse, unknown field) are English: say what kind of error it is.
  if (english && err.message) return `请求有误（${err.message}）`;
  return err.message || MESSAGES[code] || '请求失败';
}

function mask(variables) {
  const out = {};
  for (const [k, v] of Object.entries(variables || {})) out[k] = /password/i.test(k) ? '******' : v;
  return out;
}

/** Notes that the session ended: panels ask for the password again and keep their input. */
function sessionEnded() {
  const s = getState();
  if (s.phase === 'ready') setState({ expired: true });
  else setState({ phase: 'login' });
}

/**
 * Runs a GraphQL operation. `title` names it for 查看 GraphQL (omit for background reads).
 */
export async function gql(query, variables = {}, title = null) {
  if (title) setState({ lastOp: { title, query: query.trim(), variables: mask(variables) } });
  let res;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('无法连接服务器，请检查网络', 'NETWORK');
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`服务器返回 ${res.status}`, 'HTTP');
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    const code = e.extensions?.code || 'BAD_REQUEST';
    if (code === 'UNAUTHENTICATED') sessionEnded();
    if (code === 'PASSWORD_CHANGE_REQUIRED') setState({ phase: 'change' });
    throw new ApiError(messageOf(e), code, e.extensions?.problems || []);
  }
  return body.data;
}

/** Uploads an Excel file for import; answers the server's JSON report. */
export async function importExcel(cycle, table, unit, file, { dryRun, replace, allowEmpty }) {
  const params = new URLSearchParams({ dryRun: String(dryRun) });
  if (unit) params.set('unit', unit);
  if (replace) params.set('mode', 'replace');
  if (replace && allowEmpty) params.set('allowEmpty', 'true');
  const form = new FormData();
  form.append('file', file);
  const url = `/import/${cycle}/${encodeURIComponent(table)}?${params}`;
  setState({
    lastOp: {
      title: '导入 Excel',
      query: `# 导入 Excel 走 HTTP 接口，不经 GraphQL：\n# POST ${url}\n# 表单字段 file = 所选的 .xlsx 文件；dryRun=true 只检查不写入\n{ myTasks(cycle: ${cycle}) { table unit state rowCount } }`,
      variables: {},
    },
  });
  const res = await fetch(url, { method: 'POST', body: form, credentials: 'same-origin' });
  if (res.status === 401) {
    sessionEnded();
    throw new ApiError(MESSAGES.UNAUTHENTICATED, 'UNAUTHENTICATED');
  }
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(text || `服务器返回 ${res.status}`, 'HTTP');
  }
  if (!res.ok && !Array.isArray(body.problems)) {
    throw new ApiError(body.message || body.error || `服务器返回 ${res.status}`, body.code || 'HTTP');
  }
  return body;
}

/** The marked workbook of a failed dry run (problem cells red, with notes), as a download URL. */
export async function markedWorkbook(cycle, table, unit, file) {
  const params = new URLSearchParams({ dryRun: 'true', report: 'xlsx' });
  if (unit) params.set('unit', unit);
  const form = new FormData();
  form.append('file', file);
  const res = await fetch(`/import/${cycle}/${encodeURIComponent(table)}?${params}`, {
    method: 'POST',
    body: form,
    credentials: 'same-origin',
  });
  const type = res.headers.get('content-type') || '';
  if (!type.includes('spreadsheet')) return null;
  return URL.createObjectURL(await res.blob());
}

/**
 * The fetcher GraphiQL's editor uses: same origin, no passwords typed into the editor, and the
 * introspection (2.5 MB for 90 tables) answered from the browser while `schemaKey` (the binary
 * and definitions version the page names) is unchanged.
 */
export function makeFetcher(schemaKey) {
  const inner = GraphiQL.createFetcher({ url: '/graphql' });
  const cached = async (params, opts) => {
    const key = `${schemaKey}\n${params.query}`;
    const kept = await schemaCache('get').catch(() => null);
    if (kept?.key === key) return kept.result;
    const result = await inner(params, opts);
    if (result?.data && !result.errors) await schemaCache('put', { key, result }).catch(() => {});
    return result;
  };
  // Not an async function: GraphiQL's own answers may be streams, which must pass unwrapped.
  return (params, opts) => {
    if (/\b(login|changePassword)\s*\(/.test(params.query || '')) {
      return Promise.resolve({
        errors: [
          {
            message: '请在“我的任务”中登录或修改密码：写进编辑器的密码会留在浏览器里。',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
    }
    if (params.operationName === 'IntrospectionQuery' && schemaKey) return cached(params, opts);
    return inner(params, opts);
  };
}

/** One record in IndexedDB (localStorage is too small for the schema, and is GraphiQL's). */
function schemaCache(op, value) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('statusdata-schema', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('schema');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('schema', op === 'get' ? 'readonly' : 'readwrite');
      const store = tx.objectStore('schema');
      const req = op === 'get' ? store.get('current') : store.put(value, 'current');
      req.onsuccess = () => resolve(op === 'get' ? req.result : undefined);
      req.onerror = () => reject(req.error);
      tx.oncomplete = () => db.close();
    };
  });
}
