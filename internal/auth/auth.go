// Package auth is who may do what: people's passwords, sessions and API
// tokens, and the one place that checks every request's role.
//
// Routes of every package reach the mux only through Service.Mount, which
// authenticates the caller (a session cookie or an API token), checks the
// route's roles, refuses state-changing requests from other origins, puts
// the User in the request's context and answers every refusal in one JSON
// shape: {"error": {"code": …, "message": …}}. The agent websocket calls
// Service.Authenticate on its upgrade request.
//
// Passwords are hashed with argon2id. A session is a random token in an
// HTTP-only, SameSite=Lax cookie (Secure over HTTPS); an API token is a
// random token sent as "Authorization: Bearer". The store keeps only the
// SHA-256 of either, so a copy of the database signs nobody in.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontlinehq/frontline"
)

// Defaults and bounds.
const (
	// DefaultSessionTTL is how long a sign-in lasts: a working day.
	DefaultSessionTTL = 12 * time.Hour
	// SessionCookie names the cookie holding the session token.
	SessionCookie = "frontline_session"
	// APITokenPrefix starts every API token, so a leaked one is
	// recognisable (and scanners can find it).
	APITokenPrefix = "flt_"

	maxEmailLen     = 254
	maxNameLen      = 100
	maxTokenNameLen = 100
	maxTokensOwned  = 50
)

// Options configure a Service.
type Options struct {
	// SessionTTL is how long a session lasts. Default DefaultSessionTTL.
	SessionTTL time.Duration
	// SecureCookies marks the session cookie Secure even on plain HTTP
	// requests: set it when a proxy terminates TLS. Requests that arrive
	// over TLS always get Secure cookies.
	SecureCookies bool
	// TrustedOrigins are origins (scheme://host[:port]) besides the
	// request's own host that may send state-changing requests: the public
	// URL's origin when a proxy rewrites Host.
	TrustedOrigins []string
	// Limits bound failed sign-ins. Default DefaultLoginLimits.
	Limits LoginLimits
	// Password are argon2id's costs for new hashes. Default
	// DefaultPasswordParams.
	Password PasswordParams
	// ClientAddr returns the caller's address for the per-address limit.
	// Default: the peer's IP.
	ClientAddr func(*http.Request) string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives internal errors. Default: discard.
	Logger *slog.Logger
}

// Service authenticates and authorizes people. It is safe for concurrent
// use.
type Service struct {
	store   Store
	opts    Options
	log     *slog.Logger
	origins *http.CrossOriginProtection
	// dummyHash is verified against when no user has the email, so an
	// unknown email takes as long as a wrong password. Made on first use.
	dummyHash     string
	dummyHashOnce sync.Once
	// hashing bounds concurrent argon2id runs: each takes Memory KiB.
	hashing chan struct{}

	accountFailures *failureCounter
	addressFailures *failureCounter

	mu      sync.Mutex
	mounted []frontline.Route
}

// New returns a Service over store.
func New(store Store, opts Options) (*Service, error) {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Limits == (LoginLimits{}) {
		opts.Limits = DefaultLoginLimits
	}
	if opts.Limits.Account <= 0 || opts.Limits.Address <= 0 || opts.Limits.Window <= 0 {
		return nil, fmt.Errorf("auth: login limits must be positive: %+v", opts.Limits)
	}
	if opts.Password == (PasswordParams{}) {
		opts.Password = DefaultPasswordParams
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = peerAddr
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		store:           store,
		opts:            opts,
		log:             opts.Logger,
		origins:         http.NewCrossOriginProtection(),
		hashing:         make(chan struct{}, 4),
		accountFailures: newFailureCounter(opts.Limits.Account, opts.Limits.Window),
		addressFailures: newFailureCounter(opts.Limits.Address, opts.Limits.Window),
	}
	for _, o := range opts.TrustedOrigins {
		if err := s.origins.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("auth: trusted origin: %w", err)
		}
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// randomToken returns 256 random bits, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the store keeps of a session or API token.
func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ---- people ------------------------------------------------------------

// NewUser is what CreateUser needs.
type NewUser struct {
	Email    string
	Name     string
	Roles    []frontline.Role
	Password string
}

// CreateUser validates and stores a person with a hashed password.
// EInvalid for a bad email, name, role or password; EConflict when the
// email is taken.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*frontline.User, error) {
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := normalizeName(in.Name, email)
	if err != nil {
		return nil, err
	}
	roles, err := normalizeRoles(in.Roles)
	if err != nil {
		return nil, err
	}
	if err := validatePassword(in.Password); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u := &frontline.User{Email: email, Name: name, Roles: roles}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		return nil, err
	}
	return u, nil
}

