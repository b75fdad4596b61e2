// Code lists (下拉选项) are read once per page and shared by every form.

import { gql } from '../api.js';

const cache = new Map();

/** The codes of a list: [{ code, name, group }]. */
export function loadCodes(name) {
  if (!cache.has(name)) {
    const p = gql('query($name: String!) { codeList(name: $name) { label complete codes { code name group } } }', { name })
      .then((d) => d.codeList || { label: name, complete: true, codes: [] });
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return cache.get(name);
}

const { useState, useEffect } = React;

/** The code list of a field (null while loading). */
export function useCodes(name) {
  const [list, setList] = useState(null);
  useEffect(() => {
    let live = true;
    if (name) loadCodes(name).then((l) => live && setList(l)).catch(() => live && setList({ codes: [] }));
    return () => {
      live = false;
    };
  }, [name]);
  return list;
}

/** "代码 名称" for display in grids. */
export function codeName(list, code) {
  const c = list?.codes.find((x) => x.code === code);
  return c ? c.name : code;
}
