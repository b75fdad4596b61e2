// The frame of every sidebar panel: title, who is logged in, the login or password forms when
// needed, and 查看 GraphQL. Panel content stays mounted while the session is renewed.

import { useApp } from './state.js';
import { LoginForm, ChangePasswordForm, UserBar } from './auth.jsx';
import { Message, ShowGraphQL } from './ui.jsx';

export function Panel({ title, allowed = () => true, denied, children }) {
  const phase = useApp((s) => s.phase);
  const expired = useApp((s) => s.expired);
  const me = useApp((s) => s.me);
  const error = useApp((s) => s.error);
  let body;
  if (phase === 'loading') body = <p className="sd-lead">正在连接服务器…</p>;
  else if (phase === 'error') body = <Message kind="error">{error}</Message>;
  else if (phase === 'login') body = <LoginForm />;
  else if (phase === 'change') body = <ChangePasswordForm />;
  else if (!allowed(me)) body = <Message>{denied}</Message>;
  else body = children;
  return (
    <section className="sd-panel" aria-label={title}>
      <header className="sd-head">
        <h2>{title}</h2>
        <UserBar />
      </header>
      {phase === 'ready' && expired && <LoginForm expired />}
      {body}
      {phase === 'ready' && (
        <footer className="sd-foot">
          <ShowGraphQL />
        </footer>
      )}
    </section>
  );
}
