package kb_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline/internal/browsertest"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
)

// TestBrowserHelpCentre is a customer in a real browser on the help centre
// of the demo shop: categories on the index, a search typed into the box
// (a plain form, no script), an article with a table, and a vote. With
// UPDATE_SCREENSHOTS=1 it writes docs/help-centre*.png.
func TestBrowserHelpCentre(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	articles, err := kb.ReadDir(demo.Articles())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.Import(ctx, svc, articles); err != nil {
		t.Fatal(err)
	}
	h, err := kb.NewPublicHandler(svc, kb.PublicOptions{Name: "Acme Outfitters help", Accent: "#0f766e"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	br := browsertest.New(t)
	tab := br.NewTab(t)
	tab.Do("open the help centre", chromedp.EmulateViewport(1100, 800), chromedp.Navigate(srv.URL+"/kb/"))
	tab.WaitJS("the categories", `document.querySelectorAll('section.category').length >= 5`)
	if got := browsertest.Eval[string](tab, `getComputedStyle(document.querySelector('header')).backgroundColor`); got != "rgb(15, 118, 110)" {
		t.Errorf("header colour %q, want the configured #0f766e", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#billing h2').textContent`); got != "Billing" {
		t.Errorf("billing category heading %q", got)
	}
	sorted := browsertest.Eval[bool](tab, `[...document.querySelectorAll('section.category')].every(s => {
		const t = [...s.querySelectorAll('li a')].map(a => a.textContent.toLowerCase());
		return t.every((x, i) => i === 0 || t[i-1] <= x);
	})`)
	if !sorted {
		t.Error("articles within a category are not sorted by title")
	}
	screenshot(t, tab, "help-centre.png")

	tab.Do("search", chromedp.SendKeys(`input[name="q"]`, "how long until my refund arrives"), chromedp.Submit(`form.search`),
		chromedp.WaitVisible(`.results li`))
	if got := browsertest.Eval[string](tab, `document.querySelector('.results li a').getAttribute('href')`); got != "/kb/refund-timeline" {
		t.Errorf("first result %q, want /kb/refund-timeline", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('.results li p').textContent`); len(got) < 40 {
		t.Errorf("first result's excerpt %q is too short", got)
	}
	screenshot(t, tab, "help-centre-search.png")

	tab.Do("open the article", chromedp.Click(`.results li a`), chromedp.WaitVisible(`form.vote`))
	tab.WaitJS("the article with its table", `document.querySelector('article.body table') && document.querySelector('form.vote')`)
	if got := browsertest.Eval[string](tab, `getComputedStyle(document.querySelector('article.body td')).borderTopStyle`); got != "solid" {
		t.Errorf("table cells have border style %q, want solid", got)
	}
	screenshot(t, tab, "help-centre-article.png")
	tab.Do("vote", chromedp.Click(`form.vote button[value="yes"]`), chromedp.WaitVisible(`div.vote`))
	tab.WaitJS("the thanks", `document.querySelector('.vote') && document.querySelector('.vote').textContent.includes('Thanks')`)
	stats, err := svc.ArticleStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Slug != "refund-timeline" || stats[0].Helpful != 1 {
		t.Errorf("stats after the vote = %+v, want one helpful vote on refund-timeline", stats)
	}
	if c := br.Console(); len(c) > 0 {
		t.Errorf("the page logged: %q", c)
	}
}

// screenshot captures the whole page; with UPDATE_SCREENSHOTS=1 it is
// written to docs/name.
func screenshot(t *testing.T, tab *browsertest.Tab, name string) {
	t.Helper()
	png, err := chromedp.Run(tab.Ctx, chromedp.FullScreenshot(100))
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot %s: %d bytes, %v", name, len(png), err)
	}
	if os.Getenv("UPDATE_SCREENSHOTS") == "" {
		return
	}
	if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
