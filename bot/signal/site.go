package signal

import (
	"reflect"
	"slices"
)

// siteOnly returns the part of cfg that is the site's own: the frustration,
// human-request and severity cues that DefaultConfig does not have (a cue
// the site edited counts as its own). Those fire on their own, on top of the
// learned models, with cfg's thresholds; the default cues are the models'
// features and do not. Vetoes, withdrawals and the other markers stay as
// configured, since they only hold cues back. ok is false when the site
// adds no cue.
func siteOnly(cfg Config) (site Config, ok bool) {
	def := DefaultConfig()
	own := func(cues, defaults []Cue) []Cue {
		var out []Cue
		for _, c := range cues {
			if !slices.ContainsFunc(defaults, func(d Cue) bool { return reflect.DeepEqual(c, d) }) {
				out = append(out, c)
			}
		}
		return out
	}
	site = cfg
	site.Learned.Off = true
	site.Frustration.Cues = own(cfg.Frustration.Cues, def.Frustration.Cues)
	site.HumanRequest.Cues = own(cfg.HumanRequest.Cues, def.HumanRequest.Cues)
	n := len(site.Frustration.Cues) + len(site.HumanRequest.Cues)
	// Capitals, "!!!", repeated questions and the frustration model are
	// the learned models' business, not a site cue's.
	site.Frustration.Shouting.WordWeight, site.Frustration.Shouting.MaxWeight, site.Frustration.Shouting.EmphaticWeight = 0, 0, 0
	site.Frustration.Punctuation.Weight = 0
	site.Frustration.RepetitionWeight = 0
	site.Frustration.Model.Off = true
	site.Severity.Topics = nil
	for _, t := range cfg.Severity.Topics {
		var defCues []Cue
		for _, dt := range def.Severity.Topics {
			if dt.Topic == t.Topic {
				defCues = dt.Cues
			}
		}
		t.Cues = own(t.Cues, defCues)
		if len(t.Cues) > 0 {
			n += len(t.Cues)
			site.Severity.Topics = append(site.Severity.Topics, t)
		}
	}
	return site, n > 0
}
