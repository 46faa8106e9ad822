package auth

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/frontlinehq/frontline/internal/pageasset"
)

//go:embed static
var static embed.FS

// pageCSP allows the sign-in page only its own script, style and API.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// loginAssets are the sign-in page and its hashed script and style.
var loginAssets = pageasset.MustLoad(static, "static", LoginPath+"/assets/", pageCSP,
	[]string{"login.js", "login.css"}, []string{"login.html"})

var forbiddenTmpl = template.Must(template.New("forbidden").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not allowed · Frontline</title></head>
<body><main><h1>Not allowed</h1><p>{{.}}</p>
<form method="post" action="/logout"><button type="submit">Sign in as someone else</button></form></main></body></html>
`))

// forbiddenPage tells a signed-in person, in a page, why a page is not
// theirs, and offers to sign in as someone else.
func (s *Service) forbiddenPage(w http.ResponseWriter, r *http.Request, message string) {
	loginAssets.Headers(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = forbiddenTmpl.Execute(w, message)
}
