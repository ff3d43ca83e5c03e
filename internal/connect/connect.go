// Package connect serves the connection experience a session link opens:
// server-rendered pages that work without JavaScript, in four languages.
package connect

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"verigate/internal/connection"
	"verigate/internal/connector"
	"verigate/internal/session"
	"verigate/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds the templates once per language, each with its own "t".
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, lang := range languages {
		msgs := messages[lang]
		funcs := template.FuncMap{
			"t": func(key string, args ...any) string {
				m, ok := msgs[key]
				if !ok {
					m = messages["EN"][key]
				}
				if len(args) > 0 {
					return fmt.Sprintf(m, args...)
				}
				return m
			},
			// raw is a message unformatted, for the script to fill in.
			"raw": func(key string) string {
				if m, ok := msgs[key]; ok {
					return m
				}
				return messages["EN"][key]
			},
			// kind names an item kind, or shows it as is if unknown.
			"kind": func(k string) string {
				if m, ok := msgs["kind."+k]; ok {
					return m
				}
				return k
			},
			"initials": initials,
			"hue":      hue,
		}
		out[lang] = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	}
	return out
}()

// Handler serves /connect/{token}/... and /assets/....
type Handler struct {
	Sessions *session.Service
	Flow     *connection.Service
	Log      *slog.Logger
	// CSRFKey signs the per-session form tokens.
	CSRFKey []byte
	// FrameAncestors lists the origins allowed to frame the pages; empty denies framing.
	FrameAncestors []string

	mux *http.ServeMux
}

// Init builds the routes; call it once before serving.
func (h *Handler) Init() *Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /connect/{token}", h.withSession(h.page))
	mux.HandleFunc("GET /connect/{token}/items", h.withSession(h.items))
	mux.HandleFunc("GET /connect/{token}/status", h.withSession(h.status))
	mux.HandleFunc("GET /connect/{token}/exit", h.withSession(h.exit))
	mux.HandleFunc("POST /connect/{token}/select", h.withSession(h.post(h.selectItem)))
	mux.HandleFunc("POST /connect/{token}/signin", h.withSession(h.post(h.signIn)))
	mux.HandleFunc("POST /connect/{token}/mfa", h.withSession(h.post(h.verify)))
	mux.HandleFunc("POST /connect/{token}/back", h.withSession(h.post(h.back)))
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/assets/", http.FileServer(http.FS(static)))
	mux.Handle("GET /assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.message(w, http.StatusNotFound, "EN", "notfound")
	})
	h.mux = mux
	return h
}

// ServeHTTP serves the pages with their security headers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.mux == nil {
		h.Init()
	}
	h.securityHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// request is one page request of a valid session link.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	token  string
	claims session.Claims
	lang   string
}

func (q *request) base() string { return "/connect/" + q.token }

// withSession checks the link on every request: a forged link is a 404
// page and an expired one a 410 page, at any step.
func (h *Handler) withSession(fn func(q *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.PathValue("token")
		claims, err := h.Sessions.Open(tok)
		lang := "EN"
		if l := claims.Configuration.Language; l != nil && messages[*l] != nil {
			lang = *l
		}
		switch {
		case errors.Is(err, session.ErrExpired):
			h.message(w, http.StatusGone, lang, "expired")
		case err != nil:
			h.message(w, http.StatusNotFound, "EN", "notfound")
		default:
			fn(&request{w: w, r: r, token: tok, claims: claims, lang: lang})
		}
	}
}

// post checks the form's CSRF token before a step runs.
func (h *Handler) post(fn func(q *request) (connection.State, error)) func(q *request) {
	return func(q *request) {
		q.r.Body = http.MaxBytesReader(q.w, q.r.Body, 64<<10)
		if err := q.r.ParseForm(); err != nil || !hmac.Equal([]byte(q.r.PostFormValue("csrf")), []byte(h.csrf(q.claims))) {
			h.message(q.w, http.StatusForbidden, q.lang, "forbidden")
			return
		}
		_, err := fn(q)
		switch {
		case err == nil, errors.Is(err, connection.ErrWrongStage):
			// Re-posting a finished step just shows where the session is.
		case errors.Is(err, connection.ErrBusy):
			http.Redirect(q.w, q.r, q.base()+"?notice=busy", http.StatusSeeOther)
			return
		case errors.Is(err, connection.ErrUnknownItem):
			http.Redirect(q.w, q.r, q.base()+"?notice=unknown_item", http.StatusSeeOther)
			return
		default:
			h.fail(q, err)
			return
		}
		http.Redirect(q.w, q.r, q.base(), http.StatusSeeOther)
	}
}

