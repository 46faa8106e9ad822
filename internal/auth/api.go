package auth

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
)

// Paths the Service serves.
const (
	LoginPath  = "/login"
	LogoutPath = "/logout"
)

// maxBodyBytes bounds a request to the auth API.
const maxBodyBytes = 16 << 10

var (
	everyone = frontline.Roles
	admins   = []frontline.Role{frontline.RoleAdmin}
)

// Routes are the Service's own endpoints: the sign-in page, sign-in and
// sign-out, the caller's account and API tokens, and the admin API for
// people.
func (s *Service) Routes() []frontline.Route {
	return []frontline.Route{
		{Method: "GET", Pattern: LoginPath, Public: true, Handler: loginAssets.Page("login.html")},
		{Method: "GET", Pattern: LoginPath + "/assets/{name}", Public: true, Handler: http.HandlerFunc(loginAssets.ServeAsset)},
		{Method: "POST", Pattern: "/api/login", Public: true, Handler: http.HandlerFunc(s.login)},
		{Method: "POST", Pattern: LogoutPath, Public: true, Handler: http.HandlerFunc(s.logout)},

		{Method: "GET", Pattern: "/api/me", Roles: everyone, Handler: http.HandlerFunc(s.me)},
		{Method: "POST", Pattern: "/api/me/password", Roles: everyone, Handler: http.HandlerFunc(s.changeOwnPassword)},
		{Method: "GET", Pattern: "/api/tokens", Roles: everyone, Handler: http.HandlerFunc(s.listTokens)},
		{Method: "POST", Pattern: "/api/tokens", Roles: everyone, Handler: http.HandlerFunc(s.createToken)},
		{Method: "DELETE", Pattern: "/api/tokens/{id}", Roles: everyone, Handler: http.HandlerFunc(s.revokeToken)},

		{Method: "GET", Pattern: "/api/users", Roles: admins, Handler: http.HandlerFunc(s.listUsers)},
		{Method: "POST", Pattern: "/api/users", Roles: admins, Handler: http.HandlerFunc(s.createUser)},
		{Method: "GET", Pattern: "/api/users/{id}", Roles: admins, Handler: http.HandlerFunc(s.getUser)},
		{Method: "PATCH", Pattern: "/api/users/{id}", Roles: admins, Handler: http.HandlerFunc(s.updateUser)},
		{Method: "POST", Pattern: "/api/users/{id}/password", Roles: admins, Handler: http.HandlerFunc(s.resetPassword)},
	}
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	var limited *limitedError
	if errors.As(err, &limited) {
		w.Header().Set("Retry-After", strconv.Itoa(int((limited.wait+time.Second-1)/time.Second)))
	}
	WriteError(w, r, s.log, err)
}

// POST /api/login {"email", "password"} → {"user": …} and the session cookie.
func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	u, token, err := s.Login(r.Context(), in.Email, in.Password, s.opts.ClientAddr(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// A browser signing in again leaves no older session behind.
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.Logout(r.Context(), c.Value); err != nil {
			s.log.WarnContext(r.Context(), "auth: end the previous session", "err", err)
		}
	}
	s.setCookie(w, r, token)
	WriteJSON(w, http.StatusOK, map[string]any{"user": u})
}

// POST /logout ends the session and forgets the cookie. A form post is sent
// to the sign-in page; a fetch gets 204.
func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.Logout(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearCookie(w, r)
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		http.Redirect(w, r, LoginPath, http.StatusSeeOther)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) cookieSecure(r *http.Request) bool { return s.opts.SecureCookies || r.TLS != nil }

func (s *Service) setCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/",
		MaxAge:   int(s.opts.SessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cookieSecure(r),
	})
}

func (s *Service) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cookieSecure(r),
	})
}

// GET /api/me → the signed-in person.
func (s *Service) me(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, frontline.UserFromContext(r.Context()))
}

