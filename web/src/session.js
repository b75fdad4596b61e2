// The session: who is logged in, the open cycle, the catalog and the user's tasks.

import { gql } from './api.js';
import { getState, setState } from './state.js';

const ME = '{ me { staffNo name unit roles mustChangePassword } }';
const CATALOG = `{ catalog { tables { code name group kind scope help listField typeName
  createMutation updateMutation deleteMutation key
  fields { name label type required codes ref unit help pattern min max maxLen format } } } }`;
const TASKS = `query($cycle: Int!) { myTasks(cycle: $cycle) {
  table tableName group unit unitName state comment deadline overdue rowCount lastChange approvedBy } }`;

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
  const [{ cycles }, { catalog }] = await Promise.all([
    gql('{ cycles { year periodStart periodEnd } }'),
    getState().catalog.length ? { catalog: { tables: getState().catalog } } : gql(CATALOG),
  ]);
  // The newest cycle is the one being collected; the server defaults to it as well.
  const cycle = Math.max(...cycles.map((c) => c.year));
  setState({ phase: 'ready', expired: false, me, cycle, catalog: catalog.tables });
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
    setState({ target: null, tasks: null });
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
    setState({ phase: 'login', me: null, tasks: null, target: null, expired: false });
  }
}

export async function refreshTasks() {
  const { cycle } = getState();
  const { myTasks } = await gql(TASKS, { cycle });
  setState({ tasks: myTasks });
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
