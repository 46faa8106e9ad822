// Package editor serves the knowledge-base editor: a JSON API under
// /api/kb/ and a page under /editor/ for the people who write and fix the
// articles the bot answers from.
//
// Until logins exist the API is protected by one admin token, sent as
// "Authorization: Bearer <token>". The page keeps the token in
// sessionStorage and sends it in that header, never in a cookie, so other
// sites cannot make requests on an editor's behalf (no CSRF). The page is
// static (it holds no data until the API answers) and strict: a
// Content-Security-Policy allows only its own script and style, every
// article, question and name is put in the page as text, and the only HTML
// it inserts is Markdown rendered and sanitized by the server.
package editor

import (
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"log/slog"
	"net/http"

	"github.com/frontlinehq/frontline/kb"
)

// Paths the handler serves. Mount the handler at both prefixes.
const (
	PagePrefix = "/editor/"
	APIPrefix  = "/api/kb/"
)

// Options configure the editor.
type Options struct {
	// AdminToken is the bearer token the API requires. When empty every
	// API request is refused (503): the editor is switched off.
	AdminToken string
	// Logger receives internal errors. Default: discard.
	Logger *slog.Logger
}

// New returns the handler for the editor page (PagePrefix) and its API
// (APIPrefix).
func New(svc *kb.Service, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &handler{svc: svc, log: opts.Logger, assets: loadAssets()}
	if opts.AdminToken != "" {
		sum := sha256.Sum256([]byte(opts.AdminToken))
		h.tokenHash = sum[:]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PagePrefix+"{$}", h.servePage)
	mux.HandleFunc("GET "+PagePrefix+"assets/{name}", h.serveAsset)
	mux.HandleFunc(PagePrefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, PagePrefix, http.StatusFound)
	})
	h.routes(mux)
	return mux
}

type handler struct {
	svc       *kb.Service
	log       *slog.Logger
	tokenHash []byte // sha256 of the admin token; nil when none is set
	assets    *assets
}

// authorized reports whether r carries the admin token. Both sides are
// hashed first so the comparison takes the same time whatever the token's
// length or content.
func (h *handler) authorized(r *http.Request) bool {
	const prefix = "Bearer "
	auth := r.Header.Get("Authorization")
	if len(auth) <= len(prefix) || !equalFoldASCII(auth[:len(prefix)], prefix) {
		return false
	}
	sum := sha256.Sum256([]byte(auth[len(prefix):]))
	return subtle.ConstantTimeCompare(sum[:], h.tokenHash) == 1
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
