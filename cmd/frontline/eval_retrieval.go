package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
)

// suggestMin is the --suggest-min in use.
var suggestMin = kb.DefaultSuggestMin

// oosLabel marks a question no article answers.
const oosLabel = "oos"

// runEvalRetrieval implements `frontline eval retrieval`: it builds a fresh
// KB (one article per label of --phrasings, and/or the articles of --kb),
// runs every question of --questions through the real search path and
// prints the figures. See evalUsage.
func runEvalRetrieval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runEvalRetrievalWith(ctx, args, os.Getenv, stdout, stderr)
}

func runEvalRetrievalWith(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval retrieval", evalUsage)
	var (
		phrasingsPath = fs.String("phrasings", "", "CSV `file` text,label: one article per label, rows attached as its phrasings")
		kbDir         = fs.String("kb", "", "`folder` of Markdown articles in the import format (slugs are the labels)")
		questionsPath = fs.String("questions", "", "CSV `file` text,label of test questions (label oos: no article answers)")
		holdoutEvery  = fs.Int("holdout-every", 0, "hold out every `N`th phrasing per label as a test question instead of --questions")
		learnPath     = fs.String("learn", "", "CSV `file` text,label: after building, learn each row as a deployment does (proposed as picked from suggestions, accepted by an editor), then ask --questions")
		learnReindex  = fs.Bool("learn-reindex", false, "after --learn, retrain with a full reindex (a deployment's periodic retrain) before asking")
		storeName     = fs.String("store", "memory", "memory or postgres (DATABASE_URL; a scratch schema is created and dropped)")
		embedderName  = fs.String("embedder", firstNonEmpty(getenv("FRONTLINE_EMBEDDER"), "offline"), "offline or openai, as serve (env FRONTLINE_EMBEDDER; openai reads FRONTLINE_EMBEDDINGS_URL, _KEY, _MODEL and _DIMENSION)")
		dimension     = fs.Int("dimension", 0, "offline embedder dimension (default 512)")
		threshold     = fs.Float64("threshold", -1, "confidence below which the bot declines to answer (default: the product's, or FRONTLINE_SEARCH_THRESHOLD)")
		pickOn        = fs.String("pick-threshold-on", "", "CSV `file` text,label: pick the threshold on it (see --pick-min-oos-recall)")
		pickMinOOS    = fs.Float64("pick-min-oos-recall", 0.75, "picking: the lowest threshold with at least this oos recall and at most --pick-max-confident-wrong; 0 (or none qualifying): maximise in-scope accuracy + oos recall")
		pickMaxCW     = fs.Float64("pick-max-confident-wrong", 0.02, "picking: the most confident-wrong rate allowed (see --pick-min-oos-recall)")
		compare       = fs.Bool("compare", false, "also rank by full text only and by vector only (always on with --kb)")
		votes         = fs.Int("votes", 0, "how many passages of one article count towards its rank (default: the product's)")
		jsonOut       = fs.Bool("json", false, "print one JSON object instead of a table")
		expansion     = fs.String("expansion", "", "query expansion with related words: text (the product's default), both or off")
		ranking       = fs.String("ranking", "", "how articles are ranked: model (the product's default), fused or retrieval")
		pickRows      = fs.String("pick-rows", "all", "rows of --pick-threshold-on to use: all, even or odd (counting data rows from 0)")
		questionRows  = fs.String("question-rows", "all", "rows of --questions to use: all, even or odd (counting data rows from 0)")
		suggestMinF   = fs.Float64("suggest-min", kb.DefaultSuggestMin, "the least top score at which the bot offers articles as suggestions")
		dumpPath      = fs.String("dump", "", "write one CSV row per question (label, top slug, top score, answered) to this file")
		wordW         = fs.Float64("word-weight", 0, "offline embedder: weight of words (experiments)")
		bigramW       = fs.Float64("bigram-weight", 0, "offline embedder: weight of word pairs (experiments)")
		charW         = fs.Float64("char-weight", 0, "offline embedder: weight of character n-grams (experiments)")
	)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *threshold < 0 {
		t, ok, err := parseThreshold(getenv("FRONTLINE_SEARCH_THRESHOLD"))
		if err != nil {
			return err
		}
		if ok {
			*threshold = t
		}
	}
	if *phrasingsPath == "" && *kbDir == "" {
		fs.SetOutput(stderr)
		fs.Usage()
		return fmt.Errorf("%w: eval retrieval: give --phrasings FILE.csv and/or --kb DIR", errUsage)
	}
	if (*questionsPath == "") == (*holdoutEvery <= 0) {
		return fmt.Errorf("%w: eval retrieval: give either --questions FILE.csv or --holdout-every N", errUsage)
	}
	if *holdoutEvery > 0 && *phrasingsPath == "" {
		return fmt.Errorf("%w: eval retrieval: --holdout-every needs --phrasings", errUsage)
	}

	// Read everything before building anything, so bad input fails fast.
	var phrasings, questions, val, learn []labelled
	var articles []evalArticle
	var err error
	if *phrasingsPath != "" {
		if phrasings, err = readLabelled(*phrasingsPath); err != nil {
			return err
		}
	}
	if *holdoutEvery > 0 {
		phrasings, questions = holdOut(phrasings, *holdoutEvery)
	} else if questions, err = readLabelled(*questionsPath); err != nil {
		return err
	}
	if *learnPath != "" {
		if learn, err = readLabelled(*learnPath); err != nil {
			return err
		}
	}
	if *pickOn != "" {
		if val, err = readLabelled(*pickOn); err != nil {
			return err
		}
		if val, err = rowsOf(val, *pickRows, "--pick-rows"); err != nil {
			return err
		}
	}
	if *questionsPath != "" {
		if questions, err = rowsOf(questions, *questionRows, "--question-rows"); err != nil {
			return err
		}
	}
	if *kbDir != "" {
		if articles, err = readArticleDir(*kbDir); err != nil {
			return err
		}
		*compare = true
	}

	emb, err := newEvalEmbedder(*embedderName, getenv, kb.OfflineOptions{Dimension: *dimension, WordWeight: *wordW, BigramWeight: *bigramW, CharWeight: *charW})
	if err != nil {
		return err
	}
	store, closeStore, err := openEvalStore(ctx, *storeName, getenv("DATABASE_URL"), stderr)
	if err != nil {
		return err
	}
	defer closeStore()

	// No background retrain: --learn-reindex says when, so that a run
	// always measures the same state.
	opts := kb.Options{Votes: *votes, Ranking: *ranking, Expansion: *expansion, RetrainEvery: -1}
	if *threshold >= 0 {
		opts.Threshold = *threshold
		if opts.Threshold == 0 {
			opts.Threshold = math.SmallestNonzeroFloat64 // answer everything
		}
	}
	svc := kb.NewService(store, emb, opts)
	buildStart := time.Now()
	nArticles, reindex, err := buildEvalKB(ctx, svc, phrasings, articles)
	if err != nil {
		return err
	}
	build := time.Since(buildStart)
	var learnTime time.Duration
	if len(learn) > 0 {
		start := time.Now()
		if err := learnRows(ctx, svc, learn); err != nil {
			return err
		}
		learnTime = time.Since(start)
		if *learnReindex {
			if err := svc.BulkReindex(ctx); err != nil {
				return err
			}
		}
	}
	passages, err := store.CountPassages(ctx)
	if err != nil {
		return err
	}

	if len(val) > 0 {
		valRuns, err := runQuestions(ctx, svc, val, "threshold", stderr)
		if err != nil {
			return err
		}
		picked := pickThreshold(valRuns, *pickMinOOS, *pickMaxCW)
		opts.Threshold = max(picked, math.SmallestNonzeroFloat64)
		svc = kb.NewService(store, emb, opts)
	}
	runs, err := runQuestions(ctx, svc, questions, "questions", stderr)
	if err != nil {
		return err
	}
	suggestMin = *suggestMinF
	if *dumpPath != "" {
		if err := dumpRuns(*dumpPath, runs); err != nil {
			return err
		}
	}
	rep := summarise(runs, svc.Threshold())
	rep.Reliability, rep.ECE = reliability(runs)
	rep.Articles, rep.Passages, rep.BuildSeconds = nArticles, passages, round(build.Seconds(), 2)
	rep.ReindexSeconds = round(reindex.Seconds(), 2)
	rep.Learned, rep.LearnMsPerRow = len(learn), round(ms(learnTime)/float64(max(1, len(learn))), 2)
	rep.Curve = curve(runs)
	rep.Embedder, rep.Store = emb.Name(), *storeName
	if *compare {
		if rep.FullText, err = rankOnly(ctx, store, emb, questions, false); err != nil {
			return err
		}
		if rep.VectorOnly, err = rankOnly(ctx, store, emb, questions, true); err != nil {
			return err
		}
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

const evalUsage = `Usage: frontline eval retrieval (--phrasings TRAIN.csv | --kb DIR) (--questions TEST.csv | --holdout-every N) [flags]

Builds a fresh knowledge base, asks every question the way the bot does
and reports top-1/top-3 accuracy (a declined question counts as wrong),
answer rate, out-of-scope recall (questions labelled oos that were
declined), the confident-wrong rate (answered with the wrong article, oos
included, over all answered) and latency. CSV files have a header row
text,label or text,category. It reads the same FRONTLINE_EMBEDDER,
FRONTLINE_EMBEDDINGS_* and FRONTLINE_SEARCH_THRESHOLD settings as serve.

Example, on the demo knowledge base:
  frontline eval retrieval --kb kb/demo/articles --questions testdata/kbquestions/questions.csv
`

type labelled struct {
	text, label string
	line        int
}

// readLabelled reads a text,label CSV, naming the file and line of any error.
func readLabelled(path string) ([]labelled, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 2
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	if strings.TrimSpace(strings.TrimPrefix(header[0], "\ufeff")) != "text" || (header[1] != "label" && header[1] != "category") {
		return nil, fmt.Errorf("%s:1: header must be text,label or text,category, got %q", path, strings.Join(header, ","))
	}
	var out []labelled
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		text, label := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if text == "" || label == "" {
			return nil, fmt.Errorf("%s:%d: empty text or label", path, line)
		}
		out = append(out, labelled{text: text, label: label, line: line})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return out, nil
}

// rowsOf keeps all, the even or the odd data rows (counting from 0), so one
// labelled file can give both the threshold-picking and the test questions.
func rowsOf(rows []labelled, which, flagName string) ([]labelled, error) {
	if which == "all" {
		return rows, nil
	}
	if which != "even" && which != "odd" {
		return nil, fmt.Errorf("eval retrieval: %s %q: want all, even or odd", flagName, which)
	}
	var out []labelled
	for i, r := range rows {
		if (i%2 == 0) == (which == "even") {
			out = append(out, r)
		}
	}
	return out, nil
}

// holdOut moves every nth row of each label (the nth, 2nth, …) to the test
// questions, keeping the rest as phrasings.
func holdOut(rows []labelled, n int) (train, test []labelled) {
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.label]++
		if seen[r.label]%n == 0 {
			test = append(test, r)
		} else {
			train = append(train, r)
		}
	}
	return train, test
}

