package kb

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	frontline "github.com/frontlinehq/frontline"
)

// Article-only calibration. A KB with articles and no phrasings has no
// ranker, so its score comes from retrieval alone. Raw retrieval signals
// (cosine, margin) mean different things in different KBs: a short question
// against long articles has a small cosine even when it is right. So at
// Reindex the KB questions itself: it makes pseudo-questions from its own
// articles (titles, headings, first sentences of sections, sentences that
// ask something), blurs them (words dropped and neighbours swapped, so they
// do not trivially match their own text), runs them through
// the real retrieval path, and fits a logistic regression of "the top
// article is the one the question came from" on the retrieval signals. Some
// pseudo-questions are asked with their whole article hidden: questions the
// KB cannot answer, so the map learns what "nothing fits" looks like. The
// score is then an estimate of the probability that the top article is
// right, like the ranker's calibrated score.

// retrievalCalStateName is where Reindex keeps the fitted map; an empty
// value means too few pseudo-questions to fit one.
const retrievalCalStateName = "retrieval-calibration:v2"

// retFeatures are the signals of one ranked article; see retrievalFeatures.
const nRetFeatures = 6

type retFeatures [nRetFeatures]float64

// retrievalCal maps retFeatures to a probability: sigmoid(w0 + w·f).
type retrievalCal struct{ w [nRetFeatures + 1]float64 }

// defaultRetrievalCal is used before the first Reindex and when a KB is too
// small to fit a map: sigmoid(10·(cosine − 0.5) + 10·margin), the fixed map
// used before article-only calibration, cautious for short questions.
var defaultRetrievalCal = retrievalCal{w: [nRetFeatures + 1]float64{-5, 10, 10, 0, 0, 0, 0}}

func (c retrievalCal) score(f retFeatures) float64 {
	z := c.w[0]
	for i, v := range f {
		z += c.w[i+1] * v
	}
	return sigmoid(z)
}

// retrievalFeatures returns, for each article of ranked (fused order), its
// best cosine, its lead in cosine over the best other article (negative when
// behind), whether it is first in the full-text list, whether it is first in
// both lists, and the question's length (log of 1 + terms).
func retrievalFeatures(ranked []rankedArticle, text []PassageMatch, question string) []retFeatures {
	// Every article tied for the best full-text score is first: stores
	// order ties arbitrarily.
	textFirst := map[string]bool{}
	for _, m := range text {
		if m.Score < text[0].Score {
			break
		}
		textFirst[m.ArticleID] = true
	}
	vecFirst, best := "", math.Inf(-1)
	for _, r := range ranked {
		if r.cosine > best {
			vecFirst, best = r.articleID, r.cosine
		}
	}
	qlen := math.Log1p(float64(len(Terms(question))))
	// Best full-text score per article, as a share of the best overall:
	// the store's text scores have no fixed scale, but their ratios do
	// within one store, and the map is fitted on the same store.
	textBest := map[string]float64{}
	for _, m := range text {
		if _, ok := textBest[m.ArticleID]; !ok && text[0].Score > 0 {
			textBest[m.ArticleID] = m.Score / text[0].Score
		}
	}
	out := make([]retFeatures, len(ranked))
	for i, r := range ranked {
		other := 0.0
		for j, o := range ranked {
			if j != i && o.cosine > other {
				other = o.cosine
			}
		}
		var tf, both float64
		if textFirst[r.articleID] {
			tf = 1
			if r.articleID == vecFirst {
				both = 1
			}
		}
		otherText := 0.0
		for id, v := range textBest {
			if id != r.articleID && v > otherText {
				otherText = v
			}
		}
		out[i] = retFeatures{r.cosine, r.cosine - other, tf, both, qlen, textBest[r.articleID] - otherText}
	}
	return out
}

// retrievalScores scores ranked articles with c, made non-increasing down
// the fused order (a lower-ranked article never outscores a higher one).
func (c retrievalCal) retrievalScores(ranked []rankedArticle, text []PassageMatch, question string) []float64 {
	fs := retrievalFeatures(ranked, text, question)
	out := make([]float64, len(ranked))
	for i, f := range fs {
		out[i] = c.score(f)
		if i > 0 {
			out[i] = min(out[i], out[i-1])
		}
	}
	return out
}

// Pseudo-question generation parameters. They are general (not fitted to
// any KB or evaluation set).
const (
	pseudoMaxQuestions = 300 // bounds Reindex's cost on a large KB
	pseudoMaxWords     = 12  // customers' questions are short
	pseudoMinWords     = 2   // shorter pseudo-questions say too little
	pseudoDropRate     = 0.4 // share of words dropped from a pseudo-question
	pseudoSwapRate     = 0.3 // chance that a kept word swaps with the one before
	pseudoSynonymRate  = 0.5 // chance that a kept lexicon word becomes a group-mate
	pseudoUnanswerable = 5   // every 5th question is asked with its article hidden
	pseudoMinFit       = 30  // fewer questions than this: keep the default map
	pseudoCandidates   = 40  // passages per retriever: enough for the top articles
)

