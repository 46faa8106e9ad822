package authtest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/memory"
)

// CheapPasswords are argon2id costs for tests only: hashing in microseconds.
var CheapPasswords = auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// Fixture is an auth.Service on a memory store, with cheap password hashing
// and a clock the test moves, for tests of the packages whose routes it
// guards.
type Fixture struct {
	Service *auth.Service
	Store   *memory.AuthStore
	Clock   *Clock
}

// NewFixture returns a Fixture; opts may set anything but the store, the
// password costs and the clock.
func NewFixture(t testing.TB, opts auth.Options) *Fixture {
	t.Helper()
	clock := &Clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	opts.Password = CheapPasswords
	opts.Now = clock.Now
	store := memory.NewAuthStore()
	svc, err := auth.New(store, opts)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	return &Fixture{Service: svc, Store: store, Clock: clock}
}

// Password is what every fixture user's password is.
const Password = "correct horse battery staple"

// User creates a person with the given roles and Password.
func (f *Fixture) User(t testing.TB, email, name string, roles ...frontline.Role) *frontline.User {
	t.Helper()
	u, err := f.Service.CreateUser(t.Context(), auth.NewUser{Email: email, Name: name, Roles: roles, Password: Password})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// Token returns a new API token of u.
func (f *Fixture) Token(t testing.TB, u *frontline.User) string {
	t.Helper()
	_, token, err := f.Service.CreateAPIToken(t.Context(), u, "test", 0)
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	return token
}

// Session signs u in and returns the session token (the cookie's value).
func (f *Fixture) Session(t testing.TB, u *frontline.User) string {
	t.Helper()
	_, token, err := f.Service.Login(t.Context(), u.Email, Password, "192.0.2.1")
	if err != nil {
		t.Fatalf("Login(%s): %v", u.Email, err)
	}
	return token
}

// Serve mounts the Service's own routes and routes on a new mux and
// serves it; the server closes when the test ends.
func (f *Fixture) Serve(t testing.TB, routes ...frontline.Route) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	if err := f.Service.Mount(mux, append(f.Service.Routes(), routes...)); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Clock is a clock tests move by hand.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
