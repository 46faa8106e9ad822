package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/frontlinehq/frontline/bot/escalationeval"
	"github.com/frontlinehq/frontline/bot/guard"
	"github.com/frontlinehq/frontline/bot/signal"
)

// trainKinds are the models `frontline train` knows.
var trainKinds = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"detectors": runTrainDetectors,
}

const trainCommandsUsage = `Usage: frontline train detectors --data FILE.jsonl --out FILE

Trains the hand-off detectors (frustration, a request for a person, severe
topics) on labelled conversations, choosing every setting by cross-validation
inside the file, and writes the weights the binary embeds.
`

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, trainCommandsUsage)
		return fmt.Errorf("%w: frontline train detectors [flags]", errUsage)
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, trainCommandsUsage)
		return flag.ErrHelp
	}
	sub, ok := trainKinds[args[0]]
	if !ok {
		fmt.Fprint(stderr, trainCommandsUsage)
		return fmt.Errorf("%w: unknown model %q (want detectors)", errUsage, args[0])
	}
	return sub(ctx, args[1:], stdout, stderr)
}

// runTrainDetectors is `frontline train detectors --data FILE.jsonl --out
// bot/signal/detectors.model`: it masks each labelled conversation as the
// pipeline does, cross-validates the candidate settings inside the file,
// trains the best on the whole file and writes the model (deterministic:
// the same file gives the same bytes). The data stays where it is; only
// the weights are written.
func runTrainDetectors(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train detectors", trainCommandsUsage)
	data := fs.String("data", "", "labelled conversations: a JSONL `file` in the escalation schema")
	out := fs.String("out", "", "the `file` to write the model to, e.g. bot/signal/detectors.model")
	folds := fs.Int("folds", 5, "cross-validation folds")
	oofPath := fs.String("oof", "", "also write the chosen setting's out-of-fold predictions here (JSONL), for error analysis")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *data == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: frontline train detectors --data FILE.jsonl --out FILE", errUsage)
	}
	f, err := os.Open(*data)
	if err != nil {
		return fmt.Errorf("train detectors: %w", err)
	}
	defer f.Close()
	cases, err := escalationeval.ReadCases(f, *data)
	if err != nil {
		return fmt.Errorf("train detectors: %w", err)
	}
	examples := escalationeval.Labelled(cases, guard.New(guard.Config{}))
	cfg := signal.DefaultTrainConfig()
	cfg.Folds = *folds
	cfg.Progress = stderr
	cfg.Note = fmt.Sprintf("trained by `frontline train detectors` on %d conversations; thresholds and settings by %d-fold cross-validation", len(cases), *folds)
	if err := ctx.Err(); err != nil {
		return err
	}
	model, results, err := signal.TrainDetectors(examples, cfg)
	if err != nil {
		return fmt.Errorf("train detectors: %w", err)
	}
	if len(results) == 0 {
		return errors.New("train detectors: no result")
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		return fmt.Errorf("train detectors: %w", err)
	}
	if *oofPath != "" {
		if err := writeOOF(*oofPath, cases, results[0]); err != nil {
			return fmt.Errorf("train detectors: %w", err)
		}
	}
	fmt.Fprintf(stdout, "chosen by %d-fold cross-validation on %d conversations:\n  %s\nwrote %s (%d bytes)\n", *folds, len(cases), results[0], *out, len(model))
	writeLanguageFigures(stdout, cases, examples, results[0])
	return nil
}

// writeOOF writes one line per conversation: its id, labels and the
// out-of-fold probability of each head.
func writeOOF(path string, cases []escalationeval.Case, r signal.CVResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	heads := signal.HeadNames()
	for i, c := range cases {
		p := map[string]float64{}
		for h, name := range heads {
			p[name] = math.Round(r.OOF[i][h]*1000) / 1000
		}
		if err := enc.Encode(map[string]any{"id": c.ID, "frustration": c.Frustration, "human_request": c.HumanRequest, "severity": c.Severity, "p": p}); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// writeLanguageFigures prints the chosen setting's cross-validated figures
// per language group (escalationeval.Language; groups under
// escalationeval.MinLanguageCases together as "other").
func writeLanguageFigures(w io.Writer, cases []escalationeval.Case, examples []signal.Labelled, r signal.CVResult) {
	groups := map[string][]int{}
	for i, c := range cases {
		l := escalationeval.Language(c.Turns)
		groups[l] = append(groups[l], i)
	}
	var langs []string
	var other []int
	for l, idx := range groups {
		if len(idx) < escalationeval.MinLanguageCases {
			other = append(other, idx...)
			continue
		}
		langs = append(langs, l)
	}
	slices.SortFunc(langs, func(a, b string) int {
		if (a == "en") != (b == "en") {
			if a == "en" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	slices.Sort(other)
	fmt.Fprintf(w, "cross-validated, per language (at least %d conversations; the rest as other)\n", escalationeval.MinLanguageCases)
	fmt.Fprintf(w, "  %-8s %6s %12s %14s %12s %9s\n", "language", "cases", "frustration", "human_request", "severity", "hand-off")
	row := func(name string, idx []int) {
		var p [][]float64
		var data []signal.Labelled
		for _, i := range idx {
			p, data = append(p, r.OOF[i]), append(data, examples[i])
		}
		f := signal.Score(p, data, r.Thresholds)
		fmt.Fprintf(w, "  %-8s %6d %12.3f %14.3f %12.3f %9.3f\n", name, len(idx), f.FrustrationF1, f.HumanRequestF1, f.SeverityMacroF1, f.HandoffAccuracy)
	}
	for _, l := range langs {
		row(l, groups[l])
	}
	if len(other) > 0 {
		row("other", other)
	}
}
