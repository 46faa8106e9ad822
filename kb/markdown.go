package kb

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders CommonMark plus tables, strikethrough, autolinks and task
// lists. Raw HTML in the source is dropped by goldmark (no WithUnsafe) and
// whatever remains is sanitised again, so an article can never carry script.
var markdown = goldmark.New(goldmark.WithExtensions(extension.GFM))

// sanitizer allows the formatting Markdown produces and nothing that runs:
// no script, no event handlers, no javascript: URLs; links get
// rel="nofollow noopener" and open safely.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// RenderMarkdown renders an article's Markdown to sanitised HTML that is safe
// to put in any page as is. Malformed Markdown never fails: CommonMark
// defines a rendering for every input.
func RenderMarkdown(md string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		// goldmark only fails when the writer fails; a bytes.Buffer
		// does not. Show the text escaped rather than nothing.
		return template.HTML(template.HTMLEscapeString(md))
	}
	return template.HTML(sanitizer.SanitizeBytes(buf.Bytes()))
}
