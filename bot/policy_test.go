package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
)

func sev(topic frontline.Severity) frontline.Signal {
	return frontline.Signal{Kind: frontline.SignalSeverity, Topic: topic, Confidence: 0.8}
}

func sig(kind frontline.SignalKind) frontline.Signal {
	return frontline.Signal{Kind: kind, Confidence: 0.9}
}

func TestPolicyDecide(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		signals  []frontline.Signal
		handoff  bool
		tier     frontline.Tier
		team     string
		priority frontline.Priority
		private  bool
	}{
		{"nothing", nil, false, "", "", "", false},
		{"repetition alone", []frontline.Signal{sig(frontline.SignalRepetition)}, false, "", "", "", false},
		{"private data alone", []frontline.Signal{sig(frontline.SignalPrivateData)}, false, "", "", "", false},
		{"human request", []frontline.Signal{sig(frontline.SignalHumanRequest)}, true, frontline.Tier1, "support", frontline.PriorityNormal, false},
		{"frustration", []frontline.Signal{sig(frontline.SignalFrustration)}, true, frontline.Tier1, "support", frontline.PriorityHigh, false},
		{"failed answers", []frontline.Signal{sig(frontline.SignalBotLoop)}, true, frontline.Tier1, "support", frontline.PriorityNormal, false},
		{"security", []frontline.Signal{sev(frontline.SeveritySecurity)}, true, frontline.Tier3, "security", frontline.PriorityUrgent, false},
		{"legal", []frontline.Signal{sev(frontline.SeverityLegal)}, true, frontline.TierExec, "legal", frontline.PriorityUrgent, false},
		{"outage", []frontline.Signal{sev(frontline.SeverityOutage)}, true, frontline.Tier2, "technical", frontline.PriorityHigh, false},
		{"billing error", []frontline.Signal{sev(frontline.SeverityBillingError)}, true, frontline.Tier2, "billing", frontline.PriorityHigh, false},
		{"privacy", []frontline.Signal{sev(frontline.SeverityPrivacy)}, true, frontline.Tier2, "privacy", frontline.PriorityHigh, true},
		{"delivery", []frontline.Signal{sev(frontline.SeverityDelivery)}, true, frontline.Tier1, "orders", frontline.PriorityNormal, false},
		{"cancellation", []frontline.Signal{sev(frontline.SeverityCancellation)}, true, frontline.Tier1, "accounts", frontline.PriorityNormal, false},
		{"frustrated about a delivery: team from the topic, priority from frustration",
			[]frontline.Signal{sig(frontline.SignalFrustration), sev(frontline.SeverityDelivery)}, true, frontline.Tier1, "orders", frontline.PriorityHigh, false},
		{"most severe topic names the team",
			[]frontline.Signal{sev(frontline.SeverityPrivacy), sev(frontline.SeverityBillingError), sig(frontline.SignalHumanRequest)}, true, frontline.Tier2, "billing", frontline.PriorityHigh, true},
		{"security beats everything",
			[]frontline.Signal{sig(frontline.SignalHumanRequest), sev(frontline.SeverityOutage), sev(frontline.SeveritySecurity)}, true, frontline.Tier3, "security", frontline.PriorityUrgent, false},
	}
	p := DefaultPolicy()
	for _, tc := range cases {
		d, ok := p.decide(tc.signals)
		if ok != tc.handoff {
			t.Errorf("%s: hand off = %v, want %v", tc.name, ok, tc.handoff)
			continue
		}
		if !ok {
			continue
		}
		if d.Tier != tc.tier || d.Team != tc.team || d.Priority != tc.priority || d.Private != tc.private {
			t.Errorf("%s: %s/%s/%s private %v, want %s/%s/%s private %v", tc.name, d.Tier, d.Team, d.Priority, d.Private, tc.tier, tc.team, tc.priority, tc.private)
		}
		if d.Reason() == "" {
			t.Errorf("%s: no reason", tc.name)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		json  string
		err   string // substring; "" for success
		check func(t *testing.T, c Config)
	}{
		{"empty object keeps defaults", `{}`, "", func(t *testing.T, c Config) {
			if c.FailedAnswersBeforeHandoff != 2 || c.Policy.Severity[frontline.SeveritySecurity].Tier != frontline.Tier3 {
				t.Errorf("defaults lost: %+v", c)
			}
		}},
		{"one route overridden", `{"policy": {"severity": {"legal": {"tier": "t3", "team": "legal", "priority": "high"}}}, "llm": {"timeout": "5s"}}`, "", func(t *testing.T, c Config) {
			if r := c.Policy.Severity[frontline.SeverityLegal]; r.Tier != frontline.Tier3 || r.Priority != frontline.PriorityHigh {
				t.Errorf("legal route = %+v, want the override", r)
			}
			if c.Policy.Severity[frontline.SeveritySecurity].Team != "security" {
				t.Errorf("other routes lost: %+v", c.Policy.Severity)
			}
			if time.Duration(c.LLM.Timeout) != 5*time.Second {
				t.Errorf("llm timeout = %v, want 5s", c.LLM.Timeout)
			}
		}},
		{"unknown key", `{"bot_nmae": "x"}`, `unknown field "bot_nmae"`, nil},
		{"bad tier", `{"policy": {"frustration": {"tier": "t9", "team": "x", "priority": "high"}}}`, "policy.frustration.tier", nil},
		{"bad number", `{"failed_answers_before_handoff": 0}`, "failed_answers_before_handoff", nil},
		{"syntax error with line", "{\n\"bot_name\": \"x\",\n}", "line 3", nil},
		{"bad duration", `{"llm": {"timeout": 5}}`, "duration", nil},
		{"half an llm", `{"llm": {"base_url": "http://localhost:11434/v1"}}`, "base_url and model go together", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "bot.json")
			if err := os.WriteFile(path, []byte(tc.json), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "bot.json") {
					t.Fatalf("LoadConfig = %v, want an error naming bot.json and containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestTrimSentences(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short stays", "One. Two.", 100, "One. Two."},
		{"cut at sentence", "First sentence here. Second sentence is longer. Third.", 30, "First sentence here."},
		{"list lines", "Steps:\n- open Account\n- choose Security\n- press Save", 40, "Steps:\n- open Account\n- choose Security"},
		{"one long sentence", "aaaa bbbb cccc dddd eeee", 12, "aaaa bbbb…"},
		{"one long word", strings.Repeat("x", 20), 10, strings.Repeat("x", 10) + "…"},
	}
	for _, tc := range cases {
		if got := trimSentences(tc.in, tc.max); got != tc.want {
			t.Errorf("%s: trimSentences = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	in := "## Change it\n\nGo to **Account** → *Security*, see [Reset your password](/kb/reset-password) or `Settings`."
	want := "Change it\n\nGo to Account → Security, see Reset your password or Settings."
	if got := plainText(in); got != want {
		t.Fatalf("plainText = %q, want %q", got, want)
	}
}
