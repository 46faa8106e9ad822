package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
)

// isHelp reports whether arg asks for help rather than naming a command.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// newFlagSet returns a flag set whose usage is the given text followed by
// its flags, printed the same way by every command.
func newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		printFlags(fs.Output(), fs)
	}
	return fs
}

// parseFlags parses args into fs. Asked for help (-h, --help), it prints
// the usage on stdout and returns flag.ErrHelp, which exits 0; on a bad
// flag it prints the problem and the usage on stderr.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	return routeFlagOutput(fs, stdout, stderr, func() error { return fs.Parse(args) })
}

// routeFlagOutput runs parse with fs's output held back, then writes it to
// stdout when help was asked for and to stderr otherwise.
func routeFlagOutput(fs *flag.FlagSet, stdout, stderr io.Writer, parse func() error) error {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := parse()
	fs.SetOutput(stderr)
	out := stderr
	if errors.Is(err, flag.ErrHelp) {
		out = stdout
	}
	out.Write(buf.Bytes())
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}

// argNamer names the argument of a flag whose value type the flag package
// does not know (it would say "value").
type argNamer interface{ argName() string }

// printFlags lists fs's flags: "--name ARG" and what it does, with the
// default when there is one. Argument names come from a backquoted word in
// the usage (flag.UnquoteUsage) or from the value's type.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name == "value" {
			name = "string"
			if a, ok := f.Value.(argNamer); ok {
				name = a.argName()
			}
		}
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n      %s", line, usage)
		if showDefault(f, name) {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

func showDefault(f *flag.Flag, argName string) bool {
	if h, ok := f.Value.(interface{ hideDefault() bool }); ok && h.hideDefault() {
		return false
	}
	switch f.DefValue {
	case "", "0", "false", "[]", "-1": // -1: "not set", for numbers where 0 means something
		return false
	}
	return argName != "" || f.DefValue != "true"
}

// secretValue is a string flag whose value (read from the environment)
// help never prints: database URLs carry passwords.
type secretValue struct{ s, arg string }

func (v *secretValue) String() string     { return v.s }
func (v *secretValue) Set(s string) error { v.s = s; return nil }
func (v *secretValue) argName() string    { return v.arg }
func (v *secretValue) hideDefault() bool  { return true }

// databaseURLFlag defines --database-url over DATABASE_URL.
func databaseURLFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	v := &secretValue{s: getenv("DATABASE_URL"), arg: "url"}
	fs.Var(v, "database-url", "PostgreSQL connection string (env DATABASE_URL)")
	return &v.s
}
