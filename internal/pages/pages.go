// Package pages serves the hosted Link pages a session link opens:
// server-rendered pages that work without JavaScript, in four languages.
package pages

import (
	"bytes"
	"context"
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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"verigate/internal/invite"
	"verigate/internal/usertoken"
	v "verigate/internal/validate"

	"verigate/internal/customization"
	"verigate/internal/datasource"
	"verigate/internal/linkflow"
	"verigate/internal/logo"
	"verigate/internal/session"
	"verigate/internal/store"
	"verigate/internal/token"
	"verigate/internal/value"
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
			// acct names a bank account type, or shows it as is if unknown.
			"acct": func(typ string) string {
				if m, ok := msgs["account."+typ]; ok {
					return m
				}
				return typ
			},
			"money":    func(m value.Money) string { return formatMoney(lang, m) },
			"initials": logo.Initials,
			"hue":      logo.Colour,
		}
		out[lang] = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	}
	return out
}()

// UserFinder finds the user a user token was issued for.
type UserFinder interface {
	// ForToken returns the token's user; usertoken.ErrExpired,
	// usertoken.ErrInvalid or store.ErrNotFound when there is none now.
	ForToken(ctx context.Context, tok string) (store.User, error)
}

// PartnerFinder finds the partner a link was made for, whose name the pages show.
type PartnerFinder interface {
	// Partner returns the partner; store.ErrNotFound if there is none.
	Partner(ctx context.Context, id string) (store.Partner, error)
}

// InviteOpener opens the invite a link names.
type InviteOpener interface {
	// Open returns the invite and its user; store.ErrNotFound or a revoked-invite error otherwise.
	Open(ctx context.Context, token string) (store.Invite, store.User, error)
}

// Handler serves /connect/{token}/..., /link/{userToken}, /link/invite/{token} and /assets/....
type Handler struct {
	Sessions *session.Service
	Flow     *linkflow.Service
	// Users opens Link for a user token; nil answers /link/ with 404.
	Users UserFinder
	// Invites opens Link for an invite's link; nil answers /link/invite/ with 404.
	Invites InviteOpener
	// Uploads stores documents uploaded in Link ("can't find your
	// employer?"); nil offers no upload.
	Uploads Uploader
	Log     *slog.Logger
	// CSRFKey signs the per-session form tokens.
	CSRFKey []byte
	// FrameAncestors lists the origins allowed to frame the pages; empty denies framing.
	FrameAncestors []string
	// Partners names the partner who asked for the connection on every
	// page (when the link's flow or experience gives no brand name); nil
	// names none.
	Partners PartnerFinder
	// ConnectingMinimum is how long the "connecting" page stays on screen
	// after the step that connected an account, even when the data arrived
	// sooner, so the borrower sees that the connection works; zero shows it
	// only while the connection is still under way.
	ConnectingMinimum time.Duration

	mux *http.ServeMux
	// typed seals the username of a failed sign-in into the page's URL, so
	// the form shows it again (never the password).
	typed *token.Sealer
}

