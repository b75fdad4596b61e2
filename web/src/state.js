// The explorer's shared state. GraphiQL renders each sidebar panel as its own component, so the
// panels share one small store instead of React context; only the visible panel is mounted.

const listeners = new Set();
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
};

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
