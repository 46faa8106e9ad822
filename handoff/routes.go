package handoff

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
)

var (
	agentRoles = []frontline.Role{frontline.RoleAgent, frontline.RoleSupervisor, frontline.RoleAdmin}
	bossRoles  = []frontline.Role{frontline.RoleSupervisor, frontline.RoleAdmin}
	adminRoles = []frontline.Role{frontline.RoleAdmin}
)

// maxRequestBytes bounds a JSON request body.
const maxRequestBytes = 64 << 10

// Routes returns the agent API and the admin API as a route table, each
// route with the roles that may call it; internal/auth mounts them and
// puts the caller in the request's context. Which conversations a caller
// may see or change is decided per request by the service (authorize).
// Bodies and answers are JSON; errors are {"error": {"code", "message"}}.
func (s *Service) Routes(logger *slog.Logger) []frontline.Route {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &handlers{svc: s, logger: logger}
	r := func(method, pattern string, roles []frontline.Role, fn http.HandlerFunc) frontline.Route {
		return frontline.Route{Method: method, Pattern: pattern, Roles: roles, Handler: fn}
	}
	conv := "/api/agent/conversations/{id}"
	return []frontline.Route{
		r("GET", "/api/agent/me", agentRoles, h.me),
		r("PUT", "/api/agent/me/presence", agentRoles, h.presence),
		r("GET", "/api/agent/queue", agentRoles, h.queue),
		r("POST", "/api/agent/claim", agentRoles, h.claimNext),
		r("GET", "/api/agent/canned", agentRoles, h.canned),
		r("GET", conv, agentRoles, h.view),
		r("GET", conv+"/messages", agentRoles, h.messages),
		r("POST", conv+"/claim", agentRoles, h.claim),
		r("POST", conv+"/messages", agentRoles, h.reply),
		r("POST", conv+"/typing", agentRoles, h.typing),
		r("POST", conv+"/notes", agentRoles, h.note),
		r("PUT", conv+"/tags", agentRoles, h.tags),
		r("POST", conv+"/transfer", agentRoles, h.transfer),
		r("POST", conv+"/handback", agentRoles, h.handBack),
		r("POST", conv+"/resolve", agentRoles, h.resolve),
		r("POST", conv+"/reopen", agentRoles, h.reopen),
		r("POST", conv+"/csat-request", agentRoles, h.csatRequest),
		r("POST", conv+"/reassign", bossRoles, h.reassign),

		r("GET", "/api/admin/agents", bossRoles, h.listAgents),
		r("PUT", "/api/admin/agents/{id}", adminRoles, h.putAgent),
		r("DELETE", "/api/admin/agents/{id}", adminRoles, h.deleteAgent),
		r("GET", "/api/admin/teams", bossRoles, h.listTeams),
		r("PUT", "/api/admin/teams/{id}", adminRoles, h.putTeam),
		r("DELETE", "/api/admin/teams/{id}", adminRoles, h.deleteTeam),
		r("GET", "/api/admin/sla-policies", bossRoles, h.listPolicies),
		r("PUT", "/api/admin/sla-policies/{priority}", adminRoles, h.putPolicy),
		r("PUT", "/api/admin/canned/{id}", adminRoles, h.putCanned),
		r("DELETE", "/api/admin/canned/{id}", adminRoles, h.deleteCanned),
	}
}

type handlers struct {
	svc    *Service
	logger *slog.Logger
}

func user(r *http.Request) *frontline.User { return frontline.UserFromContext(r.Context()) }

// decode reads a JSON body strictly into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return frontline.Errorf(frontline.EInvalid, "request body: %v", err)
	}
	return nil
}

func (h *handlers) reply2(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		h.logger.Warn("handoff api: write response", "err", err)
	}
}

func (h *handlers) ok(w http.ResponseWriter, r *http.Request, v any, err error) {
	h.reply2(w, r, http.StatusOK, v, err)
}

