package apierror_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/internal/apierror"
)

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		status   int
		code     string
		message  string
		loggedIt bool
	}{
		{"domain error", frontline.Errorf(frontline.ENotFound, "article %s not found", "art_1"), 404, "not_found", "article art_1 not found", false},
		{"wrapped", errors.Join(errors.New("ctx"), frontline.Errorf(frontline.ERateLimited, "slow down")), 429, "rate_limited", "slow down", false},
		{"internal", errors.New("pq: password=hunter2 connection refused"), 500, "internal", "internal error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			w := httptest.NewRecorder()
			apierror.Write(w, httptest.NewRequest("GET", "/api/x", nil), slog.New(slog.NewTextHandler(&logs, nil)), tt.err)
			if w.Code != tt.status || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				t.Errorf("status %d %q, want %d JSON", w.Code, w.Header().Get("Content-Type"), tt.status)
			}
			var got map[string]map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got["error"]["code"] != tt.code || got["error"]["message"] != tt.message || len(got) != 1 || len(got["error"]) != 2 {
				t.Errorf("body %s, want {\"error\":{\"code\":%q,\"message\":%q}}", w.Body, tt.code, tt.message)
			}
			if strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("body leaks the internal error: %s", w.Body)
			}
			if logged := strings.Contains(logs.String(), "path=/api/x"); logged != tt.loggedIt {
				t.Errorf("logged = %v, want %v: %s", logged, tt.loggedIt, logs.String())
			}
		})
	}
}
