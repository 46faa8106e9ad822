package browsertest_test

import (
	"net/http"
	"net/http/httptest"
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