// evalArticle is one Markdown file of a --kb folder.
type evalArticle struct {
	slug, title, body, locale, audience string
	tags                                []string
}

// readArticleDir reads the import format (slug = file name, YAML front
// matter with title, tags, locale, audience). It is the minimal reader the
// eval needs; `frontline kb import` owns the full format.
func readArticleDir(dir string) ([]evalArticle, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s: no .md files", dir)
	}
	var out []evalArticle
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		text := strings.ReplaceAll(string(b), "\r\n", "\n")
		if !strings.HasPrefix(text, "---\n") {
			return nil, fmt.Errorf("%s:1: missing front matter (--- … ---)", p)
		}
		fm, body, ok := strings.Cut(text[4:], "\n---\n")
		if !ok {
			return nil, fmt.Errorf("%s: front matter is not closed by a --- line", p)
		}
		var meta struct {
			Title    string   `yaml:"title"`
			Tags     []string `yaml:"tags"`
			Locale   string   `yaml:"locale"`
			Audience string   `yaml:"audience"`
		}
		if err := yaml.Unmarshal([]byte(fm), &meta); err != nil {
			return nil, fmt.Errorf("%s: front matter: %w", p, err)
		}
		out = append(out, evalArticle{
			slug: strings.TrimSuffix(filepath.Base(p), ".md"), title: meta.Title, body: body,
			locale: meta.Locale, audience: meta.Audience, tags: meta.Tags,
		})
	}
	return out, nil
}

