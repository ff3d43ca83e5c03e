package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/payrollsandbox"
	"verigate/internal/pdftest"
	"verigate/internal/report"
	"verigate/internal/store"
	"verigate/internal/value"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The fixed clock and ids of the golden reports.
var (
	genAt    = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	scanned  = time.Date(2025, 6, 1, 11, 58, 30, 0, time.UTC)
	asOf     = value.NewDate(2025, time.June, 1)
	reportID = "01970000-0000-7000-8000-00000000a001"
)

// item_000000001 is odd-numbered: test_3 (Joe) has his second, ended job there.
const item = "item_000000001"

// source aggregates a sandbox user as the worker would and returns the account's records.
func source(t testing.TB, login string) (report.PayrollSource, datasource.Data) {
	t.Helper()
	data, err := payrollsandbox.DataFor(login, item, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return sourceOf(t, login, data), data
}

// sourceOf is the stored account and records of a sandbox login's data.
func sourceOf(t testing.TB, login string, data datasource.Data) report.PayrollSource {
	t.Helper()
	src := aggregatedSource(t, login, data)
	src.Paystubs = withoutDecoded(src.Paystubs)
	return src
}

// aggregatedSource is the account and records of a sandbox login's data as
// aggregation makes them: the paystubs carry their decoded values.
func aggregatedSource(t testing.TB, login string, data datasource.Data) report.PayrollSource {
	t.Helper()
	at := scanned
	a := store.Account{ID: "01970000-0000-7000-8000-0000000000" + fmt.Sprintf("%02d", len(login)+int(login[len(login)-1]-'0')),
		PartnerID: "01970000-0000-7000-8000-00000000e001", Environment: store.Sandbox, UserID: "01970000-0000-7000-8000-00000000f001",
		DataSource: "payroll", Item: item, Source: payrollsandbox.Source, ConnectionStatus: "connected",
		Aggregation: store.AggregationDone, ScannedAt: &at, CreatedAt: at, UpdatedAt: at}
	recs, err := aggregate.Records(a, data, at)
	if err != nil {
		t.Fatal(err)
	}
	return report.NewPayrollSource(a, recs)
}

func testVerification(reportType string) store.Verification {
	return store.Verification{ID: "01970000-0000-7000-8000-00000000d001", PartnerID: "01970000-0000-7000-8000-00000000e001",
		Environment: store.Sandbox, ClientID: "01970000-0000-7000-8000-00000000c001", UserID: "01970000-0000-7000-8000-00000000f001",
		Channel: "api", DataSource: "payroll", ReportType: reportType, State: "PROCESSING", Code: "authenticated",
		Loan: json.RawMessage(`{"number":"LN-1001","application_id":"APP-7"}`), Billing: json.RawMessage(`{"cost_center":"CC-42"}`)}
}

func build(t testing.TB, login, reportType string) (*report.Report, datasource.Data) {
	t.Helper()
	src, data := source(t, login)
	r, err := report.BuildPayroll(reportID, genAt, testVerification(reportType), []report.PayrollSource{src})
	if err != nil {
		t.Fatal(err)
	}
	return r, data
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < min(len(gl), len(wl)); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run with -update if the change is intended)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

func TestGoldenReports(t *testing.T) {
	for _, c := range []struct{ login, typ string }{
		{"test_1", "voie"}, {"test_2", "voie"}, {"test_3", "voie"}, {"test_1", "voe"},
	} {
		t.Run(c.login+"_"+c.typ, func(t *testing.T) {
			r, _ := build(t, c.login, c.typ)
			b, err := report.JSON(r)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.typ+"_"+c.login+".json", b)
			// Generation is deterministic: the same input gives the same bytes.
			again, _ := build(t, c.login, c.typ)
			b2, _ := report.JSON(again)
			if !bytes.Equal(b, b2) {
				t.Error("two builds of the same input differ")
			}
		})
	}
}

