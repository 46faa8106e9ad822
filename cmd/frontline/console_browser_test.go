package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/browsertest"
)

// Payloads customers (and agents' tags) carry; none may run or become an
// element in any page.
const (
	xssMessage = `<img src=x onerror="window.__xss='message'">`
	xssTag     = `<img src=x onerror=__xss=1>`
	xssQuery   = `<script>window.__xss='question'</script> do you sell unicorn saddles`
)

// storyTime bounds each tab of the console story (each wait is bounded
// by browsertest.Timeout).
const storyTime = 3 * time.Minute

const consolePassword = "correct horse battery staple"

// deskYAML is the desk of the test: Tess works T1 support and is online
// (hand-offs are routed to her); Theo works T1 and T2 support and billing
// and is away (nothing is routed to him; he claims). High priority has a
// 2 s first-response target, so the double charge breaches at once.
const deskYAML = `
teams:
  - {id: support, name: Support}
  - {id: billing, name: Billing}
agents:
  - {user_id: %s, name: Tess Tierone, tiers: [t1], teams: [support], capacity: 3, presence: online}
  - {user_id: %s, name: Theo Tiertwo, tiers: [t1, t2], teams: [support, billing], capacity: 3, presence: away}
sla_policies:
  - {priority: normal, first_response: 30m, next_response: 30m, resolution: 8h, warn_at: 0.8, escalation: notify}
  - {priority: high, first_response: 2s, next_response: 30m, resolution: 8h, warn_at: 0.5, escalation: notify}
canned_replies:
  - {id: greeting, title: Greeting, body: "Hi, I'm {{agent.name}} from the {{team}} team. I'm reading your conversation now."}
`