func (h *Handler) fail(q *request, err error) {
	if errors.Is(err, connection.ErrClosed) {
		h.message(q.w, http.StatusConflict, q.lang, "closed")
		return
	}
	h.Log.Error("connection step failed", "verification", q.claims.VerificationID, "err", err)
	h.message(q.w, http.StatusInternalServerError, q.lang, "oops")
}

func (h *Handler) csrf(c session.Claims) string {
	m := hmac.New(sha256.New, h.CSRFKey)
	m.Write([]byte("csrf:" + c.SessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) selectItem(q *request) (connection.State, error) {
	return h.Flow.Select(q.r.Context(), q.claims, q.r.PostFormValue("item"))
}

func (h *Handler) back(q *request) (connection.State, error) {
	return h.Flow.Back(q.r.Context(), q.claims)
}

func (h *Handler) signIn(q *request) (connection.State, error) {
	return h.Flow.SignIn(q.r.Context(), q.claims, connector.Credentials{
		Username: q.r.PostFormValue("username"), Password: q.r.PostFormValue("password")})
}

func (h *Handler) verify(q *request) (connection.State, error) {
	return h.Flow.Verify(q.r.Context(), q.claims, q.r.PostFormValue("code"))
}

// view is what every page template receives.
type view struct {
	Lang        string // <html lang>
	Title       string
	Base        string // /connect/<token>
	CSRF        string
	Sandbox     bool
	MobileApp   bool
	Banking     bool
	Stage       string
	State       connection.State
	Query       string
	Items       []connector.Item
	Searched    bool
	Notice      string // a message key
	Hint        string
	RedirectURL string // where leaving goes, if set
	Complete    bool
}

func (h *Handler) newView(q *request) view {
	v := view{Lang: htmlLang[q.lang], Base: q.base(), CSRF: h.csrf(q.claims),
		Sandbox: q.claims.Environment == store.Sandbox, Banking: q.claims.DataSource == "banking"}
	if m := q.claims.Configuration.MobileApp; m != nil {
		v.MobileApp = *m
	}
	if r := q.claims.Configuration.RedirectURL; r != nil {
		v.RedirectURL = *r
	}
	return v
}

// page shows the session at its current stage.
func (h *Handler) page(q *request) {
	if _, err := h.Flow.Connector(q.claims); err != nil {
		// No connector serves this data source here: say so instead of
		// failing, and leave the verification untouched.
		v := h.newView(q)
		v.Stage, v.Base = "unavailable", ""
		key := "title.connect"
		if v.Banking {
			key = "title.connect_bank"
		}
		if v.Title = messages[q.lang][key]; v.Title == "" {
			v.Title = messages["EN"][key]
		}
		h.render(q.w, http.StatusOK, q.lang, "message.html", v)
		return
	}
	st, err := h.Flow.Open(q.r.Context(), q.claims)
	if err != nil {
		h.fail(q, err)
		return
	}
	v := h.newView(q)
	v.State, v.Stage = st, st.Session.Stage
	if n := q.r.URL.Query().Get("notice"); n == "busy" || n == "unknown_item" {
		v.Notice = "error." + n
	}
	switch v.Stage {
	case connection.StageSearch:
		v.Query = strings.TrimSpace(q.r.URL.Query().Get("q"))
		v.Searched = v.Query != ""
		if v.Items, err = h.Flow.Items(q.claims, v.Query, itemLimit(q.claims, v.Query)); err != nil {
			h.fail(q, err)
			return
		}
	case connection.StageSignIn:
		if v.Sandbox {
			if cx, err := h.Flow.Connector(q.claims); err == nil {
				if hinter, ok := cx.(interface{ SignInHint() string }); ok {
					v.Hint = hinter.SignInHint()
				}
			}
		}
	}
	h.render(q.w, http.StatusOK, q.lang, v.Stage+".html", v)
}

// Search result sizes: before the user types, only the most popular items
// of the whole catalog are listed; a session's own item list is shown whole.
const (
	popularItems = 12
	maxResults   = 60
)

func itemLimit(c session.Claims, query string) int {
	if query == "" && (c.Configuration.Items == nil || len(*c.Configuration.Items) == 0) {
		return popularItems
	}
	return maxResults
}

// items answers the page's live search with the contract's Item shape.
func (h *Handler) items(q *request) {
	query := strings.TrimSpace(q.r.URL.Query().Get("q"))
	items, err := h.Flow.Items(q.claims, query, itemLimit(q.claims, query))
	if err != nil {
		h.fail(q, err)
		return
	}
	if items == nil {
		items = []connector.Item{}
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"results": items})
}

// status lets the connecting page follow aggregation.
func (h *Handler) status(q *request) {
	st, err := h.Flow.Open(q.r.Context(), q.claims)
	if err != nil {
		h.fail(q, err)
		return
	}
	writeJSON(q.w, http.StatusOK, map[string]string{"stage": st.Session.Stage})
}

// exit leaves the flow: to redirect_url with the outcome added to its
// query, or to a page saying the window can be closed.
func (h *Handler) exit(q *request) {
	st, err := h.Flow.Open(q.r.Context(), q.claims)
	if err != nil {
		h.fail(q, err)
		return
	}
	// The submission is complete once an account is connected, whichever
	// control the user left by; the link's query cannot claim it.
	complete := st.Session.Stage == connection.StageDone || st.Session.Stage == connection.StageConnecting
	v := h.newView(q)
	if v.RedirectURL != "" {
		http.Redirect(q.w, q.r, RedirectURL(v.RedirectURL, complete, st.Session.AttemptedSelection), http.StatusSeeOther)
		return
	}
	v.Stage, v.Complete = "exit", complete
	if v.MobileApp {
		v.Title = messages[q.lang]["exit.title_app"]
	}
	h.render(q.w, http.StatusOK, q.lang, "exit.html", v)
}

// RedirectURL adds the outcome parameters to the partner's redirect URL,
// keeping its existing query and fragment (custom schemes included).
func RedirectURL(base string, complete, attempted bool) string {
	frag := ""
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base, frag = base[:i], base[i:]
	}
	add := url.Values{}
	add.Set("user_submission_complete", fmt.Sprint(complete))
	add.Set("user_attempted_employer_selection", fmt.Sprint(attempted))
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	// url.Values encodes keys in sorted order; keep the documented order.
	return base + sep + "user_submission_complete=" + add.Get("user_submission_complete") +
		"&user_attempted_employer_selection=" + add.Get("user_attempted_employer_selection") + frag
}

