// Package browsertest runs real-browser tests in headless Chromium through
// chromedp: one browser per test (a fresh profile each time), tabs on it,
// and small helpers that wait on a JavaScript condition instead of sleeping.
// It fails, never skips, when Chromium is missing: install it with
// .ci/install-chromium.sh (or set CHROMIUM to its path).
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// DefaultPath is where Debian's chromium package puts the browser.
const DefaultPath = "/usr/bin/chromium"

// Timeout bounds one tab's whole life. A page test takes a few seconds
// alone; under make test it shares two cores with the race detector, other
// packages and other browsers, and 30 s was once not enough to sign in
// (argon2id) and publish.
const Timeout = 60 * time.Second

// Browser is one headless Chromium process.
type Browser struct {
	ctx context.Context
	// console collects console errors and uncaught exceptions from all tabs,
	// reported when a wait fails.
	mu      sync.Mutex
	console []string
}

// Path returns the Chromium binary to run: $CHROMIUM or DefaultPath.
func Path() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return DefaultPath
}

// New starts Chromium with a fresh user-data-dir; it is killed when the test ends.
func New(t testing.TB) *Browser {
	t.Helper()
	path := Path()
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		t.Fatalf("browsertest: Chromium not found at %s (%v): run .ci/install-chromium.sh or set CHROMIUM", path, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("browsertest: start Chromium at %s: %v", path, err)
	}
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	return &Browser{ctx: ctx}
}

// Tab is one page in the browser, bound to a test.
type Tab struct {
	t   testing.TB
	b   *Browser
	Ctx context.Context
}

// NewTab opens a tab that closes when the test ends or after Timeout.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()
	return b.NewTabFor(t, Timeout)
}

// NewTabFor is NewTab for a tab that lives through a longer story (several
// people's pages, one after the other): it closes after life. Each wait
// in it is still bounded by Timeout.
func (b *Browser) NewTabFor(t testing.TB, life time.Duration) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	ctx, cancelTimeout := context.WithTimeout(ctx, life)
	// Listen opens the tab; page errors are kept for failure messages.
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.record("exception: " + e.ExceptionDetails.Text + " " + describe(e.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, describe(a))
				}
				b.record(string(e.Type) + ": " + strings.Join(parts, " "))
			}
		}
	})
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, runtime.Enable, cdp.Empty{})
			return err
		}))
	}
	if err != nil {
		cancelTimeout()
		cancel()
		t.Fatalf("browsertest: open tab: %v", err)
	}
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	return &Tab{t: t, b: b, Ctx: ctx}
}

func (b *Browser) record(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.console) < 50 {
		b.console = append(b.console, s)
	}
}

// Console returns the console errors, warnings and exceptions seen so far.
func (b *Browser) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// Do runs chromedp actions, failing the test with what the page logged.
func (tab *Tab) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	if err := chromedp.Do(tab.Ctx, actions...); err != nil {
		tab.t.Fatalf("browser: %s: %v%s", what, err, tab.consoleNote())
	}
}

// Eval evaluates a JavaScript expression and decodes its JSON result.
func Eval[T any](tab *Tab, js string) T {
	tab.t.Helper()
	v, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tab.t.Fatalf("browser: eval %s: %v%s", abbrev(js), err, tab.consoleNote())
	}
	return v
}

// Exec evaluates JavaScript for its effect.
func (tab *Tab) Exec(js string) {
	tab.t.Helper()
	Eval[any](tab, "(() => { "+js+"\n})(), null")
}

// SetValue puts value in the form field matched by the CSS selector and fires
// its input event, as typing would, in one step: many characters typed one
// by one would each start the page's input handling. It fails the test when
// no element matches.
func (tab *Tab) SetValue(selector, value string) {
	tab.t.Helper()
	found := Eval[bool](tab, `(() => {
		const e = document.querySelector(`+jsString(selector)+`);
		if (!e) return false;
		e.value = `+jsString(value)+`;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`)
	if !found {
		tab.t.Fatalf("browser: set value: no element matches %s", selector)
	}
}

// WaitJS waits until the JavaScript expression is truthy, polling in the
// page, and fails the test naming the condition when the tab's time is up.
func (tab *Tab) WaitJS(what, js string) {
	tab.t.Helper()
	_, err := chromedp.Run(tab.Ctx, chromedp.Poll[bool]("!!("+js+")",
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(Timeout)))
	if err != nil {
		tab.t.Fatalf("browser: waiting for %s (%s): %v%s", what, abbrev(js), err, tab.consoleNote())
	}
}

// WaitPath waits until the tab's location has the given path, through any
// navigation on the way (which WaitJS's in-page polling does not survive),
// and fails the test when the tab's time is up.
func (tab *Tab) WaitPath(what, path string) {
	tab.t.Helper()
	deadline := time.Now().Add(Timeout)
	var last string
	for time.Now().Before(deadline) {
		if loc, err := chromedp.Run(tab.Ctx, chromedp.Location()); err == nil {
			if u, err := url.Parse(loc); err == nil && u.Path == path {
				return
			}
			last = loc
		}
		select {
		case <-tab.Ctx.Done():
			tab.t.Fatalf("browser: waiting for %s (path %s): %v", what, path, tab.Ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tab.t.Fatalf("browser: waiting for %s: at %q, want path %s%s", what, last, path, tab.consoleNote())
}

// jsString quotes s as a JavaScript string literal; JSON's escapes are valid
// JavaScript, Go's (\a, \U) are not all.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Value)
}

func (tab *Tab) consoleNote() string {
	c := tab.b.Console()
	if len(c) == 0 {
		return ""
	}
	return fmt.Sprintf("\npage console:\n  %s", strings.Join(c, "\n  "))
}

func abbrev(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}
