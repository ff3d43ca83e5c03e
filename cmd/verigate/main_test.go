package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"verigate/internal/server"
)

// TestMain lets the test binary stand in for the verigate binary: with
// VERIGATE_TEST_MAIN=1 it runs main() on its arguments instead of the tests,
// so the restart test can start and SIGTERM a real process without a go build.
func TestMain(m *testing.M) {
	if os.Getenv("VERIGATE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// keysCreateJSON runs `verigate keys create --json` and decodes its one object.
func keysCreateJSON(t *testing.T, db string, extra ...string) map[string]string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"keys", "create", "--json", "--database-url", db}, extra...)
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run %v: %v (stderr %s)", args, err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("stdout is not a JSON object: %q", stdout.String())
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON object: %q", stdout.String())
	}
	if !strings.HasSuffix(stdout.String(), "}\n") || strings.Count(stdout.String(), "\n") != 1 {
		t.Errorf("stdout is not exactly one line: %q", stdout.String())
	}
	out := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok || s == "" {
			t.Errorf("%s = %v, want a non-empty string", k, v)
		}
		out[k] = s
	}
	if len(out) != 4 || out["api_key_id"] == "" || out["api_key_secret"] == "" || !uuidRE.MatchString(out["client"]) || out["environment"] == "" {
		t.Errorf("want exactly api_key_id, api_key_secret, client (a UUID) and environment: %v", raw)
	}
	return out
}

func TestKeysCreate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sub", "verigate.db")
	first := keysCreateJSON(t, db)
	if first["environment"] != "sandbox" {
		t.Errorf("default environment %q", first["environment"])
	}
	prod := keysCreateJSON(t, db, "--environment", "production", "--name", "prod key")
	if prod["environment"] != "production" || prod["client"] == first["client"] {
		t.Errorf("production key: %v (a new partner has a new client)", prod)
	}
	same := keysCreateJSON(t, "sqlite://"+db, "--client", strings.ToUpper(first["client"]))
	if same["client"] != first["client"] && !strings.EqualFold(same["client"], first["client"]) {
		t.Errorf("--client: client %s, want %s", same["client"], first["client"])
	}
	if same["api_key_id"] == first["api_key_id"] || same["api_key_secret"] == first["api_key_secret"] {
		t.Error("--client reused the key instead of creating one")
	}

	// The keys work, and --client put the new key in the same partner.
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://test"})
	if err != nil {
		t.Fatal(err)
	}
	partnerOf := func(k map[string]string) string {
		p, err := app.Keys.Authenticate(ctx, k["api_key_id"], k["api_key_secret"])
		if err != nil {
			t.Fatalf("key %s does not authenticate: %v", k["api_key_id"], err)
		}
		if string(p.Environment) != k["environment"] {
			t.Errorf("key %s: environment %s, printed %s", k["api_key_id"], p.Environment, k["environment"])
		}
		return p.PartnerID
	}
	if partnerOf(first) != partnerOf(same) {
		t.Error("--client created the key in another partner")
	}
	if partnerOf(first) == partnerOf(prod) {
		t.Error("a key without --client joined an existing partner")
	}
	if n, err := st.CountPartners(ctx); err != nil || n != 2 {
		t.Errorf("partners: %d %v, want 2", n, err)
	}

	for _, bad := range [][]string{
		{"--environment", "staging"},
		{"--client", "0196f0a0-0000-7000-8000-000000000001"},
		{"--client", "not-a-uuid"},
		{"--bogus-flag"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"keys", "create", "--json", "--database-url", db}, bad...)
		if err := run(ctx, args, &stdout, &stderr); err == nil {
			t.Errorf("%v succeeded: %s", bad, stdout.String())
		}
		if strings.Contains(stdout.String(), "api_key_secret") {
			t.Errorf("%v printed a key: %s", bad, stdout.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a verigate serve process.
type proc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	base   string
	done   chan error
}

// start runs `verigate serve` on a free port over db, with the test's
// environment less GOMEMLIMIT and GOGC plus env, and waits until it listens.
func start(t *testing.T, db string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--database-url", db, "--log-format", "json")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOGC=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "VERIGATE_TEST_MAIN=1"), env...)
	p := &proc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout = p.stdout
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(p.stderr, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "verigate listening" {
				addr <- line.Addr
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case a := <-addr:
		p.base = "http://" + a
	case err := <-p.done:
		t.Fatalf("verigate exited before listening: %v\nstderr: %s", err, p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("verigate did not start listening\nstderr: %s", p.stderr.String())
	}
	return p
}

// stop sends SIGTERM and requires a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) || err != nil {
			t.Fatalf("verigate did not exit 0 after SIGTERM: %v\nstderr: %s", err, p.stderr.String())
		}
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("verigate did not stop after SIGTERM")
	}
}

