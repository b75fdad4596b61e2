// The form explorer as an office application (shell.jsx): the login, then 我的任务 and the other
// panels the user's roles use. React and ReactDOM come from their embedded UMD builds; GraphiQL
// is loaded only when 开发者模式 opens the GraphQL editor (devmode.jsx).

import './style.css';
import { sanitizeStoredState } from './storage.js';
import { boot } from './session.js';
import { mountDialogs } from './dialog.jsx';
import { App } from './shell.jsx';

sanitizeStoredState();
ReactDOM.createRoot(document.getElementById('app')).render(<App />);
mountDialogs();
boot();
