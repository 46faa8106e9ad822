package editor

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// pageCSP allows the page only its own script, style and API. Scripts in
// article content are blocked twice: the server's sanitizer removes them
// and this policy would refuse to run them anyway (no inline script).
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is one embedded file served under a name holding its content
// hash, so it can be cached for good and a new build is never mixed with
// an old cached copy.
type asset struct {
	name        string // e.g. app.3f2a9c0d1b7e.js
	contentType string
	data        []byte
}

type assets struct {
	byName map[string]*asset
	page   []byte // index.html with the hashed names filled in
}

// loadAssets reads the embedded files once. The files are part of the
// binary, so a failure here is a build mistake and panics.
func loadAssets() *assets {
	a := &assets{byName: map[string]*asset{}}
	urls := map[string]string{}
	for _, name := range []string{"app.js", "app.css"} {
		data, err := static.ReadFile("static/" + name)
		if err != nil {
			panic("editor: embedded asset missing: " + err.Error())
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.byName[hashed] = &asset{name: hashed, contentType: mime.TypeByExtension(ext), data: data}
		urls[name] = PagePrefix + "assets/" + hashed
	}
	tmpl := template.Must(template.ParseFS(static, "static/index.html"))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, urls); err != nil {
		panic("editor: page template: " + err.Error())
	}
	a.page = buf.Bytes()
	return a
}

func pageHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", pageCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
}

// servePage serves the editor page to a signed-in editor (auth sends
// anyone else to the sign-in page). It holds no data until the API answers.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(h.assets.page)
}

func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets.byName[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	pageHeaders(w)
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(a.data)
}
