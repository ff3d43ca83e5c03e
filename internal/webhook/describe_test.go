package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestFailureReasonsNameNoAddress: what a partner reads of a failed
// attempt never names a resolver's or a receiver's address.
func TestFailureReasonsNameNoAddress(t *testing.T) {
	client := &http.Client{Timeout: 2 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/hook"
	ln.Close() // nothing listens there now
	for name, u := range map[string]string{
		"refused":    refused,
		"no host":    "http://no-such-host.invalid/hook",
		"bad scheme": "ftp://127.0.0.1/hook",
	} {
		_, err := client.Get(u)
		if err == nil {
			t.Fatalf("%s: the request succeeded", name)
		}
		got := describe(0, err)
		if strings.Contains(got, "127.0.0.1") || strings.Contains(got, ":53") || strings.Contains(got, "dial") || got == "" {
			t.Errorf("%s: %q (from %v)", name, got, err)
		}
	}
	timeout := &url.Error{Op: "Post", URL: "http://10.1.2.3/x", Err: context.DeadlineExceeded}
	if got := describe(0, timeout); got != "the receiver did not answer in time" {
		t.Errorf("timeout: %q", got)
	}
	if got := describe(0, fmt.Errorf("post: %w", errPrivateAddress)); strings.Contains(got, "10.") || got == "" {
		t.Errorf("private address: %q", got)
	}
	if got := describe(503, nil); got != "receiver answered 503" {
		t.Errorf("status: %q", got)
	}
	if got := describe(0, errors.New("dial tcp 192.168.1.5:443: something new")); strings.Contains(got, "192.168") {
		t.Errorf("an unknown error leaks its address: %q", got)
	}
}
