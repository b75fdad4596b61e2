// Confirmations for steps that cannot be undone (sign-off, publish, 验收, bulk delete): one modal
// host, asked through a promise so a handler reads top to bottom. The native <dialog> gives the
// focus trap, Esc and the backdrop that screen readers and keyboards expect.

const { useState, useEffect, useRef } = React;

let show = null;

/**
 * Asks before a step. `body` says the consequence in plain words (text or elements); `reason`,
 * when given as { label, required }, adds a text box (an override's written reason). Resolves
 * null when the user cancels (取消, Esc), else { reason } with the trimmed text ('' if none).
 */
export function askConfirm({ title, body, confirm = '继续', cancel = '取消', danger = false, reason = null }) {
  return new Promise((resolve) => {
    if (!show) {
      resolve(null);
      return;
    }
    show({ title, body, confirm, cancel, danger, reason, resolve });
  });
}

function ConfirmDialog({ ask, onDone }) {
  const ref = useRef(null);
  const [text, setText] = useState('');
  const [tried, setTried] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const missing = ask.reason?.required && !text.trim();
  const finish = (ok) => {
    if (ok && missing) {
      setTried(true);
      return;
    }
    ref.current?.close();
    onDone(ok ? { reason: text.trim() } : null);
  };
  return (
    <dialog
      ref={ref}
      className="sd-dialog"
      aria-labelledby="sd-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        finish(false);
      }}
    >
      <h2 id="sd-dialog-title">{ask.title}</h2>
      <div className="sd-dialog-body">{ask.body}</div>
      {ask.reason && (
        <label className="sd-dialog-reason">
          {ask.reason.label}
          <textarea value={text} rows={3} onChange={(e) => setText(e.target.value)} aria-invalid={tried && missing} />
          {tried && missing && <span className="sd-msg sd-msg-error" role="alert">请填写{ask.reason.label}</span>}
        </label>
      )}
      <div className="sd-dialog-actions">
        <button type="button" onClick={() => finish(false)} autoFocus>
          {ask.cancel}
        </button>
        <button type="button" className={ask.danger ? 'sd-danger' : 'sd-primary'} onClick={() => finish(true)}>
          {ask.confirm}
        </button>
      </div>
    </dialog>
  );
}

function DialogHost() {
  const [ask, setAsk] = useState(null);
  useEffect(() => {
    show = (next) => setAsk((current) => {
      // One question at a time: a second ask while one is open is answered 取消.
      if (current) {
        next.resolve(null);
        return current;
      }
      return next;
    });
    return () => {
      show = null;
    };
  }, []);
  if (!ask) return null;
  return (
    <ConfirmDialog
      key={ask.title}
      ask={ask}
      onDone={(answer) => {
        setAsk(null);
        ask.resolve(answer);
      }}
    />
  );
}

/** Mounts the one dialog host beside the app (its own root, so any page layout can use it). */
export function mountDialogs() {
  const root = document.createElement('div');
  root.id = 'sd-dialogs';
  document.body.appendChild(root);
  ReactDOM.createRoot(root).render(<DialogHost />);
}
