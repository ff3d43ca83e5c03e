// Command verigate-load drives a running verigate with partner traffic in a
// realistic mix and prints throughput and latency percentiles.
//
// It makes its tenants in the server's database as `verigate keys create`
// does, subscribes each to webhooks on a receiver of its own (on
// 127.0.0.1), creates users and payroll verifications through the API,
// then, for -duration, sends a weighted mix of API calls with vegeta while
// -connectors goroutines each connect payroll accounts through the hosted
// Link pages (a new user, verification and session every time). Every
// connection is aggregated by the server and sends webhooks, which the
// receiver counts; the "aggregation" row times each connected account from
// the end of its connection to the webhook that reports its verification
// completed (the command waits up to 30 s after the run for the last
// ones). See docs/perf.md.
//
//	verigate serve --rate-limit 0 --database-url verigate.db &
//	go run ./cmd/verigate-load --url http://127.0.0.1:8080 --database-url verigate.db
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"verigate/internal/baseline"
	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "verigate-load:", err)
		os.Exit(1)
	}
}

// config is the command's flags.
type config struct {
	base       string
	dbURL      string
	tenants    int
	users      int
	rate       int
	workers    int
	connectors int
	duration   time.Duration
}

func run(args []string, stdout io.Writer) error {
	var c config
	fs := flag.NewFlagSet("verigate-load", flag.ContinueOnError)
	fs.StringVar(&c.base, "url", "http://127.0.0.1:8080", "the running verigate's base URL (a loopback address)")
	fs.StringVar(&c.dbURL, "database-url", "verigate.db", "the server's database (SQLite file or postgres:// URL), where tenants are made")
	fs.IntVar(&c.tenants, "tenants", 4, "partners (sandbox tenants) to make")
	fs.IntVar(&c.users, "users", 50, "users, each with a payroll verification, made per tenant before the run")
	fs.IntVar(&c.rate, "rate", 0, "API requests per second; 0 sends as fast as -workers allow")
	fs.IntVar(&c.workers, "workers", 16, "concurrent API requests")
	fs.IntVar(&c.connectors, "connectors", 2, "concurrent account connections through the hosted pages")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long the mix runs (at most 10 minutes)")
	bare := fs.String("bare", "", "instead, serve on this address the bare handler that session throughput is compared with (docs/perf.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bare != "" {
		return http.ListenAndServe(*bare, http.HandlerFunc(baseline.Handler))
	}
	u, err := url.Parse(c.base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--url %s: only a server on this machine (a loopback address) is a target", c.base)
	}
	if c.duration <= 0 || c.duration > 10*time.Minute || c.tenants < 1 || c.users < 1 || c.workers < 1 || c.connectors < 0 {
		return errors.New("--duration must be in (0, 10m]; --tenants, --users and --workers at least 1")
	}
	ctx := context.Background()

	m := newMetrics()
	aggs := newAggregations(m)
	hooks := &receiver{completed: aggs.completed}
	hookSrv := &http.Server{Handler: hooks}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go hookSrv.Serve(ln)
	defer hookSrv.Close()

	start := time.Now()
	tenants, err := setUp(ctx, c, "http://"+ln.Addr().String()+"/hooks")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "set up %d tenants × %d users and verifications in %s\n", len(tenants), c.users, time.Since(start).Round(time.Millisecond))

	hooksBefore := hooks.count.Load()
	runStart := time.Now()
	stop := runStart.Add(c.duration)
	var wg sync.WaitGroup
	var connected atomic.Int64
	for i := range c.connectors {
		wg.Go(func() {
			t := tenants[i%len(tenants)]
			for time.Now().Before(stop) {
				if v, ok := t.connect(c.base, m); ok {
					aggs.connectedAt(v, time.Now())
					connected.Add(1)
				}
			}
		})
	}
	attacker := vegeta.NewAttacker(vegeta.Workers(uint64(c.workers)), vegeta.MaxWorkers(uint64(c.workers)),
		vegeta.Connections(c.workers), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	rate := vegeta.Rate{Freq: c.rate, Per: time.Second}
	for res := range attacker.Attack(mix(c.base, tenants), rate, c.duration, "mix") {
		m.add(classify(res.Method, res.URL), *res)
	}
	wg.Wait()
	// The last connections' aggregations finish after the run.
	aggs.wait(aggregationGrace)
	m.print(stdout)
	got := hooks.count.Load() - hooksBefore
	fmt.Fprintf(stdout, "connections completed: %d; webhooks received: %d (%.1f/s)\n", connected.Load(), got,
		float64(got)/c.duration.Seconds())
	if n, rate := aggs.throughput(runStart); n > 0 {
		fmt.Fprintf(stdout, "accounts aggregated: %d (%.1f/s from the start of the run to the last)\n", n, rate)
	}
	if n := aggs.pending(); n > 0 {
		fmt.Fprintf(stdout, "aggregations not reported completed %s after the run: %d\n", aggregationGrace, n)
	}
	return nil
}

