// Package connect serves the pages a session link opens.
package connect

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"verigate/internal/session"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Handler serves /connect/{token}.
type Handler struct {
	Sessions *session.Service
	Log      *slog.Logger
}

// ServeHTTP routes the link pages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	tok := strings.TrimPrefix(r.URL.Path, "/connect/")
	if tok == "" || strings.Contains(tok, "/") {
		h.render(w, http.StatusNotFound, "error.html", errorPage{Lang: "en", Title: "Link not found", Message: "This link is not valid. Ask the company that sent it for a new one."})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.render(w, http.StatusMethodNotAllowed, "error.html", errorPage{Lang: "en", Title: "Not allowed", Message: "This page can only be opened."})
		return
	}
	claims, err := h.Sessions.Open(tok)
	switch {
	case errors.Is(err, session.ErrExpired):
		h.render(w, http.StatusGone, "error.html", errorPage{Lang: "en", Title: "This link has expired", Message: "Links work for one hour. Ask the company that sent it for a new one."})
	case err != nil:
		h.render(w, http.StatusNotFound, "error.html", errorPage{Lang: "en", Title: "Link not found", Message: "This link is not valid. Ask the company that sent it for a new one."})
	default:
		lang := "EN"
		if l := claims.Configuration.Language; l != nil {
			lang = *l
		}
		h.render(w, http.StatusOK, "session.html", sessionPage{Lang: strings.ToLower(lang), Title: "Connect your account", Language: lang, DataSource: claims.DataSource,
			ExpiresAt: claims.ExpiresAt().UTC().Format("15:04 UTC")})
	}
}

type errorPage struct {
	Lang, Title, Message string
}

type sessionPage struct {
	Lang, Title, Language, DataSource, ExpiresAt string
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		h.Log.Error("render page", "template", name, "err", err)
		http.Error(w, "Something went wrong. Please try again.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// securityHeaders sets the headers every link page carries.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
}