// Users lists every person.
func (s *Service) Users(ctx context.Context) ([]*frontline.User, error) {
	return s.store.ListUsers(ctx)
}

// User returns one person. ENotFound when there is none.
func (s *Service) User(ctx context.Context, id string) (*frontline.User, error) {
	if !frontline.ValidID(id) {
		return nil, frontline.Errorf(frontline.ENotFound, "no user %q", id)
	}
	return s.store.FindUserByID(ctx, id)
}

// UpdateUser changes a person's name, roles or disabled flag. actor is who
// asks: nobody may disable themselves or take away their own admin role,
// so an admin cannot lock everyone out by mistake.
func (s *Service) UpdateUser(ctx context.Context, actor *frontline.User, id string, upd UserUpdate) (*frontline.User, error) {
	if upd.Name != nil {
		name, err := normalizeName(*upd.Name, "x")
		if err != nil {
			return nil, err
		}
		upd.Name = &name
	}
	if upd.Roles != nil {
		roles, err := normalizeRoles(*upd.Roles)
		if err != nil {
			return nil, err
		}
		upd.Roles = &roles
	}
	if actor != nil && actor.ID == id {
		if upd.Disabled != nil && *upd.Disabled {
			return nil, frontline.Errorf(frontline.EInvalid, "disabled: you cannot disable your own account")
		}
		if upd.Roles != nil && actor.HasRole(frontline.RoleAdmin) && !slices.Contains(*upd.Roles, frontline.RoleAdmin) {
			return nil, frontline.Errorf(frontline.EInvalid, "roles: you cannot remove your own admin role")
		}
	}
	if _, err := s.User(ctx, id); err != nil {
		return nil, err
	}
	return s.store.UpdateUser(ctx, id, upd)
}

// SetPassword replaces a person's password and signs them out everywhere.
func (s *Service) SetPassword(ctx context.Context, id, password string) error {
	if err := validatePassword(password); err != nil {
		return err
	}
	if _, err := s.User(ctx, id); err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	return s.store.SetPasswordHash(ctx, id, hash)
}

// ChangeOwnPassword is SetPassword for the signed-in person, who must
// know the current password.
func (s *Service) ChangeOwnPassword(ctx context.Context, u *frontline.User, current, password string) error {
	stored, hash, err := s.store.FindUserByEmail(ctx, u.Email)
	if err != nil {
		return err
	}
	if stored.ID != u.ID || !s.verify(ctx, current, hash) {
		return frontline.Errorf(frontline.EInvalid, "current_password: not right")
	}
	return s.SetPassword(ctx, u.ID, password)
}

// hash runs argon2id, at most cap(s.hashing) at a time.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquireHashing(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return hashPassword(password, s.opts.Password)
}

func (s *Service) verify(ctx context.Context, password, hash string) bool {
	if err := s.acquireHashing(ctx); err != nil {
		return false
	}
	defer func() { <-s.hashing }()
	return verifyPassword(password, hash)
}

func (s *Service) acquireHashing(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func normalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", frontline.Errorf(frontline.EInvalid, "email: required")
	}
	if len(email) > maxEmailLen {
		return "", frontline.Errorf(frontline.EInvalid, "email: longer than %d characters", maxEmailLen)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email {
		return "", frontline.Errorf(frontline.EInvalid, "email: %q is not an email address", email)
	}
	return email, nil
}

// normalizeName trims a display name; an empty one becomes the part of
// the email before the @.
func normalizeName(name, email string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if utf8.RuneCountInString(name) > maxNameLen {
		return "", frontline.Errorf(frontline.EInvalid, "name: longer than %d characters", maxNameLen)
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", frontline.Errorf(frontline.EInvalid, "name: holds control characters")
	}
	return name, nil
}

