package guard_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/bot/guard"
)

func TestHandlerMasksLogs(t *testing.T) {
	t.Parallel()
	secrets := []string{"4111 1111 1111 1111", "ana@example.com", "Hunter2024", "DE89 3704 0044 0532 0130 00", "+44 7700 900123"}
	tests := []struct {
		name string
		log  func(l *slog.Logger)
	}{
		{"message", func(l *slog.Logger) { l.Info("customer said: card 4111 1111 1111 1111") }},
		{"string attr", func(l *slog.Logger) { l.Info("msg", "body", "email ana@example.com") }},
		{"error attr", func(l *slog.Logger) { l.Error("failed", "err", errors.New("bad body: my password is Hunter2024")) }},
		{"group attr", func(l *slog.Logger) {
			l.Info("msg", slog.Group("customer", slog.String("iban", "DE89 3704 0044 0532 0130 00")))
		}},
		{"with attrs", func(l *slog.Logger) { l.With("phone", "call +44 7700 900123").Info("msg") }},
		{"bytes attr", func(l *slog.Logger) { l.Info("msg", "raw", []byte("card 4111 1111 1111 1111")) }},
		{"struct attr", func(l *slog.Logger) {
			l.Info("msg", "m", struct{ Body string }{"ana@example.com"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			g := guard.New(guard.Config{})
			l := slog.New(guard.NewHandler(slog.NewJSONHandler(&buf, nil), g))
			tt.log(l)
			out := buf.String()
			if out == "" {
				t.Fatal("nothing logged")
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("log holds %q: %s", s, out)
				}
			}
		})
	}
}

func TestReplaceAttrOption(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	g := guard.New(guard.Config{})
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: g.ReplaceAttr}))
	l.Info("order placed", "order", "#100455", "card", "4242 4242 4242 4242")
	out := buf.String()
	if strings.Contains(out, "4242 4242 4242 4242") {
		t.Errorf("card reached the log: %s", out)
	}
	if !strings.Contains(out, "#100455") || !strings.Contains(out, "••••4242") {
		t.Errorf("log lost what it should keep: %s", out)
	}
}
