package datasource

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func testCatalog() *StaticCatalog {
	names := []string{"Whole Goods", "Walmarket", "Mart Foods", "Café Rio Foods", "Smartway & Final",
		"Corner Mart", "Martinez Landscaping", "Müller Logistics", "Joe's Diner", "Élan Hotels"}
	items := make([]Item, len(names))
	for i, n := range names {
		items[i] = Item{ID: "item_" + string(rune('a'+i)), Name: n, Kind: KindEmployer,
			Status: StatusHealthy, MappingStatus: MappingVerified,
			Features: &ItemFeatures{FieldCoverage: map[string]map[string]FieldSupport{"paystubs": {"gross_pay": {true}}}}}
	}
	return NewStaticCatalog(items)
}

func names(items []Item) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = it.Name
	}
	return strings.Join(s, "|")
}

func TestSearch(t *testing.T) {
	c := testCatalog()
	for _, tc := range []struct {
		q    string
		want string
	}{
		{"mart", "Mart Foods|Martinez Landscaping|Corner Mart"},
		{"MART F", "Mart Foods"},
		{"cafe", "Café Rio Foods"},
		{"CAFÉ rio", "Café Rio Foods"},
		{"rio f", "Café Rio Foods"},
		{"foods", "Café Rio Foods|Mart Foods"},
		{"muller", "Müller Logistics"},
		{"mül", "Müller Logistics"},
		{"elan", "Élan Hotels"},
		{"joes", "Joe's Diner"},
		{"joe’s d", "Joe's Diner"},
		{"smartway & f", "Smartway & Final"},
		{"  whole   goods ", "Whole Goods"},
		{"final", "Smartway & Final"},
		{"art", ""},
		{"goods whole", ""},
		{"xyz", ""},
	} {
		if got := names(c.Search(tc.q, 0, nil)); got != tc.want {
			t.Errorf("Search(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestSearchEmptyLimitOnly(t *testing.T) {
	c := testCatalog()
	if got := names(c.Search("", 3, nil)); got != "Whole Goods|Walmarket|Mart Foods" {
		t.Errorf("empty search = %q", got)
	}
	if got := len(c.Search("", 0, nil)); got != c.Len() {
		t.Errorf("unlimited empty search returned %d of %d", got, c.Len())
	}
	if got := names(c.Search("mart", 2, nil)); got != "Mart Foods|Martinez Landscaping" {
		t.Errorf("limited search = %q", got)
	}
	only := []string{"item_f", "item_c", "item_zz"}
	if got := names(c.Search("mart", 0, only)); got != "Mart Foods|Corner Mart" {
		t.Errorf("only search = %q", got)
	}
	if got := names(c.Search("", 0, only)); got != "Mart Foods|Corner Mart" {
		t.Errorf("only empty search = %q", got)
	}
	for _, it := range c.Search("", 0, nil) {
		if it.Features != nil || it.MatchingScore != "" {
			t.Errorf("empty search result %q has features or score", it.Name)
		}
	}
}

func TestMatchingScore(t *testing.T) {
	c := testCatalog()
	res := c.Search("mart foods", 0, nil)
	if len(res) != 1 || res[0].MatchingScore != "1.00" {
		t.Fatalf("exact match = %+v", res)
	}
	res = c.Search("mart", 0, nil)
	prev := "2"
	for _, it := range res {
		if it.MatchingScore < "0.01" || it.MatchingScore > prev {
			t.Errorf("%s scored %s after %s", it.Name, it.MatchingScore, prev)
		}
		prev = it.MatchingScore
	}
	if res[2].MatchingScore >= "0.50" {
		t.Errorf("word match scored %s, want below 0.50", res[2].MatchingScore)
	}
}

func TestGetCopiesFeatures(t *testing.T) {
	c := testCatalog()
	it, ok := c.Get("item_a")
	if !ok || it.Name != "Whole Goods" || it.Features == nil {
		t.Fatalf("Get = %+v, %v", it, ok)
	}
	it.Features.FieldCoverage["paystubs"]["gross_pay"] = FieldSupport{false}
	again, _ := c.Get("item_a")
	if !again.Features.FieldCoverage["paystubs"]["gross_pay"].Supported {
		t.Fatal("mutating a Get result changed the catalog")
	}
	if _, ok := c.Get("item_nope"); ok {
		t.Fatal("Get found an unknown id")
	}
}

func TestNewStaticCatalogDuplicate(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate ids did not panic")
		}
	}()
	NewStaticCatalog([]Item{{ID: "x"}, {ID: "x"}})
}

func TestItemJSON(t *testing.T) {
	b, err := json.Marshal(Item{ID: "item_000000001", Name: "Whole Goods", Kind: KindEmployer,
		Status: StatusHealthy, MappingStatus: MappingVerified, KnownLimitations: "First 5 digits of SSN obfuscated."})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "item_000000001", "name": "Whole Goods", "kind": "employer",
		"known_limitations": "First 5 digits of SSN obfuscated.", "status": "healthy", "status_details": nil,
		"logo_url": "", "is_grouping": false, "mapping_status": "verified"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("json = %s", b)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Café Rio Foods":         "cafe rio foods",
		"Müller-Logistics GmbH.": "muller logistics gmbh",
		"Joe's  Diner":           "joes diner",
		"  São Paulo & Co ":      "sao paulo co",
		"ÅSGARD":                 "asgard",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
