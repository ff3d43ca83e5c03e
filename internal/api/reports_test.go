package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/filestore"
	"verigate/internal/pdftest"
	"verigate/internal/report"
	"verigate/internal/store"
	"verigate/internal/value"
)

// TestPayrollReportEndToEnd connects test_1 through the connection flow,
// aggregates, and follows the completed verification's report URLs.
func TestPayrollReportEndToEnd(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	user := e.createUser(t, k, nil)
	v := e.ok(t, k, "POST", "/partners/v2/verifications", map[string]any{"user": user, "report": map[string]any{"type": "voie"},
		"loan": map[string]any{"number": "LN-77"}, "billing": map[string]any{"cost_center": "CC-9"}})
	id := v["id"].(string)
	acct := e.connectSandbox(t, k, id, "item_000000001")
	if got := e.status(t, k, id); got != "PROCESSING/authenticated" {
		t.Fatalf("after connecting: %s", got)
	}
	if n := e.aggregateAll(t); n != 1 {
		t.Fatalf("aggregated %d accounts, want 1", n)
	}
	done := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	if get(done, "status.state") != "COMPLETED" || get(done, "status.code") != "completed" {
		t.Fatalf("after aggregation: %v", done["status"])
	}
	reportID, _ := get(done, "report.id").(string)
	fileURL, _ := get(done, "report.file_url").(string)
	jsonURL, _ := get(done, "report.json_url").(string)
	if !uuidRE.MatchString(reportID) || fileURL != e.srv.URL+"/partners/v2/reports/"+reportID+"/pdf" || jsonURL != e.srv.URL+"/partners/v2/reports/"+reportID+"/json" {
		t.Fatalf("report %v", done["report"])
	}
	h, _ := e.app.Store.StatusHistory(ctx, id)
	if last := h[len(h)-1]; last.State != "COMPLETED" || last.Reason != "report generated" {
		t.Errorf("last history entry %+v", last)
	}

	// The JSON report: its totals are the sums of the stored paystubs.
	jr := e.raw(t, &k, "GET", jsonURL, nil, "")
	if jr.Status != 200 || jr.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("json report: %s", jr)
	}
	sum := sha256.Sum256(jr.Body)
	// Sent gzipped, the tag is weak (W/) but still names the body's digest.
	if etag := strings.TrimPrefix(jr.Header.Get("ETag"), "W/"); etag != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("ETag %s is not the body's sha256", etag)
	}
	var rep struct {
		Schema   string `json:"schema"`
		ID       string `json:"id"`
		Type     string `json:"type"`
		Loan     struct{ Number string }
		Identity struct {
			FullName string `json:"full_name"`
		}
		Employments []struct {
			ID       string
			Employer string
			Income   []struct {
				Year     int
				Gross    value.Money
				Paystubs int
			}
		}
		Income []struct {
			Year  int
			Gross value.Money
		}
	}
	if err := json.Unmarshal(jr.Body, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Schema != "verigate.report/v1" || rep.ID != reportID || rep.Type != "voie" || rep.Loan.Number != "LN-77" || rep.Identity.FullName != "Bob Jones" {
		t.Errorf("report head: %+v", rep)
	}
	stubs, err := e.app.Store.AccountRecords(ctx, acct.ID, store.RecordPaystub)
	if err != nil || len(stubs) == 0 {
		t.Fatalf("paystubs: %d %v", len(stubs), err)
	}
	byYear := map[int]value.Money{}
	byEmpYear := map[string]value.Money{}
	for _, r := range stubs {
		var p datasource.Paystub
		json.Unmarshal(r.Data, &p)
		byYear[p.PaystubDate.Year] += p.GrossPay
		byEmpYear[r.Employment+string(rune(p.PaystubDate.Year))] += p.GrossPay
	}
	if len(rep.Income) != 3 || rep.Income[0].Year != e.clock.Now().Year() {
		t.Fatalf("income years %+v", rep.Income)
	}
	for _, y := range rep.Income {
		if y.Gross != byYear[y.Year] {
			t.Errorf("%d: report gross %s, paystubs sum to %s", y.Year, y.Gross, byYear[y.Year])
		}
	}
	for _, emp := range rep.Employments {
		for _, y := range emp.Income {
			if y.Gross != byEmpYear[emp.ID+string(rune(y.Year))] {
				t.Errorf("%s %d: gross %s", emp.Employer, y.Year, y.Gross)
			}
		}
	}

	// The PDF is rendered at its first download, from the stored document,
	// then stored and recorded: the next download reads the same file.
	sc := store.Scope{PartnerID: k.Partner, Environment: k.Env}
	if rec, _ := e.app.Store.Report(ctx, sc, reportID); rec.PDFSHA256 != "" || rec.PDFSize != 0 {
		t.Errorf("PDF recorded before its first download: %q %d", rec.PDFSHA256, rec.PDFSize)
	} else if _, err := e.app.Reports.Files.Get(rec.PDFName); !errors.Is(err, filestore.ErrNotExist) {
		t.Errorf("PDF file before its first download: %v", err)
	}
	pr := e.raw(t, &k, "GET", fileURL, nil, "")
	if pr.Status != 200 || pr.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf report: %d %v", pr.Status, pr.Header)
	}
	rec, _ := e.app.Store.Report(ctx, sc, reportID)
	if sum := filestore.Checksum(pr.Body); rec.PDFSHA256 != sum || rec.PDFSize != int64(len(pr.Body)) || pr.Header.Get("ETag") != `"`+sum+`"` {
		t.Errorf("recorded PDF %q (%d bytes), ETag %s; served %s (%d bytes)", rec.PDFSHA256, rec.PDFSize, pr.Header.Get("ETag"), sum, len(pr.Body))
	}
	if stored, err := e.app.Reports.Files.Get(rec.PDFName); err != nil || string(stored) != string(pr.Body) {
		t.Errorf("stored PDF differs from the one served (%v)", err)
	}
	if again := e.raw(t, &k, "GET", fileURL, nil, ""); string(again.Body) != string(pr.Body) || again.Header.Get("ETag") != pr.Header.Get("ETag") {
		t.Error("a second download of the PDF differs")
	}
	doc, err := pdftest.Read(pr.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := doc.Text()
	for _, want := range []string{reportID, "Loan number: LN-77", rep.Employments[0].Employer, dollars(rep.Income[0].Gross), "Bob Jones", "CC-9"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}

	// Only the owning partner's keys download it.
	if r := e.raw(t, nil, "GET", fileURL, nil, ""); r.Status != http.StatusUnauthorized {
		t.Errorf("without credentials: %d", r.Status)
	}
	for _, other := range []key{e.B, e.AProd} {
		for _, u := range []string{fileURL, jsonURL} {
			if r := e.raw(t, &other, "GET", u, nil, ""); r.Status != http.StatusNotFound {
				t.Errorf("%s as another tenant: %d", u, r.Status)
			}
		}
	}
	for _, p := range []string{"/partners/v2/reports/" + reportID + "/xml", "/partners/v2/reports/nope/pdf", "/partners/v2/reports/" + unknownID + "/pdf"} {
		if r := e.raw(t, &k, "GET", p, nil, ""); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.Status)
		}
	}

	// The hook again (a crash after completion): nothing changes.
	before := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	acct, _ = e.app.Store.Account(ctx, acct.ID)
	if err := e.app.Verifs.AccountAggregated(ctx, acct, nil); err != nil {
		t.Fatal(err)
	}
	if after := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil); jsonString(after) != jsonString(before) {
		t.Errorf("a repeated hook changed the verification:\n%v\n%v", before, after)
	}
	if again := e.raw(t, &k, "GET", jsonURL, nil, ""); string(again.Body) != string(jr.Body) {
		t.Error("the report changed")
	}

	// A tampered file is refused, not served.
	for _, f := range []struct{ name, url string }{{rec.JSONName, jsonURL}, {rec.PDFName, fileURL}} {
		e.app.Reports.Files.Remove(f.name)
		e.app.Reports.Files.Put(f.name, []byte(`{"tampered":true}`))
		hr, _ := http.NewRequest("GET", f.url, nil)
		hr.SetBasicAuth(k.ID, k.Secret)
		if res, err := e.srv.Client().Do(hr); err != nil || res.StatusCode != http.StatusInternalServerError {
			t.Errorf("tampered %s served: %v %v", f.name, res.StatusCode, err)
		}
	}
}

