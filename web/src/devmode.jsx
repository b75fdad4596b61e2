// 开发者模式: the GraphQL editor (GraphiQL, with its docs and history). Its script and stylesheet
// (about 1.5 MB) are loaded only when the mode is on, and the schema it introspects is kept in
// the browser under the key the page names (binary and definitions version), so it is read once
// per version, not on every visit.

import { guardedStorage } from './storage.js';
import { makeFetcher } from './api.js';
import { useApp } from './state.js';
import { localizeChrome, escapableEditor } from './chrome.js';
import { Message } from './ui.jsx';

const { useState, useEffect } = React;

const DEFAULT_QUERY = `# statusdata：人才培养工作状态数据 GraphQL 接口
# 各面板底部的“查看 GraphQL”会把刚才的操作放到这里，按 Ctrl-Enter 可再次运行。
# 左上角“接口文档”列出全部 90 张表的查询与修改；在编辑器中按 Esc 再按 Tab 可移出编辑器。
{
  me { staffNo name unit roles }
  catalog { tables { code name listField } }
}
`;

let loading = null;

/** Loads GraphiQL's script and stylesheet once (they need the page's React globals). */
export function loadGraphiQL() {
  if (window.GraphiQL) return Promise.resolve();
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const { graphiqlJs, graphiqlCss } = document.getElementById('app').dataset;
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = graphiqlCss;
      document.head.appendChild(link);
      const script = document.createElement('script');
      script.src = graphiqlJs;
      script.onload = () => {
        localizeChrome([]);
        escapableEditor();
        resolve();
      };
      script.onerror = () => {
        loading = null;
        reject(new Error('无法加载 GraphQL 编辑器，请检查网络后重试'));
      };
      document.head.appendChild(script);
    });
  }
  return loading;
}

/** Applies 查看 GraphQL's request inside GraphiQL (it needs GraphiQL's editor context). */
function EditorBridge() {
  const editor = GraphiQL.React.useEditorContext({ nonNull: true });
  const request = useApp((s) => s.editorRequest);
  useEffect(() => {
    if (!request || !editor.queryEditor) return;
    editor.queryEditor.setValue(request.query);
    editor.variableEditor?.setValue(request.variables);
  }, [request, editor.queryEditor]);
  return null;
}

function Editor() {
  const [fetcher] = useState(() => makeFetcher(document.getElementById('app').dataset.schema));
  return (
    <GraphiQL fetcher={fetcher} storage={guardedStorage} defaultQuery={DEFAULT_QUERY}
      defaultEditorToolsVisibility={false}>
      <GraphiQL.Toolbar>
        {({ prettify, merge, copy }) => (
          <>
            {prettify}
            {merge}
            {copy}
            <EditorBridge />
          </>
        )}
      </GraphiQL.Toolbar>
    </GraphiQL>
  );
}

/** The editor's view: mounted once opened and then kept (hidden) so its tabs survive. */
export function DevView({ visible }) {
  const [ready, setReady] = useState(!!window.GraphiQL);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!ready) loadGraphiQL().then(() => setReady(true), (e) => setError(e.message));
  }, []);
  return (
    <section className="sd-dev" aria-label="接口调试" hidden={!visible}>
      {error && <Message kind="error">{error}</Message>}
      {!ready && !error && <p className="sd-lead">正在加载 GraphQL 编辑器…</p>}
      {ready && <Editor />}
    </section>
  );
}
