// Package kbtest is the conformance suite for kb.Store implementations: the
// same storage and search behaviour is required of internal/memory and
// internal/postgres. Each store's test file calls RunTests with a
// constructor for an empty store.
package kbtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/kb"
)

// NewStore returns an empty store for one test.
type NewStore func(t *testing.T) kb.Store

// RunTests runs the whole suite against stores made by newStore.
func RunTests(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, NewStore)
	}{
		{"ArticleCRUD", testArticleCRUD},
		{"PublishAndRollback", testPublishAndRollback},
		{"OnlyPublishedIsSearchable", testOnlyPublished},
		{"AudienceAndLocale", testAudienceAndLocale},
		{"Phrasings", testPhrasings},
		{"SearchHitFields", testHitFields},
		{"SearchAbstains", testAbstains},
		{"TxAllOrNothing", testTxAllOrNothing},
		{"RepublishNeverHidesArticle", testRepublishNeverHides},
		{"Reindex", testReindex},
		{"Feedback", testFeedback},
		{"BadInput", testBadInput},
		{"Candidates", testCandidates},
		{"CandidateBadInput", testCandidateBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore)
		})
	}
}

type bundle struct {
	ctx   context.Context
	store kb.Store
	svc   *kb.Service
}

func setup(t *testing.T, newStore NewStore) bundle {
	t.Helper()
	store := newStore(t)
	return bundle{
		ctx:   context.Background(),
		store: store,
		svc:   kb.NewService(store, kb.NewOfflineEmbedder(kb.OfflineOptions{Dimension: 256}), kb.Options{}),
	}
}

// articles is a small KB about unrelated things, so each question has one
// right answer.
var articles = []kb.Article{
	{Slug: "reset-password", Title: "Reset your password", Body: "## Forgot password\n\nUse the **Forgot password** link on the sign-in page. We email you a reset link that works for one hour.\n\n## Still locked out\n\nContact support if the email never arrives."},
	{Slug: "refund-policy", Title: "Refunds and returns", Body: "Return any item within 30 days for a full refund. Refunds reach your card in 5 to 10 business days."},
	{Slug: "shipping-times", Title: "Delivery times", Body: "Standard delivery takes 3 to 5 working days. Express delivery arrives the next day when ordered before noon."},
	{Slug: "delete-account", Title: "Close your account", Body: "You can delete your account under Settings, Privacy. Deletion removes your order history after 30 days."},
}

func mustPublishAll(t *testing.T, b bundle) map[string]*kb.Article {
	t.Helper()
	out := map[string]*kb.Article{}
	for _, a := range articles {
		out[a.Slug] = mustPublish(t, b, a)
	}
	return out
}

func mustCreate(t *testing.T, b bundle, a kb.Article) *kb.Article {
	t.Helper()
	got, err := b.svc.CreateArticle(b.ctx, a)
	if err != nil {
		t.Fatalf("CreateArticle(%s): %v", a.Slug, err)
	}
	return got
}

func mustPublish(t *testing.T, b bundle, a kb.Article) *kb.Article {
	t.Helper()
	created := mustCreate(t, b, a)
	if _, err := b.svc.Publish(b.ctx, created.ID, "editor@example.com"); err != nil {
		t.Fatalf("Publish(%s): %v", a.Slug, err)
	}
	got, err := b.svc.Article(b.ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustSearch(t *testing.T, b bundle, q kb.SearchQuery) kb.SearchResult {
	t.Helper()
	res, err := b.svc.Search(b.ctx, q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Text, err)
	}
	return res
}

func slugs(res kb.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Slug)
	}
	return out
}

func topSlug(res kb.SearchResult) string {
	if len(res.Hits) == 0 {
		return ""
	}
	return res.Hits[0].Slug
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := frontline.ErrorCode(err); got != code {
		t.Errorf("%s: error code = %q (%v), want %q", what, got, err, code)
	}
}

