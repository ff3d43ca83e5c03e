package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	for _, c := range []struct {
		name       string
		args       []string
		usage      bool   // a usageError
		wantErr    string // part of the error, when one is expected
		wantStdout string
	}{
		{name: "unknown command", args: []string{"version"}, usage: true, wantErr: `unknown command "version"`},
		{name: "another unknown command", args: []string{"start"}, usage: true, wantErr: `unknown command "start"`},
		{name: "help", args: []string{"-h"}, wantStdout: "usage: verigate"},
		{name: "long help", args: []string{"--help"}, wantStdout: "usage: verigate"},
		{name: "help command", args: []string{"help"}, wantStdout: "usage: verigate"},
		{name: "serve help", args: []string{"serve", "-h"}},
		{name: "keys help", args: []string{"keys", "create", "-h"}},
		{name: "version flag", args: []string{"--version"}, wantStdout: "verigate "},
		{name: "unknown flag", args: []string{"serve", "--nope"}, usage: true, wantErr: "nope"},
		{name: "stray argument", args: []string{"serve", "--database-url", db, "extra"}, usage: true, wantErr: `unexpected argument "extra"`},
		{name: "mysql URL", args: []string{"serve", "--addr", "127.0.0.1:0", "--database-url", "mysql://u@localhost/db"}, wantErr: `unsupported database URL scheme "mysql"`},
		{name: "public URL not a URL", args: []string{"serve", "--database-url", db, "--public-url", "notaurl"}, usage: true, wantErr: "--public-url"},
		{name: "public URL with a query", args: []string{"serve", "--database-url", db, "--public-url", "https://v.example/?x=1"}, usage: true, wantErr: "--public-url"},
		{name: "no aggregation workers", args: []string{"serve", "--database-url", db, "--aggregation-workers", "0"}, usage: true, wantErr: "--aggregation-workers: 0"},
		{name: "too many aggregation workers", args: []string{"serve", "--database-url", db, "--aggregation-workers", "65"}, usage: true, wantErr: "--aggregation-workers: 65"},
		{name: "aggregation workers not a number", args: []string{"serve", "--database-url", db, "--aggregation-workers", "two"}, usage: true, wantErr: "aggregation-workers"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), c.args, &stdout, &stderr)
		var ue usageError
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.wantErr)
		case c.usage != errors.As(err, &ue):
			t.Errorf("%s: usage error %v, want %v (%v)", c.name, !c.usage, c.usage, err)
		case !strings.Contains(stdout.String(), c.wantStdout):
			t.Errorf("%s: stdout %q, want %q", c.name, stdout.String(), c.wantStdout)
		}
	}
	// No file named after the refused URL was created.
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused command lines left files: %v", entries)
	}
	if _, err := os.Stat("mysql:"); err == nil {
		t.Error("a mysql: directory was created")
	}
}

// TestAggregationWorkersFromTheEnvironment: a VERIGATE_AGGREGATION_WORKERS
// that is not a whole number is refused like the flag, before anything is
// created.
func TestAggregationWorkersFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("VERIGATE_AGGREGATION_WORKERS", "two")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--database-url", filepath.Join(dir, "v.db")}, &stdout, &stderr)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "VERIGATE_AGGREGATION_WORKERS must be a whole number") {
		t.Fatalf("VERIGATE_AGGREGATION_WORKERS=two: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused start left files: %v", entries)
	}
}

func TestLocalURL(t *testing.T) {
	for addr, want := range map[string]string{
		"[::]:8080":      "http://localhost:8080",
		"0.0.0.0:8080":   "http://localhost:8080",
		"127.0.0.1:9000": "http://127.0.0.1:9000",
		"[::1]:9000":     "http://[::1]:9000",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := localURL(tcp); got != want {
			t.Errorf("localURL(%s) = %s, want %s", addr, got, want)
		}
	}
}

// TestExitCodes runs the binary itself: a command line it does not
// understand exits 2 with the usage, help exits 0.
func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
	}{{[]string{"version"}, 2}, {[]string{"-h"}, 0}, {[]string{"serve", "--nope"}, 2}} {
		cmd := exec.Command(os.Args[0], c.args...)
		cmd.Env = append(os.Environ(), "VERIGATE_TEST_MAIN=1")
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || !strings.Contains(string(out), "usage: verigate") {
			t.Errorf("verigate %v: exit %d, want %d; output %q", c.args, code, c.code, out)
		}
	}
}

