package kb

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	frontline "github.com/frontlinehq/frontline"
	"gopkg.in/yaml.v3"
)

// The import format is a folder of Markdown files, one article each. The
// slug is the file name without ".md"; the file starts with YAML front
// matter between two "---" lines:
//
//	---
//	title: Cancel an order        (required)
//	tags: [orders, cancellation]  (optional)
//	locale: en                    (optional, default "en")
//	audience: public              (optional: public | customers)
//	state: published              (optional: draft | review | published | archived)
//	---
//	Markdown body…
//
// Imported articles are published unless state says otherwise.

// ImportAuthor is the author recorded on revisions published by an import.
const ImportAuthor = "import"

// maxImportErrors bounds how many problems one error message lists, so a
// folder of wrong files gives a readable report rather than a flood.
const maxImportErrors = 20

// maxFrontMatterBytes is the room allowed for front matter on top of the
// body limit when reading a file.
const maxFrontMatterBytes = 64 << 10

// ImportedArticle is one article read from a file in the import format.
type ImportedArticle struct {
	Slug     string
	Title    string
	Body     string
	Tags     []string
	Locale   string
	Audience Audience
	State    State
	// File names where the article came from, for error messages.
	File string
}

// article returns a as a validated Article, or an error naming a.File.
func (a ImportedArticle) article() (Article, error) {
	art := Article{Slug: a.Slug, Title: a.Title, Body: a.Body, Tags: slices.Clone(a.Tags), Locale: a.Locale, Audience: a.Audience, State: a.State}
	if art.State == "" {
		art.State = StatePublished
	}
	if err := art.Validate(); err != nil {
		return Article{}, fileError(a.File, 0, err)
	}
	return art, nil
}

// ReadDir reads every *.md file at the root of fsys (os.DirFS(dir) for a
// folder on disk) as an article in the import format, ordered by slug. Other
// files and subfolders are ignored. Every problem is reported, each naming
// its file and, where it has one, its line; an error means no article should
// be imported. ETooLarge for a file over the size limit, EInvalid otherwise.
func ReadDir(fsys fs.FS) ([]ImportedArticle, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, frontline.Errorf(frontline.EInvalid, "read import folder: %v", err)
	}
	var (
		out  []ImportedArticle
		errs []error
	)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		a, err := readArticleFile(fsys, e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, a)
	}
	if err := joinImportErrors(errs); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "import folder holds no .md files")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	return out, nil
}

func readArticleFile(fsys fs.FS, name string) (ImportedArticle, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return ImportedArticle{}, frontline.Errorf(frontline.EInvalid, "%s: %v", name, err)
	}
	defer f.Close()
	limit := int64(MaxBodyBytes + maxFrontMatterBytes)
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return ImportedArticle{}, frontline.Errorf(frontline.EInvalid, "%s: %v", name, err)
	}
	if int64(len(data)) > limit {
		size := "more than " + byteSize(limit)
		if st, err := f.Stat(); err == nil {
			size = byteSize(st.Size())
		}
		return ImportedArticle{}, frontline.Errorf(frontline.ETooLarge, "%s: file is %s; an article may hold at most %s of Markdown", name, size, byteSize(MaxBodyBytes))
	}
	return ParseArticle(name, data)
}

// ParseArticle parses one file in the import format. name is the file name;
// the slug is name without its ".md" extension. Errors name the file and
// line.
func ParseArticle(name string, data []byte) (ImportedArticle, error) {
	a := ImportedArticle{Slug: strings.TrimSuffix(path.Base(name), ".md"), File: name}
	if !utf8.Valid(data) {
		return a, frontline.Errorf(frontline.EInvalid, "%s:%d: not valid UTF-8 text", name, firstInvalidUTF8Line(data))
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return a, frontline.Errorf(frontline.EInvalid, "%s:%d: contains a NUL byte; is this a binary file?", name, 1+bytes.Count(data[:i], []byte("\n")))
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], "\r\n") != "---" {
		return a, frontline.Errorf(frontline.EInvalid, "%s:1: front matter missing: the file must start with a line \"---\", then YAML with at least a title, then \"---\"", name)
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if l := strings.TrimRight(lines[i], " \t\r\n"); l == "---" || l == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return a, frontline.Errorf(frontline.EInvalid, "%s:1: front matter not closed: no \"---\" line after the opening one", name)
	}
	if err := parseFrontMatter(&a, strings.Join(lines[1:end], "")); err != nil {
		return a, err
	}
	body := strings.Join(lines[end+1:], "")
	body = strings.TrimLeft(body, "\r\n")
	a.Body = strings.TrimRight(body, " \t\r\n")
	if strings.TrimSpace(a.Body) == "" {
		return a, frontline.Errorf(frontline.EInvalid, "%s:%d: body: empty; write the article's Markdown after the front matter", name, end+2)
	}
	if _, err := a.article(); err != nil {
		return a, err
	}
	return a, nil
}

