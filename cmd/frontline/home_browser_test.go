package main

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline/internal/browsertest"
)

// TestBrowserHomePage: on a deployment that is not the demo, / is a plain
// page in the site's name that links the help centre and carries a
// working chat widget (its script allowed by the page's policy).
func TestBrowserHomePage(t *testing.T) {
	t.Parallel()
	srv, err := startServer(t, map[string]string{"FRONTLINE_DEMO_KB": "false", "FRONTLINE_HELP_CENTRE_NAME": "Trailhead Outfitters", "FRONTLINE_HELP_CENTRE_COLOR": "#0f766e"})
	if err != nil {
		t.Fatal(err)
	}
	br := browsertest.New(t)
	tab := br.NewTab(t)
	tab.Do("open /", chromedp.Navigate(srv.URL()+"/"))
	tab.WaitJS("the widget's launcher", `document.querySelector('#frontline-widget') && document.querySelector('#frontline-widget').shadowRoot && document.querySelector('#frontline-widget').shadowRoot.querySelector('.launcher')`)
	if got := browsertest.Eval[string](tab, `document.querySelector('h1').textContent`); got != "Trailhead Outfitters" {
		t.Errorf("heading %q, want the configured name", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('main a[href="/kb/"]') ? getComputedStyle(document.querySelector('main a[href="/kb/"]')).color : ""`); got != "rgb(15, 118, 110)" {
		t.Errorf("help-centre link colour %q, want the configured #0f766e", got)
	}
	if c := br.Console(); len(c) > 0 {
		t.Errorf("the page logged: %q", c)
	}
}
