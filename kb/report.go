package kb

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// UnansweredOptions select and group the unanswered-questions report.
type UnansweredOptions struct {
	Since time.Time
	// Limit bounds how many recent questions are read. Default 1000.
	Limit int
	// Similarity is the cosine above which two questions join one group.
	// Default 0.6.
	Similarity float64
}

// QuestionGroup is a set of similar unanswered questions, most recent first,
// with the articles search would suggest for them.
type QuestionGroup struct {
	Questions []*QuestionRecord `json:"questions"`
	// Suggested are the best search hits for the group's first question,
	// for the editor's "attach to article" choice.
	Suggested []Hit `json:"suggested,omitempty"`
}

// UnansweredQuestions returns the questions the KB failed on: search
// abstained or the conversation was later handed off, and the bot did not
// hand the question itself to a person for a signal (those are triggers,
// not gaps: see HandedOffQuestions); not yet attached to an article, grouped
// by meaning: each question joins the first group whose first question it
// resembles (cosine ≥ Similarity with the Service's embedder), else starts
// a new one. Larger groups come first. EUnavailable if the embedder fails.
func (s *Service) UnansweredQuestions(ctx context.Context, opts UnansweredOptions) ([]QuestionGroup, error) {
	if opts.Limit <= 0 {
		opts.Limit = 1000
	}
	if opts.Similarity == 0 {
		opts.Similarity = 0.6
	}
	qs, err := s.store.FindQuestions(ctx, QuestionFilter{Unanswered: true, Since: opts.Since, Limit: opts.Limit})
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, nil
	}
	if err := s.ensureReady(ctx); err != nil {
		return nil, err
	}
	texts := make([]string, len(qs))
	for i, q := range qs {
		texts[i] = q.Text
	}
	vecs, err := s.emb.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("unanswered questions: %w", err)
	}
	type group struct {
		lead []float32
		qs   []*QuestionRecord
	}
	var groups []*group
	for i, q := range qs {
		var into *group
		for _, g := range groups {
			if Cosine(g.lead, vecs[i]) >= opts.Similarity {
				into = g
				break
			}
		}
		if into == nil {
			into = &group{lead: vecs[i]}
			groups = append(groups, into)
		}
		into.qs = append(into.qs, q)
	}
	sort.SliceStable(groups, func(i, j int) bool { return len(groups[i].qs) > len(groups[j].qs) })
	out := make([]QuestionGroup, len(groups))
	for i, g := range groups {
		out[i].Questions = g.qs
		if i < 20 { // suggestions for the groups an editor will look at first
			res, err := s.Search(ctx, SearchQuery{Text: g.qs[0].Text, Audience: string(AudienceCustomers), Limit: 3})
			if err != nil {
				return nil, err
			}
			out[i].Suggested = res.Hits
		}
	}
	return out, nil
}
