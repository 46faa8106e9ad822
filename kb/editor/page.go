package editor

import (
	"embed"

	"github.com/frontlinehq/frontline/internal/pageasset"
)

//go:embed static
var static embed.FS

// pageCSP allows the page only its own script, style and API. Scripts in
// article content are blocked twice: the server's sanitizer removes them
// and this policy would refuse to run them anyway (no inline script).
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// loadAssets reads the editor's page and its hashed script and style.
func loadAssets() *pageasset.Set {
	return pageasset.MustLoad(static, "static", PagePrefix+"assets/", pageCSP,
		[]string{"app.js", "app.css"}, []string{"index.html"})
}
