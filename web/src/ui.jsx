// Small shared pieces: state badges, messages, dates, the 查看 GraphQL button, opening a panel.

import { useApp, setState, DEV_VIEW } from './state.js';

export const STATE_NAMES = {
  draft: '填报中',
  submitted: '待审核',
  approved: '已审核',
  returned: '已退回',
  accepted: '已验收',
};

export function StateBadge({ state }) {
  return <span className={`sd-state sd-state-${state}`}>{STATE_NAMES[state] || state}</span>;
}

/** A message region that screen readers announce. */
export function Message({ kind = 'info', children }) {
  if (!children) return null;
  return (
    <div className={`sd-msg sd-msg-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function daysLeft(deadline) {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const d = new Date(`${deadline}T00:00:00`);
  return Math.round((d - today) / 86400000);
}

export function Deadline({ deadline, overdue }) {
  const left = daysLeft(deadline);
  const late = overdue || left < 0;
  const text = late ? `已逾期 ${-left} 天` : left === 0 ? '今天截止' : `还剩 ${left} 天`;
  return (
    <span className={late ? 'sd-late' : 'sd-due'}>
      截止 {deadline}（{text}）
    </span>
  );
}

/**
 * In 开发者模式, puts the GraphQL of the explorer's last action into the GraphQL editor and
 * opens it; otherwise shows nothing (office staff never meet GraphQL).
 */
export function ShowGraphQL() {
  const op = useApp((s) => s.lastOp);
  const dev = useApp((s) => s.dev);
  if (!op || !dev) return null;
  const show = () => {
    const header = `# 上一步操作：${op.title}\n# 在编辑器中按 Ctrl-Enter 可再次运行（密码不会显示）\n`;
    setState({
      view: DEV_VIEW,
      editorRequest: {
        query: header + op.query,
        variables: JSON.stringify(op.variables || {}, null, 2),
        at: Date.now(),
      },
    });
  };
  return (
    <button type="button" className="sd-link-button" onClick={show}>
      查看 GraphQL（{op.title}）
    </button>
  );
}

/** Opens another panel (by its title), first applying `patch` to the shared state. */
export function useOpenPanel() {
  return openPanel;
}

/** Opens the panel titled `title`; the shell scrolls it to its top. */
export function openPanel(title, patch) {
  setState({ ...(patch || {}), view: title });
}

export function formatTime(t) {
  if (!t) return '';
  return t.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$|[+-]\d\d:\d\d$/, '').slice(0, 16);
}
