package widget

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/browsertest"
)

// trailhead is a site's own look, as its owner sets it in the admin API.
func trailhead() *frontline.SiteSettings {
	return &frontline.SiteSettings{SiteKey: testSite, DisplayName: "Trailhead Outfitters", AccentColor: "#b8452a",
		Greeting:         "Hi! We're Trailhead's helpers.\nAsk about orders, returns or sizing; a person can take over at any time.",
		LauncherPosition: frontline.LauncherBottomLeft, SuggestedArticles: []string{"returns", "shipping-times", "sizing"}}
}

// widgetShot saves the viewport; UPDATE_SCREENSHOTS=1 writes it to docs/.
func widgetShot(t *testing.T, tab *browsertest.Tab, name string) {
	t.Helper()
	png, err := chromedp.Run(tab.Ctx, chromedp.CaptureScreenshot())
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot %s: %d bytes, %v", name, len(png), err)
	}
	dir := t.TempDir()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "docs")
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// endVisible is JS: the log's last item lies wholly inside the log's
// visible box (nothing cut off at the bottom of the scroll area).
var endVisible = `(() => { const log = ` + q(".log") + `; const last = log.lastElementChild;
	const a = last.getBoundingClientRect(), b = log.getBoundingClientRect();
	return a.height > 0 && a.bottom <= b.bottom + 1 && a.top >= b.top - 1; })()`

// convIDInPage is the conversation of the page's visitor token.
func convIDInPage(tab *browsertest.Tab) string {
	return browsertest.Eval[string](tab, `JSON.parse(atob(localStorage.getItem('frontline:acme:token').split('.')[1].replace(/-/g,'+').replace(/_/g,'/'))).cid`)
}

// handOff asks for a person in the page and, as the real bot does, posts
// the hand-off notice; then an agent takes the conversation and greets.
func handOff(t *testing.T, tab *browsertest.Tab, b *bundle, agent string) {
	t.Helper()
	tab.Exec(q(".human") + `.click()`)
	tab.WaitJS("queue position", q(".queue .position"))
	if !browsertest.Eval[bool](tab, q(".human")+`.hidden`) {
		t.Error(`"Talk to a human" is shown while the customer waits in the queue`)
	}
	convID := convIDInPage(tab)
	if _, err := b.store.AppendMessage(context.Background(), frontline.AppendRequest{Message: frontline.Message{
		ConversationID: convID, Author: frontline.AuthorSystem, Meta: frontline.MessageMeta{Kind: "handoff"},
		Body: "You're in the queue for a person from our billing team. They will see everything you wrote here, so there is no need to repeat it.",
	}}); err != nil {
		t.Fatal(err)
	}
	tab.WaitJS("the hand-off notice", q(`li.msg.system`))
	b.handoff.assign(t, convID, agent)
	tab.WaitJS("the agent's greeting", q("li.msg.agent .who")+` && `+q(".queue .agent"))
}