// TestIncomeArithmetic recomputes every income figure from the connector's
// paystubs, independently of the report code.
func TestIncomeArithmetic(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		t.Run(login, func(t *testing.T) {
			r, data := build(t, login, "voie")
			if len(r.Employments) != len(data.Employments) {
				t.Fatalf("%d employments, want %d", len(r.Employments), len(data.Employments))
			}
			type key struct {
				emp  string
				year int
			}
			gross, net, base := map[key]value.Money{}, map[key]value.Money{}, map[key]value.Money{}
			count := map[key]int{}
			lastYTD := map[key]value.Money{}
			for _, p := range data.Paystubs {
				k := key{p.Employment, p.PaystubDate.Year}
				gross[k] += p.GrossPay
				net[k] += p.NetPay
				count[k]++
				lastYTD[k] = p.GrossPayYTD // oldest first: the last one wins
				for _, l := range p.GrossPayList {
					if l.Type == datasource.GrossBase {
						base[k] += l.Amount
					}
				}
			}
			srcIDs := map[string]string{} // report employment id → connector id
			for _, e := range data.Employments {
				srcIDs[aggregate.RecordID(store.Account{ID: r.Accounts[0].ID}, store.RecordEmployment, e.ID)] = e.ID
			}
			totals := map[int]value.Money{}
			for _, e := range r.Employments {
				src := srcIDs[e.ID]
				if len(e.Income) != report.IncomeYears || e.Income[0].Year != 2025 || !e.Income[0].YearToDate || e.Income[2].Year != 2023 {
					t.Fatalf("%s: income years %+v", e.Employer, e.Income)
				}
				for _, y := range e.Income {
					k := key{src, y.Year}
					if y.Gross != gross[k] || y.Net != net[k] || y.Base != base[k] || y.Paystubs != count[k] {
						t.Errorf("%s %d: gross %s net %s base %s n %d; paystubs sum to %s, %s, %s, %d",
							e.Employer, y.Year, y.Gross, y.Net, y.Base, y.Paystubs, gross[k], net[k], base[k], count[k])
					}
					if y.Base+y.Overtime+y.Bonus+y.Commission+y.Other != y.Gross {
						t.Errorf("%s %d: categories do not add up to gross %s", e.Employer, y.Year, y.Gross)
					}
					if count[k] > 0 && (y.PayrollYTDGross == nil || *y.PayrollYTDGross != lastYTD[k]) {
						t.Errorf("%s %d: payroll YTD %v, the year's last paystub says %s", e.Employer, y.Year, y.PayrollYTDGross, lastYTD[k])
					}
					// The sandbox's YTD counts from the start of its history, so every year's sums equal it;
					// the oldest year starts with the 24 months (June 2023), after the job did: it is partial.
					if count[k] > 0 && *y.PayrollYTDGross != y.Gross {
						t.Errorf("%s %d: paystubs sum to %s but the payroll's YTD is %s", e.Employer, y.Year, y.Gross, lastYTD[k])
					}
					if wantPartial := y.Year == 2023 && count[k] > 0; y.Partial != wantPartial || y.Complete != (count[k] > 0 && !wantPartial) {
						t.Errorf("%s %d: partial %v complete %v, want partial %v", e.Employer, y.Year, y.Partial, y.Complete, wantPartial)
					}
					if y.Year == 2023 && count[k] > 0 && !y.From.After(value.NewDate(2023, time.June, 1)) {
						t.Errorf("%s 2023 counted from %s, but the aggregated paystubs start after 2023-06-01", e.Employer, y.From)
					}
					totals[y.Year] += y.Gross
				}
				if n := len(e.RecentPaystubs); n == 0 || n > report.RecentPaystubs {
					t.Errorf("%s: %d recent paystubs", e.Employer, n)
				}
				for i := 1; i < len(e.RecentPaystubs); i++ {
					if e.RecentPaystubs[i].PaystubDate.After(e.RecentPaystubs[i-1].PaystubDate) {
						t.Errorf("%s: recent paystubs not newest first", e.Employer)
					}
				}
			}
			for _, y := range r.Income {
				if y.Gross != totals[y.Year] {
					t.Errorf("summary %d: gross %s, employments sum to %s", y.Year, y.Gross, totals[y.Year])
				}
			}
			// The JSON carries money as decimal strings.
			b, _ := report.JSON(r)
			var generic map[string]any
			json.Unmarshal(b, &generic)
			g := generic["income"].([]any)[0].(map[string]any)["gross"]
			if s, ok := g.(string); !ok || s != r.Income[0].Gross.String() || !strings.Contains(s, ".") {
				t.Errorf("income gross in JSON = %#v", g)
			}
		})
	}
}

func TestVOEHasNoIncome(t *testing.T) {
	r, _ := build(t, "test_3", "voe")
	b, _ := report.JSON(r)
	for _, field := range []string{`"income"`, `"recent_paystubs"`, `"gross"`} {
		if bytes.Contains(b, []byte(field)) {
			t.Errorf("voe report has %s", field)
		}
	}
	if len(r.Employments) != 2 || r.Identity == nil || r.DataAsOf == nil {
		t.Errorf("voe report misses employment data: %s", b)
	}
}

