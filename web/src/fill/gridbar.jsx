// The grid's bars: which columns show (remembered per table on this computer), the page size
// (remembered too) and the pager with 跳到第 N 页.

const { useState, useEffect } = React;

export const SIZES = [20, 50, 100];

function remembered(key, fallback) {
  try {
    const v = JSON.parse(localStorage.getItem(key));
    return v ?? fallback;
  } catch {
    return fallback;
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // A browser that keeps nothing (private mode): the choice lasts until the page closes.
  }
}

/** The hidden columns of a table, remembered per table. */
export function useHidden(table) {
  const key = `sd-grid-hidden:${table.code}`;
  const [hidden, setHidden] = useState(() => remembered(key, []));
  useEffect(() => setHidden(remembered(key, [])), [key]);
  const set = (next) => {
    setHidden(next);
    remember(key, next);
  };
  return [hidden, set];
}

/** The page size, remembered for every table. */
export function usePageSize() {
  const [size, setSize] = useState(() => {
    const n = remembered('sd-grid-size', 20);
    return SIZES.includes(n) ? n : 20;
  });
  return [size, (n) => {
    setSize(n);
    remember('sd-grid-size', n);
  }];
}

export function ColumnChooser({ table, hidden, setHidden }) {
  const key = new Set(table.key);
  const toggle = (name) => setHidden(hidden.includes(name) ? hidden.filter((n) => n !== name) : [...hidden, name]);
  const shownCount = table.fields.length - hidden.filter((n) => !key.has(n)).length;
  return (
    <details className="sd-columns">
      <summary>显示的列（{shownCount}/{table.fields.length}）</summary>
      <div className="sd-columns-list" role="group" aria-label="显示的列">
        <button type="button" className="sd-link-button" onClick={() => setHidden([])}>全部显示</button>
        {table.fields.map((f) => (
          <label key={f.name} className="sd-check">
            <input type="checkbox" checked={key.has(f.name) || !hidden.includes(f.name)} disabled={key.has(f.name)}
              onChange={() => toggle(f.name)} />
            {f.label}{key.has(f.name) ? '（关键字段）' : ''}
          </label>
        ))}
      </div>
    </details>
  );
}

export function Pager({ page, pages, total, size, setPage, setSize, id = 'sd-page', unit = '行' }) {
  const [jump, setJump] = useState('');
  const go = () => {
    const n = Number.parseInt(jump, 10);
    if (Number.isFinite(n)) setPage(Math.min(Math.max(n, 1), pages) - 1);
    setJump('');
  };
  return (
    <nav className="sd-pager" aria-label="翻页">
      <button type="button" disabled={page === 0} onClick={() => setPage(0)}>首页</button>
      <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>上一页</button>
      <span>第 {page + 1} / {pages} 页，共 {total} {unit}</span>
      <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>下一页</button>
      <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(pages - 1)}>末页</button>
      <label htmlFor={`${id}-jump`}>跳到第</label>
      <input id={`${id}-jump`} className="sd-page-jump" inputMode="numeric" value={jump} placeholder={String(page + 1)}
        onChange={(e) => setJump(e.target.value.replace(/\D/g, ''))} onKeyDown={(e) => { if (e.key === 'Enter') go(); }} />
      <span aria-hidden="true">页</span>
      <button type="button" onClick={go}>跳转</button>
      <label htmlFor={`${id}-size`}>每页</label>
      <select id={`${id}-size`} value={size} onChange={(e) => setSize(Number(e.target.value))}>
        {SIZES.map((n) => <option key={n} value={n}>{n} {unit}</option>)}
      </select>
    </nav>
  );
}
