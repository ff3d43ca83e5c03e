package pages

import (
	"bytes"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"verigate/internal/datasource"
	"verigate/internal/linkflow"
	"verigate/internal/store"
	"verigate/internal/value"
)

// verbs matches the fmt verbs a message may hold.
var verbs = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func TestCatalogsMatchEnglish(t *testing.T) {
	en := messages["EN"]
	if len(messages) != len(languages) {
		t.Errorf("messages has %d languages, languages lists %d", len(messages), len(languages))
	}
	for _, lang := range languages {
		msgs, ok := messages[lang]
		if !ok {
			t.Errorf("%s: no catalog", lang)
			continue
		}
		if htmlLang[lang] == "" {
			t.Errorf("%s: no <html lang> value", lang)
		}
		for key, want := range en {
			got, ok := msgs[key]
			switch {
			case !ok:
				t.Errorf("%s: missing key %q", lang, key)
			case strings.TrimSpace(got) == "":
				t.Errorf("%s: empty message %q", lang, key)
			case !slices.Equal(verbs.FindAllString(got, -1), verbs.FindAllString(want, -1)):
				t.Errorf("%s %q: verbs %q, EN has %q", lang, key, verbs.FindAllString(got, -1), verbs.FindAllString(want, -1))
			}
		}
		for key := range msgs {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: extra key %q not in EN", lang, key)
			}
		}
	}
}

// TestCatalogsKeepNames checks what must stay untranslated.
func TestCatalogsKeepNames(t *testing.T) {
	for _, lang := range languages {
		if m := messages[lang]["footer"]; !strings.Contains(m, "verigate") {
			t.Errorf("%s footer %q does not name verigate", lang, m)
		}
		if m := messages[lang]["brand.secured"]; !strings.Contains(m, "verigate") {
			t.Errorf("%s brand.secured %q does not name verigate", lang, m)
		}
		if m := messages[lang]["signin.sandbox_hint"]; !strings.Contains(m, "docs/sandbox.md") {
			t.Errorf("%s sandbox hint %q does not name docs/sandbox.md", lang, m)
		}
		if lang != "EN" {
			for _, key := range []string{"title.connect", "search.label", "signin.submit", "done.title", "expired.title"} {
				if messages[lang][key] == messages["EN"][key] {
					t.Errorf("%s %q is still English: %q", lang, key, messages[lang][key])
				}
			}
		}
	}
}

// TestKeysUsedExist checks that every message key a template names literally is in the catalog.
func TestKeysUsedExist(t *testing.T) {
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`(?:\{\{-?\s*(?:t|raw)\s+|\.Key\s+)"([^"]+)"`)
	for _, e := range entries {
		b, err := templateFS.ReadFile("templates/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages["EN"][m[1]]; !ok {
				t.Errorf("%s uses unknown message %q", e.Name(), m[1])
			}
		}
	}
	// Keys built at run time: page titles, error codes, message pages, item kinds.
	var dynamic []string
	for _, k := range titleKeys {
		dynamic = append(dynamic, k)
	}
	for _, code := range []error{datasource.ErrInvalidCredentials, datasource.ErrInvalidCode, datasource.ErrAccountLocked,
		datasource.ErrMFATimeout, datasource.ErrUnsupportedMFA, datasource.ErrProviderUnavailable, datasource.ErrReauthRequired,
		datasource.ErrUnknownItem, io.EOF} {
		dynamic = append(dynamic, "error."+datasource.ErrorCode(code))
	}
	for _, p := range []string{"expired", "notfound", "closed", "forbidden", "oops", "unavailable", "used"} {
		dynamic = append(dynamic, p+".title", p+".body")
	}
	for _, k := range []string{datasource.KindEmployer, datasource.KindPlatform, datasource.KindGig, datasource.KindBenefits, datasource.KindBank} {
		dynamic = append(dynamic, "kind."+k)
	}
	for _, k := range []string{datasource.AccountChecking, datasource.AccountSavings, datasource.AccountMoneyMarket, datasource.AccountCD,
		datasource.AccountCreditCard} {
		dynamic = append(dynamic, "account."+k)
	}
	for k, b := range bankKeys {
		dynamic = append(dynamic, k, b)
	}
	dynamic = append(dynamic, "error.busy", "error.unknown_item", "error."+linkflow.CodeAccountsRequired, "error."+linkflow.CodeUnknownAccount)
	for _, k := range dynamic {
		if _, ok := messages["EN"][k]; !ok {
			t.Errorf("message %q is used but missing", k)
		}
	}
}

