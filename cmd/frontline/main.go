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

// exitCode is 0 for help that was asked for, 2 for a usage mistake and 1
// for anything else.
func exitCode(err error) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

var errUsage = errors.New("usage")

const usage = `frontline: an open-source customer-support front line.

Usage:
  frontline [serve] [flags]        run the server (what plain "frontline" does; in memory when no DATABASE_URL)
  frontline migrate                apply database migrations (DATABASE_URL)
  frontline kb import DIR          import a folder of Markdown articles
  frontline kb import-phrasings F  attach customer phrasings (text,label CSV) to articles
  frontline kb export DIR          export articles as Markdown
  frontline user add ...           create a person who signs in (the first admin); password from a prompt or stdin
  frontline user set-password ...  set a person's password (signs them out everywhere)
  frontline user list              list the people who sign in
  frontline eval retrieval ...     measure search quality on a labelled question set
  frontline eval escalation FILE   measure the hand-off detectors on labelled conversations
  frontline train detectors ...    train the hand-off detectors on labelled conversations
  frontline bench ...              drive websocket customers against a running server
  frontline version                print the version
  frontline help [COMMAND]         this text, or a command's flags

Run "frontline COMMAND -h" for a command's flags. Every command reads the
same FRONTLINE_* environment variables (and DATABASE_URL); flags override
them. "frontline serve -h" lists them all.
`

// dispatch runs a subcommand; main is only signals and exit codes.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		if args[0] == "help" && len(args) > 1 && !isHelp(args[1]) {
			// "frontline help kb" is "frontline kb -h".
			return dispatch(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
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
		if err := parseFlags(newFlagSet("version", "Usage: frontline version\n\nPrints the version of this binary.\n"), args, stdout, stderr); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "frontline", Version)
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
	"user":  runUser,
	"train": runTrain,
}
