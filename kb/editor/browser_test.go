package editor_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline/internal/authtest"
	"github.com/frontlinehq/frontline/internal/browsertest"
)

// TestBrowserEditorFlow is an editor's day in a real browser: sign in,
// create an article (with hostile HTML in it), preview, publish, find it
// with "ask the KB", publish a change, roll back, and find the old content
// again. No script from the article may run at any point.
func TestBrowserEditorFlow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	br := browsertest.New(t)
	tab := br.NewTab(t)

	const (
		hostileTitle = `Gift wrapping <img src=x onerror="window.__xss='title'">`
		firstBody    = "We wrap gifts in recycled kraft paper for $4 per order.\n\n" +
			"<script>window.__xss = 'script'</script>\n\n" +
			`<img src="x" onerror="window.__xss = 'img'">` + "\n\n" +
			"[click me](javascript:window.__xss='link')\n"
		secondBody = "Gift wrapping is no longer offered."
		question   = "can you wrap my present in kraft paper"
	)

	// Signed out, the editor sends the browser to the sign-in page, which
	// sends it back once Ann has signed in.
	tab.Do("open the editor signed out",
		chromedp.Navigate(f.srv.URL+"/editor/"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
	)
	if got := browsertest.Eval[string](tab, `location.pathname + location.search`); got != "/login?next=%2Feditor%2F" {
		t.Errorf("signed out, /editor/ went to %q, want the sign-in page", got)
	}
	tab.Do("a wrong password",
		chromedp.SendKeys(chromedp.ID("login-email"), "ann@example.com"),
		chromedp.SendKeys(chromedp.ID("login-password"), "not the password"),
		chromedp.Click(chromedp.ID("login-submit")),
	)
	tab.WaitJS("the refusal", `!document.querySelector('#login-error').hidden && document.querySelector('#login-error').textContent.includes('not right')`)
	tab.Do("sign in",
		chromedp.SendKeys(chromedp.ID("login-password"), authtest.Password),
		chromedp.Click(chromedp.ID("login-submit")),
		// chromedp's queries outlive the navigation back to the editor.
		chromedp.WaitVisible(chromedp.ID("tab-articles")),
	)
	tab.WaitJS("the article list", `document.querySelector('#article-rows a[data-slug="reset-password"]')`)
	if got := browsertest.Eval[string](tab, `document.querySelector('#who-name').textContent`); got != "Ann Editor" {
		t.Errorf("signed in as %q, want Ann Editor", got)
	}
	if got := browsertest.Eval[string](tab, `document.cookie`); got != "" {
		t.Errorf("the page's script can read cookies %q; the session cookie must be HTTP-only", got)
	}

	tab.Do("new article", chromedp.Click(chromedp.ID("new-article")), chromedp.WaitVisible(chromedp.ID("edit-title")))
	tab.SetValue("#edit-title", hostileTitle)
	tab.SetValue("#edit-slug", "gift-wrapping")
	tab.SetValue("#edit-tags", "orders, gifts")
	tab.SetValue("#edit-body", firstBody)
	tab.WaitJS("the preview", `document.querySelector('#preview').textContent.includes('kraft paper')`)
	if html := browsertest.Eval[string](tab, `document.querySelector('#preview').innerHTML`); unsafe.MatchString(html) {
		t.Errorf("preview holds %q: %s", unsafe.FindString(html), html)
	}

	tab.Do("save", chromedp.Click(chromedp.ID("save")))
	tab.WaitJS("the saved draft", `document.querySelector('#edit-state').textContent === 'draft' && !document.querySelector('#edit-extras').hidden`)
	tab.Do("publish", chromedp.Click(chromedp.ID("publish")))
	tab.WaitJS("revision 1 published", `document.querySelector('#revisions li[data-revision="1"]') && document.querySelector('#edit-state').textContent === 'published'`)

	tab.Do("ask the KB",
		chromedp.Click(chromedp.ID("tab-ask")),
		chromedp.WaitVisible(chromedp.ID("ask-question")),
		chromedp.SendKeys(chromedp.ID("ask-question"), question),
		chromedp.Click(chromedp.ID("ask-submit")),
	)
	tab.WaitJS("a hit", `document.querySelector('#ask-hits li')`)
	if got := browsertest.Eval[string](tab, `document.querySelector('#ask-hits li').dataset.slug`); got != "gift-wrapping" {
		t.Fatalf("ask the KB: first hit %q, want gift-wrapping", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#ask-hits li .passage').textContent`); !strings.Contains(got, "kraft paper") {
		t.Errorf("ask the KB: passage %q, want the published text", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#ask-decision').textContent`); !strings.Contains(got, "threshold") {
		t.Errorf("ask the KB: decision %q, want the score against the threshold", got)
	}

	tab.Do("open the article from the hit", chromedp.Click(chromedp.CSS("#ask-hits li .hit-title")))
	tab.WaitJS("the article with its revisions", `document.querySelector('#edit-slug').value === 'gift-wrapping' && document.querySelector('#revisions li')`)
	tab.SetValue("#edit-body", secondBody)
	tab.Do("publish the change", chromedp.Click(chromedp.ID("publish")))
	tab.WaitJS("revision 2", `document.querySelector('#revisions li[data-revision="2"]')`)

	// The first click arms the rollback button, the second confirms.
	const rollback1 = `#revisions button.rollback[data-revision="1"]`
	tab.Do("arm the rollback to revision 1", chromedp.Click(chromedp.CSS(rollback1)))
	tab.WaitJS("the armed button", `document.querySelector('`+rollback1+`').dataset.armed === '1'`)
	tab.Do("confirm the rollback", chromedp.Click(chromedp.CSS(rollback1)))
	tab.WaitJS("revision 3", `document.querySelector('#revisions li[data-revision="3"]')`)
	if body := browsertest.Eval[string](tab, `document.querySelector('#edit-body').value`); !strings.Contains(body, "kraft paper") {
		t.Errorf("body after rollback = %q, want the first version", body)
	}

	tab.Do("ask again after rollback", chromedp.Click(chromedp.ID("tab-ask")), chromedp.Click(chromedp.ID("ask-submit")))
	tab.WaitJS("the first version's passage", `(document.querySelector('#ask-hits li .passage') || {textContent: ''}).textContent.includes('kraft paper')`)

	// The hostile title shows as text in the list, and nothing ran.
	tab.Do("back to the list", chromedp.Click(chromedp.ID("tab-articles")))
	tab.WaitJS("the new article listed", `document.querySelector('#article-rows a[data-slug="gift-wrapping"]')`)
	if got := browsertest.Eval[string](tab, `document.querySelector('#article-rows a[data-slug="gift-wrapping"]').textContent`); got != hostileTitle {
		t.Errorf("listed title = %q, want it shown as text: %q", got, hostileTitle)
	}
	if got := browsertest.Eval[string](tab, `String(window.__xss)`); got != "undefined" {
		t.Errorf("script from an article ran: window.__xss = %q", got)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#article-rows img, #preview img[onerror], script:not([src])').length`); n != 0 {
		t.Errorf("%d injected elements found in the page", n)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#revisions li[data-revision="1"]').textContent`); !strings.Contains(got, "by Ann Editor") {
		t.Errorf("revision 1 reads %q, want it by Ann Editor, the signed-in account", got)
	}

	// Signing out ends the session: the editor asks for a sign-in again.
	tab.Do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("login-email")))
	tab.Do("the editor again", chromedp.Navigate(f.srv.URL+"/editor/"), chromedp.WaitVisible(chromedp.ID("login-email")))
	if p := br.Console(); len(p) > 0 {
		t.Errorf("the page reported problems: %q", p)
	}
}