func TestBrowserSiteLook(t *testing.T) {
	t.Parallel()
	br := browsertest.New(t)

	t.Run("demo page in the site's name and colour: greeting, articles, times, one citation, hand-off", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		if err := b.srv.PutSiteSettings(context.Background(), trailhead(), true); err != nil {
			t.Fatal(err)
		}
		tab := br.NewTab(t)
		tab.Do("open the demo page", chromedp.EmulateViewport(1100, 760), chromedp.Navigate(b.http.URL+"/"))
		tab.WaitJS("the launcher in the site's colour", q(".launcher")+` && getComputedStyle(`+q(".launcher")+`).backgroundColor === 'rgb(184, 69, 42)'`)
		if got := browsertest.Eval[string](tab, q(".launcher")+`.textContent`); got != "" {
			t.Errorf("launcher text = %q, want only an SVG icon (no emoji)", got)
		}
		if n := browsertest.Eval[int](tab, q(".launcher")+`.querySelectorAll('svg').length`); n == 0 {
			t.Error("the launcher has no SVG icon")
		}
		if x := browsertest.Eval[float64](tab, q(".launcher")+`.getBoundingClientRect().left`); x > 100 {
			t.Errorf("launcher at x=%v, want bottom-left", x)
		}
		tab.Exec(q(".launcher") + `.click()`)
		tab.WaitJS("welcomed", q(".conn")+`.hidden`)
		if got := browsertest.Eval[string](tab, q("#fl-title")+`.textContent`); got != "Trailhead Outfitters" {
			t.Errorf("header = %q, want the display name", got)
		}
		if got := browsertest.Eval[string](tab, q(".avatar")+`.textContent`); got != "TO" {
			t.Errorf("avatar initials = %q, want TO", got)
		}
		if got := browsertest.Eval[string](tab, q(".greet .text")+`.textContent`); got != trailhead().Greeting {
			t.Errorf("greeting = %q", got)
		}
		links := browsertest.Eval[[]string](tab, qAll(".greet li a")+`.map(a => a.textContent + ' ' + a.href)`)
		want := []string{"Sizing <guide> & fit https://help.acme.example/kb/sizing", "Returns and exchanges https://help.acme.example/kb/returns", "Shipping times https://help.acme.example/kb/shipping-times"}
		if strings.Join(links, "|") != strings.Join([]string{want[1], want[2], want[0]}, "|") {
			t.Errorf("suggested articles = %q", links)
		}
		widgetShot(t, tab, "widget-demo.png")

		say(tab, "How do I return boots?")
		tab.WaitJS("the answer", q(`li.msg.bot`))
		if n := browsertest.Eval[int](tab, qAll(".greet li a")+`.length`); n != 0 {
			t.Errorf("%d suggested articles still shown after the first message", n)
		}
		meta := browsertest.Eval[[]string](tab, qAll("li.msg .meta")+`.map(m => m.textContent)`)
		times := regexp.MustCompile(`^(You|Assistant)\d\d:\d\d$`)
		if len(meta) != 2 || !times.MatchString(meta[0]) || !strings.HasPrefix(meta[0], "You") || !strings.HasPrefix(meta[1], "Assistant") {
			t.Errorf("message headers = %q, want You and Assistant with HH:MM", meta)
		}
		if got := browsertest.Eval[[]string](tab, qAll("li.day")+`.map(d => d.textContent)`); len(got) != 1 || got[0] != "Today" {
			t.Errorf("date dividers = %q, want one: Today", got)
		}
		// A reply that names its source in its text, as the bot's answers
		// do: the source is shown once, as the link under it.
		convID := convIDInPage(tab)
		if _, err := b.store.AppendMessage(context.Background(), frontline.AppendRequest{Message: frontline.Message{
			ConversationID: convID, Author: frontline.AuthorBot, Meta: frontline.MessageMeta{Kind: "answer", Citations: []frontline.Citation{{
				ArticleID: "a2", Title: "Shipping times", URL: "https://help.acme.example/kb/shipping-times"}}},
			Body: "Orders ship within 2 days.\n\nSource: Shipping times (https://help.acme.example/kb/shipping-times)",
		}}); err != nil {
			t.Fatal(err)
		}
		tab.WaitJS("the cited reply", qAll(`li.msg.bot`)+`.some(li => li.textContent.includes("Orders ship") && li.querySelector(".cites"))`)
		if got := browsertest.Eval[string](tab, qAll("li.msg.bot")+`.pop().textContent`); strings.Count(got, "Shipping times") != 1 || strings.Contains(got, "https://") {
			t.Errorf("cited reply reads %q: want the source once, as a link", got)
		}

		handOff(t, tab, b, "Priya from Trailhead")
		if got := browsertest.Eval[bool](tab, q(".human")+`.hidden`); !got {
			t.Error(`"Talk to a human" is shown while a person has the conversation`)
		}
		if got := browsertest.Eval[string](tab, q("li.msg.agent .who")+`.textContent`); got != "Priya from Trailhead" {
			t.Errorf("agent's message under %q", got)
		}
		tab.WaitJS("the last message wholly in view", endVisible)
		widgetShot(t, tab, "widget-handoff.png")
		// A notice under the log that grows (a longer queue message, the
		// opening hours) shrinks the log: its end stays in view.
		tab.Exec(q(".queue") + `.append(document.createElement('br'), 'The team answers Mon-Fri 09:00-17:30.', document.createElement('br'), 'You can close this window: we keep your place.')`)
		tab.WaitJS("the last message still wholly in view under a taller notice", endVisible)
	})

	t.Run("390 px phone after a hand-off: full screen, nothing cut off", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		if err := b.srv.PutSiteSettings(context.Background(), trailhead(), true); err != nil {
			t.Fatal(err)
		}
		tab := br.NewTab(t)
		tab.Do("a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(b.http.URL+"/"))
		tab.WaitJS("the launcher", q(".launcher"))
		tab.Exec(q(".launcher") + `.click()`)
		tab.WaitJS("welcomed", q(".conn")+`.hidden`)
		if w := browsertest.Eval[float64](tab, q(".panel")+`.getBoundingClientRect().width`); w != 390 {
			t.Errorf("panel is %v px wide on a 390 px phone, want the whole width", w)
		}
		say(tab, "Where is my order?")
		tab.WaitJS("the answer", q(`li.msg.bot`))
		handOff(t, tab, b, "Sam")
		say(tab, "Thanks! It was order 1234.")
		tab.WaitJS("my message sent", q(`li.msg.customer[data-state="sent"]:last-of-type`))
		tab.WaitJS("the last message wholly in view", endVisible)
		widgetShot(t, tab, "widget-phone.png")
	})

	t.Run("hostile page CSS: opens, sends, shows the answer", func(t *testing.T) {
		t.Parallel()
		var widgetURL string
		page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<!doctype html><html><head><style>
* { all: unset !important; }
html, body { display: block !important; font-size: 64px !important; line-height: 5 !important; color: #0f0 !important; background: #000 !important; }
div, section, header, form, ol, li, button, textarea, span, ul, a, svg, frontline-widget { display: none !important; }
#frontline-widget, frontline-widget { display: none !important; visibility: hidden !important; opacity: 0 !important; transform: scale(0) !important; position: absolute !important; left: -9999px !important; }
*, *::before, *::after { box-sizing: content-box !important; font-family: "Comic Sans MS", cursive !important; letter-spacing: 10px !important; text-transform: uppercase !important; }
button { width: 2px !important; height: 2px !important; }
textarea { font-size: 90px !important; }
script { display: none !important; }
</style></head><body><p>A shop with hostile CSS.</p>
<script src="`+widgetURL+`/widget.js" data-site-key="acme"></script></body></html>`)
		}))
		t.Cleanup(page.Close)
		b := setup(t, func(o *setupOpts) { o.origins = []string{page.URL} })
		widgetURL = b.http.URL
		tab := br.NewTab(t)
		tab.Do("open the hostile page", chromedp.EmulateViewport(1000, 760), chromedp.Navigate(page.URL+"/"))
		tab.WaitJS("the launcher", `document.querySelector('#frontline-widget') && `+q(".launcher"))
		box := browsertest.Eval[[]float64](tab, `(() => { const r = `+q(".launcher")+`.getBoundingClientRect(); return [r.width, r.height, r.right, r.bottom]; })()`)
		if box[0] != 58 || box[1] != 58 || box[2] < 900 || box[3] < 700 {
			t.Errorf("launcher box %v: want 58x58 at the bottom right", box)
		}
		// A real click at the launcher's centre: nothing of the page covers it.
		tab.Do("click the launcher", chromedp.MouseClickXY(box[2]-29, box[3]-29))
		tab.WaitJS("the panel open and welcomed", `!`+q(".panel")+`.hidden && `+q(".conn")+`.hidden`)
		if fs := browsertest.Eval[string](tab, `getComputedStyle(`+q("#fl-input")+`).fontSize`); fs != "15px" {
			t.Errorf("message box font-size = %s inside hostile CSS, want 15px", fs)
		}
		say(tab, "How do I return boots?")
		tab.WaitJS("the answer", q(`li.msg.bot .body`)+` && `+q(`li.msg.bot .body`)+`.textContent === 'Answer to: How do I return boots?'`)
		if vis := browsertest.Eval[bool](tab, `(() => { const r = `+q(`li.msg.bot`)+`.getBoundingClientRect(); return r.width > 100 && r.height > 10; })()`); !vis {
			t.Error("the answer has no size on the hostile page")
		}
		widgetShot(t, tab, "widget-hostile-css.png")
	})

	t.Run("preview of another site's look on the demo page", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(o *setupOpts) {
			o.sites = []Site{{Key: "other", AllowedOrigins: []string{"https://other.example"}}}
		})
		other := trailhead()
		evil := `<img src=x onerror="window.__xss=1">Other Shop`
		other.SiteKey, other.DisplayName, other.Greeting = "other", evil, `<script>window.__xss=2</script>Welcome!`
		if err := b.srv.PutSiteSettings(context.Background(), other, true); err != nil {
			t.Fatal(err)
		}
		tab := br.NewTab(t)
		tab.Do("open the preview", chromedp.Navigate(b.http.URL+"/?site=other"))
		tab.WaitJS("the other site's look, open, not chatting", q("#fl-title")+`.textContent === `+jsQuote(evil)+` && !`+q(".panel")+`.hidden && `+q(".conn")+`.textContent.includes('Preview')`)
		if got := browsertest.Eval[string](tab, q(".greet .text")+`.textContent`); got != other.Greeting {
			t.Errorf("greeting shown as %q, want the text as given", got)
		}
		if n := browsertest.Eval[int](tab, jsRoot+`.querySelectorAll('img:not(.avatar img), script').length`); n != 0 {
			t.Errorf("%d img/script elements were made from the settings' text", n)
		}
		if got := browsertest.Eval[int](tab, `window.__xss || 0`); got != 0 {
			t.Errorf("a setting's text ran as code: window.__xss = %d", got)
		}
		if got := browsertest.Eval[string](tab, `getComputedStyle(`+q(".launcher")+`).backgroundColor`); got != "rgb(184, 69, 42)" {
			t.Errorf("preview launcher colour %s", got)
		}
		if n := browsertest.Eval[int](tab, qAll(".greet li a")+`.length`); n != 3 {
			t.Errorf("preview shows %d suggested articles, want 3", n)
		}
	})
}

func jsQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// The script a site embeds stays small: the served bytes, gzipped.
func TestWidgetScriptSize(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *setupOpts) { o.noWorker = true })
	resp, err := http.Get(b.http.URL + "/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var z bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&z, gzip.DefaultCompression)
	gz.Write(raw)
	gz.Close()
	const budget = 30 << 10
	t.Logf("widget.js: %d bytes, %d gzipped (budget %d)", len(raw), z.Len(), budget)
	if len(raw) < 10000 || z.Len() > budget {
		t.Fatalf("widget.js is %d bytes gzipped (%d raw), over the %d-byte budget", z.Len(), len(raw), budget)
	}
}