func (p *proc) call(t *testing.T, id, secret, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.base+path, r)
	req.SetBasicAuth(id, secret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("%s %s: %d, body not JSON: %v", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, m
}

// TestServeMemoryLimit: serve gives the Go runtime verigate's default soft
// memory limit and collector target, and a GOMEMLIMIT or GOGC the operator
// sets wins over each.
func TestServeMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts verigate processes")
	}
	for _, c := range []struct {
		env       []string
		limit     int64
		fromEnv   bool
		gcPercent int
		gcFromEnv bool
	}{
		{nil, server.DefaultMemoryLimit, false, server.DefaultGCPercent, false},
		{[]string{"GOMEMLIMIT=300MiB"}, 300 << 20, true, server.DefaultGCPercent, false},
		{[]string{"GOMEMLIMIT=off", "GOGC=150"}, math.MaxInt64, true, 150, true},
		{[]string{"GOGC=off"}, server.DefaultMemoryLimit, false, -1, true},
	} {
		p := start(t, filepath.Join(t.TempDir(), "v.db"), c.env...)
		var got struct {
			Limit     int64 `json:"memory_limit"`
			FromEnv   bool  `json:"memory_limit_from_gomemlimit"`
			GCPercent int   `json:"gc_percent"`
			GCFromEnv bool  `json:"gc_percent_from_gogc"`
		}
		for line := range strings.Lines(p.stderr.String()) {
			if strings.Contains(line, `"msg":"verigate listening"`) {
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("listening line %q: %v", line, err)
				}
			}
		}
		if got.Limit != c.limit || got.FromEnv != c.fromEnv {
			t.Errorf("env %v: memory_limit %d, from GOMEMLIMIT %v; want %d, %v", c.env, got.Limit, got.FromEnv, c.limit, c.fromEnv)
		}
		if got.GCPercent != c.gcPercent || got.GCFromEnv != c.gcFromEnv {
			t.Errorf("env %v: gc_percent %d, from GOGC %v; want %d, %v", c.env, got.GCPercent, got.GCFromEnv, c.gcPercent, c.gcFromEnv)
		}
		p.stop(t)
	}
}

var (
	bannerID     = regexp.MustCompile(`api_key_id:\s+(\S+)`)
	bannerSecret = regexp.MustCompile(`api_key_secret:\s+(\S+)`)
	bannerClient = regexp.MustCompile(`client:\s+(\S+)`)
)

func TestRestartKeepsEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("starts verigate processes")
	}
	db := filepath.Join(t.TempDir(), "data", "verigate.db")

	// First start on an empty database: a sandbox partner is created and its
	// key printed once, with a curl line.
	p := start(t, db)
	var banner string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if banner = p.stdout.String(); bannerSecret.MatchString(banner) {
			break
		}
	}
	id, secret, client := bannerID.FindStringSubmatch(banner), bannerSecret.FindStringSubmatch(banner), bannerClient.FindStringSubmatch(banner)
	if id == nil || secret == nil || client == nil || !strings.Contains(banner, "curl -u '"+id[1]+":"+secret[1]+"'") {
		t.Fatalf("first start did not print the key and a curl line:\n%s", banner)
	}
	status, u := p.call(t, id[1], secret[1], "POST", "/partners/v2/users", map[string]any{"client": client[1], "first_name": "Jane"})
	if status != 200 {
		t.Fatalf("create user: %d %v", status, u)
	}
	status, v := p.call(t, id[1], secret[1], "POST", "/partners/v2/verifications", map[string]any{"user": u["id"], "report": map[string]any{"type": "voie"}})
	if status != 200 {
		t.Fatalf("order: %d %v", status, v)
	}
	status, s := p.call(t, id[1], secret[1], "POST", "/partners/v2/sessions", map[string]any{"verification": v["id"]})
	if status != 200 || !strings.HasPrefix(fmt.Sprint(s["link"]), p.base+"/connect/") {
		t.Fatalf("session: %d %v", status, s)
	}
	link := s["link"].(string)
	p.stop(t)
	if !strings.Contains(p.stderr.String(), "shutting down") {
		t.Errorf("no shutdown log:\n%s", p.stderr.String())
	}

	// Second start on the same file: nothing secret printed, everything still there.
	q := start(t, db)
	status, gotUser := q.call(t, id[1], secret[1], "GET", "/partners/v2/users/"+u["id"].(string), nil)
	if status != 200 || gotUser["first_name"] != "Jane" {
		t.Errorf("user after restart: %d %v", status, gotUser)
	}
	status, gotV := q.call(t, id[1], secret[1], "GET", "/partners/v2/verifications/"+v["id"].(string), nil)
	if status != 200 || gotV["created_at"] != v["created_at"] || gotV["data_source"] != "payroll" {
		t.Errorf("verification after restart: %d %v", status, gotV)
	}
	status, list := q.call(t, id[1], secret[1], "GET", "/partners/v2/verifications", nil)
	if res, _ := list["results"].([]any); status != 200 || len(res) != 1 {
		t.Errorf("list after restart: %d %v", status, list)
	}
	// A link made before the restart still opens (the sealing key is stored too).
	tok := link[strings.LastIndex(link, "/connect/"):]
	resp, err := http.Get(q.base + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("link from before the restart: %d", resp.StatusCode)
	}
	q.stop(t)
	out := q.stdout.String() + q.stderr.String()
	if strings.Contains(out, secret[1]) || strings.Contains(out, "api_key_secret") || strings.Contains(out, "first start") {
		t.Errorf("second start printed the banner or the secret:\n%s", out)
	}
}
