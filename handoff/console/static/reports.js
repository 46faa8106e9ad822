// Frontline reports: figures and server-drawn SVG charts over a period.
"use strict";

(function () {
  const { el, $, clear, api } = FL;
  window.__reports = { report: null };

  function query() {
    const q = new URLSearchParams();
    q.set("from", $("from").value);
    q.set("to", $("to").value);
    if ($("tz").value.trim()) q.set("tz", $("tz").value.trim());
    return q.toString();
  }
  function dur(s) {
    if (!s) return "—";
    return FL.dur(s * 1000).replace(/ 00 s$/, "");
  }

  async function show(ev) {
    if (ev) ev.preventDefault();
    const q = query();
    history.replaceState(null, "", "?" + q);
    let r;
    try { r = await api("GET", "/api/reports?" + q); } catch (e) {
      $("flash").textContent = e.message;
      $("flash").className = "flash bad";
      $("flash").hidden = false;
      return;
    }
    $("flash").hidden = true;
    window.__reports.report = r;
    $("csv").href = "/api/reports/export.csv?" + q;
    $("json").href = "/api/reports?" + q;
    $("f-handoffs").textContent = r.handoffs;
    $("f-deflection").textContent = r.conversations ? Math.round(r.deflection_rate * 100) + "%" : "—";
    $("f-first").textContent = dur(r.first_response.p50_seconds) + " / " + dur(r.first_response.p90_seconds);
    $("f-resolution").textContent = dur(r.resolution.p50_seconds) + " / " + dur(r.resolution.p90_seconds);
    $("f-breaches").textContent = Object.values(r.sla_breaches || {}).reduce((a, b) => a + b, 0);
    $("f-csat").textContent = r.csat.count ? r.csat.average.toFixed(1) + " (" + r.csat.count + ")" : "—";
    for (const name of ["reasons", "severity", "times", "csat", "sla", "deflection"]) {
      $("c-" + name).src = "/api/reports/charts/" + name + ".svg?" + q;
    }
    renderDays(r);
    const ul = clear($("unanswered"));
    for (const u of r.unanswered || []) {
      ul.append(el("li", {}, el("q", {}, u.question), el("span", { class: "hint" }, " × " + u.count + ", last " + FL.date(u.last_at))));
    }
    if (!(r.unanswered || []).length) ul.append(el("li", { class: "none" }, "None in this period."));
    $("editor-link").href = r.editor_url || "/editor/";
  }

  function renderDays(r) {
    const reasons = new Set(), sev = new Set();
    for (const d of r.days) {
      Object.keys(d.by_reason || {}).forEach((k) => reasons.add(k));
      Object.keys(d.by_severity || {}).forEach((k) => sev.add(k));
    }
    const rs = [...reasons].sort(), ss = [...sev].sort();
    const head = clear($("days").tHead);
    head.append(el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col", class: "num" }, "Hand-offs"),
      rs.map((k) => el("th", { scope: "col", class: "num" }, FL.label(k))), ss.map((k) => el("th", { scope: "col", class: "num" }, "sev: " + FL.label(k)))));
    const body = clear($("days").tBodies[0]);
    for (const d of r.days) {
      body.append(el("tr", {}, el("th", { scope: "row" }, d.day), el("td", { class: "num" }, d.handoffs),
        rs.map((k) => el("td", { class: "num" }, (d.by_reason || {})[k] || 0)), ss.map((k) => el("td", { class: "num" }, (d.by_severity || {})[k] || 0))));
    }
  }

  async function start() {
    let me;
    try { me = await api("GET", "/api/me"); } catch (e) { return; }
    $("who-name").textContent = me.name;
    FL.signOutButton($("sign-out"));
    const p = new URLSearchParams(location.search);
    const today = new Date();
    const iso = (d) => d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
    $("to").value = p.get("to") || iso(today);
    $("from").value = p.get("from") || iso(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6));
    $("tz").value = p.get("tz") || (Intl.DateTimeFormat().resolvedOptions().timeZone || "");
    $("period").addEventListener("submit", show);
    show();
  }
  document.addEventListener("DOMContentLoaded", start);
})();
