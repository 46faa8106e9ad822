package kb_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	frontline "github.com/frontlinehq/frontline"
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
