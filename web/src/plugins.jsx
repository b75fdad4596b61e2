// The sidebar panels. The list is fixed (GraphiQL keys plugins by title); what a role may
// not use says so inside the panel.

import { Panel } from './panel.jsx';
import { TasksPanel } from './tasks.jsx';
import { FillPanel } from './fill/panel.jsx';
import { ProgressPanel } from './progress.jsx';
import { AdminPanel, adminAllowed } from './admin.jsx';
import { CorePanel, coreAllowed } from './core.jsx';
import { CasesPanel } from './cases.jsx';
import { ChecksPanel } from './checks.jsx';

function icon(text) {
  return function Icon() {
    return <span className="sd-icon" aria-hidden="true">{text}</span>;
  };
}

export const PLUGINS = [
  {
    title: '我的任务',
    icon: icon('任务'),
    content: () => <Panel title="我的任务"><TasksPanel /></Panel>,
  },
  {
    title: '填写',
    icon: icon('填写'),
    content: () => <Panel title="填写"><FillPanel /></Panel>,
  },
  {
    title: '进度',
    icon: icon('进度'),
    content: () => <Panel title="进度"><ProgressPanel /></Panel>,
  },
  {
    title: '核心数据',
    icon: icon('核心'),
    content: () => (
      <Panel title="核心数据" allowed={coreAllowed} denied="“核心数据”供院领导审核、质量部发布使用。">
        <CorePanel />
      </Panel>
    ),
  },
  {
    title: '典型案例',
    icon: icon('案例'),
    content: () => <Panel title="典型案例"><CasesPanel /></Panel>,
  },
  {
    title: '数据检查',
    icon: icon('检查'),
    content: () => <Panel title="数据检查"><ChecksPanel /></Panel>,
  },
  {
    title: '管理',
    icon: icon('管理'),
    content: () => (
      <Panel title="管理" allowed={adminAllowed} denied="“管理”仅供质量部管理员使用。">
        <AdminPanel />
      </Panel>
    ),
  },
];