// POST /api/me/password {"current_password", "new_password"}: signs out
// every session, this one too.
func (s *Service) changeOwnPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.ChangeOwnPassword(r.Context(), frontline.UserFromContext(r.Context()), in.Current, in.New); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// GET /api/users → {"users": […]}
func (s *Service) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.Users(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if users == nil {
		users = []*frontline.User{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"users": users})
}

// POST /api/users {"email", "name", "roles", "password"?} → 201 {"user",
// "password"?}. Without a password one is generated and returned once.
func (s *Service) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string           `json:"email"`
		Name     string           `json:"name"`
		Roles    []frontline.Role `json:"roles"`
		Password string           `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	generated := in.Password == ""
	if generated {
		in.Password = GeneratePassword()
	}
	u, err := s.CreateUser(r.Context(), NewUser{Email: in.Email, Name: in.Name, Roles: in.Roles, Password: in.Password})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{"user": u}
	if generated {
		out["password"] = in.Password
	}
	WriteJSON(w, http.StatusCreated, out)
}

// GET /api/users/{id}
func (s *Service) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.User(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, u)
}

// PATCH /api/users/{id} {"name"?, "roles"?, "disabled"?}
func (s *Service) updateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     *string           `json:"name"`
		Roles    *[]frontline.Role `json:"roles"`
		Disabled *bool             `json:"disabled"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.UpdateUser(r.Context(), frontline.UserFromContext(r.Context()), r.PathValue("id"), UserUpdate{Name: in.Name, Roles: in.Roles, Disabled: in.Disabled})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, u)
}

// POST /api/users/{id}/password {"password"?} → {"password"?}: sets the
// given password, or a generated one returned once; signs the person out
// everywhere.
func (s *Service) resetPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	generated := in.Password == ""
	if generated {
		in.Password = GeneratePassword()
	}
	if err := s.SetPassword(r.Context(), r.PathValue("id"), in.Password); err != nil {
		s.fail(w, r, err)
		return
	}
	if !generated {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"password": in.Password})
}

// GET /api/tokens → {"tokens": […]}: the caller's own.
func (s *Service) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := s.APITokens(r.Context(), frontline.UserFromContext(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ts == nil {
		ts = []*APIToken{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"tokens": ts})
}

// POST /api/tokens {"name", "expires_in_days"?} → 201 {"token": "flt_…",
// "api_token": …}; the token is shown only here.
func (s *Service) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name          string `json:"name"`
		ExpiresInDays int    `json:"expires_in_days"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > 3660 {
		s.fail(w, r, frontline.Errorf(frontline.EInvalid, "expires_in_days: between 0 (never) and 3660"))
		return
	}
	t, token, err := s.CreateAPIToken(r.Context(), frontline.UserFromContext(r.Context()), in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"token": token, "api_token": t})
}

// DELETE /api/tokens/{id}
func (s *Service) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.RevokeAPIToken(r.Context(), frontline.UserFromContext(r.Context()), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// GeneratePassword returns a random password: 26 characters of base32,
// 128 bits.
func GeneratePassword() string { return rand.Text() }

// decodeJSON reads one JSON object into v: the request must say it is
// JSON, be small, and hold only known fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return frontline.Errorf(frontline.EInvalid, "request body: Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxErr *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &maxErr):
			return frontline.Errorf(frontline.ETooLarge, "request body: larger than %d bytes", maxErr.Limit)
		case errors.As(err, &typeErr):
			return frontline.Errorf(frontline.EInvalid, "%s: wrong type", typeErr.Field)
		case errors.Is(err, io.EOF):
			return frontline.Errorf(frontline.EInvalid, "request body: empty; send a JSON object")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return frontline.Errorf(frontline.EInvalid, "request body: unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return frontline.Errorf(frontline.EInvalid, "request body: malformed JSON")
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return frontline.Errorf(frontline.EInvalid, "request body: more than one JSON value")
	}
	return nil
}