// slugFor turns a data set label into a slug.
func slugFor(label string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, label)
	return strings.Trim(s, "-_")
}

// buildEvalKB creates and publishes the articles, attaches the phrasings,
// and runs a full Reindex so the offline embedder learns from the corpus,
// as `frontline kb import` does. It returns the number of articles and how
// long the Reindex took.
func buildEvalKB(ctx context.Context, svc *kb.Service, phrasings []labelled, articles []evalArticle) (int, time.Duration, error) {
	bySlug := map[string]string{} // slug → article id
	for _, a := range articles {
		art, err := svc.CreateArticle(ctx, kb.Article{Slug: a.slug, Title: a.title, Body: a.body, Tags: a.tags, Locale: a.locale, Audience: kb.Audience(a.audience)})
		if err != nil {
			return 0, 0, fmt.Errorf("article %s: %w", a.slug, err)
		}
		bySlug[a.slug] = art.ID
	}
	texts := map[string][]string{}
	var order []string
	for _, p := range phrasings {
		slug := slugFor(p.label)
		if _, ok := texts[slug]; !ok {
			order = append(order, slug)
		}
		texts[slug] = append(texts[slug], p.text)
	}
	for _, slug := range order {
		id, ok := bySlug[slug]
		if !ok {
			// One article per label, titled by the label.
			art, err := svc.CreateArticle(ctx, kb.Article{Slug: slug, Title: strings.ReplaceAll(slug, "_", " ")})
			if err != nil {
				return 0, 0, fmt.Errorf("article %s: %w", slug, err)
			}
			id = art.ID
			bySlug[slug] = id
		}
		if _, err := svc.AddPhrasings(ctx, id, texts[slug], kb.SourceImport); err != nil {
			return 0, 0, fmt.Errorf("phrasings of %s: %w", slug, err)
		}
	}
	for slug, id := range bySlug {
		if _, err := svc.Publish(ctx, id, "eval"); err != nil {
			return 0, 0, fmt.Errorf("publish %s: %w", slug, err)
		}
	}
	start := time.Now()
	err := svc.BulkReindex(ctx)
	return len(bySlug), time.Since(start), err
}

