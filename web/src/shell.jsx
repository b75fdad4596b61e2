// The office application's frame: a header (who is signed in, their unit and the cycle, the
// 开发者模式 switch, 退出), the navigation of the panels the user's roles use, with badges of
// what awaits them, and the open panel. Signed out, only the login (or the forced password
// change) shows. The GraphQL editor is a view of its own, offered only in 开发者模式.

import { useApp, setState, setDev, unitName, DEV_VIEW } from './state.js';
import { logout, refreshWork } from './session.js';
import { LoginForm, ChangePasswordForm } from './auth.jsx';
import { Message } from './ui.jsx';
import { panelsFor } from './plugins.jsx';
import { DevView } from './devmode.jsx';

const { useEffect, useRef, useState } = React;

export const APP_NAME = '人才培养工作状态数据采集';

const ROLE_NAMES = {
  collector: '采集员',
  head: '部门负责人',
  quality_admin: '质量部管理员',
  leader: '院领导',
  sysadmin: '系统管理员',
  bi: '数据分析',
};

function DevSwitch() {
  const dev = useApp((s) => s.dev);
  return (
    <button type="button" role="switch" aria-checked={dev} className="sd-switch"
      title="显示 GraphQL 编辑器、接口文档和历史记录（供开发与数据分析人员使用）"
      onClick={() => setDev(!dev)}>
      <span className="sd-switch-track" aria-hidden="true"><span className="sd-switch-knob" /></span>
      开发者模式
    </button>
  );
}

function Header() {
  const me = useApp((s) => s.me);
  const cycle = useApp((s) => s.cycle);
  useApp((s) => s.units);
  return (
    <header className="sd-top">
      <span className="sd-brand">{APP_NAME}</span>
      {cycle && <span className="sd-cycle">{cycle} 年度</span>}
      <span className="sd-spacer" />
      <span className="sd-who">
        {me.name}（{me.staffNo}）· {unitName(me.unit)} · {me.roles.map((r) => ROLE_NAMES[r] || r).join('、')}
      </span>
      <DevSwitch />
      <button type="button" onClick={() => logout()}>退出</button>
    </header>
  );
}

function NavItem({ title, badges, current }) {
  const id = `sd-nav-${title}`;
  const text = badges.map(([label, n]) => (n == null ? label : `${label} ${n}`));
  return (
    <li>
      <button type="button" aria-label={title} aria-current={current ? 'page' : undefined}
        aria-describedby={text.length ? id : undefined} className={current ? 'sd-current' : ''}
        onClick={() => {
          setState({ view: title });
          refreshWork();
        }}>
        <span className="sd-nav-title">{title}</span>
        {text.length > 0 && (
          <span id={id} className="sd-badges">
            {text.map((t) => <span key={t} className="sd-badge">{t}</span>)}
          </span>
        )}
      </button>
    </li>
  );
}

function Nav({ panels, view }) {
  const work = useApp((s) => s.work);
  const dev = useApp((s) => s.dev);
  return (
    <nav className="sd-nav" aria-label="功能">
      <ul>
        {panels.map((p) => (
          <NavItem key={p.title} title={p.title} current={view === p.title}
            badges={p.badges ? p.badges(work) : []} />
        ))}
      </ul>
      {dev && (
        <ul className="sd-nav-dev" aria-label="开发者">
          <NavItem title={DEV_VIEW} current={view === DEV_VIEW} badges={[]} />
        </ul>
      )}
    </nav>
  );
}

function SignIn() {
  const phase = useApp((s) => s.phase);
  const error = useApp((s) => s.error);
  let body;
  if (phase === 'loading') body = <p className="sd-lead">正在连接服务器…</p>;
  else if (phase === 'error') body = <Message kind="error">{error}</Message>;
  else if (phase === 'change') body = <ChangePasswordForm />;
  else body = <LoginForm />;
  return (
    <div className="sd-signin">
      <main className="sd-panel sd-signin-card">
        <h1>{APP_NAME}</h1>
        {body}
      </main>
    </div>
  );
}

/** The open panel; the GraphQL editor, once opened, stays mounted (hidden) to keep its tabs. */
function Content({ panels, view }) {
  const dev = useApp((s) => s.dev);
  const ref = useRef(null);
  const [devOpened, setDevOpened] = useState(false);
  const onDev = dev && view === DEV_VIEW;
  useEffect(() => {
    if (onDev) setDevOpened(true);
  }, [onDev]);
  // Each panel starts at its top, not where the previous one was scrolled to.
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = 0;
    window.scrollTo(0, 0);
  }, [view]);
  const panel = panels.find((p) => p.title === view) || panels[0];
  return (
    <main ref={ref} className={onDev ? 'sd-content sd-content-dev' : 'sd-content'}>
      {!onDev && <div key={panel.title}>{panel.render()}</div>}
      {dev && (devOpened || onDev) && <DevView visible={onDev} />}
    </main>
  );
}

let startApplied = false;

export function App() {
  const phase = useApp((s) => s.phase);
  const me = useApp((s) => s.me);
  const view = useApp((s) => s.view);
  const ready = phase === 'ready' && me;
  useEffect(() => {
    // GET /graphiql opens the editor once signed in.
    if (ready && !startApplied && document.getElementById('app').dataset.start === 'graphiql') {
      startApplied = true;
      setDev(true);
      setState({ view: DEV_VIEW });
    }
  }, [ready]);
  if (!ready) return <SignIn />;
  const panels = panelsFor(me);
  return (
    <div className="sd-app">
      <Header />
      <div className="sd-body">
        <Nav panels={panels} view={view} />
        <Content panels={panels} view={view} />
      </div>
    </div>
  );
}