// TestPayrollRefresh re-aggregates the connected account for refreshed
// verifications, without a session, and completes each with a new report.
func TestPayrollRefresh(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	user := e.createUser(t, k, nil)
	first := e.orderID(t, k, user, "voie")
	acct := e.connectSandbox(t, k, first, "item_000000003")
	e.aggregateAll(t)
	firstReport := get(e.ok(t, k, "GET", "/partners/v2/verifications/"+first, nil), "report.id")
	sessions := e.countRows(t, "connect_sessions")

	// Two weeks later a new paystub exists; two refreshes are ordered back to back.
	e.clock.Advance(14 * 24 * time.Hour)
	r1 := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "voie"}, "loan": map[string]any{"number": "R-1"}})
	r2 := e.ok(t, k, "POST", "/partners/v2/verifications/refresh", map[string]any{"user": user, "report": map[string]any{"type": "voe"}})
	for _, r := range []map[string]any{r1, r2} {
		if get(r, "status.state") != "PENDING" || get(r, "report.id") != nil {
			t.Errorf("refresh answered %v", r)
		}
	}
	if a, _ := e.app.Store.Account(ctx, acct.ID); a.Aggregation != store.AggregationPending || a.VerificationID != first {
		t.Errorf("account after refresh: aggregation %s, verification %s", a.Aggregation, a.VerificationID)
	}
	if n := e.aggregateAll(t); n != 1 {
		t.Errorf("aggregated %d times, want 1", n)
	}
	ids := map[any]bool{firstReport: true}
	for _, r := range []map[string]any{r1, r2} {
		id := r["id"].(string)
		got := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
		rid := get(got, "report.id")
		if get(got, "status.state") != "COMPLETED" || rid == nil || ids[rid] {
			t.Errorf("refreshed verification %s: %v %v", id, got["status"], got["report"])
		}
		ids[rid] = true
		h, _ := e.app.Store.StatusHistory(ctx, id)
		var steps []string
		for _, c := range h {
			steps = append(steps, c.State+"/"+c.Code)
		}
		if strings.Join(steps, " ") != "PENDING/pending PROCESSING/authenticated COMPLETED/completed" {
			t.Errorf("refresh history: %v", steps)
		}
	}
	if n := e.countRows(t, "connect_sessions"); n != sessions {
		t.Errorf("refresh created sessions: %d → %d", sessions, n)
	}
	if n := e.countRows(t, "account_refreshes"); n != 0 {
		t.Errorf("%d refreshes still waiting", n)
	}
	// The voie refresh reports data up to the new date: more paystubs than the first report.
	count := func(reportID any) int {
		r := e.raw(t, &k, "GET", "/partners/v2/reports/"+reportID.(string)+"/json", nil, "")
		var rep struct {
			Income []struct{ Paystubs int }
		}
		json.Unmarshal(r.Body, &rep)
		n := 0
		for _, y := range rep.Income {
			n += y.Paystubs
		}
		return n
	}
	newReport := get(e.ok(t, k, "GET", "/partners/v2/verifications/"+r1["id"].(string), nil), "report.id")
	if a, b := count(firstReport), count(newReport); b < a {
		t.Errorf("refreshed report counts %d paystubs, the first %d", b, a)
	}
	// The first verification kept its report.
	if got := get(e.ok(t, k, "GET", "/partners/v2/verifications/"+first, nil), "report.id"); got != firstReport {
		t.Errorf("first verification's report changed to %v", got)
	}
}