// learnRows replays resolved questions through the product's learning
// path: each is proposed as a customer's pick among the suggestions and
// accepted by an editor, one after another as they would arrive (no
// Reindex).
func learnRows(ctx context.Context, svc *kb.Service, rows []labelled) error {
	for _, r := range rows {
		a, err := svc.ArticleBySlug(ctx, slugFor(r.label))
		if err != nil {
			return fmt.Errorf("--learn line %d: %w", r.line, err)
		}
		c, err := svc.Propose(ctx, kb.Proposal{ArticleID: a.ID, Text: r.text, Source: kb.CandidatePicked})
		if err != nil {
			return fmt.Errorf("--learn line %d: %w", r.line, err)
		}
		if c.State == kb.CandidateRejected {
			continue
		}
		if _, err := svc.AcceptCandidate(ctx, c.ID); err != nil {
			return fmt.Errorf("--learn line %d: %w", r.line, err)
		}
	}
	return nil
}

// run is one question's outcome under the service's threshold.
type run struct {
	text     string
	label    string
	slugs    []string // hits, best first
	scores   []float64
	top      float64
	answered bool
	latency  time.Duration
}

// offered returns the slugs the bot would offer as buttons when it does
// not answer (see kb.Suggestions): up to three hits scoring at least min.
func (r run) offered(least float64) []string {
	if len(r.slugs) == 0 || r.top < least {
		return nil
	}
	return r.slugs[:min(len(r.slugs), kb.MaxSuggestions)]
}

