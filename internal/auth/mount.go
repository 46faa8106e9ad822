package auth

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/frontlinehq/frontline"
)

// Mount registers routes on mux, each behind the one authorization check:
// authenticate, check the route's roles, refuse cross-origin state changes,
// put the User in the context. It refuses (with an error, mounting
// nothing) a route without a handler, with a bad method or pattern, or
// with no Roles that is not Public: every route states its rule. A Method
// of "" matches every method. A pattern that conflicts with one already on
// mux is an error too (the routes before it stay mounted: the caller
// should stop). Mounted routes are recorded (Mounted).
func (s *Service) Mount(mux *http.ServeMux, routes []frontline.Route) (err error) {
	for _, rt := range routes {
		if err := checkRoute(rt); err != nil {
			return err
		}
	}
	defer func() {
		// ServeMux panics on a conflicting pattern; that is a wiring
		// mistake the caller should see as an error.
		if p := recover(); p != nil {
			err = fmt.Errorf("auth: mount: %v", p)
		}
	}()
	for _, rt := range routes {
		pattern := rt.Pattern
		if rt.Method != "" {
			pattern = rt.Method + " " + rt.Pattern
		}
		mux.Handle(pattern, s.guard(rt))
		s.mu.Lock()
		s.mounted = append(s.mounted, rt)
		s.mu.Unlock()
	}
	return nil
}

// Mounted returns every route mounted so far, in order: what the
// authorization matrix test enumerates.
func (s *Service) Mounted() []frontline.Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mounted)
}

func checkRoute(rt frontline.Route) error {
	name := strings.TrimSpace(rt.Method + " " + rt.Pattern)
	switch {
	case rt.Handler == nil:
		return fmt.Errorf("auth: route %s has no handler", name)
	case !strings.HasPrefix(rt.Pattern, "/"):
		return fmt.Errorf("auth: route %s: pattern must be a path starting with /", name)
	case rt.Method != "" && rt.Method != strings.ToUpper(rt.Method):
		return fmt.Errorf("auth: route %s: method must be upper case", name)
	case strings.ContainsAny(rt.Method, " /"):
		return fmt.Errorf("auth: route %s: method %q is not an HTTP method", name, rt.Method)
	case len(rt.Roles) == 0 && !rt.Public:
		return fmt.Errorf("auth: route %s states no rule: give it Roles, or mark it Public", name)
	case len(rt.Roles) > 0 && rt.Public:
		return fmt.Errorf("auth: route %s is both Public and limited to roles", name)
	}
	for _, r := range rt.Roles {
		if !r.Valid() {
			return fmt.Errorf("auth: route %s: unknown role %q", name, r)
		}
	}
	return nil
}

// guard is the one check every mounted request passes.
func (s *Service) guard(rt frontline.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.origins.Check(r); err != nil {
			s.refuse(w, r, frontline.Errorf(frontline.EForbidden, "cross-origin request refused: this endpoint takes requests only from its own pages"))
			return
		}
		u, cred, err := s.authenticate(r)
		if err != nil && frontline.ErrorCode(err) == frontline.EInternal {
			s.refuse(w, r, err)
			return
		}
		if cred == sessionCredential && u == nil {
			// A forged, expired or ended session: forget the cookie.
			s.clearCookie(w, r)
		}
		if rt.Public {
			if err == nil && u != nil {
				r = r.WithContext(frontline.NewContextWithUser(r.Context(), u))
			}
			rt.Handler.ServeHTTP(w, r)
			return
		}
		switch {
		case err != nil:
			s.refuse(w, r, err)
			return
		case u == nil:
			s.refuse(w, r, frontline.Errorf(frontline.EUnauthorized, "sign in first"))
			return
		case !u.HasRole(rt.Roles...):
			s.refuse(w, r, forbidden(rt.Roles))
			return
		}
		rt.Handler.ServeHTTP(w, r.WithContext(frontline.NewContextWithUser(r.Context(), u)))
	})
}

// refuse answers an error. A page request (a browser navigation, asking
// for HTML) that needs a sign-in is sent to the sign-in page instead.
func (s *Service) refuse(w http.ResponseWriter, r *http.Request, err error) {
	code := frontline.ErrorCode(err)
	if wantsPage(r) {
		switch code {
		case frontline.EUnauthorized:
			http.Redirect(w, r, LoginPath+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case frontline.EForbidden:
			s.forbiddenPage(w, r, frontline.ErrorMessage(err))
			return
		}
	}
	if code == frontline.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="frontline"`)
	}
	WriteError(w, r, s.log, err)
}

// wantsPage reports whether r is a browser navigation: a GET asking for
// HTML. fetch() asks for */*, so API calls get JSON.
func wantsPage(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// ErrorBody is every API error: {"error": {"code": …, "message": …}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError answers err in the one JSON error shape, with the status of
// its code. Internal errors are logged (when logger is not nil) and shown
// as "internal error".
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	body := ErrorBody{Error: ErrorDetail{Code: frontline.ErrorCode(err), Message: frontline.ErrorMessage(err)}}
	if body.Error.Code == frontline.EInternal && logger != nil {
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	WriteJSON(w, frontline.ErrorStatus(err), body)
}

// WriteJSON answers v as JSON with status, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client is gone if this fails
}