func (h *handlers) error(w http.ResponseWriter, r *http.Request, err error) {
	apierror.Write(w, r, h.logger, err)
}

func convID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !frontline.ValidID(id) {
		return "", frontline.Errorf(frontline.EInvalid, "conversation id: not a valid id")
	}
	return id, nil
}

// withConv runs fn with the path's conversation id and the decoded body.
func withConv[T any](h *handlers, fn func(w http.ResponseWriter, r *http.Request, id string, body T)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := convID(r)
		if err != nil {
			h.error(w, r, err)
			return
		}
		var body T
		if err := decode(r, &body); err != nil {
			h.error(w, r, err)
			return
		}
		fn(w, r, id, body)
	}
}

type empty struct{}

func (h *handlers) me(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Me(r.Context(), user(r))
	h.ok(w, r, a, err)
}

func (h *handlers) presence(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Presence frontline.Presence `json:"presence"`
	}
	if err := decode(r, &body); err != nil {
		h.error(w, r, err)
		return
	}
	a, err := h.svc.SetPresence(r.Context(), user(r), body.Presence)
	h.ok(w, r, a, err)
}

func (h *handlers) queue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := QueueFilter{Status: frontline.QueueStatus(q.Get("status")), Tier: frontline.Tier(q.Get("tier")), Team: q.Get("team")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.error(w, r, frontline.Errorf(frontline.EInvalid, "limit: %q is not a number", v))
			return
		}
		f.Limit = n
	}
	entries, err := h.svc.Queue(r.Context(), user(r), f)
	h.ok(w, r, map[string]any{"handoffs": entries}, err)
}

func (h *handlers) claimNext(w http.ResponseWriter, r *http.Request) {
	e, err := h.svc.ClaimNext(r.Context(), user(r))
	h.ok(w, r, e, err)
}

func (h *handlers) canned(w http.ResponseWriter, r *http.Request) {
	if _, err := h.svc.authorize(r.Context(), user(r), nil, ActRead); err != nil {
		h.error(w, r, err)
		return
	}
	c, err := h.svc.store.FindCannedReplies(r.Context())
	h.ok(w, r, map[string]any{"canned": c}, err)
}

func (h *handlers) view(w http.ResponseWriter, r *http.Request) {
	id, err := convID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	v, err := h.svc.View(r.Context(), user(r), id)
	h.ok(w, r, v, err)
}

func (h *handlers) messages(w http.ResponseWriter, r *http.Request) {
	id, err := convID(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	msgs, err := h.svc.Messages(r.Context(), user(r), id, after)
	h.ok(w, r, map[string]any{"messages": msgs}, err)
}

func (h *handlers) claim(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, _ empty) {
		e, err := h.svc.Claim(r.Context(), user(r), id)
		h.ok(w, r, e, err)
	})(w, r)
}

func (h *handlers) reply(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, body ReplyRequest) {
		m, err := h.svc.Reply(r.Context(), user(r), id, body)
		h.reply2(w, r, http.StatusCreated, m, err)
	})(w, r)
}

func (h *handlers) typing(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, body struct {
		On bool `json:"on"`
	}) {
		err := h.svc.Typing(r.Context(), user(r), id, body.On)
		h.ok(w, r, map[string]bool{"on": body.On}, err)
	})(w, r)
}

func (h *handlers) note(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, body NoteData) {
		ev, err := h.svc.Note(r.Context(), user(r), id, body.Body)
		h.reply2(w, r, http.StatusCreated, ev, err)
	})(w, r)
}

func (h *handlers) tags(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, body struct {
		Tags []string `json:"tags"`
	}) {
		e, err := h.svc.SetTags(r.Context(), user(r), id, body.Tags)
		h.ok(w, r, e, err)
	})(w, r)
}

func (h *handlers) transfer(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, body TransferRequest) {
		e, err := h.svc.Transfer(r.Context(), user(r), id, body)
		h.ok(w, r, e, err)
	})(w, r)
}