// parseFrontMatter fills a from the YAML between the "---" lines. It walks
// the YAML nodes itself, rather than decoding into a struct, so that every
// error can name the line: front matter starts on line 2 of the file.
func parseFrontMatter(a *ImportedArticle, src string) error {
	const firstLine = 2
	fail := func(line int, format string, args ...any) error {
		return frontline.Errorf(frontline.EInvalid, "%s:%d: %s", a.File, line, fmt.Sprintf(format, args...))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return yamlError(a.File, firstLine, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return fail(firstLine, "front matter is empty; title is required")
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return fail(firstLine-1+m.Line, "front matter must be YAML keys and values such as \"title: …\"")
	}
	seen := make(map[string]bool)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := firstLine - 1 + k.Line
		key := k.Value
		if seen[key] {
			return fail(line, "%s: given twice", key)
		}
		seen[key] = true
		switch key {
		case "title", "locale", "audience", "state":
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				return fail(line, "%s: must be a single value", key)
			}
			s := strings.TrimSpace(v.Value)
			switch key {
			case "title":
				a.Title = s
			case "locale":
				a.Locale = s
			case "audience":
				a.Audience = Audience(s)
				if !a.Audience.Valid() {
					return fail(line, "audience: %q is not public or customers", s)
				}
			case "state":
				a.State = State(s)
				if !a.State.Valid() {
					return fail(line, "state: %q is not draft, review, published or archived", s)
				}
			}
		case "tags":
			tags, err := yamlStrings(v)
			if err != nil {
				return fail(line, "tags: %v", err)
			}
			a.Tags = tags
		default:
			return fail(line, "unknown key %q (known: title, tags, locale, audience, state)", key)
		}
	}
	if a.Title == "" {
		return fail(firstLine, "title: required")
	}
	art := Article{Slug: a.Slug, Title: a.Title, Tags: a.Tags, Locale: a.Locale, Audience: a.Audience, State: a.State}
	if err := art.Validate(); err != nil {
		// Name the line of the field Validate complains about.
		msg := frontline.ErrorMessage(err)
		field, _, _ := strings.Cut(msg, ":")
		line := 0
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == field {
				line = firstLine - 1 + m.Content[i].Line
			}
		}
		return fileError(a.File, line, err)
	}
	return nil
}

// yamlStrings reads tags written as a list ([a, b] or "- a" lines) or as one
// comma-separated string.
func yamlStrings(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		var out []string
		for _, s := range strings.Split(n.Value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, errors.New("each tag must be a plain word or phrase")
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, errors.New("must be a list such as [orders, billing]")
}

// yamlError turns a yaml.v3 syntax error ("yaml: line 3: …") into one that
// names the file and the line in the file.
func yamlError(file string, firstLine int, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var n int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &n); scanErr == nil {
		_, rest, _ := strings.Cut(msg, ":")
		return frontline.Errorf(frontline.EInvalid, "%s:%d: front matter: %s", file, firstLine-1+n, strings.TrimSpace(rest))
	}
	return frontline.Errorf(frontline.EInvalid, "%s:%d: front matter: %s", file, firstLine, msg)
}

// fileError prefixes a domain error's message with file and line, keeping
// its code.
func fileError(file string, line int, err error) error {
	code, msg := frontline.ErrorCode(err), frontline.ErrorMessage(err)
	if code == frontline.EInternal {
		// Not safe to show: keep the cause for the log.
		return fmt.Errorf("%s: %w", file, err)
	}
	if line > 0 {
		return frontline.Errorf(code, "%s:%d: %s", file, line, msg)
	}
	return frontline.Errorf(code, "%s: %s", file, msg)
}

// joinImportErrors makes one domain error listing up to maxImportErrors
// problems, one a line. Its code is ETooLarge if every problem is a size
// problem, EInvalid otherwise.
func joinImportErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	code := frontline.ETooLarge
	msgs := make([]string, 0, min(len(errs), maxImportErrors)+1)
	for i, err := range errs {
		if frontline.ErrorCode(err) != frontline.ETooLarge {
			code = frontline.EInvalid
		}
		if i < maxImportErrors {
			msgs = append(msgs, frontline.ErrorMessage(err))
		}
	}
	if len(errs) > maxImportErrors {
		msgs = append(msgs, fmt.Sprintf("… and %d more problems", len(errs)-maxImportErrors))
	}
	return frontline.Errorf(code, "%s", strings.Join(msgs, "\n"))
}

func firstInvalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ImportReport says what an import changed.
type ImportReport struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Published int `json:"published"` // new revisions published
}

// Import stores articles in one transaction: all of them or, on any error,
// none. An article whose slug exists is updated; a published article gets a
// new revision (by ImportAuthor) only when its content differs from the
// published one, so importing the same folder twice changes nothing. The
// whole index is rebuilt at the end so the offline embedder learns from the
// new content. Errors name the file.
func Import(ctx context.Context, svc *Service, articles []ImportedArticle) (ImportReport, error) {
	var rep ImportReport
	seen := make(map[string]string, len(articles))
	var errs []error
	for _, ia := range articles {
		if _, err := ia.article(); err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := seen[ia.Slug]; ok {
			errs = append(errs, frontline.Errorf(frontline.EInvalid, "%s: slug %q is also used by %s", ia.File, ia.Slug, prev))
		}
		seen[ia.Slug] = ia.File
	}
	if err := joinImportErrors(errs); err != nil {
		return rep, err
	}
	err := svc.InTx(ctx, func(tx *Service) error {
		rep = ImportReport{}
		for _, ia := range articles {
			if err := importArticle(ctx, tx, ia, &rep); err != nil {
				return fileError(ia.File, 0, err)
			}
		}
		if rep.Created+rep.Updated == 0 {
			return nil
		}
		return tx.Reindex(ctx)
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("import: %w", err)
	}
	return rep, nil
}

func importArticle(ctx context.Context, tx *Service, ia ImportedArticle, rep *ImportReport) error {
	want, err := ia.article()
	if err != nil {
		return err
	}
	cur, err := tx.ArticleBySlug(ctx, want.Slug)
	switch {
	case frontline.ErrorCode(err) == frontline.ENotFound:
		draft := want
		if draft.State != StateReview {
			draft.State = StateDraft
		}
		created, err := tx.CreateArticle(ctx, draft)
		if err != nil {
			return err
		}
		rep.Created++
		return settleState(ctx, tx, created, want.State, rep)
	case err != nil:
		return err
	}
	if sameArticle(cur, &want) && cur.State == want.State {
		if want.State != StatePublished {
			rep.Unchanged++
			return nil
		}
		if same, err := publishedMatches(ctx, tx, cur); err != nil || same {
			if err == nil {
				rep.Unchanged++
			}
			return err
		}
	}
	upd := ArticleUpdate{Title: &want.Title, Body: &want.Body, Tags: &want.Tags, Locale: &want.Locale, Audience: &want.Audience}
	if want.State == StateDraft || want.State == StateReview {
		upd.State = &want.State
	}
	updated, err := tx.UpdateArticle(ctx, cur.ID, upd)
	if err != nil {
		return err
	}
	rep.Updated++
	return settleState(ctx, tx, updated, want.State, rep)
}

// settleState moves a stored article into the imported state.
func settleState(ctx context.Context, tx *Service, a *Article, want State, rep *ImportReport) error {
	switch want {
	case StatePublished:
		if a.State == StatePublished {
			if same, err := publishedMatches(ctx, tx, a); err != nil || same {
				return err
			}
		}
		if _, err := tx.Publish(ctx, a.ID, ImportAuthor); err != nil {
			return err
		}
		rep.Published++
	case StateArchived:
		if a.State != StateArchived {
			return tx.Archive(ctx, a.ID)
		}
	}
	return nil
}

func sameArticle(a, b *Article) bool {
	return a.Title == b.Title && a.Body == b.Body && slices.Equal(a.Tags, b.Tags) &&
		a.Locale == b.Locale && a.Audience == b.Audience
}

// publishedMatches reports whether a's published revision already holds its
// working copy's title, body and tags.
func publishedMatches(ctx context.Context, tx *Service, a *Article) (bool, error) {
	if a.PublishedRevisionID == "" {
		return false, nil
	}
	rev, err := tx.Revision(ctx, a.PublishedRevisionID)
	if err != nil {
		return false, err
	}
	return rev.Title == a.Title && rev.Body == a.Body && slices.Equal(rev.Tags, a.Tags), nil
}

// ImportedPhrasing is one row of a phrasings CSV.
type ImportedPhrasing struct {
	Text string
	Slug string
	// Line is the row's line in the file, for error messages.
	Line int
}

// ReadPhrasings reads a CSV of customer questions with a header row naming
// a "text" column and a "label" (or "category") column holding the article
// slug. name is used in error messages, which give the line. Every problem
// is reported; an error means nothing should be imported.
func ReadPhrasings(name string, r io.Reader) ([]ImportedPhrasing, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, frontline.Errorf(frontline.EInvalid, "%s: empty; expected a header row \"text,label\"", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	textCol, labelCol := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "text":
			textCol = i
		case "label", "category":
			labelCol = i
		}
	}
	if textCol < 0 || labelCol < 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "%s:1: header must name a text column and a label column, e.g. \"text,label\"; got %q", name, strings.Join(header, ","))
	}
	var (
		out  []ImportedPhrasing
		errs []error
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, csvError(name, err))
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= max(textCol, labelCol) {
			errs = append(errs, frontline.Errorf(frontline.EInvalid, "%s:%d: %d fields; expected %d", name, line, len(rec), len(header)))
			continue
		}
		p := ImportedPhrasing{Text: strings.TrimSpace(rec[textCol]), Slug: strings.TrimSpace(rec[labelCol]), Line: line}
		if _, err := validText("text", p.Text); err != nil {
			errs = append(errs, fileError(name, line, err))
			continue
		}
		if p.Slug == "" {
			errs = append(errs, frontline.Errorf(frontline.EInvalid, "%s:%d: label: required (an article slug)", name, line))
			continue
		}
		out = append(out, p)
	}
	if err := joinImportErrors(errs); err != nil {
		return nil, err
	}
	return out, nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return frontline.Errorf(frontline.EInvalid, "%s:%d: %v", name, pe.Line, pe.Err)
	}
	return frontline.Errorf(frontline.EInvalid, "%s: %v", name, err)
}

