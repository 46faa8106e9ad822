package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/browsertest"
)

// TestBrowserDemoSiteLook: an admin gives the demo site its own look
// through the admin API (an editor may not), and the demo shop shows it:
// name, colour, greeting and suggested articles linking the help centre;
// the real bot's cited answer shows its source once.
func TestBrowserDemoSiteLook(t *testing.T) {
	t.Parallel()
	srv, printed := startDemoServer(t)
	sessions := demoSessions(t, srv, printed)
	put := func(role frontline.Role, body string) (int, string) {
		req, _ := http.NewRequest("PUT", srv.URL()+"/api/admin/sites/demo", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: sessions[role]})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b := new(strings.Builder)
		_, _ = io.Copy(b, res.Body)
		return res.StatusCode, b.String()
	}
	look := `{"display_name":"Trailhead Outfitters","accent_color":"#b8452a","greeting":"Hi! Ask about orders, returns or sizing.",` +
		`"launcher_position":"bottom-left","suggested_articles":["start-a-return","reset-password","shipping-options"]}`
	if code, body := put(frontline.RoleEditor, look); code != http.StatusForbidden {
		t.Errorf("an editor setting a site's look = %d %s, want 403", code, body)
	}
	if code, body := put(frontline.RoleAdmin, `{"suggested_articles":["no-such-article"]}`); code != http.StatusBadRequest || !strings.Contains(body, `"code":"invalid"`) {
		t.Errorf("an unknown article = %d %s, want 400 invalid", code, body)
	}
	if code, body := put(frontline.RoleAdmin, look); code != http.StatusOK {
		t.Fatalf("the admin setting the look = %d %s", code, body)
	}

	br := browsertest.New(t)
	tab := br.NewTab(t)
	openWidget(tab, srv.URL())
	tab.WaitJS("the site's name", wq("#fl-title")+`.textContent === 'Trailhead Outfitters'`)
	if got := browsertest.Eval[string](tab, `getComputedStyle(`+wq(".launcher")+`).backgroundColor`); got != "rgb(184, 69, 42)" {
		t.Errorf("launcher colour %s, want #b8452a", got)
	}
	links := browsertest.Eval[[]string](tab, `[...`+wRoot+`.querySelectorAll('.greet li a')].map(a => a.textContent + ' ' + a.getAttribute('href'))`)
	want := "Start a return " + srv.URL() + "/kb/start-a-return|Reset your password " + srv.URL() + "/kb/reset-password|Shipping options, costs and delivery times " + srv.URL() + "/kb/shipping-options"
	if strings.Join(links, "|") != want {
		t.Errorf("suggested articles %q\nwant %q", links, want)
	}
	sayInWidget(tab, "How do I reset my password?")
	tab.WaitJS("the bot's answer", wq(`li.msg.bot`))
	// Not sure, the bot offers articles to pick: each title once, as a
	// button (not also in the text); a pick is answered from its article.
	if browsertest.Eval[bool](tab, wq(`li.msg.bot .picks button`)+` !== null`) {
		text := browsertest.Eval[string](tab, wq(`li.msg.bot .body`)+`.textContent`)
		picks := browsertest.Eval[[]string](tab, `[...`+wRoot+`.querySelectorAll('li.msg.bot .picks button')].map(b => b.textContent)`)
		for _, p := range picks {
			if strings.Contains(text, p) {
				t.Errorf("the offer %q lists %q in its text and as a button", text, p)
			}
		}
		tab.Exec(wq(`li.msg.bot .picks button`) + `.click()`)
		tab.WaitJS("the picked article's answer", `[...`+wRoot+`.querySelectorAll('li.msg.bot')].length >= 2`)
	}
	last := `[...` + wRoot + `.querySelectorAll('li.msg.bot')].pop()`
	if browsertest.Eval[bool](tab, last+`.querySelector('.cites a') === null`) {
		t.Fatalf("the bot answered without sources: %q", browsertest.Eval[string](tab, last+`.textContent`))
	}
	body := browsertest.Eval[string](tab, last+`.querySelector('.body').textContent`)
	cites := browsertest.Eval[[]string](tab, `[...`+last+`.querySelectorAll('.cites a')].map(a => a.textContent)`)
	if strings.Contains(body, "Source") || strings.Contains(body, "http") || len(cites) == 0 {
		t.Errorf("answer %q with sources %q: want the source once, under the answer", body, cites)
	}
	for _, c := range cites {
		if strings.Contains(body, c) {
			t.Errorf("the answer %q names its source %q in its text too", body, c)
		}
	}
}