// fakeViews returns a view for each page template, covering its branches.
func fakeViews(lang string) map[string][]view {
	item := &datasource.Item{ID: "item_000000005", Name: "Café Riviera Foods", Kind: datasource.KindEmployer}
	bank := &datasource.Item{ID: "ins_000000001", Name: "Harborview National Bank", Kind: datasource.KindBank}
	base := view{Lang: htmlLang[lang], Base: "/connect/tok", CSRF: "csrf-value", Sandbox: true}
	with := func(f func(v *view)) view {
		v := base
		f(&v)
		return v
	}
	st := func(stage, code string, it *datasource.Item, ch *datasource.Challenge) linkflow.State {
		return linkflow.State{Session: store.ConnectSession{Stage: stage, ErrorCode: code}, Item: it, Challenge: ch, AttemptsLeft: 3}
	}
	return map[string][]view{
		"search.html": {
			with(func(v *view) {
				v.Stage = "search"
				v.Items = []datasource.Item{*item, {ID: "item_000000003", Name: "Triple", Kind: datasource.KindPlatform}}
			}),
			with(func(v *view) { v.Stage, v.Query, v.Searched = "search", "zzz", true }),
			with(func(v *view) {
				v.Stage, v.Brand, v.LogoURL, v.ThemeURL = "search", "Acme 100% Lending", "/connect/tok/logo?v=1", "/connect/tok/theme.css?v=0b5394"
				v.Intro = "Connect the account\nyour pay goes to."
			}),
			with(func(v *view) { v.Stage, v.Banking, v.LogoURL = "search", true, "/connect/tok/logo?v=1" }),
			with(func(v *view) { v.Stage, v.Query, v.Searched, v.Items = "search", "caf", true, []datasource.Item{*item} }),
			with(func(v *view) { v.Stage, v.Banking, v.Notice, v.Sandbox = "search", true, "error.busy", false }),
			with(func(v *view) {
				v.Stage, v.Banking = "search", true
				v.Items = []datasource.Item{{ID: "ins_000000001", Name: "Harborview National Bank", Kind: datasource.KindBank, Status: datasource.StatusHealthy},
					{ID: "ins_000000024", Name: "Meridian Digital Bank", Kind: datasource.KindBank, Status: datasource.StatusUnavailable}}
			}),
		},
		"accounts.html": {
			with(func(v *view) {
				v.Stage, v.Banking, v.State = "accounts", true, st("accounts", "", bank, nil)
				v.State.Accounts = []datasource.AccountChoice{
					{ID: "1000000001", Name: "Everyday Checking", Type: datasource.AccountChecking, Mask: "…1234", CurrentBalance: 123456},
					{ID: "1000000002", Name: "High-Yield Savings", Type: datasource.AccountSavings, Mask: "…5678", CurrentBalance: -5},
					{ID: "1000000003", Name: "Odd", Type: "brokerage", Mask: "…0001"}}
			}),
			with(func(v *view) {
				v.Stage, v.Banking, v.State = "accounts", true, st("accounts", linkflow.CodeAccountsRequired, bank, nil)
				v.State.Accounts = []datasource.AccountChoice{{ID: "1", Name: "Checking", Type: datasource.AccountChecking, Mask: "…1"}}
			}),
			with(func(v *view) { v.Stage, v.Banking, v.State = "accounts", true, st("accounts", "", bank, nil) }),
		},
		"signin.html": {
			with(func(v *view) { v.Stage, v.State, v.Hint = "signin", st("signin", "", item, nil), "test_1 / passgood" }),
			with(func(v *view) { v.Stage, v.State = "signin", st("signin", "invalid_credentials", item, nil) }),
		},
		"mfa.html": {
			with(func(v *view) {
				v.Stage, v.State = "mfa", st("mfa", "", item, &datasource.Challenge{Kind: "sms", Destination: "***-***-0181", CodeLength: 4})
			}),
			with(func(v *view) {
				v.Stage, v.State = "mfa", st("mfa", "invalid_mfa", item, &datasource.Challenge{Kind: "email", Destination: "t***2@argyle.com"})
			}),
			with(func(v *view) {
				v.Stage, v.State = "mfa", st("mfa", "", item, &datasource.Challenge{Kind: "authenticator"})
			}),
		},
		"connecting.html": {with(func(v *view) { v.Stage, v.State = "connecting", st("connecting", "", item, nil) })},
		"done.html": {
			with(func(v *view) { v.Stage, v.State = "done", st("done", "", item, nil) }),
			with(func(v *view) {
				v.Stage, v.State, v.RedirectURL = "done", st("done", "", item, nil), "https://partner.test/return"
			}),
		},
		"failed.html": {
			with(func(v *view) {
				v.Stage, v.State = "failed", st("failed", "platform_temporarily_unavailable", item, nil)
			}),
			with(func(v *view) { v.Stage, v.State = "failed", st("failed", "system_error", nil, nil) }),
			with(func(v *view) {
				v.Stage, v.Banking, v.State, v.Cont = "failed", true, st("failed", "auth_required", bank, nil), "?c=x"
			}),
		},
		"locked.html": {with(func(v *view) { v.Stage, v.State = "locked", st("locked", "invalid_credentials", item, nil) })},
		"exit.html": {
			with(func(v *view) { v.Stage, v.Complete = "exit", true }),
			with(func(v *view) { v.Stage, v.MobileApp = "exit", true }),
		},
		"message.html": {
			{Lang: htmlLang[lang], Stage: "expired"}, {Lang: htmlLang[lang], Stage: "notfound"},
			{Lang: htmlLang[lang], Stage: "closed"}, {Lang: htmlLang[lang], Stage: "forbidden"}, {Lang: htmlLang[lang], Stage: "oops"},
			{Lang: htmlLang[lang], Stage: "unavailable", Title: "Connect"}, {Lang: htmlLang[lang], Stage: "used"},
			{Lang: htmlLang[lang], Stage: "refused"},
		},
		"upload.html": {
			with(func(v *view) { v.Stage, v.DocumentTypes = "upload", linkDocumentTypes }),
			with(func(v *view) { v.Stage, v.DocumentTypes, v.Notice = "upload", linkDocumentTypes, "upload.error" }),
			with(func(v *view) {
				v.Stage, v.DocumentTypes, v.Uploaded, v.UploadedType = "upload", linkDocumentTypes, "u1", "W-2"
			}),
		},
	}
}

