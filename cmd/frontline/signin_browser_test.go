package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline/internal/browsertest"
	"github.com/frontlinehq/frontline/internal/pgtest"
)

// The whole way in, on the real binary and PostgreSQL: an admin runs
// `frontline user add` for an editor; the editor opens /editor/, is sent to
// sign in, comes back, publishes an article under their own name, and
// signs out.
func TestBrowserEditorSignsInOnPostgres(t *testing.T) {
	t.Parallel()
	db, schema := pgtest.NewUnmigratedDB(t)
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": testDatabaseURL(schema)}
	const password = "the editor's own passphrase"
	var out bytes.Buffer
	err := runUserWith(t.Context(), []string{"add", "--email", "eve@example.com", "--name", "Eve Editor", "--role", "editor"},
		func(k string) string { return env[k] }, strings.NewReader(password+"\n"), &out, &out)
	if err != nil {
		t.Fatalf("user add: %v (%s)", err, &out)
	}
	srv, err := startServer(t, env)
	if err != nil {
		t.Fatal(err)
	}

	br := browsertest.New(t)
	tab := br.NewTab(t)
	tab.Do("open the editor", chromedp.Navigate(srv.URL()+"/editor/"), chromedp.WaitVisible(chromedp.ID("login-email")))
	tab.Do("sign in",
		chromedp.SendKeys(chromedp.ID("login-email"), "eve@example.com"),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("new-article")),
	)
	tab.Do("new article", chromedp.Click(chromedp.ID("new-article")), chromedp.WaitVisible(chromedp.ID("edit-title")))
	tab.SetValue("#edit-title", "Opening hours")
	tab.SetValue("#edit-slug", "opening-hours")
	tab.SetValue("#edit-body", "We answer from 9 to 5, Monday to Friday.")
	tab.Do("save", chromedp.Click(chromedp.ID("save")))
	tab.WaitJS("the saved draft", `document.querySelector('#edit-state').textContent === 'draft' && !document.querySelector('#edit-extras').hidden`)
	tab.Do("publish", chromedp.Click(chromedp.ID("publish")))
	tab.WaitJS("revision 1", `document.querySelector('#revisions li[data-revision="1"]')`)
	if got := browsertest.Eval[string](tab, `document.querySelector('#revisions li[data-revision="1"]').textContent`); !strings.Contains(got, "by Eve Editor") {
		t.Errorf("revision 1 reads %q, want it by Eve Editor", got)
	}
	tab.Do("sign out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("login-email")))
	tab.Do("the editor again", chromedp.Navigate(srv.URL()+"/editor/"), chromedp.WaitVisible(chromedp.ID("login-email")))
	var sessions int
	if err := db.Pool().QueryRow(t.Context(), "SELECT count(*) FROM sessions").Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions != 0 {
		t.Errorf("%d sessions stored after signing out, want 0", sessions)
	}
	if p := br.Console(); len(p) > 0 {
		t.Errorf("the pages reported problems: %q", p)
	}
}
