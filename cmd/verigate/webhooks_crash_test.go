package main

// End-to-end webhook durability: real `verigate serve` processes (built from
// this package with go build), SIGKILLed while deliveries are pending, and a
// receiver written here that checks every delivery's X-Argyle-Signature with
// its own HMAC-SHA512 and counts the events it was owed.

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// whFirstRetry shortens the first retry of the processes under test; see
// VERIGATE_WEBHOOK_FIRST_RETRY in docs/webhooks.md.
const whFirstRetry = "250ms"

// whBuild compiles this package into a temporary directory and returns the binary.
func whBuild(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "verigate")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// whFreeAddr returns a loopback address nothing listens on (right now).
func whFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// whLog is a goroutine-safe buffer for a process's output.
type whLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *whLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *whLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// whProc is one `verigate serve` process.
type whProc struct {
	name string
	cmd  *exec.Cmd
	log  *whLog
	base string
	done chan struct{}
}

// whStart runs `verigate serve` on addr over db and waits until it answers /readyz.
func whStart(t *testing.T, bin, name, db, addr string) *whProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--database-url", db, "--public-url", "http://"+addr, "--log-format", "json")
	// The test polls the API faster than a key's default rate limit allows.
	cmd.Env = append(os.Environ(), "VERIGATE_WEBHOOK_FIRST_RETRY="+whFirstRetry, "VERIGATE_RATE_LIMIT=0")
	p := &whProc{name: name, cmd: cmd, log: &whLog{}, base: "http://" + addr, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("--- output of %s ---\n%s", p.name, p.log.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-p.done:
			t.Fatalf("%s exited before serving: %v\n%s", name, cmd.ProcessState, p.log.String())
		default:
		}
		if resp, err := http.Get(p.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not become ready\n%s", name, p.log.String())
		}
	}
}

