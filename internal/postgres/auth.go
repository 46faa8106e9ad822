package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
)

var _ auth.Store = (*AuthStore)(nil)

// AuthStore is auth.Store on the users, sessions and api_tokens tables.
type AuthStore struct {
	db *DB
}

// NewAuthStore returns the people store on db.
func NewAuthStore(db *DB) *AuthStore { return &AuthStore{db: db} }

const userColumns = `u.id, u.email, u.name, u.roles, u.disabled, u.created_at`

func scanUser(row pgx.Row, extra ...any) (*frontline.User, error) {
	var u frontline.User
	var roles []string
	if err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &roles, &u.Disabled, &u.CreatedAt}, extra...)...); err != nil {
		return nil, err
	}
	u.Roles = make([]frontline.Role, len(roles))
	for i, r := range roles {
		u.Roles[i] = frontline.Role(r)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

func roleStrings(roles []frontline.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

func noUser(id string) error { return frontline.Errorf(frontline.ENotFound, "no user %s", id) }

// CreateUser implements auth.Store.
func (s *AuthStore) CreateUser(ctx context.Context, u *frontline.User, passwordHash string) error {
	if u.ID == "" {
		u.ID = frontline.NewID("u_")
	}
	err := s.db.pool.QueryRow(ctx, `
		INSERT INTO users (id, email, name, roles, password_hash, disabled)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
		u.ID, u.Email, u.Name, roleStrings(u.Roles), passwordHash, u.Disabled).Scan(&u.CreatedAt)
	switch {
	case IsUniqueViolation(err, "users_email_key"):
		return frontline.Errorf(frontline.EConflict, "a user with email %s exists", u.Email)
	case IsUniqueViolation(err, "users_pkey"):
		return frontline.Errorf(frontline.EConflict, "user %s exists", u.ID)
	case err != nil:
		return fmt.Errorf("create user: %w", err)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return nil
}

// FindUserByID implements auth.Store.
func (s *AuthStore) FindUserByID(ctx context.Context, id string) (*frontline.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, noUser(id)
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUserByEmail implements auth.Store.
func (s *AuthStore) FindUserByEmail(ctx context.Context, email string) (*frontline.User, string, error) {
	var hash string
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = lower($1)`, email), &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", frontline.Errorf(frontline.ENotFound, "no user with email %s", email)
	}
	if err != nil {
		return nil, "", fmt.Errorf("find user by email: %w", err)
	}
	return u, hash, nil
}

// ListUsers implements auth.Store.
func (s *AuthStore) ListUsers(ctx context.Context) ([]*frontline.User, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.email`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*frontline.User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UpdateUser implements auth.Store.
func (s *AuthStore) UpdateUser(ctx context.Context, id string, upd auth.UserUpdate) (*frontline.User, error) {
	var roles []string
	if upd.Roles != nil {
		roles = roleStrings(*upd.Roles)
	}
	var u *frontline.User
	err := s.db.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `
			UPDATE users u SET
				name = coalesce($2, name),
				roles = coalesce($3, roles),
				disabled = coalesce($4, disabled),
				updated_at = now()
			WHERE id = $1
			RETURNING `+userColumns, id, upd.Name, roles, upd.Disabled))
		if errors.Is(err, pgx.ErrNoRows) {
			return noUser(id)
		}
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if u.Disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return fmt.Errorf("update user: end sessions: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetPasswordHash implements auth.Store.
func (s *AuthStore) SetPasswordHash(ctx context.Context, id, passwordHash string) error {
	return s.db.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, id, passwordHash)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return noUser(id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("set password: end sessions: %w", err)
		}
		return nil
	})
}

// CreateSession implements auth.Store.
func (s *AuthStore) CreateSession(ctx context.Context, sess *auth.Session) error {
	_, err := s.db.pool.Exec(ctx, `
		INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		sess.TokenHash, sess.UserID, sess.CreatedAt, sess.ExpiresAt)
	switch {
	case IsUniqueViolation(err, "sessions_pkey"):
		return frontline.Errorf(frontline.EConflict, "session exists")
	case isForeignKeyViolation(err):
		return noUser(sess.UserID)
	case err != nil:
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// FindSession implements auth.Store.
func (s *AuthStore) FindSession(ctx context.Context, tokenHash []byte, now time.Time) (*auth.Session, *frontline.User, error) {
	sess := auth.Session{TokenHash: tokenHash}
	u, err := scanUser(s.db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`, s.user_id, s.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, now),
		&sess.UserID, &sess.CreatedAt, &sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, frontline.Errorf(frontline.ENotFound, "no such session")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	sess.CreatedAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.ExpiresAt.UTC()
	return &sess, u, nil
}

// DeleteSession implements auth.Store.
func (s *AuthStore) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions implements auth.Store.
func (s *AuthStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// CreateAPIToken implements auth.Store.
func (s *AuthStore) CreateAPIToken(ctx context.Context, t *auth.APIToken) error {
	if t.ID == "" {
		t.ID = frontline.NewID("tok_")
	}
	err := s.db.pool.QueryRow(ctx, `
		INSERT INTO api_tokens (id, user_id, name, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING created_at`, t.ID, t.UserID, t.Name, t.TokenHash, t.ExpiresAt).Scan(&t.CreatedAt)
	switch {
	case isForeignKeyViolation(err):
		return noUser(t.UserID)
	case IsUniqueViolation(err, ""):
		return frontline.Errorf(frontline.EConflict, "API token exists")
	case err != nil:
		return fmt.Errorf("create API token: %w", err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return nil
}

const tokenColumns = `t.id, t.user_id, t.name, t.created_at, t.expires_at`

func scanToken(row pgx.Row, extra ...any) (*auth.APIToken, error) {
	var t auth.APIToken
	if err := row.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.ExpiresAt}, extra...)...); err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if t.ExpiresAt != nil {
		exp := t.ExpiresAt.UTC()
		t.ExpiresAt = &exp
	}
	return &t, nil
}

// FindAPIToken implements auth.Store.
func (s *AuthStore) FindAPIToken(ctx context.Context, tokenHash []byte, now time.Time) (*auth.APIToken, *frontline.User, error) {
	var u frontline.User
	var roles []string
	t, err := scanToken(s.db.pool.QueryRow(ctx, `
		SELECT `+tokenColumns+`, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2)`, tokenHash, now),
		&u.ID, &u.Email, &u.Name, &roles, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, frontline.Errorf(frontline.ENotFound, "no such API token")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find API token: %w", err)
	}
	for _, r := range roles {
		u.Roles = append(u.Roles, frontline.Role(r))
	}
	u.CreatedAt = u.CreatedAt.UTC()
	t.TokenHash = tokenHash
	return t, &u, nil
}

// ListAPITokens implements auth.Store.
func (s *AuthStore) ListAPITokens(ctx context.Context, userID string) ([]*auth.APIToken, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*auth.APIToken, error) { return scanToken(row) })
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return out, nil
}

// DeleteAPIToken implements auth.Store.
func (s *AuthStore) DeleteAPIToken(ctx context.Context, userID, id string) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("delete API token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return frontline.Errorf(frontline.ENotFound, "no API token %s", id)
	}
	return nil
}