func (e *env) countRows(t testing.TB, table string) int {
	t.Helper()
	db := e.db(t)
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dollars formats money as the PDFs print it: "$1,607.63".
func dollars(m value.Money) string {
	whole, frac, _ := strings.Cut(m.String(), ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return "$" + b.String() + "." + frac
}

// TestAggregatedReportIsTheStoredRecordsReport aggregates test_3 (three
// years of weekly paystubs, two jobs) with the worker, whose report is
// built from the records it hands over, and rebuilds the report from the
// records read back from the database: the JSON and the PDF are the same.
func TestAggregatedReportIsTheStoredRecordsReport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	user := e.createUser(t, e.A, nil)
	id := e.orderID(t, e.A, user, "voie")
	e.connectSandboxAs(t, e.A, id, "item_000000001", "test_3", "8083")
	if n := e.aggregateAll(t); n != 1 {
		t.Fatalf("aggregated %d accounts, want 1", n)
	}
	rec, err := e.app.Store.ReportOfVerification(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.app.Store.Verification(ctx, store.Scope{PartnerID: e.A.Partner, Environment: e.A.Env}, id)
	if err != nil {
		t.Fatal(err)
	}
	sources, err := e.app.Reports.Sources(ctx, user, "voie")
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 1 || len(sources[0].Paystubs) < 100 || sources[0].Paystubs[0].Decoded != nil {
		t.Fatalf("stored sources: %d accounts", len(sources))
	}
	rebuilt, err := report.BuildPayroll(rec.ID, rec.CreatedAt, v, sources)
	if err != nil {
		t.Fatal(err)
	}
	storedJSON, err := e.app.Reports.Files.Get(rec.JSONName)
	if err != nil {
		t.Fatal(err)
	}
	var stored report.Report
	if err := json.Unmarshal(storedJSON, &stored); err != nil {
		t.Fatal(err)
	}
	rebuilt.IdentityCheck = stored.IdentityCheck // the user's profile against the identity: not the records'
	js, err := report.JSON(rebuilt)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != string(storedJSON) {
		t.Error("the report rebuilt from the stored records differs from the aggregation's")
	}
	pdf, err := report.PDF(rebuilt)
	if err != nil {
		t.Fatal(err)
	}
	// The PDF served, rendered from the stored document at its first
	// download, is the one the rebuilt report renders.
	served, _, err := e.app.Reports.Open(ctx, store.Scope{PartnerID: e.A.Partner, Environment: e.A.Env}, rec.ID, report.FormatPDF)
	if err != nil || string(pdf) != string(served) {
		t.Errorf("the PDF rebuilt from the stored records differs from the one served (%v)", err)
	}
}

// TestPDFFirstDownloadsAtOnce: several first downloads of a report's PDF
// at the same time all get the same file, which is the one stored and
// recorded.
func TestPDFFirstDownloadsAtOnce(t *testing.T) {
	e := newEnv(t)
	k := e.A
	ctx := context.Background()
	id := e.orderID(t, k, e.createUser(t, k, nil), "voie")
	e.connectSandbox(t, k, id, "item_000000001")
	if n := e.aggregateAll(t); n != 1 {
		t.Fatalf("aggregated %d accounts, want 1", n)
	}
	done := e.ok(t, k, "GET", "/partners/v2/verifications/"+id, nil)
	reportID, _ := get(done, "report.id").(string)
	fileURL, _ := get(done, "report.file_url").(string)
	const n = 6
	bodies := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			hr, _ := http.NewRequest("GET", fileURL, nil)
			hr.SetBasicAuth(k.ID, k.Secret)
			res, err := e.srv.Client().Do(hr)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				errs[i] = fmt.Errorf("status %d", res.StatusCode)
				return
			}
			bodies[i], errs[i] = io.ReadAll(res.Body)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("download %d: %v", i, errs[i])
		}
		if string(bodies[i]) != string(bodies[0]) || len(bodies[i]) == 0 {
			t.Fatalf("download %d differs from the first (%d and %d bytes)", i, len(bodies[i]), len(bodies[0]))
		}
	}
	rec, err := e.app.Store.Report(ctx, store.Scope{PartnerID: k.Partner, Environment: k.Env}, reportID)
	if err != nil || rec.PDFSHA256 != filestore.Checksum(bodies[0]) || rec.PDFSize != int64(len(bodies[0])) {
		t.Errorf("recorded %q (%d bytes), err %v", rec.PDFSHA256, rec.PDFSize, err)
	}
	if stored, err := e.app.Reports.Files.Get(rec.PDFName); err != nil || string(stored) != string(bodies[0]) {
		t.Errorf("stored PDF differs from the downloads (%v)", err)
	}
}
