/**
 * The page served at /ui: a fixed shell with no data in it. Everything shown comes from the
 * REST API, fetched by /ui/ui.js with the session's token, and is put into the DOM as text; the
 * server never renders an audit value into this HTML, so it needs no escaping and no per-request
 * rendering. Asset paths are absolute because /ui/ serves the same shell as /ui. The empty icon
 * keeps the browser from asking for /favicon.ico, a 404 in every session.
 */
export const UI_SHELL = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>sgaudit</title>
<link rel="stylesheet" href="/ui/ui.css">
<link rel="icon" href="data:,">
<script src="/ui/ui.js" defer></script>
</head>
<body>
<header class="top">
<strong class="brand">sgaudit</strong>
<nav aria-label="views"><a href="#/audits" data-view="audits">Audits</a><a href="#/whatif" data-view="whatif">What-if</a><a href="#/clusters" data-view="clusters">Clusters</a></nav>
<span class="spacer"></span>
<span id="session" class="muted"></span>
<button type="button" id="forget-token" hidden>Forget token</button>
</header>
<section id="token-panel" class="panel" hidden>
<form id="token-form">
<h2>API token</h2>
<p id="token-message" role="alert"></p>
<label for="token-input">Bearer token</label>
<input type="password" id="token-input" name="token" autocomplete="off" spellcheck="false" required>
<button type="submit">Use this token</button>
<p class="muted">Kept in this tab's session storage until the tab is closed or you forget it; sent only in the <code>Authorization</code> header, never in a URL.</p>
</form>
</section>
<p id="status" role="status" aria-live="polite"></p>
<main id="view"></main>
<noscript><p>This page needs JavaScript. The API it uses is documented at <a href="/docs">/docs</a>.</p></noscript>
</body></html>
`;
