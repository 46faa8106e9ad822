package memory

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/auth"
)

var _ auth.Store = (*AuthStore)(nil)

// AuthStore keeps people, sessions and API tokens in memory.
type AuthStore struct {
	mu       sync.RWMutex
	users    map[string]*authUser // by id
	byEmail  map[string]string    // lower-cased email → id
	sessions map[string]auth.Session
	tokens   map[string]auth.APIToken // by id
	now      func() time.Time
}

type authUser struct {
	u    frontline.User
	hash string
}

// NewAuthStore returns an empty AuthStore.
func NewAuthStore() *AuthStore {
	return &AuthStore{
		users:    map[string]*authUser{},
		byEmail:  map[string]string{},
		sessions: map[string]auth.Session{},
		tokens:   map[string]auth.APIToken{},
		now:      func() time.Time { return time.Now().UTC() },
	}
}

func cloneUser(u frontline.User) *frontline.User {
	u.Roles = slices.Clone(u.Roles)
	return &u
}

// CreateUser implements auth.Store.
func (s *AuthStore) CreateUser(ctx context.Context, u *frontline.User, passwordHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(u.Email)
	if _, ok := s.byEmail[key]; ok {
		return frontline.Errorf(frontline.EConflict, "a user with email %s exists", u.Email)
	}
	if u.ID == "" {
		u.ID = frontline.NewID("u_")
	}
	if _, ok := s.users[u.ID]; ok {
		return frontline.Errorf(frontline.EConflict, "user %s exists", u.ID)
	}
	u.CreatedAt = s.now().Truncate(time.Microsecond)
	s.users[u.ID] = &authUser{u: *cloneUser(*u), hash: passwordHash}
	s.byEmail[key] = u.ID
	return nil
}

// FindUserByID implements auth.Store.
func (s *AuthStore) FindUserByID(ctx context.Context, id string) (*frontline.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	au, ok := s.users[id]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "no user %s", id)
	}
	return cloneUser(au.u), nil
}

// FindUserByEmail implements auth.Store.
func (s *AuthStore) FindUserByEmail(ctx context.Context, email string) (*frontline.User, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byEmail[strings.ToLower(email)]
	if !ok {
		return nil, "", frontline.Errorf(frontline.ENotFound, "no user with email %s", email)
	}
	au := s.users[id]
	return cloneUser(au.u), au.hash, nil
}

// ListUsers implements auth.Store.
func (s *AuthStore) ListUsers(ctx context.Context) ([]*frontline.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*frontline.User, 0, len(s.users))
	for _, au := range s.users {
		out = append(out, cloneUser(au.u))
	}
	slices.SortFunc(out, func(a, b *frontline.User) int { return strings.Compare(a.Email, b.Email) })
	return out, nil
}

// UpdateUser implements auth.Store.
func (s *AuthStore) UpdateUser(ctx context.Context, id string, upd auth.UserUpdate) (*frontline.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	au, ok := s.users[id]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "no user %s", id)
	}
	if upd.Name != nil {
		au.u.Name = *upd.Name
	}
	if upd.Roles != nil {
		au.u.Roles = slices.Clone(*upd.Roles)
	}
	if upd.Disabled != nil {
		au.u.Disabled = *upd.Disabled
		if au.u.Disabled {
			s.deleteSessionsLocked(id)
		}
	}
	return cloneUser(au.u), nil
}

// SetPasswordHash implements auth.Store.
func (s *AuthStore) SetPasswordHash(ctx context.Context, id, passwordHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	au, ok := s.users[id]
	if !ok {
		return frontline.Errorf(frontline.ENotFound, "no user %s", id)
	}
	au.hash = passwordHash
	s.deleteSessionsLocked(id)
	return nil
}

func (s *AuthStore) deleteSessionsLocked(userID string) {
	for k, sess := range s.sessions {
		if sess.UserID == userID {
			delete(s.sessions, k)
		}
	}
}

// CreateSession implements auth.Store.
func (s *AuthStore) CreateSession(ctx context.Context, sess *auth.Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[sess.UserID]; !ok {
		return frontline.Errorf(frontline.ENotFound, "no user %s", sess.UserID)
	}
	key := string(sess.TokenHash)
	if _, ok := s.sessions[key]; ok {
		return frontline.Errorf(frontline.EConflict, "session exists")
	}
	c := *sess
	c.TokenHash = bytes.Clone(sess.TokenHash)
	s.sessions[key] = c
	return nil
}

// FindSession implements auth.Store.
func (s *AuthStore) FindSession(ctx context.Context, tokenHash []byte, now time.Time) (*auth.Session, *frontline.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sess, ok := s.sessions[string(tokenHash)]
	if !ok || !sess.ExpiresAt.After(now) {
		return nil, nil, frontline.Errorf(frontline.ENotFound, "no such session")
	}
	au, ok := s.users[sess.UserID]
	if !ok {
		return nil, nil, frontline.Errorf(frontline.ENotFound, "no such session")
	}
	sess.TokenHash = bytes.Clone(sess.TokenHash)
	return &sess, cloneUser(au.u), nil
}

// DeleteSession implements auth.Store.
func (s *AuthStore) DeleteSession(ctx context.Context, tokenHash []byte) error {
	s.mu.Lock()
	delete(s.sessions, string(tokenHash))
	s.mu.Unlock()
	return nil
}

// DeleteExpiredSessions implements auth.Store.
func (s *AuthStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, sess := range s.sessions {
		if !sess.ExpiresAt.After(now) {
			delete(s.sessions, k)
			n++
		}
	}
	return n, nil
}

// CreateAPIToken implements auth.Store.
func (s *AuthStore) CreateAPIToken(ctx context.Context, t *auth.APIToken) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[t.UserID]; !ok {
		return frontline.Errorf(frontline.ENotFound, "no user %s", t.UserID)
	}
	for _, other := range s.tokens {
		if bytes.Equal(other.TokenHash, t.TokenHash) {
			return frontline.Errorf(frontline.EConflict, "API token exists")
		}
	}
	if t.ID == "" {
		t.ID = frontline.NewID("tok_")
	}
	t.CreatedAt = s.now().Truncate(time.Microsecond)
	c := *t
	c.TokenHash = bytes.Clone(t.TokenHash)
	s.tokens[t.ID] = c
	return nil
}

// FindAPIToken implements auth.Store.
func (s *AuthStore) FindAPIToken(ctx context.Context, tokenHash []byte, now time.Time) (*auth.APIToken, *frontline.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.tokens {
		if !bytes.Equal(t.TokenHash, tokenHash) {
			continue
		}
		if t.ExpiresAt != nil && !t.ExpiresAt.After(now) {
			break
		}
		au, ok := s.users[t.UserID]
		if !ok {
			break
		}
		t.TokenHash = bytes.Clone(t.TokenHash)
		return &t, cloneUser(au.u), nil
	}
	return nil, nil, frontline.Errorf(frontline.ENotFound, "no such API token")
}

// ListAPITokens implements auth.Store.
func (s *AuthStore) ListAPITokens(ctx context.Context, userID string) ([]*auth.APIToken, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*auth.APIToken
	for _, t := range s.tokens {
		if t.UserID == userID {
			t.TokenHash = nil
			out = append(out, &t)
		}
	}
	slices.SortFunc(out, func(a, b *auth.APIToken) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

// DeleteAPIToken implements auth.Store.
func (s *AuthStore) DeleteAPIToken(ctx context.Context, userID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || t.UserID != userID {
		return frontline.Errorf(frontline.ENotFound, "no API token %s", id)
	}
	delete(s.tokens, id)
	return nil
}
