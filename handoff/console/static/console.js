// Frontline agent console. Reads live over the agent socket; every action
// is a call to the agent API, so a session that has ended is noticed at
// once (the draft stays in sessionStorage and comes back after sign-in).
"use strict";

(function () {
  const { el, $, clear, api } = FL;
  const state = {
    user: null, agent: null, boss: false,
    entries: new Map(), seen: null,
    canned: [], teams: [], tiers: [],
    cur: null, // {id, entry, conv, lastSeq, lastEvent, seqs:Set, events:Set}
    mode: "reply", names: new Map(),
    cannedIdx: -1, typingSent: 0, typingOff: null, custTyping: null,
  };
  window.__console = state; // for tests and curious agents

  // ---- flash and alert ----
  let flashTimer = null;
  function flash(msg, bad) {
    const f = $("flash");
    f.textContent = msg;
    f.className = "flash" + (bad ? " bad" : "");
    f.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { f.hidden = true; }, bad ? 8000 : 3000);
  }
  async function run(fn, ok) {
    try {
      const r = await fn();
      if (ok) flash(ok);
      return r;
    } catch (e) {
      flash(e.message, true);
      return undefined;
    }
  }

  // One audio context, made when the agent ticks Sound (a gesture, so
  // browsers let it play later, in the background too).
  let audio = null;
  function beep() {
    if (!$("sound").checked) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const ctx = audio;
      if (ctx.state === "suspended") ctx.resume();
      const o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880;
      g.gain.setValueAtTime(0.15, ctx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
      o.connect(g).connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.4);
    } catch (e) { /* no audio: the banner still shows */ }
  }

  function alertHandoff(e, mine) {
    if (state.cur && state.cur.id === e.conversation_id && !document.hidden) return; // on screen already
    const text = (mine ? "Assigned to you: " : "New hand-off: ") + FL.tier(e.tier) + " " + teamName(e.team) + " — " +
      FL.reasons(e.packet).map((r) => r.text).join(", ");
    $("alert-text").textContent = text;
    $("alert").dataset.id = e.conversation_id;
    $("alert").hidden = false;
    window.__alertAt = Date.now();
    beep();
    if (document.hidden && "Notification" in window && Notification.permission === "granted") {
      const n = new Notification("Frontline: " + (mine ? "a conversation for you" : "a new hand-off"), { body: text, tag: e.conversation_id });
      n.onclick = () => { window.focus(); openConv(e.conversation_id); n.close(); };
    }
  }

  function teamName(id) {
    const t = state.teams.find((x) => x.id === id);
    return t ? t.name : id;
  }

  // ---- queue ----
  function onQueue(f) {
    const next = new Map();
    for (const e of f.handoffs || []) next.set(e.conversation_id, e);
    if (state.seen) {
      for (const [id, e] of next) {
        if (!state.seen.has(id) && e.status === "waiting") alertHandoff(e, false);
      }
    }
    state.seen = new Set(next.keys());
    state.entries = next;
    renderQueue();
    if (state.cur && next.has(state.cur.id)) {
      const e = next.get(state.cur.id);
      if (e.status !== state.cur.entry.status || e.assignee_id !== state.cur.entry.assignee_id || e.epoch !== state.cur.entry.epoch) refreshEntry();
    }
  }

  function entryItem(e) {
    const now = Date.now();
    const b = el("button", { type: "button", class: "entry", dataset: { id: e.conversation_id } });
    if (state.cur && state.cur.id === e.conversation_id) b.setAttribute("aria-current", "true");
    const who = (e.packet && e.packet.profile && e.packet.profile.name) || "";
    b.append(...[
      el("span", { class: "line1" },
        el("span", { class: "prio prio-" + e.priority }, e.priority),
        el("span", { class: "tier" }, FL.tier(e.tier)),
        el("span", { class: "team" }, teamName(e.team)),
        e.status === "assigned" && e.assignee_id !== state.user.id ? el("span", { class: "assignee" }, e.assignee_name || "assigned") : null),
      el("span", { class: "badges" }, FL.reasons(e.packet).map((r) => el("span", { class: "badge reason-" + r.key }, r.text))),
      who ? el("span", { class: "who" }, who) : null,
      el("span", { class: "summary" }, (e.packet && e.packet.summary || "").slice(0, 140)),
      el("span", { class: "times" },
        el("span", { class: "waited", dataset: { since: e.enqueued_at } }, "waiting " + FL.dur(now - new Date(e.enqueued_at))),
        el("span", { class: "sla" }))].filter(Boolean));
    b.addEventListener("click", () => openConv(e.conversation_id));
    const li = el("li", {}, b);
    tickItem(li, e, now);
    return li;
  }

  function tickItem(li, e, now) {
    const w = li.querySelector(".waited");
    if (w) w.textContent = (e.status === "waiting" ? "waiting " : "open ") + FL.dur(now - new Date(e.enqueued_at));
    const s = li.querySelector(".sla");
    const st = FL.sla(e, now);
    li.firstChild.dataset.sla = st ? st.state : "none";
    if (!s) return;
    s.className = "sla" + (st ? " sla-" + st.state : "");
    if (!st) { s.textContent = ""; return; }
    if (!st.due) s.textContent = "SLA breached";
    else if (st.left < 0) s.textContent = "SLA breached " + FL.dur(st.left) + " ago";
    else s.textContent = "reply due in " + FL.dur(st.left);
  }

  function renderQueue() {
    const mine = [], waiting = [], others = [];
    for (const e of state.entries.values()) {
      if (e.status === "waiting") waiting.push(e);
      else if (e.assignee_id === state.user.id) mine.push(e);
      else others.push(e);
    }
    const fill = (ul, list, none) => {
      clear(ul);
      if (!list.length) ul.append(el("li", { class: "none" }, none));
      for (const e of list) ul.append(entryItem(e));
    };
    fill($("mine"), mine, "Nothing assigned to you.");
    fill($("waiting"), waiting, "Nobody is waiting.");
    fill($("others"), others, "");
    $("others-h").hidden = !others.length;
    $("queue-count").textContent = waiting.length ? String(waiting.length) : "";
    document.title = (waiting.length ? "(" + waiting.length + ") " : "") + "Console · Frontline";
  }

  function tick() {
    const now = Date.now();
    for (const li of document.querySelectorAll(".entries li")) {
      const b = li.querySelector("button.entry");
      if (!b) continue;
      const e = state.entries.get(b.dataset.id);
      if (e) tickItem(li, e, now);
    }
    if (state.cur) {
      const st = FL.sla(state.cur.entry, now);
      const s = $("conv-sla");
      s.className = "sla" + (st ? " sla-" + st.state : "");
      s.textContent = !st ? "" : !st.due ? "SLA breached" : st.left < 0 ? "SLA breached " + FL.dur(st.left) + " ago" : "reply due in " + FL.dur(st.left);
    }
  }

  // ---- the conversation ----
  function draftKey(id) { return "fl.draft." + state.user.id + "." + id; }

  async function openConv(id) {
    if (state.cur && state.cur.id !== id && socket.connected) socket.send("close", { conversation_id: state.cur.id }).catch(() => null);
    const view = await run(() => api("GET", "/api/agent/conversations/" + encodeURIComponent(id)));
    if (!view) return;
    state.cur = { id, entry: view.entry, conv: view.conversation, lastSeq: 0, lastEvent: 0, seqs: new Set(), events: new Set() };
    history.replaceState(null, "", "#c=" + encodeURIComponent(id));
    $("alert").hidden = $("alert").dataset.id === id ? true : $("alert").hidden;
    $("empty").hidden = true;
    $("conv").hidden = false;
    $("packet-empty").hidden = true;
    $("packet").hidden = false;
    clear($("transcript"));
    addItems(view.messages || [], view.events || []);
    renderHead();
    renderPacket();
    loadHistory(id);
    $("reply").value = sessionStorage.getItem(draftKey(id)) || "";
    setMode(sessionStorage.getItem(draftKey(id) + ".mode") || "reply");
    $("typing").hidden = true;
    showPane("chat");
    renderQueue();
    if (socket.connected) subscribe();
    const mine = view.entry.status === "assigned" && view.entry.assignee_id === state.user.id;
    (mine ? $("reply") : $("conv-title")).focus();
  }

  function subscribe() {
    if (!state.cur) return;
    socket.send("open", { conversation_id: state.cur.id, last_seq: state.cur.lastSeq, last_event_id: state.cur.lastEvent })
      .catch((e) => flash(e.message, true));
  }

  async function refreshEntry() {
    if (!state.cur) return;
    const id = state.cur.id;
    const view = await api("GET", "/api/agent/conversations/" + encodeURIComponent(id)).catch(() => null);
    if (!view || !state.cur || state.cur.id !== id) return;
    state.cur.entry = view.entry;
    state.cur.conv = view.conversation;
    renderHead();
    renderPacket();
  }

  function author(m) {
    switch (m.author) {
      case "customer": return customerName();
      case "bot": return "Bot";
      case "agent": return m.author_name || "Agent";
      default: return "System";
    }
  }
  function customerName() {
    const c = state.cur && state.cur.conv;
    return (c && c.profile && c.profile.name) || "Customer";
  }

  function msgItem(m) {
    if (m.author_id && m.author_name) state.names.set(m.author_id, m.author_name);
    const li = el("li", { class: "msg " + m.author, dataset: { seq: m.seq, at: m.created_at } },
      el("span", { class: "who" }, author(m)),
      el("time", { datetime: m.created_at }, FL.time(m.created_at)),
      el("p", { class: "body" }, m.body));
    const cites = (m.meta && m.meta.citations) || [];
    if (cites.length) {
      li.append(el("ul", { class: "cites", "aria-label": "Sources" },
        cites.map((c) => el("li", {}, safeURL(c.url) ? el("a", { href: safeURL(c.url), target: "_blank", rel: "noopener noreferrer" }, c.title) : c.title))));
    }
    return li;
  }
  function safeURL(u) {
    try {
      const x = new URL(u, location.href);
      return x.protocol === "https:" || x.protocol === "http:" ? x.href : "";
    } catch (e) { return ""; }
  }

  function eventText(ev) {
    const d = ev.data || {};
    const who = ev.actor === state.user.id ? "You" : (state.names.get(ev.actor) || d.name || (ev.actor === "bot" ? "Bot" : ev.actor === "system" ? "System" : "A colleague"));
    switch (ev.kind) {
      case "note": return null;
      case "handoff": return "Handed off to " + FL.tier(d.tier) + " " + teamName(d.team) + " (" + d.priority + "): " + d.reason;
      case "claim":
        if (d.agent_id && d.name) state.names.set(d.agent_id, d.name);
        return (d.name || "An agent") + (d.reason ? " took it (" + d.reason + ")" : " took it");
      case "transfer": return who + " transferred it from " + FL.tier(d.from_tier) + " " + teamName(d.from_team) + " to " + FL.tier(d.to_tier) + " " + teamName(d.to_team) + ": " + d.reason;
      case "escalation": return "Escalated from " + FL.tier(d.from_tier) + " to " + FL.tier(d.to_tier) + ": " + d.reason;
      case "handback": return who + " handed it back to the bot";
      case "resolution": return who + " resolved it";
      case "reopen": return who + " reopened it";
      case "unassign": return (d.name || "The agent") + " lost it: " + (d.reason || "unassigned");
      case "tags": return who + " set the tags: " + ((d.tags || []).join(", ") || "none");
      case "sla.warning": return "SLA warning: " + FL.label(d.target) + " due " + FL.time(d.due_at);
      case "sla.breach": return "SLA breached: " + FL.label(d.target) + " was due " + FL.time(d.due_at);
      case "csat.request": return who + " asked the customer for a rating";
      case "csat": return "The customer rated it " + d.rating + " of 5" + (d.comment ? ": " + d.comment : "");
      case "privacy": return "Marked private: " + (d.reason || "");
    }
    return null;
  }

  function eventItem(ev) {
    if (ev.kind === "note") {
      const d = ev.data || {};
      const who = ev.actor === state.user.id ? "You" : (state.names.get(ev.actor) || "A colleague");
      return el("li", { class: "note", dataset: { event: ev.id, at: ev.created_at } },
        el("span", { class: "who" }, who + " · private note"),
        el("time", { datetime: ev.created_at }, FL.time(ev.created_at)),
        el("p", { class: "body" }, d.body || ""));
    }
    const t = eventText(ev);
    if (!t) return null;
    return el("li", { class: "event ev-" + ev.kind.replace(/\./g, "-"), dataset: { event: ev.id, at: ev.created_at } },
      el("time", { datetime: ev.created_at }, FL.time(ev.created_at)), " ", t);
  }

  // addItems puts new messages and events in the transcript in time
  // order, each once.
  function addItems(msgs, evs) {
    const cur = state.cur;
    const items = [];
    for (const m of msgs) {
      if (cur.seqs.has(m.seq)) continue;
      cur.seqs.add(m.seq);
      cur.lastSeq = Math.max(cur.lastSeq, m.seq);
      items.push({ at: m.created_at, node: msgItem(m) });
      if (m.author === "customer") setCustTyping(false);
    }
    for (const ev of evs) {
      if (cur.events.has(ev.id)) continue;
      cur.events.add(ev.id);
      cur.lastEvent = Math.max(cur.lastEvent, ev.id);
      if (ev.kind === "claim" && ev.data && ev.data.agent_id) state.names.set(ev.data.agent_id, ev.data.name);
      const node = eventItem(ev);
      if (node) items.push({ at: ev.created_at, node });
    }
    items.sort((a, b) => new Date(a.at) - new Date(b.at));
    const list = $("transcript");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    for (const it of items) {
      // Usually the newest; insert before any later item otherwise.
      let before = null;
      for (let n = list.lastElementChild; n && new Date(n.dataset.at) > new Date(it.at); n = n.previousElementSibling) before = n;
      list.insertBefore(it.node, before);
    }
    if (atBottom || items.length) list.scrollTop = list.scrollHeight;
  }

  function renderHead() {
    const { entry, conv } = state.cur;
    const named = conv.profile && conv.profile.name;
    $("conv-title").textContent = (named ? customerName() : conv.customer_id ? "Customer " + conv.customer_id : "Anonymous visitor") +
      (conv.profile && conv.profile.email ? " <" + conv.profile.email + ">" : "");
    $("conv-title").tabIndex = -1;
    const st = $("conv-status");
    st.textContent = entry.status === "assigned" ? (entry.assignee_id === state.user.id ? "yours" : "with " + (entry.assignee_name || "an agent")) : entry.status;
    st.className = "status status-" + entry.status;
    $("conv-line").textContent = entry.priority + " · " + FL.tier(entry.tier) + " · " + teamName(entry.team);
    const mine = entry.status === "assigned" && entry.assignee_id === state.user.id;
    const own = mine || (state.boss && entry.status === "assigned");
    $("act-claim").hidden = entry.status !== "waiting";
    $("act-csat").hidden = !mine;
    $("act-transfer").hidden = !own;
    $("act-handback").hidden = !own;
    $("act-resolve").hidden = !own;
    $("act-reopen").hidden = entry.status !== "resolved";
    if (!own) $("transfer-form").hidden = true;
    $("mode-reply").disabled = !mine;
    // Only the assignee replies; when it becomes theirs, the box replies.
    if (!mine && state.mode === "reply") setMode("note");
    else if (mine && state.cur.mine === false) setMode("reply");
    state.cur.mine = mine;
    tick();
  }

  function setMode(m) {
    const mine = state.cur && state.cur.entry.status === "assigned" && state.cur.entry.assignee_id === state.user.id;
    if (m === "reply" && !mine) m = "note";
    state.mode = m;
    $("mode-reply").setAttribute("aria-selected", String(m === "reply"));
    $("mode-note").setAttribute("aria-selected", String(m === "note"));
    $("reply-form").classList.toggle("noting", m === "note");
    $("reply-label").firstChild.textContent = m === "note" ? "Private note (only agents see it) " : "Reply to the customer ";
    $("send").textContent = m === "note" ? "Add note" : "Send";
    $("insert-article").disabled = m !== "reply";
    if (state.cur) sessionStorage.setItem(draftKey(state.cur.id) + ".mode", m);
  }

  function renderPacket() {
    const { entry, conv } = state.cur;
    const p = entry.packet || {};
    $("p-reason").textContent = p.reason || "—";
    const badges = clear($("p-badges"));
    badges.append(el("span", { class: "prio prio-" + entry.priority }, entry.priority));
    if (p.severity && p.severity !== "none") badges.append(el("span", { class: "badge reason-severity" }, "severity: " + FL.label(p.severity)));
    if (p.private) badges.append(el("span", { class: "badge" }, "private"));
    const sig = clear($("p-signals"));
    for (const s of p.signals || []) {
      const li = el("li", {}, el("strong", {}, s.kind === "severity" ? "severity: " + FL.label(s.topic) : FL.label(s.kind)),
        s.confidence ? el("span", { class: "score" }, " " + Math.round(s.confidence * 100) + "%") : null,
        s.reason ? el("span", { class: "sig-reason" }, " — " + s.reason) : null);
      for (const ev of s.evidence || []) li.append(el("blockquote", {}, "\u201c" + ev.text + "\u201d"));
      sig.append(li);
    }
    if (!(p.signals || []).length) sig.append(el("li", { class: "none" }, "No signal: the bot could not answer."));
    $("p-summary").textContent = p.summary || "—";
    const facts = clear($("p-customer"));
    const prof = Object.assign({}, p.profile || {}, conv.profile || {});
    const fact = (k, v) => { if (v) facts.append(el("dt", {}, k), el("dd", {}, v)); };
    fact("Name", prof.name);
    fact("Email", prof.email);
    fact("Identity", conv.customer_id ? "verified: customer " + conv.customer_id : "not verified (anonymous visitor)");
    fact("Page", prof.page || prof.page_url || prof.url);
    for (const [k, v] of Object.entries(prof)) {
      if (!["name", "email", "page", "page_url", "url"].includes(k)) fact(FL.label(k), v);
    }
    fact("Started", FL.date(conv.created_at));
    const arts = clear($("p-articles"));
    for (const a of p.articles_tried || []) arts.append(el("li", {}, el("span", {}, a.title), el("span", { class: "score" }, " " + Number(a.score).toFixed(2))));
    if (!(p.articles_tried || []).length) arts.append(el("li", { class: "none" }, "None found."));
    renderTags();
  }

  function renderTags() {
    const ul = clear($("tags"));
    for (const t of state.cur.entry.tags || []) {
      ul.append(el("li", {}, el("span", {}, t),
        Object.assign(el("button", { type: "button", class: "link", "aria-label": "Remove tag " + t }, "×"), { onclick: () => setTags((state.cur.entry.tags || []).filter((x) => x !== t)) })));
    }
  }

  async function setTags(tags) {
    const e = await run(() => api("PUT", convPath("tags"), { tags }));
    if (e) { state.cur.entry = e; renderTags(); }
  }

  async function loadHistory(id) {
    const ul = clear($("p-history"));
    const h = await api("GET", convPath("history")).catch(() => null);
    if (!h || !state.cur || state.cur.id !== id) return;
    for (const c of h.conversations) {
      ul.append(el("li", {}, el("span", { class: "when" }, FL.date(c.created_at)), " ", el("span", { class: "status" }, c.status),
        c.first ? el("q", {}, c.first) : null, c.reason ? el("span", { class: "hint" }, " — handed off: " + c.reason) : null));
    }
    if (!h.conversations.length) ul.append(el("li", { class: "none" }, "This is their first conversation."));
  }

  function convPath(rest) { return "/api/agent/conversations/" + encodeURIComponent(state.cur.id) + (rest ? "/" + rest : ""); }

  function setCustTyping(on) {
    clearTimeout(state.custTyping);
    $("typing").hidden = !on;
    if (on) state.custTyping = setTimeout(() => { $("typing").hidden = true; }, 6000);
  }

  // ---- writing ----
  function clientID() { return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  async function send(ev) {
    if (ev) ev.preventDefault();
    if (!state.cur) return;
    const text = $("reply").value.trim();
    if (!text) return;
    const id = state.cur.id;
    $("send").disabled = true;
    try {
      if (state.mode === "note") {
        const evn = await api("POST", convPath("notes"), { body: text });
        addItems([], [evn]);
      } else {
        const m = await api("POST", convPath("messages"), { body: text, client_msg_id: clientID() });
        addItems([m], []);
        typing(false);
      }
      sessionStorage.removeItem(draftKey(id));
      if (state.cur && state.cur.id === id) $("reply").value = "";
    } catch (e) {
      flash(e.message, true);
    } finally {
      $("send").disabled = false;
    }
  }

  function typing(on) {
    if (!state.cur || state.mode !== "reply") return;
    const e = state.cur.entry;
    if (e.status !== "assigned" || e.assignee_id !== state.user.id) return;
    const now = Date.now();
    clearTimeout(state.typingOff);
    if (on) {
      state.typingOff = setTimeout(() => typing(false), 4000);
      if (now - state.typingSent < 2500) return;
      state.typingSent = now;
    } else {
      if (!state.typingSent) return;
      state.typingSent = 0;
    }
    api("POST", convPath("typing"), { on }).catch(() => null);
  }

  // ---- canned replies: "/" opens the picker ----
  function renderCanned(c) {
    const { entry, conv } = state.cur;
    const values = { "team": entry.team, "conversation.id": conv.id, "agent.name": (state.agent && state.agent.name) || state.user.name };
    for (const [k, v] of Object.entries(conv.profile || {})) values["customer." + k] = v;
    return c.body.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, k) => values[k] || "");
  }
  function cannedMatches() {
    const v = $("reply").value;
    if (!v.startsWith("/")) return null;
    const q = v.slice(1).toLowerCase();
    return state.canned.filter((c) => c.id.toLowerCase().includes(q) || c.title.toLowerCase().includes(q));
  }
  function showCanned() {
    const list = cannedMatches();
    const ul = $("canned");
    if (!list) { ul.hidden = true; $("reply").removeAttribute("aria-activedescendant"); return; }
    clear(ul);
    state.cannedIdx = Math.min(Math.max(state.cannedIdx, 0), list.length - 1);
    list.forEach((c, i) => {
      const li = el("li", { role: "option", id: "canned-" + i, "aria-selected": String(i === state.cannedIdx), dataset: { id: c.id } },
        el("strong", {}, c.title), " ", el("span", { class: "hint" }, c.body.slice(0, 80)));
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pickCanned(c); });
      ul.append(li);
    });
    if (!list.length) ul.append(el("li", { class: "none" }, "No canned reply matches."));
    ul.hidden = false;
    if (list.length) $("reply").setAttribute("aria-activedescendant", "canned-" + state.cannedIdx);
  }
  function pickCanned(c) {
    $("reply").value = renderCanned(c);
    $("canned").hidden = true;
    $("reply").removeAttribute("aria-activedescendant");
    $("reply").dispatchEvent(new Event("input"));
    $("reply").focus();
  }

  // ---- insert an article ----
  let kbTimer = null;
  async function searchKB() {
    const q = $("kb-q").value.trim();
    const ul = clear($("kb-hits"));
    if (!q) return;
    const res = await run(() => api("GET", "/api/agent/kb/search?q=" + encodeURIComponent(q)));
    if (!res || $("kb-q").value.trim() !== q) return;
    for (const h of res.hits) {
      const btn = el("button", { type: "button", class: "primary", "aria-label": "Send " + h.title + " to the customer" }, "Send");
      btn.addEventListener("click", () => insertArticle(h));
      ul.append(el("li", { dataset: { slug: h.slug } }, el("span", { class: "hit-title" }, h.title), el("span", { class: "score" }, " " + Number(h.score).toFixed(2)),
        el("p", { class: "excerpt" }, h.excerpt), btn));
    }
    if (!res.hits.length) ul.append(el("li", { class: "none" }, "No published article matches."));
  }
  async function insertArticle(h) {
    const id = state.cur.id;
    const intro = $("reply").value.trim();
    const m = await run(() => api("POST", convPath("article"), { article_id: h.article_id, body: intro, client_msg_id: clientID() }), "Sent “" + h.title + "”.");
    if (!m) return;
    addItems([m], []);
    sessionStorage.removeItem(draftKey(id));
    $("reply").value = "";
    $("kb-search").hidden = true;
    $("insert-article").setAttribute("aria-expanded", "false");
    $("reply").focus();
  }

  // ---- actions ----
  function action(path, ok, body) {
    return async () => {
      if (!state.cur) return;
      const r = await run(() => api("POST", convPath(path), body || {}), ok);
      if (r && r.conversation_id) { state.cur.entry = r; renderHead(); renderPacket(); }
      return r;
    };
  }

  async function claimNext() {
    const e = await run(() => api("POST", "/api/agent/claim", {}));
    if (e) openConv(e.conversation_id);
  }

  function showPane(p) {
    $("desk").dataset.pane = p;
    for (const b of document.querySelectorAll(".panes button")) b.setAttribute("aria-pressed", String(b.dataset.pane === p));
  }

  // ---- socket ----
  let socket;
  function connect() {
    socket = FL.Socket({
      status(up) {
        $("conn").textContent = up ? "live" : "reconnecting…";
        $("conn").className = "conn " + (up ? "up" : "down");
        if (up) subscribe();
      },
      welcome(f) { if (f.agent) { state.agent = f.agent; $("presence").value = f.agent.presence === "away" ? "away" : "online"; } },
      queue: onQueue,
      assigned(f) {
        if (f.entry) {
          state.entries.set(f.entry.conversation_id, f.entry);
          if (state.seen) state.seen.add(f.entry.conversation_id);
          alertHandoff(f.entry, true);
          renderQueue();
        }
      },
      sla(f) { if (state.cur && f.conversation_id === state.cur.id) refreshEntry(); },
      messages(f) { if (state.cur && f.conversation_id === state.cur.id) addItems(f.messages || [], []); },
      events(f) {
        if (!state.cur || f.conversation_id !== state.cur.id) return;
        addItems([], f.events || []);
        if ((f.events || []).some((e) => !["note", "signal", "kb.search"].includes(e.kind))) refreshEntry();
      },
      typing(f) { if (state.cur && f.conversation_id === state.cur.id && f.who === "customer") setCustTyping(f.on); },
    });
  }

  // ---- start ----
  async function start() {
    let me;
    try { me = await api("GET", "/api/me"); } catch (e) { return; }
    state.user = me.user || me;
    state.boss = (state.user.roles || []).some((r) => r === "supervisor" || r === "admin");
    $("who-name").textContent = state.user.name;
    $("nav-supervisor").hidden = $("nav-reports").hidden = !state.boss;
    state.agent = await api("GET", "/api/agent/me").catch(() => null);
    if (!state.agent) $("presence").closest("label").hidden = true;
    else $("presence").value = state.agent.presence === "away" ? "away" : "online";
    const [canned, teams] = await Promise.all([api("GET", "/api/agent/canned").catch(() => ({ canned: [] })), api("GET", "/api/agent/teams").catch(() => ({ teams: [], tiers: [] }))]);
    state.canned = canned.canned || [];
    state.teams = teams.teams || [];
    state.tiers = teams.tiers || [];
    for (const t of state.teams) $("transfer-team").append(el("option", { value: t.id }, t.name));
    for (const t of state.tiers) $("transfer-tier").append(el("option", { value: t }, FL.tier(t)));

    $("sound").checked = localStorage.getItem("fl.sound") === "1";
    $("sound").addEventListener("change", () => { localStorage.setItem("fl.sound", $("sound").checked ? "1" : "0"); if ($("sound").checked) beep(); });
    if ("Notification" in window && Notification.permission === "default") {
      $("notify").hidden = false;
      $("notify").addEventListener("click", () => Notification.requestPermission().then(() => { $("notify").hidden = true; }));
    }
    $("presence").addEventListener("change", () => run(() => api("PUT", "/api/agent/me/presence", { presence: $("presence").value }), "You are " + $("presence").value + "."));
    FL.signOutButton($("sign-out"));
    $("alert-open").addEventListener("click", () => { const id = $("alert").dataset.id; $("alert").hidden = true; if (id) openConv(id); });
    $("alert-dismiss").addEventListener("click", () => { $("alert").hidden = true; });
    $("claim-next").addEventListener("click", claimNext);
    for (const b of document.querySelectorAll(".panes button")) b.addEventListener("click", () => showPane(b.dataset.pane));

    $("act-claim").addEventListener("click", async () => {
      const e = await action("claim", "It is yours.")();
      if (e) { setMode("reply"); $("reply").focus(); }
    });
    $("act-csat").addEventListener("click", async () => {
      const m = await run(() => api("POST", convPath("csat-request"), {}), "Asked the customer for a rating.");
      if (m) addItems([m], []);
    });
    $("act-handback").addEventListener("click", action("handback", "Handed back to the bot."));
    $("act-resolve").addEventListener("click", action("resolve", "Resolved."));
    $("act-reopen").addEventListener("click", action("reopen", "Reopened: it is back in line."));
    $("act-transfer").addEventListener("click", () => {
      const f = $("transfer-form");
      f.hidden = !f.hidden;
      $("act-transfer").setAttribute("aria-expanded", String(!f.hidden));
      if (!f.hidden) {
        $("transfer-team").value = state.cur.entry.team;
        const i = state.tiers.indexOf(state.cur.entry.tier);
        $("transfer-tier").value = state.tiers[Math.min(i + 1, state.tiers.length - 1)] || state.cur.entry.tier;
        $("transfer-reason").focus();
      }
    });
    $("transfer-cancel").addEventListener("click", () => { $("transfer-form").hidden = true; $("act-transfer").setAttribute("aria-expanded", "false"); $("act-transfer").focus(); });
    $("transfer-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { team: $("transfer-team").value, tier: $("transfer-tier").value, reason: $("transfer-reason").value.trim() };
      const r = await action("transfer", "Transferred to " + FL.tier(body.tier) + " " + teamName(body.team) + ".", body)();
      if (r) { $("transfer-form").hidden = true; $("transfer-reason").value = ""; }
    });
    $("tags-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const t = $("tag-new").value.trim();
      if (!t) return;
      $("tag-new").value = "";
      setTags([...(state.cur.entry.tags || []), t]);
    });

    $("mode-reply").addEventListener("click", () => { setMode("reply"); $("reply").focus(); });
    $("mode-note").addEventListener("click", () => { setMode("note"); $("reply").focus(); });
    $("insert-article").addEventListener("click", () => {
      const box = $("kb-search");
      box.hidden = !box.hidden;
      $("insert-article").setAttribute("aria-expanded", String(!box.hidden));
      if (!box.hidden) $("kb-q").focus();
    });
    $("kb-q").addEventListener("input", () => { clearTimeout(kbTimer); kbTimer = setTimeout(searchKB, 250); });
    $("kb-q").addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); clearTimeout(kbTimer); searchKB(); }
      if (e.key === "Escape") { $("kb-search").hidden = true; $("insert-article").setAttribute("aria-expanded", "false"); $("insert-article").focus(); }
    });
    $("transfer-form").addEventListener("keydown", (e) => { if (e.key === "Escape") $("transfer-cancel").click(); });
    $("reply-form").addEventListener("submit", send);
    $("reply").addEventListener("input", () => {
      if (state.cur) sessionStorage.setItem(draftKey(state.cur.id), $("reply").value);
      showCanned();
      if ($("reply").value && !$("reply").value.startsWith("/")) typing(true);
    });
    $("reply").addEventListener("keydown", (e) => {
      const list = !$("canned").hidden && cannedMatches();
      if (list && list.length) {
        if (e.key === "ArrowDown" || e.key === "ArrowUp") {
          e.preventDefault();
          state.cannedIdx = (state.cannedIdx + (e.key === "ArrowDown" ? 1 : -1) + list.length) % list.length;
          showCanned();
          return;
        }
        if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); pickCanned(list[state.cannedIdx]); return; }
      }
      if (e.key === "Escape") { $("canned").hidden = true; return; }
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
    });

    connect();
    setInterval(tick, 1000);
    // The socket outlives a session ended elsewhere: ask now and then.
    setInterval(() => api("GET", "/api/me").catch(() => null), 60000);
    const m = /#c=([^&]+)/.exec(location.hash);
    if (m) openConv(decodeURIComponent(m[1]));
  }

  document.addEventListener("DOMContentLoaded", start);
})();