// Init builds the routes; call it once before serving.
func (h *Handler) Init() *Handler {
	mux := http.NewServeMux()
	typed, err := token.NewSealer(h.CSRFKey, "verigate sign-in username")
	if err != nil {
		panic("pages: " + err.Error())
	}
	h.typed = typed
	// A used single-use link answers only its own flow's continuation
	// (page, status, exit); see unused.
	mux.HandleFunc("GET /connect/{token}", h.withSession(h.unused(true, h.page)))
	mux.HandleFunc("GET /connect/{token}/items", h.withSession(h.unused(false, h.items)))
	mux.HandleFunc("GET /connect/{token}/status", h.withSession(h.unused(true, h.status)))
	mux.HandleFunc("GET /connect/{token}/exit", h.withSession(h.unused(true, h.exit)))
	// The customization's logo and accent colour (branding only, so a used
	// single-use link's continuation pages can show them too).
	mux.HandleFunc("GET /connect/{token}/logo", h.withSession(h.logo))
	mux.HandleFunc("GET /connect/{token}/theme.css", h.withSession(h.theme))
	mux.HandleFunc("POST /connect/{token}/select", h.withSession(h.unused(false, h.post(h.selectItem))))
	mux.HandleFunc("POST /connect/{token}/signin", h.withSession(h.unused(false, h.post(h.signIn))))
	mux.HandleFunc("POST /connect/{token}/mfa", h.withSession(h.unused(false, h.post(h.verify))))
	mux.HandleFunc("POST /connect/{token}/accounts", h.withSession(h.unused(false, h.post(h.share))))
	mux.HandleFunc("POST /connect/{token}/back", h.withSession(h.unused(false, h.post(h.back))))
	mux.HandleFunc("GET /connect/{token}/upload", h.withSession(h.unused(false, h.uploadPage)))
	mux.HandleFunc("POST /connect/{token}/upload", h.withSession(h.unused(false, h.upload)))
	mux.HandleFunc("GET /link/{userToken}", h.userLink)
	mux.HandleFunc("GET /link/invite/{token}", h.inviteLink)
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/assets/", http.FileServer(http.FS(static)))
	mux.Handle("GET /assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.message(w, http.StatusNotFound, browserLanguage(r, w.Header()), "notfound")
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
	// cont is "?c=<continuation>" on the continuation of a used single-use link's flow.
	cont string
	// custom is the link's flow or experience, when customized is true.
	custom     store.Customization
	customized bool
	// next is the query a step's redirect adds to the page URL (nil for none).
	next url.Values
}

func (q *request) base() string { return "/connect/" + q.token }

// withSession checks the link on every request: a forged link is a 404
// page and an expired one a 410 page, at any step.
func (h *Handler) withSession(fn func(q *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.PathValue("token")
		claims, err := h.Sessions.Open(tok)
		lang := language(claims, r, w.Header())
		var custom store.Customization
		customized := false
		if err == nil || errors.Is(err, session.ErrExpired) {
			// A genuine link's customization may allow more framing origins,
			// for its expired page too (so an embedding page shows it).
			var cerr error
			if custom, customized, cerr = h.Flow.Customization(r.Context(), claims); cerr != nil {
				h.Log.Warn("customization lookup failed; showing the defaults", "verification", claims.VerificationID, "err", cerr)
			}
			h.frameHeaders(w.Header(), custom.FrameOrigins)
		}
		q := &request{w: w, r: r, token: tok, claims: claims, lang: lang, custom: custom, customized: customized}
		switch {
		case errors.Is(err, session.ErrExpired):
			// The link is genuine: its page names the partner and leads back to it.
			h.messageFor(q, http.StatusGone, "expired")
		case err != nil:
			// Nothing of a forged link can be trusted, not even its language.
			h.message(w, http.StatusNotFound, browserLanguage(r, w.Header()), "notfound")
		default:
			fn(q)
		}
	}
}

// language is the page language of a link: its configuration.language
// (payroll), else, for banking sessions, which have none, the first of the
// page languages the browser's Accept-Language asks for, else EN.
func language(c session.Claims, r *http.Request, hd http.Header) string {
	if l := c.Configuration.Language; l != nil {
		if messages[*l] != nil {
			return *l
		}
		return "EN"
	}
	if c.DataSource != "banking" {
		return "EN"
	}
	hd.Add("Vary", "Accept-Language")
	return negotiate(r.Header.Get("Accept-Language"))
}

// browserLanguage is the page language of a page that has no link to read
// it from: the one the browser's Accept-Language prefers.
func browserLanguage(r *http.Request, hd http.Header) string {
	hd.Add("Vary", "Accept-Language")
	return negotiate(r.Header.Get("Accept-Language"))
}

// negotiate picks the page language an Accept-Language header prefers most
// (by q-value, then by order), matching primary language subtags ("es-MX"
// is ES; every "zh" is ZH, whose catalog is Simplified Chinese); EN when it
// names none of them.
func negotiate(header string) string {
	best, bestQ := "EN", 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
		lang := strings.ToUpper(primary)
		if messages[lang] == nil || q <= 0 || q <= bestQ {
			continue
		}
		best, bestQ = lang, q
	}
	return best
}

// unused refuses every request of a single_use_url link that has connected
// an account already (410, "This link has already been used"), except, when
// cont is set, the continuation of the flow that connected it: the page,
// status and exit requests carrying the link's continuation parameter
// ("?c=", an HMAC of the session id), which only the response to the
// connecting step hands out.
func (h *Handler) unused(cont bool, fn func(q *request)) func(q *request) {
	return func(q *request) {
		used, err := h.Flow.Used(q.r.Context(), q.claims)
		if err != nil {
			h.fail(q, err)
			return
		}
		if used {
			c := h.cont(q.claims)
			if !cont || !hmac.Equal([]byte(q.r.URL.Query().Get("c")), []byte(c)) {
				h.messageFor(q, http.StatusGone, "used")
				return
			}
			q.cont = "?c=" + c
		}
		fn(q)
	}
}

