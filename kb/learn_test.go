package kb_test

import (
	"bytes"
	"testing"

	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
)

// phrasingsKB builds a small KB whose articles have phrasings, so that
// Reindex trains a ranker with a confidence model.
func phrasingsKB(t *testing.T, opts kb.Options) (*kb.Service, map[string]string) {
	t.Helper()
	return phrasingsKBOn(t, memory.NewKBStore(), opts)
}

func phrasingsKBOn(t *testing.T, store kb.Store, opts kb.Options) (*kb.Service, map[string]string) {
	t.Helper()
	svc := kb.NewService(store, kb.NewOfflineEmbedder(kb.OfflineOptions{}), opts)
	texts := map[string][]string{
		"refunds":  {"how do i get a refund", "refund for my order", "i want my refund", "refund to my card please", "when will my refund arrive", "money back for a return"},
		"password": {"i forgot my password", "reset password link", "password reset email missing", "change my password", "password does not work", "cannot sign in"},
		"delivery": {"where is my delivery", "delivery is late", "when does delivery arrive", "track my delivery", "delivery to another address", "parcel not here"},
	}
	ids := map[string]string{}
	for slug, ps := range texts {
		a, err := svc.CreateArticle(t.Context(), kb.Article{Slug: slug, Title: slug, Body: "About " + slug + "."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddPhrasings(t.Context(), a.ID, ps, kb.SourceImport); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(t.Context(), a.ID, "test"); err != nil {
			t.Fatal(err)
		}
		ids[slug] = a.ID
	}
	if err := svc.Reindex(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc, ids
}

// TestLearningIsIncremental: an accepted phrasing changes the very next
// search (the ranker's vote learns it) with no Reindex, and deleting it
// takes it back out.
func TestLearningIsIncremental(t *testing.T) {
	t.Parallel()
	svc, ids := phrasingsKB(t, kb.Options{})
	const q = "nobody rang the bell yesterday"
	score := func() (string, float64) {
		t.Helper()
		res, err := svc.Search(t.Context(), kb.SearchQuery{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.ArticleID == ids["delivery"] {
				return res.Hits[0].Slug, h.Score
			}
		}
		return res.Hits[0].Slug, 0
	}
	_, before := score()
	c, err := svc.Propose(t.Context(), kb.Proposal{ArticleID: ids["delivery"], Text: q, Source: kb.CandidatePicked})
	if err != nil {
		t.Fatal(err)
	}
	if _, pending := score(); pending != before {
		t.Errorf("a pending candidate changed the score %.3f → %.3f; only an accepted one may", before, pending)
	}
	c, err = svc.AcceptCandidate(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	top, after := score()
	if top != "delivery" || after <= before+0.1 {
		t.Errorf("after accepting: top %s, delivery's score %.3f → %.3f; want delivery first and clearly higher", top, before, after)
	}
	if err := svc.DeletePhrasing(t.Context(), c.PhrasingID); err != nil {
		t.Fatal(err)
	}
	if _, deleted := score(); deleted >= after {
		t.Errorf("after deleting the phrasing the score is %.3f (was %.3f with it); want it lower again", deleted, after)
	}
}

// TestAutoAccept: a site that trusts its agents accepts their candidates
// at once; customers' picks still wait for an editor.
func TestAutoAccept(t *testing.T) {
	t.Parallel()
	svc, ids := phrasingsKB(t, kb.Options{AutoAccept: map[kb.CandidateSource]bool{kb.CandidateAgent: true}})
	c, err := svc.ProposeFromAgent(t.Context(), ids["refunds"], "can i have the money back", "en")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != kb.CandidateAccepted || c.PhrasingID == "" {
		t.Fatalf("agent candidate = %+v, want accepted at once", c)
	}
	p, err := svc.Propose(t.Context(), kb.Proposal{ArticleID: ids["refunds"], Text: "cash back please", Source: kb.CandidatePicked})
	if err != nil {
		t.Fatal(err)
	}
	if p.State != kb.CandidatePending {
		t.Fatalf("picked candidate = %+v, want pending", p)
	}
}

// TestLearnedSurvivesRestart: a node that starts after a phrasing was
// learned (no Reindex since) votes with it too.
func TestLearnedSurvivesRestart(t *testing.T) {
	t.Parallel()
	store := memory.NewKBStore()
	svc, ids := phrasingsKBOn(t, store, kb.Options{})
	const q = "nobody rang the bell yesterday"
	c, err := svc.Propose(t.Context(), kb.Proposal{ArticleID: ids["delivery"], Text: q, Source: kb.CandidatePicked})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AcceptCandidate(t.Context(), c.ID); err != nil {
		t.Fatal(err)
	}
	want, err := svc.Search(t.Context(), kb.SearchQuery{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	restarted := kb.NewService(store, kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	got, err := restarted.Search(t.Context(), kb.SearchQuery{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	if got.Hits[0].Slug != "delivery" || got.TopScore < want.TopScore-1e-6 {
		t.Errorf("after a restart: %s at %.3f, want delivery at %.3f as before", got.Hits[0].Slug, got.TopScore, want.TopScore)
	}
}

// TestRetrainInBackground: after RetrainEvery learned phrasings a Reindex
// runs in the background (the stored ranker changes), and the learned
// questions still find their article.
func TestRetrainInBackground(t *testing.T) {
	t.Parallel()
	store := memory.NewKBStore()
	svc, ids := phrasingsKBOn(t, store, kb.Options{RetrainEvery: 2})
	const rankerState = "ranker:v2"
	before, err := store.LoadIndexState(t.Context(), rankerState)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"nobody rang the bell yesterday", "the van drove past my house"}
	for i, q := range texts {
		c, err := svc.Propose(t.Context(), kb.Proposal{ArticleID: ids["delivery"], Text: q, Source: kb.CandidatePicked})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptCandidate(t.Context(), c.ID); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			svc.WaitRetrain()
			if now, _ := store.LoadIndexState(t.Context(), rankerState); !bytes.Equal(now, before) {
				t.Fatal("retrained after one learned phrasing, want two")
			}
		}
	}
	svc.WaitRetrain()
	if now, _ := store.LoadIndexState(t.Context(), rankerState); bytes.Equal(now, before) {
		t.Fatal("no retrain after two learned phrasings")
	}
	for _, q := range texts {
		res, err := svc.Search(t.Context(), kb.SearchQuery{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Hits[0].Slug != "delivery" {
			t.Errorf("%q after the retrain: %s first, want delivery", q, res.Hits[0].Slug)
		}
	}
}
