package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/store"
	"verigate/internal/validate"
	"verigate/internal/verification"
	"verigate/internal/verification/verificationtest"
	"verigate/internal/webhook"
)

// receiver records deliveries and answers with the statuses it is given, then 200.
type receiver struct {
	mu       sync.Mutex
	got      []received
	statuses []int
	header   http.Header
	srv      *httptest.Server
}

type received struct {
	body   []byte
	header http.Header
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, received{body: b, header: r.Header.Clone()})
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		for k, v := range rc.header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

type env struct {
	app   *server.App
	now   time.Time
	p     partner.Principal
	other partner.Principal
	user  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, filepath.Join(t.TempDir(), "wh.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://verigate.test", Now: func() time.Time { return e.now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.app = app
	e.app.Dispatcher.Jitter = func() float64 { return 1 }
	e.p = e.principal(t)
	e.other = e.principal(t)
	created, err := app.Users.Create(ctx, e.p, partner.UserInput{Client: validate.Opt[string]{Set: true, V: e.p.ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	e.user = created.ID
	return e
}

func (e *env) principal(t *testing.T) partner.Principal {
	k, err := e.app.Keys.CreatePartner(context.Background(), "p", "k", store.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	return partner.Principal{KeyID: k.ID, PartnerID: k.PartnerID, ClientID: k.ClientID, Environment: store.Sandbox}
}

func (e *env) subscribe(t *testing.T, p partner.Principal, url, secret string, include bool, events ...string) webhook.SubscriptionView {
	t.Helper()
	in := webhook.SubscriptionInput{
		Events: validate.Opt[[]string]{Set: true, V: events},
		Name:   validate.Opt[string]{Set: true, V: "hook"},
		URL:    validate.Opt[string]{Set: true, V: url},
		Config: validate.Opt[webhook.ConfigInput]{Set: true, V: webhook.ConfigInput{IncludeResource: validate.Opt[bool]{Set: true, V: include}}},
	}
	if secret != "" {
		in.Secret = validate.Opt[string]{Set: true, V: secret}
	}
	sub, err := e.app.Webhooks.Create(context.Background(), p, in)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (e *env) order(t *testing.T, typ string) verification.View {
	t.Helper()
	in := verification.OrderInput{
		User:   validate.Opt[string]{Set: true, V: e.user},
		Report: validate.Opt[verification.ReportInput]{Set: true, V: verification.ReportInput{Type: validate.Opt[string]{Set: true, V: typ}}},
	}
	if typ == "doc-voi-mortgage" {
		in.Employments = validate.Opt[[]verification.EmploymentInput]{Set: true, V: []verification.EmploymentInput{{
			Employer: validate.Opt[string]{Set: true, V: "Warehouse Services Inc"}, Status: validate.Opt[string]{Set: true, V: "active"},
			HireDate: validate.Opt[string]{Set: true, V: "2023-02-01"}}}}
	}
	v, err := e.app.Verifs.Order(context.Background(), e.p, in)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// drain runs the dispatcher until nothing is due at the current time.
func (e *env) drain(t *testing.T) {
	t.Helper()
	for i := 0; i < 100; i++ {
		did, err := e.app.Dispatcher.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			return
		}
	}
	t.Fatal("dispatcher never ran dry")
}

// verify is an independent receiver-side check of X-Argyle-Signature.
func verify(secret string, body []byte, sig string) bool {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	want := hex.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig)) && strings.ToLower(sig) == sig
}

func TestDeliverySignedWithResource(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.subscribe(t, e.p, rc.srv.URL, "s3cret", true, store.EventVerificationsUpdated)
	v := e.order(t, "voie")
	e.drain(t)
	got := rc.all()
	if len(got) != 1 {
		t.Fatalf("deliveries = %d, want 1", len(got))
	}
	d := got[0]
	if !verify("s3cret", d.body, d.header.Get("X-Argyle-Signature")) {
		t.Fatalf("signature %q does not verify", d.header.Get("X-Argyle-Signature"))
	}
	if d.header.Get("Content-Type") != "application/json" || d.header.Get("X-Verigate-Attempt") != "1" || !validate.IsUUID(d.header.Get("X-Verigate-Delivery")) {
		t.Fatalf("headers = %v", d.header)
	}
	// The timestamped signature, checked as a receiver would (docs/webhooks.md).
	ts := d.header.Get("X-Verigate-Timestamp")
	m := hmac.New(sha512.New, []byte("s3cret"))
	m.Write([]byte(ts + "."))
	m.Write(d.body)
	if want := "v1=" + hex.EncodeToString(m.Sum(nil)); d.header.Get("X-Verigate-Signature") != want || ts != strconv.FormatInt(e.now.Unix(), 10) {
		t.Fatalf("timestamped signature %q at %q, want %q at %d", d.header.Get("X-Verigate-Signature"), ts, want, e.now.Unix())
	}
	var msg struct {
		Event string `json:"event"`
		Name  string `json:"name"`
		Data  struct {
			User, Verification, Client string
			Resource                   *verification.View
		} `json:"data"`
	}
	if err := json.Unmarshal(d.body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Event != "verifications.updated" || msg.Name != "hook" || msg.Data.Verification != v.ID || msg.Data.User != e.user || msg.Data.Client != e.p.ClientID {
		t.Fatalf("message = %s", d.body)
	}
	if msg.Data.Resource == nil || msg.Data.Resource.ID != v.ID || msg.Data.Resource.Status.State != "PENDING" {
		t.Fatalf("resource = %+v", msg.Data.Resource)
	}
}

func TestNoSecretNoSignatureNoResource(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.subscribe(t, e.p, rc.srv.URL, "", false, store.EventVerificationsUpdated)
	e.order(t, "voe")
	e.drain(t)
	got := rc.all()
	if len(got) != 1 || got[0].header.Get("X-Argyle-Signature") != "" || strings.Contains(string(got[0].body), "resource") {
		t.Fatalf("got %d deliveries: %s %v", len(got), got[0].body, got[0].header)
	}
}

func TestRetryWithBackoffThenSuccess(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, 503, 500, 200)
	sub := e.subscribe(t, e.p, rc.srv.URL, "k", false, store.EventVerificationsUpdated)
	e.order(t, "voie")
	e.drain(t)
	if n := len(rc.all()); n != 1 {
		t.Fatalf("attempts after first run = %d", n)
	}
	// Not due before the backoff has passed.
	e.now = e.now.Add(webhook.Backoff(1) - time.Second)
	e.drain(t)
	if n := len(rc.all()); n != 1 {
		t.Fatalf("retried early: %d attempts", n)
	}
	e.now = e.now.Add(time.Second)
	e.drain(t)
	if n := len(rc.all()); n != 2 {
		t.Fatalf("attempts = %d, want 2", n)
	}
	if webhook.Backoff(2) != 2*webhook.Backoff(1) {
		t.Fatalf("backoff is not exponential: %v %v", webhook.Backoff(1), webhook.Backoff(2))
	}
	e.now = e.now.Add(webhook.Backoff(2))
	e.drain(t)
	got := rc.all()
	if len(got) != 3 || got[2].header.Get("X-Verigate-Attempt") != "3" {
		t.Fatalf("attempts = %d", len(got))
	}
	if got[0].header.Get("X-Verigate-Delivery") != got[2].header.Get("X-Verigate-Delivery") || string(got[0].body) != string(got[2].body) {
		t.Fatal("a retry must repeat the same delivery id and body")
	}
	ds, err := e.app.Webhooks.Deliveries(context.Background(), e.p, sub.ID, store.Page{Limit: 10})
	if err != nil || len(ds) != 1 || ds[0].State != "delivered" || ds[0].Attempts != 3 || *ds[0].LastStatusCode != 200 || ds[0].DeliveredAt == nil {
		t.Fatalf("deliveries = %+v, %v", ds, err)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, 429)
	rc.header = http.Header{"Retry-After": {"120"}}
	e.subscribe(t, e.p, rc.srv.URL, "", false, store.EventVerificationsUpdated)
	e.order(t, "voie")
	e.drain(t)
	e.now = e.now.Add(119 * time.Second)
	e.drain(t)
	if n := len(rc.all()); n != 1 {
		t.Fatalf("retried before Retry-After: %d", n)
	}
	e.now = e.now.Add(time.Second)
	e.drain(t)
	if n := len(rc.all()); n != 2 {
		t.Fatalf("attempts = %d, want 2", n)
	}
}

func TestClientErrorIsNotRetriedAndRetryEndpointRequeues(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, 400)
	sub := e.subscribe(t, e.p, rc.srv.URL, "", false, store.EventVerificationsUpdated)
	e.order(t, "voie")
	e.drain(t)
	e.now = e.now.Add(48 * time.Hour)
	e.drain(t)
	if n := len(rc.all()); n != 1 {
		t.Fatalf("a 400 was retried: %d attempts", n)
	}
	ds, _ := e.app.Webhooks.Deliveries(context.Background(), e.p, sub.ID, store.Page{Limit: 10})
	if len(ds) != 1 || ds[0].State != "failed" {
		t.Fatalf("deliveries = %+v", ds)
	}
	if _, err := e.app.Webhooks.Retry(context.Background(), e.other, sub.ID, ds[0].ID); err == nil {
		t.Fatal("another partner retried the delivery")
	}
	if _, err := e.app.Webhooks.Retry(context.Background(), e.p, sub.ID, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	if n := len(rc.all()); n != 2 {
		t.Fatalf("manual retry did not deliver: %d attempts", n)
	}
}

func TestGivesUpAfterADay(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	sub := e.subscribe(t, e.p, rc.srv.URL, "", false, store.EventVerificationsUpdated)
	e.order(t, "voie")
	start := e.now
	for e.now.Sub(start) < 26*time.Hour {
		e.drain(t)
		e.now = e.now.Add(10 * time.Minute)
	}
	ds, _ := e.app.Webhooks.Deliveries(context.Background(), e.p, sub.ID, store.Page{Limit: 10})
	n := len(rc.all())
	if ds[0].State != "failed" || n < 20 {
		t.Fatalf("after a day of 500s: state %s after %d attempts", ds[0].State, n)
	}
}

func TestEventsOfOneVerificationArriveInOrder(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, 500) // the first event fails once
	e.subscribe(t, e.p, rc.srv.URL, "", true, store.EventVerificationsUpdated)
	v := e.order(t, "doc-voi-mortgage")
	sc := store.Scope{PartnerID: e.p.PartnerID, Environment: e.p.Environment}
	verificationtest.Advance(t, e.app.Verifs, sc, v.ID, verification.Status{State: "PROCESSING", Code: "documents_processing"},
		verification.Status{State: "PAUSED", Code: "more_data_required"})
	if _, err := e.app.Verifs.Cancel(context.Background(), e.p, v.ID); err != nil {
		t.Fatal(err)
	}
	// The first delivery fails; the later ones must wait for it.
	e.drain(t)
	if n := len(rc.all()); n != 1 {
		t.Fatalf("later events overtook a failing one: %d attempts", n)
	}
	e.now = e.now.Add(time.Hour)
	e.drain(t)
	var codes []string
	for _, d := range rc.all()[1:] {
		var m struct {
			Data struct{ Resource verification.View } `json:"data"`
		}
		json.Unmarshal(d.body, &m)
		codes = append(codes, m.Data.Resource.Status.Code)
	}
	want := "pending,documents_processing,more_data_required,cancelled_by_client"
	if strings.Join(codes, ",") != want {
		t.Fatalf("order = %v, want %s", codes, want)
	}
}

func TestPartnersReceiveOnlyTheirEvents(t *testing.T) {
	e := newEnv(t)
	mine, theirs := newReceiver(t), newReceiver(t)
	e.subscribe(t, e.p, mine.srv.URL, "", false, store.EventVerificationsUpdated)
	e.subscribe(t, e.other, theirs.srv.URL, "", false, store.EventVerificationsUpdated, store.EventVerificationsCreationFailed)
	e.order(t, "voie")
	e.drain(t)
	if len(mine.all()) != 1 || len(theirs.all()) != 0 {
		t.Fatalf("mine %d, theirs %d", len(mine.all()), len(theirs.all()))
	}
	if _, err := e.app.Webhooks.Get(context.Background(), e.other, mustList(t, e, e.p)[0].ID); err == nil {
		t.Fatal("another partner read the subscription")
	}
}

func mustList(t *testing.T, e *env, p partner.Principal) []webhook.SubscriptionView {
	subs, err := e.app.Webhooks.List(context.Background(), p)
	if err != nil || len(subs) == 0 {
		t.Fatalf("list: %v %v", subs, err)
	}
	return subs
}

func TestCreationFailedEvent(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.subscribe(t, e.p, rc.srv.URL, "", false, store.EventVerificationsCreationFailed)
	_, err := e.app.Verifs.Refresh(context.Background(), e.p, verification.OrderInput{
		User:   validate.Opt[string]{Set: true, V: e.user},
		Report: validate.Opt[verification.ReportInput]{Set: true, V: verification.ReportInput{Type: validate.Opt[string]{Set: true, V: "voa"}}},
		Loan:   validate.Opt[verification.LoanInput]{Set: true, V: verification.LoanInput{Number: validate.Opt[string]{Set: true, V: "1234"}}},
	})
	if err == nil {
		t.Fatal("refresh without a connection succeeded")
	}
	e.drain(t)
	got := rc.all()
	if len(got) != 1 {
		t.Fatalf("deliveries = %d", len(got))
	}
	var m struct {
		Event string
		Data  struct {
			User, Client string
			Context      struct {
				User        string
				AttemptedAt string `json:"attempted_at"`
				Channel     string
				DataSource  string `json:"data_source"`
				ReportType  string `json:"report_type"`
				Loan        map[string]string
			}
		}
	}
	json.Unmarshal(got[0].body, &m)
	c := m.Data.Context
	if m.Event != "verifications.creation_failed" || m.Data.User != e.user || c.Channel != "api" || c.DataSource != "banking" || c.ReportType != "voa" || c.Loan["number"] != "1234" {
		t.Fatalf("message = %s", got[0].body)
	}
}

func TestSubscriptionValidation(t *testing.T) {
	e := newEnv(t)
	prod := e.p
	prod.Environment = store.Production
	for _, c := range []struct {
		p    partner.Principal
		url  string
		ok   bool
		name string
	}{
		{e.p, "http://127.0.0.1:9/hook", true, "loopback in sandbox"},
		{prod, "http://127.0.0.1:9/hook", false, "loopback in production"},
		{prod, "https://10.1.2.3/hook", false, "private in production"},
		{prod, "https://169.254.169.254/latest", false, "link-local in production"},
		{prod, "https://localhost/hook", false, "localhost in production"},
		{prod, "https://hooks.partner.example/verigate", true, "public name in production"},
		{e.p, "ftp://example.com/", false, "not http"},
		{e.p, "/relative", false, "relative"},
	} {
		_, err := e.app.Webhooks.Create(context.Background(), c.p, webhook.SubscriptionInput{
			Events: validate.Opt[[]string]{Set: true, V: []string{"verifications.updated"}},
			Name:   validate.Opt[string]{Set: true, V: "n"}, URL: validate.Opt[string]{Set: true, V: c.url}})
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	_, err := e.app.Webhooks.Create(context.Background(), e.p, webhook.SubscriptionInput{
		Events: validate.Opt[[]string]{Set: true, V: []string{"verifications.deleted"}},
		Name:   validate.Opt[string]{Set: true, V: "n"}, URL: validate.Opt[string]{Set: true, V: "https://x.example"}})
	if err == nil || !strings.Contains(err.Error(), "events") {
		t.Fatalf("unknown event accepted: %v", err)
	}
}

func TestProductionDeliveryRefusesPrivateAddressAtDialTime(t *testing.T) {
	rc := newReceiver(t)
	_, err := webhook.NewClient(true).Post(rc.srv.URL, "application/json", strings.NewReader("{}"))
	if err == nil || !strings.Contains(err.Error(), "not a public address") {
		t.Fatalf("guarded client reached %s: %v", rc.srv.URL, err)
	}
	if len(rc.all()) != 0 {
		t.Fatal("request arrived")
	}
	resp, err := webhook.NewClient(false).Post(rc.srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestPublicIPRefusesSpecialRanges(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fd00::1", "fc00::1", "fe80::1",
		"169.254.169.254", "0.0.0.0", "::", "0.1.2.3", "100.64.0.1", "::127.0.0.1", "::10.0.0.1", "64:ff9b::7f00:1",
		"64:ff9b::a00:1", "64:ff9b:1::1", "fec0::1", "192.0.0.1", "198.18.0.1", "240.0.0.1", "255.255.255.255", "ff02::1"} {
		if webhook.PublicIP(net.ParseIP(s)) {
			t.Errorf("PublicIP(%s) = true", s)
		}
	}
	for _, s := range []string{"8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "93.184.216.34"} {
		if !webhook.PublicIP(net.ParseIP(s)) {
			t.Errorf("PublicIP(%s) = false", s)
		}
	}
	for _, u := range []string{"http://[fe80::1%25eth0]/h", "http://[::127.0.0.1]/h", "http://[64:ff9b::a9fe:a9fe]/h",
		"http://localhost./h", "http://127.0.0.1./h", "http://LOCALHOST.:8080/h"} {
		if webhook.CheckURL(u, store.Production) == "" {
			t.Errorf("CheckURL(%s) accepted in production", u)
		}
	}
}
