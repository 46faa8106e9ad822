package kb_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	frontline "github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
	"github.com/frontlinehq/frontline/kb/demo"
)

const goodArticle = `---
title: Cancel an order
tags: [orders, Cancellation]
locale: en
audience: customers
state: review
---

You can cancel within **1 hour**.
`

func TestParseArticle(t *testing.T) {
	t.Parallel()
	a, err := kb.ParseArticle("cancel-an-order.md", []byte(goodArticle))
	if err != nil {
		t.Fatalf("ParseArticle: %v", err)
	}
	want := kb.ImportedArticle{
		Slug: "cancel-an-order", Title: "Cancel an order", Body: "You can cancel within **1 hour**.",
		Tags: []string{"orders", "Cancellation"}, Locale: "en", Audience: kb.AudienceCustomers, State: kb.StateReview,
		File: "cancel-an-order.md",
	}
	if a.Slug != want.Slug || a.Title != want.Title || a.Body != want.Body || !slices.Equal(a.Tags, want.Tags) ||
		a.Locale != want.Locale || a.Audience != want.Audience || a.State != want.State || a.File != want.File {
		t.Errorf("ParseArticle = %+v, want %+v", a, want)
	}
}

func TestParseArticleDefaults(t *testing.T) {
	t.Parallel()
	src := "---\r\ntitle: \"Minimal: one key\"\r\ntags: billing, invoices\r\n---\r\nBody.\r\n"
	a, err := kb.ParseArticle("minimal.md", []byte(src))
	if err != nil {
		t.Fatalf("ParseArticle: %v", err)
	}
	if a.Title != "Minimal: one key" {
		t.Errorf("title = %q, want %q", a.Title, "Minimal: one key")
	}
	if !slices.Equal(a.Tags, []string{"billing", "invoices"}) {
		t.Errorf("tags = %q, want [billing invoices]", a.Tags)
	}
	if a.Body != "Body." {
		t.Errorf("body = %q, want %q", a.Body, "Body.")
	}
	if a.State != "" {
		t.Errorf("state = %q, want empty (published on import)", a.State)
	}
}

