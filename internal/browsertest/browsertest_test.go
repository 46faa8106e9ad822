package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline/internal/browsertest"
)

// TestTabRunsAPage shows the harness in use: serve a page, open it, act in
// it and wait for the result, with no sleeps.
func TestTabRunsAPage(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>t</title><button id=b onclick="setTimeout(() => document.body.dataset.done = 'yes', 50)">go</button>`))
	}))
	defer srv.Close()

	br := browsertest.New(t)
	tab := br.NewTab(t)
	tab.Do("open the page", chromedp.Navigate(srv.URL))
	if got := browsertest.Eval[string](tab, `document.title`); got != "t" {
		t.Fatalf("title = %q, want t", got)
	}
	tab.Exec(`document.getElementById('b').click()`)
	tab.WaitJS("the click's effect", `document.body.dataset.done === 'yes'`)
	if len(br.Console()) != 0 {
		t.Errorf("console = %v, want nothing", br.Console())
	}
}

// serve starts a server answering every request with the page.
func serve(t *testing.T, page string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestConsoleRecordsProblems checks that what a page reports as broken
// reaches Console before the action that caused it returns, and that
// ordinary logging does not.
func TestConsoleRecordsProblems(t *testing.T) {
	t.Parallel()
	url := serve(t, `<!doctype html><title>t</title>`)
	tests := []struct {
		name string
		js   string
		want string // in Console; "" means Console stays empty
	}{
		{"console.error", `console.error("boom-error")`, "boom-error"},
		{"uncaught exception", `const s = document.createElement("script"); s.textContent = "throw new Error('boom-exception')"; document.head.append(s)`, "boom-exception"},
		{"console.log", `console.log("all fine")`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			br := browsertest.New(t) // Console is per browser
			tab := br.NewTab(t)
			tab.Do("open the page", chromedp.Navigate(url))
			tab.Exec(tc.js)
			got := strings.Join(br.Console(), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("console = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSetValue checks that the value arrives intact, whatever it holds, and
// that the page's input handler sees it.
func TestSetValue(t *testing.T) {
	t.Parallel()
	url := serve(t, `<!doctype html><title>t</title><textarea id=f oninput="document.body.dataset.seen = this.value"></textarea>`)
	br := browsertest.New(t)
	tab := br.NewTab(t)
	tab.Do("open the page", chromedp.Navigate(url))

	for _, value := range []string{"plain", `quotes " ' and \ backslash`, "</textarea><script>x()</script>", "two\nlines\u2028✓", ""} {
		tab.SetValue("#f", value)
		if got := browsertest.Eval[string](tab, `document.body.dataset.seen`); got != value {
			t.Errorf("input handler saw %q, want %q", got, value)
		}
	}

	// A selector matching nothing fails the test rather than passing silently.
	ft := &fatalRecorder{TB: t}
	missing := br.NewTab(ft)
	missing.Do("open the page", chromedp.Navigate(url))
	done := make(chan struct{})
	go func() {
		defer close(done)
		missing.SetValue("#nope", "x")
	}()
	<-done
	if !strings.Contains(ft.msg, "#nope") {
		t.Errorf("SetValue on a missing element failed with %q, want a failure naming the selector", ft.msg)
	}
}

// fatalRecorder stands in for a test to see whether the harness fails it.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
