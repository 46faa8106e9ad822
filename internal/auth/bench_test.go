package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
	"github.com/frontlinehq/frontline/internal/memory"
)

// BenchmarkLogin is one sign-in at the default argon2id costs: what a
// person waits for, and what each guess costs an attacker.
func BenchmarkLogin(b *testing.B) {
	svc, err := auth.New(memory.NewAuthStore(), auth.Options{Limits: auth.LoginLimits{Account: 1 << 30, Address: 1 << 30, Window: 1}})
	if err != nil {
		b.Fatal(err)
	}
	const password = "correct horse battery staple"
	if _, err := svc.CreateUser(b.Context(), auth.NewUser{Email: "ann@example.com", Roles: []frontline.Role{frontline.RoleAgent}, Password: password}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := svc.Login(b.Context(), "ann@example.com", password, "192.0.2.1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate is what every signed-in request pays: hash the
// cookie, find the session, check the role.
func BenchmarkAuthenticate(b *testing.B) {
	svc, err := auth.New(memory.NewAuthStore(), auth.Options{Password: auth.PasswordParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	const password = "correct horse battery staple"
	if _, err := svc.CreateUser(b.Context(), auth.NewUser{Email: "ann@example.com", Roles: []frontline.Role{frontline.RoleAgent}, Password: password}); err != nil {
		b.Fatal(err)
	}
	_, token, err := svc.Login(b.Context(), "ann@example.com", password, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "http://example.com/agent/ws", nil)
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: token})
	for b.Loop() {
		if _, err := svc.Authenticate(r, frontline.RoleAgent); err != nil {
			b.Fatal(err)
		}
	}
}
