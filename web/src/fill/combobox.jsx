// A searchable dropdown (ARIA combobox + listbox) for long code lists and reference lookups:
// type to search, arrow keys to move, Enter to choose, Escape to close.

const { useState, useEffect, useRef, useId } = React;

/**
 * `search(text)` answers options [{ value, label }] (or a promise of them); `onPick(option)`
 * receives the chosen one; `shown` is the text shown while not searching.
 */
export function Combobox({ id, shown, search, onPick, invalid, describedBy, placeholder, required }) {
  const [text, setText] = useState(null); // null: not searching, show `shown`
  const [options, setOptions] = useState([]);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const [loading, setLoading] = useState(false);
  const listId = useId();
  const seq = useRef(0);
  useEffect(() => {
    if (!open) return undefined;
    const n = ++seq.current;
    setLoading(true);
    const timer = setTimeout(async () => {
      try {
        const found = await search(text || '');
        if (n === seq.current) {
          setOptions(found);
          setActive(0);
        }
      } catch {
        if (n === seq.current) setOptions([]);
      } finally {
        if (n === seq.current) setLoading(false);
      }
    }, 200);
    return () => clearTimeout(timer);
  }, [text, open]);
  const pick = (o) => {
    onPick(o);
    setText(null);
    setOpen(false);
  };
  const onKey = (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) setOpen(true);
      else setActive((a) => Math.min(a + 1, options.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && open && options[active]) {
      e.preventDefault();
      pick(options[active]);
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
      setText(null);
    }
  };
  const optionId = (i) => `${listId}-o${i}`;
  return (
    <div className="sd-combo">
      <input id={id} role="combobox" aria-autocomplete="list" aria-expanded={open} aria-controls={listId}
        aria-activedescendant={open && options[active] ? optionId(active) : undefined}
        aria-invalid={invalid || undefined} aria-describedby={describedBy} aria-required={required || undefined}
        autoComplete="off" placeholder={placeholder || '输入文字搜索'}
        value={text ?? shown ?? ''}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          // Options keep the focus on the input (mousedown is prevented), so a blur always
          // means the user went elsewhere: close at once, and drop a search that was not picked.
          seq.current += 1;
          setOpen(false);
          setText(null);
          setLoading(false);
        }}
        onKeyDown={onKey} />
      {open && (
        <ul id={listId} role="listbox" className="sd-listbox" aria-label="可选项"
          onMouseDown={(e) => e.preventDefault()}>
          {loading && options.length === 0 && <li className="sd-muted" role="presentation">正在搜索…</li>}
          {!loading && options.length === 0 && <li className="sd-muted" role="presentation">没有匹配的选项</li>}
          {options.map((o, i) => (
            <li key={`${o.value}-${i}`} id={optionId(i)} role="option" aria-selected={i === active}
              className={i === active ? 'sd-active' : ''}
              onMouseDown={(e) => e.preventDefault()} onClick={() => pick(o)}>
              <span className="sd-code">{o.value}</span> {o.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
