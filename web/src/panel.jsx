// The frame of every panel: its title, the password form in place when the session ended while
// working (the panel's content stays mounted, so unsaved input survives), and 查看 GraphQL.
// Who is signed in, the cycle and 退出 are in the shell's header.

import { useApp } from './state.js';
import { LoginForm } from './auth.jsx';
import { Message, ShowGraphQL } from './ui.jsx';

export function Panel({ title, allowed = () => true, denied, children }) {
  const expired = useApp((s) => s.expired);
  const me = useApp((s) => s.me);
  return (
    <section className="sd-panel" aria-label={title}>
      <header className="sd-head">
        <h2>{title}</h2>
      </header>
      {expired && <LoginForm expired />}
      {allowed(me) ? children : <Message>{denied}</Message>}
      <footer className="sd-foot">
        <ShowGraphQL />
      </footer>
    </section>
  );
}
