package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
)

// twinKB holds two different articles that a question matches equally well.
func twinKB(t *testing.T) (svc *kb.Service, gift, promo *kb.Article) {
	t.Helper()
	ctx := context.Background()
	svc = kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	mk := func(slug, title, body string) *kb.Article {
		a, err := svc.CreateArticle(ctx, kb.Article{Slug: slug, Title: title, Body: body, Locale: "en", Audience: kb.AudiencePublic, State: kb.StateDraft})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(ctx, a.ID, "editor"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddPhrasing(ctx, a.ID, "how do I use my code at checkout", kb.SourceEditor); err != nil {
			t.Fatal(err)
		}
		return a
	}
	gift = mk("gift-cards", "Gift cards", "Enter the gift card number under Payment at checkout. The balance is taken off your total.")
	promo = mk("promo-codes", "Promo codes", "Type the promo code in the Discount box at checkout and press Apply. One code per order.")
	if err := svc.Reindex(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, gift, promo
}

func TestClarifyWhenTwoArticlesTie(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		reply string
		want  string // slug of the answer, or which option the question named "first" or "second"
	}{
		{"by number", "2", "second"},
		{"by ordinal", "The first one.", "first"},
		{"by title words", "it's a promo code", "promo-codes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, gift, promo := twinKB(t)
			f := setup(t, func(_ *bot.Config, d *bot.Deps) { d.KB = svc })
			c := f.newConversation(t)
			ask := onlyReply(t, f.say(t, c, "How do I use my code at checkout?"))
			if ask.Meta.Kind != bot.KindClarify || len(ask.Meta.Citations) != 0 {
				t.Fatalf("first reply %s %q, want a clarifying question without citations", ask.Meta.Kind, ask.Body)
			}
			gi, pi := strings.Index(ask.Body, gift.Title), strings.Index(ask.Body, promo.Title)
			if gi < 0 || pi < 0 {
				t.Fatalf("question %q does not name both %q and %q", ask.Body, gift.Title, promo.Title)
			}
			order := map[string]string{"first": gift.Slug, "second": promo.Slug}
			if pi < gi {
				order = map[string]string{"first": promo.Slug, "second": gift.Slug}
			}
			if slug, ok := order[tc.want]; ok {
				tc.want = slug
			}
			answer := onlyReply(t, f.say(t, c, tc.reply))
			if answer.Meta.Kind != bot.KindAnswer || len(answer.Meta.Citations) != 1 || answer.Meta.Citations[0].Slug != tc.want {
				t.Fatalf("after %q: %s citing %+v, want an answer from %s", tc.reply, answer.Meta.Kind, answer.Meta.Citations, tc.want)
			}
		})
	}
}

func TestClarifyOnlyOnce(t *testing.T) {
	t.Parallel()
	svc, _, _ := twinKB(t)
	f := setup(t, func(_ *bot.Config, d *bot.Deps) { d.KB = svc })
	c := f.newConversation(t)
	onlyReply(t, f.say(t, c, "How do I use my code at checkout?"))
	next := onlyReply(t, f.say(t, c, "not sure, either"))
	if next.Meta.Kind == bot.KindClarify {
		t.Fatalf("asked a second clarifying question: %q", next.Body)
	}
}
