// 管理 (质量部 admins): who fills and reviews what, as a matrix (rights.jsx) with who changed each
// right and when; the table definitions edited in the page (designer/); and reloading them after
// the IT office changed the files on the server.

import { gql } from './api.js';
import { useApp, hasRole } from './state.js';
import { refreshCatalog } from './session.js';
import { Message, formatTime } from './ui.jsx';
import { askConfirm } from './dialog.jsx';
import { RightsMatrix } from './rights.jsx';

const { useState, useEffect } = React;

let loading = null;

/** Loads the designer's bundle once, handing it the page's API client, dialogs and words. */
function loadDesigner() {
  if (window.sdDesigner) return Promise.resolve(window.sdDesigner);
  if (!loading) {
    window.sdHost = { gql, refreshCatalog, askConfirm, Message, formatTime };
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = document.getElementById('app').dataset.designerJs;
      script.onload = () => resolve(window.sdDesigner);
      script.onerror = () => {
        loading = null;
        reject(new Error('无法加载表定义编辑器，请检查网络后刷新页面'));
      };
      document.head.appendChild(script);
    });
  }
  return loading;
}

/** 管理 → 表定义, once its bundle has loaded. */
function DesignerCard({ catalog }) {
  const [mod, setMod] = useState(window.sdDesigner || null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!mod) loadDesigner().then(setMod).catch((e) => setError(e.message));
  }, []);
  if (error) return <Message kind="error">{error}</Message>;
  if (!mod) return <p className="sd-lead">正在加载表定义编辑器…</p>;
  return <mod.Designer catalog={catalog} />;
}

/** Reloading the definitions after someone changed the files on the server. */
function Reload() {
  const [result, setResult] = useState(null);
  const reload = async () => {
    setResult(null);
    try {
      const d = await gql('mutation { reloadDefinitions { version recorded createdTables addedColumns } }', {}, '重新载入表定义');
      const r = d.reloadDefinitions;
      const added = r.createdTables.length + r.addedColumns.length;
      setResult({
        kind: 'success',
        text: `已载入第 ${r.version} 版${r.recorded ? '（新版本）' : '（与正在使用的相同）'}${
          added ? `：新增 ${r.createdTables.length} 张表、${r.addedColumns.length} 个字段` : ''}`,
      });
      await refreshCatalog();
    } catch (e) {
      setResult({ kind: 'error', text: e.message });
    }
  };
  return (
    <div className="sd-card">
      <h3>从服务器文件重新载入</h3>
      <p className="sd-muted">
        信息中心在服务器上修改了表定义文件后，点此载入，不必重启；新增的表和字段立即可用，删除字段或改变类型的修改会被拒绝。
      </p>
      <div className="sd-toolbar">
        <button type="button" onClick={reload}>重新载入表定义</button>
      </div>
      {result && <Message kind={result.kind}>{result.text}</Message>}
    </div>
  );
}

export function AdminPanel() {
  const catalog = useApp((s) => s.catalog);
  return (
    <div>
      <RightsMatrix catalog={catalog} />
      <DesignerCard catalog={catalog} />
      <Reload />
    </div>
  );
}

export const adminAllowed = (me) => hasRole(me, 'quality_admin');
