package pages_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// maxPageWire is the most a connection page may take on the wire, gzipped.
const maxPageWire = 3 << 10

// wireSize fetches path as a browser would (Accept-Encoding: gzip) and
// returns the bytes on the wire and the page they decompress to.
func (h *harness) wireSize(path string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	wire, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	body := string(wire)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			h.t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			h.t.Fatal(err)
		}
		body = string(b)
	} else if len(wire) > 1024 {
		h.t.Errorf("GET %s: %d bytes sent uncompressed", path, len(wire))
	}
	return len(wire), body
}

// TestConnectionPagesOnTheWire walks a payroll and a banking connection
// and requires every page a person sees to take at most 3 KB gzipped.
func TestConnectionPagesOnTheWire(t *testing.T) {
	h := newHarness(t, harnessOptions{manualAggregation: true})
	check := func(name, path string) string {
		t.Helper()
		n, page := h.wireSize(path)
		t.Logf("%-22s %5d bytes on the wire, %6d decompressed", name, n, len(page))
		if n > maxPageWire {
			t.Errorf("%s: %d bytes on the wire, over %d", name, n, maxPageWire)
		}
		return page
	}

	f := h.newSession(map[string]any{"redirect_url": h.partner.URL + "/return"})
	page := check("payroll search", f.base)
	token := csrf(t, page)
	check("payroll search results", f.base+"?q=a")
	for _, step := range []struct {
		path, name string
		form       url.Values
	}{
		{"/select", "sign-in", url.Values{"item": {"item_000000001"}}},
		{"/signin", "MFA", url.Values{"username": {"test_1"}, "password": {"passgood"}}},
		{"/mfa", "connecting", url.Values{"code": {"8081"}}},
	} {
		step.form.Set("csrf", token)
		if resp, body := h.post(f.base+step.path, step.form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", step.path, resp.StatusCode, body)
		}
		check(step.name, f.base)
	}
	h.aggregate()
	check("connected", f.base)

	b := h.newBankSession(nil)
	check("bank search", b.base)
	_, choice := b.toAccountChoice(t, "ins_000000001")
	wantContains(t, "account choice", choice, "account")
	check("bank account choice", b.base)
}
