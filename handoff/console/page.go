package console

import (
	"embed"

	"github.com/frontlinehq/frontline/internal/pageasset"
)

//go:embed static
var static embed.FS

// pageCSP allows the pages only their own scripts, styles, images (the
// server's SVG charts), API and socket.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// loadAssets reads the console's three pages and their hashed scripts and
// styles.
func loadAssets() *pageasset.Set {
	return pageasset.MustLoad(static, "static", PagePrefix+"assets/", pageCSP,
		[]string{"app.css", "common.js", "console.js", "supervisor.js", "reports.js"},
		[]string{"console.html", "supervisor.html", "reports.html"})
}
