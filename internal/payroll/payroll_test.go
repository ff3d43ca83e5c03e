package payroll_test

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/payroll"
	"verigate/internal/store"
	"verigate/internal/value"
)

func money(t *testing.T, s string) value.Money {
	t.Helper()
	m, err := value.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func hours(t *testing.T, s string) value.Hours {
	t.Helper()
	h, err := value.ParseHours(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func jsonOf(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGrossPayTotalsContractExample recomputes the contract example's
// gross_pay_list_totals from its gross_pay_list (hours rounded to the
// hundredths verigate keeps).
func TestGrossPayTotalsContractExample(t *testing.T) {
	lines := []datasource.GrossPayLine{
		{Name: "Regular", Type: "base", Rate: money(t, "25.61"), Hours: hours(t, "49.60"), Amount: money(t, "1270.14"),
			HoursYTD: hours(t, "422.00"), AmountYTD: money(t, "13971.54")},
		{Name: "Commission", Type: "commission", Amount: money(t, "337.49"), AmountYTD: money(t, "1758.56")},
	}
	got := jsonOf(t, payroll.GrossPayTotals(lines))
	want := map[string]any{
		"base": map[string]any{"amount": "1270.14", "amount_ytd": "13971.54", "hours": "49.60", "hours_ytd": "422.00",
			"rate_implied": "25.6100", "rate_implied_ytd": "33.1100"},
		"overtime": nil,
		"commission": map[string]any{"amount": "337.49", "amount_ytd": "1758.56", "hours": nil, "hours_ytd": nil,
			"rate_implied": nil, "rate_implied_ytd": nil},
		"bonus": nil,
		"other": nil,
	}
	if a, b := mustJSON(t, want), mustJSON(t, got); a != b {
		t.Errorf("totals\n got  %s\n want %s", b, a)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGrossPayTotalsCategories(t *testing.T) {
	lines := []datasource.GrossPayLine{
		{Name: "Regular", Type: "base", Rate: 2000, Hours: 4000, Amount: 80000, HoursYTD: 40000, AmountYTD: 800000},
		{Name: "Vacation", Type: "pto", Rate: 2000, Hours: 800, Amount: 16000, HoursYTD: 800, AmountYTD: 16000},
		// A name twice on one paystub: its year-to-date counts once, from the last line.
		{Name: "Regular", Type: "base", Rate: 2000, Hours: 1000, Amount: 20000, HoursYTD: 41000, AmountYTD: 820000},
		{Name: "Tips", Type: "tips", Amount: 1234, AmountYTD: 5000},
		{Name: "Stock", Type: "stock", Amount: 100, AmountYTD: 100},
		{Name: "Mystery", Type: "unlisted", Amount: 1, AmountYTD: 1},
		{Name: "Holiday Bonus", Type: "bonus", Amount: 25000, AmountYTD: 25000},
	}
	tot := payroll.GrossPayTotals(lines)
	if tot.Base == nil || tot.Base.Amount != 116000 || tot.Base.AmountYTD != 836000 || *tot.Base.Hours != 5800 || *tot.Base.HoursYTD != 41800 {
		t.Errorf("base %+v", tot.Base)
	}
	if r := *tot.Base.RateImplied; r != 2000 {
		t.Errorf("base rate_implied %d cents, want 2000", r)
	}
	if tot.Other == nil || tot.Other.Amount != 1335 || tot.Other.AmountYTD != 5101 || tot.Other.Hours != nil || tot.Other.RateImplied != nil {
		t.Errorf("other %+v", tot.Other)
	}
	if tot.Bonus == nil || tot.Bonus.Amount != 25000 || tot.Overtime != nil || tot.Commission != nil {
		t.Errorf("bonus/overtime/commission %+v %+v %+v", tot.Bonus, tot.Overtime, tot.Commission)
	}
	if payroll.GrossPayTotals(nil) != (payroll.Totals{}) {
		t.Error("no lines should give all-null totals")
	}
}

func TestImpliedRate(t *testing.T) {
	for _, tc := range []struct {
		amount value.Money
		hours  value.Hours
		want   string
		ok     bool
	}{
		{127014, 4960, "25.6100", true},   // 25.6076 → 25.61
		{1397154, 42200, "33.1100", true}, // 33.1079 → 33.11
		{100, 300, "0.3300", true},
		{200, 300, "0.6700", true}, // 0.6666 rounds up
		{-200, 300, "-0.6700", true},
		{5, 0, "", false},
	} {
		r, ok := payroll.ImpliedRate(tc.amount, tc.hours)
		if ok != tc.ok {
			t.Errorf("ImpliedRate(%v, %v) ok %v", tc.amount, tc.hours, ok)
			continue
		}
		if !ok {
			continue
		}
		if b, _ := r.MarshalText(); string(b) != tc.want {
			t.Errorf("ImpliedRate(%v, %v) = %s, want %s", tc.amount, tc.hours, b, tc.want)
		}
	}
}

// sandboxRecords aggregates a sandbox user into records, as the worker does.
func sandboxRecords(t *testing.T, login, item string) []store.AccountRecord {
	t.Helper()
	data, err := payrollsandbox.DataFor(login, item, value.NewDate(2025, time.May, 30))
	if err != nil {
		t.Fatal(err)
	}
	a := store.Account{ID: store.NewID(), UserID: store.NewID(), PartnerID: store.NewID(), Environment: store.Sandbox}
	recs, err := aggregate.Records(a, data, time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestRenderPaystub(t *testing.T) {
	for _, r := range sandboxRecords(t, "test_3", "item_000000001") {
		if r.Kind != store.RecordPaystub {
			if _, err := payroll.RenderPaystub(r); err == nil {
				t.Errorf("RenderPaystub accepted a %s", r.Kind)
			}
			continue
		}
		p, err := payroll.RenderPaystub(r)
		if err != nil {
			t.Fatal(err)
		}
		m := jsonOf(t, p)
		if m["id"] != r.ID || m["account"] != r.AccountID || m["employment"] != r.Employment || r.Employment == "" {
			t.Fatalf("ids: %v", m)
		}
		if _, ok := m["payroll_document"]; ok {
			t.Error("payroll_document rendered without a document")
		}
		for _, f := range []string{"paystub_date", "paystub_period.start_date", "paystub_period.end_date"} {
			v := m
			parts := strings.Split(f, ".")
			for _, p := range parts[:len(parts)-1] {
				v = v[p].(map[string]any)
			}
			s, _ := v[parts[len(parts)-1]].(string)
			if len(s) != len("2023-03-12T00:00:00Z") || !strings.HasSuffix(s, "T00:00:00Z") {
				t.Errorf("%s = %q", f, s)
			}
		}
		if m["fees"] != nil || m["metadata"] != nil {
			t.Errorf("fees/metadata %v %v", m["fees"], m["metadata"])
		}
		gross, _ := value.ParseMoney(m["gross_pay"].(string))
		taxes, _ := value.ParseMoney(m["taxes"].(string))
		deds, _ := value.ParseMoney(m["deductions"].(string))
		net, _ := value.ParseMoney(m["net_pay"].(string))
		if gross-taxes-deds != net {
			t.Errorf("net %v != %v - %v - %v", net, gross, taxes, deds)
		}
		var sum value.Money
		for _, l := range m["gross_pay_list"].([]any) {
			l := l.(map[string]any)
			a, _ := value.ParseMoney(l["amount"].(string))
			sum += a
			if (l["rate"] == nil) != (l["hours"] == nil) || (l["hours"] == nil) != (l["hours_ytd"] == nil) {
				t.Errorf("rate/hours/hours_ytd nullness differs: %v", l)
			}
			if s := l["start_date"].(string); len(s) != 10 {
				t.Errorf("gross pay line start_date %q is not a date", s)
			}
		}
		if sum != gross {
			t.Errorf("gross pay lines sum to %v, gross_pay %v", sum, gross)
		}
		for _, f := range m["filing_status"].([]any) {
			f := f.(map[string]any)
			if (f["type"] == "federal") != (f["location"] == nil) {
				t.Errorf("filing status location: %v", f)
			}
		}
	}
}

// TestPaystubJSON checks that the JSON copied from a paystub's stored
// rendering, completed with the row's fields, is the paystub that
// rendering its data gives, and that records without one still render.
func TestPaystubJSON(t *testing.T) {
	stubs := 0
	for _, r := range sandboxRecords(t, "test_1", "item_000000001") {
		if r.Kind != store.RecordPaystub {
			if _, err := payroll.PaystubJSON(r); err == nil {
				t.Errorf("PaystubJSON accepted a %s", r.Kind)
			}
			continue
		}
		stubs++
		if len(r.Rendered) == 0 {
			t.Fatalf("aggregation stored paystub %s without its rendering", r.ID)
		}
		p, err := payroll.RenderPaystub(r)
		if err != nil {
			t.Fatal(err)
		}
		want := jsonOf(t, p)
		r.UpdatedAt = r.UpdatedAt.Add(time.Hour) // the row's fields come from the row
		want["updated_at"] = r.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z")
		for name, rec := range map[string]store.AccountRecord{"stored": r, "rendered anew": withoutRendering(r)} {
			b, err := payroll.PaystubJSON(rec)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v in %s", name, err, b)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s paystub differs:\n got %v\nwant %v", name, got, want)
			}
		}
	}
	if stubs == 0 {
		t.Fatal("no paystubs")
	}
}

func withoutRendering(r store.AccountRecord) store.AccountRecord {
	r.Rendered = nil
	return r
}

func TestRenderDocumentAndFile(t *testing.T) {
	var docs int
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		for _, r := range sandboxRecords(t, login, "item_000000001") {
			if r.Kind != store.RecordPayrollDocument {
				continue
			}
			docs++
			d, err := payroll.RenderDocument(r, "https://verigate.example/partners/v2/payroll-documents/"+r.ID+"/file")
			if err != nil {
				t.Fatal(err)
			}
			m := jsonOf(t, d)
			if m["document_type"] != "W-2" || m["expiration_date"] != nil || jsonText(m["metadata"]) != "{}" || !strings.HasSuffix(m["available_date"].(string), "T00:00:00Z") {
				t.Errorf("document %v", m)
			}
			ocr := m["ocr_data"].(map[string]any)
			form := ocr["form"].(map[string]any)
			if ocr["form_type"] != "W-2" || ocr["year"] == "" || form["comp_1"] == nil || form["payer_tin"] == "" {
				t.Errorf("ocr_data %v", ocr)
			}
			if (login == "test_3") != (form["local_wages_18"] != nil) {
				t.Errorf("%s: local wages %v", login, form["local_wages_18"])
			}

			name, pdf, err := payroll.DocumentFile(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !strings.HasSuffix(name, ".pdf") {
				t.Fatalf("file %s does not look like a PDF: %q", name, pdf[:min(16, len(pdf))])
			}
			_, again, _ := payroll.DocumentFile(r)
			if !bytes.Equal(pdf, again) {
				t.Error("the same document gave different bytes")
			}
			if err := api.Validate(bytes.NewReader(pdf), nil); err != nil {
				t.Fatalf("pdfcpu rejects the file: %v", err)
			}
			text := pageText(t, pdf)
			var doc datasource.PayrollDocument
			json.Unmarshal(r.Data, &doc)
			for _, want := range []string{"Form W-2 Wage and Tax Statement", "Employer: " + doc.Employer, doc.W2.Wages.String(),
				doc.W2.EmployeeSSN, doc.W2.EmployerEIN} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: PDF text lacks %q", name, want)
				}
			}
		}
	}
	if docs == 0 {
		t.Fatal("the sandbox users have no W-2 as of 2025-05-30")
	}
}

var shownText = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)

// pageText returns the text shown on a one-page PDF's content stream.
func pageText(t *testing.T, pdf []byte) string {
	t.Helper()
	var content []byte
	err := api.ExtractContent(bytes.NewReader(pdf), nil, func(r io.Reader, page int) error {
		b, err := io.ReadAll(r)
		content = append(content, b...)
		return err
	}, nil)
	if err != nil {
		t.Fatalf("extract content: %v", err)
	}
	// The core fonts show literal strings: (text) Tj.
	var out strings.Builder
	for _, m := range shownText.FindAllStringSubmatch(string(content), -1) {
		out.WriteString(strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(m[1]))
		out.WriteString("\n")
	}
	return out.String()
}

// jsonText is v as compact JSON.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
