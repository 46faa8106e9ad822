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

  // home is the first page the person's roles open.
  function home(user) {
    const roles = user.roles || [];
    if (roles.includes("agent") || roles.includes("supervisor")) return "/console/";
    if (roles.includes("editor") || roles.includes("admin")) return "/editor/";
    return "/api/me";
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
      location.assign(next() || home(data.user));
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

  // Say who is signed in already, if anyone.
  async function whoAmI() {
    const res = await fetch("/api/me", { credentials: "same-origin" }).catch(() => null);
    if (!res || !res.ok) return;
    const me = await res.json().catch(() => null);
    if (!me) return;
    $("signed-in-name").textContent = me.name + " (" + me.email + ")";
    $("signed-in").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    whoAmI();
  });
})();