// PhrasingsReport says what ImportPhrasings changed.
type PhrasingsReport struct {
	Added int `json:"added"`
	// Skipped counts rows whose text the article already had.
	Skipped int `json:"skipped"`
}

// ImportPhrasings attaches each phrasing to the article named by its slug,
// in one transaction: all or, on any error, none. An unknown slug is an
// error naming the file and line. A phrasing the article already has (same
// text, ignoring case) is skipped, so importing a file twice adds nothing.
// The index is rebuilt at the end.
func ImportPhrasings(ctx context.Context, svc *Service, name string, phrasings []ImportedPhrasing) (PhrasingsReport, error) {
	var rep PhrasingsReport
	err := svc.InTx(ctx, func(tx *Service) error {
		rep = PhrasingsReport{}
		ids := make(map[string]string) // slug → article id
		var errs []error
		for _, p := range phrasings {
			if _, ok := ids[p.Slug]; ok {
				continue
			}
			a, err := tx.ArticleBySlug(ctx, p.Slug)
			if frontline.ErrorCode(err) == frontline.ENotFound {
				errs = append(errs, frontline.Errorf(frontline.EInvalid, "%s:%d: label: no article with slug %q", name, p.Line, p.Slug))
				ids[p.Slug] = ""
				continue
			}
			if err != nil {
				return err
			}
			ids[p.Slug] = a.ID
		}
		if err := joinImportErrors(errs); err != nil {
			return err
		}
		// Group by article, in file order, dropping texts it already has.
		var order []string
		texts := make(map[string][]string)
		known := make(map[string]map[string]bool)
		for _, p := range phrasings {
			id := ids[p.Slug]
			if known[id] == nil {
				existing, err := tx.Phrasings(ctx, id)
				if err != nil {
					return err
				}
				known[id] = make(map[string]bool, len(existing))
				for _, e := range existing {
					known[id][strings.ToLower(e.Text)] = true
				}
				order = append(order, id)
			}
			key := strings.ToLower(p.Text)
			if known[id][key] {
				rep.Skipped++
				continue
			}
			known[id][key] = true
			texts[id] = append(texts[id], p.Text)
		}
		for _, id := range order {
			if len(texts[id]) == 0 {
				continue
			}
			if _, err := tx.AddPhrasings(ctx, id, texts[id], SourceImport); err != nil {
				return err
			}
			rep.Added += len(texts[id])
		}
		if rep.Added == 0 {
			return nil
		}
		return tx.Reindex(ctx)
	})
	if err != nil {
		return PhrasingsReport{}, fmt.Errorf("import phrasings: %w", err)
	}
	return rep, nil
}