// message renders a page that only says something (expired, not found...).
func (h *Handler) message(w http.ResponseWriter, status int, lang, key string) {
	h.render(w, status, lang, "message.html", view{Lang: htmlLang[lang], Stage: key})
}

// titleKeys names the message that titles each stage's page.
var titleKeys = map[string]string{
	connection.StageSearch: "title.connect", connection.StageSignIn: "title.connect", connection.StageMFA: "mfa.title",
	connection.StageConnecting: "connecting.title", connection.StageDone: "done.title", connection.StageFailed: "failed.title",
	connection.StageLocked: "locked.title", "exit": "exit.title",
}

func (h *Handler) render(w http.ResponseWriter, status int, lang, name string, data view) {
	if data.Title == "" {
		key, ok := titleKeys[data.Stage]
		if !ok {
			key = data.Stage + ".title"
		}
		data.Title = messages[lang][key]
		if data.Title == "" {
			data.Title = messages["EN"][key]
		}
	}
	var buf bytes.Buffer
	t := pages[lang]
	if t == nil {
		t = pages["EN"]
	}
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		h.Log.Error("render page", "template", name, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("Something went wrong. Please reload the page."))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// securityHeaders sets the headers every page carries.
func (h *Handler) securityHeaders(hd http.Header) {
	ancestors := "'none'"
	if len(h.FrameAncestors) > 0 {
		ancestors = strings.Join(h.FrameAncestors, " ")
	} else {
		hd.Set("X-Frame-Options", "DENY")
	}
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors "+ancestors)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
}

// initials returns up to two letters for an item's generated logo.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			if len(out) < 2 && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 127) {
				out = append(out, []rune(strings.ToUpper(string(r)))...)
			}
			break
		}
	}
	return string(out)
}

// hue picks one of eight logo colours for a name.
func hue(name string) int {
	n := 0
	for _, r := range name {
		n = (n*31 + int(r)) % 8
	}
	return n
}
