package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"verigate/internal/filestore"
	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
	"verigate/internal/verification"
)

// User reports are reports a client asks for directly, for a user (POST
// /v2/reports/{type}), rather than reports that complete a verification.
// They are built by the same engine from the user's aggregated payroll
// accounts, synchronously: a user report is stored once generated, and
// never changes, but it can be deleted.

// UserReportTypes are the types of report a client can ask for.
var UserReportTypes = []string{"voe", "voie", "voe-mortgage", "voie-mortgage"}

// DailyUserReports is how many reports a user may have generated in any 24
// hours; deleting one of them allows another.
const DailyUserReports = 10

// ErrDailyLimit refuses a report beyond DailyUserReports.
var ErrDailyLimit = errors.New("report: the user's daily report limit is reached")

// UserReportGenerated is the status of every stored user report:
// generation is synchronous, so none waits or fails once stored.
const UserReportGenerated = "generated"

// UserReportInput is the body of a request for a user report.
type UserReportInput struct {
	User     v.Opt[string]          `json:"user"`
	Metadata v.Opt[json.RawMessage] `json:"metadata"`
}

// UserReportView is a user report in the /v2 document's Report shape.
type UserReportView struct {
	ID           string          `json:"id"`
	User         string          `json:"user"`
	ReferenceID  string          `json:"reference_id"`
	GeneratedAt  string          `json:"generated_at"`
	CreatedAt    string          `json:"created_at"`
	Type         string          `json:"type"`
	Status       string          `json:"status"`
	FileURL      string          `json:"file_url"`
	JSONURL      string          `json:"json_url"`
	LastSyncedAt *string         `json:"last_synced_at"`
	Accounts     json.RawMessage `json:"accounts"`
	Metadata     json.RawMessage `json:"metadata"`
	ExternalID   *string         `json:"external_id"`
}

// userReportAccount is one account a user report was built from.
type userReportAccount struct {
	ID           string `json:"id"`
	Item         string `json:"item"`
	LastSyncedAt string `json:"last_synced_at"`
}

// RenderUserReport turns a stored user report into its view, its URLs
// under prefix, the URL prefix of the surface it is shown on ("/v2").
func (s *Service) RenderUserReport(r store.UserReport, prefix string) UserReportView {
	at := r.CreatedAt.UTC().Format(partner.TimeFormat)
	ref := s.RefOn(r.ID, prefix)
	out := UserReportView{ID: r.ID, User: r.UserID, ReferenceID: r.ID, GeneratedAt: at, CreatedAt: at, Type: r.Type,
		Status: UserReportGenerated, FileURL: ref.FileURL, JSONURL: ref.JSONURL,
		Accounts: orJSON(r.Accounts, "[]"), Metadata: orJSON(r.Metadata, "{}"), ExternalID: r.ExternalID}
	if r.LastSyncedAt != nil {
		t := r.LastSyncedAt.UTC().Format(partner.TimeFormat)
		out.LastSyncedAt = &t
	}
	return out
}

func orJSON(b json.RawMessage, def string) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage(def)
	}
	return b
}

// validateUserReport checks a request for a report of reportType.
func validateUserReport(reportType string, in UserReportInput) (string, json.RawMessage, error) {
	errs := v.Errors{}
	switch {
	case reportType == "voe-mortgage" || reportType == "voie-mortgage":
		errs.Add("type", fmt.Sprintf("%s reports need the Desktop Underwriter and AIM integrations, which verigate does not have; ask for %s.",
			reportType, strings.TrimSuffix(reportType, "-mortgage")))
	case !slices.Contains(UserReportTypes, reportType):
		errs.Add("type", v.Choice(reportType))
	}
	if v.Required(errs, "user", in.User) && !v.IsUUID(in.User.V) {
		errs.Add("user", v.MsgUUID)
	}
	metadata := json.RawMessage(`{}`)
	if v.NotNull(errs, "metadata", in.Metadata) {
		var buf bytes.Buffer
		switch b := bytes.TrimSpace(in.Metadata.V); {
		case len(b) == 0 || b[0] != '{' || json.Compact(&buf, b) != nil:
			errs.Add("metadata", "Invalid data. Expected a dictionary.")
		case !utf8.Valid(b):
			errs.Add("metadata", "Enter valid UTF-8 text.")
		default:
			metadata = buf.Bytes()
		}
	}
	return strings.ToLower(in.User.V), metadata, errs.Err()
}

