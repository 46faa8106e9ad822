// Package authtest is the one conformance suite every auth.Store must pass
// (internal/memory and internal/postgres).
package authtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
)

// RunTests runs the suite; newStore returns a fresh, empty store per test.
func RunTests(t *testing.T, newStore func(t *testing.T) auth.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s auth.Store)
	}{
		{"CreateAndFindUser", testCreateAndFindUser},
		{"EmailIsUnique", testEmailIsUnique},
		{"ConcurrentCreatesOfOneEmailStoreOnce", testConcurrentCreates},
		{"ListUsersByEmail", testListUsers},
		{"UpdateUser", testUpdateUser},
		{"DisablingEndsSessions", testDisablingEndsSessions},
		{"SetPasswordEndsSessions", testSetPasswordEndsSessions},
		{"Sessions", testSessions},
		{"ExpiredSessionsAreSwept", testExpiredSessionsSwept},
		{"APITokens", testAPITokens},
		{"APITokenExpiry", testAPITokenExpiry},
		{"MissingUser", testMissingUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func hash(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// MustCreateUser stores a user with the given email and roles.
func MustCreateUser(t *testing.T, s auth.Store, email string, roles ...frontline.Role) *frontline.User {
	t.Helper()
	u := &frontline.User{Email: email, Name: "Name of " + email, Roles: roles}
	if err := s.CreateUser(ctx(t), u, "$argon2id$hash-of-"+email); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := frontline.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func testCreateAndFindUser(t *testing.T, s auth.Store) {
	u := MustCreateUser(t, s, "ann@example.com", frontline.RoleAgent, frontline.RoleEditor)
	if u.ID == "" || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser left ID %q, CreatedAt %v unset", u.ID, u.CreatedAt)
	}
	got, err := s.FindUserByID(ctx(t), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != u.Email || got.Name != u.Name || !slices.Equal(got.Roles, u.Roles) || got.Disabled || !got.CreatedAt.Equal(u.CreatedAt) {
		t.Errorf("FindUserByID = %+v, want %+v", got, u)
	}
	byEmail, h, err := s.FindUserByEmail(ctx(t), "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if byEmail.ID != u.ID || h != "$argon2id$hash-of-ann@example.com" {
		t.Errorf("FindUserByEmail = %+v, %q", byEmail, h)
	}
	// Changing what the store returned changes nothing stored.
	got.Roles[0] = frontline.RoleAdmin
	again, _ := s.FindUserByID(ctx(t), u.ID)
	if again.Roles[0] != frontline.RoleAgent {
		t.Errorf("roles changed through a returned user: %v", again.Roles)
	}
}

func testEmailIsUnique(t *testing.T, s auth.Store) {
	MustCreateUser(t, s, "ann@example.com", frontline.RoleAgent)
	err := s.CreateUser(ctx(t), &frontline.User{Email: "ann@example.com", Name: "Other Ann", Roles: []frontline.Role{frontline.RoleAdmin}}, "h")
	wantCode(t, "second user with the same email", err, frontline.EConflict)
	users, _ := s.ListUsers(ctx(t))
	if len(users) != 1 || users[0].Name != "Name of ann@example.com" || users[0].Roles[0] != frontline.RoleAgent {
		t.Errorf("after the refused create, users = %+v, want only the first Ann, unchanged", users)
	}
}

func testConcurrentCreates(t *testing.T, s auth.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateUser(ctx(t), &frontline.User{Email: "race@example.com", Name: "Racer", Roles: []frontline.Role{frontline.RoleAgent}}, "h")
		}()
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch frontline.ErrorCode(err) {
		case "":
			created++
		case frontline.EConflict:
		default:
			t.Errorf("concurrent create: %v", err)
		}
	}
	users, _ := s.ListUsers(ctx(t))
	if created != 1 || len(users) != 1 {
		t.Errorf("%d creates succeeded, %d users stored; want 1 and 1", created, len(users))
	}
}

func testListUsers(t *testing.T, s auth.Store) {
	users, err := s.ListUsers(ctx(t))
	if err != nil || len(users) != 0 {
		t.Fatalf("ListUsers on an empty store = %v, %v", users, err)
	}
	for _, e := range []string{"cy@example.com", "al@example.com", "bo@example.com"} {
		MustCreateUser(t, s, e, frontline.RoleAgent)
	}
	users, err = s.ListUsers(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Email)
	}
	if want := []string{"al@example.com", "bo@example.com", "cy@example.com"}; !slices.Equal(got, want) {
		t.Errorf("ListUsers = %v, want %v", got, want)
	}
}

func testUpdateUser(t *testing.T, s auth.Store) {
	u := MustCreateUser(t, s, "ann@example.com", frontline.RoleAgent)
	name := "Ann Agent"
	got, err := s.UpdateUser(ctx(t), u.ID, auth.UserUpdate{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || !slices.Equal(got.Roles, []frontline.Role{frontline.RoleAgent}) {
		t.Errorf("after a name update: %+v", got)
	}
	roles := []frontline.Role{frontline.RoleAgent, frontline.RoleSupervisor}
	disabled := true
	got, err = s.UpdateUser(ctx(t), u.ID, auth.UserUpdate{Roles: &roles, Disabled: &disabled})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != name || !slices.Equal(got.Roles, roles) || !got.Disabled {
		t.Errorf("after roles and disabled: %+v", got)
	}
	stored, _ := s.FindUserByID(ctx(t), u.ID)
	if stored.Name != name || !slices.Equal(stored.Roles, roles) || !stored.Disabled {
		t.Errorf("stored after updates: %+v", stored)
	}
	enabled := false
	if got, _ = s.UpdateUser(ctx(t), u.ID, auth.UserUpdate{Disabled: &enabled}); got.Disabled {
		t.Errorf("re-enabling left Disabled set")
	}
	_, err = s.UpdateUser(ctx(t), "u_missing", auth.UserUpdate{Name: &name})
	wantCode(t, "UpdateUser of a missing user", err, frontline.ENotFound)
}

func newSession(t *testing.T, s auth.Store, u *frontline.User, token string, expires time.Time) {
	t.Helper()
	now := time.Now().UTC()
	if err := s.CreateSession(ctx(t), &auth.Session{TokenHash: hash(token), UserID: u.ID, CreatedAt: now, ExpiresAt: expires}); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
}

func testDisablingEndsSessions(t *testing.T, s auth.Store) {
	ann := MustCreateUser(t, s, "ann@example.com", frontline.RoleAgent)
	bob := MustCreateUser(t, s, "bob@example.com", frontline.RoleAgent)
	exp := time.Now().Add(time.Hour)
	newSession(t, s, ann, "ann-1", exp)
	newSession(t, s, ann, "ann-2", exp)
	newSession(t, s, bob, "bob-1", exp)
	disabled := true
	if _, err := s.UpdateUser(ctx(t), ann.ID, auth.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"ann-1", "ann-2"} {
		_, _, err := s.FindSession(ctx(t), hash(tok), time.Now())
		wantCode(t, "a disabled user's session "+tok, err, frontline.ENotFound)
	}
	if _, u, err := s.FindSession(ctx(t), hash("bob-1"), time.Now()); err != nil || u.ID != bob.ID {
		t.Errorf("another user's session after disabling Ann: %v, %v", u, err)
	}
}

func testSetPasswordEndsSessions(t *testing.T, s auth.Store) {
	ann := MustCreateUser(t, s, "ann@example.com", frontline.RoleAgent)
	newSession(t, s, ann, "ann-1", time.Now().Add(time.Hour))
	tok := &auth.APIToken{UserID: ann.ID, Name: "ci", TokenHash: hash("flt_ann")}
	if err := s.CreateAPIToken(ctx(t), tok); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPasswordHash(ctx(t), ann.ID, "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if _, h, _ := s.FindUserByEmail(ctx(t), ann.Email); h != "$argon2id$new" {
		t.Errorf("hash after SetPasswordHash = %q", h)
	}
	_, _, err := s.FindSession(ctx(t), hash("ann-1"), time.Now())
	wantCode(t, "session after a password change", err, frontline.ENotFound)
	if _, _, err := s.FindAPIToken(ctx(t), hash("flt_ann"), time.Now()); err != nil {
		t.Errorf("API token after a password change: %v; tokens are revoked one by one", err)
	}
	wantCode(t, "SetPasswordHash of a missing user", s.SetPasswordHash(ctx(t), "u_missing", "h"), frontline.ENotFound)
}

func testSessions(t *testing.T, s auth.Store) {
	ann := MustCreateUser(t, s, "ann@example.com", frontline.RoleEditor)
	now := time.Now().UTC().Truncate(time.Microsecond)
	sess := &auth.Session{TokenHash: hash("tok"), UserID: ann.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateSession(ctx(t), sess); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a second session with the same hash", s.CreateSession(ctx(t), sess), frontline.EConflict)
	got, u, err := s.FindSession(ctx(t), hash("tok"), now)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != ann.ID || got.UserID != ann.ID || !bytes.Equal(got.TokenHash, hash("tok")) || !got.ExpiresAt.Equal(sess.ExpiresAt) || !got.CreatedAt.Equal(now) {
		t.Errorf("FindSession = %+v, %+v", got, u)
	}
	// Expiry is exclusive: at ExpiresAt the session is over.
	_, _, err = s.FindSession(ctx(t), hash("tok"), sess.ExpiresAt)
	wantCode(t, "FindSession at its expiry", err, frontline.ENotFound)
	_, _, err = s.FindSession(ctx(t), hash("forged"), now)
	wantCode(t, "FindSession of an unknown token", err, frontline.ENotFound)

	if err := s.DeleteSession(ctx(t), hash("tok")); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FindSession(ctx(t), hash("tok"), now)
	wantCode(t, "FindSession after logout", err, frontline.ENotFound)
	if err := s.DeleteSession(ctx(t), hash("tok")); err != nil {
		t.Errorf("logging out twice: %v", err)
	}
	err = s.CreateSession(ctx(t), &auth.Session{TokenHash: hash("x"), UserID: "u_missing", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	wantCode(t, "a session of a missing user", err, frontline.ENotFound)
}

func testExpiredSessionsSwept(t *testing.T, s auth.Store) {
	ann := MustCreateUser(t, s, "ann@example.com", frontline.RoleAgent)
	now := time.Now().UTC()
	newSession(t, s, ann, "old-1", now.Add(-time.Hour))
	newSession(t, s, ann, "old-2", now)
	newSession(t, s, ann, "live", now.Add(time.Hour))
	n, err := s.DeleteExpiredSessions(ctx(t), now)
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2", n, err)
	}
	if _, _, err := s.FindSession(ctx(t), hash("live"), now); err != nil {
		t.Errorf("the live session was swept: %v", err)
	}
}

func testAPITokens(t *testing.T, s auth.Store) {
	ann := MustCreateUser(t, s, "ann@example.com", frontline.RoleEditor)
	bob := MustCreateUser(t, s, "bob@example.com", frontline.RoleAgent)
	first := &auth.APIToken{UserID: ann.ID, Name: "import job", TokenHash: hash("flt_1")}
	if err := s.CreateAPIToken(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || first.CreatedAt.IsZero() {
		t.Fatalf("CreateAPIToken left %+v", first)
	}
	second := &auth.APIToken{UserID: ann.ID, Name: "export job", TokenHash: hash("flt_2")}
	if err := s.CreateAPIToken(ctx(t), second); err != nil {
		t.Fatal(err)
	}
	bobs := &auth.APIToken{UserID: bob.ID, Name: "bob's", TokenHash: hash("flt_3")}
	if err := s.CreateAPIToken(ctx(t), bobs); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a token for a missing user", s.CreateAPIToken(ctx(t), &auth.APIToken{UserID: "u_missing", Name: "x", TokenHash: hash("flt_4")}), frontline.ENotFound)

	tok, u, err := s.FindAPIToken(ctx(t), hash("flt_2"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID != second.ID || tok.Name != "export job" || u.ID != ann.ID || !slices.Equal(u.Roles, ann.Roles) {
		t.Errorf("FindAPIToken = %+v, %+v", tok, u)
	}
	list, err := s.ListAPITokens(ctx(t), ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
		t.Errorf("ListAPITokens = %+v, want the two of Ann's, newest first", list)
	}
	for _, l := range list {
		if len(l.TokenHash) != 0 && !bytes.Equal(l.TokenHash, hash("flt_1")) && !bytes.Equal(l.TokenHash, hash("flt_2")) {
			t.Errorf("listed token carries another hash")
		}
	}
	wantCode(t, "Bob revoking Ann's token", s.DeleteAPIToken(ctx(t), bob.ID, first.ID), frontline.ENotFound)
	if err := s.DeleteAPIToken(ctx(t), ann.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FindAPIToken(ctx(t), hash("flt_1"), time.Now())
	wantCode(t, "a revoked token", err, frontline.ENotFound)
	wantCode(t, "revoking twice", s.DeleteAPIToken(ctx(t), ann.ID, first.ID), frontline.ENotFound)
	if _, _, err := s.FindAPIToken(ctx(t), hash("flt_3"), time.Now()); err != nil {
		t.Errorf("Bob's token after Ann's revocations: %v", err)
	}
}

func testAPITokenExpiry(t *testing.T, s auth.Store) {
	ann := MustCreateUser(t, s, "ann@example.com", frontline.RoleEditor)
	exp := time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond)
	tok := &auth.APIToken{UserID: ann.ID, Name: "short", TokenHash: hash("flt_short"), ExpiresAt: &exp}
	if err := s.CreateAPIToken(ctx(t), tok); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.FindAPIToken(ctx(t), hash("flt_short"), exp.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) {
		t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, exp)
	}
	_, _, err = s.FindAPIToken(ctx(t), hash("flt_short"), exp)
	wantCode(t, "a token at its expiry", err, frontline.ENotFound)
}

func testMissingUser(t *testing.T, s auth.Store) {
	_, err := s.FindUserByID(ctx(t), "u_missing")
	wantCode(t, "FindUserByID", err, frontline.ENotFound)
	_, _, err = s.FindUserByEmail(ctx(t), "nobody@example.com")
	wantCode(t, "FindUserByEmail", err, frontline.ENotFound)
}
