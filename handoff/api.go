package handoff

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
)

// APIPath is where the listing is served.
const APIPath = "/api/handoffs"

// APIRoles may read the listing.
var APIRoles = []frontline.Role{frontline.RoleSupervisor, frontline.RoleAdmin}

// APIRoutes returns the read-only JSON listing of hand-offs for
// supervisors, as routes for internal/auth's Mount (which signs the caller
// in and checks APIRoles):
//
//	GET /api/handoffs?status=waiting&tier=t2&team=billing&limit=50
//	    → {"handoffs": [QueueEntry with its packet, ...]} in queue order
//	GET /api/handoffs/{conversation_id}
//	    → one QueueEntry
func APIRoutes(svc *Service, logger *slog.Logger) []frontline.Route {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &api{svc: svc, logger: logger}
	route := func(pattern string, f http.HandlerFunc) frontline.Route {
		return frontline.Route{Method: "GET", Pattern: pattern, Roles: APIRoles, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			f(w, r)
		})}
	}
	return []frontline.Route{
		route(APIPath, a.list),
		route(APIPath+"/{$}", a.list),
		route(APIPath+"/{id}", a.one),
	}
}

type api struct {
	svc    *Service
	logger *slog.Logger
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := QueueFilter{
		Status: frontline.QueueStatus(q.Get("status")),
		Tier:   frontline.Tier(q.Get("tier")),
		Team:   q.Get("team"),
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			a.error(w, r, frontline.Errorf(frontline.EInvalid, "limit: %q is not a number", v))
			return
		}
		f.Limit = n
	}
	entries, err := a.svc.Entries(r.Context(), f)
	if err != nil {
		a.error(w, r, err)
		return
	}
	if entries == nil {
		entries = []*frontline.QueueEntry{}
	}
	a.json(w, http.StatusOK, map[string]any{"handoffs": entries})
}

func (a *api) one(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !frontline.ValidID(id) {
		a.error(w, r, frontline.Errorf(frontline.EInvalid, "conversation id: not a valid id"))
		return
	}
	e, err := a.svc.Entry(r.Context(), id)
	if err != nil {
		a.error(w, r, err)
		return
	}
	a.json(w, http.StatusOK, e)
}

func (a *api) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		a.logger.Warn("handoff api: write response", "err", err)
	}
}

// error answers in the one error shape of every API (internal/apierror);
// internal errors are logged and shown generically.
func (a *api) error(w http.ResponseWriter, r *http.Request, err error) {
	apierror.Write(w, r, a.logger.With("part", "handoff api"), err)
}
