package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/postgres"
)

const userUsage = `Usage:
  frontline user add --email EMAIL --role ROLE [--role ROLE] [--name NAME]
  frontline user set-password --email EMAIL
  frontline user list

add creates a person who signs in at /login. ROLE is agent, supervisor,
editor or admin (repeat --role, or separate with commas, for several). The
password is read from the terminal (asked twice, not echoed) or, when
stdin is not a terminal, from its first line; never from a flag, which
would leave it in the shell's history and the process list. set-password
reads a new password the same way and signs the person out everywhere:
the way back in for an admin who forgot theirs.

Both work on the PostgreSQL database in DATABASE_URL. The first admin is
made this way; then admins manage people in the API (/api/users).
`

// roleList is a repeatable --role flag that also takes "a,b".
type roleList []frontline.Role

func (l *roleList) String() string {
	parts := make([]string, len(*l))
	for i, r := range *l {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

func (l *roleList) Set(v string) error {
	for _, r := range strings.Split(v, ",") {
		if r = strings.TrimSpace(strings.ToLower(r)); r != "" {
			*l = append(*l, frontline.Role(r))
		}
	}
	return nil
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runUserWith(ctx, args, os.Getenv, os.Stdin, stdout, stderr)
}

func runUserWith(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("%w: user needs a command", errUsage)
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, userUsage) // asked for: stdout, exit 0
		return flag.ErrHelp
	}
	cmd := args[0]
	fs := flag.NewFlagSet("user "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), userUsage) }
	dbURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL connection string (env DATABASE_URL)")
	var email, name string
	var roles roleList
	switch cmd {
	case "add":
		fs.StringVar(&email, "email", "", "the person's email: what they sign in with")
		fs.StringVar(&name, "name", "", "display name shown to colleagues and customers (default: the email's local part)")
		fs.Var(&roles, "role", "agent, supervisor, editor or admin; repeat for several")
	case "set-password":
		fs.StringVar(&email, "email", "", "the person's email")
	case "list":
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("%w: unknown user command %q", errUsage, cmd)
	}
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (the password is never an argument)", errUsage, fs.Arg(0))
	}
	if *dbURL == "" {
		return errors.New("user: set DATABASE_URL (or --database-url): people live in PostgreSQL; the in-memory demo makes its own")
	}
	if cmd == "add" && (email == "" || len(roles) == 0) {
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("%w: user add needs --email and --role", errUsage)
	}
	if cmd == "set-password" && email == "" {
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("%w: user set-password needs --email", errUsage)
	}

	db, err := postgres.Open(ctx, postgres.Options{URL: *dbURL})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return fmt.Errorf("%w (run `frontline migrate` first)", err)
	}
	people, err := auth.New(postgres.NewAuthStore(db), auth.Options{})
	if err != nil {
		return err
	}

	if cmd == "list" {
		users, err := people.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tSTATE")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Name, (*roleList)(&u.Roles).String(), state)
		}
		return tw.Flush()
	}

	if cmd == "set-password" {
		u, _, err := postgres.NewAuthStore(db).FindUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
		if err != nil {
			return fmt.Errorf("user set-password: %s", frontline.ErrorMessage(err))
		}
		password, err := readNewPassword(stdin, stderr, u.Email)
		if err != nil {
			return err
		}
		if err := people.SetPassword(ctx, u.ID, password); err != nil {
			return fmt.Errorf("user set-password: %s", frontline.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "set the password of %s and signed them out everywhere\n", u.Email)
		return nil
	}

	password, err := readNewPassword(stdin, stderr, email)
	if err != nil {
		return err
	}
	u, err := people.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Roles: roles, Password: password})
	if err != nil {
		return fmt.Errorf("user add: %s", frontline.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "created %s (%s) with roles %s; sign in at /login\n", u.Email, u.Name, (*roleList)(&u.Roles).String())
	return nil
}

// readNewPassword asks a terminal twice without echo, or reads the first
// line of anything else (a pipe, a file, a secret manager's output).
func readNewPassword(stdin io.Reader, prompt io.Writer, email string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(prompt, "Password for %s (at least %d characters): ", email, auth.MinPasswordLen)
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(prompt, "Again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, auth.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin (give it on the first line, or run in a terminal to be asked)")
	}
	return line, nil
}