// GenerateUserReport generates and stores a report of reportType for one of
// the tenant's users from the user's aggregated payroll accounts.
func (s *Service) GenerateUserReport(ctx context.Context, sc store.Scope, reportType string, in UserReportInput) (store.UserReport, error) {
	userID, metadata, err := validateUserReport(reportType, in)
	if err != nil {
		return store.UserReport{}, err
	}
	u, err := s.Store.User(ctx, sc, userID)
	if err != nil {
		return store.UserReport{}, fmt.Errorf("user %s: %w", userID, err)
	}
	at := s.now()
	if n, err := s.Store.CountUserReportsSince(ctx, u.ID, at.Add(-24*time.Hour)); err != nil {
		return store.UserReport{}, err
	} else if n >= DailyUserReports {
		return store.UserReport{}, ErrDailyLimit
	}
	sources, err := s.Sources(ctx, u.ID, reportType)
	if err != nil {
		return store.UserReport{}, err
	}
	if len(sources) == 0 {
		return store.UserReport{}, v.Field("user", "The user has no synced payroll account yet; a report is generated from the data of connected payroll accounts.")
	}
	id := store.NewID()
	// The engine reads what a report covers from a verification; a user
	// report has none, only its user and type.
	subject := store.Verification{PartnerID: u.PartnerID, Environment: u.Environment, ClientID: u.ClientID, UserID: u.ID,
		DataSource: verification.Payroll, ReportType: reportType}
	r, err := BuildPayroll(id, at, subject, sources)
	if err != nil {
		return store.UserReport{}, err
	}
	ordered, err := OrderedFromProfile(u.Profile)
	if err != nil {
		return store.UserReport{}, err
	}
	r.IdentityCheck = CheckIdentity(ordered, r.Identity)
	js, err := JSON(r)
	if err != nil {
		return store.UserReport{}, err
	}
	var accounts []userReportAccount
	var synced *time.Time
	for _, src := range sources {
		a := src.Account
		accounts = append(accounts, userReportAccount{ID: a.ID, Item: a.Item, LastSyncedAt: a.ScannedAt.UTC().Format(partner.TimeFormat)})
		if synced == nil || a.ScannedAt.After(*synced) {
			synced = a.ScannedAt
		}
	}
	accountsJSON, err := json.Marshal(accounts)
	if err != nil {
		return store.UserReport{}, err
	}
	rec := store.UserReport{ID: id, PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, Type: reportType, Schema: Schema,
		Metadata: metadata, ExternalID: u.ExternalID, Accounts: accountsJSON, LastSyncedAt: synced,
		PDFName: id + ".pdf", JSONName: id + ".json", JSONSHA256: filestore.Checksum(js), JSONSize: int64(len(js)), CreatedAt: at}
	// The PDF is rendered from this document at its first download (renderPDF).
	if err := s.Files.Put(rec.JSONName, js); err != nil {
		return store.UserReport{}, err
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateUserReport(ctx, rec); err != nil {
			return err
		}
		if s.UserReportGenerated == nil {
			return nil
		}
		return s.UserReportGenerated(ctx, rec)
	})
	if err != nil {
		s.Files.Remove(rec.JSONName)
		return store.UserReport{}, err
	}
	if s.Notify != nil {
		s.Notify()
	}
	s.log().Info("user report generated", "report", id, "user", u.ID, "type", reportType, "json_bytes", len(js))
	return rec, nil
}

// UserReport returns a user report visible in scope.
func (s *Service) UserReport(ctx context.Context, sc store.Scope, id string) (store.UserReport, error) {
	return s.Store.UserReport(ctx, sc, id)
}

// ListUserReports returns one page of the user reports visible in scope,
// newest first, of one user when userID is not "".
func (s *Service) ListUserReports(ctx context.Context, sc store.Scope, userID string, page store.Page) ([]store.UserReport, error) {
	return s.Store.ListUserReports(ctx, sc, userID, page)
}

// DeleteUserReport deletes a user report and then its files.
func (s *Service) DeleteUserReport(ctx context.Context, sc store.Scope, id string) error {
	r, err := s.Store.UserReport(ctx, sc, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteUserReport(ctx, sc, id); err != nil {
		return err
	}
	for _, name := range []string{r.JSONName, r.PDFName} {
		if err := s.Files.Remove(name); err != nil {
			// The row is gone, so nothing serves the file any more.
			s.log().Warn("remove a deleted report's file", "report", id, "file", name, "err", err)
		}
	}
	return nil
}

// OpenUserReport returns a user report's file in format (FormatPDF or
// FormatJSON), checked against the checksum recorded when it was stored,
// with the file's checksum; the PDF is rendered at its first download.
func (s *Service) OpenUserReport(ctx context.Context, sc store.Scope, id, format string) (b []byte, sum string, err error) {
	r, err := s.Store.UserReport(ctx, sc, id)
	if err != nil {
		return nil, "", err
	}
	f := reportFiles{ID: id, JSONName: r.JSONName, JSONSHA256: r.JSONSHA256, PDFName: r.PDFName, PDFSHA256: r.PDFSHA256}
	return s.openFile(ctx, f, format, s.Store.SetUserReportPDF)
}
