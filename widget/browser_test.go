package widget

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/browsertest"
)

// js snippets over the widget's shadow root.
const jsRoot = `document.querySelector('#frontline-widget').shadowRoot`

func q(sel string) string { return jsRoot + `.querySelector(` + strconv.Quote(sel) + `)` }

func qAll(sel string) string {
	return `Array.from(` + jsRoot + `.querySelectorAll(` + strconv.Quote(sel) + `))`
}

// say types into the widget and submits, as Enter would.
func say(tab *browsertest.Tab, text string) {
	tab.Exec(`const i = ` + q("#fl-input") + `; i.value = ` + strconv.Quote(text) + `; ` + q("form.compose") + `.requestSubmit();`)
}

// openDemo loads the demo page and opens the chat panel.
func openDemo(t *testing.T, br *browsertest.Browser, b *bundle) *browsertest.Tab {
	tab := br.NewTab(t)
	tab.Do("open demo page", chromedp.Navigate(b.http.URL+"/"))
	tab.WaitJS("the launcher", `document.querySelector('#frontline-widget') && `+q(".launcher"))
	tab.Exec(q(".launcher") + `.click()`)
	tab.WaitJS("the socket to be welcomed", q(".conn")+`.hidden`)
	return tab
}

// customerBodies returns the text of every customer message shown.
func customerBodies(tab *browsertest.Tab) []string {
	return browsertest.Eval[[]string](tab, qAll("li.msg.customer .body")+`.map(e => e.textContent)`)
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	br := browsertest.New(t)

	t.Run("ask, see the cited answer, keyboard, reload keeps history", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tab := openDemo(t, br, b)
		if got := browsertest.Eval[string](tab, q(".launcher")+`.getAttribute('aria-expanded')`); got != "true" {
			t.Fatalf("launcher aria-expanded = %q after opening, want true", got)
		}
		if got := browsertest.Eval[string](tab, jsRoot+`.activeElement && `+jsRoot+`.activeElement.id`); got != "fl-input" {
			t.Fatalf("focus after opening is on %q, want the message box", got)
		}
		say(tab, "How do I return boots?")
		tab.WaitJS("the bot's answer with its citation", q(`li.msg.bot a[href="https://help.acme.example/returns"]`))
		if got := browsertest.Eval[string](tab, q(`li.msg.bot .cites a`)+`.textContent`); got != "Returns and exchanges" {
			t.Errorf("citation text = %q, want the article title", got)
		}
		tab.WaitJS("my message marked sent", q(`li.msg.customer[data-state="sent"][data-seq="1"]`))
		// Escape closes the panel and gives focus back to the launcher.
		tab.Exec(q(".panel") + `.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`)
		tab.WaitJS("panel closed, focus on launcher", q(".panel")+`.hidden && `+jsRoot+`.activeElement === `+q(".launcher"))

		tab.Do("reload", chromedp.Reload())
		tab.WaitJS("the history after reload", q(`li[data-seq="1"]`)+` && `+q(`li[data-seq="2"] a`))
		if n := browsertest.Eval[int](tab, qAll("li.msg")+`.length`); n != 2 {
			t.Fatalf("after reload %d messages shown, want 2", n)
		}
	})

	t.Run("server kills the socket with messages in flight: each shown once", func(t *testing.T) {
		t.Parallel()
		var gate *gatedLog
		b := setup(t, func(o *setupOpts) {
			o.wrapLog = func(l frontline.Log) frontline.Log { gate = newGatedLog(l); return gate }
		})
		t.Cleanup(gate.open)
		tab := openDemo(t, br, b)
		say(tab, "first")
		tab.WaitJS("the first answer", q(`li[data-seq="2"]`))

		gate.arm()
		for _, s := range []string{"second", "third", "fourth"} {
			say(tab, s)
		}
		select {
		case <-gate.arrived: // an append is in flight, not yet committed
		case <-time.After(wait):
			t.Fatal("no append reached the store")
		}
		if n := b.killConnections(); n != 1 {
			t.Fatalf("killed %d connections, want 1", n)
		}
		gate.open()

		tab.WaitJS("all eight messages after reconnecting", q(`li[data-seq="8"]`)+` && `+qAll(`li.msg.customer[data-state="sent"]`)+`.length === 4`)
		want := []string{"first", "second", "third", "fourth"}
		if got := customerBodies(tab); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("customer messages shown = %q, want %q each once", got, want)
		}
		seqs := browsertest.Eval[[]string](tab, qAll("li.msg")+`.map(e => e.dataset.seq)`)
		if fmt.Sprint(seqs) != "[1 2 3 4 5 6 7 8]" {
			t.Fatalf("seqs shown = %v, want 1..8 once each", seqs)
		}
		convs, _ := b.store.FindConversations(context.Background(), frontline.ConversationFilter{SiteKey: testSite, Status: frontline.StatusBot, IDs: nil, VisitorID: visitorInPage(t, tab)})
		if len(convs) != 1 || convs[0].LastSeq != 8 {
			t.Fatalf("store: %d conversations, want one with 8 messages", len(convs))
		}
	})

	t.Run("talk to a human: queue position, agent name; payloads render as text", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tab := openDemo(t, br, b)
		tab.Exec(`window.__xss = 0`)
		payload := `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`
		say(tab, payload)
		tab.WaitJS("the echoed answer", q(`li.msg.bot`))
		if got := customerBodies(tab); len(got) != 1 || got[0] != payload {
			t.Fatalf("customer message shown as %q, want the payload as text", got)
		}
		tab.Exec(q(".human") + `.click()`)
		tab.WaitJS("queue position", q(".queue .position")+` && `+q(".queue .position")+`.textContent.includes('number 1 in line')`)
		if got := browsertest.Eval[string](tab, q(".queue .eta")+`.textContent`); got != ", about 3 min." {
			t.Errorf("eta text = %q, want about 3 min", got)
		}
		convID := browsertest.Eval[string](tab, `JSON.parse(atob(localStorage.getItem('frontline:acme:token').split('.')[1].replace(/-/g,'+').replace(/_/g,'/'))).cid`)
		evil := `<img src=x onerror="window.__xss=3">Eve`
		b.handoff.assign(t, convID, evil)
		tab.WaitJS("the agent's name", q(".queue .agent")+` && `+q(".queue .agent")+`.textContent === `+strconv.Quote(evil))
		tab.WaitJS("the agent's message", q("li.msg.agent .who"))
		if got := browsertest.Eval[string](tab, q("li.msg.agent .who")+`.textContent`); got != evil {
			t.Errorf("agent name in message = %q, want it as text", got)
		}
		if n := browsertest.Eval[int](tab, jsRoot+`.querySelectorAll('img, script').length + document.querySelectorAll('img, script:not([src])').length`); n != 0 {
			t.Fatalf("%d img/script elements were created from text", n)
		}
		if got := browsertest.Eval[int](tab, `window.__xss`); got != 0 {
			t.Fatalf("payload ran: window.__xss = %d", got)
		}
	})

	t.Run("after hours: email field; after resolution: CSAT", func(t *testing.T) {
		t.Parallel()
		tomorrow := strings.ToLower(time.Now().UTC().Add(24 * time.Hour).Weekday().String()[:3])
		b := setup(t, func(o *setupOpts) {
			o.hours = &frontline.BusinessHours{Open: []frontline.OpenSpan{{Days: []string{tomorrow}, From: "00:00", To: "24:00"}}}
		})
		tab := openDemo(t, br, b)
		tab.Exec(q(".human") + `.click()`)
		tab.WaitJS("the after-hours notice", q(`.away input[type="email"]`))
		if got := browsertest.Eval[string](tab, q(".away")+`.textContent`); !strings.Contains(got, "we answer from") {
			t.Errorf("after-hours notice %q does not say when the team answers (the welcome's opens_at)", got)
		}
		tab.Exec(q(`.away input[type="email"]`) + `.value = 'pat@example.com'; ` + q(".away form") + `.requestSubmit()`)
		tab.WaitJS("email saved", q(".away")+`.textContent.includes('we will email you')`)
		convID := browsertest.Eval[string](tab, `JSON.parse(atob(localStorage.getItem('frontline:acme:token').split('.')[1].replace(/-/g,'+').replace(/_/g,'/'))).cid`)
		conv, err := b.store.FindConversationByID(context.Background(), convID)
		if err != nil || conv.Profile["email"] != "pat@example.com" {
			t.Fatalf("profile = %v (err %v), want the email", conv, err)
		}

		if _, err := b.store.AppendMessage(context.Background(), frontline.AppendRequest{Message: frontline.Message{
			ConversationID: convID, Author: frontline.AuthorSystem, Body: "Conversation resolved.", Meta: frontline.MessageMeta{Kind: "resolved"},
		}}); err != nil {
			t.Fatal(err)
		}
		tab.WaitJS("the CSAT prompt", q(`.csat button[aria-label="4 of 5"]`))
		tab.Exec(q(`.csat button[aria-label="4 of 5"]`) + `.click(); ` + q(".csat input") + `.value = 'quick'; ` + q(".csat form") + `.requestSubmit()`)
		tab.WaitJS("thanks for rating", q(".csat")+`.textContent.includes('Thank you')`)
		ev, err := b.store.FindEvents(context.Background(), frontline.EventFilter{ConversationID: convID, Kinds: []frontline.EventKind{frontline.EventCSAT}})
		if err != nil || len(ev) != 1 {
			t.Fatalf("csat events = %v (err %v), want one", ev, err)
		}
	})
}

func visitorInPage(t *testing.T, tab *browsertest.Tab) string {
	t.Helper()
	return visitorIn(t, browsertest.Eval[string](tab, `localStorage.getItem('frontline:acme:token')`))
}
