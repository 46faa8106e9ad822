// Frontline supervisor view: the desk now (queues, agents, open
// conversations), live; watch one read-only; reassign it.
"use strict";

(function () {
  const { el, $, clear, api } = FL;
  const state = { ov: null, watching: null, names: new Map(), at: Date.now() };
  window.__supervisor = state;

  let flashTimer;
  function flash(msg, bad) {
    const f = $("flash");
    f.textContent = msg;
    f.className = "flash" + (bad ? " bad" : "");
    f.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { f.hidden = true; }, 5000);
  }

  let loading = null;
  async function load() {
    if (loading) return loading;
    loading = api("GET", "/api/supervisor/overview").then((ov) => {
      state.ov = ov;
      state.at = Date.now();
      render();
    }).catch((e) => flash(e.message, true)).finally(() => { loading = null; });
    return loading;
  }

  function teamName(id) {
    const l = (state.ov.lines || []).find((x) => x.team === id);
    return l ? l.team_name : id;
  }

  function render() {
    const ov = state.ov;
    const lines = clear($("lines").tBodies[0]);
    for (const l of ov.lines) {
      const cls = (n, c) => (n > 0 ? c : null);
      lines.append(el("tr", { dataset: { tier: l.tier, team: l.team } },
        el("th", { scope: "row" }, FL.tier(l.tier)), el("td", {}, l.team_name),
        el("td", { class: "num waiting" }, l.waiting), el("td", { class: "num" }, l.assigned),
        el("td", { class: "num" }, l.oldest_wait_seconds ? FL.dur(l.oldest_wait_seconds * 1000) : "—"),
        el("td", { class: "num at-risk " + (cls(l.at_risk, "cell-warn") || "") }, l.at_risk),
        el("td", { class: "num breached " + (cls(l.breached, "cell-bad") || "") }, l.breached)));
    }
    if (!ov.lines.length) lines.append(el("tr", {}, el("td", { colspan: 7, class: "none" }, "No queues: add agents to teams.")));

    const agents = clear($("agents").tBodies[0]);
    const sel = $("reassign-agent");
    const chosen = sel.value;
    clear(sel);
    for (const a of ov.agents) {
      state.names.set(a.user_id, a.name);
      const pct = a.capacity ? Math.min(100, Math.round(100 * a.load / a.capacity)) : 100;
      agents.append(el("tr", { dataset: { agent: a.user_id } },
        el("th", { scope: "row" }, a.name),
        el("td", {}, el("span", { class: "pres pres-" + a.presence }, a.presence)),
        el("td", {}, el("span", { class: "meter", "aria-hidden": "true" }, el("span", { style: null })), a.load + " of " + a.capacity),
        el("td", {}, (a.tiers || []).map(FL.tier).join(", ")),
        el("td", {}, (a.teams || []).map(teamName).join(", "))));
      agents.lastChild.querySelector(".meter span").style.width = pct + "%";
      sel.append(el("option", { value: a.user_id }, a.name + " (" + a.presence + ", " + a.load + "/" + a.capacity + ")"));
    }
    if (chosen) sel.value = chosen;

    const convs = clear($("convs").tBodies[0]);
    const now = Date.now();
    for (const e of ov.conversations) {
      const st = FL.sla(e, now);
      const watch = el("button", { type: "button", "aria-label": "Watch the conversation of " + customer(e) }, "Watch");
      watch.addEventListener("click", () => watchConv(e.conversation_id));
      convs.append(el("tr", { dataset: { id: e.conversation_id, sla: st ? st.state : "none" } },
        el("td", {}, customer(e)),
        el("td", {}, el("span", { class: "prio prio-" + e.priority }, e.priority), " ", FL.tier(e.tier) + " " + teamName(e.team)),
        el("td", {}, el("span", { class: "badges" }, FL.reasons(e.packet).map((r) => el("span", { class: "badge reason-" + r.key }, r.text)))),
        el("td", {}, e.status === "assigned" ? "with " + (e.assignee_name || "an agent") : "waiting"),
        el("td", { class: "num" }, FL.dur(now - new Date(e.enqueued_at))),
        el("td", {}, slaCell(st)),
        el("td", {}, watch)));
    }
    if (!ov.conversations.length) convs.append(el("tr", {}, el("td", { colspan: 7, class: "none" }, "No open conversations.")));
    if (state.watching) renderWatchMeta();
  }

  // tick moves the clocks without rebuilding the tables (focus stays).
  function tick() {
    if (!state.ov) return;
    const now = Date.now();
    for (const tr of $("convs").tBodies[0].rows) {
      const e = state.ov.conversations.find((x) => x.conversation_id === tr.dataset.id);
      if (!e) continue;
      const st = FL.sla(e, now);
      tr.dataset.sla = st ? st.state : "none";
      tr.cells[4].textContent = FL.dur(now - new Date(e.enqueued_at));
      clear(tr.cells[5]).append(slaCell(st));
    }
  }

  function customer(e) {
    const p = (e.packet && e.packet.profile) || {};
    return p.name || p.email || "Visitor " + e.conversation_id.slice(0, 8);
  }
  function slaCell(st) {
    if (!st) return "";
    const text = !st.due ? "breached" : st.left < 0 ? "breached " + FL.dur(st.left) + " ago" : "due in " + FL.dur(st.left);
    return el("span", { class: "sla sla-" + st.state }, text);
  }

  // ---- watching ----
  async function watchConv(id) {
    if (state.watching && socket.connected) socket.send("close", { conversation_id: state.watching.id }).catch(() => null);
    const view = await api("GET", "/api/agent/conversations/" + encodeURIComponent(id)).catch((e) => { flash(e.message, true); return null; });
    if (!view) return;
    state.watching = { id, entry: view.entry, conv: view.conversation, seqs: new Set(), events: new Set(), lastSeq: 0, lastEvent: 0 };
    $("watch").hidden = false;
    clear($("watch-log"));
    add(view.messages || [], view.events || []);
    renderWatchMeta();
    if (socket.connected) subscribe();
    $("watch-h").tabIndex = -1;
    $("watch-h").focus();
  }
  function renderWatchMeta() {
    const w = state.watching;
    const e = (state.ov && state.ov.conversations.find((x) => x.conversation_id === w.id)) || w.entry;
    w.entry = e;
    $("watch-title").textContent = ((w.conv.profile && w.conv.profile.name) || "a visitor");
    $("watch-meta").textContent = FL.tier(e.tier) + " " + teamName(e.team) + " · " + e.priority + " · " +
      (e.status === "assigned" ? "with " + (e.assignee_name || "an agent") : e.status) + " · " + (e.packet.reason || "");
  }
  function subscribe() {
    const w = state.watching;
    if (w) socket.send("open", { conversation_id: w.id, last_seq: w.lastSeq, last_event_id: w.lastEvent }).catch((e) => flash(e.message, true));
  }
  function add(msgs, evs) {
    const w = state.watching, log = $("watch-log");
    for (const m of msgs) {
      if (w.seqs.has(m.seq)) continue;
      w.seqs.add(m.seq);
      w.lastSeq = Math.max(w.lastSeq, m.seq);
      const who = m.author === "customer" ? ((w.conv.profile && w.conv.profile.name) || "Customer") : m.author === "agent" ? (m.author_name || "Agent") : m.author === "bot" ? "Bot" : "System";
      log.append(el("li", { class: "msg " + m.author, dataset: { seq: m.seq } }, el("span", { class: "who" }, who), el("time", {}, FL.time(m.created_at)), el("p", { class: "body" }, m.body)));
      if (m.author === "customer") $("watch-typing").hidden = true;
    }
    for (const ev of evs) {
      if (w.events.has(ev.id)) continue;
      w.events.add(ev.id);
      w.lastEvent = Math.max(w.lastEvent, ev.id);
      const d = ev.data || {};
      let text = null;
      if (ev.kind === "note") text = "Private note by " + (state.names.get(ev.actor) || "an agent") + ": " + d.body;
      else if (["claim", "transfer", "resolution", "handback", "reopen", "unassign", "sla.breach", "sla.warning", "escalation", "csat", "tags", "handoff"].includes(ev.kind)) {
        text = FL.label(ev.kind.replace(".", " ")) + (d.name ? ": " + d.name : "") + (d.reason ? " — " + d.reason : "") + (d.target ? " (" + FL.label(d.target) + ")" : "") + (d.rating ? " " + d.rating + "/5" : "") + (d.tags ? ": " + d.tags.join(", ") : "");
      }
      if (text) log.append(el("li", { class: "event ev-" + ev.kind.replace(/\./g, "-"), dataset: { event: ev.id } }, el("time", {}, FL.time(ev.created_at)), " ", text));
    }
    log.scrollTop = log.scrollHeight;
  }

  let socket;
  async function start() {
    let me;
    try { me = await api("GET", "/api/me"); } catch (e) { return; }
    $("who-name").textContent = me.name;
    FL.signOutButton($("sign-out"));
    $("unwatch").addEventListener("click", () => {
      if (state.watching && socket.connected) socket.send("close", { conversation_id: state.watching.id }).catch(() => null);
      state.watching = null;
      $("watch").hidden = true;
    });
    $("reassign").addEventListener("click", async () => {
      const w = state.watching, agent = $("reassign-agent").value;
      if (!w || !agent) return;
      try {
        await api("POST", "/api/agent/conversations/" + encodeURIComponent(w.id) + "/reassign", { agent_id: agent });
        flash("Reassigned to " + (state.names.get(agent) || agent) + ".");
        load();
      } catch (e) { flash(e.message, true); }
    });
    await load();
    let pending = null;
    socket = FL.Socket({
      status(up) {
        $("conn").textContent = up ? "live" : "reconnecting…";
        $("conn").className = "conn " + (up ? "up" : "down");
        if (up) subscribe();
      },
      queue() { clearTimeout(pending); pending = setTimeout(load, 150); },
      sla() { load(); },
      messages(f) { if (state.watching && f.conversation_id === state.watching.id) add(f.messages || [], []); },
      events(f) { if (state.watching && f.conversation_id === state.watching.id) add([], f.events || []); },
      typing(f) { if (state.watching && f.conversation_id === state.watching.id && f.who === "customer") $("watch-typing").hidden = !f.on; },
    });
    // Presence and the clocks change without a queue change.
    setInterval(load, 5000);
    setInterval(tick, 1000);
  }
  document.addEventListener("DOMContentLoaded", start);
})();