// kill SIGKILLs the process (if it still runs) and waits for it to be gone.
func (p *whProc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// whClient calls the partner API of one process with one key.
type whClient struct {
	base, id, secret string
}

func (c whClient) do(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	u := path
	if !strings.HasPrefix(u, "http") {
		u = c.base + path
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(c.id, c.secret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: %d, body not JSON: %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, m
}

func (c whClient) ok(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	status, m := c.do(t, method, path, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %v", method, path, status, m)
	}
	return m
}

// deliveries walks every page of a subscription's deliveries.
func (c whClient) deliveries(t *testing.T, sub string) []map[string]any {
	t.Helper()
	var out []map[string]any
	next := "/partners/v2/webhooks/" + sub + "/deliveries?limit=50"
	for next != "" {
		page := c.ok(t, "GET", next, nil)
		for _, d := range page["results"].([]any) {
			out = append(out, d.(map[string]any))
		}
		next, _ = page["next"].(string)
	}
	return out
}

// whKey runs `verigate keys create --json` against db.
func whKey(t *testing.T, bin, db string) (id, secret, client string) {
	t.Helper()
	out, err := exec.Command(bin, "keys", "create", "--json", "--database-url", db).Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	var k map[string]string
	if err := json.Unmarshal(out, &k); err != nil {
		t.Fatalf("keys create output %q: %v", out, err)
	}
	return k["api_key_id"], k["api_key_secret"], k["client"]
}

// whDelivery is one request the receiver got.
type whDelivery struct {
	id      string
	attempt int
	event   string
	body    map[string]any
}

// whReceiver is an independently written webhook receiver: it verifies every
// request's signature with the secret it was given, records what it got,
// and notes any delivery attempt (delivery id, attempt number) it sees twice
// or while the same delivery is already being handled.
type whReceiver struct {
	secret string
	// fail, when set, decides to answer 503 to a request (after it was recorded as seen but not as received).
	fail  func(id string, attempt int) bool
	delay time.Duration

	mu       sync.Mutex
	got      []whDelivery
	problems []string
	pairs    map[string]int
	inFlight map[string]int
	busy     int // requests being handled
	dropped  int // requests whose sender went away before the answer
	srv      *http.Server
}

func newWhReceiver(secret string) *whReceiver {
	return &whReceiver{secret: secret, pairs: map[string]int{}, inFlight: map[string]int{}}
}

func (rc *whReceiver) problem(format string, args ...any) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.problems = append(rc.problems, fmt.Sprintf(format, args...))
}

func (rc *whReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		rc.problem("read body: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	// The signature: lowercase hex HMAC-SHA512 of the raw body.
	mac := hmac.New(sha512.New, []byte(rc.secret))
	mac.Write(raw)
	want := hex.EncodeToString(mac.Sum(nil))
	sig := r.Header.Get("X-Argyle-Signature")
	if !hmac.Equal([]byte(sig), []byte(want)) {
		rc.problem("bad signature %q on %s", sig, raw)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		rc.problem("Content-Type %q", ct)
	}
	id := r.Header.Get("X-Verigate-Delivery")
	attempt, err := strconv.Atoi(r.Header.Get("X-Verigate-Attempt"))
	if id == "" || err != nil || attempt < 1 {
		rc.problem("delivery headers: id %q attempt %q", id, r.Header.Get("X-Verigate-Attempt"))
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		rc.problem("body not JSON: %s", raw)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if ev := r.Header.Get("X-Verigate-Event"); ev != body["event"] {
		rc.problem("X-Verigate-Event %q but body event %v", ev, body["event"])
	}
	pair := fmt.Sprintf("%s#%d", id, attempt)
	rc.mu.Lock()
	rc.pairs[pair]++
	if rc.pairs[pair] > 1 {
		rc.problems = append(rc.problems, "attempt "+pair+" arrived twice")
	}
	if rc.inFlight[id] > 0 {
		rc.problems = append(rc.problems, "delivery "+id+" arrived while an earlier attempt was still being handled")
	}
	rc.inFlight[id]++
	rc.busy++
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		rc.inFlight[id]--
		rc.busy--
		rc.mu.Unlock()
	}()
	select {
	case <-time.After(rc.delay):
	case <-r.Context().Done():
		// The sender died mid-request: it never learns the answer, so
		// this does not count as received; the delivery must come again.
		rc.mu.Lock()
		rc.dropped++
		rc.mu.Unlock()
		return
	}
	if rc.fail != nil && rc.fail(id, attempt) {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	rc.mu.Lock()
	rc.got = append(rc.got, whDelivery{id: id, attempt: attempt, event: fmt.Sprint(body["event"]), body: body})
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// listen starts serving on addr (which may have been refused until now).
func (rc *whReceiver) listen(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("receiver listen %s: %v", addr, err)
	}
	rc.srv = &http.Server{Handler: rc}
	go rc.srv.Serve(ln)
	t.Cleanup(func() { rc.srv.Close() })
}

// load returns how many requests are being handled and how many were dropped.
func (rc *whReceiver) load() (busy, dropped int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.busy, rc.dropped
}

func (rc *whReceiver) snapshot() ([]whDelivery, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]whDelivery(nil), rc.got...), append([]string(nil), rc.problems...)
}

// whExpect is what the receiver is owed: every verifications.updated event
// by verification and the loan number its resource carries, and every
// verifications.creation_failed event by user.
type whExpect struct {
	updated map[string][]string // verification → loan numbers ("" for the order), in order
	failed  map[string]int      // user → refused refreshes
	final   map[string]string   // verification → updated_at of its last change
}

func (x whExpect) total() int {
	n := 0
	for _, l := range x.updated {
		n += len(l)
	}
	for _, c := range x.failed {
		n += c
	}
	return n
}

// whMakeEvents creates users, orders, PATCHes and refused refreshes through
// the API and returns the events they must raise.
func whMakeEvents(t *testing.T, c whClient, client string, users, ordersPerUser, patches int, x *whExpect) {
	t.Helper()
	for u := 0; u < users; u++ {
		user := c.ok(t, "POST", "/partners/v2/users", map[string]any{"client": client, "first_name": "Crash", "last_name": strconv.Itoa(u)})["id"].(string)
		for o := 0; o < ordersPerUser; o++ {
			v := c.ok(t, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "voie"}})
			id := v["id"].(string)
			x.updated[id] = append(x.updated[id], "")
			x.final[id] = v["updated_at"].(string)
			for p := 0; p < patches; p++ {
				num := fmt.Sprintf("L-%s-%d", id[len(id)-6:], p)
				pv := c.ok(t, "PATCH", "/partners/v2/verifications/"+id, map[string]any{"loan": map[string]any{"number": num}})
				x.updated[id] = append(x.updated[id], num)
				x.final[id] = pv["updated_at"].(string)
			}
		}
		// A refresh with no connected account is refused and raises creation_failed.
		status, m := c.do(t, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "voie"}})
		if status != http.StatusBadRequest {
			t.Fatalf("refresh without a connected account: %d %v", status, m)
		}
		x.failed[user]++
	}
}

