package api

import (
	"net/http"

	"verigate/internal/logo"
)

// logoTile serves the tile an item without a logo of its own gets as its
// logo_url (package logo): public, since an <img> sends no credentials, and
// the same bytes forever for a path, since the path is all it is drawn
// from. A path logo.Path could not have made answers the ordinary 404.
func (a *API) logoTile(w http.ResponseWriter, r *http.Request) {
	initials, c, ok := logo.Parse(r.PathValue("colour"), r.PathValue("file"))
	if !ok {
		a.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	// Opened on its own, the image may run nothing and load nothing.
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	w.Write(logo.SVG(initials, c))
}