// aggregationGrace is how long the command waits after the run for the
// webhooks of the last connections' completed verifications.
const aggregationGrace = 30 * time.Second

// tenant is one partner's key and the users and verifications made for it.
type tenant struct {
	key           partner.NewKey
	auth          string
	users         []string
	verifications []string
}

// setUp makes the tenants, their webhook subscriptions, users and verifications.
func setUp(ctx context.Context, c config, hookURL string) ([]*tenant, error) {
	st, err := server.OpenStore(ctx, c.dbURL)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	keys := &partner.Keys{Store: st, Now: time.Now}
	var out []*tenant
	for i := range c.tenants {
		k, err := keys.CreatePartner(ctx, fmt.Sprintf("Load partner %d", i+1), "load test", store.Sandbox)
		if err != nil {
			st.Close()
			return nil, err
		}
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(k.ID, k.Secret)
		out = append(out, &tenant{key: k, auth: req.Header.Get("Authorization")})
	}
	st.Close()
	for _, t := range out {
		if err := t.call(c.base, "POST", "/partners/v2/webhooks", map[string]any{"name": "load", "url": hookURL,
			"events": []string{"verifications.updated", "verifications.creation_failed"},
			// With the verification in each message, as partners that
			// follow its state usually ask; the receiver reads it.
			"config": map[string]any{"include_resource": true}}, nil); err != nil {
			return nil, err
		}
		for range c.users {
			user, v, err := t.newVerification(c.base)
			if err != nil {
				return nil, err
			}
			t.users = append(t.users, user)
			t.verifications = append(t.verifications, v)
		}
	}
	return out, nil
}