// TestParseArticleErrors checks that each kind of bad file gets an error
// naming the file, the line and the problem.
func TestParseArticleErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, src string
		code            string
		want            []string // substrings of the error message
	}{
		{"no front matter", "a.md", "# Title\n\nBody\n", frontline.EInvalid, []string{"a.md:1:", "front matter missing"}},
		{"front matter not closed", "a.md", "---\ntitle: x\n\nBody\n", frontline.EInvalid, []string{"a.md:1:", "not closed"}},
		{"missing title", "a.md", "---\ntags: [x]\n---\nBody\n", frontline.EInvalid, []string{"a.md:2:", "title: required"}},
		{"empty title", "a.md", "---\ntitle: \"  \"\n---\nBody\n", frontline.EInvalid, []string{"a.md:2:", "title: required"}},
		{"empty front matter", "a.md", "---\n---\nBody\n", frontline.EInvalid, []string{"a.md:2:", "title is required"}},
		{"unknown key", "a.md", "---\ntitle: x\nauthor: me\n---\nBody\n", frontline.EInvalid, []string{"a.md:3:", `unknown key "author"`}},
		{"bad state", "a.md", "---\ntitle: x\n\nstate: live\n---\nBody\n", frontline.EInvalid, []string{"a.md:4:", `state: "live"`}},
		{"bad audience", "a.md", "---\ntitle: x\naudience: staff\n---\nBody\n", frontline.EInvalid, []string{"a.md:3:", `audience: "staff"`}},
		{"bad locale", "a.md", "---\ntitle: x\nlocale: \"en us!\"\n---\nBody\n", frontline.EInvalid, []string{"a.md:3:", "locale"}},
		{"duplicate key", "a.md", "---\ntitle: x\ntitle: y\n---\nBody\n", frontline.EInvalid, []string{"a.md:3:", "title"}},
		{"title is a list", "a.md", "---\ntitle: [a, b]\n---\nBody\n", frontline.EInvalid, []string{"a.md:2:", "single value"}},
		{"tags are a map", "a.md", "---\ntitle: x\ntags: {a: b}\n---\nBody\n", frontline.EInvalid, []string{"a.md:3:", "tags"}},
		{"yaml syntax", "a.md", "---\ntitle: x\ntags: [a, b\nlocale: en\n---\nBody\n", frontline.EInvalid, []string{"a.md:", "front matter"}},
		{"not a mapping", "a.md", "---\n- title\n---\nBody\n", frontline.EInvalid, []string{"a.md:2:", "keys and values"}},
		{"empty body", "a.md", "---\ntitle: x\n---\n\n  \n", frontline.EInvalid, []string{"a.md:4:", "body: empty"}},
		{"invalid utf-8", "a.md", "---\ntitle: x\n---\nok\nbad \xff\n", frontline.EInvalid, []string{"a.md:5:", "UTF-8"}},
		{"nul byte", "a.md", "---\ntitle: x\n---\nbin\x00ary\n", frontline.EInvalid, []string{"a.md:4:", "NUL"}},
		{"bad slug", "Cancel Order.md", "---\ntitle: x\n---\nBody\n", frontline.EInvalid, []string{"Cancel Order.md:", "slug"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := kb.ParseArticle(tt.file, []byte(tt.src))
			if err == nil {
				t.Fatalf("ParseArticle(%q) = nil error, want one containing %q", tt.src, tt.want)
			}
			if got := frontline.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q (err %v)", got, tt.code, err)
			}
			for _, w := range tt.want {
				if msg := frontline.ErrorMessage(err); !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"b-second.md":     {Data: []byte("---\ntitle: Second\n---\nTwo\n")},
		"a-first.md":      {Data: []byte("---\ntitle: First\n---\nOne\n")},
		"notes.txt":       {Data: []byte("ignored")},
		"phrasings.csv":   {Data: []byte("text,label\n")},
		"sub/c-nested.md": {Data: []byte("not read: subfolders are ignored")},
	}
	arts, err := kb.ReadDir(fsys)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	var slugs []string
	for _, a := range arts {
		slugs = append(slugs, a.Slug)
	}
	if want := []string{"a-first", "b-second"}; !slices.Equal(slugs, want) {
		t.Errorf("slugs = %q, want %q", slugs, want)
	}
}

// TestReadDirReportsEveryBadFile checks that one run names all bad files,
// so an author can fix them all at once.
func TestReadDirReportsEveryBadFile(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"good.md":     {Data: []byte("---\ntitle: Good\n---\nBody\n")},
		"no-title.md": {Data: []byte("---\ntags: [x]\n---\nBody\n")},
		"unknown.md":  {Data: []byte("---\ntitle: x\ncolour: red\n---\nBody\n")},
	}
	_, err := kb.ReadDir(fsys)
	if err == nil {
		t.Fatal("ReadDir = nil error, want one naming both bad files")
	}
	msg := frontline.ErrorMessage(err)
	for _, w := range []string{"no-title.md:2: title: required", `unknown.md:3: unknown key "colour"`} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
	if strings.Contains(msg, "good.md") {
		t.Errorf("error %q names good.md, which is fine", msg)
	}
}

