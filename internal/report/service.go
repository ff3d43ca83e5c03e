package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/filestore"
	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/verification"
)

// Formats a report is downloaded in.
const (
	FormatPDF  = "pdf"
	FormatJSON = "json"
)

// Store is the storage reports need.
type Store interface {
	CreateReport(ctx context.Context, r store.Report) error
	Report(ctx context.Context, s store.Scope, id string) (store.Report, error)
	ReportOfVerification(ctx context.Context, verificationID string) (store.Report, error)
	AccountsOfUser(ctx context.Context, userID, dataSource string) ([]store.Account, error)
	AccountRecords(ctx context.Context, accountID, kind string) ([]store.AccountRecord, error)
	// CountAccountRecords returns how many records of each kind an account has.
	CountAccountRecords(ctx context.Context, accountID string) (map[string]int, error)
	// SetReportPDF records a report's PDF, rendered after it was stored.
	SetReportPDF(ctx context.Context, id, sha256 string, size int64) error
	ListVerifications(ctx context.Context, s store.Scope, f store.VerificationFilter, p store.Page) ([]store.Verification, error)
	User(ctx context.Context, s store.Scope, id string) (store.User, error)
	Client(ctx context.Context, id string) (store.Client, error)

	CreateUserReport(ctx context.Context, r store.UserReport) error
	UserReport(ctx context.Context, s store.Scope, id string) (store.UserReport, error)
	ListUserReports(ctx context.Context, s store.Scope, userID string, p store.Page) ([]store.UserReport, error)
	CountUserReportsSince(ctx context.Context, userID string, since time.Time) (int, error)
	DeleteUserReport(ctx context.Context, s store.Scope, id string) error
	// SetUserReportPDF records a user report's PDF, rendered after it was stored.
	SetUserReportPDF(ctx context.Context, id, sha256 string, size int64) error
	// InTx runs fn in one transaction that every call with fn's context joins.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service generates, stores and serves reports.
type Service struct {
	Store Store
	// Files keeps the report files.
	Files filestore.Files
	// PublicURL is the base of report URLs, without a trailing slash.
	PublicURL string
	Now       func() time.Time
	Log       *slog.Logger
	// Connectors name the institutions of banking reports: the bank
	// connector of the account's environment; without one, reports show
	// only institution ids.
	Connectors datasource.Registry
	// UserReportGenerated, when set, is called in the transaction that
	// stores a /v2 report (it records the reports.generated webhook event);
	// Notify, when set, after that transaction commits.
	UserReportGenerated func(ctx context.Context, r store.UserReport) error
	Notify              func()
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Ref returns a stored report's id and its download URLs on the Partners v2
// API, as verifications record them.
func (s *Service) Ref(r store.Report) verification.ReportRef {
	return s.RefOn(r.ID, "/partners/v2")
}

// RefOn returns a report's id and its download URLs under a surface's
// prefix ("/partners/v2", "/v2"): a report is downloaded on the surface it
// was asked for on.
func (s *Service) RefOn(id, prefix string) verification.ReportRef {
	base := s.PublicURL + prefix + "/reports/" + id
	return verification.ReportRef{ID: id, FileURL: base + "/" + FormatPDF, JSONURL: base + "/" + FormatJSON}
}

// save generates and stores the report of v, once: a verification that
// has a report already gets that one back, even from a concurrent call.
func (s *Service) save(ctx context.Context, v store.Verification, build func(id string, at time.Time) (*Report, error)) (store.Report, error) {
	if existing, err := s.Store.ReportOfVerification(ctx, v.ID); err == nil {
		return existing, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Report{}, err
	}
	id, at := store.NewID(), s.now()
	r, err := build(id, at)
	if err != nil {
		return store.Report{}, err
	}
	js, err := JSON(r)
	if err != nil {
		return store.Report{}, err
	}
	// The PDF is rendered from this document at its first download (renderPDF).
	rec := store.Report{ID: id, PartnerID: v.PartnerID, Environment: v.Environment, VerificationID: v.ID, UserID: v.UserID,
		Type: v.ReportType, Schema: Schema, PDFName: id + ".pdf",
		JSONName: id + ".json", JSONSHA256: filestore.Checksum(js), JSONSize: int64(len(js)), CreatedAt: at}
	if err := s.Files.Put(rec.JSONName, js); err != nil {
		return store.Report{}, err
	}
	if err := s.Store.CreateReport(ctx, rec); errors.Is(err, store.ErrDuplicate) {
		// Another worker stored this verification's report first: use
		// that one and drop the file no row refers to.
		s.Files.Remove(rec.JSONName)
		return s.Store.ReportOfVerification(ctx, v.ID)
	} else if err != nil {
		return store.Report{}, err
	}
	s.log().Info("report generated", "report", id, "verification", v.ID, "type", v.ReportType, "json_bytes", len(js))
	return rec, nil
}

// Sources loads the user's aggregated payroll accounts for a report of reportType.
func (s *Service) Sources(ctx context.Context, userID, reportType string) ([]PayrollSource, error) {
	return s.sources(ctx, userID, reportType, verification.Aggregated{})
}

// sources is Sources that takes the records of from's account from from
// while they are the ones stored.
func (s *Service) sources(ctx context.Context, userID, reportType string, from verification.Aggregated) ([]PayrollSource, error) {
	accts, err := s.Store.AccountsOfUser(ctx, userID, verification.Payroll)
	if err != nil {
		return nil, err
	}
	var out []PayrollSource
	for _, a := range accts {
		if a.Aggregation != store.AggregationDone || a.ScannedAt == nil {
			continue
		}
		if src, ok, err := s.freshSource(ctx, a, from); err != nil {
			return nil, err
		} else if ok {
			out = append(out, src)
			continue
		}
		src := PayrollSource{Account: a}
		if src.Identity, err = s.Store.AccountRecords(ctx, a.ID, store.RecordIdentity); err != nil {
			return nil, err
		}
		if src.Employments, err = s.Store.AccountRecords(ctx, a.ID, store.RecordEmployment); err != nil {
			return nil, err
		}
		if reportType == "voie" {
			if src.Paystubs, err = s.Store.AccountRecords(ctx, a.ID, store.RecordPaystub); err != nil {
				return nil, err
			}
		}
		out = append(out, src)
	}
	return out, nil
}

// NewPayrollSource sorts an account's identity, employment and paystub
// records into a PayrollSource, leaving records of other kinds out.
func NewPayrollSource(a store.Account, records []store.AccountRecord) PayrollSource {
	src := PayrollSource{Account: a}
	for _, r := range records {
		switch r.Kind {
		case store.RecordIdentity:
			src.Identity = append(src.Identity, r)
		case store.RecordEmployment:
			src.Employments = append(src.Employments, r)
		case store.RecordPaystub:
			src.Paystubs = append(src.Paystubs, r)
		}
	}
	return src
}

// freshSource is account a's source made of the records from holds, when
// from is a's aggregation and a's stored records are still exactly those:
// the account unchanged since (same version), and as many identities,
// employments and paystubs stored as from has (their ids are derived
// from the account and the source's ids, and from stored them all).
func (s *Service) freshSource(ctx context.Context, a store.Account, from verification.Aggregated) (PayrollSource, bool, error) {
	if from.Records == nil || from.Account.ID != a.ID || from.Account.Version != a.Version {
		return PayrollSource{}, false, nil
	}
	src := NewPayrollSource(a, from.Records)
	stored, err := s.Store.CountAccountRecords(ctx, a.ID)
	if err != nil {
		return PayrollSource{}, false, err
	}
	if stored[store.RecordIdentity] != len(src.Identity) || stored[store.RecordEmployment] != len(src.Employments) ||
		stored[store.RecordPaystub] != len(src.Paystubs) {
		return PayrollSource{}, false, nil
	}
	return src, true, nil
}

// Payroll generates (once) the report of a payroll verification from the
// user's aggregated payroll accounts, taking the records of from's account
// from from while they are the ones stored.
func (s *Service) Payroll(ctx context.Context, v store.Verification, from verification.Aggregated) (store.Report, error) {
	return s.save(ctx, v, func(id string, at time.Time) (*Report, error) {
		sources, err := s.sources(ctx, v.UserID, v.ReportType, from)
		if err != nil {
			return nil, err
		}
		r, err := BuildPayroll(id, at, v, sources)
		if err != nil {
			return nil, err
		}
		return r, s.relate(ctx, v, r)
	})
}

// relate fills what a report says about other records: how the connected
// identity compares with the user the verification was ordered for and,
// for a voe, the voie it builds on.
func (s *Service) relate(ctx context.Context, v store.Verification, r *Report) error {
	u, err := s.Store.User(ctx, store.Scope{PartnerID: v.PartnerID, Environment: v.Environment}, v.UserID)
	if err != nil {
		return fmt.Errorf("report: user %s: %w", v.UserID, err)
	}
	ordered, err := OrderedFromProfile(u.Profile)
	if err != nil {
		return err
	}
	r.IdentityCheck = CheckIdentity(ordered, r.Identity)
	if v.ReportType == "voe" {
		r.BuildsOn, err = s.voieBefore(ctx, v)
	}
	return err
}

// voieBefore names the newest completed voie of v's user ordered before v, or nil.
func (s *Service) voieBefore(ctx context.Context, v store.Verification) (*BuildsOn, error) {
	sc := store.Scope{PartnerID: v.PartnerID, Environment: v.Environment}
	page := store.Page{Limit: 50}
	for {
		list, err := s.Store.ListVerifications(ctx, sc, store.VerificationFilter{UserID: v.UserID, ReportType: "voie",
			State: verification.StateCompleted}, page)
		if err != nil {
			return nil, err
		}
		for _, o := range list { // newest first
			if o.ID == v.ID || !o.CreatedAt.Before(v.CreatedAt) {
				continue
			}
			rep, err := s.Store.ReportOfVerification(ctx, o.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			return &BuildsOn{Type: o.ReportType, Verification: o.ID, Report: rep.ID, ReferenceNumber: Reference(rep.ID),
				GeneratedAt: rep.CreatedAt.UTC().Format(partner.TimeFormat)}, nil
		}
		if len(list) < page.Limit {
			return nil, nil
		}
		page.After = list[len(list)-1].ID
	}
}

// BankSources loads the user's aggregated banking accounts.
func (s *Service) BankSources(ctx context.Context, userID string) ([]BankSource, error) {
	accts, err := s.Store.AccountsOfUser(ctx, userID, verification.Banking)
	if err != nil {
		return nil, err
	}
	var out []BankSource
	for _, a := range accts {
		if a.Aggregation != store.AggregationDone || a.ScannedAt == nil {
			continue
		}
		src := BankSource{Account: a}
		if cx, ok := s.Connectors.For(string(a.Environment), a.DataSource); ok {
			if bank, ok := cx.(datasource.BankConnector); ok {
				if in, ok := bank.Institutions().Get(a.Item); ok {
					src.InstitutionName = in.Name
				}
			}
		}
		if src.Identity, err = s.Store.AccountRecords(ctx, a.ID, store.RecordIdentity); err != nil {
			return nil, err
		}
		if src.BankAccounts, err = s.Store.AccountRecords(ctx, a.ID, store.RecordBankAccount); err != nil {
			return nil, err
		}
		if src.Transactions, err = s.Store.AccountRecords(ctx, a.ID, store.RecordTransaction); err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}

// Banking generates (once) the report of a banking verification from the
// user's aggregated banking accounts.
func (s *Service) Banking(ctx context.Context, v store.Verification) (store.Report, error) {
	return s.save(ctx, v, func(id string, at time.Time) (*Report, error) {
		sources, err := s.BankSources(ctx, v.UserID)
		if err != nil {
			return nil, err
		}
		r, err := BuildBanking(id, at, v, sources)
		if err != nil {
			return nil, err
		}
		return r, s.relate(ctx, v, r)
	})
}

// Generate makes (once) the report of a payroll or banking verification
// and returns where it is downloaded, with the status errors the
// verification completes with (an identity mismatch the report found). A
// payroll report takes the records of from's account from from while they
// are the ones stored, instead of reading and decoding them again.
func (s *Service) Generate(ctx context.Context, v store.Verification, from verification.Aggregated) (verification.ReportRef, error) {
	var rep store.Report
	var err error
	if v.DataSource == verification.Banking {
		rep, err = s.Banking(ctx, v)
	} else {
		rep, err = s.Payroll(ctx, v, from)
	}
	if err != nil {
		return verification.ReportRef{}, err
	}
	ref := s.Ref(rep)
	// Read back from the stored document, so that a completion retried
	// after a crash reports what the stored report says.
	b, err := s.Files.Get(rep.JSONName)
	if err != nil {
		return ref, fmt.Errorf("report %s: %w", rep.ID, err)
	}
	var stored struct {
		IdentityCheck *IdentityCheck `json:"identity_check"`
	}
	if err := json.Unmarshal(b, &stored); err != nil {
		return ref, fmt.Errorf("report %s: %w", rep.ID, err)
	}
	ref.Errors = stored.IdentityCheck.StatusErrors(rep.ID)
	return ref, nil
}

// Documents generates (once) the report of a documents verification.
func (s *Service) Documents(ctx context.Context, v store.Verification, d Documents) (store.Report, error) {
	return s.save(ctx, v, func(id string, at time.Time) (*Report, error) {
		return BuildDocuments(id, at, v, d)
	})
}

// Open returns a report's file in format (FormatPDF or FormatJSON), after
// checking it against the checksum recorded when it was stored, with the
// report (whose PDFSHA256 is set once its PDF exists).
func (s *Service) Open(ctx context.Context, sc store.Scope, id, format string) ([]byte, store.Report, error) {
	r, err := s.Store.Report(ctx, sc, id)
	if err != nil {
		return nil, r, err
	}
	f := reportFiles{ID: id, JSONName: r.JSONName, JSONSHA256: r.JSONSHA256, PDFName: r.PDFName, PDFSHA256: r.PDFSHA256}
	b, sum, err := s.openFile(ctx, f, format, s.Store.SetReportPDF)
	if format == FormatPDF {
		r.PDFSHA256, r.PDFSize = sum, int64(len(b))
	}
	return b, r, err
}

// reportFiles names a stored report's files and their checksums; the
// PDF's is "" until the PDF is rendered.
type reportFiles struct {
	ID, JSONName, JSONSHA256, PDFName, PDFSHA256 string
}

// openFile returns a report's file in format with its checksum, checked
// against the one recorded. A PDF not rendered yet is rendered from the
// stored JSON document, stored, and recorded with record.
func (s *Service) openFile(ctx context.Context, f reportFiles, format string, record func(ctx context.Context, id, sha256 string, size int64) error) ([]byte, string, error) {
	name, sum := f.PDFName, f.PDFSHA256
	if format == FormatJSON {
		name, sum = f.JSONName, f.JSONSHA256
	} else if sum == "" {
		return s.renderPDF(ctx, f, record)
	}
	b, err := s.Files.Get(name)
	if err != nil {
		return nil, "", fmt.Errorf("report %s: %w", f.ID, err)
	}
	if b, err = filestore.Verify(b, sum); err != nil {
		return nil, "", fmt.Errorf("report %s %s: %w", f.ID, format, err)
	}
	return b, sum, nil
}

// renderPDF renders a report's PDF from its stored JSON document, the
// report the PDF would have shown had it been rendered with the document.
// Rendering is deterministic and files are written once, so instances
// rendering the same report at once store and record the same bytes.
func (s *Service) renderPDF(ctx context.Context, f reportFiles, record func(ctx context.Context, id, sha256 string, size int64) error) ([]byte, string, error) {
	js, _, err := s.openFile(ctx, f, FormatJSON, record)
	if err != nil {
		return nil, "", err
	}
	var r Report
	if err := json.Unmarshal(js, &r); err != nil {
		return nil, "", fmt.Errorf("report %s: %w", f.ID, err)
	}
	pdf, err := PDF(&r)
	if err != nil {
		return nil, "", fmt.Errorf("report %s: %w", f.ID, err)
	}
	if err := s.Files.Put(f.PDFName, pdf); err != nil {
		return nil, "", fmt.Errorf("report %s: %w", f.ID, err)
	}
	sum := filestore.Checksum(pdf)
	if err := record(ctx, f.ID, sum, int64(len(pdf))); err != nil {
		return nil, "", err
	}
	s.log().Info("report pdf rendered", "report", f.ID, "pdf_bytes", len(pdf))
	return pdf, sum, nil
}