func TestRenderEveryTemplateInEveryLanguage(t *testing.T) {
	h := &Handler{Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		views := fakeViews(lang)
		for _, e := range entries {
			if e.Name() == "layout.html" {
				continue
			}
			if len(views[e.Name()]) == 0 {
				t.Errorf("no fake view for %s", e.Name())
			}
		}
		for name, vs := range views {
			for i, v := range vs {
				rec := httptest.NewRecorder()
				h.render(rec, 200, lang, name, v)
				body := rec.Body.String()
				if rec.Code != 200 {
					t.Errorf("%s %s #%d: status %d: %s", lang, name, i, rec.Code, body)
					continue
				}
				if want := `<html lang="` + htmlLang[lang] + `">`; !strings.Contains(body, want) {
					t.Errorf("%s %s #%d: no %s", lang, name, i, want)
				}
				if strings.Contains(body, "%!") || strings.Contains(body, "ZgotmplZ") {
					t.Errorf("%s %s #%d: bad formatting in %s", lang, name, i, body)
				}
				if !bytes.Contains(rec.Body.Bytes(), []byte("<title>")) || strings.Contains(body, "<title></title>") {
					t.Errorf("%s %s #%d: no title", lang, name, i)
				}
				if lang != "EN" {
					// A translated page must not show the English text of its title.
					if en := messages["EN"][titleKeyOf(v)]; en != "" && strings.Contains(body, ">"+en+"<") {
						t.Errorf("%s %s #%d: English title %q shown", lang, name, i, en)
					}
				}
			}
		}
	}
}

func titleKeyOf(v view) string {
	if k, ok := titleKeys[v.Stage]; ok {
		return k
	}
	return v.Stage + ".title"
}

func TestRedirectURL(t *testing.T) {
	for _, c := range []struct{ base, want string }{
		{"https://p.test/return", "https://p.test/return?user_submission_complete=true&user_attempted_employer_selection=false"},
		{"https://p.test/return?a=1&b=x%20y", "https://p.test/return?a=1&b=x%20y&user_submission_complete=true&user_attempted_employer_selection=false"},
		{"https://p.test/return?", "https://p.test/return?user_submission_complete=true&user_attempted_employer_selection=false"},
		{"https://p.test/r?a=1#frag", "https://p.test/r?a=1&user_submission_complete=true&user_attempted_employer_selection=false#frag"},
		{"myapp://done", "myapp://done?user_submission_complete=true&user_attempted_employer_selection=false"},
	} {
		if got := RedirectURL(c.base, true, false); got != c.want {
			t.Errorf("RedirectURL(%q) = %q, want %q", c.base, got, c.want)
		}
	}
}

// testWriter sends log lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func TestNegotiate(t *testing.T) {
	for header, want := range map[string]string{
		"": "EN", "es": "ES", "es-MX,es;q=0.9,en;q=0.8": "ES", "fr-FR, ru;q=0.5, en;q=0.4": "RU", "zh-TW": "ZH",
		"ZH-hans-CN": "ZH", "de": "EN", "en;q=0.5, es;q=0.7": "ES", "es;q=0, ru;q=0.1": "RU", "es;q=bad, ru": "RU",
		"ru;q=0.8, es;q=0.8": "RU", "*": "EN",
	} {
		if got := negotiate(header); got != want {
			t.Errorf("negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct {
		lang string
		m    value.Money
		want string
	}{
		{"EN", 123456789, "$1,234,567.89"}, {"EN", 5, "$0.05"}, {"EN", -100000, "−$1,000.00"},
		{"ES", 123456, "1.234,56\u00a0US$"}, {"RU", 123456, "1\u00a0234,56\u00a0$"}, {"ZH", 99999, "US$999.99"},
	} {
		if got := formatMoney(c.lang, c.m); got != c.want {
			t.Errorf("formatMoney(%s, %d) = %q, want %q", c.lang, c.m, got, c.want)
		}
	}
}
