package customization

import (
	"math"
	"testing"
)

func TestContrast(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#0000ff", "#ffffff", 8.59},
		{"#767676", "#ffffff", 4.54},
	} {
		if got := Contrast(c.a, c.b); math.Abs(got-c.want) > 0.02 {
			t.Errorf("Contrast(%s, %s) = %.3f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

func TestOriginAndIDs(t *testing.T) {
	for in, want := range map[string]string{"https://App.Example.com/": "https://app.example.com", "http://localhost:3000": "http://localhost:3000"} {
		if got, ok := Origin(in); !ok || got != want {
			t.Errorf("Origin(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"https://x.example/path", "ftp://x.example", "https://*.example", "x.example", "https://u:p@x.example", "https://x.example?q"} {
		if _, ok := Origin(bad); ok {
			t.Errorf("Origin(%q) accepted", bad)
		}
	}
	if !ValidID("flow", "12ABCD3E") || ValidID("flow", "a b") || !ValidID("experience", SampleExperience) || ValidID("experience", "12ABCD3E") {
		t.Error("ValidID misjudged")
	}
	if id := newFlowID(); len(id) != 8 || !ValidID("flow", id) {
		t.Errorf("newFlowID = %q", id)
	}
	if sniffImage([]byte("\x89PNG\r\n\x1a\nxxxx")) != "image/png" || sniffImage([]byte("<svg/>")) != "" || sniffImage([]byte{0xFF, 0xD8, 0xFF, 0xE0}) != "image/jpeg" {
		t.Error("sniffImage misjudged")
	}
}
