export { ApprovalPage } from "./approval-page.tsx";
export { renderPage } from "./layout.tsx";
export { MessagePage, type PageLink } from "./message-page.tsx";
