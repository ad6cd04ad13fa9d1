/** /ui/ui.css. Verdicts carry a glyph as well as a colour, so they read in grey and for colour-blind readers. */
export const UI_STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,sans-serif;color:#1d1d1f;background:#fff}
.top{display:flex;align-items:center;gap:16px;padding:8px 16px;background:#1f2937;color:#f9fafb}
.top a{color:#e5e7eb;text-decoration:none;padding:4px 8px;border-radius:4px}
.top a.current{background:#374151;color:#fff}
.top .muted{color:#cbd5e1}
.brand{font-size:16px}
.spacer{flex:1}
main{padding:12px 16px}
.panel{margin:16px;padding:12px 16px;border:1px solid #d1d5db;border-radius:6px;max-width:640px;background:#f9fafb}
.panel h2{margin-top:0}
label{display:block;font-weight:600;margin:6px 0 2px}
input,select,textarea,button{font:inherit}
input[type=password],input[type=text],textarea{width:100%;padding:4px 6px;border:1px solid #9ca3af;border-radius:4px}
textarea{min-height:260px;font-family:ui-monospace,monospace;font-size:12px}
button{padding:4px 12px;border:1px solid #6b7280;border-radius:4px;background:#f3f4f6;cursor:pointer}
button:disabled{opacity:.5;cursor:default}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;margin-bottom:8px}
.filters label{font-weight:600}
.muted{color:#6b7280}
#status{margin:0 16px;min-height:1.4em}
.error{color:#991b1b;background:#fef2f2;border:1px solid #fecaca;padding:6px 10px;border-radius:4px;white-space:pre-wrap}
#token-message:empty{display:none}
#token-message{color:#991b1b}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.pager{display:flex;gap:8px;align-items:center;margin:8px 0}
.v{display:inline-block;padding:0 6px;border-radius:3px;font-weight:600;white-space:nowrap}
.v-allowed{background:#dcfce7;color:#14532d}.v-allowed::before{content:"\\2713  "}
.v-blocked{background:#fee2e2;color:#7f1d1d}.v-blocked::before{content:"\\2717  "}
.v-unknown{background:#fef3c7;color:#78350f}.v-unknown::before{content:"?  "}
.v-resolved{background:#dcfce7;color:#14532d}.v-resolved::before{content:"\\2713  "}
.v-changed{background:#e0e7ff;color:#312e81}.v-changed::before{content:"~  "}
.report-frame{width:100%;height:calc(100vh - 170px);min-height:480px;border:1px solid #d1d5db;border-radius:4px;background:#fff}
.meta{display:flex;flex-wrap:wrap;gap:16px;align-items:center;margin:4px 0 8px}
pre{background:#f3f4f6;padding:6px 8px;border-radius:4px;overflow:auto;white-space:pre-wrap;word-break:break-all}
.event{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;margin:8px 0}
.event h3{margin:0 0 4px;font-size:15px}
ul.compact{margin:2px 0;padding-left:20px}
`;
