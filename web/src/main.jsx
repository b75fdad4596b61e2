// The form explorer: GraphiQL stays the frame, and the Chinese panels 我的任务, 填写, 进度, 管理
// live in its plugin sidebar. React, ReactDOM and GraphiQL come from their embedded UMD builds.

import './style.css';
import { guardedStorage, sanitizeStoredState } from './storage.js';
import { makeFetcher } from './api.js';
import { PLUGINS } from './plugins.jsx';
import { boot } from './session.js';
import { localizeChrome, escapableEditor } from './chrome.js';
import { mountDialogs } from './dialog.jsx';

const DEFAULT_QUERY = `# statusdata：人才培养工作状态数据 GraphQL 接口
# 左侧“我的任务”“填写”“进度”“管理”面板可直接登录、填表、提交、审核，不必写 GraphQL；
# 面板底部的“查看 GraphQL”会把刚才的操作放到这里，按 Ctrl-Enter 可再次运行。
# 左上角“接口文档”列出全部 90 张表的查询与修改；在编辑器中按 Esc 再按 Tab 可移出编辑器。
{
  me { staffNo name unit roles }
  catalog { tables { code name listField } }
}
`;

sanitizeStoredState();
localizeChrome(PLUGINS.map((p) => p.title));
escapableEditor();

ReactDOM.createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={makeFetcher()}
    storage={guardedStorage}
    plugins={PLUGINS}
    defaultQuery={DEFAULT_QUERY}
    defaultEditorToolsVisibility={false}
  />,
);
mountDialogs();
boot();
openFirstPanel();

/**
 * Opens 我的任务 at start. GraphiQL only widens the plugin pane when its sidebar button is
 * clicked (setting the visible plugin alone leaves the pane collapsed), so click it.
 */
function openFirstPanel(tries = 50) {
  const button = document.querySelector('.graphiql-sidebar button[data-index="0"]');
  if (!button) {
    if (tries > 0) setTimeout(() => openFirstPanel(tries - 1), 50);
    return;
  }
  if (!button.classList.contains('active')) button.click();
}