// whCheckArrivals reports what the receiver still lacks (empty when
// everything arrived) and what is wrong with what did arrive: an event the
// test did not cause, a verification's events out of the order they
// happened, or (once everything arrived) a last event that does not carry
// the verification's final state.
func whCheckArrivals(got []whDelivery, x whExpect) (missing, wrong []string) {
	seen := map[string]bool{}
	order := map[string][]string{} // verification → loan numbers, first arrival of each delivery
	failed := map[string]int{}
	last := map[string]string{}
	for _, d := range got {
		if seen[d.id] {
			continue // a duplicate: allowed
		}
		seen[d.id] = true
		data, _ := d.body["data"].(map[string]any)
		switch d.event {
		case "verifications.updated":
			vid, _ := data["verification"].(string)
			res, _ := data["resource"].(map[string]any)
			if _, ok := x.updated[vid]; !ok || res == nil || res["id"] != vid {
				wrong = append(wrong, fmt.Sprintf("unexpected verifications.updated: %v", d.body))
				continue
			}
			loan, _ := res["loan"].(map[string]any)
			num, _ := loan["number"].(string)
			order[vid] = append(order[vid], num)
			last[vid], _ = res["updated_at"].(string)
		case "verifications.creation_failed":
			ctx, _ := data["context"].(map[string]any)
			user, _ := data["user"].(string)
			if _, ok := x.failed[user]; !ok || ctx == nil || ctx["user"] != user || ctx["data_source"] != "payroll" {
				wrong = append(wrong, fmt.Sprintf("unexpected verifications.creation_failed: %v", d.body))
				continue
			}
			failed[user]++
		default:
			wrong = append(wrong, fmt.Sprintf("unexpected event %q", d.event))
		}
	}
	for vid, want := range x.updated {
		gotOrder := order[vid]
		if len(gotOrder) > len(want) {
			wrong = append(wrong, fmt.Sprintf("verification %s: %d distinct deliveries for %d events: %q", vid, len(gotOrder), len(want), gotOrder))
		}
		for i := range gotOrder {
			if i < len(want) && gotOrder[i] != want[i] {
				wrong = append(wrong, fmt.Sprintf("verification %s: events arrived as %q, happened as %q", vid, gotOrder, want))
				break
			}
		}
		if len(gotOrder) < len(want) {
			missing = append(missing, fmt.Sprintf("%s: %d of %d", vid, len(gotOrder), len(want)))
		} else if last[vid] != x.final[vid] {
			wrong = append(wrong, fmt.Sprintf("verification %s: last event's updated_at %s, the verification's %s", vid, last[vid], x.final[vid]))
		}
	}
	for user, want := range x.failed {
		if failed[user] < want {
			missing = append(missing, fmt.Sprintf("creation_failed for %s: %d of %d", user, failed[user], want))
		}
	}
	return missing, wrong
}

// whAwait polls until the receiver has everything or the deadline passes,
// failing at once on a bad signature, a repeated attempt or a wrong event.
func whAwait(t *testing.T, rc *whReceiver, x whExpect, within time.Duration) []whDelivery {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, problems := rc.snapshot()
		missing, wrong := whCheckArrivals(got, x)
		if bad := append(problems, wrong...); len(bad) > 0 {
			t.Fatalf("%d problems with what the receiver got:\n%s", len(bad), strings.Join(bad, "\n"))
		}
		if len(missing) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v, %d events still missing (%d requests received): %v", within, len(missing), len(got), missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func whSecret(t *testing.T) string {
	b := make([]byte, 16)
	rand.Read(b)
	return "whsec-" + hex.EncodeToString(b)
}

