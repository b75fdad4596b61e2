// 登录, forced 修改密码 and 退出. Passwords live only in these components' state: never in the
// editor, History, or browser storage, and the inputs are cleared once used.

import { useApp } from './state.js';
import { login, changePassword, logout, passwordProblems } from './session.js';
import { Message } from './ui.jsx';
import { useUnitName } from './units.js';

const { useState, useId } = React;

export function LoginForm({ expired }) {
  const me = useApp((s) => s.me);
  const [staffNo, setStaffNo] = useState(expired && me ? me.staffNo : '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = useId();
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(staffNo.trim(), password);
    } catch (err) {
      setError(err.message);
    } finally {
      setPassword('');
      setBusy(false);
    }
  };
  return (
    <form className="sd-card sd-login" onSubmit={submit} aria-label="登录">
      {expired ? (
        <Message kind="error">登录已过期，请重新登录（未保存的内容仍保留在下方）</Message>
      ) : (
        <p className="sd-lead">请用工号和密码登录。首次登录须修改密码；忘记密码请联系质量部。</p>
      )}
      <div className="sd-field">
        <label htmlFor={`${id}-no`}>工号</label>
        <input id={`${id}-no`} value={staffNo} autoComplete="username" required
          onChange={(e) => setStaffNo(e.target.value)} />
      </div>
      <div className="sd-field">
        <label htmlFor={`${id}-pw`}>密码</label>
        <input id={`${id}-pw`} type="password" value={password} autoComplete="current-password" required
          onChange={(e) => setPassword(e.target.value)} />
      </div>
      <Message kind="error">{error}</Message>
      <button type="submit" className="sd-primary" disabled={busy}>登录</button>
    </form>
  );
}

export function ChangePasswordForm() {
  const me = useApp((s) => s.me);
  const [oldPw, setOld] = useState('');
  const [newPw, setNew] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = useId();
  const rules = newPw ? passwordProblems(newPw, me?.staffNo) : [];
  const mismatch = again && again !== newPw;
  const submit = async (e) => {
    e.preventDefault();
    if (rules.length || newPw !== again) return;
    setBusy(true);
    setError(null);
    try {
      await changePassword(oldPw, newPw);
    } catch (err) {
      setError(err.message);
    } finally {
      setOld('');
      setNew('');
      setAgain('');
      setBusy(false);
    }
  };
  return (
    <form className="sd-card sd-login" onSubmit={submit} aria-label="修改密码">
      <h3>修改密码</h3>
      <p className="sd-lead">
        {me ? `${me.name}（${me.staffNo}），` : ''}首次登录或密码重置后须先修改密码。新密码至少 8 位，
        含大写字母、小写字母、数字、符号中的三类，不含工号。
      </p>
      <div className="sd-field">
        <label htmlFor={`${id}-old`}>原密码</label>
        <input id={`${id}-old`} type="password" value={oldPw} autoComplete="current-password" required
          onChange={(e) => setOld(e.target.value)} />
      </div>
      <div className="sd-field">
        <label htmlFor={`${id}-new`}>新密码</label>
        <input id={`${id}-new`} type="password" value={newPw} autoComplete="new-password" required
          aria-invalid={rules.length > 0} aria-describedby={`${id}-rules`}
          onChange={(e) => setNew(e.target.value)} />
        <div id={`${id}-rules`} className={rules.length ? 'sd-problem' : 'sd-ok'} aria-live="polite">
          {newPw ? (rules.length ? `还需：${rules.join('；')}` : '符合密码规则') : ''}
        </div>
      </div>
      <div className="sd-field">
        <label htmlFor={`${id}-again`}>确认新密码</label>
        <input id={`${id}-again`} type="password" value={again} autoComplete="new-password" required
          aria-invalid={!!mismatch} aria-describedby={`${id}-again-msg`}
          onChange={(e) => setAgain(e.target.value)} />
        <div id={`${id}-again-msg`} className="sd-problem" aria-live="polite">
          {mismatch ? '两次输入的新密码不一致' : ''}
        </div>
      </div>
      <Message kind="error">{error}</Message>
      <div className="sd-actions">
        <button type="submit" className="sd-primary" disabled={busy || rules.length > 0 || !newPw || newPw !== again}>
          修改密码
        </button>
        <button type="button" onClick={() => logout()}>退出</button>
      </div>
    </form>
  );
}

const ROLE_NAMES = {
  collector: '采集员',
  head: '部门负责人',
  quality_admin: '质量部管理员',
  leader: '院领导',
  sysadmin: '系统管理员',
};

export function UserBar() {
  const me = useApp((s) => s.me);
  const phase = useApp((s) => s.phase);
  const cycle = useApp((s) => s.cycle);
  const unitName = useUnitName(phase === 'ready' ? me?.unit : null);
  if (!me || phase === 'login') return null;
  return (
    <div className="sd-user">
      <span>
        {me.name}（{me.staffNo}）{unitName ? ` · ${unitName}` : ''} · {me.roles.map((r) => ROLE_NAMES[r] || r).join('、')}
        {cycle ? ` · ${cycle} 年度` : ''}
      </span>
      <button type="button" onClick={() => logout()}>退出</button>
    </div>
  );
}
