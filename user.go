package frontline

import (
	"context"
	"net/http"
	"slices"
	"time"
)

// Role is what a signed-in person may do. A person may hold several.
type Role string

const (
	// RoleAgent works the human queue: claims, replies, notes, transfers.
	RoleAgent Role = "agent"
	// RoleSupervisor sees every queue and agent, watches and reassigns.
	RoleSupervisor Role = "supervisor"
	// RoleEditor writes and publishes knowledge-base articles.
	RoleEditor Role = "editor"
	// RoleAdmin manages people, teams, sites and settings.
	RoleAdmin Role = "admin"
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleEditor, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// User is a person who signs in: an agent, supervisor, editor or admin
// (customers are visitors of the widget, never Users). Passwords, sessions
// and API tokens belong to internal/auth; an agent's tiers, teams and
// capacity belong to handoff.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	// Name is the display name: shown to colleagues, and to customers
	// when an agent joins their conversation.
	Name      string    `json:"name"`
	Roles     []Role    `json:"roles"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// HasRole reports whether u holds any of roles. A nil user holds none.
func (u *User) HasRole(roles ...Role) bool {
	if u == nil || u.Disabled {
		return false
	}
	for _, r := range roles {
		if slices.Contains(u.Roles, r) {
			return true
		}
	}
	return false
}

type userContextKey struct{}

// NewContextWithUser returns ctx carrying the signed-in user. The one
// place that authenticates requests (internal/auth) sets it; handlers read
// it with UserFromContext.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey{}, u)
}

// UserFromContext returns the signed-in user, or nil when none.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey{}).(*User)
	return u
}

// UserIDFromContext returns the signed-in user's ID, or "" when none.
func UserIDFromContext(ctx context.Context) string {
	if u := UserFromContext(ctx); u != nil {
		return u.ID
	}
	return ""
}

// Route is one HTTP endpoint a package serves, with who may call it. A
// package that serves signed-in people returns its routes as a table; the
// server mounts them through internal/auth, which authenticates the caller
// (session cookie or API token), checks Roles, guards state-changing
// methods against cross-site requests, and puts the User in the request's
// context. A route with no Roles and Public false is refused at mount
// time: every route states its rule.
type Route struct {
	// Method is an HTTP method ("GET", "POST", ...), or "" for every
	// method (a catch-all such as a JSON 404 under a prefix); Pattern a
	// net/http.ServeMux pattern without the method ("/api/agent/claim").
	Method  string
	Pattern string
	// Roles may call it; any one suffices.
	Roles []Role
	// Public routes need no sign-in (the login page, its assets).
	Public  bool
	Handler http.Handler
}
