package postgres

import "testing"

func TestParsePayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		topic string
		seq   int64
		ok    bool
	}{
		{"conv:c_abc 12", "conv:c_abc", 12, true},
		{"queue 0", "queue", 0, true},
		{"conv:with space 3", "conv:with space", 3, true},
		{"noseq", "", 0, false},
		{" 5", "", 0, false},
		{"conv:x twelve", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		topic, seq, ok := parsePayload(tt.in)
		if topic != tt.topic || seq != tt.seq || ok != tt.ok {
			t.Errorf("parsePayload(%q) = %q, %d, %v; want %q, %d, %v", tt.in, topic, seq, ok, tt.topic, tt.seq, tt.ok)
		}
	}
}
