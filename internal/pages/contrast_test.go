package pages

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"verigate/internal/customization"
	"verigate/internal/logo"
)

// cssRule is one rule of the connection pages' stylesheet.
type cssRule struct{ selector, body string }

// stylesheet reads connect.css into its custom properties and its rules.
func stylesheet(t *testing.T) (vars map[string]string, rules []cssRule) {
	t.Helper()
	b, err := staticFS.ReadFile("static/connect.css")
	if err != nil {
		t.Fatal(err)
	}
	css := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	vars = map[string]string{}
	for _, m := range regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`).FindAllStringSubmatch(css, -1) {
		sel := strings.TrimSpace(m[1])
		if sel == ":root" {
			for _, d := range regexp.MustCompile(`(--[\w-]+):([^;]+)`).FindAllStringSubmatch(m[2], -1) {
				vars[d[1]] = strings.TrimSpace(d[2])
			}
			continue
		}
		rules = append(rules, cssRule{sel, m[2]})
	}
	return vars, rules
}

// hexColour resolves a CSS value to #rrggbb, or "" when it is not a
// colour this test understands (rgba shadows, transparent...).
func hexColour(vars map[string]string, v string) string {
	v = strings.TrimSpace(v)
	if m := regexp.MustCompile(`^var\((--[\w-]+)\)$`).FindStringSubmatch(v); m != nil {
		return hexColour(vars, vars[m[1]])
	}
	if regexp.MustCompile(`^#[0-9a-fA-F]{3}$`).MatchString(v) {
		return strings.ToLower("#" + v[1:2] + v[1:2] + v[2:3] + v[2:3] + v[3:4] + v[3:4])
	}
	if regexp.MustCompile(`^#[0-9a-fA-F]{6}$`).MatchString(v) {
		return strings.ToLower(v)
	}
	return ""
}

// declared returns the colour a rule gives a property, or "".
func declared(vars map[string]string, body, property string) string {
	m := regexp.MustCompile(`(?:^|;)\s*` + property + `\s*:\s*([^;]+)`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	if property == "border" || property == "outline" { // "1px solid #9aa3ad"
		f := strings.Fields(m[1])
		return hexColour(vars, f[len(f)-1])
	}
	return hexColour(vars, m[1])
}

// TestContrast checks every colour pair of the connection pages against
// WCAG 2.1: text at least 4.5:1 against its own background, or against
// both page backgrounds (card and page) when the rule leaves the background
// to its container; the focus ring and the borders of form controls at
// least 3:1 against the backgrounds they sit on.
func TestContrast(t *testing.T) {
	vars, rules := stylesheet(t)
	card, page := hexColour(vars, "var(--card)"), hexColour(vars, "var(--bg)")
	if card == "" || page == "" {
		t.Fatalf("no --card or --bg colour in %v", vars)
	}
	check := func(what, fg, bg string, min float64) {
		t.Helper()
		if c := customization.Contrast(fg, bg); c < min {
			t.Errorf("%s: %s on %s has a contrast of %.2f:1, under %.1f:1", what, fg, bg, c, min)
		}
	}
	// A logo's initials take .logo's colour on the background of one of
	// the .c0 ... .c7 classes (the same hue the server and script choose).
	var logoText string
	for _, r := range rules {
		if r.selector == ".logo" {
			logoText = declared(vars, r.body, "color")
		}
	}
	texts, controls, rings, logos := 0, 0, 0, 0
	for _, r := range rules {
		if regexp.MustCompile(`^\.c\d$`).MatchString(r.selector) {
			check(r.selector+" logo initials", logoText, declared(vars, r.body, "background"), 4.5)
			logos++
			continue
		}
		if r.selector == ".logo" {
			continue
		}
		fg := declared(vars, r.body, "color")
		bg := declared(vars, r.body, "background")
		if bg == "" {
			bg = declared(vars, r.body, "background-color")
		}
		switch {
		case fg != "" && bg != "":
			check(r.selector+" text", fg, bg, 4.5)
			texts++
		case fg != "":
			check(r.selector+" text on the card", fg, card, 4.5)
			check(r.selector+" text on the page", fg, page, 4.5)
			texts++
		}
		if strings.Contains(r.selector, "focus") {
			ring := declared(vars, r.body, "outline")
			check(r.selector+" focus ring on the card", ring, card, 3)
			check(r.selector+" focus ring on the page", ring, page, 3)
			rings++
		}
		if r.selector == "input" || r.selector == ".secondary" {
			border := declared(vars, r.body, "border")
			if border == "" {
				border = declared(vars, r.body, "border-color")
			}
			check(r.selector+" border", border, card, 3)
			controls++
		}
	}
	if texts < 10 || controls != 2 || rings == 0 || logos != 8 {
		t.Fatalf("checked %d text colours, %d control borders, %d focus rings and %d logo colours: the stylesheet was not read",
			texts, controls, rings, logos)
	}
}

// TestLogoPalette: the stylesheet's .c0 ... .c7 are package logo's palette,
// so an item's tile has the same colour in the pages and behind the API's
// logo_url.
func TestLogoPalette(t *testing.T) {
	vars, rules := stylesheet(t)
	found := map[string]string{}
	for _, r := range rules {
		if regexp.MustCompile(`^\.c\d$`).MatchString(r.selector) {
			found[r.selector] = declared(vars, r.body, "background")
		}
	}
	if len(found) != len(logo.Palette) {
		t.Fatalf("the stylesheet has %d logo colours, package logo %d", len(found), len(logo.Palette))
	}
	for i, want := range logo.Palette {
		if got := found[fmt.Sprintf(".c%d", i)]; got != want {
			t.Errorf(".c%d background %q, package logo has %q", i, got, want)
		}
	}
}
