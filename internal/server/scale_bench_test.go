package server_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"verigate/internal/partner"
	"verigate/internal/server"
	"verigate/internal/store"
	"verigate/internal/store/postgres/pgtest"
	"verigate/internal/store/storetest"
)

// BenchmarkScale measures the reads that must not slow down as the store
// grows: a GET of a verification, a session, and the listings of a user's
// verifications, accounts and paystubs, each on a random verification or
// user so that caches do not hide the database. It grows two stores
// (storetest.Grow): 1,000 verifications and VERIGATE_BENCH_ROWS (ten per
// user, as many paystubs and webhook deliveries), serves each from a
// process of its own (TestScaleChild), as verigate serve would, and
// alternates requests between the two, timing each in its process, so
// that both see the same load on a shared machine; it reports the time per
// request on each and their ratio (large/small). On SQLite it also reports
// the read system calls per request (a page read from the file is one).
// It runs on SQLite, and on PostgreSQL when VERIGATE_TEST_POSTGRES_URL is
// set (in schemas of its own), through the real router and auth, in memory:
//
//	VERIGATE_BENCH_ROWS=1000000 go test ./internal/server -run '^$' -bench Scale -benchtime 20000x -timeout 2h
func BenchmarkScale(b *testing.B) {
	rows, _ := strconv.Atoi(os.Getenv("VERIGATE_BENCH_ROWS"))
	if rows <= 0 {
		b.Skip("set VERIGATE_BENCH_ROWS (e.g. 1000000) to grow the stores and run")
	}
	b.Run("sqlite", func(b *testing.B) {
		benchScale(b, rows, sqliteScale)
	})
	b.Run("postgres", func(b *testing.B) {
		u := os.Getenv("VERIGATE_TEST_POSTGRES_URL")
		if u == "" {
			b.Skip("VERIGATE_TEST_POSTGRES_URL is not set")
		}
		benchScale(b, rows, func(b testing.TB) (string, string, bool) { return pgtest.Schema(b, u, "verigate_bench"), "pgx", true })
	})
}

// scaleBurst is how many requests a store's process makes in a row before
// the other's turn: a process woken for a single request would time it
// with cold caches, which would weigh the same on both stores and hide
// part of the difference.
const scaleBurst = 100

func benchScale(b *testing.B, rows int, open func(testing.TB) (string, string, bool)) {
	small, large := growScale(b, 1000, open), growScale(b, rows, open)
	procs := [2]*scaleChild{startScaleChild(b, small), startScaleChild(b, large)}
	for _, c := range scaleCases {
		b.Run(c.name, func(b *testing.B) {
			var spent [2]time.Duration
			var reads [2]int
			for done, round := 0, 0; done < b.N; round++ {
				n := min(scaleBurst, b.N-done)
				for k := range 2 {
					j := k
					if round%2 == 1 {
						j = 1 - k // alternate which goes first
					}
					d, r := procs[j].run(b, c.name, n)
					spent[j] += d
					if r < 0 || reads[j] < 0 {
						reads[j] = -1 // not counted on this system
					} else {
						reads[j] += r
					}
				}
				done += n
			}
			b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), "ns/small")
			b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), fmt.Sprintf("ns/%d", rows))
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "ratio")
			if !small.Postgres && reads[0] >= 0 && reads[1] >= 0 { // on PostgreSQL they are reads of its socket
				b.ReportMetric(float64(reads[0])/float64(b.N), "reads/small")
				b.ReportMetric(float64(reads[1])/float64(b.N), fmt.Sprintf("reads/%d", rows))
			}
		})
	}
}

// grownStore is a store grown for BenchmarkScale: where it is (an SQLite
// path or a postgres:// URL) and what it holds.
type grownStore struct {
	Where    string
	Postgres bool
	Grown    storetest.Grown
}