func runQuestions(ctx context.Context, svc *kb.Service, qs []labelled, what string, stderr io.Writer) ([]run, error) {
	bar := newProgress(stderr, what, len(qs))
	out := make([]run, len(qs))
	for i, q := range qs {
		start := time.Now()
		res, err := svc.Search(ctx, kb.SearchQuery{Text: q.text, Audience: string(kb.AudienceCustomers), Limit: 3})
		if err != nil {
			return nil, fmt.Errorf("question on line %d: %w", q.line, err)
		}
		r := run{text: q.text, label: slugFor(q.label), top: res.TopScore, answered: !res.Abstained, latency: time.Since(start)}
		if q.label == oosLabel {
			r.label = oosLabel
		}
		for _, h := range res.Hits {
			r.slugs = append(r.slugs, h.Slug)
			r.scores = append(r.scores, h.Score)
		}
		out[i] = r
		bar.step()
	}
	bar.done()
	return out, nil
}

// pickThreshold returns the threshold for the runs' questions (made with any
// threshold: only top scores and hits are used). With oos questions and
// minOOS > 0 it is the lowest threshold (the most in-scope questions
// answered) whose oos recall is at least minOOS and confident-wrong rate at
// most maxCW: the operating point a deployment asks for. Otherwise, or when
// no threshold qualifies, it maximises in-scope accuracy plus oos recall;
// without oos questions, in-scope accuracy minus the confident-wrong rate.
// Ties go to the lower threshold.
func pickThreshold(runs []run, minOOS, maxCW float64) float64 {
	cands := []float64{0}
	for _, r := range runs {
		cands = append(cands, r.top, math.Nextafter(r.top, 2))
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	best, bestVal := 0.0, math.Inf(-1)
	for _, t := range cands {
		var in, inRight, oos, oosDeclined, answered, wrong int
		for _, r := range runs {
			ans := r.top >= t
			right := ans && len(r.slugs) > 0 && r.slugs[0] == r.label
			if ans {
				answered++
				if !right {
					wrong++
				}
			}
			if r.label == oosLabel {
				oos++
				if !ans {
					oosDeclined++
				}
				continue
			}
			in++
			if right {
				inRight++
			}
		}
		if oos > 0 && minOOS > 0 && frac(oosDeclined, oos) >= minOOS && frac(wrong, answered) <= maxCW {
			return t
		}
		val := frac(inRight, in)
		if oos > 0 {
			val += frac(oosDeclined, oos)
		} else {
			val -= frac(wrong, answered)
		}
		if val > bestVal {
			best, bestVal = t, val
		}
	}
	return best
}

// report is the eval's output; the JSON keys are part of the command's
// interface.
type report struct {
	Top1           float64 `json:"top1"`
	Top3           float64 `json:"top3"`
	AnswerRate     float64 `json:"answer_rate"`
	OOSRecall      float64 `json:"oos_recall"`
	ConfidentWrong float64 `json:"confident_wrong"`
	Threshold      float64 `json:"threshold"`
	QueriesPerS    float64 `json:"queries_per_s"`
	P50ms          float64 `json:"p50_ms"`
	P99ms          float64 `json:"p99_ms"`
	// Ranking quality regardless of the threshold.
	RankTop1     float64 `json:"rank_top1"`
	RankTop3     float64 `json:"rank_top3"`
	InScope      int     `json:"in_scope"`
	OOS          int     `json:"oos"`
	Articles     int     `json:"articles"`
	Passages     int     `json:"passages"`
	BuildSeconds float64 `json:"build_s"`
	// ReindexSeconds is the final Reindex alone (the ranker's training
	// and re-embedding every passage), part of BuildSeconds.
	ReindexSeconds float64 `json:"reindex_s"`
	// Learned counts the --learn rows learned, LearnMsPerRow the time each
	// took (propose, accept: re-index the article, join the vote).
	Learned       int     `json:"learned,omitempty"`
	LearnMsPerRow float64 `json:"learn_ms_per_row,omitempty"`
	Embedder      string  `json:"embedder"`
	Store         string  `json:"store"`
	// HelpfulRate is the share of in-scope questions answered right or
	// declined with the right article among those offered as buttons;
	// OOSOffered the share of oos questions declined but offered articles
	// anyway (answered ones count in ConfidentWrong).
	HelpfulRate float64 `json:"helpful_rate"`
	OOSOffered  float64 `json:"oos_offered"`
	SuggestMin  float64 `json:"suggest_min"`
	// Reliability bins the questions by the top hit's score: a calibrated
	// score's bins are right about as often as their mean score says. ECE
	// is the expected calibration error (the count-weighted mean gap).
	Reliability []reliabilityBin `json:"reliability"`
	ECE         float64          `json:"ece"`
	// Curve is the operating points at a few thresholds, to choose one.
	Curve      []curvePoint `json:"curve"`
	FullText   *rankReport  `json:"fulltext_only,omitempty"`
	VectorOnly *rankReport  `json:"vector_only,omitempty"`
}

// curvePoint is what the figures would be at one threshold.
type curvePoint struct {
	Threshold      float64 `json:"threshold"`
	Top1           float64 `json:"top1"`
	AnswerRate     float64 `json:"answer_rate"`
	OOSRecall      float64 `json:"oos_recall"`
	ConfidentWrong float64 `json:"confident_wrong"`
}

// curve re-scores runs at each threshold of a fixed grid.
func curve(runs []run) []curvePoint {
	var out []curvePoint
	for _, t := range []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9} {
		rs := slices.Clone(runs)
		for i := range rs {
			rs[i].answered = rs[i].top >= t
		}
		r := summarise(rs, t)
		out = append(out, curvePoint{Threshold: t, Top1: r.Top1, AnswerRate: r.AnswerRate, OOSRecall: r.OOSRecall, ConfidentWrong: r.ConfidentWrong})
	}
	return out
}

