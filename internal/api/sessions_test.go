package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func (e *env) session(t testing.TB, k key, verification string, cfg any) map[string]any {
	t.Helper()
	body := map[string]any{"verification": verification}
	if cfg != nil {
		body["configuration"] = cfg
	}
	return e.ok(t, k, "POST", "/partners/v2/sessions", body)
}

// open GETs a link without credentials.
func (e *env) open(t testing.TB, link string) resp {
	t.Helper()
	r := e.send(t, req{method: "GET", path: link})
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q, want HTML", r, ct)
	}
	for _, leak := range []string{"goroutine", "panic", ".go:"} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("%s: page leaks %q", r, leak)
		}
	}
	return r
}

var tokenRE = regexp.MustCompile(`/connect/([A-Za-z0-9_-]{22,})$`)

func TestSessionCreateAndDefaults(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	payroll := e.orderID(t, k, user, "voie")
	banking := e.orderID(t, k, user, "voa")

	got := e.session(t, k, strings.ToUpper(payroll), nil)
	sameAsExample(t, map[string]any{
		"verification":  payroll,
		"configuration": map[string]any{"experience": nil, "single_use_url": false, "redirect_url": nil, "language": "EN", "mobile_app": false},
		"data_source":   "payroll",
	}, got, "link")
	got = e.session(t, k, banking, map[string]any{})
	sameAsExample(t, map[string]any{
		"verification":  banking,
		"configuration": map[string]any{"experience": nil, "single_use_url": false, "redirect_url": nil},
		"data_source":   "banking",
	}, got, "link")

	// Accepted values, echoed.
	got = e.session(t, k, payroll, map[string]any{"redirect_url": "app://return", "language": "ZH", "items": []any{"item_000000001", "item_000000001", "item_000000002"}, "flow_id": "12ABCD3E", "single_use_url": false})
	sameAsExample(t, map[string]any{
		"verification": payroll,
		"configuration": map[string]any{"experience": nil, "single_use_url": false, "redirect_url": "app://return",
			"flow_id": "12ABCD3E", "items": []any{"item_000000001", "item_000000002"}, "language": "ZH", "mobile_app": false},
		"data_source": "payroll",
	}, got, "link")
	for _, u := range []string{"http://localhost:3000/back?state=1", "https://example.com/" + strings.Repeat("a", 2048-len("https://example.com/")), "myapp://return-to-app"} {
		if g := e.session(t, k, banking, map[string]any{"redirect_url": u, "single_use_url": true, "experience": "97F1ECCB-241D-4052-8409-FAB9E27A589B"}); get(g, "configuration.redirect_url") != u ||
			get(g, "configuration.single_use_url") != true || get(g, "configuration.experience") != "97f1eccb-241d-4052-8409-fab9e27a589b" {
			t.Errorf("banking configuration not echoed: %v", g["configuration"])
		}
	}

	// Every call makes a new link; links are URL-safe and long enough to be unguessable.
	links := map[string]bool{}
	for i := 0; i < 5; i++ {
		l := e.session(t, k, payroll, nil)["link"].(string)
		if links[l] {
			t.Errorf("link %s issued twice", l)
		}
		links[l] = true
		if !strings.HasPrefix(l, e.srv.URL+"/connect/") || !tokenRE.MatchString(l) {
			t.Errorf("link %q is not <public-url>/connect/<url-safe token>", l)
		}
	}

	// PAUSED and PROCESSING verifications can still get sessions.
	e.pauseConnection(t, k, payroll)
	e.session(t, k, payroll, nil)
}

