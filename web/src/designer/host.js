// What the designer bundle uses of the page that loaded it. The designer is a bundle of its own
// (loaded on demand), so it must not carry its own copy of the page's state, API client or
// dialogs: the page hands them over as `window.sdHost` before loading it (admin.jsx).

const host = () => window.sdHost;

export const gql = (...args) => host().gql(...args);
export const refreshCatalog = (...args) => host().refreshCatalog(...args);
export const askConfirm = (...args) => host().askConfirm(...args);
export const formatTime = (...args) => host().formatTime(...args);
export const Message = (props) => React.createElement(host().Message, props);
