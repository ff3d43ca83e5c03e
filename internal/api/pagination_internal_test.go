package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"verigate/internal/store"
)

// TestPagesStayUnderTheirByteBound: a page of large objects holds fewer
// than its limit, and following next still reaches every object once.
func TestPagesStayUnderTheirByteBound(t *testing.T) {
	defer func(old int) { maxPageBytes = old }(maxPageBytes)
	maxPageBytes = 1000
	type row struct{ ID, Blob string }
	var rows []row // newest first, like a listing
	for i := 9; i >= 0; i-- {
		rows = append(rows, row{ID: string(rune('a' + i)), Blob: strings.Repeat("x", 300)})
	}
	list := func(p store.Page) ([]row, error) {
		var out []row
		for _, r := range rows {
			if p.After == "" || r.ID < p.After {
				out = append(out, r)
			}
		}
		if len(out) > p.Limit {
			out = out[:p.Limit]
		}
		return out, nil
	}
	a := &API{PublicURL: "http://verigate.example"}
	var seen []string
	page := store.Page{Limit: 10}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("the listing never ended")
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/v2/things?limit=10", nil)
		if err := writeList(a, w, r, page, list, func(x row) string { return x.ID }, func(x row) (row, error) { return x, nil }); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Next    *string `json:"next"`
			Results []row   `json:"results"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Results) == 0 || len(out.Results) > 3 {
			t.Fatalf("a page of %d objects of ~320 bytes under a 1000-byte bound", len(out.Results))
		}
		for _, x := range out.Results {
			seen = append(seen, x.ID)
		}
		if out.Next == nil {
			break
		}
		u, _ := url.Parse(*out.Next)
		raw, _ := base64.RawURLEncoding.DecodeString(u.Query().Get("cursor"))
		var c cursor
		json.Unmarshal(raw, &c)
		page = store.Page{Limit: 10, After: c.After}
	}
	if strings.Join(seen, "") != "jihgfedcba" {
		t.Fatalf("walking the pages gave %v", seen)
	}
	// One object larger than the bound still makes a page.
	if got := fitting([][]byte{make([]byte, 5000), make([]byte, 10)}, false); got != 1 {
		t.Errorf("fitting a large first object: %d", got)
	}
}
