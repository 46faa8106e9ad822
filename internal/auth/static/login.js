// Frontline sign-in page. Plain JavaScript, no framework. The session
// lives in an HTTP-only cookie the server sets; this script never sees it.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  // next is where to go after signing in: a path on this site only, so a
  // crafted link cannot send someone elsewhere.
  function next() {
    const n = new URLSearchParams(location.search).get("next") || "";
    // A redirect keeps the page's #fragment on this page (servers never
    // see it): hand it on, so a console link to one conversation survives.
    if (n.startsWith("/") && !n.startsWith("//") && !n.startsWith("/\\")) return n.includes("#") ? n : n + location.hash;
    return "";
  }

  // places are the pages a person's roles open, first the one to go to
  // after signing in.
  function places(user) {
    const roles = user.roles || [];
    const out = [];
    if (roles.includes("agent") || roles.includes("supervisor")) out.push({ href: "/console/", label: "Agent console" });
    if (roles.includes("supervisor") || roles.includes("admin")) out.push({ href: "/console/supervisor", label: "Supervisor view" }, { href: "/console/reports", label: "Reports" });
    if (roles.includes("editor") || roles.includes("admin")) out.push({ href: "/editor/", label: "Knowledge base editor" });
    return out;
  }

  function showError(message) {
    $("login-error").textContent = message;
    $("login-error").hidden = false;
  }

  async function signIn(ev) {
    ev.preventDefault();
    const email = $("login-email").value.trim();
    const password = $("login-password").value;
    if (!email || !password) {
      showError("Enter your email and password.");
      return;
    }
    $("login-submit").disabled = true;
    $("login-error").hidden = true;
    try {
      const res = await fetch("/api/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email, password }),
        credentials: "same-origin",
      });
      const data = await res.json().catch(() => null);
      if (!res.ok) {
        const err = (data && data.error) || {};
        showError(err.message || "Sign-in failed (" + res.status + ").");
        $("login-password").value = "";
        $("login-password").focus();
        return;
      }
      const dest = next() || (places(data.user)[0] || {}).href;
      if (dest) {
        location.assign(dest);
        return;
      }
      $("login-form").reset();
      showSignedIn(data.user);
    } catch (e) {
      showError("The server cannot be reached. Check your connection and try again.");
    } finally {
      $("login-submit").disabled = false;
    }
  }

  async function signOut() {
    await fetch("/logout", { method: "POST", credentials: "same-origin" }).catch(() => null);
    $("signed-in").hidden = true;
  }

  // showSignedIn says who is signed in and links the pages they may open.
  function showSignedIn(me) {
    $("signed-in-name").textContent = me.name + " (" + me.email + ")";
    const list = $("places");
    list.replaceChildren();
    for (const p of places(me)) {
      const a = document.createElement("a");
      a.href = p.href;
      a.textContent = p.label;
      const li = document.createElement("li");
      li.append(a);
      list.append(li);
    }
    $("signed-in").hidden = false;
  }

  // Say who is signed in already, if anyone.
  async function whoAmI() {
    const res = await fetch("/api/me", { credentials: "same-origin" }).catch(() => null);
    const me = res && res.ok ? await res.json().catch(() => null) : null;
    if (me) showSignedIn(me);
    document.body.dataset.checked = "1"; // for tests: the answer is in
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    whoAmI();
  });
})();
