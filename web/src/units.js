// The college's units by code, read once per page: what office staff see is always the unit's
// name (机电工程学院), never its code (jdgc).

import { gql } from './api.js';

const { useState, useEffect } = React;

let names = null;

/** { code: name } of every unit (one request per page, shared). */
export function loadUnitNames() {
  if (!names) {
    names = gql('{ units { code name } }').then((d) => Object.fromEntries(d.units.map((u) => [u.code, u.name])));
    names.catch(() => {
      names = null;
    });
  }
  return names;
}

/** The name of a unit; '' while it is being read (never the code). */
export function useUnitName(code) {
  const [name, setName] = useState('');
  useEffect(() => {
    let live = true;
    if (code) loadUnitNames().then((n) => live && setName(n[code] || '')).catch(() => {});
    return () => {
      live = false;
    };
  }, [code]);
  return name;
}
