package editor_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where the project's scripts install Chromium.
const chromiumPath = "/usr/bin/chromium"

// browser is a headless Chromium tab, and the JavaScript exceptions and
// console errors it reported.
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

func (b *browser) report(msg string) {
	b.mu.Lock()
	b.problems = append(b.problems, msg)
	b.mu.Unlock()
}

func (b *browser) problemsSoFar() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// newBrowser starts headless Chromium for one test. It fails, never skips,
// when Chromium is missing. (A minimal launch of our own: the shared
// internal/browsertest harness did not exist yet when this was written.)
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is not installed at %s (%v); `make test` installs it", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	// The whole browser session is bounded so a hung page fails the test
	// instead of the test binary's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// Collect uncaught exceptions and console errors for the whole session.
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	consoles := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			msg := "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
			b.report(msg)
		}
	}()
	go func() {
		for ev, err := range consoles {
			if err != nil {
				return
			}
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				continue
			}
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			b.report("console.error: " + strings.Join(parts, " "))
		}
	}()
	return b
}

// run runs steps in order, failing the test with step's name on error.
func (b *browser) run(t *testing.T, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("%s: %v (page problems: %q)", step, err, b.problemsSoFar())
	}
}

// eval returns the value of a JavaScript expression.
func (b *browser) eval(t *testing.T, expr string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true.
func waitFor(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(15*time.Second))
}

// setValue sets a form field and fires its input event, as typing would.
func setValue(sel, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, sel, value)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return chromedp.Void{}, err
	}
}

// TestBrowserEditorFlow is an editor's day in a real browser: sign in,
// create an article (with hostile HTML in it), preview, publish, find it
// with "ask the KB", publish a change, roll back, and find the old content
// again. No script from the article may run at any point.
func TestBrowserEditorFlow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	b := newBrowser(t)

	const (
		hostileTitle = `Gift wrapping <img src=x onerror="window.__xss='title'">`
		firstBody    = "We wrap gifts in recycled kraft paper for $4 per order.\n\n" +
			"<script>window.__xss = 'script'</script>\n\n" +
			`<img src="x" onerror="window.__xss = 'img'">` + "\n\n" +
			"[click me](javascript:window.__xss='link')\n"
		secondBody = "Gift wrapping is no longer offered."
		question   = "can you wrap my present in kraft paper"
	)

	b.run(t, "sign in",
		chromedp.Navigate(f.srv.URL+"/editor/"),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		chromedp.SendKeys(chromedp.ID("login-token"), testToken),
		chromedp.SendKeys(chromedp.ID("login-name"), "Ann Editor"),
		chromedp.Click(chromedp.ID("login-submit")),
		waitFor(`document.querySelector('#article-rows a[data-slug="reset-password"]') !== null`),
	)

	b.run(t, "create and preview",
		chromedp.Click(chromedp.ID("new-article")),
		chromedp.WaitVisible(chromedp.ID("edit-title")),
		setValue("#edit-title", hostileTitle),
		setValue("#edit-slug", "gift-wrapping"),
		setValue("#edit-tags", "orders, gifts"),
		setValue("#edit-body", firstBody),
		waitFor(`document.querySelector('#preview').textContent.includes('kraft paper')`),
	)
	if html := b.eval(t, `document.querySelector('#preview').innerHTML`); unsafe.MatchString(html) {
		t.Errorf("preview holds %q: %s", unsafe.FindString(html), html)
	}

	b.run(t, "save and publish",
		chromedp.Click(chromedp.ID("save")),
		waitFor(`document.querySelector('#edit-state').textContent === 'draft' && !document.querySelector('#edit-extras').hidden`),
		chromedp.Click(chromedp.ID("publish")),
		waitFor(`document.querySelector('#revisions li[data-revision="1"]') !== null && document.querySelector('#edit-state').textContent === 'published'`),
	)

	b.run(t, "ask the KB",
		chromedp.Click(chromedp.ID("tab-ask")),
		chromedp.WaitVisible(chromedp.ID("ask-question")),
		chromedp.SendKeys(chromedp.ID("ask-question"), question),
		chromedp.Click(chromedp.ID("ask-submit")),
		waitFor(`document.querySelector('#ask-hits li') !== null`),
	)
	if got := b.eval(t, `document.querySelector('#ask-hits li').dataset.slug`); got != "gift-wrapping" {
		t.Fatalf("ask the KB: first hit %q, want gift-wrapping", got)
	}
	if got := b.eval(t, `document.querySelector('#ask-hits li .passage').textContent`); !strings.Contains(got, "kraft paper") {
		t.Errorf("ask the KB: passage %q, want the published text", got)
	}
	if got := b.eval(t, `document.querySelector('#ask-decision').textContent`); !strings.Contains(got, "threshold") {
		t.Errorf("ask the KB: decision %q, want the score against the threshold", got)
	}

	b.run(t, "open from the hit, change and publish again",
		chromedp.Click(chromedp.CSS("#ask-hits li .hit-title")),
		waitFor(`document.querySelector('#edit-slug').value === 'gift-wrapping' && document.querySelector('#revisions li') !== null`),
		setValue("#edit-body", secondBody),
		chromedp.Click(chromedp.ID("publish")),
		waitFor(`document.querySelector('#revisions li[data-revision="2"]') !== null`),
	)

	const rollback1 = `#revisions button.rollback[data-revision="1"]`
	b.run(t, "roll back to revision 1",
		// The first click arms the button, the second confirms.
		chromedp.Click(chromedp.CSS(rollback1)),
		waitFor(`document.querySelector('`+rollback1+`').dataset.armed === '1'`),
		chromedp.Click(chromedp.CSS(rollback1)),
		waitFor(`document.querySelector('#revisions li[data-revision="3"]') !== null`),
	)
	if body := b.eval(t, `document.querySelector('#edit-body').value`); !strings.Contains(body, "kraft paper") {
		t.Errorf("body after rollback = %q, want the first version", body)
	}

	b.run(t, "ask again after rollback",
		chromedp.Click(chromedp.ID("tab-ask")),
		chromedp.Click(chromedp.ID("ask-submit")),
		waitFor(`(document.querySelector('#ask-hits li .passage') || {textContent: ''}).textContent.includes('kraft paper')`),
	)

	// The hostile title shows as text in the list, and nothing ran.
	b.run(t, "back to the list",
		chromedp.Click(chromedp.ID("tab-articles")),
		waitFor(`document.querySelector('#article-rows a[data-slug="gift-wrapping"]') !== null`),
	)
	if got := b.eval(t, `document.querySelector('#article-rows a[data-slug="gift-wrapping"]').textContent`); got != hostileTitle {
		t.Errorf("listed title = %q, want it shown as text: %q", got, hostileTitle)
	}
	if got := b.eval(t, `String(window.__xss)`); got != "undefined" {
		t.Errorf("script from an article ran: window.__xss = %q", got)
	}
	if n := b.eval(t, `String(document.querySelectorAll('#article-rows img, #preview img[onerror], script:not([src])').length)`); n != "0" {
		t.Errorf("%s injected elements found in the page", n)
	}
	if p := b.problemsSoFar(); len(p) > 0 {
		t.Errorf("the page reported problems: %q", p)
	}
}