func testArticleCRUD(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	a := mustCreate(t, b, kb.Article{Slug: "hello", Title: "Hello", Body: "Hi", Tags: []string{"Greeting", "greeting"}})
	if a.ID == "" || a.State != kb.StateDraft || a.Locale != "en" || a.Audience != kb.AudiencePublic {
		t.Errorf("created = %+v, want id, draft, en, public", a)
	}
	if len(a.Tags) != 1 || a.Tags[0] != "greeting" {
		t.Errorf("tags = %v, want [greeting]", a.Tags)
	}
	got, err := b.svc.ArticleBySlug(b.ctx, "hello")
	if err != nil || got.ID != a.ID || got.Body != "Hi" {
		t.Fatalf("ArticleBySlug = %+v, %v; want %s", got, err, a.ID)
	}
	_, err = b.svc.CreateArticle(b.ctx, kb.Article{Slug: "hello", Title: "Again"})
	wantCode(t, "duplicate slug", err, frontline.EConflict)
	_, err = b.svc.Article(b.ctx, "art_missing")
	wantCode(t, "missing article", err, frontline.ENotFound)

	mustCreate(t, b, kb.Article{Slug: "other", Title: "Other"})
	taken := "other"
	_, err = b.svc.UpdateArticle(b.ctx, a.ID, kb.ArticleUpdate{Slug: &taken})
	wantCode(t, "rename to taken slug", err, frontline.EConflict)
	title, review := "Hello there", kb.StateReview
	upd, err := b.svc.UpdateArticle(b.ctx, a.ID, kb.ArticleUpdate{Title: &title, State: &review})
	if err != nil || upd.Title != title || upd.State != kb.StateReview {
		t.Fatalf("UpdateArticle = %+v, %v; want title %q in review", upd, err, title)
	}
	list, err := b.svc.Articles(b.ctx, kb.ArticleFilter{State: kb.StateReview})
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("Articles(review) = %v, %v; want just %s", list, err, a.ID)
	}
	list, err = b.svc.Articles(b.ctx, kb.ArticleFilter{Query: "THERE"})
	if err != nil || len(list) != 1 {
		t.Errorf("Articles(query) = %d articles, %v; want 1", len(list), err)
	}
}

func testPublishAndRollback(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	a := mustCreate(t, b, kb.Article{Slug: "plans", Title: "Plans", Body: "The basic plan costs 5 euros."})
	r1, err := b.svc.Publish(b.ctx, a.ID, "ann")
	if err != nil {
		t.Fatal(err)
	}
	body := "The basic plan costs 7 euros."
	if _, err := b.svc.UpdateArticle(b.ctx, a.ID, kb.ArticleUpdate{Body: &body}); err != nil {
		t.Fatal(err)
	}
	// The edit is not live until published.
	if res := mustSearch(t, b, kb.SearchQuery{Text: "basic plan price"}); len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Passage, "5 euros") {
		t.Errorf("before republish, passage = %q, want the published 5 euros", firstPassage(res))
	}
	r2, err := b.svc.Publish(b.ctx, a.ID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if r1.Number != 1 || r2.Number != 2 {
		t.Errorf("revision numbers = %d, %d; want 1, 2", r1.Number, r2.Number)
	}
	r3, err := b.svc.Rollback(b.ctx, a.ID, r1.ID, "cat")
	if err != nil {
		t.Fatal(err)
	}
	if r3.Number != 3 || r3.Body != r1.Body || r3.Author != "cat" {
		t.Errorf("rollback revision = %+v, want number 3 with revision 1's body by cat", r3)
	}
	revs, err := b.svc.Revisions(b.ctx, a.ID)
	if err != nil || len(revs) != 3 || revs[0].ID != r3.ID || revs[2].ID != r1.ID {
		t.Fatalf("Revisions = %d, %v; want 3 newest first", len(revs), err)
	}
	got, _ := b.svc.Article(b.ctx, a.ID)
	if got.PublishedRevisionID != r3.ID || got.Body != r1.Body || got.State != kb.StatePublished {
		t.Errorf("after rollback article = %+v, want published revision %s with revision 1's body", got, r3.ID)
	}
	res := mustSearch(t, b, kb.SearchQuery{Text: "basic plan price"})
	if len(res.Hits) == 0 || res.Hits[0].RevisionID != r3.ID || !strings.Contains(res.Hits[0].Passage, "5 euros") {
		t.Errorf("after rollback hit = %+v, want revision %s saying 5 euros", res.Hits, r3.ID)
	}
	other := mustCreate(t, b, kb.Article{Slug: "other", Title: "Other"})
	_, err = b.svc.Rollback(b.ctx, other.ID, r1.ID, "cat")
	wantCode(t, "rollback to another article's revision", err, frontline.ENotFound)
	_, err = b.svc.Publish(b.ctx, a.ID, "")
	wantCode(t, "publish without author", err, frontline.EInvalid)
}