// dumpRuns writes each question's outcome, for analysis outside the eval.
func dumpRuns(path string, runs []run) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"label", "top_slug", "top_score", "answered", "right", "text"})
	for _, r := range runs {
		top := ""
		if len(r.slugs) > 0 {
			top = r.slugs[0]
		}
		_ = w.Write([]string{r.label, top, fmt.Sprintf("%.6f", r.top), fmt.Sprint(r.answered), fmt.Sprint(top == r.label), r.text})
	}
	w.Flush()
	return errors.Join(w.Error(), f.Close())
}

// reliabilityBin is the questions whose top score fell in [Lo, Hi).
type reliabilityBin struct {
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	N         int     `json:"n"`
	MeanScore float64 `json:"mean_score"`
	Accuracy  float64 `json:"accuracy"` // top hit right (oos: never)
}

// reliability bins runs by top score in tenths and returns the bins and
// the expected calibration error.
func reliability(runs []run) ([]reliabilityBin, float64) {
	const nbins = 10
	var n [nbins]int
	var sum [nbins]float64
	var right [nbins]int
	for _, r := range runs {
		b := min(int(r.top*nbins), nbins-1)
		n[b]++
		sum[b] += r.top
		if len(r.slugs) > 0 && r.slugs[0] == r.label {
			right[b]++
		}
	}
	var out []reliabilityBin
	var ece float64
	for b := range nbins {
		bin := reliabilityBin{Lo: float64(b) / nbins, Hi: float64(b+1) / nbins, N: n[b]}
		if n[b] > 0 {
			bin.MeanScore = round(sum[b]/float64(n[b]), 4)
			bin.Accuracy = round(frac(right[b], n[b]), 4)
			ece += float64(n[b]) / float64(len(runs)) * math.Abs(sum[b]/float64(n[b])-frac(right[b], n[b]))
		}
		out = append(out, bin)
	}
	return out, round(ece, 4)
}

type rankReport struct {
	Top1 float64 `json:"top1"`
	Top3 float64 `json:"top3"`
}

