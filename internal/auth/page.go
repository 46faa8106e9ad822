package auth

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

// pageCSP allows the sign-in page only its own script, style and API.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type asset struct {
	contentType string
	data        []byte
}

// loginAssets are the embedded files under names holding their content
// hash (cached for good), and the page with those names filled in. They
// are part of the binary: a failure is a build mistake and panics.
var loginAssets, loginPage = func() (map[string]asset, []byte) {
	byName := map[string]asset{}
	urls := map[string]string{}
	for _, name := range []string{"login.js", "login.css"} {
		data, err := static.ReadFile("static/" + name)
		if err != nil {
			panic("auth: embedded asset missing: " + err.Error())
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		byName[hashed] = asset{contentType: mime.TypeByExtension(ext), data: data}
		urls[name] = LoginPath + "/assets/" + hashed
	}
	var buf bytes.Buffer
	if err := template.Must(template.ParseFS(static, "static/login.html")).Execute(&buf, urls); err != nil {
		panic("auth: login page template: " + err.Error())
	}
	return byName, buf.Bytes()
}()

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

func (s *Service) serveLoginPage(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(loginPage)
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := loginAssets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	pageHeaders(w)
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(a.data)
}

var forbiddenTmpl = template.Must(template.New("forbidden").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not allowed · Frontline</title></head>
<body><main><h1>Not allowed</h1><p>{{.}}</p>
<form method="post" action="/logout"><button type="submit">Sign in as someone else</button></form></main></body></html>
`))

// forbiddenPage tells a signed-in person, in a page, why a page is not
// theirs, and offers to sign in as someone else.
func (s *Service) forbiddenPage(w http.ResponseWriter, r *http.Request, message string) {
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = forbiddenTmpl.Execute(w, message)
}
