package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
)

// BenchmarkKBSearch measures search on Postgres with 10k and 100k passages:
// the full hybrid kb.Service.Search and the HNSW vector query alone, with
// p50/p99 latency and the HNSW index's recall@10 against an exact scan of
// the same table. Passages are synthetic texts (Zipf-distributed words of a
// made-up vocabulary, so they share words like real articles), embedded with
// the offline embedder and loaded with COPY in one KBStore.BulkLoad, which
// builds the HNSW index once at the end. Run with
//
//	go test -run '^$' -bench KBSearch -benchtime 300x ./internal/postgres/
func BenchmarkKBSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("passages=%d", n), func(b *testing.B) {
			ctx := context.Background()
			store := postgres.NewKBStore(pgtest.NewDB(b))
			emb := kb.NewOfflineEmbedder(kb.OfflineOptions{})
			gen := newTextGen(rand.New(rand.NewPCG(1, uint64(n))))
			loadStart := time.Now()
			loadPassages(b, ctx, store, emb, gen, n)
			load := time.Since(loadStart)
			svc := kb.NewService(store, emb, kb.Options{})

			queries := make([]string, 200)
			vecs := make([][]float32, len(queries))
			for i := range queries {
				queries[i] = gen.sentence(8)
				v, _ := emb.Embed(ctx, []string{queries[i]})
				vecs[i] = v[0]
			}
			aud := []kb.Audience{kb.AudiencePublic, kb.AudienceCustomers}
			var hits, total int
			for _, v := range vecs {
				approx, err := store.SearchVector(ctx, kb.VectorQuery{Vector: v, Audiences: aud, Limit: 10})
				if err != nil {
					b.Fatal(err)
				}
				exact, err := store.SearchVector(ctx, kb.VectorQuery{Vector: v, Audiences: aud, Limit: 10, Exact: true})
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range exact {
					total++
					if slices.ContainsFunc(approx, func(a kb.PassageMatch) bool { return a.ID == e.ID }) {
						hits++
					}
				}
			}
			recall := float64(hits) / float64(max(total, 1))

			b.Run("vector", func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				i := 0
				for b.Loop() {
					start := time.Now()
					if _, err := store.SearchVector(ctx, kb.VectorQuery{Vector: vecs[i%len(vecs)], Audiences: aud, Limit: 60}); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
					i++
				}
				reportLatency(b, lat)
				// Parents of sub-benchmarks print no metrics: report the
				// run's recall and load time here.
				b.ReportMetric(recall, "recall@10")
				b.ReportMetric(load.Seconds(), "load_s")
			})
			b.Run("text", func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				i := 0
				for b.Loop() {
					start := time.Now()
					if _, err := store.SearchText(ctx, kb.TextQuery{Text: queries[i%len(queries)], Audiences: aud, Limit: 60}); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
					i++
				}
				reportLatency(b, lat)
			})
			b.Run("hybrid", func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				i := 0
				for b.Loop() {
					start := time.Now()
					if _, err := svc.Search(ctx, kb.SearchQuery{Text: queries[i%len(queries)], Audience: "customers"}); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
					i++
				}
				reportLatency(b, lat)
			})
		})
	}
}

