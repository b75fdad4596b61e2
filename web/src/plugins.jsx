// The panels of the navigation, in its order. `uses` says which roles use a panel: the
// navigation shows only those (sysadmin sees all); the server still decides every request.
// `badges` picks, from myWork, what awaits the user in that panel.

import { Panel } from './panel.jsx';
import { hasRole } from './state.js';
import { TasksPanel } from './tasks.jsx';
import { FillPanel } from './fill/panel.jsx';
import { ProgressPanel } from './progress.jsx';
import { AdminPanel, adminAllowed } from './admin.jsx';
import { CorePanel, coreAllowed } from './core.jsx';
import { CasesPanel } from './cases.jsx';
import { AnnualPanel, annualAllowed } from './annual.jsx';
import { ChecksPanel } from './checks.jsx';

const anyone = () => true;
const filling = (me) => hasRole(me, 'collector', 'head', 'quality_admin');

/** What awaits a user, as the short labels of badges: [label, count]. */
export function workBadges(work) {
  if (!work) return [];
  const out = [];
  if (work.returned) out.push(['被退回', work.returned]);
  if (work.toReview) out.push(['待审核', work.toReview]);
  if (work.toAccept) out.push(['待验收', work.toAccept]);
  if (work.toSignOff) out.push(['待签字', null]);
  return out;
}

export const PANELS = [
  {
    title: '我的任务',
    uses: anyone,
    badges: workBadges,
    render: () => <Panel title="我的任务"><TasksPanel /></Panel>,
  },
  {
    title: '填写',
    uses: filling,
    render: () => <Panel title="填写"><FillPanel /></Panel>,
  },
  {
    title: '进度',
    uses: (me) => hasRole(me, 'quality_admin', 'leader'),
    badges: (w) => workBadges(w && { toAccept: w.toAccept }),
    render: () => <Panel title="进度"><ProgressPanel /></Panel>,
  },
  {
    title: '核心数据',
    uses: coreAllowed,
    badges: (w) => workBadges(w && { toSignOff: w.toSignOff }),
    render: () => (
      <Panel title="核心数据" allowed={coreAllowed} denied="“核心数据”供院领导审核、质量部发布使用。">
        <CorePanel />
      </Panel>
    ),
  },
  {
    title: '典型案例',
    uses: anyone,
    render: () => <Panel title="典型案例"><CasesPanel /></Panel>,
  },
  {
    title: '质量年报',
    uses: annualAllowed,
    render: () => (
      <Panel title="质量年报" allowed={annualAllowed} denied="“质量年报”数据表供质量部录入、院领导查看。">
        <AnnualPanel />
      </Panel>
    ),
  },
  {
    title: '数据检查',
    uses: anyone,
    render: () => <Panel title="数据检查"><ChecksPanel /></Panel>,
  },
  {
    title: '管理',
    uses: adminAllowed,
    render: () => (
      <Panel title="管理" allowed={adminAllowed} denied="“管理”仅供质量部管理员使用。">
        <AdminPanel />
      </Panel>
    ),
  },
];

/** The panels `me` uses, in the navigation's order. */
export function panelsFor(me) {
  return PANELS.filter((p) => p.uses(me));
}