// TestWebhooksSurviveSIGKILL creates events while the receiver is down, kills
// the server with SIGKILL once attempts have failed, restarts it on the same
// database, brings the receiver up, and requires every event to arrive,
// signed, in order per verification.
func TestWebhooksSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts verigate processes")
	}
	began := time.Now()
	bin := whBuild(t)
	t.Logf("build: %v", time.Since(began).Round(time.Millisecond))
	db := filepath.Join(t.TempDir(), "verigate.db")
	id, secret, client := whKey(t, bin, db)
	apiAddr, hookAddr := whFreeAddr(t), whFreeAddr(t)

	first := whStart(t, bin, "first server", db, apiAddr)
	c := whClient{base: first.base, id: id, secret: secret}
	hookSecret := whSecret(t)
	sub := c.ok(t, "POST", "/partners/v2/webhooks", map[string]any{
		"events": []string{"verifications.updated", "verifications.creation_failed"},
		"name":   "crash-test", "url": "http://" + hookAddr + "/hooks?source=verigate",
		"secret": hookSecret, "config": map[string]any{"include_resource": true},
	})
	subID := sub["id"].(string)
	if _, leaked := sub["secret"]; leaked || strings.Contains(fmt.Sprint(sub), hookSecret) {
		t.Fatalf("the subscription returned its secret: %v", sub)
	}

	// 5 users × 2 orders × (order + 2 PATCHes) + 5 refused refreshes = 35 events.
	x := whExpect{updated: map[string][]string{}, failed: map[string]int{}, final: map[string]string{}}
	whMakeEvents(t, c, client, 5, 2, 2, &x)
	if x.total() != 35 {
		t.Fatalf("expected 35 events, made %d", x.total())
	}

	// The receiver is down: wait until attempts have failed and been
	// rescheduled, and kill the server between attempts: every delivery
	// first in line (one per verification, and each creation_failed) has
	// failed at least once and none is due within the next 100 ms, so none
	// is in flight. (An attempt in flight at a SIGKILL is retried once its
	// 30 s lease runs out; TestWebhooksTwoProcessesOnPostgres covers that.)
	heads := len(x.updated) + len(x.failed)
	var ds []map[string]any
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ds = c.deliveries(t, subID)
		soon := time.Now().Add(100 * time.Millisecond)
		tried, retried, due := 0, 0, 0
		for _, d := range ds {
			n, _ := d["attempts"].(float64)
			if n == 0 {
				continue
			}
			tried++
			if n >= 2 {
				retried++
			}
			next, err := time.Parse(time.RFC3339, fmt.Sprint(d["next_attempt_at"]))
			if err != nil || next.Before(soon) || d["last_error"] == nil {
				due++
			}
		}
		if len(ds) == x.total() && tried == heads && retried >= 1 && due == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attempts did not fail as expected: %d deliveries, %d tried (want %d), %d retried, %d due", len(ds), tried, heads, retried, due)
		}
	}
	first.kill()
	t.Logf("SIGKILL after %v with %d deliveries pending", time.Since(began).Round(time.Millisecond), len(ds))

	second := whStart(t, bin, "second server", db, apiAddr)
	c.base = second.base
	rc := newWhReceiver(hookSecret)
	rc.listen(t, hookAddr)

	whAwait(t, rc, x, 45*time.Second)
	t.Logf("all %d events arrived %v after the start", x.total(), time.Since(began).Round(time.Millisecond))

	// The delivery log agrees: every delivery ends delivered, with a 2xx.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ds = c.deliveries(t, subID)
		var notYet []string
		for _, d := range ds {
			if d["state"] != "delivered" || d["last_status_code"] != float64(204) || d["delivered_at"] == nil || d["next_attempt_at"] != nil {
				notYet = append(notYet, fmt.Sprint(d))
			}
		}
		if len(ds) == x.total() && len(notYet) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery log after delivery: %d deliveries, not delivered: %v", len(ds), notYet)
		}
	}
}