func TestReadDirTooLarge(t *testing.T) {
	t.Parallel()
	big := "---\ntitle: Big\n---\n" + strings.Repeat("word ", 1<<20) // 5 MiB
	fsys := fstest.MapFS{"big.md": {Data: []byte(big)}}
	_, err := kb.ReadDir(fsys)
	if got := frontline.ErrorCode(err); got != frontline.ETooLarge {
		t.Fatalf("ReadDir(5 MB article) code = %q (err %v), want %q", got, err, frontline.ETooLarge)
	}
	msg := frontline.ErrorMessage(err)
	for _, w := range []string{"big.md", "5.0 MiB", "at most 1 MiB"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}

func TestReadDirEmpty(t *testing.T) {
	t.Parallel()
	_, err := kb.ReadDir(fstest.MapFS{"readme.txt": {Data: []byte("x")}})
	if got := frontline.ErrorCode(err); got != frontline.EInvalid {
		t.Fatalf("ReadDir(no .md files) code = %q, want %q", got, frontline.EInvalid)
	}
}

// TestDemoArticles checks that the bundled demo KB reads cleanly and is the
// size the product promises.
func TestDemoArticles(t *testing.T) {
	t.Parallel()
	arts, err := kb.ReadDir(demo.Articles())
	if err != nil {
		t.Fatalf("ReadDir(demo): %v", err)
	}
	if n := len(arts); n < 30 || n > 40 {
		t.Errorf("demo KB has %d articles, want 30 to 40", n)
	}
	for _, a := range arts {
		if words := len(strings.Fields(a.Body)); words < 150 || words > 500 {
			t.Errorf("%s: %d words, want 150 to 500", a.File, words)
		}
	}
}

func TestReadPhrasings(t *testing.T) {
	t.Parallel()
	src := "text,label\n\"where is my parcel, it's late\",track-your-package\n  cancel pls  ,cancel-an-order\n"
	got, err := kb.ReadPhrasings("p.csv", strings.NewReader(src))
	if err != nil {
		t.Fatalf("ReadPhrasings: %v", err)
	}
	want := []kb.ImportedPhrasing{
		{Text: "where is my parcel, it's late", Slug: "track-your-package", Line: 2},
		{Text: "cancel pls", Slug: "cancel-an-order", Line: 3},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReadPhrasings = %+v, want %+v", got, want)
	}
}

func TestReadPhrasingsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      []string
	}{
		{"empty file", "", []string{"p.csv", "header"}},
		{"no label column", "text,slug\nx,y\n", []string{"p.csv:1:", "label column"}},
		{"missing label", "text,label\nhello,\n", []string{"p.csv:2:", "label: required"}},
		{"missing text", "text,label\nhello,a\n ,b\n", []string{"p.csv:3:", "text: required"}},
		{"short row", "text,label\nhello\n", []string{"p.csv:2:", "fields"}},
		{"bad quoting", "text,label\n\"open,a\nb,c\n", []string{"p.csv:", "quote"}},
		{"too long", "text,label\n" + strings.Repeat("x", kb.MaxPhrasing+1) + ",a\n", []string{"p.csv:2:", "longer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := kb.ReadPhrasings("p.csv", strings.NewReader(tt.src))
			if got := frontline.ErrorCode(err); got != frontline.EInvalid {
				t.Fatalf("code = %q (err %v), want %q", got, err, frontline.EInvalid)
			}
			for _, w := range tt.want {
				if msg := frontline.ErrorMessage(err); !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestFormatArticleRoundTrip(t *testing.T) {
	t.Parallel()
	in := kb.ImportedArticle{
		Slug: "weird-title", Title: "Colons: \"quotes\" and --- dashes", Body: "---\n\nA body that starts with a rule.\n\n- item",
		Tags: []string{"a b", "c"}, Locale: "pt-br", Audience: kb.AudienceCustomers, State: kb.StateArchived,
	}
	data, err := kb.FormatArticle(in)
	if err != nil {
		t.Fatalf("FormatArticle: %v", err)
	}
	got, err := kb.ParseArticle("weird-title.md", data)
	if err != nil {
		t.Fatalf("ParseArticle(FormatArticle(…)): %v\n%s", err, data)
	}
	got.File = ""
	if got.Title != in.Title || got.Body != in.Body || !slices.Equal(got.Tags, in.Tags) || got.Locale != in.Locale ||
		got.Audience != in.Audience || got.State != in.State || got.Slug != in.Slug {
		t.Errorf("round trip = %+v, want %+v", got, in)
	}
}

// storeKinds are the stores the import tests run against.
var storeKinds = []string{"memory", "postgres"}

// setup returns a Service over a new, empty store of the given kind that
// embeds with emb (the offline embedder when nil).
func setup(t *testing.T, kind string, emb kb.Embedder) *kb.Service {
	t.Helper()
	if emb == nil {
		emb = kb.NewOfflineEmbedder(kb.OfflineOptions{})
	}
	var store kb.Store
	switch kind {
	case "memory":
		store = memory.NewKBStore()
	case "postgres":
		store = postgres.NewKBStore(pgtest.NewDB(t))
	default:
		t.Fatalf("unknown store kind %q", kind)
	}
	// Import's checks need retrieval, not the learned ranker, whose
	// training is most of a Reindex under the race detector.
	return kb.NewService(store, emb, kb.Options{Ranking: kb.RankingRetrieval})
}

// forEachStore runs fn as a parallel subtest per store kind.
func forEachStore(t *testing.T, fn func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			fn(t, kind)
		})
	}
}

func mustReadDemo(t *testing.T) []kb.ImportedArticle {
	t.Helper()
	arts, err := kb.ReadDir(demo.Articles())
	if err != nil {
		t.Fatalf("ReadDir(demo): %v", err)
	}
	return arts
}

func TestImportDemo(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		svc := setup(t, kind, nil)
		arts := mustReadDemo(t)
		rep, err := kb.Import(ctx, svc, arts)
		if err != nil {
			t.Fatalf("Import: %v", err)
		}
		if want := (kb.ImportReport{Created: len(arts), Published: len(arts)}); rep != want {
			t.Errorf("Import report = %+v, want %+v", rep, want)
		}
		published, err := svc.Articles(ctx, kb.ArticleFilter{State: kb.StatePublished})
		if err != nil {
			t.Fatalf("Articles: %v", err)
		}
		if len(published) != len(arts) {
			t.Errorf("%d published articles, want %d", len(published), len(arts))
		}
		res, err := svc.Search(ctx, kb.SearchQuery{Text: "how long is the reset link valid", Audience: "customers"})
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Slug != "reset-password" {
			t.Errorf("Search top hit = %+v, want reset-password", res.Hits)
		}

		// Importing the same folder again changes nothing.
		rep, err = kb.Import(ctx, svc, arts)
		if err != nil {
			t.Fatalf("Import again: %v", err)
		}
		if want := (kb.ImportReport{Unchanged: len(arts)}); rep != want {
			t.Errorf("second Import report = %+v, want %+v", rep, want)
		}
		revs, err := svc.Revisions(ctx, published[0].ID)
		if err != nil {
			t.Fatalf("Revisions: %v", err)
		}
		if len(revs) != 1 {
			t.Errorf("%s has %d revisions after importing twice, want 1", published[0].Slug, len(revs))
		}
	})
}