func (h *handlers) handBack(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, _ empty) {
		e, err := h.svc.HandBack(r.Context(), user(r), id)
		h.ok(w, r, e, err)
	})(w, r)
}

func (h *handlers) resolve(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, _ empty) {
		e, err := h.svc.Resolve(r.Context(), user(r), id)
		h.ok(w, r, e, err)
	})(w, r)
}

func (h *handlers) reopen(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, _ empty) {
		e, err := h.svc.Reopen(r.Context(), user(r), id)
		h.ok(w, r, e, err)
	})(w, r)
}

func (h *handlers) csatRequest(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, _ empty) {
		m, err := h.svc.RequestCSAT(r.Context(), user(r), id)
		h.reply2(w, r, http.StatusCreated, m, err)
	})(w, r)
}

func (h *handlers) reassign(w http.ResponseWriter, r *http.Request) {
	withConv(h, func(w http.ResponseWriter, r *http.Request, id string, body struct {
		AgentID string `json:"agent_id"`
	}) {
		e, err := h.svc.Reassign(r.Context(), user(r), id, body.AgentID)
		h.ok(w, r, e, err)
	})(w, r)
}

func (h *handlers) listAgents(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.store.FindAgents(r.Context())
	h.ok(w, r, map[string]any{"agents": a}, err)
}

func (h *handlers) putAgent(w http.ResponseWriter, r *http.Request) {
	var a Agent
	if err := decode(r, &a); err != nil {
		h.error(w, r, err)
		return
	}
	a.UserID = r.PathValue("id")
	err := h.svc.PutAgent(r.Context(), a)
	h.ok(w, r, a, err)
}

func (h *handlers) deleteAgent(w http.ResponseWriter, r *http.Request) {
	h.ok(w, r, map[string]bool{"deleted": true}, h.svc.store.DeleteAgent(r.Context(), r.PathValue("id")))
}

func (h *handlers) listTeams(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.store.FindTeams(r.Context())
	h.ok(w, r, map[string]any{"teams": t}, err)
}

func (h *handlers) putTeam(w http.ResponseWriter, r *http.Request) {
	var t frontline.Team
	if err := decode(r, &t); err != nil {
		h.error(w, r, err)
		return
	}
	t.ID = r.PathValue("id")
	// Validated here too, so the answer shows what was stored (a team
	// without a name is named by its id).
	err := ValidateTeam(&t)
	if err == nil {
		err = h.svc.PutTeam(r.Context(), t)
	}
	h.ok(w, r, t, err)
}

func (h *handlers) deleteTeam(w http.ResponseWriter, r *http.Request) {
	err := h.svc.store.DeleteTeam(r.Context(), r.PathValue("id"))
	h.svc.dir.clear()
	h.ok(w, r, map[string]bool{"deleted": true}, err)
}

func (h *handlers) listPolicies(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.store.FindSLAPolicies(r.Context())
	h.ok(w, r, map[string]any{"sla_policies": p}, err)
}

func (h *handlers) putPolicy(w http.ResponseWriter, r *http.Request) {
	var p SLAPolicy
	if err := decode(r, &p); err != nil {
		h.error(w, r, err)
		return
	}
	p.Priority = frontline.Priority(r.PathValue("priority"))
	err := h.svc.PutSLAPolicy(r.Context(), p)
	h.ok(w, r, p, err)
}

func (h *handlers) putCanned(w http.ResponseWriter, r *http.Request) {
	var c CannedReply
	if err := decode(r, &c); err != nil {
		h.error(w, r, err)
		return
	}
	c.ID = r.PathValue("id")
	err := c.Validate()
	if err == nil {
		err = h.svc.store.PutCannedReply(r.Context(), c)
	}
	h.ok(w, r, c, err)
}

func (h *handlers) deleteCanned(w http.ResponseWriter, r *http.Request) {
	h.ok(w, r, map[string]bool{"deleted": true}, h.svc.store.DeleteCannedReply(r.Context(), r.PathValue("id")))
}
