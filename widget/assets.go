package widget

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"time"
)

//go:embed static/widget.js static/demo.html
var static embed.FS

// assets are the embedded files, read once, with widget.js addressed by a
// hash of its content so it can be cached for a year.
type assets struct {
	script     []byte
	scriptHash string
	scriptPath string
	demo       *template.Template
	modTime    time.Time
}

func loadAssets() (*assets, error) {
	script, err := static.ReadFile("static/widget.js")
	if err != nil {
		return nil, fmt.Errorf("widget: read embedded widget.js: %w", err)
	}
	demo, err := template.ParseFS(static, "static/demo.html")
	if err != nil {
		return nil, fmt.Errorf("widget: parse embedded demo.html: %w", err)
	}
	sum := sha256.Sum256(script)
	h := hex.EncodeToString(sum[:6])
	return &assets{script: script, scriptHash: h, scriptPath: "/widget/" + h + "/widget.js", demo: demo, modTime: time.Now()}, nil
}

func (s *Server) serveScript(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("hash") != s.assets.scriptHash {
		// An old hash after a deploy: send the current script, briefly cached.
		s.serveScriptAlias(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	s.writeScript(w, r)
}

// serveScriptAlias is the stable URL sites embed; short caching lets a
// deploy reach them within minutes.
func (s *Server) serveScriptAlias(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	s.writeScript(w, r)
}

func (s *Server) writeScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("ETag", `"`+s.assets.scriptHash+`"`)
	http.ServeContent(w, r, "widget.js", s.assets.modTime, bytes.NewReader(s.assets.script))
}

func (s *Server) serveDemo(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	data := struct {
		ScriptURL, SiteKey string
		Preview            bool
	}{s.assets.scriptPath, s.cfg.DemoSiteKey, false}
	// ?site=KEY previews another configured site's look on the demo shop
	// (without chatting: the demo page's origin may not be that site's).
	if key := r.URL.Query().Get("site"); key != "" && key != s.cfg.DemoSiteKey {
		if _, ok := s.sites[key]; ok {
			data.SiteKey, data.Preview = key, true
		}
	}
	if err := s.assets.demo.Execute(&buf, data); err != nil {
		s.logger.Error("widget: render demo page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:")
	_, _ = w.Write(buf.Bytes())
}