func summarise(runs []run, threshold float64) report {
	var in, top1, top3, rank1, rank3, oos, oosDeclined, oosOffered, answered, wrong, helpful int
	lat := make([]time.Duration, len(runs))
	var total time.Duration
	for i, r := range runs {
		lat[i] = r.latency
		total += r.latency
		right := len(r.slugs) > 0 && r.slugs[0] == r.label
		if r.answered {
			answered++
			if !right {
				wrong++
			}
		}
		if r.label == oosLabel {
			oos++
			if !r.answered {
				oosDeclined++
				if len(r.offered(suggestMin)) > 0 {
					oosOffered++
				}
			}
			continue
		}
		in++
		if (r.answered && right) || (!r.answered && slices.Contains(r.offered(suggestMin), r.label)) {
			helpful++
		}
		in3 := slices.Contains(r.slugs, r.label)
		if right {
			rank1++
		}
		if in3 {
			rank3++
		}
		if r.answered && right {
			top1++
		}
		if r.answered && in3 {
			top3++
		}
	}
	slices.Sort(lat)
	return report{
		Top1: round(frac(top1, in), 4), Top3: round(frac(top3, in), 4),
		AnswerRate: round(frac(answered, len(runs)), 4), OOSRecall: round(frac(oosDeclined, oos), 4),
		ConfidentWrong: round(frac(wrong, answered), 4), Threshold: round(threshold, 4),
		QueriesPerS: round(float64(len(runs))/total.Seconds(), 1),
		P50ms:       round(ms(percentile(lat, 0.50)), 3), P99ms: round(ms(percentile(lat, 0.99)), 3),
		RankTop1: round(frac(rank1, in), 4), RankTop3: round(frac(rank3, in), 4),
		InScope: in, OOS: oos,
		HelpfulRate: round(frac(helpful, in), 4), OOSOffered: round(frac(oosOffered, oos), 4), SuggestMin: suggestMin,
	}
}

// rankOnly ranks articles by one retriever alone (best passage per article)
// to compare with the fused search.
func rankOnly(ctx context.Context, store kb.Store, emb kb.Embedder, qs []labelled, vector bool) (*rankReport, error) {
	var in, r1, r3 int
	aud := []kb.Audience{kb.AudiencePublic, kb.AudienceCustomers}
	for _, q := range qs {
		if q.label == oosLabel {
			continue
		}
		in++
		var ms []kb.PassageMatch
		var err error
		if vector {
			var v [][]float32
			if v, err = emb.Embed(ctx, []string{q.text}); err == nil {
				ms, err = store.SearchVector(ctx, kb.VectorQuery{Vector: v[0], Audiences: aud, Limit: 60})
			}
		} else {
			ms, err = store.SearchText(ctx, kb.TextQuery{Text: q.text, Audiences: aud, Limit: 60})
		}
		if err != nil {
			return nil, err
		}
		var slugs []string
		for _, m := range ms {
			if !slices.Contains(slugs, m.Slug) {
				slugs = append(slugs, m.Slug)
			}
		}
		want := slugFor(q.label)
		if len(slugs) > 0 && slugs[0] == want {
			r1++
		}
		if slices.Contains(slugs[:min(3, len(slugs))], want) {
			r3++
		}
	}
	return &rankReport{Top1: round(frac(r1, in), 4), Top3: round(frac(r3, in), 4)}, nil
}

