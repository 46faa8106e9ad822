package bot_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
	"github.com/frontlinehq/frontline/handoff"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
)

// BenchmarkPipeline measures one customer message through the whole bot
// without a model: guard, signals, search, decide, extractive compose and
// the appends, on each store (the Postgres run keeps the knowledge base in
// Postgres too). It reports p50 and p99 per message.
func BenchmarkPipeline(b *testing.B) {
	questions := []string{
		"How do I reset my password?",
		"Can I pay with PayPal?",
		"What is the capital of Mongolia?",
		"how do I start a return",
	}
	run := func(b *testing.B, f fixture) {
		var lat []time.Duration
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			c := f.newConversation(b)
			masked, kinds, err := f.bot.Prepare(questions[i%len(questions)])
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			res, err := f.log.AppendMessage(context.Background(), frontline.AppendRequest{Message: frontline.Message{
				ConversationID: c.ID, Author: frontline.AuthorCustomer, Body: masked, Meta: frontline.MessageMeta{Redactions: kinds}}})
			if err != nil {
				b.Fatal(err)
			}
			if err := f.bot.HandleMessage(context.Background(), c, res.Message); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
	b.Run("memory", func(b *testing.B) { run(b, setup(b)) })
	b.Run("postgres", func(b *testing.B) {
		s := postgresStores(b)
		db := s.log.(*postgres.DB)
		svc := kb.NewService(postgres.NewKBStore(db), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
		arts, err := kb.ReadDir(demo.Articles())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := kb.Import(context.Background(), svc, arts); err != nil {
			b.Fatal(err)
		}
		for slug, texts := range phrasings {
			a, err := svc.ArticleBySlug(context.Background(), slug)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.AddPhrasings(context.Background(), a.ID, texts, kb.SourceEditor); err != nil {
				b.Fatal(err)
			}
		}
		hs := handoff.NewService(s.queue, s.log, s.bus, handoff.Config{})
		bt, err := bot.New(bot.DefaultConfig(), bot.Deps{Log: s.log, KB: svc, Handoff: hs})
		if err != nil {
			b.Fatal(err)
		}
		run(b, fixture{bot: bt, log: s.log, handoff: hs, kb: svc})
	})
}
