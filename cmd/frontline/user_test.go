package main

import (
	"bytes"
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
)

// `frontline user add` makes the first admin on PostgreSQL, with the
// password from stdin; that admin can then sign in.
func TestUserAdd(t *testing.T) {
	t.Parallel()
	db, schema := pgtest.NewUnmigratedDB(t)
	env := map[string]string{"DATABASE_URL": testDatabaseURL(schema)}
	run := func(stdin string, args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := runUserWith(t.Context(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &stdout, &stderr)
		return stdout.String() + stderr.String(), err
	}
	const password = "a long admin passphrase"

	if out, err := run(password+"\n", "add", "--email", "root@example.com", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("user add on an unmigrated database = %v %q, want advice to migrate", err, out)
	}
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no role", password, []string{"add", "--email", "root@example.com"}, "--role"},
		{"no email", password, []string{"add", "--role", "admin"}, "--email"},
		{"a password flag", password, []string{"add", "--email", "root@example.com", "--role", "admin", "--password", "x"}, "password"},
		{"a password argument", password, []string{"add", "--email", "root@example.com", "--role", "admin", password}, "never an argument"},
		{"no password on stdin", "", []string{"add", "--email", "root@example.com", "--role", "admin"}, "no password"},
		{"a short password", "short\n", []string{"add", "--email", "root@example.com", "--role", "admin"}, "at least"},
		{"an unknown role", password, []string{"add", "--email", "root@example.com", "--role", "root"}, "roles"},
	}
	for _, tc := range bad {
		out, err := run(tc.stdin, tc.args...)
		if err == nil || !strings.Contains(err.Error()+out, tc.want) {
			t.Errorf("%s: err %v, output %q; want an error mentioning %q", tc.name, err, out, tc.want)
		}
	}
	out, err := run(password+"\r\nignored second line\n", "add", "--email", "Root@Example.com", "--name", "Ro Ot", "--role", "admin", "--role", "editor,agent")
	if err != nil {
		t.Fatalf("user add: %v (%s)", err, out)
	}
	if !strings.Contains(out, "created root@example.com (Ro Ot) with roles agent,editor,admin") {
		t.Errorf("user add said %q", out)
	}
	if out, err := run(password+"\n", "add", "--email", "root@example.com", "--role", "agent"); err == nil || !strings.Contains(out+err.Error(), "exists") {
		t.Errorf("adding the same email again = %v %q, want it refused", err, out)
	}

	store := postgres.NewAuthStore(db)
	u, hash, err := store.FindUserByEmail(t.Context(), "root@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, password) {
		t.Errorf("stored password hash %q, want argon2id", hash)
	}
	if !u.HasRole(frontline.RoleAdmin) {
		t.Errorf("stored %+v, want an admin", u)
	}
	people, err := auth.New(store, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := people.Login(t.Context(), "root@example.com", password, "127.0.0.1"); err != nil {
		t.Errorf("the new admin cannot sign in: %v", err)
	}

	// set-password replaces it and signs the person out everywhere.
	_, session, err := people.Login(t.Context(), "root@example.com", password, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := run("a different passphrase\n", "set-password", "--email", "ROOT@example.com"); err != nil || !strings.Contains(out, "signed them out") {
		t.Fatalf("set-password = %v %q", err, out)
	}
	if _, _, err := people.Login(t.Context(), "root@example.com", "a different passphrase", "127.0.0.1"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	if _, _, err := store.FindSession(t.Context(), sha256Sum(session), time.Now()); frontline.ErrorCode(err) != frontline.ENotFound {
		t.Errorf("the session from before set-password: %v, want it ended", err)
	}
	if out, err := run("a different passphrase\n", "set-password", "--email", "nobody@example.com"); err == nil {
		t.Errorf("set-password for nobody = %q, want an error", out)
	}

	out, err = run("", "list")
	if err != nil || !regexp.MustCompile(`root@example\.com\s+Ro Ot\s+agent,editor,admin\s+active`).MatchString(out) {
		t.Errorf("user list = %v %q", err, out)
	}
}

func sha256Sum(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}