// consoleSetup runs the real server on its own Postgres schema with three
// people and the desk above.
func consoleSetup(t *testing.T) (base string, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	_, schema, people := migratedPeople(t)
	ids = map[string]string{}
	for _, p := range []struct {
		email, name string
		role        frontline.Role
	}{
		{"tess@example.com", "Tess Tierone", frontline.RoleAgent},
		{"theo@example.com", "Theo Tiertwo", frontline.RoleAgent},
		{"sue@example.com", "Sue Supervisor", frontline.RoleSupervisor},
	} {
		u, err := people.CreateUser(ctx, auth.NewUser{Email: p.email, Name: p.name, Roles: []frontline.Role{p.role}, Password: consolePassword})
		if err != nil {
			t.Fatal(err)
		}
		ids[p.email] = u.ID
	}
	desk := filepath.Join(t.TempDir(), "desk.yaml")
	if err := os.WriteFile(desk, []byte(fmt.Sprintf(deskYAML, ids["tess@example.com"], ids["theo@example.com"])), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(t, map[string]string{
		"DATABASE_URL":            testDatabaseURL(schema),
		"FRONTLINE_DEMO_KB":       "true",
		"FRONTLINE_SITES":         "demo=",
		"FRONTLINE_PEOPLE_CONFIG": desk,
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL(), ids
}

// signIn opens path signed out, signs in on the sign-in page and waits
// for the element with id ready on the page it returns to.
func signIn(tab *browsertest.Tab, base, path, email, ready string) {
	tab.Do("open "+path+" signed out", chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.ID("login-email")))
	tab.SetValue("#login-email", email)
	tab.SetValue("#login-password", consolePassword)
	// chromedp's queries outlive the navigation back.
	tab.Do("sign in as "+email, chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID(ready)))
}

// Widget helpers over its shadow root.
const wRoot = `document.querySelector('#frontline-widget').shadowRoot`

func wq(sel string) string { return wRoot + `.querySelector(` + strconv.Quote(sel) + `)` }

func openWidget(tab *browsertest.Tab, base string) {
	tab.Do("open the shop", chromedp.Navigate(base+"/"))
	tab.WaitJS("the launcher", `document.querySelector('#frontline-widget') && `+wq(".launcher"))
	tab.Exec(wq(".launcher") + `.click()`)
	tab.WaitJS("the widget connected", wq(".conn")+`.hidden`)
}

func sayInWidget(tab *browsertest.Tab, text string) {
	tab.Exec(`window.__sentAt = Date.now(); const i = ` + wq("#fl-input") + `; i.value = ` + strconv.Quote(text) + `; ` + wq("form.compose") + `.requestSubmit();`)
}

// noInjection fails the test when a payload ran or became an element.
func noInjection(t *testing.T, tab *browsertest.Tab, page string) {
	t.Helper()
	if got := browsertest.Eval[string](tab, `String(window.__xss)`); got != "undefined" {
		t.Errorf("%s: a customer's payload ran: window.__xss = %q", page, got)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('img[onerror], script:not([src])').length`); n != 0 {
		t.Errorf("%s: %d injected elements in the page", page, n)
	}
}

func screenshot(t *testing.T, tab *browsertest.Tab, name string) {
	t.Helper()
	png, err := chromedp.Run(tab.Ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "..", "docs")
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserConsole is the human half end to end in real browsers on the
// real server and Postgres: a customer asks for a person; Tess's console
// alerts; she reads the packet, sends an article and a reply (the widget
// shows them under her name), tags, notes and transfers up a tier while
// Theo watches live; Theo claims, replies, asks for a rating and resolves;
// the customer rates 5. Meanwhile a double charge breaches its 2 s SLA,
// which the supervisor view shows, and the reports count all of it. No
// customer payload runs anywhere. UPDATE_SCREENSHOTS=1 writes the
// screenshots to docs/.
func TestBrowserConsole(t *testing.T) {
	t.Parallel()
	base, ids := consoleSetup(t)
	tessBrowser, theoBrowser, sueBrowser := browsertest.New(t), browsertest.New(t), browsertest.New(t)

	// Tess signs in: the console, live, with nothing in her queue.
	tess := tessBrowser.NewTabFor(t, storyTime)
	signIn(tess, base, "/console/", "tess@example.com", "claim-next")
	tess.WaitJS("Tess's live console", `document.querySelector('#conn.up') && document.querySelector('#mine li.none')`)
	if got := browsertest.Eval[string](tess, `document.querySelector('#who-name').textContent`); got != "Tess Tierone" {
		t.Fatalf("signed in as %q", got)
	}

	// A customer (in Tess's browser: the widget keeps no cookie) asks for a person.
	customer := tessBrowser.NewTabFor(t, storyTime)
	openWidget(customer, base)
	sayInWidget(customer, "I want to talk to a person about my refund "+xssMessage)
	tess.WaitJS("the hand-off alert", `!document.querySelector('#alert').hidden && window.__alertAt`)
	convID := browsertest.Eval[string](tess, `document.querySelector('#alert').dataset.id`)

	// The packet: why, the customer's own words, what the bot tried.
	tess.Do("open the alerted conversation", chromedp.Click(chromedp.ID("alert-open")))
	tess.WaitJS("the packet", `!document.querySelector('#packet').hidden && document.querySelector('#p-signals blockquote')`)
	// The alert is measured from the hand-off (its event's time, on this
	// machine's clock like the browser's) and from the customer's message
	// (which includes the bot's reading of it).
	sent, alerted := browsertest.Eval[float64](customer, `window.__sentAt`), browsertest.Eval[float64](tess, `window.__alertAt`)
	handedOff := browsertest.Eval[float64](tess, `Date.parse(document.querySelector('#transcript li.ev-handoff').dataset.at)`)
	t.Logf("hand-off to the console's alert: %.0f ms; customer's message to the alert: %.0f ms", alerted-handedOff, alerted-sent)
	if alerted-handedOff > 1000 {
		t.Errorf("the console alerted %.0f ms after the hand-off, want within one second", alerted-handedOff)
	}
	if got := browsertest.Eval[string](tess, `document.querySelector('#p-signals').textContent`); !strings.Contains(got, "human request") || !strings.Contains(got, "talk to a person") {
		t.Errorf("signals read %q, want the request for a person with the customer's words", got)
	}
	if got := browsertest.Eval[string](tess, `document.querySelector('#p-reason').textContent`); got == "" || got == "—" {
		t.Errorf("no hand-off reason shown")
	}
	if got := browsertest.Eval[string](tess, `document.querySelector('#transcript li.msg.customer .body').textContent`); !strings.Contains(got, xssMessage) {
		t.Errorf("the customer's message shows as %q, want its text with the markup as text", got)
	}

	// Theo opens the same conversation (he works T1 support too) and
	// watches Tess's actions arrive.
	theo := theoBrowser.NewTabFor(t, storyTime)
	signIn(theo, base, "/console/#c="+convID, "theo@example.com", "claim-next")
	theo.WaitJS("Theo sees the conversation", `document.querySelector('#conv-status') && document.querySelector('#conv-status').textContent.includes('Tess')`)

	// Tess sends an article: the customer gets a cited answer under her name.
	tess.Do("insert an article", chromedp.Click(chromedp.ID("insert-article")))
	tess.SetValue("#kb-q", "refund")
	tess.WaitJS("KB hits", `document.querySelector('#kb-hits li button')`)
	tess.Exec(`document.querySelector('#kb-hits li button').click()`)
	customer.WaitJS("the article in the widget, under Tess's name", wq(`li.msg.agent .cites a`)+` && `+wq(`li.msg.agent .who`)+`.textContent === 'Tess Tierone'`)
	tess.WaitJS("the article sent", `document.querySelector('#kb-search').hidden && document.querySelector('#flash').textContent.startsWith('Sent')`)
	if href := browsertest.Eval[string](customer, wq(`li.msg.agent .cites a`)+`.href`); !strings.Contains(href, "/kb/") {
		t.Errorf("citation links to %q, want the help centre", href)
	}
	// A canned reply picked with "/", then a reply of her own.
	tess.SetValue("#reply", "/greet")
	tess.WaitJS("the canned picker", `!document.querySelector('#canned').hidden && document.querySelector('#canned li[data-id="greeting"]')`)
	tess.Exec(`document.querySelector('#reply').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))`)
	if got := browsertest.Eval[string](tess, `document.querySelector('#reply').value`); got != "Hi, I'm Tess Tierone from the support team. I'm reading your conversation now." {
		t.Errorf("canned reply filled in as %q", got)
	}
	tess.SetValue("#reply", "I can see the refund; a colleague approves it.")
	tess.Exec(`document.querySelector('#reply-form').requestSubmit()`)
	tess.WaitJS("the reply sent", `document.querySelector('#reply').value === '' || !document.querySelector('#flash').hidden`)
	if !browsertest.Eval[bool](tess, `document.querySelector('#flash').hidden || !document.querySelector('#flash').classList.contains('bad')`) {
		t.Fatalf("sending the reply: %s", browsertest.Eval[string](tess, `document.querySelector('#flash').textContent`))
	}
	customer.WaitJS("Tess's reply in the widget", `[...`+wRoot+`.querySelectorAll('li.msg.agent .body')].some(b => b.textContent.includes('a colleague approves'))`)
	theo.WaitJS("Theo sees Tess's reply live", `[...document.querySelectorAll('#transcript li.msg.agent')].some(li => li.textContent.includes('a colleague approves'))`)

	// Tags (one a payload) and a private note; Theo sees the note.
	tess.SetValue("#tag-new", xssTag)
	tess.Exec(`document.querySelector('#tags-form').requestSubmit()`)
	tess.WaitJS("the tag", `document.querySelector('#tags li span')`)
	if got := browsertest.Eval[string](tess, `document.querySelector('#tags li span').textContent`); got != xssTag {
		t.Errorf("tag shows as %q, want the text %q", got, xssTag)
	}
	tess.Do("note mode", chromedp.Click(chromedp.ID("mode-note")))
	tess.SetValue("#reply", "Customer was charged on the 3rd.")
	tess.Exec(`document.querySelector('#reply-form').requestSubmit()`)
	theo.WaitJS("Theo sees Tess's note live", `[...document.querySelectorAll('#transcript li.note')].some(li => li.textContent.includes('charged on the 3rd'))`)
	if n := browsertest.Eval[int](customer, `[...`+wRoot+`.querySelectorAll('li.msg')].filter(li => li.textContent.includes('charged on the 3rd')).length`); n != 0 {
		t.Errorf("the private note reached the customer")
	}
	tess.Do("reply mode", chromedp.Click(chromedp.ID("mode-reply")))
	screenshot(t, tess, "console.png")
	tess.Do("a phone", chromedp.EmulateViewport(390, 844))
	tess.WaitJS("the phone layout", `getComputedStyle(document.querySelector('.panes')).display !== 'none'`)
	screenshot(t, tess, "console-phone.png")
	tess.Do("back to the desk", chromedp.EmulateViewport(1280, 900))

	// Her session ends under her: the next send goes to the sign-in page,
	// and the draft is there when she is back.
	tess.Exec(`fetch('/logout', {method: 'POST', credentials: 'same-origin'}).then(() => { window.__out = true; })`)
	tess.WaitJS("signed out behind the page", `window.__out`)
	const draft = "Draft that must survive the sign-in"
	tess.SetValue("#reply", draft)
	// Her typing notice may meet the ended session first and take her to
	// the sign-in page before the send: either way she lands there.
	tess.Exec(`const f = document.querySelector('#reply-form'); if (f) f.requestSubmit()`)
	tess.Do("the sign-in page", chromedp.WaitVisible(chromedp.ID("login-email")))
	tess.SetValue("#login-email", "tess@example.com")
	tess.SetValue("#login-password", consolePassword)
	tess.Do("sign in again", chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("claim-next")))
	tess.WaitJS("the console again with the draft", `location.pathname === '/console/' && document.querySelector('#reply') && document.querySelector('#reply').value === `+strconv.Quote(draft))
	tess.SetValue("#reply", "")

	// A second customer's double charge waits for T2 billing (Theo is
	// away) and breaches its 2 s first response.
	customer2 := theoBrowser.NewTabFor(t, storyTime)
	openWidget(customer2, base)
	sayInWidget(customer2, xssQuery)
	customer2.WaitJS("the bot's answer", wq(`li.msg.bot`))
	sayInWidget(customer2, "You charged me twice for the same order, I was double charged")
	customer2.WaitJS("queued", `!`+wq(`.notice.queue`)+`.hidden`)

	// Tess transfers up a tier with a reason; Theo sees it come to him.
	tess.WaitJS("the transfer button", `!document.querySelector('#act-transfer').hidden`)
	tess.Do("open the transfer form", chromedp.Click(chromedp.ID("act-transfer")))
	if got := browsertest.Eval[string](tess, `document.querySelector('#transfer-tier').value`); got != "t2" {
		t.Errorf("transfer tier defaults to %q, want the next tier up", got)
	}
	tess.SetValue("#transfer-reason", "refund above my approval limit")
	tess.Exec(`document.querySelector('#transfer-form').requestSubmit()`)
	theo.WaitJS("Theo sees it waiting for T2", `!document.querySelector('#act-claim').hidden && document.querySelector('#transcript').textContent.includes('refund above my approval limit')`)

	// Theo claims, replies, asks for a rating and resolves; the customer rates 5.
	theo.Do("claim", chromedp.Click(chromedp.ID("act-claim")))
	theo.WaitJS("Theo holds it", `document.querySelector('#conv-status').textContent === 'yours'`)
	theo.SetValue("#reply", "Refund approved: it reaches your card in 3 days.")
	theo.Exec(`document.querySelector('#reply-form').requestSubmit()`)
	customer.WaitJS("Theo's reply under his name", `[...`+wRoot+`.querySelectorAll('li.msg.agent')].some(li => li.querySelector('.who').textContent === 'Theo Tiertwo' && li.textContent.includes('Refund approved'))`)
	theo.Do("ask for a rating", chromedp.Click(chromedp.ID("act-csat")))
	theo.Do("resolve", chromedp.Click(chromedp.ID("act-resolve")))
	theo.WaitJS("resolved", `document.querySelector('#conv-status').textContent === 'resolved'`)
	customer.WaitJS("the rating form", wq(`.csat button[aria-label="5 of 5"]`))
	customer.Exec(wq(`.csat button[aria-label="5 of 5"]`) + `.click(); ` + wq(".csat input") + `.value = 'quick and kind'; ` + wq(".csat form") + `.requestSubmit()`)
	customer.WaitJS("thanks for rating", wq(".csat")+`.textContent.includes('Thank you')`)
	theo.WaitJS("Theo sees the rating live", `document.querySelector('#transcript').textContent.includes('rated it 5 of 5')`)

	// The supervisor sees the breached double charge.
	sue := sueBrowser.NewTabFor(t, storyTime)
	signIn(sue, base, "/console/supervisor", "sue@example.com", "lines")
	sue.WaitJS("the breach in the T2 billing line", `[...document.querySelectorAll('#lines tbody tr')].some(tr => tr.dataset.tier === 't2' && tr.dataset.team === 'billing' && tr.querySelector('.breached').textContent === '1')`)
	sue.WaitJS("the breached conversation", `document.querySelector('#convs tr[data-sla="breach"]')`)
	sue.Exec(`document.querySelector('#convs tr[data-sla="breach"] button').click()`)
	sue.WaitJS("watching it read-only", `!document.querySelector('#watch').hidden && document.querySelector('#watch-log li.msg.customer')`)
	if n := browsertest.Eval[int](sue, `document.querySelectorAll('#watch textarea, #watch input').length`); n != 0 {
		t.Errorf("the watch panel has %d writing controls, want none (read only)", n)
	}
	noInjection(t, sue, "supervisor")
	screenshot(t, sue, "supervisor.png")
	// She gives the double charge to Theo (away, but with room).
	sue.Exec(`document.querySelector('#reassign-agent').value = ` + strconv.Quote(ids["theo@example.com"]))
	sue.Do("reassign", chromedp.Click(chromedp.ID("reassign")))
	sue.WaitJS("reassigned to Theo", `[...document.querySelectorAll('#convs tbody tr')].some(tr => tr.textContent.includes('with Theo Tiertwo'))`)

	// The reports count it all. The breach the supervisor view derives
	// from the deadline is recorded by the SLA timer's job, which may come
	// a moment later: wait for it in the report's own API.
	sue.Exec(`(async () => {
		for (;;) {
			const r = await fetch('/api/reports', {credentials: 'same-origin'}).then(r => r.json()).catch(() => null);
			if (r && r.sla_breaches && r.sla_breaches.first_response) { window.__breachRecorded = true; return; }
			await new Promise(res => setTimeout(res, 100));
		}
	})()`)
	sue.WaitJS("the breach recorded", `window.__breachRecorded`)
	sue.Do("reports", chromedp.Navigate(base+"/console/reports"))
	sue.WaitJS("the report", `window.__reports && window.__reports.report`)
	r := browsertest.Eval[map[string]any](sue, `window.__reports.report`)
	if r["handoffs"].(float64) < 2 {
		t.Errorf("reports: %v hand-offs, want the two of this test", r["handoffs"])
	}
	csat := r["csat"].(map[string]any)
	if csat["count"].(float64) != 1 || csat["average"].(float64) != 5 {
		t.Errorf("reports: CSAT %v, want one 5", csat)
	}
	if b := r["sla_breaches"].(map[string]any); b["first_response"] == nil {
		t.Errorf("reports: breaches %v, want the first response of the double charge", b)
	}
	if fr := r["first_response"].(map[string]any); fr["count"].(float64) < 1 {
		t.Errorf("reports: first responses %v, want Tess's", fr)
	}
	sue.WaitJS("the charts drawn", `['reasons','severity','times','csat','sla','deflection'].every(n => { const i = document.getElementById('c-' + n); return i.complete && i.naturalWidth > 0; })`)
	sue.WaitJS("the unanswered question as text", `[...document.querySelectorAll('#unanswered q')].some(q => q.textContent.includes('unicorn saddles'))`)
	noInjection(t, sue, "reports")
	screenshot(t, sue, "reports.png")

	noInjection(t, tess, "console")
	noInjection(t, theo, "console (Theo)")
	for _, b := range []*browsertest.Browser{tessBrowser, theoBrowser, sueBrowser} {
		for _, p := range b.Console() {
			// The refused socket after the session ended is expected.
			if !strings.Contains(p, "WebSocket") && !strings.Contains(p, "401") {
				t.Errorf("a page reported: %s", p)
			}
		}
	}
}
