/**
 * The end-user pages' one stylesheet, inlined (the pages need no other request and no script).
 * System fonts, 4.5:1 contrast or better, visible focus rings, a single centred card. React
 * escapes a <style> element's text like any other, so the sheet avoids quotes, `<`, `>` and `&`.
 */
export const PAGE_CSS = `
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1b1b;background:#f3f4f6}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:8vh 16px}
main{width:100%;max-width:440px;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.12);padding:32px 36px}
.brand{margin:0 0 16px;font-weight:600;font-size:15px;color:#374151}
h1{font-size:24px;font-weight:600;margin:0 0 8px}
p{line-height:1.5;margin:0 0 12px}
.muted{color:#4b5563;font-size:14px}
label{display:block;font-size:14px;font-weight:500;margin:16px 0 4px}
input[type=text],input[type=email],input[type=password]{width:100%;font:inherit;padding:8px 10px;border:1px solid #6b7280;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #2563eb;outline-offset:2px}
.actions{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}
button{font:inherit;padding:8px 20px;border-radius:4px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d4ed8}
.alert{border-left:4px solid #b91c1c;background:#fef2f2;color:#7f1d1d;padding:8px 12px;margin:12px 0;font-size:14px}
ul.accounts{list-style:none;padding:0;margin:16px 0}
ul.accounts li{margin:0 0 8px}
ul.accounts button{width:100%;text-align:left;background:#fff;color:#1b1b1b;border:1px solid #d1d5db}
ul.accounts .upn{display:block;color:#4b5563;font-size:13px}
details{margin-top:8px;font-size:13px}
summary{cursor:pointer;color:#1d4ed8}
dl.trouble{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:8px 0}
dl.trouble dt{font-weight:600}
dl.trouble dd{margin:0;overflow-wrap:anywhere;user-select:all}
.copy-actions{display:flex;gap:12px;align-items:center;margin:8px 0}
[hidden]{display:none!important}
pre.copy{white-space:pre-wrap;overflow-wrap:anywhere;background:#f9fafb;border:1px solid #e5e7eb;padding:8px;user-select:all}
.app{display:flex;gap:12px;align-items:center;margin:12px 0 16px}
.app img{border-radius:6px;object-fit:contain}
.app p{margin:0}
.app-name{font-weight:600;font-size:17px;overflow-wrap:anywhere}
.publisher{overflow-wrap:anywhere}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 6px;border-radius:10px}
.badge.verified{background:#dbeafe;color:#1e3a8a}
.badge.unverified{background:#fef3c7;color:#78350f}
ul.permissions{padding-left:20px;margin:8px 0 16px}
ul.permissions li{margin:0 0 8px;overflow-wrap:anywhere}
.description{font-size:14px}
.check{display:grid;grid-template-columns:auto 1fr;gap:2px 8px;align-items:start}
.check label{margin:0}
.check .muted{grid-column:2}
textarea{width:100%;font:inherit;padding:8px 10px;border:1px solid #6b7280;border-radius:4px}
button.link{background:none;border:none;color:#1d4ed8;padding:0;text-decoration:underline}
button:disabled{opacity:.6;cursor:not-allowed}
.notice{border-left:4px solid #15803d;background:#f0fdf4;color:#14532d;padding:8px 12px;font-size:14px}
ul.my-apps{list-style:none;padding:0}
ul.my-apps>li{border-top:1px solid #e5e7eb;padding:12px 0}
ul.scopes{margin:0 0 8px;padding-left:20px;font-size:14px;overflow-wrap:anywhere}
`;