// pseudoQuestion is a question made from an article, and whether the
// article is hidden when it is asked (the question is then unanswerable).
type pseudoQuestion struct {
	text      string
	articleID string
	hideAll   bool
}

var questionWords = []string{"how", "what", "when", "where", "why", "which", "who", "can", "do", "does", "is", "will", "should"}

// pseudoQuestions makes the KB's pseudo-questions from its indexed chunks,
// deterministically (the same KB gives the same questions).
func pseudoQuestions(items []reindexItem, passages map[string][]Passage) []pseudoQuestion {
	var out []pseudoQuestion
	for _, it := range items {
		out = append(out, pseudoQuestion{text: it.rev.Title, articleID: it.a.ID})
		seenHeading := map[string]bool{}
		for _, p := range passages[it.a.ID] {
			if p.Kind != KindChunk {
				continue
			}
			if p.Heading != "" && !seenHeading[p.Heading] {
				seenHeading[p.Heading] = true
				out = append(out, pseudoQuestion{text: p.Heading, articleID: it.a.ID})
			}
			for i, s := range proseSentences(p.Text) {
				first := strings.ToLower(strings.Fields(s)[0])
				if i == 0 || strings.HasSuffix(s, "?") || slices.Contains(questionWords, first) {
					out = append(out, pseudoQuestion{text: s, articleID: it.a.ID})
				}
			}
		}
	}
	// Blur each question, drop those left empty, and sample evenly down to
	// the bound.
	kept := out[:0]
	for _, q := range out {
		if q.text = blur(q.text); len(strings.Fields(q.text)) >= pseudoMinWords {
			kept = append(kept, q)
		}
	}
	out = kept
	if len(out) > pseudoMaxQuestions {
		sampled := make([]pseudoQuestion, pseudoMaxQuestions)
		for i := range sampled {
			sampled[i] = out[i*len(out)/pseudoMaxQuestions]
		}
		out = sampled
	}
	for i := range out {
		out[i].hideAll = (i+1)%pseudoUnanswerable == 0
	}
	return out
}

// proseSentences returns the sentences of a chunk's prose: list markers
// are stripped and table rows, code and rules are skipped, since customers
// do not ask in those.
func proseSentences(md string) []string {
	var prose []string
	inFence := false
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence || strings.Contains(t, "|") || strings.HasPrefix(t, "---") {
			continue
		}
		t = strings.TrimLeft(t, "-*+> ")
		if i := strings.IndexAny(t, ".)"); i > 0 && i <= 3 && strings.Trim(t[:i], "0123456789") == "" {
			t = strings.TrimSpace(t[i+1:])
		}
		if t != "" {
			prose = append(prose, t)
		}
	}
	var out []string
	for _, s := range sentences(strings.Join(prose, " ")) {
		if len(strings.Fields(s)) >= 3 {
			out = append(out, s)
		}
	}
	return out
}

// blur strips Markdown punctuation, drops words and swaps neighbours at
// random (seeded by the text, so deterministic) and keeps at most
// pseudoMaxWords.
func blur(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune("*_`#>[]()|", r) {
			return ' '
		}
		return r
	}, s)
	words := strings.Fields(s)
	h := fnv.New64a()
	h.Write([]byte(s))
	rng := rand.New(rand.NewPCG(h.Sum64(), 7))
	var kept []string
	for _, w := range words {
		if len(words) <= 2 {
			kept = append(kept, w)
			continue
		}
		if rng.Float64() < pseudoDropRate {
			continue
		}
		kept = append(kept, synonym(w, rng))
		if n := len(kept); n > 1 && rng.Float64() < pseudoSwapRate {
			kept[n-1], kept[n-2] = kept[n-2], kept[n-1]
		}
		if len(kept) == pseudoMaxWords {
			break
		}
	}
	// A synonym may be several words: keep the bound in words.
	words = strings.Fields(strings.Join(kept, " "))
	return strings.Join(words[:min(len(words), pseudoMaxWords)], " ")
}

// synonym returns, at rate pseudoSynonymRate, another phrase of the support
// lexicon group of the one-word phrase w (customers say "parcel" where the
// article says "package"), else w.
func synonym(w string, rng *rand.Rand) string {
	terms := Terms(w)
	if len(terms) != 1 {
		return w
	}
	for _, e := range lexicon.byFirst[terms[0]] {
		if len(e.terms) != 1 {
			continue
		}
		if rng.Float64() >= pseudoSynonymRate {
			return w
		}
		var mates []string
		for _, p := range lexicon.groups[e.group] {
			if !slices.Equal(p, e.terms) {
				mates = append(mates, strings.Join(p, " "))
			}
		}
		if len(mates) == 0 {
			return w
		}
		return mates[rng.IntN(len(mates))]
	}
	return w
}

