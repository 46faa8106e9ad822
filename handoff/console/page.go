package console

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

// pageCSP allows the pages only their own scripts, styles, images (the
// server's SVG charts), API and socket.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type asset struct {
	contentType string
	data        []byte
}

type assets struct {
	byName map[string]*asset
	pages  map[string][]byte
}

var assetFiles = []string{"app.css", "common.js", "console.js", "supervisor.js", "reports.js"}

// loadAssets reads the embedded files once, names each by its content
// hash (cached for good) and fills those names into the pages. The files
// are part of the binary: a failure is a build mistake and panics.
func loadAssets() *assets {
	a := &assets{byName: map[string]*asset{}, pages: map[string][]byte{}}
	urls := map[string]string{}
	for _, name := range assetFiles {
		data, err := static.ReadFile("static/" + name)
		if err != nil {
			panic("console: embedded asset missing: " + err.Error())
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.byName[hashed] = &asset{contentType: mime.TypeByExtension(ext), data: data}
		urls[name] = PagePrefix + "assets/" + hashed
	}
	for _, page := range []string{"console.html", "supervisor.html", "reports.html"} {
		tmpl := template.Must(template.ParseFS(static, "static/"+page))
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, urls); err != nil {
			panic("console: page template: " + err.Error())
		}
		a.pages[page] = buf.Bytes()
	}
	return a
}

func pageHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", pageCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
}

func (h *handler) page(name string) http.HandlerFunc {
	body := h.assets.pages[name]
	return func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	}
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