func TestImportUpdatesAndStates(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		svc := setup(t, kind, nil)
		first := []kb.ImportedArticle{
			{Slug: "alpha", Title: "Alpha", Body: "First version.", File: "alpha.md"},
			{Slug: "beta", Title: "Beta", Body: "A draft.", State: kb.StateDraft, File: "beta.md"},
			{Slug: "gamma", Title: "Gamma", Body: "Old news.", State: kb.StateArchived, File: "gamma.md"},
		}
		if _, err := kb.Import(ctx, svc, first); err != nil {
			t.Fatalf("Import: %v", err)
		}
		second := slices.Clone(first)
		second[0].Body = "Second version."
		rep, err := kb.Import(ctx, svc, second)
		if err != nil {
			t.Fatalf("Import changed: %v", err)
		}
		if want := (kb.ImportReport{Updated: 1, Unchanged: 2, Published: 1}); rep != want {
			t.Errorf("report = %+v, want %+v", rep, want)
		}
		tests := []struct {
			slug  string
			state kb.State
			revs  int
		}{
			{"alpha", kb.StatePublished, 2},
			{"beta", kb.StateDraft, 0},
			{"gamma", kb.StateArchived, 0},
		}
		for _, tt := range tests {
			a, err := svc.ArticleBySlug(ctx, tt.slug)
			if err != nil {
				t.Fatalf("ArticleBySlug(%s): %v", tt.slug, err)
			}
			if a.State != tt.state {
				t.Errorf("%s state = %q, want %q", tt.slug, a.State, tt.state)
			}
			revs, err := svc.Revisions(ctx, a.ID)
			if err != nil {
				t.Fatalf("Revisions(%s): %v", tt.slug, err)
			}
			if len(revs) != tt.revs {
				t.Errorf("%s has %d revisions, want %d", tt.slug, len(revs), tt.revs)
			}
		}
		res, err := svc.Search(ctx, kb.SearchQuery{Text: "draft news version"})
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		for _, h := range res.Hits {
			if h.Slug != "alpha" {
				t.Errorf("Search found %s, which is not published", h.Slug)
			}
		}
	})
}

// failingEmbedder fails on any text containing poison, to make an import
// fail halfway through its transaction.
type failingEmbedder struct {
	kb.Embedder
	poison string
}

func (e failingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for _, t := range texts {
		if strings.Contains(t, e.poison) {
			return nil, frontline.Errorf(frontline.EUnavailable, "embedder refused %q", e.poison)
		}
	}
	return e.Embedder.Embed(ctx, texts)
}

