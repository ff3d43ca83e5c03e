// Package logo draws the tile verigate shows for an item that has no logo of
// its own: up to two initials of its name, in white, on one of eight
// colours picked from the name. The Link pages draw it in HTML and CSS; the
// API's logo_url points at the same tile as an SVG image (Path, SVG).
package logo

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Palette is the tiles' background colours, each dark enough for white
// initials to reach a contrast of 4.5:1. The Link pages' stylesheet has the
// same colours as the classes c0 to c7.
var Palette = [8]string{"#1f5eff", "#0f7b6c", "#a23dbd", "#c2410c", "#0e7490", "#4d7c0f", "#be123c", "#475569"}

// Initials returns the first letter of each of the name's first two words
// that have one, in upper case ("Whole Goods" → "WG"); "" when no word
// starts with a letter.
func Initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		if len(out) < 2 && unicode.IsLetter(r) {
			out = append(out, unicode.ToUpper(r))
		}
	}
	return string(out)
}

// Colour picks the index in Palette of the name's tile.
func Colour(name string) int {
	n := 0
	for _, r := range name {
		n = (n*31 + int(r)) % len(Palette)
	}
	return n
}

// Path returns the URL path of the name's tile, "/logos/<colour>/<initials>.svg",
// or "" when the name has no initials.
func Path(name string) string {
	in := Initials(name)
	if in == "" {
		return ""
	}
	return "/logos/" + strconv.Itoa(Colour(name)) + "/" + url.PathEscape(in) + ".svg"
}

// Parse reads the two last segments of a tile's path (the colour, and the
// initials followed by ".svg", unescaped), and reports whether they name a
// tile Path could have made.
func Parse(colour, file string) (initials string, c int, ok bool) {
	c, err := strconv.Atoi(colour)
	if err != nil || c < 0 || c >= len(Palette) || strconv.Itoa(c) != colour {
		return "", 0, false
	}
	initials, ok = strings.CutSuffix(file, ".svg")
	if !ok || initials == "" || utf8.RuneCountInString(initials) > 2 {
		return "", 0, false
	}
	for _, r := range initials {
		if !unicode.IsLetter(r) || unicode.ToUpper(r) != r {
			return "", 0, false
		}
	}
	return initials, c, true
}

// SVG draws the tile: a 64 × 64 circle of the colour with the initials
// centred on it. initials must be what Parse accepts (letters only), so
// nothing in it needs escaping.
func SVG(initials string, c int) []byte {
	size := 28
	if utf8.RuneCountInString(initials) > 1 {
		size = 24
	}
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">`+
		`<circle cx="32" cy="32" r="32" fill="%s"/>`+
		`<text x="32" y="32" dy=".35em" text-anchor="middle" fill="#fff" font-size="%d" font-weight="700" `+
		`font-family="system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">%s</text></svg>`,
		Palette[c], size, initials)
}
