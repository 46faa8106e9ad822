package frontline

// Tier is a level of the human queue. Higher tiers get harder cases.
type Tier string

const (
	Tier1    Tier = "t1"
	Tier2    Tier = "t2"
	Tier3    Tier = "t3"
	TierExec Tier = "exec"
	TierNone Tier = ""
)

// Tiers in escalation order.
var Tiers = []Tier{Tier1, Tier2, Tier3, TierExec}

// Rank is the tier's position in escalation order (1..4), 0 when unknown.
func (t Tier) Rank() int {
	for i, x := range Tiers {
		if x == t {
			return i + 1
		}
	}
	return 0
}

// Next is the tier above t; TierExec has none and returns itself.
func (t Tier) Next() Tier {
	r := t.Rank()
	if r == 0 || r == len(Tiers) {
		return t
	}
	return Tiers[r]
}

// Priority orders the queue and picks the SLA.
type Priority string

const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Rank: urgent 4 ... low 1, 0 when unknown.
func (p Priority) Rank() int {
	switch p {
	case PriorityUrgent:
		return 4
	case PriorityHigh:
		return 3
	case PriorityNormal:
		return 2
	case PriorityLow:
		return 1
	}
	return 0
}

// Severity is the topic of an open, high-stakes incident.
type Severity string

const (
	SeverityNone         Severity = "none"
	SeveritySecurity     Severity = "security"
	SeverityLegal        Severity = "legal"
	SeverityOutage       Severity = "outage"
	SeverityBillingError Severity = "billing_error"
	SeverityPrivacy      Severity = "privacy"
	SeverityDelivery     Severity = "delivery"
	SeverityCancellation Severity = "cancellation"
)

// Severities from most to least severe: when several apply, the first wins.
var Severities = []Severity{
	SeveritySecurity, SeverityLegal, SeverityOutage, SeverityBillingError,
	SeverityPrivacy, SeverityDelivery, SeverityCancellation,
}

// Rank is higher for more severe topics; SeverityNone and unknown are 0.
func (s Severity) Rank() int {
	for i, x := range Severities {
		if x == s {
			return len(Severities) - i
		}
	}
	return 0
}

// SignalKind names a detector.
type SignalKind string

const (
	SignalFrustration  SignalKind = "frustration"
	SignalHumanRequest SignalKind = "human_request"
	SignalSeverity     SignalKind = "severity"
	SignalRepetition   SignalKind = "repetition"
	SignalBotLoop      SignalKind = "bot_loop"
	SignalPrivateData  SignalKind = "private_data"
)

// Signal is what a detector found in a conversation, with the customer's own
// words as evidence so a person can see why it fired.
type Signal struct {
	Kind SignalKind `json:"kind"`
	// Topic is set for severity signals.
	Topic      Severity   `json:"topic,omitempty"`
	Confidence float64    `json:"confidence"`
	Evidence   []Evidence `json:"evidence,omitempty"`
	// Reason in plain words: "asked for a person", "third time asking".
	Reason string `json:"reason,omitempty"`
}

// Evidence quotes the words that made a detector fire.
type Evidence struct {
	// Turn is the 0-based index of the customer message in the conversation.
	Turn int    `json:"turn"`
	Text string `json:"text"`
	// Rule names the configured cue that matched.
	Rule string `json:"rule,omitempty"`
}
