// Command frontline is the one binary: it serves the widget, the console and
// the editor, migrates the database, imports knowledge, and measures itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "frontline:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

var errUsage = errors.New("usage")

const usage = `frontline: an open-source customer-support front line.

Usage:
  frontline [serve] [flags]        run the server (the default; in memory when no DATABASE_URL)
  frontline migrate                apply database migrations (DATABASE_URL)
  frontline kb import DIR          import a folder of Markdown articles
  frontline kb import-phrasings F  attach customer phrasings (text,label CSV) to articles
  frontline kb export DIR          export articles as Markdown
  frontline eval retrieval ...     measure search quality on a labelled question set
  frontline eval escalation FILE   measure the hand-off detectors on labelled conversations
  frontline train detectors ...    train the hand-off detectors on labelled conversations
  frontline bench ...              drive websocket customers against a running server
  frontline version                print the version

Run "frontline COMMAND -h" for a command's flags. Configuration comes from
FRONTLINE_* environment variables (and DATABASE_URL); flags override them.
`

// dispatch runs a subcommand; main is only signals and exit codes.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, os.Getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, os.Getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "frontline", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		if sub, ok := subcommands[cmd]; ok {
			return sub(ctx, args, stdout, stderr)
		}
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// subcommands are the commands beyond serve, migrate and version, each in a
// file of its own.
var subcommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"bench": runBench,
	"eval":  runEval,
	"kb":    runKB,
	"train": runTrain,
}
