package auth_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/authtest"
	"github.com/frontlinehq/frontline/internal/browsertest"
)

// An agent (no page of theirs yet) signs in, sees who they are as text even
// with markup in their name, and signs out; the session cookie is never
// visible to the page's script.
func TestBrowserSignInAndOut(t *testing.T) {
	t.Parallel()
	f := authtest.NewFixture(t, auth.Options{})
	const hostile = `Al <img src=x onerror="window.__xss=1">`
	f.User(t, "al@example.com", hostile, frontline.RoleAgent)
	srv := f.Serve(t)
	br := browsertest.New(t)
	tab := br.NewTab(t)

	tab.Do("open the sign-in page", chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(chromedp.ID("login-email")))
	tab.Do("an empty form", chromedp.Click(chromedp.ID("login-submit")))
	tab.WaitJS("the hint", `!document.querySelector('#login-error').hidden`)
	tab.Do("sign in",
		chromedp.SendKeys(chromedp.ID("login-email"), "al@example.com"),
		chromedp.SendKeys(chromedp.ID("login-password"), authtest.Password),
		chromedp.Click(chromedp.ID("login-submit")),
	)
	// An agent goes on to the console (not served by this fixture); back on
	// the sign-in page, it says who is signed in.
	tab.WaitPath("sent on to the agent console", "/console/")
	tab.Do("back to the sign-in page", chromedp.Navigate(srv.URL+"/login"), chromedp.WaitReady("body"))
	tab.WaitJS("signed in", `!document.querySelector('#signed-in').hidden`)
	if got := browsertest.Eval[string](tab, `document.querySelector('#signed-in-name').textContent`); got != hostile+" (al@example.com)" {
		t.Errorf("signed in as %q, want the name as text", got)
	}
	if got := browsertest.Eval[string](tab, `String(window.__xss) + document.cookie`); got != "undefined" {
		t.Errorf("script ran or cookie readable: %q", got)
	}
	tab.Do("reload", chromedp.Reload(), chromedp.WaitReady("body"))
	tab.WaitJS("still signed in after a reload", `!document.querySelector('#signed-in').hidden`)
	tab.Do("sign out", chromedp.Click(chromedp.ID("sign-out")))
	tab.WaitJS("signed out", `document.querySelector('#signed-in').hidden`)
	tab.Do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("login-email")))
	tab.WaitJS("the page asked who is signed in", `document.body.dataset.checked === '1'`)
	if hidden := browsertest.Eval[bool](tab, `document.querySelector('#signed-in').hidden`); !hidden {
		t.Error("after signing out and reloading, the page still says who is signed in")
	}
	if p := br.Console(); len(p) > 0 {
		t.Errorf("the page reported problems: %q", p)
	}
}