// TestImportAllOrNothing makes the last article fail after the others were
// written inside the transaction, and checks that none of them remain.
func TestImportAllOrNothing(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		svc := setup(t, kind, failingEmbedder{kb.NewOfflineEmbedder(kb.OfflineOptions{}), "POISON"})
		arts := mustReadDemo(t)
		arts = append(arts, kb.ImportedArticle{Slug: "zz-last", Title: "Last", Body: "POISON", File: "zz-last.md"})
		_, err := kb.Import(ctx, svc, arts)
		if err == nil {
			t.Fatal("Import = nil error, want the embedder's error")
		}
		if !strings.Contains(frontline.ErrorMessage(err), "zz-last.md") {
			t.Errorf("error %q does not name zz-last.md", frontline.ErrorMessage(err))
		}
		got, err := svc.Articles(ctx, kb.ArticleFilter{})
		if err != nil {
			t.Fatalf("Articles: %v", err)
		}
		if len(got) != 0 {
			t.Errorf("%d articles after a failed import, want 0", len(got))
		}
		res, err := svc.Search(ctx, kb.SearchQuery{Text: "cancel my order", Audience: "customers"})
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		if len(res.Hits) != 0 {
			t.Errorf("Search after a failed import found %d hits, want 0", len(res.Hits))
		}
	})
}

func TestImportRejectsDuplicateSlugs(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		svc := setup(t, kind, nil)
		arts := []kb.ImportedArticle{
			{Slug: "same", Title: "One", Body: "x", File: "a/same.md"},
			{Slug: "same", Title: "Two", Body: "y", File: "b/same.md"},
		}
		_, err := kb.Import(t.Context(), svc, arts)
		if msg := frontline.ErrorMessage(err); !strings.Contains(msg, "b/same.md") || !strings.Contains(msg, "a/same.md") {
			t.Errorf("Import(duplicate slugs) error = %v, want one naming both files", err)
		}
	})
}

func TestImportPhrasings(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		svc := setup(t, kind, nil)
		if _, err := kb.Import(ctx, svc, mustReadDemo(t)); err != nil {
			t.Fatalf("Import: %v", err)
		}
		csv := "text,label\nwhere has my zorblax gone,track-your-package\nzorblax refund please,refund-timeline\n"
		ps, err := kb.ReadPhrasings("p.csv", strings.NewReader(csv))
		if err != nil {
			t.Fatalf("ReadPhrasings: %v", err)
		}
		rep, err := kb.ImportPhrasings(ctx, svc, "p.csv", ps)
		if err != nil {
			t.Fatalf("ImportPhrasings: %v", err)
		}
		if want := (kb.PhrasingsReport{Added: 2}); rep != want {
			t.Errorf("report = %+v, want %+v", rep, want)
		}
		res, err := svc.Search(ctx, kb.SearchQuery{Text: "where has my zorblax gone"})
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Slug != "track-your-package" {
			t.Errorf("Search(phrasing) hits = %+v, want track-your-package first", res.Hits)
		}
		rep, err = kb.ImportPhrasings(ctx, svc, "p.csv", ps)
		if err != nil {
			t.Fatalf("ImportPhrasings again: %v", err)
		}
		if want := (kb.PhrasingsReport{Skipped: 2}); rep != want {
			t.Errorf("second report = %+v, want %+v", rep, want)
		}
	})
}

// TestImportPhrasingsUnknownSlug checks that one unknown slug names its line
// and that no phrasing of the file was added.
func TestImportPhrasingsUnknownSlug(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		svc := setup(t, kind, nil)
		if _, err := kb.Import(ctx, svc, mustReadDemo(t)); err != nil {
			t.Fatalf("Import: %v", err)
		}
		csv := "text,label\nwhere is my parcel,track-your-package\nhow do I fly,no-such-article\n"
		ps, err := kb.ReadPhrasings("p.csv", strings.NewReader(csv))
		if err != nil {
			t.Fatalf("ReadPhrasings: %v", err)
		}
		_, err = kb.ImportPhrasings(ctx, svc, "p.csv", ps)
		if got := frontline.ErrorCode(err); got != frontline.EInvalid {
			t.Fatalf("ImportPhrasings code = %q (err %v), want %q", got, err, frontline.EInvalid)
		}
		if msg, want := frontline.ErrorMessage(err), `p.csv:3: label: no article with slug "no-such-article"`; !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
		a, err := svc.ArticleBySlug(ctx, "track-your-package")
		if err != nil {
			t.Fatalf("ArticleBySlug: %v", err)
		}
		phr, err := svc.Phrasings(ctx, a.ID)
		if err != nil {
			t.Fatalf("Phrasings: %v", err)
		}
		if len(phr) != 0 {
			t.Errorf("track-your-package has %d phrasings after a failed import, want 0", len(phr))
		}
	})
}

