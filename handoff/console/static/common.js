// Frontline console pages: shared helpers. Plain JavaScript, no framework.
// Everything customers wrote is put in the page with textContent (el's
// text children), never as HTML.
"use strict";

(function () {
  const FL = {};

  // el builds an element: attrs are attributes (on* are never set from
  // here), children are nodes or strings (as text).
  FL.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "dataset") Object.assign(e.dataset, v);
      else if (k.startsWith("on")) throw new Error("el: no inline handlers");
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  };
  FL.$ = (id) => document.getElementById(id);
  FL.clear = (e) => { while (e.firstChild) e.firstChild.remove(); return e; };

  // signIn sends the browser to the sign-in page and back here after.
  FL.signIn = function () {
    location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search + location.hash));
  };

  // api calls a JSON endpoint; a lost session goes to the sign-in page
  // (drafts are kept in sessionStorage as they are typed).
  FL.api = async function (method, path, body) {
    const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    const data = await res.json().catch(() => null);
    if (res.status === 401) {
      FL.signIn();
      throw new Error("Your session has ended: sign in again.");
    }
    if (!res.ok) {
      const err = (data && (typeof data.error === "object" ? data.error.message : data.error)) || ("request failed (" + res.status + ")");
      throw new Error(err);
    }
    return data;
  };

  // Socket is the agent socket with request/answer ids, reconnection and
  // a check of the session when it cannot connect.
  FL.Socket = function (handlers) {
    let ws = null, n = 0, tries = 0, closed = false;
    const waiting = new Map();
    const self = {
      connected: false,
      send(type, fields) {
        return new Promise((resolve, reject) => {
          if (!ws || ws.readyState !== 1) { reject(new Error("Not connected: reconnecting…")); return; }
          const id = "r" + (++n);
          waiting.set(id, { resolve, reject });
          ws.send(JSON.stringify(Object.assign({ v: 1, type, id }, fields || {})));
        });
      },
      close() { closed = true; if (ws) ws.close(); },
    };
    function connect() {
      const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/agent/ws";
      ws = new WebSocket(url);
      ws.onopen = () => { tries = 0; self.connected = true; handlers.status && handlers.status(true); };
      ws.onmessage = (ev) => {
        let f;
        try { f = JSON.parse(ev.data); } catch (e) { return; }
        if ((f.type === "ack" || f.type === "error") && f.id && waiting.has(f.id)) {
          const w = waiting.get(f.id);
          waiting.delete(f.id);
          if (f.type === "ack") w.resolve(f.result); else w.reject(new Error(f.message || f.code));
          return;
        }
        const h = handlers[f.type];
        if (h) h(f);
      };
      ws.onclose = async () => {
        self.connected = false;
        for (const w of waiting.values()) w.reject(new Error("The connection dropped: try again."));
        waiting.clear();
        handlers.status && handlers.status(false);
        if (closed) return;
        // A refused upgrade looks like any close: ask whether the session
        // is still good before trying again.
        try { await FL.api("GET", "/api/me"); } catch (e) { return; }
        tries++;
        setTimeout(connect, Math.min(5000, 250 * tries * tries));
      };
    }
    connect();
    return self;
  };

  // ago is a duration in words: 45 s, 3 min, 2 h 5 min.
  FL.dur = function (ms) {
    const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
    if (s < 60) return s + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + String(s % 60).padStart(2, "0") + " s";
    const h = Math.floor(m / 60);
    if (h < 48) return h + " h " + (m % 60) + " min";
    return Math.floor(h / 24) + " d " + (h % 24) + " h";
  };
  FL.time = (t) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  FL.date = (t) => new Date(t).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

  FL.label = (k) => String(k || "").replace(/_/g, " ");
  FL.tier = (t) => ({ t1: "T1", t2: "T2", t3: "T3", exec: "Exec" })[t] || String(t || "");

  // reasons are the badges of an entry, from its packet's signals.
  FL.reasons = function (packet) {
    const out = [];
    const seen = new Set();
    for (const s of (packet && packet.signals) || []) {
      let key = s.kind, text = FL.label(s.kind);
      if (s.kind === "human_request") text = "asked for a person";
      if (s.kind === "severity") { key = "severity"; text = FL.label(s.topic || "severity"); }
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ key, text });
    }
    if (!out.length) out.push({ key: "no_answer", text: "bot had no answer" });
    return out;
  };

  // sla is the state of an entry's current deadline: {due, state: ok,
  // warn or breach}.
  FL.sla = function (e, now) {
    if (e.status === "resolved") return null;
    let due = e.due_at, from = e.enqueued_at;
    if (e.responded_at) { due = e.next_due_at; from = e.last_reply_at; }
    if (e.status === "assigned" && !e.responded_at && e.assigned_at) from = e.enqueued_at;
    const breached = (e.breached || []).length > 0;
    if (!due) return breached ? { due: null, state: "breach" } : null;
    const left = new Date(due) - now;
    let state = "ok";
    if (breached || left < 0) state = "breach";
    else if ((e.warned || []).length || (from && (now - new Date(from)) >= 0.8 * (new Date(due) - new Date(from)))) state = "warn";
    return { due: new Date(due), left, state };
  };

  FL.signOutButton = function (btn) {
    btn.addEventListener("click", async () => {
      await fetch("/logout", { method: "POST", credentials: "same-origin" }).catch(() => null);
      location.assign("/login");
    });
  };

  window.FL = FL;
})();
