package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

const evalCommandsUsage = `Usage: frontline eval KIND [flags]

Measures the product on labelled data:
  retrieval    how often search finds the right article (and declines what no article answers)
  escalation   how well the hand-off detectors spot frustration, requests for a person and severe topics

Run "frontline eval KIND -h" for its flags.
`

// evalKinds are the measurements `frontline eval` knows.
var evalKinds = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"retrieval":  runEvalRetrieval,
	"escalation": runEvalEscalation,
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, evalCommandsUsage)
		return fmt.Errorf("%w: eval needs a kind: retrieval or escalation", errUsage)
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, evalCommandsUsage)
		return flag.ErrHelp
	}
	sub, ok := evalKinds[args[0]]
	if !ok {
		fmt.Fprint(stderr, evalCommandsUsage)
		return fmt.Errorf("%w: unknown eval %q (want retrieval or escalation)", errUsage, args[0])
	}
	return sub(ctx, args[1:], stdout, stderr)
}