func printReport(w io.Writer, r report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "store\t%s\nembedder\t%s\narticles\t%d\npassages\t%d\nbuild\t%.2fs (reindex %.2fs)\n", r.Store, r.Embedder, r.Articles, r.Passages, r.BuildSeconds, r.ReindexSeconds)
	if r.Learned > 0 {
		fmt.Fprintf(tw, "learned\t%d questions, %.1f ms each\n", r.Learned, r.LearnMsPerRow)
	}
	fmt.Fprintf(tw, "questions\t%d in scope, %d oos\nthreshold\t%.4f\n", r.InScope, r.OOS, r.Threshold)
	fmt.Fprintf(tw, "top-1\t%.4f\t(ranking alone: %.4f)\ntop-3\t%.4f\t(ranking alone: %.4f)\n", r.Top1, r.RankTop1, r.Top3, r.RankTop3)
	fmt.Fprintf(tw, "answer rate\t%.4f\noos recall\t%.4f\nconfident wrong\t%.4f\n", r.AnswerRate, r.OOSRecall, r.ConfidentWrong)
	fmt.Fprintf(tw, "helpful rate\t%.4f\t(answered right, or the right article offered; suggestions from %.2f)\noos offered\t%.4f\n", r.HelpfulRate, r.SuggestMin, r.OOSOffered)
	fmt.Fprintf(tw, "latency\tp50 %.2f ms, p99 %.2f ms, %.0f queries/s\n", r.P50ms, r.P99ms, r.QueriesPerS)
	if r.FullText != nil {
		fmt.Fprintf(tw, "full text only\ttop-1 %.4f, top-3 %.4f\n", r.FullText.Top1, r.FullText.Top3)
	}
	if r.VectorOnly != nil {
		fmt.Fprintf(tw, "vector only\ttop-1 %.4f, top-3 %.4f\n", r.VectorOnly.Top1, r.VectorOnly.Top3)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nreliability (top score bins; ECE %.4f)\n", r.ECE)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "score\tquestions\tmean score\taccuracy\t")
	for _, b := range r.Reliability {
		fmt.Fprintf(tw, "%.1f-%.1f\t%d\t%.3f\t%.3f\t\n", b.Lo, b.Hi, b.N, b.MeanScore, b.Accuracy)
	}
	tw.Flush()
}

// newEvalEmbedder builds the embedder serve would (embedderFromEnv), with
// the offline embedder's experimental weights from flags.
func newEvalEmbedder(name string, getenv func(string) string, offline kb.OfflineOptions) (kb.Embedder, error) {
	switch name {
	case "offline":
		return kb.NewOfflineEmbedder(offline), nil
	case "openai":
		return embedderFromEnv(func(k string) string {
			if k == "FRONTLINE_EMBEDDER" {
				return name
			}
			return getenv(k)
		})
	}
	return nil, fmt.Errorf("eval retrieval: --embedder %q: want offline or openai", name)
}

// openEvalStore returns an empty store. For postgres it creates a scratch
// schema in DATABASE_URL's database, migrates it and drops it on close.
func openEvalStore(ctx context.Context, name, url string, stderr io.Writer) (kb.Store, func(), error) {
	switch name {
	case "memory":
		return memory.NewKBStore(), func() {}, nil
	case "postgres":
		if url == "" {
			return nil, nil, errors.New("eval retrieval: --store postgres needs DATABASE_URL")
		}
		schema := "eval_" + strings.TrimPrefix(frontline.NewID("x"), "x")
		db, err := postgres.Open(ctx, postgres.Options{URL: url, Schema: schema})
		if err != nil {
			return nil, nil, err
		}
		drop := func() {
			if _, err := db.Pool().Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				fmt.Fprintf(stderr, "eval retrieval: drop scratch schema %s: %v\n", schema, err)
			}
			db.Close()
		}
		if _, err := db.Migrate(ctx); err != nil {
			drop()
			return nil, nil, err
		}
		return postgres.NewKBStore(db), drop, nil
	}
	return nil, nil, fmt.Errorf("eval retrieval: --store %q: want memory or postgres", name)
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// progress draws a bar on stderr when it is a terminal, and nothing
// otherwise (logs and pipes stay clean).
type progress struct {
	w          io.Writer
	what       string
	n, i, last int
}

func newProgress(w io.Writer, what string, n int) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return &progress{}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return &progress{}
	}
	return &progress{w: w, what: what, n: n, last: -1}
}

func (p *progress) step() {
	if p.w == nil {
		return
	}
	p.i++
	pct := p.i * 100 / max(p.n, 1)
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 30
	filled := pct * width / 100
	fmt.Fprintf(p.w, "\r%-10s [%s%s] %3d%% %d/%d", p.what, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), pct, p.i, p.n)
}

func (p *progress) done() {
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}

var _ = sort.Strings

// parseThreshold reads FRONTLINE_SEARCH_THRESHOLD as serve does; ok is
// false when it is empty.
func parseThreshold(v string) (t float64, ok bool, err error) {
	s := settings{"search-threshold": v}
	t, ok, err = s.float("search-threshold")
	if err != nil {
		return 0, false, fmt.Errorf("FRONTLINE_SEARCH_THRESHOLD: %q is not a number", v)
	}
	return t, ok, nil
}
