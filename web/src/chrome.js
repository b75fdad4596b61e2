// GraphiQL's own buttons are labelled in English ("Show 我的任务"); collectors read Chinese, and
// tests find the panels by their titles. This relabels GraphiQL's controls as they appear.

import { localizeDialogs } from './chrome-dialogs.js';

const LABELS = {
  'Show Documentation Explorer': '接口文档',
  'Hide Documentation Explorer': '接口文档',
  'Show History': '历史记录',
  'Hide History': '历史记录',
  'Re-fetch GraphQL schema': '重新读取接口结构',
  'Open short keys dialog': '快捷键',
  'Open settings dialog': '设置',
  'New tab': '新建标签页',
  'Execute query (Ctrl-Enter)': '运行（Ctrl-Enter）',
  'Prettify query (Shift-Ctrl-P)': '整理格式（Shift-Ctrl-P）',
  'Merge fragments into query (Shift-Ctrl-M)': '合并片段（Shift-Ctrl-M）',
  'Copy query (Shift-Ctrl-C)': '复制查询（Shift-Ctrl-C）',
  'Show editor tools': '显示变量与请求头',
  'Hide editor tools': '隐藏变量与请求头',
  Variables: '变量',
  Headers: '请求头',
  'Query Editor': '查询编辑器',
  'Result Window': '运行结果',
  'Editor Commands': '编辑器命令',
};

function relabel(text, titles) {
  if (LABELS[text]) return LABELS[text];
  const m = /^(Show|Hide) (.+)$/.exec(text);
  if (m && titles.includes(m[2])) return m[2];
  return null;
}

function sweep(root, titles) {
  for (const el of root.querySelectorAll('[aria-label]')) {
    const next = relabel(el.getAttribute('aria-label'), titles);
    if (next) el.setAttribute('aria-label', next);
  }
  // Tooltips and the editor tool tabs carry their text as content.
  for (const el of root.querySelectorAll('[role="tooltip"], .graphiql-editor-tools button, [data-radix-popper-content-wrapper] *')) {
    if (el.children.length === 0) {
      const next = relabel(el.textContent.trim(), titles);
      if (next) el.textContent = next;
    }
  }
}

/** Keeps GraphiQL's controls labelled in Chinese. */
export function localizeChrome(titles) {
  let queued = false;
  const run = () => {
    queued = false;
    sweep(document.body, titles);
  };
  new MutationObserver(() => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(run);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
  run();
  localizeDialogs();
}

/**
 * The query editor keeps Tab for indenting; Esc and then Tab leaves it, so keyboard users are
 * never trapped there (the same convention as other code editors on the web).
 */
export function escapableEditor() {
  let escaped = false;
  document.addEventListener(
    'keydown',
    (e) => {
      const inEditor = e.target instanceof Element && e.target.closest('.CodeMirror');
      if (!inEditor) {
        escaped = false;
        return;
      }
      if (e.key === 'Escape') {
        escaped = true;
      } else if (e.key === 'Tab' && escaped) {
        // Stopped before CodeMirror sees it: the browser moves the focus as for any field.
        e.stopPropagation();
        escaped = false;
      } else if (e.key !== 'Shift') {
        escaped = false;
      }
    },
    true,
  );
}
