package main

import (
	"context"
	"errors"
	"flag"
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
func runEvalEscalation(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval escalation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	configPath := fs.String("config", "", "signal configuration file (YAML or JSON); default: built-in")
	subset := fs.String("subset", "all", "which ids to score: all, odd or even")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: frontline eval escalation FILE.jsonl [--json] [--config FILE] [--subset all|odd|even]")
		fs.PrintDefaults()
	}
	// Flags may come before or after the file name.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
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
		return errors.New("eval escalation: want exactly one FILE.jsonl")
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