// normalizeRoles checks roles and returns them deduplicated, in
// frontline.Roles order.
func normalizeRoles(roles []frontline.Role) ([]frontline.Role, error) {
	if len(roles) == 0 {
		return nil, frontline.Errorf(frontline.EInvalid, "roles: at least one of agent, supervisor, editor, admin")
	}
	for _, r := range roles {
		if !r.Valid() {
			return nil, frontline.Errorf(frontline.EInvalid, "roles: %q is not agent, supervisor, editor or admin", r)
		}
	}
	var out []frontline.Role
	for _, r := range frontline.Roles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// ---- sessions ----------------------------------------------------------

// errBadLogin is the one answer to a wrong email or password: which of the
// two was wrong is not said.
var errBadLogin = frontline.Errorf(frontline.EUnauthorized, "the email or password is not right")

// Login checks an email and password from addr and starts a session. It
// returns the person and the session token for the cookie. Failures are
// counted per email and per address; over the limit it answers
// ERateLimited without looking at the password.
func (s *Service) Login(ctx context.Context, email, password, addr string) (*frontline.User, string, error) {
	now := s.now()
	email = strings.ToLower(strings.TrimSpace(email))
	if blocked, until := s.accountFailures.blocked(email, now); blocked {
		s.log.WarnContext(ctx, "auth: sign-in refused: too many failures for the account", "addr", addr)
		return nil, "", rateLimited(until.Sub(now))
	}
	if blocked, until := s.addressFailures.blocked(addr, now); blocked {
		s.log.WarnContext(ctx, "auth: sign-in refused: too many failures from the address", "addr", addr)
		return nil, "", rateLimited(until.Sub(now))
	}
	if email == "" || password == "" || len(password) > MaxPasswordLen || len(email) > maxEmailLen {
		s.failed(email, addr, now)
		return nil, "", errBadLogin
	}
	u, hash, err := s.store.FindUserByEmail(ctx, email)
	switch {
	case frontline.ErrorCode(err) == frontline.ENotFound:
		s.dummyHashOnce.Do(func() {
			// A failure leaves it empty, which verifies nothing as fast.
			s.dummyHash, _ = hashPassword(randomToken(), s.opts.Password)
		})
		s.verify(ctx, password, s.dummyHash)
		s.failed(email, addr, now)
		return nil, "", errBadLogin
	case err != nil:
		return nil, "", err
	}
	if !s.verify(ctx, password, hash) {
		s.failed(email, addr, now)
		return nil, "", errBadLogin
	}
	if u.Disabled {
		return nil, "", frontline.Errorf(frontline.EForbidden, "this account is disabled; ask an admin")
	}
	s.accountFailures.reset(email)
	token := randomToken()
	sess := &Session{TokenHash: hashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, "", err
	}
	s.log.InfoContext(ctx, "auth: signed in", "user_id", u.ID, "addr", addr)
	if n, err := s.store.DeleteExpiredSessions(ctx, now); err != nil {
		s.log.WarnContext(ctx, "auth: sweep expired sessions", "err", err)
	} else if n > 0 {
		s.log.DebugContext(ctx, "auth: swept expired sessions", "count", n)
	}
	return u, token, nil
}

func (s *Service) failed(email, addr string, now time.Time) {
	if email != "" {
		s.accountFailures.fail(email, now)
	}
	s.addressFailures.fail(addr, now)
}

// limitedError is ERateLimited with how long to wait, for Retry-After.
type limitedError struct {
	err  *frontline.Error
	wait time.Duration
}

func (e *limitedError) Error() string { return e.err.Error() }
func (e *limitedError) Unwrap() error { return e.err }

func rateLimited(wait time.Duration) error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	return &limitedError{
		err:  frontline.Errorf(frontline.ERateLimited, "too many failed sign-ins; try again in %d minute%s", minutes, plural(minutes)),
		wait: wait,
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Logout ends the session of token. Ending an unknown session is fine.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, hashToken(token))
}

// ---- API tokens ----------------------------------------------------------

// CreateAPIToken makes a token for u, named for what it automates, valid
// for ttl (0: until revoked). It returns the token, shown only now.
func (s *Service) CreateAPIToken(ctx context.Context, u *frontline.User, name string, ttl time.Duration) (*APIToken, string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return nil, "", frontline.Errorf(frontline.EInvalid, "name: required (what the token is for)")
	case utf8.RuneCountInString(name) > maxTokenNameLen:
		return nil, "", frontline.Errorf(frontline.EInvalid, "name: longer than %d characters", maxTokenNameLen)
	case ttl < 0:
		return nil, "", frontline.Errorf(frontline.EInvalid, "expires_in_days: must not be negative")
	}
	owned, err := s.store.ListAPITokens(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	if len(owned) >= maxTokensOwned {
		return nil, "", frontline.Errorf(frontline.EConflict, "you hold %d API tokens already; revoke one first", len(owned))
	}
	token := APITokenPrefix + randomToken()
	t := &APIToken{UserID: u.ID, Name: name, TokenHash: hashToken(token)}
	if ttl > 0 {
		exp := s.now().Add(ttl)
		t.ExpiresAt = &exp
	}
	if err := s.store.CreateAPIToken(ctx, t); err != nil {
		return nil, "", err
	}
	return t, token, nil
}