func TestSessionValidation(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	payroll := e.orderID(t, k, user, "voie")
	banking := e.orderID(t, k, user, "voai")
	documents := e.orderID(t, k, user, "doc-voi-mortgage")
	completed := e.orderID(t, k, user, "voe")
	e.advance(t, k, completed, stUserSession, stAuthed, stCompleted)
	cancelled := e.orderID(t, k, user, "voi")
	e.advance(t, k, cancelled, stUserSession, stAuthed, stMoreData, stCancelled)
	foreign := e.orderID(t, e.B, e.createUser(t, e.B, nil), "voie")

	post := func(body any) resp { return e.call(t, k, "POST", "/partners/v2/sessions", body) }
	e.unchanged(t, "rejected sessions", func() {
		fieldError(t, post(map[string]any{}), "verification")
		fieldError(t, post(map[string]any{"verification": nil}), "verification")
		fieldError(t, post(map[string]any{"verification": "v1"}), "verification")
		fieldError(t, post(map[string]any{"verification": 12}), "verification")
		unknown := post(map[string]any{"verification": unknownID})
		other := post(map[string]any{"verification": foreign})
		detailOf(t, unknown, 404)
		detailOf(t, other, 404)
		if string(unknown.Body) != string(other.Body) {
			t.Errorf("another partner's verification answers %s, an unknown one %s", other, unknown)
		}
		if msgs := fieldError(t, post(map[string]any{"verification": documents}), "verification"); len(msgs) > 0 && !strings.Contains(msgs[0], "payroll and banking") {
			t.Errorf("documents: message %q", msgs[0])
		}
		for id, state := range map[string]string{completed: "COMPLETED", cancelled: "CANCELLED"} {
			if msgs := fieldError(t, post(map[string]any{"verification": id}), "verification"); len(msgs) > 0 && !strings.Contains(msgs[0], state) {
				t.Errorf("%s: message %q", state, msgs[0])
			}
		}

		cases := []struct {
			name, verification string
			cfg                any
			field              string
		}{
			{"configuration null", payroll, nil, "configuration"},
			{"configuration a string", payroll, "EN", "configuration"},
			{"language FR", payroll, map[string]any{"language": "FR"}, "configuration.language"},
			{"language lower case", payroll, map[string]any{"language": "en"}, "configuration.language"},
			{"language null", payroll, map[string]any{"language": nil}, "configuration.language"},
			{"language a number", payroll, map[string]any{"language": 1}, "configuration.language"},
			{"items not strings", payroll, map[string]any{"items": []any{1, 2}}, "configuration.items"},
			{"items a string", payroll, map[string]any{"items": "item_1"}, "configuration.items"},
			{"items blank", payroll, map[string]any{"items": []any{""}}, "configuration.items"},
			{"items unknown", payroll, map[string]any{"items": []any{"item_000000001", "item_999999999"}}, "configuration.items"},
			{"redirect relative", payroll, map[string]any{"redirect_url": "/return"}, "configuration.redirect_url"},
			{"redirect no scheme", payroll, map[string]any{"redirect_url": "example.com/return"}, "configuration.redirect_url"},
			{"redirect javascript", payroll, map[string]any{"redirect_url": "javascript:alert(1)"}, "configuration.redirect_url"},
			{"redirect JavaScript", banking, map[string]any{"redirect_url": "JavaScript:alert(1)"}, "configuration.redirect_url"},
			{"redirect data", payroll, map[string]any{"redirect_url": "data:text/html,hi"}, "configuration.redirect_url"},
			{"redirect https without host", payroll, map[string]any{"redirect_url": "https:///x"}, "configuration.redirect_url"},
			{"redirect too long", payroll, map[string]any{"redirect_url": "https://example.com/" + strings.Repeat("a", 2029)}, "configuration.redirect_url"},
			{"redirect a number", payroll, map[string]any{"redirect_url": 5}, "configuration.redirect_url"},
			{"experience not a uuid", banking, map[string]any{"experience": "exp-1"}, "configuration.experience"},
			{"single_use_url a string", banking, map[string]any{"single_use_url": "true"}, "configuration.single_use_url"},
			{"single_use_url null", banking, map[string]any{"single_use_url": nil}, "configuration.single_use_url"},
			{"mobile_app a string", payroll, map[string]any{"mobile_app": "yes"}, "configuration.mobile_app"},
			{"flow_id blank", payroll, map[string]any{"flow_id": " "}, "configuration.flow_id"},
			// Payroll-only fields on a banking verification.
			{"flow_id on banking", banking, map[string]any{"flow_id": "F1"}, "configuration.flow_id"},
			{"items on banking", banking, map[string]any{"items": []any{"item_000000001"}}, "configuration.items"},
			{"language on banking", banking, map[string]any{"language": "EN"}, "configuration.language"},
			{"mobile_app on banking", banking, map[string]any{"mobile_app": false}, "configuration.mobile_app"},
			// Banking-only fields with non-default values on a payroll verification.
			{"experience on payroll", payroll, map[string]any{"experience": "97f1eccb-241d-4052-8409-fab9e27a589b"}, "configuration.experience"},
			{"single_use_url true on payroll", payroll, map[string]any{"single_use_url": true}, "configuration.single_use_url"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				fieldError(t, post(map[string]any{"verification": c.verification, "configuration": c.cfg}), c.field)
			})
		}
	})
	// The banking-only defaults are accepted on payroll: the payroll example's response echoes them.
	e.session(t, k, payroll, map[string]any{"experience": nil, "single_use_url": false, "redirect_url": nil})
	// The seed's banking example sends experience: accepted on banking.
	e.session(t, k, banking, map[string]any{"experience": "97f1eccb-241d-4052-8409-fab9e27a589b", "single_use_url": false, "redirect_url": "https://your-application.com/return"})
}

