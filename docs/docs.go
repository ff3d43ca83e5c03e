// Package docs embeds verigate's documentation pages, which the server
// serves as Markdown under /docs/.
package docs

import "embed"

// Pages holds the Markdown pages (*.md) of this directory.
//
//go:embed *.md
var Pages embed.FS
