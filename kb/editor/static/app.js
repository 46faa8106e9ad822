// Frontline knowledge-base editor. Plain JavaScript, no framework.
//
// Safety rules kept throughout: every string from the server (titles,
// bodies, questions, names) is put in the page with textContent or as a
// form value, never as HTML. The single exception is the Markdown preview,
// which the server renders and sanitizes. The session is an HTTP-only
// cookie this script never sees; a request without a valid one sends the
// editor to the sign-in page.
"use strict";

(function () {
  const API = "/api/kb/";

  const $ = (id) => document.getElementById(id);

  // el builds an element. Attributes are set as properties or attributes;
  // children that are strings become text nodes, never HTML.
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") n.className = v;
      else if (k === "text") n.textContent = v;
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(n.dataset, v);
      else n.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      n.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return n;
  }

  const state = {
    me: null, // the signed-in person, from /api/me
    view: "",
    article: null, // the article being edited; null for a new one
    fromQuestions: [], // question ids to attach when a new article is created from them
    previewTimer: 0,
    previewSeq: 0,
    allArticles: [],
  };

  // ---- API ---------------------------------------------------------------

  class APIError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const opts = { method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path.startsWith("/") ? path : API + path, opts);
    } catch (e) {
      throw new APIError(0, "unavailable", "The server cannot be reached. Check your connection and try again.");
    }
    if (res.status === 204) return null;
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const err = (data && data.error) || {};
      if (res.status === 401) {
        toSignIn();
      }
      throw new APIError(res.status, err.code || "internal", err.message || "Request failed (" + res.status + ").");
    }
    return data;
  }

  // ---- feedback ----------------------------------------------------------

  let flashTimer = 0;
  function flash(message, kind) {
    const f = $("flash");
    f.textContent = message;
    f.className = "flash " + (kind || "ok");
    f.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { f.hidden = true; }, kind === "error" ? 10000 : 4000);
  }

  // run calls fn and shows its error, so no failure is silent.
  async function run(fn) {
    try {
      return await fn();
    } catch (e) {
      flash(e.message || String(e), "error");
      return undefined;
    }
  }

  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  const stateLabels = { draft: "draft", review: "in review", published: "published", archived: "archived" };

  // ---- navigation ---------------------------------------------------------

  function show(view) {
    state.view = view;
    for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== "view-" + view;
    for (const t of document.querySelectorAll(".tab")) {
      const on = t.dataset.view === view || (view === "edit" && t.dataset.view === "articles");
      t.classList.toggle("active", on);
      if (on) t.setAttribute("aria-current", "page");
      else t.removeAttribute("aria-current");
    }
  }

  // toSignIn sends the editor to the sign-in page, to come back here.
  function toSignIn() {
    location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
  }

  async function signOut() {
    await fetch("/logout", { method: "POST", credentials: "same-origin" }).catch(() => null);
    location.assign("/login");
  }

  // start asks who is signed in; the server sends strangers to /login
  // before this page loads, so a 401 here means the session just ended.
  async function start() {
    let me;
    try {
      me = await api("GET", "/api/me");
    } catch (e) {
      if (e.status !== 401) flash(e.message, "error");
      return;
    }
    state.me = me;
    $("who-name").textContent = me.name;
    $("tabs").hidden = false;
    $("who").hidden = false;
    // The reports link here for the questions the KB did not answer.
    if (location.hash === "#unanswered") await openUnanswered();
    else await openList();
  }

  // ---- article list --------------------------------------------------------

  async function openList() {
    show("articles");
    const q = new URLSearchParams();
    if ($("filter-state").value) q.set("state", $("filter-state").value);
    if ($("filter-tag").value.trim()) q.set("tag", $("filter-tag").value.trim());
    if ($("filter-q").value.trim()) q.set("q", $("filter-q").value.trim());
    const data = await run(() => api("GET", "articles?" + q.toString()));
    if (!data) return;
    const rows = $("article-rows");
    rows.replaceChildren();
    for (const a of data.articles) {
      const open = el("a", { href: "#", class: "open", "data-slug": a.slug, onclick: (ev) => { ev.preventDefault(); openArticle(a.id); } }, a.title);
      rows.append(el("tr", { "data-id": a.id },
        el("td", {}, open),
        el("td", { class: "mono" }, a.slug),
        el("td", {}, el("span", { class: "badge " + a.state }, stateLabels[a.state] || a.state)),
        el("td", {}, a.tags.join(", ")),
        el("td", { class: "num" }, String(a.cited)),
        el("td", { class: "num" }, String(a.handed_off_after)),
      ));
    }
    $("article-empty").hidden = data.articles.length > 0;
  }

  async function loadAllArticles() {
    const data = await api("GET", "articles");
    state.allArticles = data.articles;
    return data.articles;
  }

  // ---- edit view --------------------------------------------------------------

  function fillForm(a) {
    $("edit-title").value = a.title || "";
    $("edit-slug").value = a.slug || "";
    $("edit-tags").value = (a.tags || []).join(", ");
    $("edit-locale").value = a.locale || "en";
    $("edit-audience").value = a.audience || "public";
    $("edit-body").value = a.body || "";
    const st = a.state || "draft";
    $("edit-state").textContent = a.id ? stateLabels[st] || st : "new";
    $("edit-state").className = "badge " + (a.id ? st : "draft");
    $("submit-review").disabled = !a.id || st !== "draft";
    $("publish").disabled = !a.id;
    $("archive").disabled = !a.id || st === "archived";
    $("edit-note").textContent = a.id && st === "published" ? "Edits reach customers when you publish them." : "";
  }

  function formValues() {
    return {
      title: $("edit-title").value.trim(),
      slug: $("edit-slug").value.trim(),
      tags: $("edit-tags").value.split(",").map((t) => t.trim()).filter(Boolean),
      locale: $("edit-locale").value.trim() || "en",
      audience: $("edit-audience").value,
      body: $("edit-body").value,
    };
  }

  function slugify(s) {
    return s.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
  }

  function newArticle(prefill) {
    state.article = null;
    state.fromQuestions = (prefill && prefill.questionIDs) || [];
    fillForm({ title: (prefill && prefill.title) || "", slug: (prefill && prefill.title) ? slugify(prefill.title) : "", body: (prefill && prefill.body) || "" });
    $("edit-stats").textContent = "";
    $("edit-extras").hidden = true;
    show("edit");
    renderPreview();
    $("edit-title").focus();
  }

  async function openArticle(id) {
    const d = await run(() => api("GET", "articles/" + encodeURIComponent(id)));
    if (!d) return;
    state.article = d.article;
    state.fromQuestions = [];
    fillForm(d.article);
    const votes = d.stats.helpful + d.stats.not_helpful;
    $("edit-stats").textContent = "Cited " + d.stats.cited + " times · handed off after " + d.stats.handed_off_after +
      " · helpful " + (votes ? d.stats.helpful + " of " + votes + " votes" : "(no votes yet)");
    $("edit-extras").hidden = false;
    renderPhrasings(d.phrasings);
    show("edit");
    renderPreview();
    await loadRevisions();
  }

  // save stores the form; it creates the article first if it is new.
  async function save() {
    const v = formValues();
    if (!state.article) {
      const created = await api("POST", "articles", v);
      if (state.fromQuestions.length) {
        await api("POST", "unanswered/attach", { article_id: created.id, question_ids: state.fromQuestions });
        state.fromQuestions = [];
      }
      await openArticle(created.id);
      return created;
    }
    const updated = await api("PATCH", "articles/" + encodeURIComponent(state.article.id), v);
    state.article = updated;
    fillForm(updated);
    return updated;
  }

  async function publish() {
    await save();
    const rev = await api("POST", "articles/" + encodeURIComponent(state.article.id) + "/publish", {});
    await openArticle(state.article.id);
    flash("Published revision " + rev.number + ".");
  }

  async function loadRevisions() {
    const list = $("revisions");
    list.replaceChildren();
    if (!state.article) return;
    const data = await run(() => api("GET", "articles/" + encodeURIComponent(state.article.id) + "/revisions"));
    if (!data) return;
    const live = state.article.state === "published" ? state.article.published_revision_id : "";
    for (const r of data.revisions) {
      const isLive = r.id === live;
      list.append(el("li", { "data-revision": String(r.number) },
        el("strong", {}, "#" + r.number), " ",
        el("span", {}, r.title), " ",
        el("span", { class: "muted" }, "by " + r.author + ", " + fmtTime(r.created_at)), " ",
        isLive ? el("span", { class: "badge published" }, "live")
          : el("button", { type: "button", class: "small rollback", "data-revision": String(r.number), onclick: (ev) => rollback(ev.currentTarget, r) }, "Roll back to this"),
      ));
    }
    $("revisions-empty").hidden = data.revisions.length > 0;
  }

  function rollback(button, r) {
    confirmClick(button, "Publish #" + r.number + " again? Click to confirm", async () => {
      const rev = await api("POST", "articles/" + encodeURIComponent(state.article.id) + "/rollback", { revision_id: r.id });
      await openArticle(state.article.id);
      flash("Rolled back: revision " + rev.number + " has the content of #" + r.number + ".");
    });
  }

  function renderPhrasings(ps) {
    const list = $("phrasings");
    list.replaceChildren();
    for (const p of ps) {
      list.append(el("li", {},
        el("span", {}, p.text), " ",
        el("span", { class: "muted small" }, p.source), " ",
        el("button", { type: "button", class: "small link", "aria-label": "Remove phrasing", onclick: () => run(async () => {
          await api("DELETE", "phrasings/" + encodeURIComponent(p.id));
          await openArticle(state.article.id);
        }) }, "remove"),
      ));
    }
  }

  // renderPreview asks the server to render and sanitize the Markdown. Only
  // the newest answer is shown, so a slow reply never overwrites a newer one.
  async function renderPreview() {
    const seq = ++state.previewSeq;
    const markdown = $("edit-body").value;
    let data;
    try {
      data = await api("POST", "preview", { markdown });
    } catch (e) {
      if (seq === state.previewSeq) $("preview").replaceChildren(el("p", { class: "error" }, e.message));
      return;
    }
    if (seq !== state.previewSeq) return;
    // The one place HTML is inserted: server-rendered, sanitized Markdown.
    $("preview").innerHTML = data.html;
  }

  function schedulePreview() {
    clearTimeout(state.previewTimer);
    state.previewTimer = setTimeout(renderPreview, 250);
  }

  // ---- ask the KB --------------------------------------------------------------

  async function ask() {
    const question = $("ask-question").value.trim();
    if (!question) return;
    const res = await run(() => api("POST", "ask", { question, audience: $("ask-audience").value, limit: 5 }));
    if (!res) return;
    $("ask-result").hidden = false;
    const d = $("ask-decision");
    const score = res.top_score.toFixed(3);
    const threshold = res.threshold.toFixed(3);
    if (res.abstained) {
      d.className = "decision abstain";
      d.textContent = "The bot would not answer: best score " + score + " is below the threshold " + threshold + ". It would say it is not sure and offer a person.";
    } else {
      d.className = "decision answer";
      d.textContent = "The bot would answer from “" + res.hits[0].title + "” (score " + score + ", threshold " + threshold + ").";
    }
    const list = $("ask-hits");
    list.replaceChildren();
    for (const h of res.hits) {
      const above = h.score >= res.threshold;
      list.append(el("li", { class: above ? "above" : "below", "data-slug": h.slug },
        el("div", { class: "hit-head" },
          el("span", { class: "score" }, h.score.toFixed(3)),
          el("a", { href: "#", class: "hit-title", onclick: (ev) => { ev.preventDefault(); openArticle(h.article_id); } }, h.title),
          el("span", { class: "mono muted" }, h.slug),
        ),
        scoreBar(h.score),
        el("pre", { class: "passage" }, h.passage),
      ));
    }
  }

  // scoreBar draws a score in [0,1]. The width is set through the CSSOM:
  // the page's CSP forbids inline style attributes.
  function scoreBar(score) {
    const fill = el("span");
    fill.style.width = Math.round(Math.max(0, Math.min(1, score)) * 100) + "%";
    return el("div", { class: "bar" }, fill);
  }

  // confirmClick runs action on a second click of button within 5 seconds,
  // so a destructive action needs a deliberate second click (no dialogs).
  function confirmClick(button, prompt, action) {
    if (button.dataset.armed === "1") {
      button.dataset.armed = "";
      button.textContent = button.dataset.label;
      return run(action);
    }
    button.dataset.armed = "1";
    button.dataset.label = button.textContent;
    button.textContent = prompt;
    setTimeout(() => {
      if (button.dataset.armed === "1") {
        button.dataset.armed = "";
        button.textContent = button.dataset.label;
      }
    }, 5000);
    return undefined;
  }

  // ---- unanswered questions ---------------------------------------------------

  async function openCandidates() {
    const data = await run(() => api("GET", "candidates"));
    if (!data) return;
    const list = $("candidates");
    list.replaceChildren();
    for (const c of data.candidates) {
      const decide = (verb, msg) => run(async () => {
        await api("POST", "candidates/" + encodeURIComponent(c.id) + "/" + verb);
        flash(msg);
        await openCandidates();
      });
      list.append(el("li", { class: "card candidate", "data-id": c.id },
        el("q", {}, c.text), " → ", el("strong", {}, c.title), " ",
        el("span", { class: "muted small" }, (c.count > 1 ? c.count + " times · " : "") + (c.source === "agent" ? "agent" : "picked by the customer")),
        " ",
        el("button", { type: "button", class: "primary accept", onclick: () => decide("accept", "Accepted: the bot answers this question directly now.") }, "Accept"),
        el("button", { type: "button", class: "reject", onclick: () => decide("reject", "Rejected.") }, "Reject"),
      ));
    }
    $("candidates-box").hidden = data.candidates.length === 0;
  }

  async function openUnanswered() {
    show("unanswered");
    openCandidates();
    const [data, arts] = await Promise.all([
      run(() => api("GET", "unanswered")),
      run(() => loadAllArticles()),
    ]);
    if (!data || !arts) return;
    const box = $("groups");
    box.replaceChildren();
    for (const g of data.groups) box.append(renderGroup(g, arts));
    $("groups-empty").hidden = data.groups.length > 0;
    const handed = data.handed_off || [];
    $("handed-off").replaceChildren(...handed.map((q) => el("li", {},
      el("span", {}, q.text), " ",
      el("span", { class: "muted small" }, fmtTime(q.created_at) + " · " + (q.handoff_signals || []).map(signalName).join(", ")),
    )));
    $("handed-off-count").textContent = String(handed.length);
    $("handed-off-box").hidden = handed.length === 0;
  }

  const signalNames = { human_request: "asked for a person", severity: "severe topic", frustration: "frustrated" };
  function signalName(kind) { return signalNames[kind] || kind; }

  function renderGroup(g, arts) {
    const ids = g.questions.map((q) => q.id);
    // Nothing is preselected: a weak suggestion must not become a phrasing
    // by one careless click.
    const select = el("select", { class: "attach-to", "aria-label": "Article to attach to" },
      el("option", { value: "" }, "Choose the article that answers this…"));
    const suggested = new Set();
    if (g.suggested.length) {
      const og = el("optgroup", { label: "Suggested" });
      for (const h of g.suggested) {
        suggested.add(h.article_id);
        og.append(el("option", { value: h.article_id }, h.title + " (" + h.score.toFixed(2) + ")"));
      }
      select.append(og);
    }
    const all = el("optgroup", { label: "All articles" });
    for (const a of arts) if (!suggested.has(a.id)) all.append(el("option", { value: a.id }, a.title));
    select.append(all);

    const card = el("article", { class: "card group" },
      el("h3", {}, g.questions.length === 1 ? "1 question" : g.questions.length + " similar questions"),
      el("ul", { class: "questions" }, g.questions.map((q) => el("li", {},
        el("span", {}, q.text), " ",
        el("span", { class: "muted small" }, fmtTime(q.created_at) + (q.handed_off ? " · handed off" : "") + (q.abstained ? " · no answer" : "")),
      ))),
      el("div", { class: "actions" },
        select,
        el("button", { type: "button", class: "primary attach", disabled: true, onclick: () => run(async () => {
          if (!select.value) return;
          await api("POST", "unanswered/attach", { article_id: select.value, question_ids: ids });
          flash("Attached as phrasings. They are searchable now if the article is published.");
          await openUnanswered();
        }) }, "Attach as phrasings"),
        el("button", { type: "button", class: "new-from", onclick: () => newArticle({ title: g.questions[0].text, questionIDs: ids }) }, "New article from this"),
      ),
    );
    const attach = card.querySelector("button.attach");
    select.addEventListener("change", () => { attach.disabled = !select.value; });
    return card;
  }

  // ---- wiring ----------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-out").addEventListener("click", () => signOut());
    for (const t of document.querySelectorAll(".tab")) {
      t.addEventListener("click", () => {
        if (t.dataset.view === "articles") openList();
        else if (t.dataset.view === "unanswered") openUnanswered();
        else show(t.dataset.view);
      });
    }
    $("filter-form").addEventListener("submit", (ev) => { ev.preventDefault(); openList(); });
    $("filter-state").addEventListener("change", () => openList());
    $("new-article").addEventListener("click", () => newArticle());
    $("back-to-list").addEventListener("click", () => openList());
    $("edit-body").addEventListener("input", schedulePreview);
    $("edit-title").addEventListener("input", () => {
      if (!state.article) $("edit-slug").value = slugify($("edit-title").value);
    });
    $("edit-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      run(async () => { await save(); flash("Saved."); });
    });
    $("submit-review").addEventListener("click", () => run(async () => {
      await save();
      await api("POST", "articles/" + encodeURIComponent(state.article.id) + "/submit", {});
      await openArticle(state.article.id);
      flash("Submitted for review.");
    }));
    $("publish").addEventListener("click", () => run(publish));
    $("archive").addEventListener("click", (ev) => confirmClick(ev.currentTarget, "Customers lose it. Click to confirm", async () => {
      await api("POST", "articles/" + encodeURIComponent(state.article.id) + "/archive", {});
      await openArticle(state.article.id);
      flash("Archived.");
    }));
    $("phrasing-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const text = $("phrasing-text").value.trim();
      if (!text || !state.article) return;
      run(async () => {
        await api("POST", "articles/" + encodeURIComponent(state.article.id) + "/phrasings", { text });
        $("phrasing-text").value = "";
        await openArticle(state.article.id);
      });
    });
    $("ask-form").addEventListener("submit", (ev) => { ev.preventDefault(); ask(); });

    start();
  });
})();
