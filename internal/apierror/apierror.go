// Package apierror is the one way every JSON API of Frontline answers an
// error:
//
//	{"error": {"code": "not_found", "message": "article art_1 not found"}}
//
// with the HTTP status of the code (frontline.ErrorStatus). The code is one
// of the frontline.E* codes; the message is safe to show. Internal errors
// are logged with the request and shown only as "internal error".
package apierror

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/frontlinehq/frontline"
)

// Body is the JSON of an error answer.
type Body struct {
	Error Detail `json:"error"`
}

// Detail is the code and the message safe to show.
type Detail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Of returns err's body: its domain code and safe message.
func Of(err error) Body {
	return Body{Error: Detail{Code: frontline.ErrorCode(err), Message: frontline.ErrorMessage(err)}}
}

// Write answers r with err as JSON and err's status. Internal errors are
// logged on logger (which may be nil) with the method and path.
func Write(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	body := Of(err)
	if body.Error.Code == frontline.EInternal && logger != nil {
		logger.ErrorContext(r.Context(), "api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(frontline.ErrorStatus(err))
	_ = json.NewEncoder(w).Encode(body) // the client is gone if this fails
}
