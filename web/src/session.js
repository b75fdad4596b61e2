// The session: who is logged in, the open cycle, the catalog, the unit names, the user's tasks
// and what awaits them (myWork, for 我的任务 and the navigation's badges).

import { gql } from './api.js';
import { getState, setState } from './state.js';

const ME = '{ me { staffNo name unit roles mustChangePassword } }';
const CATALOG = `{ catalog { tables { code name group kind scope help listField typeName
  createMutation updateMutation deleteMutation key
  fields { name label type required codes ref unit help pattern min max maxLen format } } } }`;
const WORK = 'query($cycle: Int) { myWork(cycle: $cycle) { returned toReview toAccept toSignOff } }';
const TASKS = `query($cycle: Int!) { myTasks(cycle: $cycle) {
  table tableName group unit unitName state comment deadline overdue rowCount lastChange approvedBy
  editable openUntil toReview } }`;

/** Finds out whether a session exists and loads what the panels need. */
export async function boot() {
  try {
    const { me } = await gql(ME);
    if (me.mustChangePassword) setState({ phase: 'change', me });
    else await enter(me);
  } catch (e) {
    if (e.code === 'UNAUTHENTICATED' || e.code === 'PASSWORD_CHANGE_REQUIRED') {
      setState({ phase: e.code === 'UNAUTHENTICATED' ? 'login' : 'change' });
    } else {
      setState({ phase: 'error', error: e.message });
    }
  }
}

async function enter(me) {
  const [{ cycles, units }, { catalog }] = await Promise.all([
    gql('{ cycles { year periodStart periodEnd } units { code name } }'),
    getState().catalog.length ? { catalog: { tables: getState().catalog } } : gql(CATALOG),
  ]);
  // The newest cycle is the one being collected; the server defaults to it as well.
  const cycle = Math.max(...cycles.map((c) => c.year));
  const names = Object.fromEntries(units.map((u) => [u.code, u.name]));
  setState({ phase: 'ready', expired: false, me, cycle, catalog: catalog.tables, units: names });
  await refreshTasks();
}

/** Reads the catalog again (after 质量部 reloaded the definitions): new fields show at once. */
export async function refreshCatalog() {
  const { catalog } = await gql(CATALOG);
  setState({ catalog: catalog.tables });
}

/** Logs in; a first login goes on to the password change. */
export async function login(staffNo, password) {
  const { login: result } = await gql(
    'mutation($staffNo: String!, $password: String!) { login(staffNo: $staffNo, password: $password) { mustChangePassword } }',
    { staffNo, password },
    '登录',
  );
  const { me } = await gql(ME);
  const previous = getState().me;
  if (result.mustChangePassword) {
    setState({ phase: 'change', me, expired: false });
  } else if (getState().expired && previous?.staffNo === me.staffNo) {
    // Same person again after expiry: keep every panel's input, just continue.
    setState({ expired: false, me });
  } else {
    setState({ target: null, tasks: null, work: null, view: '我的任务' });
    await enter(me);
  }
}

export async function changePassword(oldPassword, newPassword) {
  await gql(
    'mutation($oldPassword: String!, $newPassword: String!) { changePassword(oldPassword: $oldPassword, newPassword: $newPassword) }',
    { oldPassword, newPassword },
    '修改密码',
  );
  const { me } = await gql(ME);
  await enter(me);
}

export async function logout() {
  try {
    await gql('mutation { logout }', {}, '退出');
  } finally {
    setState({ phase: 'login', me: null, tasks: null, work: null, target: null, expired: false, view: '我的任务' });
  }
}

let workReadAt = 0;

/**
 * Wraps a read so that calls while one is under way share one further read, started when it
 * ends: the running read may predate the change the caller just made (a submit), and the caller
 * must see it. Both reads are heavy requests, and the server admits only a few at once per person.
 */
function coalesced(read) {
  let running = null;
  let next = null;
  const start = () => {
    running = read().finally(() => {
      running = null;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    if (!next) {
      next = running.catch(() => {}).then(() => {
        next = null;
        return start();
      });
    }
    return next;
  };
}

const readWork = coalesced(() =>
  gql(WORK, { cycle: getState().cycle })
    .then(({ myWork }) => {
      workReadAt = Date.now();
      setState({ work: myWork });
    })
    .catch(() => {}),
);

const readTasks = coalesced(() =>
  Promise.all([gql(TASKS, { cycle: getState().cycle }), readWork()]).then(([{ myTasks }]) => setState({ tasks: myTasks })),
);

/** Reads the to-do list again, and with it what awaits the user (the badges follow). */
export function refreshTasks() {
  return readTasks();
}

/**
 * Reads what awaits the user (myWork) unless it was read less than `maxAge` ms ago; a failure
 * leaves the badges as they were (我的任务 itself still lists every task).
 */
export function refreshWork(maxAge = 20000) {
  if (maxAge && Date.now() - workReadAt < maxAge) return Promise.resolve();
  return readWork();
}

/** The password rules the server enforces, checked as the user types. */
export function passwordProblems(password, staffNo) {
  const out = [];
  if (password.length < 8) out.push('至少 8 位');
  const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (kinds < 3) out.push('含大写字母、小写字母、数字、符号中的至少三类');
  if (staffNo && password.includes(staffNo)) out.push('不能包含工号');
  return out;
}
