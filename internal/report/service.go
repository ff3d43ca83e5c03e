package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/filestore"
	"verigate/internal/store"
	"verigate/internal/verification"
)

// Formats a report is downloaded in.
const (
	FormatPDF  = "pdf"
	FormatJSON = "json"
)

// Service generates, stores and serves reports.
type Service struct {
	Store store.Store
	// Files keeps the report files.
	Files         filestore.Files
	Verifications *verification.Service
	// PublicURL is the base of report URLs, without a trailing slash.
	PublicURL string
	Now       func() time.Time
	Log       *slog.Logger
	// Connectors name the institutions of banking reports: the bank
	// connector of the account's environment; without one, reports show
	// only institution ids.
	Connectors datasource.Registry
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Ref returns a stored report's id and download URLs.
func (s *Service) Ref(r store.Report) verification.ReportRef {
	base := s.PublicURL + "/partners/v2/reports/" + r.ID
	return verification.ReportRef{ID: r.ID, FileURL: base + "/" + FormatPDF, JSONURL: base + "/" + FormatJSON}
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
	pdf, err := PDF(r)
	if err != nil {
		return store.Report{}, err
	}
	rec := store.Report{ID: id, PartnerID: v.PartnerID, Environment: v.Environment, VerificationID: v.ID, UserID: v.UserID,
		Type: v.ReportType, Schema: Schema,
		PDFName: id + ".pdf", PDFSHA256: filestore.Checksum(pdf), PDFSize: int64(len(pdf)),
		JSONName: id + ".json", JSONSHA256: filestore.Checksum(js), JSONSize: int64(len(js)), CreatedAt: at}
	if err := s.Files.Put(rec.JSONName, js); err != nil {
		return store.Report{}, err
	}
	if err := s.Files.Put(rec.PDFName, pdf); err != nil {
		return store.Report{}, err
	}
	if err := s.Store.CreateReport(ctx, rec); errors.Is(err, store.ErrDuplicate) {
		// Another worker stored this verification's report first: use
		// that one and drop the files no row refers to.
		s.Files.Remove(rec.JSONName)
		s.Files.Remove(rec.PDFName)
		return s.Store.ReportOfVerification(ctx, v.ID)
	} else if err != nil {
		return store.Report{}, err
	}
	s.log().Info("report generated", "report", id, "verification", v.ID, "type", v.ReportType, "pdf_bytes", len(pdf))
	return rec, nil
}

// Sources loads the user's aggregated payroll accounts for a report of reportType.
func (s *Service) Sources(ctx context.Context, userID, reportType string) ([]PayrollSource, error) {
	accts, err := s.Store.AccountsOfUser(ctx, userID, verification.Payroll)
	if err != nil {
		return nil, err
	}
	var out []PayrollSource
	for _, a := range accts {
		if a.Aggregation != store.AggregationDone || a.ScannedAt == nil {
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

// Payroll generates (once) the report of a payroll verification from the
// user's aggregated payroll accounts.
func (s *Service) Payroll(ctx context.Context, v store.Verification) (store.Report, error) {
	return s.save(ctx, v, func(id string, at time.Time) (*Report, error) {
		sources, err := s.Sources(ctx, v.UserID, v.ReportType)
		if err != nil {
			return nil, err
		}
		return BuildPayroll(id, at, v, sources)
	})
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
		return BuildBanking(id, at, v, sources)
	})
}

// Documents generates (once) the report of a documents verification.
func (s *Service) Documents(ctx context.Context, v store.Verification, d Documents) (store.Report, error) {
	return s.save(ctx, v, func(id string, at time.Time) (*Report, error) {
		return BuildDocuments(id, at, v, d)
	})
}

// Open returns a report's file in format (FormatPDF or FormatJSON), after
// checking it against the checksum recorded when it was generated.
func (s *Service) Open(ctx context.Context, sc store.Scope, id, format string) ([]byte, store.Report, error) {
	r, err := s.Store.Report(ctx, sc, id)
	if err != nil {
		return nil, r, err
	}
	name, sum := r.PDFName, r.PDFSHA256
	if format == FormatJSON {
		name, sum = r.JSONName, r.JSONSHA256
	}
	b, err := s.Files.Get(name)
	if err != nil {
		return nil, r, fmt.Errorf("report %s: %w", id, err)
	}
	b, err = filestore.Verify(b, sum)
	if err != nil {
		return nil, r, fmt.Errorf("report %s %s: %w", id, format, err)
	}
	return b, r, nil
}

var authenticated = verification.Status{State: verification.StateProcessing, Code: verification.CodeAuthenticated}

// Aggregated is the aggregation worker's hook: once a payroll or banking
// account's data is stored, it completes the verification that connected
// the account and every refresh waiting for it, each with a new report.
// Running it again for the same aggregation changes nothing.
func (s *Service) Aggregated(ctx context.Context, a store.Account) error {
	if a.DataSource != verification.Payroll && a.DataSource != verification.Banking {
		return nil
	}
	refreshes, err := s.Store.AccountRefreshes(ctx, a.ID)
	if err != nil {
		return err
	}
	ids := refreshes
	if a.VerificationID != "" {
		ids = append([]string{a.VerificationID}, refreshes...)
	}
	sc := store.Scope{PartnerID: a.PartnerID, Environment: a.Environment}
	var errs []error
	for i, id := range ids {
		if err := s.complete(ctx, sc, id, a); err != nil {
			errs = append(errs, fmt.Errorf("verification %s: %w", id, err))
			continue
		}
		if a.VerificationID == "" || i > 0 {
			if err := s.Store.DeleteAccountRefresh(ctx, id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// complete generates the report of a verification of a's data source and completes it.
func (s *Service) complete(ctx context.Context, sc store.Scope, id string, a store.Account) error {
	v, err := s.Store.Verification(ctx, sc, id)
	if errors.Is(err, store.ErrNotFound) {
		s.log().Warn("aggregated account names no verification", "account", a.ID, "verification", id)
		return nil
	}
	if err != nil {
		return err
	}
	st := verification.Status{State: v.State, Code: v.Code}
	if st.Terminal() || v.DataSource != a.DataSource {
		return nil // completed already (a repeated hook), or cancelled
	}
	// A verification that connected several accounts completes when the last one is aggregated.
	accts, err := s.Store.AccountsOfUser(ctx, v.UserID, v.DataSource)
	if err != nil {
		return err
	}
	for _, o := range accts {
		if o.ID != a.ID && o.VerificationID == v.ID && (o.Aggregation == store.AggregationPending || o.Aggregation == store.AggregationRunning) {
			return nil
		}
	}
	if st != authenticated {
		if !verification.CanMove(v.DataSource, st, authenticated) {
			s.log().Warn("verification cannot complete from its status", "verification", v.ID, "status", st.String())
			return nil
		}
		// A refresh: the existing connection stands in for a new session.
		if v, err = s.Verifications.Advance(ctx, sc, v.ID, authenticated, nil, "connection reused"); err != nil {
			return err
		}
	}
	generate := s.Payroll
	if v.DataSource == verification.Banking {
		generate = s.Banking
	}
	rep, err := generate(ctx, v)
	if err != nil {
		return err
	}
	_, err = s.Verifications.Complete(ctx, sc, v.ID, s.Ref(rep), verification.CodeCompleted, nil, "report generated")
	var se *verification.StateError
	if errors.As(err, &se) {
		s.log().Warn("verification changed before completion", "verification", v.ID, "err", err)
		return nil
	}
	return err
}