// fitRetrievalCal asks every pseudo-question through the retrieval path on
// st and fits the map. ok is false when there were too few questions (or no
// right or no wrong answers) to fit one.
func (s *Service) fitRetrievalCal(ctx context.Context, st Store, qs []pseudoQuestion) (retrievalCal, bool, error) {
	xs, ys, err := s.askPseudoQuestions(ctx, st, qs)
	if err != nil {
		return retrievalCal{}, false, err
	}
	var pos int
	for _, y := range ys {
		if y {
			pos++
		}
	}
	if len(xs) < pseudoMinFit || pos == 0 || pos == len(ys) {
		return retrievalCal{}, false, nil
	}
	return retrievalCal{w: fitLogistic(xs, ys)}, true, nil
}

// askPseudoQuestions runs qs through retrieval on st and returns the top
// article's signals for each and whether it is the right one.
func (s *Service) askPseudoQuestions(ctx context.Context, st Store, qs []pseudoQuestion) ([]retFeatures, []bool, error) {
	textQueries, vecQueries := make([]string, len(qs)), make([]string, len(qs))
	for i, q := range qs {
		textQueries[i], vecQueries[i] = s.queries(q.text)
	}
	vecs, err := s.emb.Embed(ctx, vecQueries)
	if err != nil {
		return nil, nil, err
	}
	if len(vecs) != len(qs) {
		return nil, nil, frontline.Errorf(frontline.EUnavailable, "embedder %s returned %d vectors for %d texts", s.emb.Name(), len(vecs), len(qs))
	}
	var xs []retFeatures
	var ys []bool
	for i, q := range qs {
		vm, tm, err := s.retrieveEmbedded(ctx, st, textQueries[i], vecs[i], []Audience{AudiencePublic, AudienceCustomers}, "", pseudoCandidates)
		if err != nil {
			return nil, nil, err
		}
		hidden := func(m PassageMatch) bool {
			return q.hideAll && m.ArticleID == q.articleID
		}
		vm, tm = slices.DeleteFunc(vm, hidden), slices.DeleteFunc(tm, hidden)
		ranked := fuse(vm, tm, s.opts.Votes)
		if len(ranked) == 0 {
			continue
		}
		xs = append(xs, retrievalFeatures(ranked, tm, q.text)[0])
		ys = append(ys, !q.hideAll && ranked[0].articleID == q.articleID)
	}
	return xs, ys, nil
}

// fitLogistic fits sigmoid(w0 + w·x) to the pseudo-questions (see
// fitLogisticN).
func fitLogistic(xs []retFeatures, ys []bool) [nRetFeatures + 1]float64 {
	rows := make([][]float64, len(xs))
	for i := range xs {
		rows[i] = xs[i][:]
	}
	var theta [nRetFeatures + 1]float64
	copy(theta[:], fitLogisticN(rows, ys, 1e-2))
	return theta
}

// solveLinear solves h·x = g by Gaussian elimination with partial pivoting;
// h and g are overwritten.
func solveLinear(h [][]float64, g []float64) ([]float64, bool) {
	n := len(g)
	for col := 0; col < n; col++ {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(h[r][col]) > math.Abs(h[piv][col]) {
				piv = r
			}
		}
		if math.Abs(h[piv][col]) < 1e-12 {
			return nil, false
		}
		h[col], h[piv] = h[piv], h[col]
		g[col], g[piv] = g[piv], g[col]
		for r := col + 1; r < n; r++ {
			f := h[r][col] / h[col][col]
			for c := col; c < n; c++ {
				h[r][c] -= f * h[col][c]
			}
			g[r] -= f * g[col]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := g[r]
		for c := r + 1; c < n; c++ {
			s -= h[r][c] * x[c]
		}
		x[r] = s / h[r][r]
	}
	return x, true
}

const retrievalCalMagic = "FLRC2"

func (c retrievalCal) marshal() []byte {
	var buf bytes.Buffer
	buf.WriteString(retrievalCalMagic)
	_ = binary.Write(&buf, binary.LittleEndian, c.w)
	return buf.Bytes()
}

func unmarshalRetrievalCal(data []byte) (retrievalCal, error) {
	var c retrievalCal
	if !bytes.HasPrefix(data, []byte(retrievalCalMagic)) || len(data) != len(retrievalCalMagic)+8*len(c.w) {
		return c, frontline.Errorf(frontline.EInvalid, "retrieval calibration state: corrupt")
	}
	if err := binary.Read(bytes.NewReader(data[len(retrievalCalMagic):]), binary.LittleEndian, &c.w); err != nil {
		return c, frontline.Errorf(frontline.EInvalid, "retrieval calibration state: corrupt")
	}
	return c, nil
}

// loadRetrievalCal reads the fitted map from the store; the default map if
// none was saved.
func loadRetrievalCal(ctx context.Context, st Store) (retrievalCal, error) {
	data, err := st.LoadIndexState(ctx, retrievalCalStateName)
	switch {
	case frontline.ErrorCode(err) == frontline.ENotFound || (err == nil && len(data) == 0):
		return defaultRetrievalCal, nil
	case err != nil:
		return retrievalCal{}, fmt.Errorf("load retrieval calibration: %w", err)
	}
	return unmarshalRetrievalCal(data)
}