// APITokens lists u's tokens (never the tokens themselves).
func (s *Service) APITokens(ctx context.Context, u *frontline.User) ([]*APIToken, error) {
	return s.store.ListAPITokens(ctx, u.ID)
}

// RevokeAPIToken deletes u's token id. ENotFound when u holds none.
func (s *Service) RevokeAPIToken(ctx context.Context, u *frontline.User, id string) error {
	if !frontline.ValidID(id) {
		return frontline.Errorf(frontline.ENotFound, "no API token %q", id)
	}
	return s.store.DeleteAPIToken(ctx, u.ID, id)
}

// ---- authentication ------------------------------------------------------

// credential says how a request identified itself.
type credential int

const (
	noCredential credential = iota
	sessionCredential
	tokenCredential
)

// authenticate finds the person behind r. It returns (nil, noCredential,
// nil) when r carries no credential; EUnauthorized when it carries one
// that is not valid (forged, expired, ended, revoked) and EForbidden when
// its person is disabled. An Authorization header, when present, wins over
// the cookie.
func (s *Service) authenticate(r *http.Request) (*frontline.User, credential, error) {
	ctx := r.Context()
	now := s.now()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, tokenCredential, frontline.Errorf(frontline.EUnauthorized, "Authorization: use \"Bearer <API token>\"")
		}
		_, u, err := s.store.FindAPIToken(ctx, hashToken(token), now)
		if frontline.ErrorCode(err) == frontline.ENotFound {
			return nil, tokenCredential, frontline.Errorf(frontline.EUnauthorized, "the API token is not valid (revoked, expired or mistyped)")
		}
		if err != nil {
			return nil, tokenCredential, err
		}
		if u.Disabled {
			return nil, tokenCredential, frontline.Errorf(frontline.EForbidden, "this account is disabled")
		}
		return u, tokenCredential, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, noCredential, nil
	}
	_, u, err := s.store.FindSession(ctx, hashToken(c.Value), now)
	if frontline.ErrorCode(err) == frontline.ENotFound {
		return nil, sessionCredential, frontline.Errorf(frontline.EUnauthorized, "your session has ended; sign in again")
	}
	if err != nil {
		return nil, sessionCredential, err
	}
	if u.Disabled {
		return nil, sessionCredential, frontline.Errorf(frontline.EForbidden, "this account is disabled")
	}
	return u, sessionCredential, nil
}

// Authenticate identifies the person behind a request that does not go
// through Mount, such as the agent websocket's upgrade: it checks the
// credential (session cookie or API token), refuses a cookie-authenticated
// request from another origin (cross-site websocket hijacking), and, when
// roles are given, that the person holds one of them. Errors: EUnauthorized
// (no or invalid credential), EForbidden (another origin, disabled, or
// lacking the role). A long-lived socket may call it again with its
// upgrade request to learn whether the session still holds (signed out,
// expired, disabled, roles changed): it reads the store each time.
func (s *Service) Authenticate(r *http.Request, roles ...frontline.Role) (*frontline.User, error) {
	u, cred, err := s.authenticate(r)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, frontline.Errorf(frontline.EUnauthorized, "sign in first")
	}
	if cred == sessionCredential {
		// A handshake is a GET, which CrossOriginProtection lets through;
		// check it as if it changed state.
		probe := r.Clone(r.Context())
		probe.Method = http.MethodPost
		if err := s.origins.Check(probe); err != nil {
			return nil, frontline.Errorf(frontline.EForbidden, "cross-origin request refused")
		}
	}
	if len(roles) > 0 && !u.HasRole(roles...) {
		return nil, forbidden(roles)
	}
	return u, nil
}

func forbidden(roles []frontline.Role) error {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return frontline.Errorf(frontline.EForbidden, "this needs the %s role", strings.Join(names, " or "))
}