func TestKeysListRevokeRotate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "v.db")
	first := keysCreateJSON(t, db)
	ctx := context.Background()
	runOK := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := run(ctx, append(args, "--database-url", db), &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v (%s)", args, err, stderr.String())
		}
		return stdout.String()
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(runOK("keys", "list", "--json")), &list); err != nil || len(list) != 1 || list[0]["id"] != first["api_key_id"] || list[0]["revoked_at"] != nil {
		t.Fatalf("keys list: %v, %v", list, err)
	}
	var rotated map[string]any
	if err := json.Unmarshal([]byte(runOK("keys", "rotate", first["api_key_id"], "--json")), &rotated); err != nil || rotated["api_key_secret"] == "" || rotated["client"] != first["client"] {
		t.Fatalf("keys rotate: %v, %v", rotated, err)
	}
	if out := runOK("keys", "list"); !strings.Contains(out, "revoked ") || strings.Count(out, "\n") != 2 {
		t.Fatalf("keys list after rotating:\n%s", out)
	}
	if out := runOK("keys", "revoke", rotated["api_key_id"].(string)); !strings.Contains(out, "revoked "+rotated["api_key_id"].(string)) {
		t.Fatalf("keys revoke: %s", out)
	}
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"keys", "revoke", rotated["api_key_id"].(string), "--database-url", db}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "revoked already") {
		t.Fatalf("revoking twice: %v", err)
	}
	var ue usageError
	if err := run(ctx, []string{"keys", "revoke", "--database-url", db}, &stdout, &stderr); !errors.As(err, &ue) {
		t.Fatalf("revoke without a key id: %v", err)
	}
}

func TestSecretKeysAndProductionMode(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"secret-key"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(stdout.String())
	if k, err := base64.StdEncoding.DecodeString(key); err != nil || len(k) != 32 {
		t.Fatalf("secret-key printed %q", key)
	}
	err := run(ctx, []string{"serve", "--mode", "production", "--addr", "127.0.0.1:0", "--database-url", db}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "production mode needs secret keys") {
		t.Fatalf("production without keys: %v", err)
	}
	var ue usageError
	if err := run(ctx, []string{"serve", "--mode", "staging", "--database-url", db}, &stdout, &stderr); !errors.As(err, &ue) {
		t.Fatalf("an unknown mode: %v", err)
	}
	file := filepath.Join(dir, "keys")
	os.WriteFile(file, []byte("# current\n"+key+"\n\n# previous\nnot-a-key\n"), 0o600)
	if _, err := loadSecretKeys(file, ""); err == nil || !strings.Contains(err.Error(), "secret key 2") {
		t.Fatalf("a file with a bad key: %v", err)
	}
	os.WriteFile(file, []byte("# current\n"+key+"\n"), 0o600)
	keys, err := loadSecretKeys(file, "ignored when a file is given")
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys from a file: %d, %v", len(keys), err)
	}
	if keys, err := loadSecretKeys("", key+", "+key); err != nil || len(keys) != 2 {
		t.Fatalf("keys from the environment: %d, %v", len(keys), err)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused start created the database")
	}
}

func TestResealCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "v.db")
	keysCreateJSON(t, db) // a database used without keys
	var stdout, stderr bytes.Buffer
	var ue usageError
	t.Setenv("VERIGATE_SECRET_KEYS", "")
	if err := run(ctx, []string{"reseal", "--database-url", db}, &stdout, &stderr); !errors.As(err, &ue) {
		t.Fatalf("reseal without keys: %v", err)
	}
	run(ctx, []string{"secret-key"}, &stdout, &stderr)
	t.Setenv("VERIGATE_SECRET_KEYS", strings.TrimSpace(stdout.String()))
	stdout.Reset()
	if err := run(ctx, []string{"reseal", "--database-url", db}, &stdout, &stderr); err != nil {
		t.Fatalf("reseal: %v (%s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "the database keeps no key") {
		t.Errorf("reseal printed %q", stdout.String())
	}
}