// TestExportRoundTrip imports the demo KB and phrasings, exports it, and
// reads the export back: it must match what was imported.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		svc := setup(t, kind, nil)
		arts := mustReadDemo(t)
		arts[0].State = kb.StateDraft
		arts[1].State = kb.StateArchived
		arts[2].Audience = kb.AudienceCustomers
		if _, err := kb.Import(ctx, svc, arts); err != nil {
			t.Fatalf("Import: %v", err)
		}
		ps := []kb.ImportedPhrasing{{Text: "parcel, where are you?", Slug: "track-your-package", Line: 2}, {Text: "stop the order", Slug: arts[5].Slug, Line: 3}}
		if _, err := kb.ImportPhrasings(ctx, svc, "p.csv", ps); err != nil {
			t.Fatalf("ImportPhrasings: %v", err)
		}
		// An unpublished edit is not exported: customers don't see it.
		a, err := svc.ArticleBySlug(ctx, arts[3].Slug)
		if err != nil {
			t.Fatalf("ArticleBySlug: %v", err)
		}
		draft := "Unpublished edit."
		if _, err := svc.UpdateArticle(ctx, a.ID, kb.ArticleUpdate{Body: &draft}); err != nil {
			t.Fatalf("UpdateArticle: %v", err)
		}

		dir := t.TempDir()
		rep, err := kb.Export(ctx, svc, dir)
		if err != nil {
			t.Fatalf("Export: %v", err)
		}
		if want := (kb.ExportReport{Articles: len(arts), Phrasings: 2}); rep != want {
			t.Errorf("Export report = %+v, want %+v", rep, want)
		}
		back, err := kb.ReadDir(os.DirFS(dir))
		if err != nil {
			t.Fatalf("ReadDir(export): %v", err)
		}
		if len(back) != len(arts) {
			t.Fatalf("export holds %d articles, want %d", len(back), len(arts))
		}
		for i, got := range back {
			want := arts[i]
			if want.State == "" {
				want.State = kb.StatePublished
			}
			wantTags := make([]string, len(want.Tags))
			for j, tag := range want.Tags {
				wantTags[j] = strings.ToLower(tag)
			}
			if got.Slug != want.Slug || got.Title != want.Title || got.Body != want.Body || !slices.Equal(got.Tags, wantTags) ||
				got.Locale != want.Locale || got.Audience != want.Audience || got.State != want.State {
				t.Errorf("exported %s = %+v, want %+v", want.Slug, got, want)
			}
		}
		f, err := os.Open(filepath.Join(dir, kb.PhrasingsFile))
		if err != nil {
			t.Fatalf("open exported phrasings: %v", err)
		}
		defer f.Close()
		gotPs, err := kb.ReadPhrasings(kb.PhrasingsFile, f)
		if err != nil {
			t.Fatalf("ReadPhrasings(export): %v", err)
		}
		var texts []string
		for _, p := range gotPs {
			texts = append(texts, p.Slug+"|"+p.Text)
		}
		slices.Sort(texts)
		want := []string{arts[5].Slug + "|stop the order", "track-your-package|parcel, where are you?"}
		slices.Sort(want)
		if !slices.Equal(texts, want) {
			t.Errorf("exported phrasings = %q, want %q", texts, want)
		}
	})
}

// BenchmarkImportDemoKB imports the bundled demo knowledge base into a
// fresh in-memory store, as the zero-setup start does: embedding, ranker
// training and the article-only calibration.
func BenchmarkImportDemoKB(b *testing.B) {
	arts, err := kb.ReadDir(demo.Articles())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
		if _, err := kb.Import(context.Background(), svc, arts); err != nil {
			b.Fatal(err)
		}
	}
}