// BenchmarkKBServiceSearchDemo measures the bot's hot path, kb.Service.Search,
// on Postgres with the bundled demo knowledge base, over typical customer
// questions (our own wording), with p50/p99 latency and the round trips
// and statements each search costs: "postgres" asks PostgreSQL for both
// retrievers, "node-copy" runs on a node with a bus, whose in-process copy
// of the (small) vector index answers the vector retriever. Run with
//
//	go test -run '^$' -bench KBServiceSearchDemo -benchtime 2000x ./internal/postgres/
func BenchmarkKBServiceSearchDemo(b *testing.B) {
	for _, withBus := range []bool{false, true} {
		name := "postgres"
		if withBus {
			name = "node-copy"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db, counter := newCountedDB(b)
			if withBus {
				mustStartBus(b, db)
			}
			store := postgres.NewKBStore(db)
			svc := kb.NewService(store, kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
			articles, err := kb.ReadDir(demo.Articles())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := kb.Import(ctx, svc, articles); err != nil {
				b.Fatal(err)
			}
			questions := []string{
				"where is my parcel, it was meant to arrive yesterday",
				"how do I send back a jacket that does not fit",
				"I was charged twice for the same order",
				"can I cancel my membership and get a refund",
				"I forgot my password and cannot log in",
				"do you ship to Canada and how long does it take",
				"how do I delete my account and all my data",
				"the tent I received is damaged",
				"change the delivery address of an order I just placed",
				"what payment methods do you take",
			}
			// Once untimed: the first search loads what Reindex learned
			// (and the node's copy).
			if _, err := svc.Search(ctx, kb.SearchQuery{Text: questions[0]}); err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			trips, stmts := counter.now()
			i := 0
			for b.Loop() {
				start := time.Now()
				if _, err := svc.Search(ctx, kb.SearchQuery{Text: questions[i%len(questions)]}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			counter.report(b, trips, stmts)
			reportLatency(b, lat)
		})
	}
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50_ms")
	b.ReportMetric(at(0.99), "p99_ms")
}

// loadPassages creates n/100 published articles of 100 passages each, in
// one bulk load.
func loadPassages(b *testing.B, ctx context.Context, store *postgres.KBStore, emb kb.Embedder, gen *textGen, n int) {
	b.Helper()
	err := store.BulkLoad(ctx, func(tx kb.Store) error {
		return publishSynthetic(ctx, tx, emb, gen, 0, n)
	})
	if err != nil {
		b.Fatal(err)
	}
}

// publishSynthetic publishes n/100 articles of 100 passages, numbered from
// article first on.
func publishSynthetic(ctx context.Context, store kb.Store, emb kb.Embedder, gen *textGen, first, n int) error {
	const perArticle = 100
	now := time.Now().UTC()
	for a := first; a < first+n/perArticle; a++ {
		art := &kb.Article{ID: frontline.NewID("art_"), Slug: fmt.Sprintf("a%06d", a), Title: gen.sentence(4), Locale: "en",
			Audience: kb.AudiencePublic, State: kb.StatePublished, CreatedAt: now, UpdatedAt: now}
		texts := make([]string, perArticle)
		for i := range texts {
			texts[i] = gen.sentence(25)
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return err
		}
		rev := &kb.Revision{ID: frontline.NewID("rev_"), ArticleID: art.ID, Title: art.Title, Author: "bench", CreatedAt: now}
		passages := make([]kb.Passage, perArticle)
		for i := range passages {
			passages[i] = kb.Passage{ID: frontline.NewID("psg_"), RevisionID: rev.ID, Kind: kb.KindChunk, Ordinal: i,
				Text: texts[i], IndexText: texts[i], Locale: "en", Audience: kb.AudiencePublic, Embedding: vecs[i]}
		}
		err = store.WithTx(ctx, func(tx kb.Store) error {
			if err := tx.CreateArticle(ctx, art); err != nil {
				return err
			}
			return tx.PublishRevision(ctx, rev, passages)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// textGen makes sentences of pronounceable made-up words with a Zipf
// distribution, so texts share common words and differ in rare ones.
type textGen struct {
	words []string
	zipf  *rand.Zipf
}

func newTextGen(r *rand.Rand) *textGen {
	const vocab = 20000
	syll := []string{"ba", "ko", "ri", "te", "mu", "sa", "ne", "lo", "pi", "da", "ve", "gu", "shi", "tor", "len", "mar"}
	g := &textGen{zipf: rand.NewZipf(r, 1.1, 2, vocab-1)}
	for range vocab {
		var sb strings.Builder
		for range 2 + r.IntN(3) {
			sb.WriteString(syll[r.IntN(len(syll))])
		}
		g.words = append(g.words, sb.String())
	}
	return g
}

func (g *textGen) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.words[g.zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}
