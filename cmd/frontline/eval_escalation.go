package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/frontlinehq/frontline/bot/escalationeval"
	"github.com/frontlinehq/frontline/bot/guard"
	"github.com/frontlinehq/frontline/bot/signal"
)

// runEvalEscalation is `frontline eval escalation FILE.jsonl [--json]
// [--config signals.yaml] [--subset all|odd|even]`: it runs each labelled
// conversation through the guard and the signal detectors and prints
// precision, recall, F1, severity macro-F1, hand-off accuracy, masking leaks
// and over-masking, and the misclassified ids.
const escalationUsage = `Usage: frontline eval escalation [flags] FILE.jsonl

Runs each labelled conversation of FILE.jsonl through the masking and the
hand-off detectors and prints precision, recall and F1 for frustration and
requests for a person, severity macro-F1, hand-off accuracy, masking leaks
and the misclassified ids. Each line is one conversation:
  {"id":"c1","turns":["..."],"frustration":false,"human_request":true,"severity":"none","pii":[]}

Example, on the project's own labelled conversations:
  frontline eval escalation bot/signal/testdata/conversations.jsonl
`

func runEvalEscalation(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval escalation", escalationUsage)
	asJSON := fs.Bool("json", false, "print one JSON object")
	configPath := fs.String("config", os.Getenv("FRONTLINE_SIGNAL_CONFIG"), "detector settings `file` (YAML or JSON), as serve's (env FRONTLINE_SIGNAL_CONFIG); default: built-in")
	subset := fs.String("subset", "all", "which ids to score: all, odd or even")
	// Flags may come before or after the file name.
	var files []string
	for {
		if err := parseFlags(fs, args, stdout, stderr); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: eval escalation: want exactly one FILE.jsonl", errUsage)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	cfg := signal.DefaultConfig()
	if *configPath != "" {
		var err error
		if cfg, err = signal.LoadConfig(*configPath); err != nil {
			return fmt.Errorf("eval escalation: %w", err)
		}
	}
	detector, err := signal.New(cfg)
	if err != nil {
		return fmt.Errorf("eval escalation: %w", err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("eval escalation: %w", err)
	}
	defer f.Close()
	cases, err := escalationeval.ReadCases(f, files[0])
	if err != nil {
		return fmt.Errorf("eval escalation: %w", err)
	}
	if cases, err = escalationeval.Subset(cases, *subset); err != nil {
		return fmt.Errorf("eval escalation: %w", err)
	}
	report := escalationeval.Run(cases, guard.New(guard.Config{}), detector)
	if *asJSON {
		return report.WriteJSON(stdout)
	}
	return report.WriteText(stdout)
}
