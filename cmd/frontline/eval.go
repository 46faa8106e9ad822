package main

import (
	"context"
	"fmt"
	"io"
)

// evalKinds are the measurements `frontline eval` knows.
var evalKinds = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"retrieval":  runEvalRetrieval,
	"escalation": runEvalEscalation,
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: frontline eval retrieval|escalation [flags]", errUsage)
	}
	sub, ok := evalKinds[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown eval %q (want retrieval or escalation)", errUsage, args[0])
	}
	return sub(ctx, args[1:], stdout, stderr)
}