// growScale grows a store at the place open gives (an SQLite path or a
// postgres:// URL, the database/sql driver, whether it is PostgreSQL) to
// rows verifications, and closes it.
func growScale(tb testing.TB, rows int, open func(testing.TB) (string, string, bool)) grownStore {
	ctx := context.Background()
	where, driver, postgres := open(tb)
	st, err := server.OpenStore(ctx, where)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open(driver, where)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	g, err := storetest.Grow(ctx, st, db, postgres, rows)
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Optimize(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("grew a store to %d verifications in %s", rows, time.Since(start).Round(time.Second))
	return grownStore{Where: where, Postgres: postgres, Grown: g}
}

// scaleApp is a verigate over a grown store, with a key of its tenant.
type scaleApp struct {
	handler http.Handler
	key     partner.NewKey
	g       storetest.Grown
}

// openScaleApp opens a grown store and a verigate over it, and makes a key
// of its tenant.
func openScaleApp(tb testing.TB, s grownStore) scaleApp {
	ctx := context.Background()
	st, err := server.OpenStore(ctx, s.Where)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	// Grown before server.New gives the store its personal-data cipher:
	// copies of a sealed record would not open under their new account and
	// source ids, so the grown records are stored in clear, as records
	// stored before encryption are, and read alike.
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://verigate.test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	key, err := app.Keys.CreateKeyForClient(ctx, s.Grown.Client, "bench", store.Sandbox)
	if err != nil {
		tb.Fatal(err)
	}
	return scaleApp{handler: app.Handler, key: key, g: s.Grown}
}

// sqliteScale places a grown store in a new SQLite file.
func sqliteScale(tb testing.TB) (string, string, bool) {
	return filepath.Join(tb.TempDir(), "scale.db"), "sqlite", false
}

// scaleCases are the requests BenchmarkScale times, each made for a grown store.
var scaleCases = []struct {
	name string
	mk   func(a scaleApp) *http.Request
}{
	{"GetVerification", func(a scaleApp) *http.Request {
		return a.get("/partners/v2/verifications/" + a.g.VerificationID(1+mrand.IntN(a.g.Verifications)))
	}},
	{"CreateSession", func(a scaleApp) *http.Request {
		body := []byte(fmtSession(a.g.VerificationID(1 + mrand.IntN(a.g.Verifications))))
		r := httptest.NewRequest("POST", "/partners/v2/sessions", bytes.NewReader(body))
		r.SetBasicAuth(a.key.ID, a.key.Secret)
		r.Header.Set("Content-Type", "application/json")
		return r
	}},
	{"VerificationsByUser", func(a scaleApp) *http.Request { return a.get("/partners/v2/verifications?user=" + a.user()) }},
	{"V2AccountsByUser", func(a scaleApp) *http.Request { return a.get("/v2/accounts?user=" + a.user()) }},
	{"V2PaystubsByUser", func(a scaleApp) *http.Request { return a.get("/v2/paystubs?user=" + a.user()) }},
}

func (a scaleApp) user() string { return a.g.UserID(1 + mrand.IntN(a.g.Users)) }

func (a scaleApp) get(path string) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	r.SetBasicAuth(a.key.ID, a.key.Secret)
	return r
}

// TestScaleRequests makes each of BenchmarkScale's requests on a small
// grown store, through a process of its own as the benchmark does, so that
// the benchmark, which only runs when asked to, keeps working: each answers
// 200 with what the grown store holds, and the process, which starts with
// an empty page cache, reads the file.
func TestScaleRequests(t *testing.T) {
	child := startScaleChild(t, growScale(t, 1000, sqliteScale))
	for i, c := range scaleCases {
		d, reads := child.run(t, c.name, 5)
		if d <= 0 {
			t.Errorf("%s: five requests timed at %s", c.name, d)
		}
		if i == 0 && runtime.GOOS == "linux" && reads <= 0 {
			t.Errorf("%s: the first requests of a new process read %d pages from the file", c.name, reads)
		}
	}
}

// scaleChildEnv carries the grown store (JSON of a grownStore) that a
// TestScaleChild process serves.
const scaleChildEnv = "VERIGATE_SCALE_CHILD"