func TestPDF(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		t.Run(login, func(t *testing.T) {
			r, data := build(t, login, "voie")
			r.CustomFields = append(r.CustomFields, struct {
				Label string `json:"label"`
				Value string `json:"value"`
				Shown bool   `json:"shown"`
			}{"Branch", "Zürich – Nord", true})
			b, err := report.PDF(r)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := pdftest.Read(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Pages) < 2 {
				t.Errorf("%d pages; a voie report with paystubs spans several", len(doc.Pages))
			}
			text := doc.Text()
			want := []string{reportID, "Generated: 2025-06-01 12:00:00 UTC", "Loan number: LN-1001", "Branch: Zürich – Nord",
				data.Identity.FullName, report.FormatMoney(r.Income[0].Gross), report.FormatMoney(r.Income[1].Gross)}
			for _, e := range data.Employments {
				want = append(want, e.Employer)
			}
			for _, e := range r.Employments {
				want = append(want, report.FormatMoney(e.Income[0].Gross), report.FormatMoney(e.RecentPaystubs[0].NetPay))
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("PDF text lacks %q", w)
				}
			}
			for i, p := range doc.Pages {
				if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(doc.Pages))) {
					t.Errorf("page %d has no page number", i+1)
				}
				if !strings.Contains(p, reportID) {
					t.Errorf("page %d has no header with the report id", i+1)
				}
			}
		})
	}
}

// BenchmarkGenerate builds and renders (JSON and PDF) a voie report for a
// user with 24 months of biweekly paystubs (test_1, 53 paystubs), whole and
// step by step.
func BenchmarkGenerate(b *testing.B) {
	src, data := source(b, "test_1")
	if data.Employments[0].PayCycle != datasource.PayBiweekly || len(data.Paystubs) < 52 {
		b.Fatalf("test_1 has %d %s paystubs", len(data.Paystubs), data.Employments[0].PayCycle)
	}
	v := testVerification("voie")
	sources := []report.PayrollSource{src}
	benchmarkReport(b, func() (*report.Report, error) { return report.BuildPayroll(reportID, genAt, v, sources) })
}

// BenchmarkGenerateThreeYears builds a voie report over three years of
// test_1's biweekly paystubs: the sandbox's two-year window as of asOf
// and as of a year earlier, each paystub once.
func BenchmarkGenerateThreeYears(b *testing.B) {
	data, err := payrollsandbox.DataFor("test_1", item, asOf)
	if err != nil {
		b.Fatal(err)
	}
	early, err := payrollsandbox.DataFor("test_1", item, asOf.AddDate(0, -12, 0))
	if err != nil {
		b.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range data.Paystubs {
		seen[p.ID] = true
	}
	for _, p := range early.Paystubs {
		if !seen[p.ID] {
			data.Paystubs = append(data.Paystubs, p)
		}
	}
	if len(data.Paystubs) < 78 {
		b.Fatalf("%d paystubs, want three years of biweekly ones", len(data.Paystubs))
	}
	sources := []report.PayrollSource{sourceOf(b, "test_1", data)}
	v := testVerification("voie")
	built, err := report.BuildPayroll(reportID, genAt, v, sources)
	if err != nil {
		b.Fatal(err)
	}
	pdf, err := report.PDF(built)
	if err != nil {
		b.Fatal(err)
	}
	doc, err := pdftest.Read(pdf)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d paystubs; PDF %d bytes, %d pages", len(data.Paystubs), len(pdf), len(doc.Pages))
	benchmarkReport(b, func() (*report.Report, error) { return report.BuildPayroll(reportID, genAt, v, sources) })
}

func TestMoneyFormat(t *testing.T) {
	for m, want := range map[value.Money]string{0: "$0.00", 5: "$0.05", 160763: "$1,607.63", 123456789: "$1,234,567.89", -510: "-$5.10", 99999: "$999.99"} {
		if got := report.FormatMoney(m); got != want {
			t.Errorf("%d: %s, want %s", m, got, want)
		}
	}
}

// benchmarkReport measures building a report with build, then rendering it
// as JSON and as PDF, each alone and all together.
func benchmarkReport(b *testing.B, build func() (*report.Report, error)) {
	built, err := build()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := build()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := report.JSON(r); err != nil {
				b.Fatal(err)
			}
			if _, err := report.PDF(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			build()
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			report.JSON(built)
		}
	})
	b.Run("pdf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			report.PDF(built)
		}
	})
}

// TestPDFFromStoredDocument: a report's PDF is rendered at its first
// download from the stored JSON document, so the document must carry
// everything the PDF shows: the PDF of the document read back is the PDF
// of the report built in memory, for every payroll and banking report.
func TestPDFFromStoredDocument(t *testing.T) {
	var reports []*report.Report
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		for _, typ := range []string{"voie", "voe"} {
			r, _ := build(t, login, typ)
			reports = append(reports, r)
		}
		for _, typ := range bankTypes {
			r, _, _ := buildBank(t, login, typ, goldenConfig)
			reports = append(reports, r)
		}
	}
	for _, r := range reports {
		t.Run(r.Type+"_"+r.User, func(t *testing.T) {
			js, err := report.JSON(r)
			if err != nil {
				t.Fatal(err)
			}
			var read report.Report
			if err := json.Unmarshal(js, &read); err != nil {
				t.Fatal(err)
			}
			want, err := report.PDF(r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := report.PDF(&read)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the PDF of the stored document differs from the built report's (%d and %d bytes)", len(got), len(want))
			}
		})
	}
}
