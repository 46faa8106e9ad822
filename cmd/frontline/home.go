package main

import (
	"bytes"
	"html/template"
	"net/http"
)

// homePage is / on a deployment that is not the demo: the help centre's
// name and colour (validated by kb.ValidAccent), a link to the help
// centre, and the chat widget of the server's own site.
func homePage(name, accent, scriptURL, siteKey string) http.Handler {
	var buf bytes.Buffer
	err := homeTemplate.Execute(&buf, struct{ Name, Accent, ScriptURL, SiteKey string }{name, accent, scriptURL, siteKey})
	if err != nil {
		panic(err) // a fixed template over plain strings
	}
	page := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; base-uri 'none'; form-action 'self'")
		w.Write(page)
	})
}

var homeTemplate = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}}</title>
<style>
body{margin:0;font:17px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232a;background:#f6f7f9}
main{max-width:640px;margin:12vh auto 0;padding:0 20px}
a{color:{{.Accent}}}
</style></head>
<body><main>
<h1>{{.Name}}</h1>
{{if .SiteKey}}<p>Find answers in the <a href="/kb/">help centre</a>, or ask us in the chat (bottom right).</p>{{else}}<p>Find answers in the <a href="/kb/">help centre</a>.</p>{{end}}
</main>
{{if .SiteKey}}<script src="{{.ScriptURL}}" data-site-key="{{.SiteKey}}" defer></script>{{end}}
</body></html>
`))
