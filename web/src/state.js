// The explorer's shared state: one small store the shell and every panel read (only the open
// panel is mounted, so what must outlive it lives here, not in a panel's own state).

const listeners = new Set();
const DEV_KEY = 'statusdata:dev';
let state = {
  phase: 'loading', // loading | login | change | ready | error
  expired: false, // the session ended while working: ask for the password again in place
  me: null,
  cycle: null,
  catalog: [],
  tasks: null,
  target: null, // { table, unit, mode: 'fill' | 'review' | 'view', open: 'import' | null }
  lastOp: null, // { title, query, variables }: what 查看 GraphQL puts into the editor
  error: null,
  view: '我的任务', // the open panel's title (or DEV_VIEW)
  dev: readDev(), // 开发者模式: the GraphQL editor is offered (remembered per browser)
  work: null, // myWork: what awaits the user, for 我的任务 and the navigation's badges
  units: {}, // unit code → name: people see names, never codes
  editorRequest: null, // { query, variables, at }: 查看 GraphQL asks the editor to show this
};

/** The title of the GraphQL editor's view (开发者模式 only). */
export const DEV_VIEW = '接口调试';

function readDev() {
  try {
    return localStorage.getItem(DEV_KEY) === '1';
  } catch {
    return false;
  }
}

/** Switches 开发者模式 and remembers it in this browser. */
export function setDev(on) {
  try {
    if (on) localStorage.setItem(DEV_KEY, '1');
    else localStorage.removeItem(DEV_KEY);
  } catch {
    // Storage refused (private window): the switch holds for this visit.
  }
  setState((s) => ({ dev: on, view: !on && s.view === DEV_VIEW ? '我的任务' : s.view }));
}

/** A unit's name by its code (or name: the code itself when unknown). */
export function unitName(code) {
  return state.units[code] || code;
}

export function getState() {
  return state;
}

export function setState(patch) {
  const next = typeof patch === 'function' ? patch(state) : patch;
  state = { ...state, ...next };
  for (const l of listeners) l();
}

function subscribe(l) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Reads one value of the state and re-renders when it changes. */
export function useApp(select) {
  return React.useSyncExternalStore(subscribe, () => select(state));
}

/** The catalog entry of a table code. */
export function tableOf(code) {
  return state.catalog.find((t) => t.code === code) || null;
}

export function hasRole(me, ...roles) {
  return !!me && me.roles.some((r) => roles.includes(r) || r === 'sysadmin');
}
