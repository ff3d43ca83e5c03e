package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"verigate/internal/server"
)

// TestLoadAgainstAServer runs a short mix against verigate on SQLite and
// requires every kind of call, a connection through the hosted pages and
// webhooks, all succeeding.
func TestLoadAgainstAServer(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a server for a few seconds")
	}
	ctx, cancel := context.WithCancel(context.Background())
	db := filepath.Join(t.TempDir(), "verigate.db")
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewUnstartedServer(nil)
	app, err := server.New(ctx, st, server.Options{PublicURL: "http://" + srv.Listener.Addr().String(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), ReportsDir: t.TempDir(), UploadsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = app.Handler
	srv.Start()
	t.Cleanup(srv.Close)
	var wg sync.WaitGroup
	wg.Go(func() { app.Aggregator.Run(ctx, 1) })
	wg.Go(func() { app.Dispatcher.Run(ctx, 2) })
	t.Cleanup(func() { cancel(); wg.Wait() })

	var out bytes.Buffer
	err = run([]string{"--url", srv.URL, "--database-url", db, "--tenants", "2", "--users", "3",
		"--workers", "2", "--rate", "50", "--connectors", "1", "--duration", "4s"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	for _, call := range []string{"POST sessions", "GET verifications/{id}", "GET verifications?user=", "GET users/{id}",
		"POST users", "POST verifications", "hosted page", "connection", "aggregation", "all API calls"} {
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(call) + `\s+(\d+)\s+\S+\s+(\S+)%`).FindStringSubmatch(out.String())
		if row == nil {
			t.Errorf("no row for %s", call)
			continue
		}
		if n, _ := strconv.Atoi(row[1]); n == 0 || row[2] != "100.00" {
			t.Errorf("%s: %s requests, %s%% succeeded", call, row[1], row[2])
		}
	}
	if m := regexp.MustCompile(`webhooks received: (\d+)`).FindStringSubmatch(out.String()); m == nil || m[1] == "0" {
		t.Errorf("no webhooks received:\n%s", out.String())
	}
	if strings.Contains(out.String(), "error:") || strings.Contains(out.String(), "not reported completed") {
		t.Errorf("errors reported:\n%s", out.String())
	}
}

func TestOnlyLoopbackIsATarget(t *testing.T) {
	for _, u := range []string{"http://10.0.0.5:8080", "http://example.com", "http://192.168.1.2"} {
		if err := run([]string{"--url", u}, io.Discard); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
