// Reads everything a page keeps in the browser (localStorage, sessionStorage, IndexedDB) and
// fails when any password appears in it.
import { assert } from './lib.mjs';

export async function checkStorage(page, passwords) {
  const dump = await page.evaluate(async () => {
    const parts = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })];
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    for (const { name } of dbs) {
      const db = await new Promise((ok, fail) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((ok) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => ok(r.result);
          r.onerror = () => ok([]);
        });
        parts.push(JSON.stringify(all));
      }
      db.close();
    }
    return parts.join('\n');
  });
  for (const pw of passwords) {
    assert.ok(!dump.includes(pw), `a password is kept in browser storage of ${page.url()}`);
  }
  return dump;
}
