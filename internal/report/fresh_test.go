package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"verigate/internal/filestore"
	"verigate/internal/report"
	"verigate/internal/store"
	"verigate/internal/verification"
)

// withoutDecoded copies records, dropping the paystubs' decoded values, as
// records read back from a store are.
func withoutDecoded(records []store.AccountRecord) []store.AccountRecord {
	out := make([]store.AccountRecord, len(records))
	for i, r := range records {
		r.Decoded = nil
		out[i] = r
	}
	return out
}

// A paystub record's decoded value, which aggregation keeps on the records
// it makes, gives the report its JSON gives: same JSON, same PDF.
func TestDecodedPaystubsBuildTheSameReport(t *testing.T) {
	for _, login := range []string{"test_1", "test_2", "test_3"} {
		t.Run(login, func(t *testing.T) {
			_, data := source(t, login)
			src := aggregatedSource(t, login, data)
			decoded := 0
			for _, p := range src.Paystubs {
				if p.Decoded != nil {
					decoded++
				}
			}
			if decoded == 0 || decoded != len(src.Paystubs) {
				t.Fatalf("%d of %d paystubs carry their decoded value", decoded, len(src.Paystubs))
			}
			stored := src
			stored.Paystubs = withoutDecoded(src.Paystubs)
			v := testVerification("voie")
			var out [2][2][]byte
			for i, s := range []report.PayrollSource{src, stored} {
				r, err := report.BuildPayroll(reportID, genAt, v, []report.PayrollSource{s})
				if err != nil {
					t.Fatal(err)
				}
				if out[i][0], err = report.JSON(r); err != nil {
					t.Fatal(err)
				}
				if out[i][1], err = report.PDF(r); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(out[0][0], out[1][0]) {
				t.Error("the report's JSON differs")
			}
			if !bytes.Equal(out[0][1], out[1][1]) {
				t.Error("the report's PDF differs")
			}
		})
	}
}

// recordStore is the storage of one user with one aggregated payroll
// account, counting the reads of the account's paystubs.
type recordStore struct {
	report.Store
	account       store.Account
	records       []store.AccountRecord
	paystubReads  int
	createdReport store.Report
}

func (s *recordStore) ReportOfVerification(ctx context.Context, id string) (store.Report, error) {
	if s.createdReport.VerificationID == id {
		return s.createdReport, nil
	}
	return store.Report{}, store.ErrNotFound
}

func (s *recordStore) CreateReport(ctx context.Context, r store.Report) error {
	s.createdReport = r
	return nil
}

func (s *recordStore) AccountsOfUser(ctx context.Context, userID, dataSource string) ([]store.Account, error) {
	return []store.Account{s.account}, nil
}

func (s *recordStore) AccountRecords(ctx context.Context, accountID, kind string) ([]store.AccountRecord, error) {
	if kind == store.RecordPaystub {
		s.paystubReads++
	}
	var out []store.AccountRecord
	for _, r := range withoutDecoded(s.records) {
		if r.AccountID == accountID && r.Kind == kind {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *recordStore) CountAccountRecords(ctx context.Context, accountID string) (map[string]int, error) {
	count := map[string]int{}
	for _, r := range s.records {
		count[r.Kind]++
	}
	return count, nil
}

func (s *recordStore) User(ctx context.Context, sc store.Scope, id string) (store.User, error) {
	return store.User{ID: id}, nil
}

// paystubsCounted is how many paystubs a report's income counts.
func paystubsCounted(t *testing.T, js []byte) int {
	t.Helper()
	var r struct {
		Income []struct {
			Paystubs int `json:"paystubs"`
		} `json:"income"`
	}
	if err := json.Unmarshal(js, &r); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, y := range r.Income {
		n += y.Paystubs
	}
	return n
}

// Generate builds a payroll report from the records the aggregation that
// completes the verification stored only while they are all the
// account's records and the account is as that aggregation saved it;
// otherwise it reads the stored ones, and the report shows them.
func TestGenerateUsesTheAggregatedRecordsOnlyWhileStored(t *testing.T) {
	_, data := source(t, "test_3")
	src := aggregatedSource(t, "test_3", data)
	fresh := append(append(append([]store.AccountRecord{}, src.Identity...), src.Employments...), src.Paystubs...)
	src.Account.Version = 7
	// A paystub stored by an earlier aggregation that this one did not
	// return is still one of the account's records.
	older := src.Paystubs[len(src.Paystubs)-1]
	older.ID, older.SourceID, older.Decoded = "01970000-0000-7000-8000-0000000000ff", "older", nil
	for _, c := range []struct {
		name       string
		stored     []store.AccountRecord
		version    int64
		aggregated bool
		wantReads  int
		wantOlder  bool
	}{
		{name: "the aggregation's records", stored: fresh, version: 7, aggregated: true},
		{name: "no aggregation at hand", stored: fresh, version: 7, wantReads: 1},
		{name: "account changed since", stored: fresh, version: 8, aggregated: true, wantReads: 1},
		{name: "more records stored", stored: append(fresh[:len(fresh):len(fresh)], older), version: 7, aggregated: true, wantReads: 1, wantOlder: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := &recordStore{account: src.Account, records: c.stored}
			st.account.Version = c.version
			files := &filestore.Mem{}
			svc := &report.Service{Store: st, Files: files, Now: func() time.Time { return genAt }}
			var from verification.Aggregated
			if c.aggregated {
				from = verification.Aggregated{Account: src.Account, Records: fresh}
			}
			ref, err := svc.Generate(context.Background(), testVerification("voie"), from)
			if err != nil {
				t.Fatal(err)
			}
			if st.paystubReads != c.wantReads {
				t.Errorf("paystubs read from the store %d times, want %d", st.paystubReads, c.wantReads)
			}
			js, err := files.Get(ref.ID + ".json")
			if err != nil {
				t.Fatal(err)
			}
			want := len(src.Paystubs)
			if c.wantOlder {
				want++
			}
			if got := paystubsCounted(t, js); got != want {
				t.Errorf("the report counts %d paystubs, want %d", got, want)
			}
		})
	}
}
