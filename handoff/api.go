package handoff

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
)

// APIPath is where NewAPI's handler expects to be mounted, without
// stripping the prefix: both APIPath and APIPath + "/".
const APIPath = "/api/handoffs"

// NewAPI returns the read-only JSON listing of hand-offs for operators:
//
//	GET /api/handoffs?status=waiting&tier=t2&team=billing&limit=50
//	    → {"handoffs": [QueueEntry with its packet, ...]} in queue order
//	GET /api/handoffs/{conversation_id}
//	    → one QueueEntry
//
// Every request needs "Authorization: Bearer <adminToken>". With an empty
// adminToken the listing is disabled and answers 503.
func NewAPI(svc *Service, adminToken string, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &api{svc: svc, logger: logger}
	if adminToken != "" {
		sum := sha256.Sum256([]byte(adminToken))
		a.tokenSum = sum[:]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+APIPath, a.list)
	mux.HandleFunc("GET "+APIPath+"/{$}", a.list)
	mux.HandleFunc("GET "+APIPath+"/{id}", a.one)
	return a.authorize(mux)
}

type api struct {
	svc    *Service
	logger *slog.Logger
	// tokenSum is the SHA-256 of the admin token: comparing fixed-length
	// digests in constant time leaks neither the token nor its length.
	tokenSum []byte
}

func (a *api) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if a.tokenSum == nil {
			a.error(w, r, frontline.Errorf(frontline.EUnavailable, "the hand-off listing is disabled: no admin token is configured"))
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if !ok || subtle.ConstantTimeCompare(sum[:], a.tokenSum) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="frontline"`)
			a.error(w, r, frontline.Errorf(frontline.EUnauthorized, "a valid admin token is required"))
			return
		}
		next.ServeHTTP(w, r)
	})
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
