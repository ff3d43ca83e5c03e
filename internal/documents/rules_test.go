package documents

import (
	"encoding/json"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/value"
	"verigate/internal/verification"
)

func TestW2Years(t *testing.T) {
	for _, c := range []struct {
		today value.Date
		want  [2]int
	}{
		{value.NewDate(2026, time.January, 31), [2]int{2024, 2023}},
		{value.NewDate(2026, time.February, 1), [2]int{2025, 2024}},
		{value.NewDate(2025, time.December, 31), [2]int{2024, 2023}},
	} {
		if got := W2Years(c.today); got != c.want {
			t.Errorf("%s: %v, want %v", c.today, got, c.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	if normalize("  ACME, Corp. ") != normalize("acme corp") || normalize("Acme") == normalize("Acme Two") {
		t.Error("normalize")
	}
}

func up(id, typ string, st Stated) store.Upload {
	b, _ := json.Marshal(st)
	return store.Upload{ID: id, DocumentType: typ, FileName: id + ".pdf", Stated: b}
}

func ptr[T any](v T) *T { return &v }

func TestEvaluateRules(t *testing.T) {
	today := value.NewDate(2026, time.March, 10)
	emps := []verification.Employment{
		{Employer: "Acme", Status: "active", HireDate: "2025-03-01"},
		{Employer: "Beta", Status: "previous", HireDate: "2018-01-01", TerminationDate: ptr("2025-02-14")},
	}
	// Acme needs a paystub and the 2025 W-2 (hired 2025); Beta the 2025 and 2024 W-2s.
	ev := Evaluate(emps, nil, today)
	var got []string
	for _, e := range ev.Missing {
		got = append(got, e.Title)
	}
	want := []string{"Recent paystub required", "W-2 for 2025 required", "W-2 for 2025 required", "W-2 for 2024 required"}
	if len(got) != len(want) {
		t.Fatalf("missing %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("missing %v, want %v", got, want)
		}
	}
	ups := []store.Upload{
		up("p1", "paystubs", Stated{Employer: ptr("acme"), PayDate: ptr("2026-03-06")}),
		up("w1", "W-2", Stated{Employer: ptr("Acme"), TaxYear: ptr(2025)}),
		up("w2", "W-2", Stated{Employer: ptr("Beta"), TaxYear: ptr(2025)}),
		up("w3", "W-2", Stated{Employer: ptr("Beta"), TaxYear: ptr(2024)}),
	}
	ev = Evaluate(emps, ups, today)
	if len(ev.Missing) != 0 || len(ev.Ineligible) != 0 || !ev.Report.Eligibility.Eligible {
		t.Errorf("complete documents: missing %v ineligible %v", ev.Missing, ev.Ineligible)
	}
	// A paystub dated before the hire date contradicts the employment.
	ups = append(ups, up("p0", "paystubs", Stated{Employer: ptr("Acme"), PayDate: ptr("2025-01-15")}))
	ev = Evaluate(emps, ups, today)
	if len(ev.Ineligible) != 1 || ev.Ineligible[0].Code != CodeDocumentOutsideDates || *ev.Ineligible[0].Resources[0].ID != "p0" {
		t.Errorf("ineligible %+v", ev.Ineligible)
	}
}