func firstPassage(res kb.SearchResult) string {
	if len(res.Hits) == 0 {
		return ""
	}
	return res.Hits[0].Passage
}

func testOnlyPublished(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	mustPublishAll(t, b)
	draft := mustCreate(t, b, kb.Article{Slug: "gift-cards", Title: "Gift cards", Body: "Gift cards never expire and can be topped up."})
	q := kb.SearchQuery{Text: "do gift cards expire", Audience: "customers", Limit: 10}
	if got := slugs(mustSearch(t, b, q)); contains(got, "gift-cards") {
		t.Errorf("draft found: %v", got)
	}
	if _, err := b.svc.Publish(b.ctx, draft.ID, "ann"); err != nil {
		t.Fatal(err)
	}
	if got := topSlug(mustSearch(t, b, q)); got != "gift-cards" {
		t.Errorf("after publish top = %q, want gift-cards", got)
	}
	if err := b.svc.Archive(b.ctx, draft.ID); err != nil {
		t.Fatal(err)
	}
	if got := slugs(mustSearch(t, b, q)); contains(got, "gift-cards") {
		t.Errorf("archived article found: %v", got)
	}
	n, err := b.store.CountPassages(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := b.store.FindPassages(b.ctx, draft.ID)
	if len(ps) != 0 || n == 0 {
		t.Errorf("archived article has %d passages (index %d), want 0", len(ps), n)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func testAudienceAndLocale(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	mustPublishAll(t, b)
	mustPublish(t, b, kb.Article{Slug: "invoice-download", Title: "Download invoices", Body: "Signed-in customers download invoices as PDF under Orders.", Audience: kb.AudienceCustomers})
	mustPublish(t, b, kb.Article{Slug: "passwort", Title: "Passwort zurücksetzen", Body: "Klicken Sie auf Passwort vergessen. Wir senden Ihnen einen Link.", Locale: "de"})
	tests := []struct {
		name    string
		q       kb.SearchQuery
		want    string
		notWant string
	}{
		{"public does not see customer articles", kb.SearchQuery{Text: "download invoices pdf", Audience: "public", Limit: 10}, "", "invoice-download"},
		{"customers see customer articles", kb.SearchQuery{Text: "download invoices pdf", Audience: "customers"}, "invoice-download", ""},
		{"locale filter keeps other languages out", kb.SearchQuery{Text: "Passwort vergessen", Locale: "en", Limit: 10}, "", "passwort"},
		{"locale filter finds its language", kb.SearchQuery{Text: "Passwort vergessen", Locale: "de-AT"}, "passwort", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, b, tt.q)
			if tt.want != "" && topSlug(res) != tt.want {
				t.Errorf("top = %q (%v), want %q", topSlug(res), slugs(res), tt.want)
			}
			if tt.notWant != "" && contains(slugs(res), tt.notWant) {
				t.Errorf("hits %v include %q", slugs(res), tt.notWant)
			}
		})
	}
	_, err := b.svc.Search(b.ctx, kb.SearchQuery{Text: "x", Audience: "admins"})
	wantCode(t, "unknown audience", err, frontline.EInvalid)
}

func testPhrasings(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	arts := mustPublishAll(t, b)
	q := kb.SearchQuery{Text: "my parcel is nowhere to be seen"}
	before := mustSearch(t, b, q)
	p, err := b.svc.AddPhrasing(b.ctx, arts["shipping-times"].ID, "my parcel is nowhere to be seen", kb.SourceEditor)
	if err != nil {
		t.Fatal(err)
	}
	after := mustSearch(t, b, q)
	if topSlug(after) != "shipping-times" {
		t.Errorf("after adding the phrasing top = %q, want shipping-times", topSlug(after))
	}
	if after.TopScore <= before.TopScore && topSlug(before) == "shipping-times" {
		t.Errorf("phrasing did not raise the score: %.3f → %.3f", before.TopScore, after.TopScore)
	}
	// The displayed passage is article text, never the phrasing itself.
	if strings.Contains(after.Hits[0].Passage, "nowhere") {
		t.Errorf("passage = %q, want a chunk of the article", after.Hits[0].Passage)
	}
	ps, err := b.svc.Phrasings(b.ctx, arts["shipping-times"].ID)
	if err != nil || len(ps) != 1 || ps[0].ID != p.ID || ps[0].Source != kb.SourceEditor {
		t.Fatalf("Phrasings = %v, %v; want the one added", ps, err)
	}
	if err := b.svc.DeletePhrasing(b.ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if ps, _ := b.store.FindPassages(b.ctx, arts["shipping-times"].ID); hasKind(ps, kb.KindPhrasing) {
		t.Errorf("phrasing passage left after delete")
	}
	wantCode(t, "delete missing phrasing", b.svc.DeletePhrasing(b.ctx, p.ID), frontline.ENotFound)
	_, err = b.svc.AddPhrasing(b.ctx, "art_missing", "hello", kb.SourceEditor)
	wantCode(t, "phrasing of a missing article", err, frontline.ENotFound)
	_, err = b.svc.AddPhrasing(b.ctx, arts["shipping-times"].ID, "  ", kb.SourceEditor)
	wantCode(t, "empty phrasing", err, frontline.EInvalid)
	_, err = b.svc.AddPhrasing(b.ctx, arts["shipping-times"].ID, "hi", "robot")
	wantCode(t, "unknown source", err, frontline.EInvalid)
}

func hasKind(ps []kb.Passage, k kb.PassageKind) bool {
	for _, p := range ps {
		if p.Kind == k {
			return true
		}
	}
	return false
}

func testHitFields(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	arts := mustPublishAll(t, b)
	res := mustSearch(t, b, kb.SearchQuery{Text: "I forgot my password and the reset email never arrives", Limit: 2})
	if len(res.Hits) == 0 || len(res.Hits) > 2 {
		t.Fatalf("hits = %d, want 1 or 2", len(res.Hits))
	}
	h := res.Hits[0]
	a := arts["reset-password"]
	want := kb.Hit{ArticleID: a.ID, RevisionID: a.PublishedRevisionID, Slug: a.Slug, Title: a.Title, URL: "/kb/reset-password"}
	if h.ArticleID != want.ArticleID || h.RevisionID != want.RevisionID || h.Slug != want.Slug || h.Title != want.Title || h.URL != want.URL {
		t.Errorf("hit = %+v, want %+v", h, want)
	}
	if h.Passage == "" || h.Score <= 0 || h.Score > 1 {
		t.Errorf("hit passage %q score %v, want text and a score in (0,1]", h.Passage, h.Score)
	}
	if res.TopScore != h.Score || res.Threshold != b.svc.Threshold() {
		t.Errorf("result top %v threshold %v, want %v and %v", res.TopScore, res.Threshold, h.Score, b.svc.Threshold())
	}
	seen := map[string]bool{}
	for i, h := range res.Hits {
		if seen[h.ArticleID] {
			t.Errorf("article %s appears twice", h.ArticleID)
		}
		seen[h.ArticleID] = true
		if i > 0 && h.Score > res.Hits[0].Score {
			t.Errorf("hit %d scores %v above the top %v", i, h.Score, res.Hits[0].Score)
		}
	}
}

func testAbstains(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	mustPublishAll(t, b)
	good := mustSearch(t, b, kb.SearchQuery{Text: "how long does express delivery take"})
	bad := mustSearch(t, b, kb.SearchQuery{Text: "zebra quantum violin"})
	if topSlug(good) != "shipping-times" || good.Abstained {
		t.Errorf("on-topic: top %q abstained %v (score %.3f), want shipping-times answered", topSlug(good), good.Abstained, good.TopScore)
	}
	if !bad.Abstained || bad.TopScore >= good.TopScore {
		t.Errorf("off-topic: abstained %v score %.3f (on-topic %.3f), want abstained and lower", bad.Abstained, bad.TopScore, good.TopScore)
	}
	empty := setup(t, newStore)
	if res := mustSearch(t, empty, kb.SearchQuery{Text: "anything"}); !res.Abstained || len(res.Hits) != 0 {
		t.Errorf("empty KB: %+v, want no hits and abstained", res)
	}
}

func testTxAllOrNothing(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	boom := errors.New("boom")
	err := b.svc.InTx(b.ctx, func(tx *kb.Service) error {
		a, err := tx.CreateArticle(b.ctx, kb.Article{Slug: "half", Title: "Half"})
		if err != nil {
			return err
		}
		if _, err := tx.Publish(b.ctx, a.ID, "ann"); err != nil {
			return err
		}
		if _, err := tx.ArticleBySlug(b.ctx, "half"); err != nil {
			return fmt.Errorf("own write not visible in tx: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	_, err = b.svc.ArticleBySlug(b.ctx, "half")
	wantCode(t, "article of a rolled-back tx", err, frontline.ENotFound)
	if n, _ := b.store.CountPassages(b.ctx); n != 0 {
		t.Errorf("passages after rollback = %d, want 0", n)
	}
	err = b.svc.InTx(b.ctx, func(tx *kb.Service) error {
		_, err := tx.CreateArticle(b.ctx, kb.Article{Slug: "whole", Title: "Whole"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.ArticleBySlug(b.ctx, "whole"); err != nil {
		t.Errorf("committed article: %v", err)
	}
}

// testRepublishNeverHidesArticle searches while the article is republished
// over and over: every search must find it (old or new passages, never none).
func testRepublishNeverHides(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	arts := mustPublishAll(t, b)
	id := arts["refund-policy"].ID
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				res, err := b.svc.Search(b.ctx, kb.SearchQuery{Text: "refund for a returned item", Limit: 10})
				if err != nil || !contains(slugs(res), "refund-policy") {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%v %v", slugs(res), err))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range 10 {
		body := fmt.Sprintf("Return any item within %d days for a full refund.", 30+i)
		if _, err := b.svc.UpdateArticle(b.ctx, id, kb.ArticleUpdate{Body: &body}); err != nil {
			t.Error(err)
		}
		if _, err := b.svc.Publish(b.ctx, id, "ann"); err != nil {
			t.Error(err)
		}
	}
	close(done)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d searches missed the article during republish, first: %s", len(failures), failures[0])
	}
}

func testReindex(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	arts := mustPublishAll(t, b)
	before, _ := b.store.CountPassages(b.ctx)
	if err := b.svc.Reindex(b.ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := b.store.CountPassages(b.ctx)
	if before != after || after == 0 {
		t.Errorf("passages %d → %d, want the same non-zero count", before, after)
	}
	if got := topSlug(mustSearch(t, b, kb.SearchQuery{Text: "close my account"})); got != "delete-account" {
		t.Errorf("after reindex top = %q, want delete-account", got)
	}
	// A second Service on the same store (another node) loads the learned
	// state and ranks exactly like the first.
	other := kb.NewService(b.store, kb.NewOfflineEmbedder(kb.OfflineOptions{Dimension: 256}), kb.Options{})
	q := kb.SearchQuery{Text: "refund to my card"}
	r1, r2 := mustSearch(t, b, q), mustSearch(t, bundle{ctx: b.ctx, svc: other}, q)
	if topSlug(r1) != topSlug(r2) || r1.TopScore != r2.TopScore {
		t.Errorf("second node: %s %.6f, first %s %.6f; want identical", topSlug(r2), r2.TopScore, topSlug(r1), r1.TopScore)
	}
	_ = arts
}

func testFeedback(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	arts := mustPublishAll(t, b)
	refund, ship := arts["refund-policy"].ID, arts["shipping-times"].ID
	records := []kb.QuestionRecord{
		{ConversationID: "c_1", Text: "where is my refund", ArticleIDs: []string{refund}},
		{ConversationID: "c_2", Text: "can I pay with bitcoin", Abstained: true},
		{ConversationID: "c_3", Text: "can I pay in bitcoin", Abstained: true},
		{ConversationID: "c_4", Text: "when does express arrive", ArticleIDs: []string{ship}},
		{ConversationID: "c_5", Text: "refund still missing", ArticleIDs: []string{refund}},
		// Handed off for a signal: a trigger, not a gap, though search
		// abstained and the conversation was handed off.
		{ConversationID: "c_6", Text: "let me talk to a person", Abstained: true, HandoffSignals: []string{"human_request"}},
	}
	for _, r := range records {
		if err := b.svc.RecordQuestion(b.ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"c_5", "c_6"} {
		if err := b.svc.RecordHandoff(b.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	handed, err := b.svc.HandedOffQuestions(b.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(handed) != 1 || handed[0].Text != "let me talk to a person" || fmt.Sprint(handed[0].HandoffSignals) != "[human_request]" || !handed[0].HandedOff {
		t.Errorf("HandedOffQuestions = %+v, want only the request for a person, with its signal", handed)
	}
	// Votes from the help centre: published public articles only.
	for _, v := range []bool{true, true, false} {
		if err := b.svc.Vote(b.ctx, "shipping-times", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.svc.Vote(b.ctx, "delete-account", false); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "vote on a missing article", b.svc.Vote(b.ctx, "no-such-article", true), frontline.ENotFound)
	wantCode(t, "store vote on a missing article", b.store.RecordVote(b.ctx, &kb.Vote{ArticleID: "art_missing", Helpful: true, CreatedAt: time.Now()}), frontline.ENotFound)
	wantCode(t, "bad hand-off signal", b.svc.RecordQuestion(b.ctx, kb.QuestionRecord{ConversationID: "c_7", Text: "x", HandoffSignals: []string{"no spaces"}}), frontline.EInvalid)
	groups, err := b.svc.UnansweredQuestions(b.ctx, kb.UnansweredOptions{Similarity: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, g := range groups {
		for _, q := range g.Questions {
			texts = append(texts, q.Text)
		}
	}
	want := []string{"refund still missing", "can I pay in bitcoin", "can I pay with bitcoin"}
	if len(texts) != len(want) {
		t.Fatalf("unanswered = %q, want %q", texts, want)
	}
	for _, w := range want {
		if !contains(texts, w) {
			t.Errorf("unanswered %q lacks %q", texts, w)
		}
	}
	if len(groups) != 2 || len(groups[0].Questions) != 2 {
		t.Errorf("groups = %d (first has %d), want the two bitcoin questions together", len(groups), len(groups[0].Questions))
	}
	stats, err := b.svc.ArticleStats(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	del := arts["delete-account"]
	wantStats := []kb.ArticleStat{
		{ArticleID: refund, Slug: "refund-policy", Title: "Refunds and returns", Cited: 2, HandedOffAfter: 1},
		{ArticleID: ship, Slug: "shipping-times", Title: "Delivery times", Cited: 1, HandedOffAfter: 0, Helpful: 2, NotHelpful: 1},
		{ArticleID: del.ID, Slug: del.Slug, Title: del.Title, NotHelpful: 1},
	}
	if fmt.Sprint(stats) != fmt.Sprint(wantStats) {
		t.Errorf("ArticleStats = %+v, want %+v", stats, wantStats)
	}
	// Attaching a question makes it a phrasing and takes it off the list.
	var bitcoin []string
	for _, q := range groups[0].Questions {
		bitcoin = append(bitcoin, q.ID)
	}
	ps, err := b.svc.AttachQuestions(b.ctx, refund, bitcoin)
	if err != nil || len(ps) != 2 || ps[0].Source != kb.SourceUnanswered {
		t.Fatalf("AttachQuestions = %v, %v; want 2 phrasings from unanswered", ps, err)
	}
	groups, _ = b.svc.UnansweredQuestions(b.ctx, kb.UnansweredOptions{})
	if len(groups) != 1 || groups[0].Questions[0].Text != "refund still missing" {
		t.Errorf("after attach unanswered = %+v, want only the handed-off one", groups)
	}
	_, err = b.svc.AttachQuestions(b.ctx, refund, []string{"q_missing"})
	wantCode(t, "attach missing question", err, frontline.ENotFound)
	wantCode(t, "record with bad conversation id", b.svc.RecordQuestion(b.ctx, kb.QuestionRecord{ConversationID: "no spaces", Text: "x"}), frontline.EInvalid)
}

func testBadInput(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	tests := []struct {
		name string
		a    kb.Article
		code string
	}{
		{"no slug", kb.Article{Title: "T"}, frontline.EInvalid},
		{"bad slug", kb.Article{Slug: "Has Spaces", Title: "T"}, frontline.EInvalid},
		{"no title", kb.Article{Slug: "t"}, frontline.EInvalid},
		{"bad audience", kb.Article{Slug: "t", Title: "T", Audience: "staff"}, frontline.EInvalid},
		{"bad locale", kb.Article{Slug: "t", Title: "T", Locale: "english!"}, frontline.EInvalid},
		{"created published", kb.Article{Slug: "t", Title: "T", State: kb.StatePublished}, frontline.EInvalid},
		{"5 MB body", kb.Article{Slug: "t", Title: "T", Body: strings.Repeat("a", 5<<20)}, frontline.ETooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.CreateArticle(b.ctx, tt.a)
			wantCode(t, tt.name, err, tt.code)
		})
	}
	if n, _ := b.svc.Articles(b.ctx, kb.ArticleFilter{}); len(n) != 0 {
		t.Errorf("%d articles stored from bad input, want 0", len(n))
	}
	_, err := b.svc.Search(b.ctx, kb.SearchQuery{Text: "   "})
	wantCode(t, "empty query", err, frontline.EInvalid)
	_, err = b.svc.Search(b.ctx, kb.SearchQuery{Text: strings.Repeat("x", kb.MaxPhrasing+1)})
	wantCode(t, "oversized query", err, frontline.EInvalid)
	_ = time.Second
}

// testCandidates: a resolved question becomes a pending candidate; the same
// question again (a flood) counts on it; accepting it makes it a phrasing,
// searchable at once, and the question asked again finds its article.
func testCandidates(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	arts := mustPublishAll(t, b)
	q := "parcel still not here after a week"
	art := arts["shipping-times"].ID
	var c *kb.Candidate
	for i := range 20 {
		got, err := b.svc.Propose(b.ctx, kb.Proposal{ArticleID: art, Text: q, Source: kb.CandidatePicked, Locale: "en"})
		if err != nil {
			t.Fatalf("Propose #%d: %v", i, err)
		}
		if c != nil && got.ID != c.ID {
			t.Fatalf("Propose #%d made candidate %s, want the first one %s", i, got.ID, c.ID)
		}
		c = got
	}
	// The same words typed differently are the same candidate.
	if got, err := b.svc.Propose(b.ctx, kb.Proposal{ArticleID: art, Text: "  Parcel still NOT here after a week?", Source: kb.CandidateAgent}); err != nil || got.ID != c.ID {
		t.Fatalf("Propose with other case and spacing = %+v, %v; want candidate %s", got, err, c.ID)
	}
	pending, err := b.svc.Candidates(b.ctx, kb.CandidateFilter{State: kb.CandidatePending})
	if err != nil || len(pending) != 1 || pending[0].Count != 21 || pending[0].Text != q {
		t.Fatalf("pending = %+v, %v; want one candidate proposed 21 times", pending, err)
	}
	other, err := b.svc.Propose(b.ctx, kb.Proposal{ArticleID: arts["refund-policy"].ID, Text: "this is spam spam spam", Source: kb.CandidatePicked})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.RejectCandidate(b.ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.AcceptCandidate(b.ctx, other.ID)
	wantCode(t, "accept a rejected candidate", err, frontline.EConflict)
	again, err := b.svc.Propose(b.ctx, kb.Proposal{ArticleID: arts["refund-policy"].ID, Text: "this is spam spam spam", Source: kb.CandidatePicked})
	if err != nil || again.State != kb.CandidateRejected || again.Count != 2 {
		t.Fatalf("re-proposing a rejected candidate = %+v, %v; want it still rejected, count 2", again, err)
	}

	accepted, err := b.svc.AcceptCandidate(b.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if accepted.State != kb.CandidateAccepted || accepted.PhrasingID == "" {
		t.Fatalf("accepted = %+v", accepted)
	}
	ps, err := b.svc.Phrasings(b.ctx, art)
	if err != nil || len(ps) != 1 || ps[0].ID != accepted.PhrasingID || ps[0].Source != kb.SourceLearned || ps[0].Text != q {
		t.Fatalf("phrasings = %+v, %v; want the learned one", ps, err)
	}
	if twice, err := b.svc.AcceptCandidate(b.ctx, c.ID); err != nil || twice.PhrasingID != accepted.PhrasingID {
		t.Fatalf("accepting twice = %+v, %v; want the same phrasing", twice, err)
	}
	if ps, _ := b.svc.Phrasings(b.ctx, art); len(ps) != 1 {
		t.Fatalf("accepting twice made %d phrasings, want 1", len(ps))
	}
	if res := mustSearch(t, b, kb.SearchQuery{Text: q}); topSlug(res) != "shipping-times" {
		t.Errorf("after accepting, %q finds %v, want shipping-times first", q, slugs(res))
	}
	if got, _ := b.svc.Candidates(b.ctx, kb.CandidateFilter{State: kb.CandidatePending}); len(got) != 0 {
		t.Errorf("pending after review = %+v, want none", got)
	}
}

// testCandidateBadInput: a learning signal for a missing (deleted) or
// unpublished article, in another language, or of no text has a clear
// outcome, and the KB is left as it was.
func testCandidateBadInput(t *testing.T, newStore NewStore) {
	b := setup(t, newStore)
	arts := mustPublishAll(t, b)
	draft := mustCreate(t, b, kb.Article{Slug: "draft-news", Title: "Coming soon", Body: "Not yet."})
	fr := mustPublish(t, b, kb.Article{Slug: "livraison", Title: "Délais de livraison", Body: "La livraison prend 3 jours.", Locale: "fr"})
	tests := []struct {
		name string
		p    kb.Proposal
		code string
	}{
		{"missing article", kb.Proposal{ArticleID: "art_deleted", Text: "where is it", Source: kb.CandidatePicked}, frontline.ENotFound},
		{"unpublished article", kb.Proposal{ArticleID: draft.ID, Text: "what is new", Source: kb.CandidatePicked}, frontline.EInvalid},
		{"another locale", kb.Proposal{ArticleID: fr.ID, Text: "where is my parcel", Source: kb.CandidatePicked, Locale: "en-GB"}, frontline.EInvalid},
		{"empty text", kb.Proposal{ArticleID: arts["refund-policy"].ID, Text: "  ", Source: kb.CandidatePicked}, frontline.EInvalid},
		{"punctuation only", kb.Proposal{ArticleID: arts["refund-policy"].ID, Text: "?!", Source: kb.CandidatePicked}, frontline.EInvalid},
		{"unknown source", kb.Proposal{ArticleID: arts["refund-policy"].ID, Text: "refund please", Source: "robot"}, frontline.EInvalid},
	}
	for _, tt := range tests {
		_, err := b.svc.Propose(b.ctx, tt.p)
		wantCode(t, tt.name, err, tt.code)
	}
	if got, err := b.svc.Candidates(b.ctx, kb.CandidateFilter{}); err != nil || len(got) != 0 {
		t.Fatalf("candidates after bad input = %+v, %v; want none", got, err)
	}
	// A candidate whose article was archived since cannot be accepted.
	c, err := b.svc.Propose(b.ctx, kb.Proposal{ArticleID: arts["delete-account"].ID, Text: "remove me from your site", Source: kb.CandidateAgent})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.svc.Archive(b.ctx, arts["delete-account"].ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.svc.AcceptCandidate(b.ctx, c.ID)
	wantCode(t, "accept for an archived article", err, frontline.EInvalid)
	if ps, _ := b.svc.Phrasings(b.ctx, arts["delete-account"].ID); len(ps) != 0 {
		t.Errorf("phrasings of the archived article = %+v, want none", ps)
	}
	if got, _ := b.svc.Candidates(b.ctx, kb.CandidateFilter{State: kb.CandidatePending}); len(got) != 1 {
		t.Errorf("pending = %+v, want the candidate still pending", got)
	}
	_, err = b.svc.AcceptCandidate(b.ctx, "cand_missing")
	wantCode(t, "accept a missing candidate", err, frontline.ENotFound)
}
