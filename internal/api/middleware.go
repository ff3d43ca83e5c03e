package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"verigate/internal/partner"
)

type ctxKey struct{}

// requestInfo is what the middleware learns about a request: its id, and
// once authenticated, the caller. One value in the context holds both, so
// a request is copied once to carry them.
type requestInfo struct {
	id        string
	principal partner.Principal
}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

func info(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(ctxKey{}).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

func requestID(ctx context.Context) string { return info(ctx).id }

func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter remembers the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives every request an id, logs it (without its query or any
// secret-bearing path), and turns a panic into a JSON 500.
func (a *API) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || !requestIDRE.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, &requestInfo{id: id}))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				a.Log.ErrorContext(r.Context(), "panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeJSON(sw, http.StatusInternalServerError, map[string]string{"detail": "Internal server error; the request id identifies it in verigate's logs."})
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			a.Metrics.Request(route, r.Method, sw.status, time.Since(start))
			if a.Log.Enabled(r.Context(), slog.LevelInfo) {
				a.Log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", route),
					slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// authenticated requires HTTP Basic credentials of a partner API key.
func (a *API) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			a.writeError(w, r, errNoCredentials)
			return
		}
		p, err := a.Keys.Authenticate(r.Context(), id, secret)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if a.Limits != nil {
			if ok, wait := a.Limits.Allow(p.KeyID, time.Now()); !ok {
				secs := int(math.Ceil(wait.Seconds()))
				unit := "seconds"
				if secs == 1 {
					unit = "second"
				}
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				a.writeError(w, r, detail(http.StatusTooManyRequests, fmt.Sprintf("Request was throttled. Expected available in %d %s.", secs, unit)))
				return
			}
		}
		if ri, ok := r.Context().Value(ctxKey{}).(*requestInfo); ok {
			ri.principal = p
		} else {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, &requestInfo{principal: p}))
		}
		next.ServeHTTP(w, r)
	})
}

func principal(r *http.Request) partner.Principal { return info(r.Context()).principal }
