// Package demo holds the bundled demo knowledge base: support articles for
// Acme Outfitters, a fictional online outdoor shop with an "Acme Plus"
// membership. They are in the kb import format (one Markdown file per article,
// YAML front matter) and are what `frontline serve` loads into the in-memory
// store when no database is configured.
package demo

import (
	"embed"
	"io/fs"
)

// ShopName is the demo shop's name, as its page and the widget show it.
const ShopName = "Acme Outfitters"

//go:embed articles/*.md
var articles embed.FS

// Articles returns the demo articles as a file system whose root holds one
// <slug>.md file per article.
func Articles() fs.FS {
	sub, err := fs.Sub(articles, "articles")
	if err != nil {
		// fs.Sub fails only on an invalid path, and "articles" is a constant.
		panic(err)
	}
	return sub
}
