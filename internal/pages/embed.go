package pages

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"verigate/internal/linkflow"
)

// What the pages tell the page script for the Web SDK (docs/sdk.md). A page
// embedded by the SDK learns the embedding window's origin from the SDK's
// "hello" message (its event.origin, which the browser vouches for), and
// talks to that window only if the origin is one this very answer's
// Content-Security-Policy lets frame it. The allowed origins, the page's
// stage and the outcome a redirect would carry are written into <body> as
// data-* attributes.

// embedState is what render adds to a view for the page script.
type embedState struct {
	// Ancestors is the frame-ancestors of the answer's Content-Security-Policy.
	Ancestors string
	// Error is the code a message page (expired, not found...) reports, and Status its HTTP status.
	Error  string
	Status int
}

// embedErrors names the error a message page reports to an embedding window, by the page's message key.
var embedErrors = map[string]string{
	"expired":     "link_expired",
	"used":        "link_used",
	"notfound":    "link_invalid",
	"closed":      "verification_closed",
	"forbidden":   "request_forbidden",
	"oops":        "server_error",
	"unavailable": "data_source_unavailable",
	"refused":     "frame_refused",
}

// fillEmbed fills v.Embed from the headers of the answer about to be written.
func fillEmbed(v *view, hd http.Header, name string, status int) {
	v.Embed.Ancestors = frameAncestors(hd.Get("Content-Security-Policy"))
	if name == "message.html" {
		if v.Embed.Error == "" {
			v.Embed.Error = embedErrors[v.Stage]
		}
		v.Embed.Status = status
		if v.Embed.Error == "" {
			v.Embed.Error = "unknown"
		}
	}
}

// frameAncestors returns the sources of a policy's frame-ancestors directive.
func frameAncestors(csp string) string {
	for _, d := range strings.Split(csp, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(d), "frame-ancestors"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// submissionComplete is user_submission_complete: an account was connected
// in this session, whichever way the borrower leaves.
func submissionComplete(st linkflow.State) bool {
	return st.Session.Stage == linkflow.StageDone || st.Session.Stage == linkflow.StageConnecting
}

// EmbedAttrs are the data-* attributes of <body> the page script reads when
// the SDK embeds the page.
func (v view) EmbedAttrs() template.HTMLAttr {
	var b strings.Builder
	attr := func(name, value string) {
		b.WriteString(" data-" + name + `="` + template.HTMLEscapeString(value) + `"`)
	}
	attr("frame-ancestors", v.Embed.Ancestors)
	if v.Embed.Error != "" {
		attr("embed-error", v.Embed.Error)
		attr("status", strconv.Itoa(v.Embed.Status))
		return template.HTMLAttr(b.String())
	}
	if v.Base == "" {
		return template.HTMLAttr(b.String())
	}
	st := v.State.Session
	attr("stage", v.Stage)
	attr("exit-url", v.Base+"/exit"+v.Cont)
	attr("item", st.Item)
	if st.ErrorCode != "" {
		attr("error-code", st.ErrorCode)
	}
	if st.AccountID != "" && submissionComplete(v.State) {
		attr("account", st.AccountID)
	} else if st.AccountID != "" && linkflow.Reserved(st) {
		attr("pending-account", st.AccountID)
	}
	if v.UserID != "" {
		attr("user", v.UserID)
	} else if v.State.UserID != "" {
		attr("user", v.State.UserID)
	}
	if ch := v.State.Challenge; ch != nil && v.Stage == linkflow.StageMFA {
		attr("mfa-type", string(ch.Kind))
	}
	attr("link", v.Token)
	attr("deep-link", strconv.FormatBool(v.DeepLink))
	if v.Reconnect != "" {
		attr("reconnect", v.Reconnect)
	}
	if v.Uploaded != "" {
		attr("uploaded", v.Uploaded)
	}
	if v.Sandbox {
		attr("environment", "sandbox")
	} else {
		attr("environment", "production")
	}
	attr("complete", strconv.FormatBool(submissionComplete(v.State)))
	attr("attempted", strconv.FormatBool(st.AttemptedSelection))
	return template.HTMLAttr(b.String())
}

// refusedFrame returns the origin of the page framing a page request when
// the browser would refuse to show the page to it: a request for an iframe
// (Sec-Fetch-Dest) whose Referer (the Web SDK's frame sends its page's
// origin) names an origin the answer's frame-ancestors do not list. Such a
// request must not open the session (and move the verification to
// user_session_started). Without a Referer nothing is known, and the page
// is served as usual (the browser then refuses it, if it must).
func refusedFrame(r *http.Request, hd http.Header) (string, bool) {
	if d := r.Header.Get("Sec-Fetch-Dest"); d != "iframe" && d != "frame" {
		return "", false
	}
	ref, err := url.Parse(r.Referer())
	if r.Referer() == "" || err != nil || ref.Host == "" || (ref.Scheme != "https" && ref.Scheme != "http") {
		return "", false
	}
	origin := ref.Scheme + "://" + ref.Host
	for _, a := range strings.Fields(frameAncestors(hd.Get("Content-Security-Policy"))) {
		if a == "'self'" {
			a = requestOrigin(r)
		}
		if u, err := url.Parse(a); err == nil && strings.EqualFold(u.Scheme+"://"+u.Host, origin) {
			return "", false
		}
	}
	return origin, true
}

// refuse answers a frame refusedFrame found: a page that says it may not be
// shown there, framable by that origin alone so that it can tell the Web SDK
// at once (frame_refused) instead of leaving a blank frame. It holds nothing
// of the session and offers no action.
func (h *Handler) refuse(w http.ResponseWriter, lang, origin string) {
	hd := w.Header()
	hd.Del("X-Frame-Options")
	csp := hd.Get("Content-Security-Policy")
	if i := strings.Index(csp, "frame-ancestors"); i >= 0 {
		csp = csp[:i]
	}
	hd.Set("Content-Security-Policy", csp+"frame-ancestors "+origin)
	h.message(w, http.StatusForbidden, lang, "refused")
}

// requestOrigin is the origin a request was made to.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// wantsJSON reports whether the exit was asked for by the page script of an
// embedded page, which reports the outcome instead of leaving.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}