// TestScaleChild is the process BenchmarkScale starts for each grown store,
// so that the two stores do not share SQLite's page cache (the SQLite
// built into verigate keeps one for all connections of a process, and the
// large store's misses would evict the small one's pages). It skips unless
// started that way. It reads commands "<case> <n>" from standard input,
// makes n requests of that case, and writes "<ns> <reads>" to file
// descriptor 3: the time the handler took, and the read system calls the
// process made meanwhile (from /proc/self/io; -1 where the system does not
// tell), or "error <message>".
func TestScaleChild(t *testing.T) {
	spec := os.Getenv(scaleChildEnv)
	if spec == "" {
		t.Skip("started by BenchmarkScale")
	}
	var s grownStore
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		t.Fatal(err)
	}
	// The collector's settings of verigate serve.
	server.SetMemoryLimit(os.Getenv)
	server.SetGCPercent(os.Getenv)
	a := openScaleApp(t, s)
	// Reading /proc/self/io counts among the reads: what two readings in
	// a row differ by is taken off each command's count.
	first := readSyscalls()
	own := readSyscalls() - first
	out := os.NewFile(3, "replies")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Fprintln(out, serveScaleCommand(a, in.Text(), own))
	}
}

// serveScaleCommand runs one command of TestScaleChild and returns its
// reply; own is what reading the count adds to it.
func serveScaleCommand(a scaleApp, cmd string, own int) string {
	name, count, _ := strings.Cut(cmd, " ")
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		return "error bad count in " + strconv.Quote(cmd)
	}
	var mk func(scaleApp) *http.Request
	for _, c := range scaleCases {
		if c.name == name {
			mk = c.mk
		}
	}
	if mk == nil {
		return "error no case " + strconv.Quote(name)
	}
	before := readSyscalls()
	var spent time.Duration
	for range n {
		req := mk(a)
		rec := httptest.NewRecorder()
		start := time.Now()
		a.handler.ServeHTTP(rec, req)
		spent += time.Since(start)
		if rec.Code != http.StatusOK {
			return fmt.Sprintf("error %s: status %d: %s", name, rec.Code, strings.TrimSpace(rec.Body.String()))
		}
		if name != "CreateSession" && !strings.Contains(rec.Body.String(), `"id"`) {
			return fmt.Sprintf("error %s: nothing found in the grown store: %s", name, strings.TrimSpace(rec.Body.String()))
		}
	}
	reads := -1
	if after := readSyscalls(); before >= 0 && after >= 0 {
		reads = max(after-before-own, 0)
	}
	return fmt.Sprintf("%d %d", spent.Nanoseconds(), reads)
}

// readSyscalls is the process's count of read system calls (syscr in
// /proc/self/io), or -1 where the system does not tell (not Linux).
func readSyscalls() int {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "syscr: "); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				return n
			}
		}
	}
	return -1
}

// scaleChild is a running TestScaleChild process.
type scaleChild struct {
	in      io.Writer
	replies *bufio.Scanner
}

// startScaleChild starts this test binary as a TestScaleChild serving s; it
// ends when tb's test does, and what it printed is shown if it failed.
func startScaleChild(tb testing.TB, s grownStore) *scaleChild {
	spec, err := json.Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleChild$", "-test.count=1", "-test.timeout=0")
	cmd.Env = append(os.Environ(), scaleChildEnv+"="+string(spec))
	cmd.ExtraFiles = []*os.File{w}
	log := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	w.Close()
	tb.Cleanup(func() {
		in.Close()
		if err := cmd.Wait(); err != nil {
			tb.Errorf("scale child: %v\n%s", err, log)
		}
		r.Close()
	})
	return &scaleChild{in: in, replies: bufio.NewScanner(r)}
}

// run has the child make n requests of the named case and returns the
// time its handler took and the read system calls it made (-1: not counted).
func (c *scaleChild) run(tb testing.TB, name string, n int) (time.Duration, int) {
	if _, err := fmt.Fprintf(c.in, "%s %d\n", name, n); err != nil {
		tb.Fatalf("scale child: %v", err)
	}
	if !c.replies.Scan() {
		tb.Fatalf("scale child ended: %v", c.replies.Err())
	}
	reply := c.replies.Text()
	var ns, reads int64
	if _, err := fmt.Sscanf(reply, "%d %d", &ns, &reads); err != nil {
		tb.Fatalf("scale child: %s", reply)
	}
	return time.Duration(ns), int(reads)
}