func TestSessionLinks(t *testing.T) {
	e := newEnv(t)
	k := e.A
	user := e.createUser(t, k, nil)
	payroll := e.orderID(t, k, user, "voie")
	banking := e.orderID(t, k, user, "voa")

	first := e.session(t, k, payroll, map[string]any{"language": "EN"})["link"].(string)
	r := e.open(t, first)
	if r.Status != http.StatusOK {
		t.Fatalf("fresh link: %s", r)
	}
	page := string(r.Body)
	if !strings.Contains(page, "Connect your payroll account") || !strings.Contains(page, `<html lang="en">`) {
		t.Errorf("page does not show data source and language:\n%s", page)
	}
	if r := e.open(t, e.session(t, k, payroll, map[string]any{"language": "ES"})["link"].(string)); r.Status != 200 {
		t.Errorf("ES link: %s", r)
	}
	bank := e.session(t, k, banking, nil)["link"].(string)
	if r := e.open(t, bank); r.Status != 200 || !strings.Contains(string(r.Body), "Connect your bank account") {
		t.Errorf("banking link: %s", r)
	}

	// A newer link does not retire an older one.
	e.clock.Advance(30 * time.Minute)
	second := e.session(t, k, payroll, nil)["link"].(string)
	if r := e.open(t, first); r.Status != 200 {
		t.Errorf("older link stopped working once a newer one existed: %s", r)
	}
	if r := e.open(t, second); r.Status != 200 || !strings.Contains(string(r.Body), "Connect your payroll account") {
		t.Errorf("newer link: %s", r)
	}

	// Expiry is exactly one hour after creation.
	e.clock.Advance(29*time.Minute + 59*time.Second) // first is 59m59s old
	if r := e.open(t, first); r.Status != 200 {
		t.Errorf("link 59m59s old: %s", r)
	}
	e.clock.Advance(time.Second) // exactly 1h
	r = e.open(t, first)
	if r.Status != http.StatusGone || !strings.Contains(string(r.Body), "This link has expired") {
		t.Errorf("link exactly 1h old: %s", r)
	}
	if r := e.open(t, second); r.Status != 200 {
		t.Errorf("the 30-minute-old link: %s", r)
	}
	e.clock.Advance(30 * time.Minute)
	if r := e.open(t, second); r.Status != http.StatusGone {
		t.Errorf("second link after 1h: %s", r)
	}

	// Forged, tampered and unknown tokens.
	fresh := e.session(t, k, payroll, nil)["link"].(string)
	tok := tokenRE.FindStringSubmatch(fresh)[1]
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	for name, bad := range map[string]string{
		"flipped middle":   flip(tok, len(tok)/2),
		"flipped first":    flip(tok, 0),
		"flipped near end": flip(tok, len(tok)-2),
		"truncated":        tok[:len(tok)-4],
		"extended":         tok + "AAAA",
		"random":           strings.Repeat("x", len(tok)),
		"not base64":       "!!!!",
		"trailing segment": tok + "/more",
	} {
		r := e.open(t, e.srv.URL+"/connect/"+bad)
		if r.Status != http.StatusNotFound || strings.Contains(string(r.Body), "expired") {
			t.Errorf("%s token: %s", name, r)
		}
	}
	if r := e.open(t, e.srv.URL+"/connect/"); r.Status != http.StatusNotFound {
		t.Errorf("/connect/ without a token: %s", r)
	}
	if r := e.open(t, fresh); r.Status != 200 {
		t.Errorf("untampered link: %s", r)
	}
	// A link is opened, not posted to.
	if r := e.send(t, req{method: "POST", path: fresh, body: "{}"}); r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusNotFound {
		t.Errorf("POST on a link: %s", r)
	}
	// A user token or a link of another verigate does not open as a session.
	userTok := e.ok(t, k, "POST", "/partners/v2/users", map[string]any{"client": k.Client})["user_token"].(string)
	if r := e.open(t, e.srv.URL+"/connect/"+userTok); r.Status != http.StatusNotFound {
		t.Errorf("a user_token opened as a link: %s", r)
	}
	other := newEnv(t)
	otherLink := other.session(t, other.A, other.orderID(t, other.A, other.createUser(t, other.A, nil), "voie"), nil)["link"].(string)
	if r := e.open(t, e.srv.URL+"/connect/"+tokenRE.FindStringSubmatch(otherLink)[1]); r.Status != http.StatusNotFound {
		t.Errorf("another instance's link opened here: %s", r)
	}
}
