package auth

import (
	"context"
	"time"

	"github.com/frontlinehq/frontline"
)

// Store keeps people, their password hashes, sessions and API tokens.
// internal/postgres and internal/memory implement it; internal/authtest is
// the conformance suite both pass. Secrets never reach a Store in clear:
// passwords arrive as PHC-formatted argon2id hashes, session and API tokens
// as the SHA-256 of the random token the client holds.
//
// Emails are stored as given (the Service lower-cases and trims them) and
// are unique. Every method returns a *frontline.Error with ENotFound or
// EConflict where it says so; anything else is internal.
type Store interface {
	// CreateUser stores u with its password hash, setting u.ID (when
	// empty) and u.CreatedAt. EConflict when the email is taken.
	CreateUser(ctx context.Context, u *frontline.User, passwordHash string) error
	// FindUserByID returns the user. ENotFound when there is none.
	FindUserByID(ctx context.Context, id string) (*frontline.User, error)
	// FindUserByEmail returns the user with this email and their password
	// hash. ENotFound when there is none.
	FindUserByEmail(ctx context.Context, email string) (*frontline.User, string, error)
	// ListUsers returns every user, ordered by email.
	ListUsers(ctx context.Context) ([]*frontline.User, error)
	// UpdateUser applies the non-nil fields of upd and returns the user as
	// stored. Disabling a user ends their sessions in the same
	// transaction. ENotFound when there is no such user.
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*frontline.User, error)
	// SetPasswordHash replaces the user's password hash and ends their
	// sessions in the same transaction (API tokens stay). ENotFound when
	// there is no such user.
	SetPasswordHash(ctx context.Context, id, passwordHash string) error

	// CreateSession stores a session. EConflict when its hash exists.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns the session with this token hash and its user,
	// when the session expires after now. ENotFound otherwise (no such
	// session, expired, or ended). The user may be disabled: the caller
	// decides.
	FindSession(ctx context.Context, tokenHash []byte, now time.Time) (*Session, *frontline.User, error)
	// DeleteSession ends a session. Ending one that does not exist is not
	// an error (logging out twice is fine).
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// DeleteExpiredSessions removes sessions that expired at or before
	// now and returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// CreateAPIToken stores t, setting t.ID (when empty) and t.CreatedAt.
	// ENotFound when its user does not exist.
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// FindAPIToken returns the token with this hash and its user, when it
	// has no expiry or expires after now. ENotFound otherwise.
	FindAPIToken(ctx context.Context, tokenHash []byte, now time.Time) (*APIToken, *frontline.User, error)
	// ListAPITokens returns the user's tokens, newest first.
	ListAPITokens(ctx context.Context, userID string) ([]*APIToken, error)
	// DeleteAPIToken revokes the user's token id. ENotFound when the
	// user holds no such token (another user's token is not found either).
	DeleteAPIToken(ctx context.Context, userID, id string) error
}

// UserUpdate holds the fields UpdateUser changes; nil fields stay.
type UserUpdate struct {
	Name     *string
	Roles    *[]frontline.Role
	Disabled *bool
}

// Session is one signed-in browser. The client holds the random token in
// an HTTP-only cookie; the store holds only its SHA-256.
type Session struct {
	TokenHash []byte
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is a person's credential for automation, sent as
// "Authorization: Bearer <token>". It acts with its owner's roles. The
// token itself is shown once, when created; the store holds its SHA-256.
type APIToken struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	TokenHash []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}
