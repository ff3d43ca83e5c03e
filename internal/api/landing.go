package api

import (
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"verigate/docs"
)

// The landing page at / says what this server is and where its
// documentation and health checks are; it shows nothing of any tenant.
// /docs/ serves the documentation pages verigate ships with, as Markdown.

var landingPage = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>verigate</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
a{color:#0b4f9c}code{background:#f2f2f2;padding:0 .2em}
</style>
</head>
<body>
<main>
<h1>verigate</h1>
<p>This server runs verigate, an open, self-hostable implementation of a payroll and bank
verification API: the Partners v2 API under <code>/partners/v2</code>, the general API under
<code>/v2</code>, hosted Link pages, reports and webhooks. API requests need an API key
(HTTP Basic authentication); this page needs none and shows no account data.</p>
<h2>Documentation</h2>
<ul>
{{range .}}<li><a href="/docs/{{.}}">{{.}}</a></li>
{{end}}<li><a href="/openapi.yaml">openapi.yaml</a>: the operations verigate serves beyond the published contracts</li>
</ul>
<h2>Health</h2>
<ul>
<li><a href="/healthz">/healthz</a>: answers while the process serves</li>
<li><a href="/readyz">/readyz</a>: answers while the database answers too</li>
</ul>
</main>
</body>
</html>
`))

// docPages lists the embedded documentation pages, architecture first.
func docPages() []string {
	names, _ := fs.Glob(docs.Pages, "*.md")
	slices.SortStableFunc(names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "architecture.md":
			return -1
		case b == "architecture.md":
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

func (a *API) landing(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	landingPage.Execute(w, docPages())
}

func (a *API) docsPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, err := docs.Pages.ReadFile(path.Base(name))
	if err != nil || path.Base(name) != name || path.Ext(name) != ".md" {
		a.writeError(w, r, errNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}