var client = &http.Client{Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// call sends a JSON request with the tenant's key and decodes a 200 answer into out.
func (t *tenant) call(base, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", t.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// newVerification creates a user and orders a payroll (voie) verification for it.
func (t *tenant) newVerification(base string) (user, verification string, err error) {
	var u, v struct{ ID string }
	if err := t.call(base, "POST", "/partners/v2/users", map[string]any{"client": t.key.ClientID, "first_name": "Load"}, &u); err != nil {
		return "", "", err
	}
	if err := t.call(base, "POST", "/partners/v2/verifications", map[string]any{"user": u.ID, "report": map[string]any{"type": "voie"}}, &v); err != nil {
		return "", "", err
	}
	return u.ID, v.ID, nil
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// connect connects a sandbox payroll account as a person would, through a
// new session's hosted pages, and records each page and the whole flow.
func (t *tenant) connect(base string, m *metrics) (verification string, ok bool) {
	begin := time.Now()
	_, v, err := t.newVerification(base)
	if err != nil {
		m.add("connection", vegeta.Result{Error: err.Error(), Timestamp: begin, Latency: time.Since(begin)})
		return "", false
	}
	var s struct{ Link string }
	if err := t.call(base, "POST", "/partners/v2/sessions", map[string]any{"verification": v}, &s); err != nil {
		m.add("connection", vegeta.Result{Error: err.Error(), Timestamp: begin, Latency: time.Since(begin)})
		return "", false
	}
	link := base + s.Link[strings.Index(s.Link, "/connect/"):]
	step := func(name string, form url.Values, want int) (string, bool) {
		at := time.Now()
		var resp *http.Response
		var err error
		if form == nil {
			resp, err = client.Get(link)
		} else {
			resp, err = client.PostForm(link+"/"+name, form)
		}
		res := vegeta.Result{Timestamp: at}
		var body []byte
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			res.Code = uint16(resp.StatusCode)
			if resp.StatusCode != want {
				err = fmt.Errorf("%s: %d", name, resp.StatusCode)
			}
		}
		res.Latency = time.Since(at)
		if err != nil {
			res.Error = err.Error()
		}
		m.add("hosted page", res)
		return string(body), err == nil
	}
	page, ok := step("page", nil, http.StatusOK)
	match := csrfRE.FindStringSubmatch(page)
	if !ok || match == nil {
		return "", false
	}
	csrf := match[1]
	for _, s := range []struct {
		path string
		form url.Values
	}{
		{"select", url.Values{"item": {"item_000000001"}}},
		{"signin", url.Values{"username": {"test_1"}, "password": {"passgood"}}},
		{"mfa", url.Values{"code": {"8081"}}},
	} {
		s.form.Set("csrf", csrf)
		if _, ok := step(s.path, s.form, http.StatusSeeOther); !ok {
			return "", false
		}
	}
	m.add("connection", vegeta.Result{Code: http.StatusOK, Timestamp: begin, Latency: time.Since(begin)})
	return v, true
}

// weighted is one kind of API call in the mix and its share.
type weighted struct {
	weight int
	target func(t *tenant, base string, tgt *vegeta.Target)
}

// calls is the mix: mostly sessions and reads, as partners' traffic is.
var calls = []weighted{
	{40, func(t *tenant, base string, tgt *vegeta.Target) {
		tgt.Method, tgt.URL = "POST", base+"/partners/v2/sessions"
		tgt.Body = fmt.Appendf(nil, `{"verification":%q,"configuration":{"redirect_url":"https://your-application.com/return","items":["item_000000001","item_000000002"],"language":"EN","mobile_app":true}}`, pick(t.verifications))
	}},
	{25, func(t *tenant, base string, tgt *vegeta.Target) {
		tgt.Method, tgt.URL = "GET", base+"/partners/v2/verifications/"+pick(t.verifications)
	}},
	{10, func(t *tenant, base string, tgt *vegeta.Target) {
		tgt.Method, tgt.URL = "GET", base+"/partners/v2/verifications?user="+pick(t.users)
	}},
	{5, func(t *tenant, base string, tgt *vegeta.Target) {
		tgt.Method, tgt.URL = "GET", base+"/partners/v2/users/"+pick(t.users)
	}},
	{10, func(t *tenant, base string, tgt *vegeta.Target) {
		tgt.Method, tgt.URL = "POST", base+"/partners/v2/users"
		tgt.Body = fmt.Appendf(nil, `{"client":%q,"first_name":"Load","email":"load@example.com"}`, t.key.ClientID)
	}},
	{10, func(t *tenant, base string, tgt *vegeta.Target) {
		tgt.Method, tgt.URL = "POST", base+"/partners/v2/verifications"
		tgt.Body = fmt.Appendf(nil, `{"user":%q,"report":{"type":"voie"}}`, pick(t.users))
	}},
}

func pick(s []string) string { return s[rand.IntN(len(s))] }

// mix returns a targeter choosing a tenant and a call by weight for every request.
func mix(base string, tenants []*tenant) vegeta.Targeter {
	total := 0
	for _, c := range calls {
		total += c.weight
	}
	return func(tgt *vegeta.Target) error {
		t := tenants[rand.IntN(len(tenants))]
		*tgt = vegeta.Target{Header: http.Header{"Authorization": {t.auth}, "Content-Type": {"application/json"}}}
		n := rand.IntN(total)
		for _, c := range calls {
			if n < c.weight {
				c.target(t, base, tgt)
				return nil
			}
			n -= c.weight
		}
		return nil
	}
}

// classify names the call a result was for.
func classify(method, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "other"
	}
	p := strings.TrimPrefix(u.Path, "/partners/v2/")
	switch {
	case method == "POST" && p == "sessions":
		return "POST sessions"
	case method == "POST" && p == "users":
		return "POST users"
	case method == "POST" && p == "verifications":
		return "POST verifications"
	case method == "GET" && p == "verifications":
		return "GET verifications?user="
	case method == "GET" && strings.HasPrefix(p, "verifications/"):
		return "GET verifications/{id}"
	case method == "GET" && strings.HasPrefix(p, "users/"):
		return "GET users/{id}"
	}
	return "other"
}

// metrics are vegeta's metrics per call, and over all API calls.
type metrics struct {
	mu  sync.Mutex
	by  map[string]*vegeta.Metrics
	all vegeta.Metrics
}

func newMetrics() *metrics { return &metrics{by: map[string]*vegeta.Metrics{}} }

func (m *metrics) add(name string, res vegeta.Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mm := m.by[name]
	if mm == nil {
		mm = &vegeta.Metrics{}
		m.by[name] = mm
	}
	mm.Add(&res)
	if name != "connection" && name != "hosted page" && name != "aggregation" {
		m.all.Add(&res)
	}
}

func (m *metrics) print(w io.Writer) {
	names := make([]string, 0, len(m.by))
	for n := range m.by {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "%-26s %8s %9s %8s %9s %9s %9s %9s\n", "call", "requests", "per sec", "success", "p50", "p90", "p99", "max")
	row := func(name string, mm *vegeta.Metrics) {
		mm.Close()
		fmt.Fprintf(w, "%-26s %8d %9.1f %7.2f%% %9s %9s %9s %9s\n", name, mm.Requests, mm.Rate, 100*mm.Success,
			ms(mm.Latencies.P50), ms(mm.Latencies.P90), ms(mm.Latencies.P99), ms(mm.Latencies.Max))
	}
	for _, n := range names {
		row(n, m.by[n])
	}
	row("all API calls", &m.all)
	for _, n := range names {
		for i, err := range m.by[n].Errors {
			if i < 3 {
				fmt.Fprintf(w, "  %s error: %s\n", n, err)
			}
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }

// receiver counts webhook deliveries.
type receiver struct {
	count atomic.Int64
	// completed is told of each verification a verifications.updated
	// webhook reports completed.
	completed func(verification string, at time.Time)
}

// hook is what the receiver reads of a webhook.
type hook struct {
	Event string `json:"event"`
	Data  struct {
		Verification string `json:"verification"`
		Resource     struct {
			Status struct {
				State string `json:"state"`
			} `json:"status"`
		} `json:"resource"`
	} `json:"data"`
}

func (h *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var e hook
	if json.NewDecoder(r.Body).Decode(&e) == nil && e.Event == "verifications.updated" &&
		e.Data.Resource.Status.State == "COMPLETED" && h.completed != nil {
		h.completed(e.Data.Verification, time.Now())
	}
	io.Copy(io.Discard, r.Body)
	h.count.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

// aggregations times each connected account from the end of its
// connection to the webhook that reports its verification completed: the
// aggregation, the report and the webhook's delivery.
type aggregations struct {
	mu        sync.Mutex
	connected map[string]time.Time
	done      map[string]time.Time
	m         *metrics
	// n and last count the aggregations timed and when the last completed.
	n    int
	last time.Time
}

func newAggregations(m *metrics) *aggregations {
	return &aggregations{connected: map[string]time.Time{}, done: map[string]time.Time{}, m: m}
}

// connectedAt records that verification's account finished connecting.
func (a *aggregations) connectedAt(verification string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if done, ok := a.done[verification]; ok { // the webhook came first
		a.record(at, done)
		return
	}
	a.connected[verification] = at
}

// completed records that verification's webhook reported it completed.
func (a *aggregations) completed(verification string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if start, ok := a.connected[verification]; ok {
		delete(a.connected, verification)
		a.record(start, at)
		return
	}
	a.done[verification] = at
}

func (a *aggregations) record(start, done time.Time) {
	a.n++
	if done.After(a.last) {
		a.last = done
	}
	a.m.add("aggregation", vegeta.Result{Code: http.StatusOK, Timestamp: start, Latency: done.Sub(start)})
}

// throughput returns how many aggregations were timed and how many a
// second completed from since to the last one.
func (a *aggregations) throughput(since time.Time) (int, float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == 0 {
		return 0, 0
	}
	return a.n, float64(a.n) / a.last.Sub(since).Seconds()
}

// pending returns how many connected accounts are not yet reported completed.
func (a *aggregations) pending() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.connected)
}

// wait waits until no connected account is pending, or for at most d.
func (a *aggregations) wait(d time.Duration) {
	for end := time.Now().Add(d); a.pending() > 0 && time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
	}
}
