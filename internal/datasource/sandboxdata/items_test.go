package sandboxdata

import (
	"fmt"
	"strings"
	"testing"

	"verigate/internal/datasource"
)

func TestCatalog(t *testing.T) {
	cat := PayrollCatalog()
	all := cat.Search("", 0, nil)
	if len(all) < 50 {
		t.Fatalf("catalog has %d items, want at least 50", len(all))
	}
	seen := map[string]bool{}
	for i, it := range all {
		if want := fmt.Sprintf("item_%09d", i+1); it.ID != want {
			t.Errorf("item %d has id %q, want %q", i, it.ID, want)
		}
		if seen[it.ID] || seen[it.Name] {
			t.Errorf("duplicate id or name %q %q", it.ID, it.Name)
		}
		seen[it.ID], seen[it.Name] = true, true
		switch it.Kind {
		case datasource.KindEmployer, datasource.KindGig, datasource.KindPlatform, datasource.KindBenefits:
		default:
			t.Errorf("%s has kind %q", it.ID, it.Kind)
		}
		got, ok := cat.Get(it.ID)
		if !ok || got.Name != it.Name || got.Features == nil || got.Status == "" || got.MappingStatus == "" {
			t.Errorf("Get(%q) = %+v, %v", it.ID, got, ok)
		}
	}
	for _, id := range []string{"item_000000001", "item_000000002"} {
		if _, ok := cat.Get(id); !ok {
			t.Errorf("missing %s", id)
		}
	}
}

func TestCatalogSearch(t *testing.T) {
	cat := PayrollCatalog()
	for _, tc := range []struct {
		q, want string
	}{
		{"cafe", "Café Riviera Foods|Yellowfinch Cafés"},
		{"CAFÉ riv", "Café Riviera Foods"},
		{"muller", "Müller Logistics"},
		{"MÜLLER LOG", "Müller Logistics"},
		{"jalapeno", "Jalapeño Express"},
		{"renees", "Renée's Home Care"},
		{"sao miguel", "São Miguel Coffee Roasters"},
		{"asgard", "Åsgard Outfitters"},
		{"mart", "Mart Foods|Martinez Landscaping|Corner Mart Stores"},
		{"hotel", "Élan Hotels & Resorts|Riverbend Casino & Hotel"},
		{"whole goods", "Whole Goods"},
	} {
		var got []string
		for _, it := range cat.Search(tc.q, 0, nil) {
			got = append(got, it.Name)
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("Search(%q) = %q, want %q", tc.q, strings.Join(got, "|"), tc.want)
		}
	}
	got := cat.Search("", 0, []string{"item_000000002", "item_000000001", "item_999999999"})
	if len(got) != 2 || got[0].ID != "item_000000001" || got[1].ID != "item_000000002" {
		t.Errorf("only filter = %+v", got)
	}
	if got := cat.Search("", 5, nil); len(got) != 5 || got[0].ID != "item_000000001" {
		t.Errorf("limit = %+v", got)
	}
}
