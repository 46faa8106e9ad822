package main

import (
	"context"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/browsertest"
)

// TestBrowserSuggestPickLearn is the learning loop in a real browser, on
// the whole server (in memory, demo KB): a customer gets three suggestions
// for a question the bot is not sure about, picks one and gets the
// article; an editor accepts the question as a phrasing of it in one
// click; the same question asked again is answered directly.
func TestBrowserSuggestPickLearn(t *testing.T) {
	t.Parallel()
	srv, err := startServer(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	const editorEmail, editorPassword = "ann.editor@example.com", "ann-editor-password-0123"
	if _, err := srv.people.CreateUser(context.Background(), auth.NewUser{Email: editorEmail, Name: "Ann Editor",
		Roles: []frontline.Role{frontline.RoleEditor}, Password: editorPassword}); err != nil {
		t.Fatal(err)
	}
	br := browsertest.New(t)

	const root = `document.querySelector('#frontline-widget').shadowRoot`
	q := func(sel string) string { return root + `.querySelector(` + strconv.Quote(sel) + `)` }
	say := func(tab *browsertest.Tab, text string) {
		tab.Exec(`const i = ` + q("#fl-input") + `; i.value = ` + strconv.Quote(text) + `; ` + q("form.compose") + `.requestSubmit();`)
	}
	const question = "is it possible to swap boots for a bigger size"

	chat := br.NewTab(t)
	chat.Do("open the demo page", chromedp.Navigate(srv.URL()+"/"))
	chat.WaitJS("the launcher", `document.querySelector('#frontline-widget') && `+q(".launcher"))
	chat.Exec(q(".launcher") + `.click()`)
	chat.WaitJS("the socket to be welcomed", q(".conn")+`.hidden`)
	say(chat, question)
	chat.WaitJS("three suggestions and none-of-these", root+`.querySelectorAll('li.msg.bot .picks button').length === 4`)
	title := browsertest.Eval[string](chat, q("li.msg.bot .picks button")+`.textContent`)
	chat.Exec(q("li.msg.bot .picks button") + `.click()`)
	chat.WaitJS("the picked article as the answer", `Array.from(`+root+`.querySelectorAll('li.msg.bot')).some(li => !li.querySelector('.picks') && Array.from(li.querySelectorAll('.cites a')).some(a => a.textContent === `+strconv.Quote(title)+`))`)

	ed := br.NewTab(t)
	ed.Do("sign in to the editor",
		chromedp.Navigate(srv.URL()+"/login?next=/editor/"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SendKeys(chromedp.ID("login-email"), editorEmail),
		chromedp.SendKeys(chromedp.ID("login-password"), editorPassword),
		chromedp.Click(chromedp.ID("login-submit")),
	)
	ed.WaitPath("the editor after signing in", "/editor/")
	ed.WaitJS("the article list", `document.querySelector('#article-rows a')`)
	ed.Do("open the unanswered questions", chromedp.Click(chromedp.ID("tab-unanswered")))
	ed.WaitJS("the customer's question as a candidate", `Array.from(document.querySelectorAll('#candidates li.candidate')).some(li => li.textContent.includes(`+strconv.Quote(question)+`) && li.textContent.includes(`+strconv.Quote(title)+`))`)
	ed.Exec(`Array.from(document.querySelectorAll('#candidates li.candidate')).find(li => li.textContent.includes(` + strconv.Quote(question) + `)).querySelector('button.accept').click()`)
	ed.WaitJS("the candidate list empty", `document.querySelector('#candidates-box').hidden`)

	bots := browsertest.Eval[int](chat, root+`.querySelectorAll('li.msg.bot').length`)
	say(chat, question)
	chat.WaitJS("a new reply", root+`.querySelectorAll('li.msg.bot').length > `+strconv.Itoa(bots))
	last := `Array.from(` + root + `.querySelectorAll('li.msg.bot')).pop()`
	if picks := browsertest.Eval[bool](chat, last+`.querySelector('.picks') !== null`); picks {
		t.Fatalf("asked again after the editor accepted: suggestions again (%q), want a direct answer", browsertest.Eval[string](chat, last+`.textContent`))
	}
	if got := browsertest.Eval[string](chat, last+`.querySelector('.cites a') ? `+last+`.querySelector('.cites a').textContent : ''`); got != title {
		t.Fatalf("asked again: answer cites %q, want %q", got, title)
	}
	if p := br.Console(); len(p) > 0 {
		t.Errorf("the pages reported problems: %q", p)
	}
}
