/**
 * /ui/ui.js: the whole client, plain browser JavaScript with no library. Four views over the REST
 * API (audits, one audit, what-if, clusters), routed by the URL fragment so that views can be
 * bookmarked while nothing secret ever enters a URL.
 *
 * Rules this code keeps, and the browser test checks:
 * - Every value from the API reaches the DOM through textContent, `append(string)` or
 *   setAttribute on a fixed attribute name; nothing is parsed as HTML. Hrefs are built only from
 *   fragments with encodeURIComponent'd parts.
 * - The token lives in sessionStorage and goes out only as `Authorization: Bearer`.
 * - HTML pages from the API (report.html, what-if as text/html) are shown in an iframe with
 *   `sandbox="allow-scripts"` through srcdoc: their script runs (copy buttons) in an opaque
 *   origin, so it can read neither the token nor this page.
 *
 * Kept as a string (not a file beside it) because the build copies only compiled TypeScript to
 * dist/; test/http/ui.test.ts parses it so a syntax error fails a test, not a browser.
 * It avoids backticks so that it can live in this template literal unescaped.
 */
export const UI_SCRIPT = String.raw`'use strict';
(function () {
  var TOKEN_KEY = 'sgaudit.token';
  // RFC 6750 token68, the form the server accepts (src/http/auth.ts).
  var TOKEN_RE = /^[A-Za-z0-9\-._~+\/]+=*$/;
  var LABEL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
  var view = document.getElementById('view');
  var statusLine = document.getElementById('status');
  var tokenPanel = document.getElementById('token-panel');
  var tokenForm = document.getElementById('token-form');
  var tokenInput = document.getElementById('token-input');
  var tokenMessage = document.getElementById('token-message');
  var forgetButton = document.getElementById('forget-token');
  var sessionLabel = document.getElementById('session');
  // Each render bumps this; answers that arrive for an older render are dropped.
  var generation = 0;
  // Cursors of the pages before the current one, per filter, for "Newer".
  var cursorStack = [];
  var cursorStackKey = '';

  function h(tag, props) {
    var el = document.createElement(tag);
    var p = props || {};
    Object.keys(p).forEach(function (k) {
      var v = p[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') el.textContent = String(v);
      else if (k === 'class') el.className = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    });
    for (var i = 2; i < arguments.length; i++) appendChild(el, arguments[i]);
    return el;
  }
  function appendChild(el, c) {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { appendChild(el, x); }); return; }
    el.append(c instanceof Node ? c : String(c));
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function show(node) { clear(view); appendChild(view, node); }
  function setStatus(text) { statusLine.textContent = text || ''; }
  function fragment(parts, query) {
    var s = '#/' + parts.map(encodeURIComponent).join('/');
    var q = query ? new URLSearchParams(query).toString() : '';
    return q ? s + '?' + q : s;
  }
  function link(parts, text, query) { return h('a', { href: fragment(parts, query), text: text }); }
  function verdict(kind, text) { return h('span', { class: 'v v-' + kind, text: text === undefined ? kind : text }); }
  function when(iso) {
    if (!iso) return h('span', { class: 'muted', text: 'never' });
    var d = new Date(iso);
    return h('time', { datetime: iso, title: iso, text: isNaN(d.getTime()) ? iso : d.toLocaleString() });
  }

  // ---------------------------------------------------------------- token
  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  function askToken(message) {
    tokenMessage.textContent = message || '';
    tokenPanel.hidden = false;
    forgetButton.hidden = true;
    sessionLabel.textContent = '';
    clear(view);
    setStatus('');
    tokenInput.value = '';
    tokenInput.focus();
  }
  function tokenAccepted() {
    tokenPanel.hidden = true;
    forgetButton.hidden = false;
    sessionLabel.textContent = 'token set for this tab';
  }
  tokenForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var value = tokenInput.value.trim();
    if (value.slice(0, 7).toLowerCase() === 'bearer ') value = value.slice(7).trim();
    if (!TOKEN_RE.test(value)) {
      tokenMessage.textContent = 'That is not a bearer token: it may hold only letters, digits and - . _ ~ + / (then = padding).';
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    tokenInput.value = '';
    tokenAccepted();
    render();
  });
  forgetButton.addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    askToken('Token forgotten. Enter a token to continue.');
  });

  // ---------------------------------------------------------------- API
  function ApiError(status, problem) {
    this.status = status;
    this.problem = problem;
    this.message = (problem && (problem.detail || problem.title)) || ('HTTP ' + status);
  }
  function AuthHandled() {}

  function problemOf(res) {
    return res.text().then(function (text) {
      try { return JSON.parse(text); } catch (e) { return { detail: text.slice(0, 500) || res.statusText }; }
    });
  }

  function api(path, init) {
    var t = token();
    if (!t) { askToken('Enter an API token to continue.'); return Promise.reject(new AuthHandled()); }
    var options = init || {};
    var headers = new Headers(options.headers || {});
    headers.set('Authorization', 'Bearer ' + t);
    return fetch(path, {
      method: options.method || 'GET',
      headers: headers,
      body: options.body,
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
    }).then(function (res) {
      if (res.status === 401 || res.status === 403) {
        return problemOf(res).then(function (p) {
          var detail = (p && p.detail) || '';
          if (res.status === 401) {
            sessionStorage.removeItem(TOKEN_KEY);
            askToken('The server refused the token (401): ' + detail + '. Enter a valid token.');
          } else {
            askToken('This token may not do that (403): ' + detail + '. Enter a token with that scope.');
          }
          throw new AuthHandled();
        });
      }
      if (!res.ok) return problemOf(res).then(function (p) { throw new ApiError(res.status, p); });
      return res;
    });
  }
  function json(path) { return api(path).then(function (r) { return r.json(); }); }

  function failure(err, what) {
    if (err instanceof AuthHandled) return null;
    var box = h('div', { class: 'error', role: 'alert' }, what + ' failed: ', err && err.message ? err.message : String(err));
    var errors = err && err.problem && Array.isArray(err.problem.errors) ? err.problem.errors : [];
    if (errors.length) {
      box.append(h('ul', { class: 'compact' }, errors.slice(0, 50).map(function (e) {
        var where = e.pointer !== undefined ? e.pointer : (e.parameter !== undefined ? 'parameter ' + e.parameter : '');
        var value = e.value === undefined ? '' : ' (value ' + JSON.stringify(e.value) + ')';
        return h('li', { text: (where ? where + ': ' : '') + e.reason + value });
      })));
    }
    return box;
  }
  function guard(gen, what, work) {
    return work.catch(function (err) {
      if (gen !== generation) return;
      var box = failure(err, what);
      setStatus('');
      if (box) show(box);
    });
  }

  // An HTML page from the API in a sandboxed frame: scripts run, but in an opaque origin with no
  // access to this page, its storage or the token.
  function htmlFrame(html, title) {
    // clipboard-write: the report's copy buttons; without it the browser refuses and they fall back to selecting the text.
    var frame = h('iframe', { class: 'report-frame', sandbox: 'allow-scripts', allow: 'clipboard-write', title: title, referrerpolicy: 'no-referrer' });
    frame.srcdoc = html;
    return frame;
  }
  function downloadButton(label, name, type, content) {
    return h('button', { type: 'button', text: label, onclick: function () {
      var url = URL.createObjectURL(new Blob([content], { type: type }));
      var a = h('a', { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    } });
  }

  // ---------------------------------------------------------------- audits
  function localInput(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var pad = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function auditsView(gen, params) {
    var filters = { cluster: params.get('cluster') || '', since: params.get('since') || '', until: params.get('until') || '', limit: params.get('limit') || '50' };
    var cursor = params.get('cursor') || '';
    var key = [filters.cluster, filters.since, filters.until, filters.limit].join('|');
    if (key !== cursorStackKey) { cursorStack = []; cursorStackKey = key; }

    var clusterIn = h('input', { type: 'text', id: 'filter-cluster', value: filters.cluster, placeholder: 'any', size: 20 });
    var sinceIn = h('input', { type: 'datetime-local', id: 'filter-since', value: localInput(filters.since) });
    var untilIn = h('input', { type: 'datetime-local', id: 'filter-until', value: localInput(filters.until) });
    var limitIn = h('select', { id: 'filter-limit' }, ['10', '50', '200'].map(function (n) { return h('option', { value: n, selected: n === filters.limit, text: n + ' per page' }); }));
    var problem = h('p', { class: 'error', hidden: true, role: 'alert' });
    function apply() {
      var q = {};
      var c = clusterIn.value.trim();
      if (c && !LABEL_RE.test(c)) {
        problem.hidden = false;
        problem.textContent = 'cluster: "' + c + '" is not a cluster label (letters, digits, . _ -, at most 63, starting with a letter or digit)';
        return;
      }
      if (c) q.cluster = c;
      if (sinceIn.value) q.since = new Date(sinceIn.value).toISOString();
      if (untilIn.value) q.until = new Date(untilIn.value).toISOString();
      if (q.since && q.until && q.since >= q.until) {
        problem.hidden = false;
        problem.textContent = 'until must be after since';
        return;
      }
      if (limitIn.value !== '50') q.limit = limitIn.value;
      location.hash = fragment(['audits'], q);
    }
    var form = h('div', { class: 'filters' },
      h('div', null, h('label', { for: 'filter-cluster', text: 'Cluster' }), clusterIn),
      h('div', null, h('label', { for: 'filter-since', text: 'Since' }), sinceIn),
      h('div', null, h('label', { for: 'filter-until', text: 'Until' }), untilIn),
      h('div', null, h('label', { for: 'filter-limit', text: 'Page size' }), limitIn),
      h('button', { type: 'button', id: 'filter-apply', text: 'Apply', onclick: apply }),
      h('button', { type: 'button', text: 'Clear', onclick: function () { location.hash = '#/audits'; } }));
    [clusterIn, sinceIn, untilIn].forEach(function (el) { el.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') apply(); }); });
    var results = h('div', { id: 'audit-results' });
    show([h('h1', { text: 'Audits' }), form, problem, results]);

    var q = new URLSearchParams();
    if (filters.cluster) q.set('cluster', filters.cluster);
    if (filters.since) q.set('since', filters.since);
    if (filters.until) q.set('until', filters.until);
    q.set('limit', filters.limit);
    if (cursor) q.set('cursor', cursor);
    setStatus('Loading audits…');
    return guard(gen, 'Listing audits', json('/v1/audits?' + q.toString()).then(function (page) {
      if (gen !== generation) return;
      setStatus('');
      var first = cursorStack.length * Number(filters.limit) + 1;
      var count = page.items.length;
      var caption = count === 0 ? 'No audits match.' : 'Audits ' + first + '–' + (first + count - 1) + (page.nextCursor ? ' (more on the next page)' : '');
      var base = {};
      ['cluster', 'since', 'until'].forEach(function (k) { if (filters[k]) base[k] = filters[k]; });
      if (filters.limit !== '50') base.limit = filters.limit;
      var newer = h('button', { type: 'button', id: 'page-newer', text: '← Newer', disabled: !cursor, onclick: function () {
        var prev = cursorStack.pop();
        var qq = Object.assign({}, base);
        if (prev) qq.cursor = prev;
        location.hash = fragment(['audits'], qq);
      } });
      var older = h('button', { type: 'button', id: 'page-older', text: 'Older →', disabled: !page.nextCursor, onclick: function () {
        cursorStack.push(cursor);
        location.hash = fragment(['audits'], Object.assign({}, base, { cursor: page.nextCursor }));
      } });
      var rows = page.items.map(function (a) {
        var s = a.summary;
        return h('tr', { 'data-audit-id': a.id },
          h('td', null, link(['audits', a.id], new Date(a.createdAt).toLocaleString())),
          h('td', { text: a.cluster === null ? '—' : a.cluster }),
          h('td', { text: a.origin }),
          h('td', { class: 'num', text: s.nodes }),
          h('td', { class: 'num', text: s.directedPairs }),
          h('td', { class: 'num' }, s.blocked > 0 ? verdict('blocked', String(s.blocked)) : '0'),
          h('td', { class: 'num' }, s.unknown > 0 ? verdict('unknown', String(s.unknown)) : '0'),
          h('td', { class: 'num', text: s.allowed }),
          h('td', { class: 'num', text: a.findings }),
          h('td', { class: 'num', text: a.remediations }));
      });
      var table = h('table', { id: 'audit-table' },
        h('thead', null, h('tr', null, ['created', 'cluster', 'origin', 'nodes', 'pairs', 'blocked', 'unknown', 'allowed', 'findings', 'fixes'].map(function (c, i) {
          return h('th', { class: i >= 3 ? 'num' : null, text: c });
        }))),
        h('tbody', null, rows));
      clear(results);
      results.append(h('p', { id: 'audit-count', text: caption }), count ? table : '', h('div', { class: 'pager' }, newer, older));
    }));
  }

  function auditView(gen, id) {
    show([h('p', null, link(['audits'], '← Audits')), h('h1', { text: 'Audit ' + id })]);
    setStatus('Loading the report…');
    var path = '/v1/audits/' + encodeURIComponent(id);
    return guard(gen, 'Loading audit ' + id, Promise.all([json(path), api(path + '/report.html', { headers: { Accept: 'text/html' } }).then(function (r) { return r.text(); })]).then(function (both) {
      if (gen !== generation) return;
      var audit = both[0];
      var html = both[1];
      var s = audit.summary;
      setStatus('');
      show([
        h('p', null, link(['audits'], '← Audits')),
        h('h1', { text: 'Audit ' + audit.id }),
        h('div', { class: 'meta', id: 'audit-meta' },
          h('span', null, 'created ', when(audit.createdAt)),
          h('span', { text: 'cluster ' + (audit.cluster === null || audit.cluster === undefined ? '—' : audit.cluster) }),
          h('span', { text: s.nodes + ' nodes, ' + s.directedPairs + ' pairs' }),
          verdict('blocked', s.blocked + ' blocked'), verdict('unknown', s.unknown + ' unknown'), verdict('allowed', s.allowed + ' allowed'),
          downloadButton('Download report.html', 'sgaudit-' + audit.id + '.html', 'text/html', html),
          downloadButton('Download JSON', 'sgaudit-' + audit.id + '.json', 'application/json', JSON.stringify(audit, null, 2))),
        htmlFrame(html, 'report of audit ' + audit.id),
      ]);
    }));
  }

  // ---------------------------------------------------------------- what-if
  var whatifDraft = '';
  function whatifView(gen) {
    var area = h('textarea', { id: 'whatif-body', spellcheck: 'false', placeholder: '{ "inputs": { ... }, "terraformPlan": { ... } }' });
    area.value = whatifDraft;
    area.addEventListener('input', function () { whatifDraft = area.value; });
    var file = h('input', { type: 'file', id: 'whatif-file', accept: '.json,application/json' });
    var result = h('div', { id: 'whatif-result' });
    file.addEventListener('change', function () {
      var f = file.files && file.files[0];
      if (!f) return;
      f.text().then(function (text) { area.value = text; whatifDraft = text; setStatus('Loaded ' + f.name + ' (' + f.size + ' bytes).'); });
    });
    var run = h('button', { type: 'button', id: 'whatif-run', text: 'Check the change' });
    run.addEventListener('click', function () {
      clear(result);
      var body;
      try {
        body = JSON.parse(area.value);
      } catch (e) {
        result.append(h('p', { class: 'error', role: 'alert', text: 'The request body is not JSON: ' + e.message }));
        return;
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        result.append(h('p', { class: 'error', role: 'alert', text: 'The request body must be a JSON object with inputs and terraformPlan or proposed (see /docs#op-createWhatif).' }));
        return;
      }
      run.disabled = true;
      setStatus('Evaluating the change…');
      var mine = generation;
      api('/v1/whatif', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'text/html' }, body: JSON.stringify(body) })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== generation) return;
          setStatus('');
          result.append(htmlFrame(html, 'what-if result'));
        })
        .catch(function (err) {
          if (mine !== generation) return;
          setStatus('');
          var box = failure(err, 'The what-if');
          if (box) result.append(box);
        })
        .finally(function () { run.disabled = false; });
    });
    show([
      h('h1', { text: 'What-if' }),
      h('p', null, 'Paste or upload a what-if request body: ', h('code', { text: 'inputs' }), ' as they are today, and either ',
        h('code', { text: 'terraformPlan' }), ' (terraform show -json) or ', h('code', { text: 'proposed' }), ' after-state exports. See ',
        h('a', { href: '/docs#op-createWhatif', text: 'the API documentation' }), '. Nothing is stored.'),
      h('label', { for: 'whatif-file', text: 'Upload a JSON file' }), file,
      h('label', { for: 'whatif-body', text: 'Request body' }), area,
      h('p', null, run),
      result,
    ]);
    return Promise.resolve(gen);
  }

  // ---------------------------------------------------------------- clusters
  function scheduleText(w) {
    if (!w) return 'not watched';
    var parts = ['every ' + w.intervalSeconds + ' s'];
    if (w.running) parts.push('running since ' + new Date(w.running.startedAt).toLocaleString());
    else if (w.nextRunAt) parts.push('next ' + new Date(w.nextRunAt).toLocaleString());
    if (w.lastRun) parts.push('last run ' + w.lastRun.outcome + (w.lastRun.reason ? ': ' + w.lastRun.reason : ''));
    if (w.consecutiveFailures > 0) parts.push(w.consecutiveFailures + ' failed in a row');
    return parts.join(', ');
  }
  function runSummary(run) {
    if (!run) return h('span', { class: 'muted', text: 'no tracked run yet' });
    var s = run.summary;
    return h('span', null, link(['audits', run.auditId], new Date(run.createdAt).toLocaleString()), ' ',
      verdict('blocked', s.blocked + ' blocked'), ' ', verdict('unknown', s.unknown + ' unknown'), ' ', verdict('allowed', s.allowed + ' allowed'));
  }

  function clustersView(gen) {
    setStatus('Loading clusters…');
    return guard(gen, 'Listing clusters', json('/v1/clusters').then(function (list) {
      if (gen !== generation) return;
      setStatus('');
      if (list.items.length === 0) {
        show([h('h1', { text: 'Clusters' }), h('p', { text: 'This server has no configured clusters (clusters: in its --config file).' })]);
        return;
      }
      var rows = list.items.map(function (c) {
        var watch = h('td', { class: 'muted', text: '…' });
        var last = h('td', { class: 'muted', text: '…' });
        var open = h('td', { class: 'num', text: '…' });
        var change = h('td', { text: '…' });
        json('/v1/clusters/' + encodeURIComponent(c.name) + '/status').then(function (st) {
          if (gen !== generation) return;
          watch.className = '';
          watch.textContent = scheduleText(st.watch);
          clear(last); last.className = ''; last.append(runSummary(st.lastRun));
          open.textContent = String(st.openFindings.length);
          clear(change);
          if (st.lastChange) change.append(verdict(st.lastChange.kind), ' ', when(st.lastChange.at));
          else change.textContent = 'none';
        }).catch(function (err) {
          if (gen !== generation || err instanceof AuthHandled) return;
          watch.textContent = 'status failed: ' + err.message;
        });
        return h('tr', { 'data-cluster': c.name },
          h('td', null, link(['clusters', c.name], c.name)),
          h('td', { text: c.kubernetes }),
          h('td', { text: c.cloud === null ? 'none (probe only)' : c.cloud }),
          h('td', { text: c.probe ? 'yes' : 'no' }),
          watch, last, open, change);
      });
      show([h('h1', { text: 'Clusters' }), h('table', { id: 'cluster-table' },
        h('thead', null, h('tr', null, ['cluster', 'kubernetes', 'cloud', 'probe', 'watch', 'last run', 'open findings', 'last change'].map(function (t) { return h('th', { text: t }); }))),
        h('tbody', null, rows))]);
    }));
  }

  function pairList(title, pairs) {
    if (!pairs.length) return null;
    var shown = pairs.slice(0, 20);
    return h('div', null, h('strong', { text: title + ' (' + pairs.length + ')' }), h('ul', { class: 'compact' },
      shown.map(function (p) { return h('li', { text: p.sourceNode + ' → ' + p.destinationNode + '  ' + p.requirement + '  ' + p.before + ' → ' + p.after }); }),
      pairs.length > shown.length ? h('li', { class: 'muted', text: '… and ' + (pairs.length - shown.length) + ' more' }) : null));
  }
  function changeEvent(ev) {
    var c = ev.changes;
    var s = ev.summary;
    return h('section', { class: 'event', 'data-event': ev.id },
      h('h3', null, verdict(ev.kind), ' ', when(ev.at), ' ', link(['audits', ev.auditId], 'audit')),
      h('p', { text: s.blocked + ' blocked, ' + s.unknown + ' unknown, ' + s.allowed + ' allowed of ' + s.directedPairs + ' pairs' + (ev.previousAuditId === null ? ' (first tracked run)' : '') }),
      pairList('Newly blocked', c.newlyBlocked), pairList('Resolved', c.resolved), pairList('Newly unknown', c.newlyUnknown),
      c.newFindings.length ? h('div', null, h('strong', { text: 'New findings' }), h('ul', { class: 'compact' }, c.newFindings.map(function (f) {
        return h('li', null, verdict(f.verdict, f.id), ' ' + f.requirement + ' ' + f.layer + ': ' + f.reason + ' (' + f.pairCount + ' pairs)');
      }))) : null,
      c.goneFindings.length ? h('div', null, h('strong', { text: 'Gone findings' }), h('ul', { class: 'compact' }, c.goneFindings.map(function (f) {
        return h('li', { text: f.id + ' ' + f.requirement + ': ' + f.reason });
      }))) : null,
      c.newRemediations.length ? h('div', null, h('strong', { text: 'New fixes' }), c.newRemediations.map(function (r) {
        return h('div', null, h('p', { text: r.id + ': ' + r.direction + ' ' + r.flow + ' from ' + r.cidr + ' in ' + r.target }), h('pre', { text: r.cli }));
      })) : null,
      c.pairsTruncated ? h('p', { class: 'muted', text: 'Some pairs are left out: a finding listed fewer pairs than it counts.' }) : null);
  }

  function clusterView(gen, name, params) {
    var cursor = params.get('cursor') || '';
    var base = '/v1/clusters/' + encodeURIComponent(name);
    setStatus('Loading ' + name + '…');
    var q = new URLSearchParams({ limit: '20' });
    if (cursor) q.set('cursor', cursor);
    return guard(gen, 'Loading cluster ' + name, Promise.all([json(base + '/status'), json(base + '/changes?' + q.toString())]).then(function (both) {
      if (gen !== generation) return;
      var st = both[0];
      var changes = both[1];
      setStatus('');
      var findings = st.openFindings.length ? h('table', { id: 'open-findings' },
        h('thead', null, h('tr', null, ['finding', 'requirement', 'layer', 'pairs', 'open since', 'reason'].map(function (t) { return h('th', { text: t }); }))),
        h('tbody', null, st.openFindings.map(function (f) {
          return h('tr', null, h('td', null, verdict(f.verdict, f.id)), h('td', { text: f.requirement }), h('td', { text: f.layer }),
            h('td', { class: 'num', text: f.pairCount }), h('td', null, when(f.since)), h('td', { text: f.reason }));
        }))) : h('p', { text: 'No open findings.' });
      var hooks = st.webhooks.length ? h('ul', { class: 'compact' }, st.webhooks.map(function (w) {
        return h('li', { text: w.target + ': ' + w.event + ' ' + w.outcome + ' after ' + w.attempts + ' attempt(s)' + (w.error ? ' — ' + w.error : '') });
      })) : h('p', { class: 'muted', text: 'No webhook deliveries.' });
      show([
        h('p', null, link(['clusters'], '← Clusters')),
        h('h1', { text: 'Cluster ' + st.cluster }),
        h('p', { id: 'cluster-watch', text: 'Watch: ' + scheduleText(st.watch) }),
        h('p', null, 'Last run: ', runSummary(st.lastRun)),
        h('h2', { text: 'Open findings' }), findings,
        h('h2', { text: 'Webhooks' }), hooks,
        h('h2', { text: 'Change history' }),
        h('div', { id: 'change-history' }, changes.items.length ? changes.items.map(changeEvent) : h('p', { text: 'No changes recorded.' })),
        h('div', { class: 'pager' },
          cursor ? link(['clusters', name], '← Newest') : null,
          changes.nextCursor ? link(['clusters', name], 'Older →', { cursor: changes.nextCursor }) : null),
      ]);
    }));
  }

  // ---------------------------------------------------------------- routing
  function render() {
    var gen = ++generation;
    var raw = location.hash.replace(/^#\/?/, '');
    var qAt = raw.indexOf('?');
    var path = qAt < 0 ? raw : raw.slice(0, qAt);
    var params = new URLSearchParams(qAt < 0 ? '' : raw.slice(qAt + 1));
    var parts = path.split('/').filter(Boolean).map(function (p) { try { return decodeURIComponent(p); } catch (e) { return p; } });
    var section = parts[0] || 'audits';
    document.querySelectorAll('nav a[data-view]').forEach(function (a) { a.classList.toggle('current', a.getAttribute('data-view') === section); });
    if (!token()) { askToken('Enter an API token to continue.'); return; }
    tokenAccepted();
    if (section === 'audits' && parts.length === 1 || parts.length === 0) auditsView(gen, params);
    else if (section === 'audits' && parts.length === 2) auditView(gen, parts[1]);
    else if (section === 'whatif' && parts.length === 1) whatifView(gen);
    else if (section === 'clusters' && parts.length === 1) clustersView(gen);
    else if (section === 'clusters' && parts.length === 2) clusterView(gen, parts[1], params);
    else show(h('p', { class: 'error', role: 'alert', text: 'No such view: #/' + path }));
  }
  window.addEventListener('hashchange', render);
  render();
})();
`;
