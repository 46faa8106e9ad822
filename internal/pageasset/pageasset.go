// Package pageasset serves a page package's embedded files: scripts and
// styles under names holding their content hash (cached for good, never
// mixed with an old copy after a deploy), and HTML pages whose templates
// name them. The sign-in page, the KB editor and the console share it.
package pageasset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// Set is one package's assets and pages, with the Content-Security-Policy
// every response of theirs carries.
type Set struct {
	csp    string
	byName map[string]asset
	pages  map[string][]byte
}

type asset struct {
	contentType string
	data        []byte
}

// MustLoad reads files and pages from dir in fsys. Each file is served
// under urlPrefix + its hashed name, and each page is an html/template
// executed with a map from file name to that URL ({{index . "app.js"}}).
// The files are part of the binary, so a failure is a build mistake and
// panics.
func MustLoad(fsys fs.FS, dir, urlPrefix, csp string, files, pages []string) *Set {
	s := &Set{csp: csp, byName: map[string]asset{}, pages: map[string][]byte{}}
	urls := map[string]string{}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			panic("pageasset: embedded asset missing: " + err.Error())
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		s.byName[hashed] = asset{contentType: mime.TypeByExtension(ext), data: data}
		urls[name] = urlPrefix + hashed
	}
	for _, page := range pages {
		var buf bytes.Buffer
		if err := template.Must(template.ParseFS(fsys, path.Join(dir, page))).Execute(&buf, urls); err != nil {
			panic("pageasset: page template " + page + ": " + err.Error())
		}
		s.pages[page] = buf.Bytes()
	}
	return s
}

// Headers sets the security headers every page and asset carries.
func (s *Set) Headers(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

// Page serves a loaded page; it panics at set-up for a page not loaded.
func (s *Set) Page(name string) http.HandlerFunc {
	body, ok := s.pages[name]
	if !ok {
		panic("pageasset: page not loaded: " + name)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		s.Headers(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	}
}

// ServeAsset serves the file named by the request's {name} path value.
func (s *Set) ServeAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.byName[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.Headers(w)
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(a.data)
}