// cont is a session's continuation parameter: what lets the borrower who
// spent a single-use link see that flow to its end.
func (h *Handler) cont(c session.Claims) string {
	m := hmac.New(sha256.New, h.CSRFKey)
	m.Write([]byte("continue:" + c.SessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// post checks the form's CSRF token before a step runs.
func (h *Handler) post(fn func(q *request) (linkflow.State, error)) func(q *request) {
	return func(q *request) {
		q.r.Body = http.MaxBytesReader(q.w, q.r.Body, 64<<10)
		if err := q.r.ParseForm(); err != nil || !hmac.Equal([]byte(q.r.PostFormValue("csrf")), []byte(h.csrf(q.claims))) {
			h.messageFor(q, http.StatusForbidden, "forbidden")
			return
		}
		st, err := fn(q)
		switch {
		case err == nil, errors.Is(err, linkflow.ErrWrongStage):
			// Re-posting a finished step just shows where the session is.
		case errors.Is(err, linkflow.ErrBusy):
			http.Redirect(q.w, q.r, q.base()+"?notice=busy", http.StatusSeeOther)
			return
		case errors.Is(err, linkflow.ErrUnknownItem):
			http.Redirect(q.w, q.r, q.base()+"?notice=unknown_item", http.StatusSeeOther)
			return
		case errors.Is(err, linkflow.ErrItemUnavailable):
			http.Redirect(q.w, q.r, q.base()+"?notice=item_unavailable", http.StatusSeeOther)
			return
		default:
			h.fail(q, err)
			return
		}
		next := q.next
		if next == nil {
			next = url.Values{}
		}
		if st.Session.UsedAt != nil {
			// This step spent a single-use link: its flow goes on by the continuation.
			next.Set("c", h.cont(q.claims))
		}
		if err == nil && connected(st) && h.ConnectingMinimum > 0 {
			// This step connected the account: show "connecting" first, however fast the data comes.
			next.Set("step", linkflow.StageConnecting)
		}
		target := q.base()
		if len(next) > 0 {
			target += "?" + next.Encode()
		}
		http.Redirect(q.w, q.r, target, http.StatusSeeOther)
	}
}

// connected reports whether a step's result is a connected account (its data being fetched or fetched).
func connected(st linkflow.State) bool {
	return st.Session.Stage == linkflow.StageConnecting || st.Session.Stage == linkflow.StageDone
}

func (h *Handler) fail(q *request, err error) {
	if errors.Is(err, linkflow.ErrClosed) {
		h.messageFor(q, http.StatusConflict, "closed")
		return
	}
	if errors.Is(err, linkflow.ErrUsed) {
		h.messageFor(q, http.StatusGone, "used")
		return
	}
	h.Log.Error("connection step failed", "verification", q.claims.VerificationID, "err", err)
	h.messageFor(q, http.StatusInternalServerError, "oops")
}

func (h *Handler) csrf(c session.Claims) string {
	m := hmac.New(sha256.New, h.CSRFKey)
	m.Write([]byte("csrf:" + c.SessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) selectItem(q *request) (linkflow.State, error) {
	return h.Flow.Select(q.r.Context(), q.claims, q.r.PostFormValue("item"))
}

func (h *Handler) back(q *request) (linkflow.State, error) {
	return h.Flow.Back(q.r.Context(), q.claims)
}

func (h *Handler) signIn(q *request) (linkflow.State, error) {
	username := q.r.PostFormValue("username")
	st, err := h.Flow.SignIn(q.r.Context(), q.claims, datasource.Credentials{Username: username, Password: q.r.PostFormValue("password")})
	if err == nil && st.Session.Stage == linkflow.StageSignIn && username != "" && len(username) <= maxUsername {
		// Refused: the form asks again with the username filled in, sealed
		// in the URL for this session alone (no cookie, so an embedded page
		// keeps it too).
		if sealed, serr := h.typed.Seal(typedUsername{Session: q.claims.SessionID, Username: username}); serr == nil {
			q.next = url.Values{"u": {sealed}}
		}
	}
	return st, err
}

// maxUsername is the longest username a failed sign-in fills in again.
const maxUsername = 256

// typedUsername is what a failed sign-in's URL carries: the username typed, for one session.
type typedUsername struct {
	Session  string `json:"s"`
	Username string `json:"u"`
}

// username is the username a failed sign-in sealed into the page URL, or "".
func (h *Handler) username(q *request) string {
	var u typedUsername
	sealed := q.r.URL.Query().Get("u")
	if sealed == "" || h.typed.Open(sealed, &u) != nil || u.Session != q.claims.SessionID {
		return ""
	}
	return u.Username
}

func (h *Handler) verify(q *request) (linkflow.State, error) {
	return h.Flow.Verify(q.r.Context(), q.claims, q.r.PostFormValue("code"))
}

func (h *Handler) share(q *request) (linkflow.State, error) {
	return h.Flow.Share(q.r.Context(), q.claims, q.r.PostForm["account"])
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
	State       linkflow.State
	Query       string
	Items       []datasource.Item
	Searched    bool
	Kind        string // the item kind the search list is limited to ("platform"), or ""
	Notice      string // a message key
	Hint        string
	RedirectURL string // where leaving goes, if set
	Complete    bool
	// Cont is "?c=<continuation>" for the exit and status URLs of a used single-use link's flow.
	Cont string
	// Embed is what the page script needs when the Web SDK embeds the page (embed.go).
	Embed embedState
	// Uploads is whether the search offers document upload instead (payroll
	// sessions, when the handler has Uploads); on the upload page, Uploaded
	// is the upload just stored and UploadedType its type.
	Uploads bool
	// Another is whether the done page offers to connect another account
	// (Link for a user token, whose session belongs to the user alone).
	Another       bool
	Uploaded      string
	UploadedType  string
	DocumentTypes []string
	// Token is the link's token; UserID the user it connects accounts for;
	// DeepLink whether it opened straight at an item's sign-in (one item
	// offered, or a reconnection); Reconnect the account it reconnects, if any.
	Token     string
	UserID    string
	DeepLink  bool
	Reconnect string
	// The link's customization (flow or experience), when it has one: Brand
	// is its brand name, LogoURL and ThemeURL the per-link logo and accent
	// stylesheet ("" without them), Intro its introduction in the page language.
	Brand    string
	LogoURL  string
	ThemeURL string
	Intro    string
	// Requester names who asked for the connection: the customization's
	// brand name, else the partner's name ("" when neither is known).
	Requester string
	// ReturnURL leads a message page back to the partner (its redirect_url
	// with the outcome added), when the link names one. The session checked
	// the redirect_url's scheme when it was made (an app's own scheme is
	// allowed, javascript: and the like are not), so it is written as is.
	ReturnURL template.URL
	// Username fills in the sign-in form again after a refused sign-in.
	Username string
	// HoldMS is how many milliseconds more the connecting page stays up
	// after the data has arrived (ConnectingMinimum), and Next where it goes then.
	HoldMS int64
	Next   string
}

// steps are the stages of the step indicator (search → sign in → verify →
// done), by the stage that shows each; the stages between sign-in and done
// (MFA, the bank's choice of accounts, connecting) are all "verify".
var steps = map[string]int{
	linkflow.StageSearch: 1, linkflow.StageSignIn: 2, linkflow.StageMFA: 3, linkflow.StageAccounts: 3,
	linkflow.StageConnecting: 3, linkflow.StageDone: 4,
}

// stepKeys are the message keys of the step indicator's steps, in order.
var stepKeys = []string{"step.search", "step.signin", "step.verify", "step.done"}

// step is one step of the indicator: its number, message key and state
// ("done", "current" or "" for one still to come).
type step struct {
	N     int
	Key   string
	State string
}

// Steps is the page's step indicator, or nil for a page outside the flow's steps.
func (v view) Steps() []step {
	at := steps[v.Stage]
	if v.Base == "" || at == 0 {
		return nil
	}
	out := make([]step, len(stepKeys))
	for i, k := range stepKeys {
		out[i] = step{N: i + 1, Key: k}
		switch {
		case i+1 < at:
			out[i].State = "done"
		case i+1 == at:
			out[i].State = "current"
		}
	}
	return out
}

// bankKeys are the messages a banking session shows instead of the payroll ones.
var bankKeys = map[string]string{
	"title.connect": "title.connect_bank", "intro": "bank.intro", "search.label": "bank.search.label",
	"search.placeholder": "bank.search.placeholder", "search.popular": "bank.search.popular",
	"connecting.body": "bank.connecting.body", "done.body": "bank.done.body", "failed.other": "bank.failed.other",
	"error.unknown_item": "bank.error.unknown_item", "search.cant_find": "bank.search.cant_find",
	"fallback.other_name": "bank.fallback.other_name", "trust.shared": "bank.trust.shared",
	"done.body_partner": "bank.done.body_partner",
}

// Key returns the message key to show for key: its banking variant in a
// banking session, if it has one.
func (v view) Key(key string) string {
	if b, ok := bankKeys[key]; ok && v.Banking {
		return b
	}
	return key
}

func (h *Handler) newView(q *request) view {
	v := view{Lang: htmlLang[q.lang], Base: q.base(), CSRF: h.csrf(q.claims), Token: q.token, Reconnect: q.claims.Reconnect,
		Uploads: h.Uploads != nil && q.claims.DataSource == "payroll", Another: q.claims.VerificationID == "" && q.cont == "",
		Sandbox: q.claims.Environment == store.Sandbox, Banking: q.claims.DataSource == "banking", Cont: q.cont}
	if m := q.claims.Configuration.MobileApp; m != nil {
		v.MobileApp = *m
	}
	if r := q.claims.Configuration.RedirectURL; r != nil {
		v.RedirectURL = *r
	}
	if c := q.custom; q.customized {
		v.Brand = c.BrandName
		if c.Logo != "" {
			v.LogoURL = fmt.Sprintf("%s/logo?v=%d", q.base(), c.UpdatedAt.UnixMilli())
		}
		if accentRE.MatchString(c.AccentColor) {
			v.ThemeURL = q.base() + "/theme.css?v=" + c.AccentColor[1:]
		}
		if v.Intro = c.Intro[q.lang]; v.Intro == "" {
			v.Intro = c.Intro["EN"]
		}
	}
	v.Requester = h.requester(q)
	return v
}

// requester names who asked for the connection: the link's brand name, else its partner's name.
func (h *Handler) requester(q *request) string {
	if q.customized && q.custom.BrandName != "" {
		return q.custom.BrandName
	}
	if h.Partners == nil || q.claims.PartnerID == "" {
		return ""
	}
	p, err := h.Partners.Partner(q.r.Context(), q.claims.PartnerID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			h.Log.Warn("partner lookup failed; the pages name no partner", "err", err)
		}
		return ""
	}
	return p.Name
}

// accentRE matches an accent colour a theme may set.
var accentRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// brandingCache is how long a browser may keep a link's logo and theme;
// their URLs change with the customization.
const brandingCache = "private, max-age=3600"

// logo serves the link's customization's logo with the type it was
// recognised as when uploaded; 404 without one.
func (h *Handler) logo(q *request) {
	img, typ, ok := customization.Logo(q.custom)
	if !q.customized || !ok || typ == "" {
		h.message(q.w, http.StatusNotFound, q.lang, "notfound")
		return
	}
	sum := sha256.Sum256(img)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	hd := q.w.Header()
	hd.Set("Cache-Control", brandingCache)
	hd.Set("ETag", etag)
	if q.r.Header.Get("If-None-Match") == etag {
		q.w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", typ)
	hd.Set("Content-Length", strconv.Itoa(len(img)))
	q.w.Write(img)
}

// theme serves the stylesheet that gives the pages the link's
// customization's accent colour (inline styles being forbidden); 404 without one.
func (h *Handler) theme(q *request) {
	if !q.customized || !accentRE.MatchString(q.custom.AccentColor) {
		h.message(q.w, http.StatusNotFound, q.lang, "notfound")
		return
	}
	q.w.Header().Set("Content-Type", "text/css; charset=utf-8")
	q.w.Header().Set("Cache-Control", brandingCache)
	fmt.Fprintf(q.w, ":root{--accent:%s}\n", strings.ToLower(q.custom.AccentColor))
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
	if origin, refused := refusedFrame(q.r, q.w.Header()); refused {
		// The browser would not show this page to the origin framing it:
		// say so, without opening the session, so nothing starts.
		h.refuse(q.w, q.lang, origin)
		return
	}
	st, err := h.Flow.Open(q.r.Context(), q.claims)
	if err != nil {
		h.fail(q, err)
		return
	}
	v := h.newView(q)
	v.State, v.Stage = st, st.Session.Stage
	if v.UserID, err = h.Flow.UserOf(q.r.Context(), q.claims); err != nil {
		h.fail(q, err)
		return
	}
	if only, restricted, err := h.Flow.Offered(q.r.Context(), q.claims); err == nil {
		v.DeepLink = restricted && len(only) == 1 || v.Reconnect != ""
	}
	switch n := q.r.URL.Query().Get("notice"); n {
	case "busy", "unknown_item":
		v.Notice = "error." + n
	case "item_unavailable":
		v.Notice = "error.platform_temporarily_unavailable"
	}
	if q.r.URL.Query().Get("step") == linkflow.StageConnecting && connected(st) && h.ConnectingMinimum > 0 {
		// Just connected: "connecting" stays up for ConnectingMinimum
		// (from this page's first showing), then goes on to where the flow is.
		v.Stage, v.HoldMS = linkflow.StageConnecting, h.ConnectingMinimum.Milliseconds()
		v.Next = q.base() + q.cont
	}
	switch v.Stage {
	case linkflow.StageSearch:
		v.Query = searchText(q.r.URL.Query().Get("q"))
		v.Searched = v.Query != ""
		var err error
		if q.r.URL.Query().Get("kind") == datasource.KindPlatform && !v.Banking {
			// "Can't find your employer?": the payroll providers, whose
			// sign-in serves the employers they pay.
			v.Kind = datasource.KindPlatform
			v.Items, err = h.providers(q, v.Query)
		} else {
			var limit int
			if limit, err = h.itemLimit(q, v.Query); err == nil {
				v.Items, err = h.Flow.Items(q.r.Context(), q.claims, v.Query, limit)
			}
		}
		if err != nil {
			h.fail(q, err)
			return
		}
	case linkflow.StageSignIn:
		v.Username = h.username(q)
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
// of the whole catalog are listed; a session's own item list (its
// configuration.items and its customization's) is shown whole.
const (
	popularItems = 12
	maxResults   = 60
)

func (h *Handler) itemLimit(q *request, query string) (int, error) {
	if query != "" {
		return maxResults, nil
	}
	if _, restricted, err := h.Flow.Offered(q.r.Context(), q.claims); err != nil || restricted {
		return maxResults, err
	}
	return popularItems, nil
}

// catalogScan is how many items the payroll-provider list looks through.
const catalogScan = 2000

// providers lists the session's payroll providers (platforms) matching query, at most maxResults.
func (h *Handler) providers(q *request, query string) ([]datasource.Item, error) {
	all, err := h.Flow.Items(q.r.Context(), q.claims, query, catalogScan)
	var out []datasource.Item
	for _, it := range all {
		if it.Kind == datasource.KindPlatform && len(out) < maxResults {
			out = append(out, it)
		}
	}
	return out, err
}

// items answers the page's live search with the contract's Item shape.
func (h *Handler) items(q *request) {
	query := searchText(q.r.URL.Query().Get("q"))
	limit, err := h.itemLimit(q, query)
	var items []datasource.Item
	if err == nil {
		items, err = h.Flow.Items(q.r.Context(), q.claims, query, limit)
	}
	if err != nil {
		h.fail(q, err)
		return
	}
	if items == nil {
		items = []datasource.Item{}
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
	complete := submissionComplete(st)
	q.w.Header().Add("Vary", "Accept")
	if wantsJSON(q.r) {
		// An embedded page reports the outcome to the SDK instead of leaving.
		writeJSON(q.w, http.StatusOK, map[string]bool{"user_submission_complete": complete,
			"user_attempted_employer_selection": st.Session.AttemptedSelection})
		return
	}
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

// userLink opens Link for a user token: it checks the token and answers a
// redirect to a new session of the token's user, configured by the query
// (items, comma-separated or repeated; language; flow_id, or
// customization_id, which names a flow too; account_id, an account of the
// user to reconnect; sandbox, "true" or "false", which must match the
// token's environment; resume, the session link of an earlier token of the
// user, to continue where it was). The session ends when the token expires.
// An expired token answers 401 and the expired page, a token that is not
// one 404, settings the service does not offer 400 — each in the page's
// language, and each reporting to the Web SDK the platform's error type
// (expired_user_token, invalid_user_token, invalid_items,
// invalid_account_id).
func (h *Handler) userLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := strings.ToUpper(q.Get("language"))
	if messages[lang] == nil {
		w.Header().Add("Vary", "Accept-Language")
		lang = negotiate(r.Header.Get("Accept-Language"))
	}
	h.frameHeaders(w.Header(), nil)
	if h.Users == nil {
		h.message(w, http.StatusNotFound, lang, "notfound")
		return
	}
	tok := r.PathValue("userToken")
	u, err := h.Users.ForToken(r.Context(), tok)
	switch {
	case errors.Is(err, usertoken.ErrExpired):
		h.messageCode(w, http.StatusUnauthorized, lang, "expired", "expired_user_token")
		return
	case errors.Is(err, usertoken.ErrInvalid), errors.Is(err, store.ErrNotFound):
		h.messageCode(w, http.StatusNotFound, lang, "notfound", "invalid_user_token")
		return
	case err != nil:
		h.Log.Error("user link failed", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "oops")
		return
	}
	if sb := q.Get("sandbox"); sb != "" && (sb == "true") != (u.Environment == store.Sandbox) {
		// Link initialized for the other environment than the token's.
		h.messageCode(w, http.StatusBadRequest, lang, "badlink", "environment_mismatch")
		return
	}
	until := tokenExpiry(tok)
	if old := q.Get("resume"); old != "" {
		link, err := h.Sessions.Resume(r.Context(), u, old, until)
		if err != nil {
			h.messageCode(w, http.StatusBadRequest, lang, "badlink", "invalid_user_token")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		keepReferrer(w.Header())
		http.Redirect(w, r, link, http.StatusSeeOther)
		return
	}
	var in session.ConfigurationInput
	if items := splitList(q["items"]); len(items) > 0 {
		in.Items = v.Opt[[]string]{Set: true, V: items}
	}
	if l := q.Get("language"); l != "" {
		in.Language = v.Opt[string]{Set: true, V: strings.ToUpper(l)}
	}
	if f := q.Get("flow_id"); f != "" {
		in.FlowID = v.Opt[string]{Set: true, V: f}
	} else if f := q.Get("customization_id"); f != "" {
		in.FlowID = v.Opt[string]{Set: true, V: f}
	}
	opts := session.UserLink{Until: until}
	if id := strings.ToLower(q.Get("account_id")); id != "" {
		a, err := store.Account{}, error(store.ErrNotFound)
		if v.IsUUID(id) {
			a, err = h.Flow.Store.Account(r.Context(), id)
		}
		if err != nil || a.UserID != u.ID || a.PartnerID != u.PartnerID || a.Environment != u.Environment || a.DataSource == "documents" {
			h.messageCode(w, http.StatusBadRequest, lang, "badlink", "invalid_account_id")
			return
		}
		// Reconnecting: that account's item alone, straight to its sign-in.
		opts.Reconnect = a.ID
		in.Items = v.Opt[[]string]{Set: true, V: []string{a.Item}}
	}
	h.openForUser(w, r, lang, u, in, "user link failed", opts)
}

// tokenExpiry reads the exp claim of a user token that was verified already.
func tokenExpiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err != nil || json.Unmarshal(b, &c) != nil || c.Exp == 0 {
		return time.Time{}
	}
	return time.Unix(c.Exp, 0)
}

// searchText is a search as typed, made valid text: invalid UTF-8 and NUL
// characters are dropped, so they are neither searched for nor shown back.
func searchText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", ""))
}

// inviteLink opens Link for an invite: a new session of the invited user,
// offering the invite's items and flow. An unknown invite answers the
// not-found page, a revoked one the expired page (410).
func (h *Handler) inviteLink(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept-Language")
	lang := negotiate(r.Header.Get("Accept-Language"))
	h.frameHeaders(w.Header(), nil)
	if h.Invites == nil {
		h.message(w, http.StatusNotFound, lang, "notfound")
		return
	}
	inv, u, err := h.Invites.Open(r.Context(), r.PathValue("token"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.message(w, http.StatusNotFound, lang, "notfound")
		return
	case errors.Is(err, invite.ErrRevoked):
		h.message(w, http.StatusGone, lang, "expired")
		return
	case err != nil:
		h.Log.Error("invite link failed", "err", err)
		h.message(w, http.StatusInternalServerError, lang, "oops")
		return
	}
	var in session.ConfigurationInput
	if len(inv.FlowItems) > 0 {
		in.Items = v.Opt[[]string]{Set: true, V: inv.FlowItems}
	}
	if inv.FlowID != nil {
		in.FlowID = v.Opt[string]{Set: true, V: *inv.FlowID}
	}
	h.openForUser(w, r, lang, u, in, "invite link failed")
}

// openForUser makes a new Link session of user u configured by in and
// redirects to it (303, not cached); a configuration the session refuses
// answers the bad-link page, any other failure is logged as failure.
func (h *Handler) openForUser(w http.ResponseWriter, r *http.Request, lang string, u store.User, in session.ConfigurationInput, failure string, opts ...session.UserLink) {
	link, err := h.Sessions.ForUser(r.Context(), u, in, opts...)
	var verrs v.Errors
	switch {
	case errors.As(err, &verrs):
		code := ""
		if _, ok := verrs["configuration.items"]; ok {
			code = "invalid_items"
		}
		h.messageCode(w, http.StatusBadRequest, lang, "badlink", code)
		return
	case err != nil:
		h.Log.Error(failure, "err", err)
		h.message(w, http.StatusInternalServerError, lang, "oops")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	keepReferrer(w.Header())
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// keepReferrer lets a redirect to a session link keep the origin of the
// page that asked (the Web SDK's frame sends it), so that the session's page
// can refuse a frame its origin may not show (refusedFrame); the pages'
// usual no-referrer would drop it on the way.
func keepReferrer(hd http.Header) { hd.Set("Referrer-Policy", "origin") }

// splitList reads a list given as repeated or comma-separated values.
func splitList(values []string) []string {
	var out []string
	for _, val := range values {
		for _, s := range strings.Split(val, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// message renders a page that only says something (expired, not found...).
func (h *Handler) message(w http.ResponseWriter, status int, lang, key string) {
	h.messageCode(w, status, lang, key, "")
}

// messageFor is message for a genuine link: in its language, naming who
// asked for it, and leading back to the partner when the link says where.
func (h *Handler) messageFor(q *request, status int, key string) {
	v := view{Lang: htmlLang[q.lang], Stage: key, Requester: h.requester(q), Sandbox: q.claims.Environment == store.Sandbox}
	if r := q.claims.Configuration.RedirectURL; r != nil && *r != "" {
		// A used link's page follows a connected account; the others, none.
		used := key == "used"
		v.ReturnURL = template.URL(RedirectURL(*r, used, used))
	}
	h.render(q.w, status, q.lang, "message.html", v)
}

// messageCode is message reporting code to the Web SDK instead of the key's usual one.
func (h *Handler) messageCode(w http.ResponseWriter, status int, lang, key, code string) {
	h.render(w, status, lang, "message.html", view{Lang: htmlLang[lang], Stage: key, Embed: embedState{Error: code}})
}

// titleKeys names the message that titles each stage's page.
var titleKeys = map[string]string{
	linkflow.StageSearch: "title.connect", linkflow.StageSignIn: "title.connect", linkflow.StageMFA: "mfa.title",
	linkflow.StageConnecting: "connecting.title", linkflow.StageDone: "done.title", linkflow.StageFailed: "failed.title",
	linkflow.StageLocked: "locked.title", "exit": "exit.title", linkflow.StageAccounts: "accounts.title",
}

func (h *Handler) render(w http.ResponseWriter, status int, lang, name string, data view) {
	if data.Title == "" {
		key, ok := titleKeys[data.Stage]
		if !ok {
			key = data.Stage + ".title"
		}
		key = data.Key(key)
		data.Title = messages[lang][key]
		if data.Title == "" {
			data.Title = messages["EN"][key]
		}
	}
	fillEmbed(&data, w.Header(), name, status)
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
	h.frameHeaders(hd, nil)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
}

// frameHeaders sets the Content-Security-Policy, whose frame-ancestors
// lists the server-wide origins (--frame-ancestors) and a link's
// customization's frame_origins (extra), else 'none' with X-Frame-Options:
// DENY.
func (h *Handler) frameHeaders(hd http.Header, extra []string) {
	origins := append([]string(nil), h.FrameAncestors...)
	for _, o := range extra {
		if !slices.Contains(origins, o) {
			origins = append(origins, o)
		}
	}
	ancestors := "'none'"
	if len(origins) > 0 {
		ancestors = strings.Join(origins, " ")
		hd.Del("X-Frame-Options")
	} else {
		hd.Set("X-Frame-Options", "DENY")
	}
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors "+ancestors)
}

// formatMoney shows an amount of US dollars the way a page language writes it.
func formatMoney(lang string, m value.Money) string {
	s := m.String() // "-1234.56"
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, cents, _ := strings.Cut(s, ".")
	group, dec := ",", "."
	switch lang {
	case "ES":
		group, dec = ".", ","
	case "RU":
		group, dec = "\u00a0", ","
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	num := b.String() + dec + cents
	var out string
	switch lang {
	case "ES":
		out = num + "\u00a0US$"
	case "RU":
		out = num + "\u00a0$"
	case "ZH":
		out = "US$" + num
	default:
		out = "$" + num
	}
	if neg {
		return "−" + out
	}
	return out
}
