// GraphiQL's 设置 and 快捷键 dialogs are written in English and link to an English manual on
// another site; whoever opens them (in 开发者模式) reads Chinese. This translates their text as
// the dialogs open, and hides the one paragraph that only points off-site.

const TEXTS = {
  // Both dialogs
  'Close dialog': '关闭',
  // 快捷键
  'Short Keys': '快捷键',
  'Short Key': '按键',
  Function: '功能',
  'Search in editor': '在编辑器中查找',
  'Search in documentation': '在接口文档中查找',
  'Execute query': '运行',
  'Prettify editors': '整理格式',
  'Merge fragments definitions into operation definition': '把片段合并进查询',
  'Copy query': '复制查询',
  'Re-fetch schema using introspection': '重新读取接口结构',
  // 设置
  Settings: '设置',
  'Persist headers': '保留请求头',
  'Save headers upon reloading.': '重新打开页面后仍保留请求头。',
  'Only enable if you trust this device.': '只在可信的电脑上开启。',
  On: '开',
  Off: '关',
  Theme: '外观',
  'Adjust how the interface appears.': '选择界面的明暗。',
  System: '跟随系统',
  Light: '浅色',
  Dark: '深色',
  'Clear storage': '清除本地数据',
  'Remove all locally stored data and start fresh.': '删除本浏览器保存的编辑器内容、历史记录和设置，从头开始。',
  'Clear data': '清除',
  'Cleared data': '已清除',
  Failed: '清除失败',
};

/** Translates the text nodes of one dialog; React keeps the nodes, so it is safe to edit them. */
function translate(dialog) {
  const walker = document.createTreeWalker(dialog, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    const next = TEXTS[text];
    if (next && node.nodeValue !== next) node.nodeValue = next;
  }
  // "The editors use CodeMirror Key Maps … This instance of GraphiQL uses sublime.": a link to
  // an English manual elsewhere on the web; hidden (not removed: React owns the element).
  for (const link of dialog.querySelectorAll('a[href^="http"]')) {
    const p = link.closest('p');
    if (p) p.hidden = true;
  }
}

/** Keeps GraphiQL's 设置 and 快捷键 dialogs in Chinese whenever they open or change. */
export function localizeDialogs() {
  let queued = false;
  const run = () => {
    queued = false;
    for (const dialog of document.querySelectorAll('.graphiql-dialog')) translate(dialog);
  };
  new MutationObserver(() => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(run);
    }
    // characterData: GraphiQL swaps a button's text ("Clear data" → "Cleared data") in place.
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
  run();
}
