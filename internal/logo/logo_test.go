package logo

import (
	"encoding/xml"
	"net/url"
	"path"
	"strings"
	"testing"
)

func TestInitials(t *testing.T) {
	for name, want := range map[string]string{
		"Whole Goods":                 "WG",
		"whole goods":                 "WG",
		"Bullseye":                    "B",
		"Riverbend Casino & Hotel":    "RC",
		"  Keystone   Payroll Bureau": "KP",
		"3M Company":                  "C",
		"& Sons":                      "S",
		"Émile Zola Ltd":              "ÉZ",
		"東京 電力":                       "東電",
		"":                            "",
		"42 7":                        "",
	} {
		if got := Initials(name); got != want {
			t.Errorf("Initials(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestPathParse: every tile Path makes is one Parse accepts, with the
// name's initials and colour, once the router has unescaped the path.
func TestPathParse(t *testing.T) {
	for _, name := range []string{"Whole Goods", "Bullseye", "Émile Zola Ltd", "東京 電力", "GigAndGo", "Triple"} {
		p := Path(name)
		if !strings.HasPrefix(p, "/logos/") || !strings.HasSuffix(p, ".svg") {
			t.Fatalf("Path(%q) = %q", name, p)
		}
		u, err := url.Parse(p)
		if err != nil {
			t.Fatalf("Path(%q) = %q: %v", name, p, err)
		}
		dir, file := path.Split(u.Path)
		in, c, ok := Parse(path.Base(dir), file)
		if !ok || in != Initials(name) || c != Colour(name) {
			t.Errorf("Parse of Path(%q) = %q = %q, %d, %v; want %q, %d", name, p, in, c, ok, Initials(name), Colour(name))
		}
	}
	if p := Path("123"); p != "" {
		t.Errorf("Path of a name without initials = %q, want empty", p)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ colour, file string }{
		{"8", "WG.svg"}, {"-1", "WG.svg"}, {"05", "WG.svg"}, {"+5", "WG.svg"}, {"x", "WG.svg"}, {"", "WG.svg"},
		{"5", "wg.svg"}, {"5", "WGX.svg"}, {"5", ".svg"}, {"5", "WG.png"}, {"5", "WG"}, {"5", "W1.svg"},
		{"5", "<a.svg"}, {"5", "W G.svg"}, {"5", "..svg"},
	} {
		if in, n, ok := Parse(c.colour, c.file); ok {
			t.Errorf("Parse(%q, %q) = %q, %d, accepted", c.colour, c.file, in, n)
		}
	}
}

// TestSVG: the tile is well-formed SVG whose circle has the palette colour
// and whose text is the initials.
func TestSVG(t *testing.T) {
	for c := range Palette {
		var doc struct {
			XMLName xml.Name `xml:"svg"`
			Circle  struct {
				Fill string `xml:"fill,attr"`
			} `xml:"circle"`
			Text string `xml:"text"`
		}
		if err := xml.Unmarshal(SVG("ÉZ", c), &doc); err != nil {
			t.Fatalf("colour %d: %v", c, err)
		}
		if doc.XMLName.Space != "http://www.w3.org/2000/svg" || doc.Circle.Fill != Palette[c] || doc.Text != "ÉZ" {
			t.Errorf("colour %d: %+v", c, doc)
		}
	}
}

func TestColourSpreads(t *testing.T) {
	seen := map[int]bool{}
	for _, name := range []string{"Whole Goods", "Bullseye", "Triple", "GigAndGo", "Keystone Payroll Bureau", "Riverbend Casino & Hotel",
		"Brightpath Charter Schools", "Zoomcart Gig", "Acme", "Northwind", "Contoso", "Fabrikam"} {
		c := Colour(name)
		if c < 0 || c >= len(Palette) {
			t.Fatalf("Colour(%q) = %d", name, c)
		}
		if Colour(name) != c {
			t.Fatalf("Colour(%q) is not stable", name)
		}
		seen[c] = true
	}
	if len(seen) < 4 {
		t.Errorf("twelve names share %d colours", len(seen))
	}
}
