/* Frontline chat widget. No framework, no build step.
 * Embed: <script src="https://HOST/widget.js" data-site-key="KEY" async></script>
 * Optional: data-user-id and data-user-hash (identity verification),
 * data-open="true" (start open). The site's look (name, colour, greeting, avatar,
 * launcher side, suggested articles) comes from /widget/settings and the welcome
 * frame; CSS variables on #frontline-widget override it: --fl-accent,
 * --fl-accent-text, --fl-bg, --fl-text, --fl-muted, --fl-radius, --fl-font.
 * Every piece of text is set with textContent: never as HTML. The UI lives in a
 * shadow root whose host resets every inherited style (!important wins over the
 * page's), so page CSS cannot hide or restyle it. Protocol: PROTOCOL.md. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__frontlineWidget) return;
  window.__frontlineWidget = true;

  var V = 1;
  var siteKey = script.getAttribute('data-site-key') || '';
  var userId = script.getAttribute('data-user-id') || '';
  var userHash = script.getAttribute('data-user-hash') || '';
  // data-preview="true" shows the site's look without connecting (the demo page's preview of a site).
  var preview = script.getAttribute('data-preview') === 'true';
  var base = new URL(script.src, location.href);
  var wsURL = (base.protocol === 'https:' ? 'wss://' : 'ws://') + base.host + '/widget/ws?site=' + encodeURIComponent(siteKey);
  var storeKey = 'frontline:' + siteKey + (userId ? ':' + userId : '');
  // Close codes after which reconnecting cannot help (PROTOCOL.md).
  var TERMINAL = { 1000: 1, 1003: 1, 1007: 1, 1009: 1, 4400: 1, 4403: 1, 4426: 1, 4430: 1 };

  function load(k) { try { return localStorage.getItem(storeKey + k); } catch (e) { return null; } }
  function save(k, v) { try { if (v == null) localStorage.removeItem(storeKey + k); else localStorage.setItem(storeKey + k, v); } catch (e) { /* private mode */ } }
  function loadPending() { try { return JSON.parse(sessionStorage.getItem(storeKey + ':pending') || '[]'); } catch (e) { return []; } }
  function savePending() { try { sessionStorage.setItem(storeKey + ':pending', JSON.stringify(pending)); } catch (e) { /* ignore */ } }
  function newID() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return 'm_' + Array.prototype.map.call(a, function (b) { return (b & 15).toString(16) + (b >> 4).toString(16); }).join('');
  }

  // ---- DOM helpers: elements and text only ----
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'class') e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    if (text != null) e.textContent = text;
    return e;
  }
  function safeHref(u) {
    try { var p = new URL(u); return (p.protocol === 'https:' || p.protocol === 'http:') ? p.href : null; } catch (e) { return null; }
  }
  var SVGNS = 'http://www.w3.org/2000/svg';
  // icon draws a 24x24 stroked SVG from path data (no emoji: they need a font).
  function icon(d, cls) {
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon ' + (cls || ''));
    var p = document.createElementNS(SVGNS, 'path');
    p.setAttribute('d', d);
    svg.append(p);
    return svg;
  }
  var ICON_CHAT = 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4h0A1.5 1.5 0 0 1 4 14.5z M8 8.5h8 M8 11.5h5';
  var ICON_CLOSE = 'M6 6l12 12 M18 6L6 18';
  var ICON_DOWN = 'M12 4v11 M7 10l5 5 5-5 M5 20h14';
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function clockOf(d) { return pad2(d.getHours()) + ':' + pad2(d.getMinutes()); }
  function dayKey(d) { return d.getFullYear() + '-' + d.getMonth() + '-' + d.getDate(); }
  function dayLabel(d) {
    var now = new Date(), y = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
    if (dayKey(d) === dayKey(now)) return 'Today';
    if (dayKey(d) === dayKey(y)) return 'Yesterday';
    return d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', year: d.getFullYear() === now.getFullYear() ? undefined : 'numeric' });
  }

  var CSS = [
    // !important in a shadow root beats the page's rules, !important too.
    ':host{all:initial!important;display:block!important;position:static!important;visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;contain:none!important;clip-path:none!important;--fl-accent:#2357d9;--fl-accent-text:#fff;--fl-bg:#fff;--fl-text:#1d2330;--fl-muted:#5b6476;--fl-radius:14px;--fl-font:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
    '.w{font:15px/1.4 var(--fl-font);color:var(--fl-text)}',
    '*{box-sizing:border-box;font-family:var(--fl-font);margin:0;letter-spacing:normal;text-transform:none}',
    '[hidden]{display:none!important}',
    'button{font:inherit}',
    '.icon{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:1.8;stroke-linecap:round;stroke-linejoin:round;display:block}',
    'header .icon{width:18px;height:18px}',
    '.launcher{position:fixed;right:20px;bottom:20px;width:58px;height:58px;border-radius:50%;border:0;background:var(--fl-accent);color:var(--fl-accent-text);cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:0}',
    '.launcher .shut,.open .launcher .chat{display:none}.open .launcher .shut{display:block}',
    '.left .launcher{right:auto;left:20px}.left .panel{right:auto;left:20px}',
    '.launcher:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}',
    '.panel{position:fixed;right:20px;bottom:90px;width:370px;max-width:calc(100vw - 40px);height:560px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:var(--fl-bg);color:var(--fl-text);border-radius:var(--fl-radius);box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;z-index:2147483001;font-size:15px;line-height:1.4}',
    '.panel[hidden]{display:none}',
    'header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--fl-accent);color:var(--fl-accent-text)}',
    'header h2{flex:1;margin:0;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}',
    'header button{background:transparent;border:0;color:inherit;cursor:pointer;font-size:14px;padding:6px;border-radius:6px;display:flex;align-items:center}',
    '.avatar{width:34px;height:34px;flex:none;border-radius:50%;background:rgba(255,255,255,.9);color:#1d2330;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:14px;overflow:hidden}',
    '.avatar img{width:100%;height:100%;object-fit:cover;display:block}',
    '.conn{font-size:12px;padding:4px 14px;background:#fff4d6;color:#5c4400}',
    '.log{flex:1 1 auto;min-height:90px;overflow-y:auto;margin:0;padding:12px 12px 16px;list-style:none;display:flex;flex-direction:column;gap:8px;scroll-padding-bottom:16px}',
    '.log>li{flex:none}',
    '.msg{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;background:#eef1f6}',
    '.msg.customer{align-self:flex-end;background:var(--fl-accent);color:var(--fl-accent-text)}',
    '.msg.system{align-self:center;max-width:95%;background:transparent;color:var(--fl-muted);font-size:13px;text-align:center;padding:2px 8px}',
    '.meta{display:flex;gap:6px;align-items:baseline;font-size:12px;color:var(--fl-muted);margin-bottom:2px}',
    '.customer .meta{color:inherit;opacity:.85;justify-content:flex-end}',
    '.who{font-weight:600}',
    '.time{font-size:11px}',
    '.day{align-self:center;font-size:12px;color:var(--fl-muted);background:#f1f3f7;border-radius:10px;padding:2px 10px}',
    '.greet{align-self:stretch;padding:10px 12px;border-radius:12px;background:#f6f7fa;white-space:pre-wrap;overflow-wrap:anywhere}',
    '.greet ul{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-direction:column;gap:4px}',
    '.greet li a{display:block;padding:7px 9px;border:1px solid #d5dae3;border-radius:8px;background:#fff;color:var(--fl-text);text-decoration:none}',
    '.greet li a:hover{border-color:var(--fl-accent)}',
    '.greet .label{display:block;margin-top:8px;font-size:12px;color:var(--fl-muted)}',
    '.state{display:block;font-size:11px;opacity:.8;text-align:right;margin-top:2px}',
    '.cites{margin:6px 0 0;padding:6px 0 0;border-top:1px solid rgba(0,0,0,.08);list-style:none;font-size:13px;white-space:normal}',
    '.cites a{color:inherit;font-weight:600}',
    '.typing{padding:0 14px 6px;color:var(--fl-muted);font-size:13px;min-height:1.4em}',
    '.notice{flex:none;margin:0 12px 8px;padding:10px;border-radius:10px;background:#eef4ff;font-size:14px;max-height:40%;overflow:auto}',
    '.notice form{display:flex;gap:6px;margin-top:6px}',
    '.notice input,.notice textarea{flex:1;padding:7px;border:1px solid #c4cad6;border-radius:8px;font-size:14px}',
    '.stars{display:flex;gap:4px;margin:6px 0}',
    '.picks{display:flex;flex-direction:column;gap:4px;margin-top:6px}.picks button{text-align:left;padding:6px 8px;border:1px solid #c4cad6;border-radius:8px;background:#fff;cursor:pointer}.picks button.none{color:#555}',
    '.stars button{flex:1;padding:6px 0;border:1px solid #c4cad6;border-radius:8px;background:#fff;cursor:pointer}',
    '.stars button[aria-pressed=true]{background:var(--fl-accent);color:var(--fl-accent-text)}',
    '.human{flex:none;margin:0 12px 8px;padding:8px;border:1px solid var(--fl-accent);border-radius:10px;background:transparent;color:var(--fl-accent);cursor:pointer;font-size:14px}',
    'form.compose{flex:none;display:flex;gap:8px;padding:10px 12px;border-top:1px solid #e3e6ec}',
    'form.compose textarea{flex:1;resize:none;height:42px;padding:9px;border:1px solid #c4cad6;border-radius:10px;font-size:15px}',
    '.primary{border:0;border-radius:10px;padding:0 14px;background:var(--fl-accent);color:var(--fl-accent-text);cursor:pointer;font-size:14px}',
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
    '@media (max-width:480px){.panel,.left .panel{left:0;right:0;top:0;bottom:0;width:100%;max-width:100%;height:100%;max-height:100%;border-radius:0}.launcher{right:14px;bottom:14px}.left .launcher{left:14px}.open .launcher{display:none}}',
    '@media (prefers-reduced-motion:no-preference){.panel{transition:opacity .15s}}'
  ].join('\n');

  // ---- build the UI in a shadow root ----
  // A tag of its own (no page rule for div or section reaches it).
  var host = el('frontline-widget', { id: 'frontline-widget' });
  var root = host.attachShadow({ mode: 'open' });
  var style = el('style', null, CSS);
  var lookStyle = el('style');
  var wrap = el('div', { class: 'w' });
  var launcher = el('button', { class: 'launcher', type: 'button', 'aria-label': 'Open chat', 'aria-expanded': 'false', 'aria-controls': 'fl-panel' });
  launcher.append(icon(ICON_CHAT, 'chat'), icon(ICON_CLOSE, 'shut'));
  var panel = el('section', { class: 'panel', id: 'fl-panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'fl-title', hidden: '' });
  var header = el('header');
  var avatar = el('span', { class: 'avatar', 'aria-hidden': 'true' });
  var title = el('h2', { id: 'fl-title' }, 'Chat with us');
  var historyBtn = el('button', { type: 'button', class: 'history', 'aria-label': 'Previous conversations', hidden: '' }, 'History');
  var downloadBtn = el('button', { type: 'button', class: 'download', 'aria-label': 'Download transcript', title: 'Download transcript' });
  downloadBtn.append(icon(ICON_DOWN));
  var closeBtn = el('button', { type: 'button', class: 'close', 'aria-label': 'Close chat' });
  closeBtn.append(icon(ICON_CLOSE));
  header.append(avatar, title, historyBtn, downloadBtn, closeBtn);
  var greet = el('li', { class: 'greet', hidden: '' });
  var connBar = el('div', { class: 'conn', role: 'status', hidden: '' });
  var log = el('ol', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Conversation' });
  var typingEl = el('div', { class: 'typing', 'aria-live': 'off' });
  var queueBox = el('div', { class: 'notice queue', role: 'status', 'aria-live': 'polite', hidden: '' });
  var awayBox = el('div', { class: 'notice away', hidden: '' });
  var csatBox = el('div', { class: 'notice csat', hidden: '' });
  var historyBox = el('div', { class: 'notice historylist', hidden: '' });
  var humanBtn = el('button', { type: 'button', class: 'human' }, 'Talk to a human');
  var form = el('form', { class: 'compose' });
  var inputLabel = el('label', { class: 'sr', for: 'fl-input' }, 'Your message');
  var input = el('textarea', { id: 'fl-input', rows: '1', placeholder: 'Ask a question\u2026', 'aria-label': 'Your message', maxlength: '4000' });
  var sendBtn = el('button', { type: 'submit', class: 'primary' }, 'Send');
  form.append(inputLabel, input, sendBtn);
  panel.append(header, connBar, log, typingEl, queueBox, awayBox, csatBox, historyBox, humanBtn, form);
  wrap.append(launcher, panel);
  root.append(style, lookStyle, wrap);

  // ---- state ----
  var token = load(':token');
  var lastSeq = 0;           // highest seq shown, contiguous from 1
  var bySeq = {};            // seq -> element
  var byClient = {};         // client message id -> element, for my own messages
  var pending = loadPending(); // [{id, body, kind}] sent but not acked
  var sock = null, attempt = 0, connected = false, stopped = false, retryTimer = null;
  var maxBody = 4000, afterHours = false, hoursText = '', opensAt = '', verified = false, status = 'bot';
  var waiters = {};          // request id -> callback(frame)
  var look = {};             // the site's look (/widget/settings, welcome)
  var stick = true;          // the log is scrolled to its end: keep it there

  // ---- open / close with focus handling ----
  function open() {
    panel.hidden = false;
    wrap.classList.add('open');
    showGreeting();
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', 'Close chat');
    input.focus();
    if (!sock && !stopped) connect();
  }
  function close() {
    panel.hidden = true;
    wrap.classList.remove('open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', 'Open chat');
    launcher.focus();
  }
  launcher.addEventListener('click', function () { if (panel.hidden) open(); else close(); });
  closeBtn.addEventListener('click', close);
  panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') { e.preventDefault(); close(); } });

  // ---- the site's look ----
  function applyLook(l) {
    if (!l || typeof l !== 'object') return;
    look = l;
    var hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
    var accent = hex.test(l.accent || '') ? l.accent : '';
    var text = hex.test(l.accent_text || '') ? l.accent_text : '';
    // Only checked colours reach the style sheet; page CSS variables still win.
    lookStyle.textContent = accent ? ':host{--fl-accent:' + accent + ';--fl-accent-text:' + (text || '#fff') + '}' : '';
    wrap.classList.toggle('left', l.position === 'bottom-left');
    if (!agentName) title.textContent = l.name || 'Chat with us';
    avatar.textContent = '';
    var src = safeHref(l.avatar || '');
    if (src) {
      var img = el('img', { alt: '', src: src, referrerpolicy: 'no-referrer' });
      img.addEventListener('error', function () { avatar.textContent = initials(l.name); });
      avatar.append(img);
    } else avatar.textContent = initials(l.name);
    avatar.hidden = !avatar.firstChild;
    showGreeting();
  }
  function initials(name) {
    return (name || '').split(/\s+/).filter(Boolean).slice(0, 2).map(function (w) { return w.charAt(0).toUpperCase(); }).join('');
  }
  // The greeting heads the log; its suggested articles show while nothing is said.
  function showGreeting() {
    greet.textContent = '';
    var empty = !log.querySelector('li.msg');
    var sugg = empty && look.suggestions && look.suggestions.length ? look.suggestions : [];
    if (look.greeting) greet.append(el('span', { class: 'text' }, look.greeting));
    if (sugg.length) {
      greet.append(el('span', { class: 'label', id: 'fl-sugg' }, 'Popular articles'));
      var ul = el('ul', { 'aria-labelledby': 'fl-sugg' });
      sugg.forEach(function (a) {
        var href = safeHref(a.url || '');
        if (!href) return;
        var li = el('li');
        li.append(el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, a.title || href));
        ul.append(li);
      });
      greet.append(ul);
    }
    greet.hidden = !greet.firstChild;
    if (greet.parentNode !== log || log.firstChild !== greet) log.prepend(greet);
  }
  function fetchLook() {
    if (!window.fetch) return;
    fetch(base.origin + '/widget/settings?site=' + encodeURIComponent(siteKey), { credentials: 'omit' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (l) { if (l && !lookFromWelcome) applyLook(l); })
      .catch(function () { /* the welcome frame brings it too */ });
  }
  var lookFromWelcome = false, agentName = '';

  // ---- rendering ----
  var setTop = -1; // where the widget itself last scrolled the log
  function scrollDown() { log.scrollTop = log.scrollHeight; setTop = log.scrollTop; stick = true; }
  // Only the reader's own scrolling decides whether to stay at the end.
  log.addEventListener('scroll', function () {
    if (Math.abs(log.scrollTop - setTop) > 1) stick = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  });
  // Whatever changes the log's height (a notice shown under it, the phone's
  // keyboard, a new message) keeps its end in view when it was in view.
  if (window.ResizeObserver) {
    var ro = new ResizeObserver(function () { if (stick) scrollDown(); });
    ro.observe(log);
  }
  function keepEnd() { if (stick) scrollDown(); }
  function stateText(s) { return { sending: 'Sending\u2026', sent: 'Sent', retrying: 'Not sent yet \u2013 retrying', failed: 'Failed' }[s] || ''; }
  function setState(li, s, why) {
    li.setAttribute('data-state', s);
    var st = li.querySelector('.state');
    if (st) st.textContent = stateText(s) + (why ? ': ' + why : '');
  }
  function who(m) {
    if (m.author === 'bot') return m.author_name || 'Assistant';
    if (m.author === 'agent') return m.author_name || 'Support agent';
    return '';
  }
  function fillMessage(li, m) {
    li.className = 'msg ' + m.author;
    li.textContent = '';
    var at = m.created_at ? new Date(m.created_at) : new Date();
    li.setAttribute('data-day', dayKey(at));
    if (m.author !== 'system') {
      var meta = el('span', { class: 'meta' });
      var name = who(m) || (m.author === 'customer' ? 'You' : '');
      if (name) meta.append(el('span', { class: 'who' }, name));
      meta.append(el('time', { class: 'time', datetime: at.toISOString() }, clockOf(at)));
      li.append(meta);
    }
    var cites = m.citations || [];
    var picking = m.kind === 'fallback' && m.author === 'bot';
    li.append(el('span', { class: 'body' }, !cites.length ? m.body : picking ? withoutListedTitles(m.body, cites) : withoutSourceLines(m.body, cites)));
    if (cites.length && !picking) {
      // One citation style: the sources once, under the answer.
      var ul = el('ul', { class: 'cites', 'aria-label': 'Sources' });
      cites.forEach(function (c) {
        var href = safeHref(c.url || '');
        var item = el('li');
        item.append(document.createTextNode('Source: '));
        if (href) item.append(el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, c.title || href));
        else item.append(el('span', null, c.title || ''));
        ul.append(item);
      });
      li.append(ul);
    }
    if (cites.length) {
      // A "not sure" reply offers its articles to pick from: a button sends
      // the title (the bot answers from that article), or asks for a person.
      if (picking) {
        var picks = el('div', { class: 'picks', role: 'group', 'aria-label': 'Is it one of these?' });
        m.citations.forEach(function (c) {
          var b = el('button', { type: 'button' }, c.title || '');
          b.addEventListener('click', function () { submit(c.title); });
          picks.append(b);
        });
        var none = el('button', { type: 'button', class: 'none' }, 'None of these: talk to a person');
        none.addEventListener('click', function () { humanBtn.click(); });
        picks.append(none);
        li.append(picks);
      }
    }
    if (m.author === 'customer') li.append(el('span', { class: 'state', 'aria-hidden': 'true' }));
  }
  // withoutSourceLines drops the answer's closing lines that name its
  // sources ("Source: Returns (https://...)"): the list under it shows them.
  function withoutSourceLines(body, cites) {
    var lines = String(body).split('\n');
    function names(line) {
      return line && cites.some(function (c) { return (c.url && line.indexOf(c.url) >= 0) || (c.title && line.indexOf(c.title) >= 0 && line.length < c.title.length + 40); });
    }
    while (lines.length > 1 && (names(lines[lines.length - 1]) || !lines[lines.length - 1].trim())) lines.pop();
    return lines.join('\n');
  }
  // withoutListedTitles drops a "not sure" reply's numbered list of the
  // articles it offers ("1. Returns"): the buttons under it are that list.
  function withoutListedTitles(body, cites) {
    var titles = cites.map(function (c) { return c.title; });
    return String(body).split('\n').filter(function (line) {
      var m = /^\s*\d+[.)]\s+(.*?)\s*$/.exec(line);
      return !(m && titles.indexOf(m[1]) >= 0);
    }).join('\n').replace(/\n{3,}/g, '\n\n');
  }
  // Date dividers: one before the first message of each day.
  function markDays() {
    Array.prototype.forEach.call(log.querySelectorAll(':scope > li.day'), function (d) { d.remove(); });
    var prev = '';
    Array.prototype.forEach.call(log.querySelectorAll(':scope > li.msg'), function (li) {
      var k = li.getAttribute('data-day');
      if (k && k !== prev) {
        var p = k.split('-');
        log.insertBefore(el('li', { class: 'day', role: 'separator' }, dayLabel(new Date(+p[0], +p[1], +p[2]))), li);
      }
      prev = k || prev;
    });
  }
  function showLocal(p) {
    var li = el('li');
    fillMessage(li, { author: 'customer', body: p.body });
    li.setAttribute('data-client-id', p.id);
    byClient[p.id] = li;
    setState(li, connected ? 'sending' : 'retrying');
    log.append(li);
    if (!greet.hidden) showGreeting();
    markDays();
    scrollDown();
    return li;
  }
  function showStored(m) {
    if (m.seq <= lastSeq || bySeq[m.seq]) return;
    if (m.seq !== lastSeq + 1 && window.console) console.warn('frontline: gap before seq', m.seq, 'after', lastSeq);
    lastSeq = m.seq;
    var li = (m.client_msg_id && byClient[m.client_msg_id]) || el('li');
    fillMessage(li, m);
    li.setAttribute('data-seq', String(m.seq));
    // Stored messages go in seq order, above my messages still unacknowledged.
    var firstPending = log.querySelector(':scope > li[data-client-id]:not([data-seq])');
    if (firstPending && firstPending !== li) log.insertBefore(li, firstPending); else if (!firstPending || li.parentNode !== log) log.append(li);
    if (m.client_msg_id) { li.setAttribute('data-client-id', m.client_msg_id); byClient[m.client_msg_id] = li; setState(li, 'sent'); dropPending(m.client_msg_id); }
    bySeq[m.seq] = li;
    if (m.author === 'agent' && m.author_name) { agentName = m.author_name; title.textContent = m.author_name; }
    if (m.author === 'system' && (m.kind === 'resolved' || m.kind === 'csat_request')) showCSAT();
    if (m.author === 'system' && (m.kind === 'resolved' || m.kind === 'handed_back')) {
      queueBox.hidden = true; humanBtn.hidden = false; agentName = ''; title.textContent = look.name || 'Chat with us';
    }
  }
  function dropPending(id) {
    var n = pending.filter(function (p) { return p.id !== id; });
    if (n.length !== pending.length) { pending = n; savePending(); }
  }
  function clearLog() { log.textContent = ''; bySeq = {}; byClient = {}; lastSeq = 0; showGreeting(); pending.forEach(showLocal); }

  // ---- socket ----
  function send(f) {
    f.v = V;
    if (!sock || sock.readyState !== 1) return false;
    sock.send(JSON.stringify(f));
    return true;
  }
  function setConn(text) { connBar.textContent = text || ''; connBar.hidden = !text; }
  function connect() {
    clearTimeout(retryTimer);
    if (preview) { stopped = true; setConn('Preview of this site\u2019s widget: chatting is off here.'); return; }
    var ws = new WebSocket(wsURL);
    sock = ws;
    ws.onopen = function () {
      var h = { type: 'hello', last_seq: lastSeq };
      if (token) h.token = token;
      if (userId) { h.user_id = userId; h.user_hash = userHash; }
      send(h);
    };
    ws.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      handle(f);
    };
    ws.onclose = function (ev) {
      if (sock !== ws) return;
      sock = null;
      connected = false;
      Object.keys(byClient).forEach(function (id) { var li = byClient[id]; if (li.getAttribute('data-state') === 'sending') setState(li, 'retrying'); });
      typingEl.textContent = '';
      if (TERMINAL[ev.code]) { stopped = true; setConn('Chat is unavailable right now.'); return; }
      if (ev.code === 4401) { token = null; save(':token', null); lastSeq = 0; }
      var delay = ev.code === 4401 ? 0 : Math.min(30000, 500 * Math.pow(2, attempt++));
      delay = delay / 2 + Math.random() * delay / 2; // jitter: spread reconnects after a restart
      if (ev.code === 4429) delay = Math.max(delay, retryAfter);
      setConn('Reconnecting\u2026');
      retryTimer = setTimeout(connect, delay);
    };
  }
  var retryAfter = 1000;

  function handle(f) {
    switch (f.type) {
      case 'welcome':
        attempt = 0; connected = true; setConn('');
        token = f.token; save(':token', token);
        maxBody = f.max_body || maxBody; afterHours = f.after_hours; hoursText = f.hours || ''; opensAt = f.opens_at || ''; verified = f.verified; status = f.status;
        historyBtn.hidden = !verified;
        if (f.look) { lookFromWelcome = true; applyLook(f.look); } else if (f.site_name && !agentName) title.textContent = f.site_name;
        if (f.reset) clearLog();
        if (status === 'resolved') showCSAT();
        humanBtn.hidden = status === 'queued' || status === 'assigned';
        pending.forEach(function (p) {
          if (byClient[p.id]) setState(byClient[p.id], 'sending');
          send(frameFor(p));
        });
        break;
      case 'token':
        token = f.token; save(':token', token);
        break;
      case 'messages':
        f.messages.forEach(showStored);
        showGreeting();
        markDays();
        scrollDown();
        break;
      case 'ack':
        if (byClient[f.id]) setState(byClient[f.id], 'sent');
        dropPending(f.id);
        if (waiters[f.id]) { waiters[f.id](f); delete waiters[f.id]; }
        break;
      case 'typing':
        typingEl.textContent = f.on ? (f.who === 'agent' ? (f.name || 'Agent') : 'Assistant') + ' is typing\u2026' : '';
        keepEnd();
        break;
      case 'queue':
        showQueue(f);
        break;
      case 'history': case 'transcript':
        if (waiters[f.id]) { waiters[f.id](f); delete waiters[f.id]; }
        break;
      case 'error':
        if (f.code === 'rate_limited' && f.retry_after_ms) retryAfter = f.retry_after_ms;
        if (f.id && byClient[f.id] && (f.code === 'too_large' || f.code === 'invalid')) { setState(byClient[f.id], 'failed', f.message); dropPending(f.id); }
        else if (f.id && byClient[f.id] && (f.code === 'internal' || f.code === 'unavailable')) {
          // Not stored: keep it pending and send it again (same id, so never twice).
          setState(byClient[f.id], 'retrying');
          setTimeout(function () { resend(f.id); }, 1000 + Math.random() * 2000);
        }
        if (f.id && waiters[f.id]) { waiters[f.id](f); delete waiters[f.id]; }
        break;
    }
  }

  // ---- sending ----
  function frameFor(p) { return p.kind === 'request_human' ? { type: 'request_human', id: p.id } : { type: 'message', id: p.id, body: p.body }; }
  function resend(id) {
    pending.forEach(function (p) { if (p.id === id && connected && send(frameFor(p))) setState(byClient[id], 'sending'); });
  }
  function submit(body, kind) {
    var p = { id: newID(), body: body, kind: kind || '' };
    pending.push(p); savePending();
    showLocal(p);
    if (!sock && !stopped) connect();
    if (connected) send(frameFor(p));
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = input.value.trim();
    if (!body) return;
    if (new TextEncoder().encode(body).length > maxBody) { setConn('That message is too long.'); return; }
    input.value = '';
    submit(body);
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  humanBtn.addEventListener('click', function () {
    submit('I would like to talk to a person.', 'request_human');
    humanBtn.hidden = true;
    queueBox.hidden = false;
    queueBox.textContent = 'Asking for a person\u2026';
    if (afterHours) showAway();
    keepEnd();
  });

  // ---- the human queue ----
  function showQueue(f) {
    queueBox.hidden = false;
    queueBox.textContent = '';
    if (f.status === 'waiting') {
      queueBox.append(el('strong', null, 'A person will join shortly.'), el('br'),
        el('span', { class: 'position' }, 'You are number ' + f.position + ' in line'),
        el('span', { class: 'eta' }, f.eta_seconds > 0 ? ', about ' + Math.max(1, Math.round(f.eta_seconds / 60)) + ' min.' : '.'));
      if (f.opens_at) {
        var opens = new Date(f.opens_at);
        queueBox.append(el('br'), el('span', { class: 'opens' }, 'The team is away; they answer from ' +
          opens.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' }) + '.'));
      }
      if (afterHours || f.opens_at) showAway();
      humanBtn.hidden = true;
    } else if (f.status === 'assigned') {
      humanBtn.hidden = true;
      var name = f.agent_name || 'A support agent';
      queueBox.append(el('strong', { class: 'agent' }, name), el('span', null, ' joined the conversation.'));
      if (f.agent_name) agentName = f.agent_name;
      title.textContent = name;
      awayBox.hidden = true;
    } else if (f.status === 'resolved') {
      queueBox.hidden = true;
      humanBtn.hidden = false;
    }
    keepEnd();
  }
  function showAway() {
    if (!awayBox.hidden) return;
    awayBox.hidden = false;
    awayBox.textContent = '';
    var f = el('form');
    var email = el('input', { type: 'email', required: '', 'aria-label': 'Your email', placeholder: 'you@example.com', autocomplete: 'email' });
    f.append(email, el('button', { type: 'submit', class: 'primary' }, 'Send'));
    var back = opensAt ? '; we answer from ' + new Date(opensAt).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) : '';
    awayBox.append(el('span', null, 'Our team is away right now' + (hoursText ? ' (hours: ' + hoursText + ')' : '') + back + '. Leave your email and we will write back.'), f);
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var id = newID();
      waiters[id] = function (r) { awayBox.textContent = r.type === 'ack' ? 'Thanks \u2013 we will email you.' : (r.message || 'Could not save your email.'); };
      if (!send({ type: 'contact', id: id, email: email.value.trim() })) awayBox.append(el('span', null, ' Not connected; try again.'));
    });
  }

  // ---- CSAT ----
  function showCSAT() {
    if (!csatBox.hidden || csatBox.getAttribute('data-done')) return;
    csatBox.hidden = false;
    csatBox.textContent = '';
    var rating = 0;
    var legend = el('span', { id: 'fl-csat-q' }, 'How did we do?');
    var stars = el('div', { class: 'stars', role: 'group', 'aria-labelledby': 'fl-csat-q' });
    for (var i = 1; i <= 5; i++) (function (n) {
      var b = el('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': n + ' of 5' }, String(n));
      b.addEventListener('click', function () {
        rating = n;
        Array.prototype.forEach.call(stars.children, function (x, j) { x.setAttribute('aria-pressed', String(j + 1 === n)); });
      });
      stars.append(b);
    })(i);
    var f = el('form');
    var comment = el('input', { type: 'text', 'aria-label': 'Comment (optional)', placeholder: 'Comment (optional)', maxlength: '2000' });
    f.append(comment, el('button', { type: 'submit', class: 'primary' }, 'Rate'));
    csatBox.append(legend, stars, f);
    keepEnd();
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!rating) { legend.textContent = 'Pick a rating from 1 to 5.'; return; }
      var id = newID();
      waiters[id] = function (r) {
        if (r.type === 'ack') { csatBox.setAttribute('data-done', '1'); csatBox.textContent = 'Thank you for your rating.'; }
        else legend.textContent = r.message || 'Could not send your rating.';
      };
      send({ type: 'csat', id: id, rating: rating, comment: comment.value.trim() || undefined });
    });
  }

  // ---- transcript and history ----
  function transcript(convID, cb) {
    var id = newID();
    waiters[id] = cb;
    if (!send({ type: 'transcript', id: id, conversation_id: convID || undefined })) { delete waiters[id]; setConn('Not connected; try again.'); }
  }
  function download(f) {
    if (f.type !== 'transcript') { setConn(f.message || 'Nothing to download yet.'); return; }
    var lines = f.messages.map(function (m) {
      return '[' + new Date(m.created_at).toLocaleString() + '] ' + (who(m) || (m.author === 'customer' ? 'You' : 'System')) + ': ' + m.body +
        (m.citations || []).map(function (c) { return '\n    source: ' + c.title + (c.url ? ' <' + c.url + '>' : ''); }).join('');
    });
    var blob = new Blob([lines.join('\n') + '\n'], { type: 'text/plain;charset=utf-8' });
    var a = el('a', { href: URL.createObjectURL(blob), download: 'conversation-' + f.conversation_id + '.txt' });
    root.append(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }
  downloadBtn.addEventListener('click', function () { transcript('', download); });
  historyBtn.addEventListener('click', function () {
    var id = newID();
    waiters[id] = function (f) {
      historyBox.hidden = false;
      historyBox.textContent = '';
      if (f.type !== 'history') { historyBox.textContent = f.message; return; }
      var ul = el('ul');
      f.conversations.forEach(function (c) {
        var b = el('button', { type: 'button' }, new Date(c.created_at).toLocaleDateString() + ' \u2013 ' + c.status + ' (' + c.last_seq + ' messages)');
        b.addEventListener('click', function () { transcript(c.id, download); });
        var li = el('li'); li.append(b); ul.append(li);
      });
      historyBox.append(el('strong', null, 'Previous conversations'), ul);
    };
    send({ type: 'history', id: id });
  });

  function mount() {
    document.body.append(host);
    fetchLook();
    pending.forEach(showLocal);
    if (script.getAttribute('data-open') === 'true' || token || pending.length) connect();
    if (script.getAttribute('data-open') === 'true') open();
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