// whPostgresURL returns a URL for a fresh schema of the test PostgreSQL
// database (dropped when the test ends), or skips the test.
func whPostgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("VERIGATE_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("VERIGATE_TEST_POSTGRES_URL is not set; skipping the two-process PostgreSQL webhook test")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := make([]byte, 8)
	rand.Read(b)
	schema := "verigate_test_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("VERIGATE_TEST_POSTGRES_URL must be a postgres:// URL for this test")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestWebhooksTwoProcessesOnPostgres runs two servers on one PostgreSQL
// queue: they share the work, never send the same attempt twice or one
// delivery twice at once, and when one is SIGKILLed the other finishes
// (an attempt A had in flight is retried by B once its lease, 30 s, ends).
func TestWebhooksTwoProcessesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts verigate processes")
	}
	dbURL := whPostgresURL(t)
	began := time.Now()
	bin := whBuild(t)
	t.Logf("build: %v", time.Since(began).Round(time.Millisecond))
	id, secret, client := whKey(t, bin, dbURL) // also creates the schema's tables
	hookAddr := whFreeAddr(t)
	a := whStart(t, bin, "server A", dbURL, whFreeAddr(t))
	b := whStart(t, bin, "server B", dbURL, whFreeAddr(t))

	hookSecret := whSecret(t)
	rc := newWhReceiver(hookSecret)
	rc.delay = 300 * time.Millisecond
	// The receiver answers 503 until the events are made, so that the work
	// queues up (and failed attempts are retried by either process).
	var open atomic.Bool
	rc.fail = func(string, int) bool { return !open.Load() }
	rc.listen(t, hookAddr)

	ca := whClient{base: a.base, id: id, secret: secret}
	cb := whClient{base: b.base, id: id, secret: secret}
	subID := ca.ok(t, "POST", "/partners/v2/webhooks", map[string]any{
		"events": []string{"verifications.updated", "verifications.creation_failed"},
		"name":   "two-processes", "url": "http://" + hookAddr + "/hooks",
		"secret": hookSecret, "config": map[string]any{"include_resource": true},
	})["id"].(string)

	// Events come in through both processes: 2 × (4 users × 2 orders × 3 + 4 refusals) = 56.
	x := whExpect{updated: map[string][]string{}, failed: map[string]int{}, final: map[string]string{}}
	whMakeEvents(t, ca, client, 4, 2, 2, &x)
	whMakeEvents(t, cb, client, 4, 2, 2, &x)
	if x.total() != 56 {
		t.Fatalf("expected 56 events, made %d", x.total())
	}
	open.Store(true)
	t.Logf("%d events made %v after the start", x.total(), time.Since(began).Round(time.Millisecond))

	// Kill A mid-way and in the middle of an attempt. Each process runs 4
	// delivery workers, so with 5 requests in flight at least one is A's.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		got, _ := rc.snapshot()
		if busy, _ := rc.load(); busy >= 5 && len(got) >= 15 {
			break
		}
		if time.Now().After(deadline) {
			got, _ := rc.snapshot()
			t.Fatalf("never 5 requests in flight (%d deliveries arrived)", len(got))
		}
	}
	a.kill()
	before, _ := rc.snapshot()
	t.Logf("SIGKILLed server A mid-attempt after %d of %d deliveries, %v after the start", len(before), x.total(), time.Since(began).Round(time.Millisecond))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, dropped := rc.load(); dropped > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no request of server A was cut off by the kill")
		}
	}

	// B finishes, including the attempts A held leases on when it died
	// (after those leases, 30 s, run out).
	whAwait(t, rc, x, 50*time.Second)
	t.Logf("all %d events arrived %v after the start", x.total(), time.Since(began).Round(time.Millisecond))

	// Both processes did deliveries (their logs say which attempts each made).
	for _, p := range []*whProc{a, b} {
		if !strings.Contains(p.log.String(), `"msg":"webhook attempt"`) {
			t.Errorf("%s made no delivery attempt", p.name)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ds := cb.deliveries(t, subID)
		pending := 0
		for _, d := range ds {
			if d["state"] != "delivered" {
				pending++
			}
		}
		if len(ds) == x.total() && pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery log: %d deliveries, %d not delivered", len(ds), pending)
		}
	}
	_, problems := rc.snapshot()
	for _, p := range problems {
		t.Error(p)
	}
}
