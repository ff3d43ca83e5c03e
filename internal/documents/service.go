// Package documents runs document verifications (doc-voi-mortgage): it
// stores the documents partners upload for their users and evaluates each
// verification's documents against the rules in rules.go, in the background,
// moving it to PAUSED (more documents needed) or COMPLETED with a report.
package documents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"verigate/internal/filestore"
	"verigate/internal/partner"
	"verigate/internal/poll"
	"verigate/internal/report"
	"verigate/internal/store"
	v "verigate/internal/validate"
	"verigate/internal/value"
	"verigate/internal/verification"
)

// MaxUploadSize is the largest document accepted, in bytes.
const MaxUploadSize = 10 << 20

// DataSource is the data source of documents verifications and of the account uploads belong to.
const DataSource = verification.Documents

// Store is the storage documents need.
type Store interface {
	User(ctx context.Context, s store.Scope, id string) (store.User, error)
	Account(ctx context.Context, id string) (store.Account, error)
	CreateAccount(ctx context.Context, a store.Account) error
	CreateUpload(ctx context.Context, u store.Upload) error
	Upload(ctx context.Context, s store.Scope, id string) (store.Upload, error)
	UploadsOfUser(ctx context.Context, userID string) ([]store.Upload, error)
	ListUploads(ctx context.Context, s store.Scope, f store.UploadFilter, p store.Page) ([]store.Upload, error)
	ListVerifications(ctx context.Context, s store.Scope, f store.VerificationFilter, p store.Page) ([]store.Verification, error)
	// VerificationsInStatus returns up to limit verifications of every tenant in a status, least recently updated first.
	VerificationsInStatus(ctx context.Context, dataSource, state, code string, limit int) ([]store.Verification, error)
}

// Service stores uploads and evaluates documents verifications.
type Service struct {
	Store Store
	// Files keeps the uploaded files.
	Files         filestore.Files
	Verifications *verification.Service
	Reports       *report.Service
	// PublicURL is the base of upload file URLs, without a trailing slash.
	PublicURL string
	Now       func() time.Time
	Log       *slog.Logger
	// Poll is how often Run looks for work when not woken.
	Poll time.Duration

	wake chan struct{}
}

// Init prepares the service; call it before Run and Wake are used concurrently.
func (s *Service) Init() {
	if s.wake == nil {
		s.wake = make(chan struct{}, 1)
	}
	if s.Poll == 0 {
		s.Poll = 5 * time.Second
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
}

// Wake tells a running evaluator that a verification waits.
func (s *Service) Wake() {
	s.Init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// UploadInput is an upload request's fields; absent optional fields are nil.
type UploadInput struct {
	User         string
	DocumentType string
	FileName     string
	Data         []byte
	Employer     *string
	PayDate      *string
	PeriodStart  *string
	PeriodEnd    *string
	TaxYear      *string
}

// UploadView is an upload in the contracts' PartnerUserUpload (Partners v2)
// and UserUpload (/v2) shape.
type UploadView struct {
	ID           string     `json:"id"`
	Account      string     `json:"account"`
	DocumentType string     `json:"document_type"`
	FileURL      string     `json:"file_url"`
	FileName     string     `json:"file_name"`
	Metadata     Metadata   `json:"metadata"`
	Processing   Processing `json:"processing"`
	CreatedAt    string     `json:"created_at"`
	UpdatedAt    string     `json:"updated_at"`
}

// Metadata is an upload's metadata: what the uploader stated, as the
// employment object, and no OCR results (verigate does no OCR).
type Metadata struct {
	Employment           *Stated `json:"employment"`
	OCRData              any     `json:"ocr_data"`
	OCRAuthenticity      any     `json:"ocr_authenticity"`
	OCRAuthenticityScore *int    `json:"ocr_authenticity_score"`
}

// Processing is an upload's OCR processing statuses.
type Processing struct {
	Classification string `json:"classification"`
	OCR            string `json:"ocr"`
	Authenticity   string `json:"authenticity"`
}

// ocrOff is the processing status of every upload: OCR is not enabled.
const ocrOff = "unauthorized"

// Render turns a stored upload into its view; its file_url is under
// prefix, the URL prefix of the surface it is shown on ("/partners/v2",
// "/v2").
func (s *Service) Render(u store.Upload, prefix string) UploadView {
	var st Stated
	json.Unmarshal(u.Stated, &st)
	var emp *Stated
	if !st.empty() {
		emp = &st
	}
	at := u.CreatedAt.UTC().Format(partner.TimeFormat)
	return UploadView{ID: u.ID, Account: u.AccountID, DocumentType: u.DocumentType,
		FileURL: s.PublicURL + prefix + "/user-uploads/" + u.ID + "/file", FileName: u.FileName,
		Metadata:   Metadata{Employment: emp},
		Processing: Processing{Classification: ocrOff, OCR: ocrOff, Authenticity: ocrOff},
		CreatedAt:  at, UpdatedAt: at}
}

// SafeFileName is the name an upload is kept and downloaded under: the
// name it was sent with, without control, format (right-to-left override
// and the like) or path characters, its extension replaced by the one of
// the type its content was recognised as ("report.html" holding a PDF is
// "report.pdf"); "upload" when nothing is left.
func SafeFileName(name, contentType string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || strings.ContainsRune(`"<>:|?*`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ".")
	if ext := filepath.Ext(name); ext != "" {
		name = strings.TrimRight(strings.TrimSuffix(name, ext), ". ")
	}
	if name == "" {
		name = "upload"
	}
	return name + extensions[contentType]
}

// sniff names the type of a PDF, PNG or JPEG file from its first bytes, or returns "".
func sniff(data []byte) string {
	switch ct := http.DetectContentType(data); ct {
	case "application/pdf", "image/png", "image/jpeg":
		return ct
	}
	return ""
}

var extensions = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

func optDate(errs v.Errors, field string, s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if _, err := time.Parse(time.DateOnly, t); err != nil {
		errs.Add(field, "Date has wrong format. Use YYYY-MM-DD.")
		return nil
	}
	return &t
}

// appliesTo says which document types a stated field is for.
var appliesTo = map[string][]string{
	"employer":     {documentPaystubs, documentW2, document1099},
	"pay_date":     {documentPaystubs},
	"period_start": {documentPaystubs},
	"period_end":   {documentPaystubs},
	"tax_year":     {documentW2, document1099},
}

// validate checks an upload's fields and returns what it states.
func (s *Service) validate(in UploadInput) (Stated, string, error) {
	errs := v.Errors{}
	if in.User == "" {
		errs.Add("user", v.MsgRequired)
	} else if !v.IsUUID(in.User) {
		errs.Add("user", v.MsgUUID)
	}
	if in.DocumentType == "" {
		errs.Add("document_type", v.MsgRequired)
	} else if !slices.Contains(DocumentTypes, in.DocumentType) {
		errs.Add("document_type", v.Choice(in.DocumentType))
	}
	ct := ""
	switch {
	case in.Data == nil:
		errs.Add("upload", "No file was submitted.")
	case len(in.Data) == 0:
		errs.Add("upload", "The submitted file is empty.")
	default:
		if ct = sniff(in.Data); ct == "" {
			errs.Add("upload", fmt.Sprintf("Unsupported file type (%s); upload a PDF, PNG or JPEG file.", http.DetectContentType(in.Data)))
		}
	}
	if len(in.FileName) > 255 {
		errs.Add("upload", "Ensure the file name has no more than 255 characters.")
	}
	var st Stated
	if in.Employer != nil {
		e := strings.TrimSpace(*in.Employer)
		switch {
		case e == "":
			errs.Add("employer", v.MsgBlank)
		case len(e) > 200:
			errs.Add("employer", "Ensure this field has no more than 200 characters.")
		default:
			st.Employer = &e
		}
	}
	st.PayDate = optDate(errs, "pay_date", in.PayDate)
	st.PeriodStart = optDate(errs, "period_start", in.PeriodStart)
	st.PeriodEnd = optDate(errs, "period_end", in.PeriodEnd)
	if st.PeriodStart != nil && st.PeriodEnd != nil && *st.PeriodEnd < *st.PeriodStart {
		errs.Add("period_end", "The period ends before it starts.")
	}
	today := s.now().Format(time.DateOnly)
	if st.PayDate != nil && *st.PayDate > today {
		errs.Add("pay_date", "The pay date is in the future.")
	}
	if in.TaxYear != nil {
		y, err := strconv.Atoi(strings.TrimSpace(*in.TaxYear))
		if err != nil || y < 1990 || y > s.now().Year() {
			errs.Add("tax_year", fmt.Sprintf("Enter a tax year between 1990 and %d.", s.now().Year()))
		} else {
			st.TaxYear = &y
		}
	}
	present := map[string]bool{"employer": in.Employer != nil, "pay_date": in.PayDate != nil, "period_start": in.PeriodStart != nil,
		"period_end": in.PeriodEnd != nil, "tax_year": in.TaxYear != nil}
	if in.DocumentType != "" {
		for f, types := range appliesTo {
			if present[f] && !slices.Contains(types, in.DocumentType) {
				errs.Add(f, fmt.Sprintf("%s applies to %s uploads only.", f, strings.Join(types, ", ")))
			}
		}
	}
	return st, ct, errs.Err()
}

// documentsAccount returns the id of the user's documents account, creating it on first use.
func (s *Service) documentsAccount(ctx context.Context, u store.User) (string, error) {
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("verigate:documents-account:"+u.ID)).String()
	if _, err := s.Store.Account(ctx, id); err == nil {
		return id, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	now := s.now()
	err := s.Store.CreateAccount(ctx, store.Account{ID: id, PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID,
		DataSource: DataSource, Item: store.DocumentsItem, Source: store.DocumentsSource, Employers: []string{}, ConnectionStatus: "connected",
		Aggregation: store.AggregationDone, CreatedAt: now, UpdatedAt: now})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return "", err
	}
	return id, nil
}

// Upload stores a document for one of p's users and queues the user's open
// documents verifications for evaluation. The view's URL is under prefix.
func (s *Service) Upload(ctx context.Context, p partner.Principal, in UploadInput, prefix string) (UploadView, error) {
	stated, ct, err := s.validate(in)
	if err != nil {
		return UploadView{}, err
	}
	u, err := s.Store.User(ctx, p.Scope(), strings.ToLower(in.User))
	if err != nil {
		return UploadView{}, fmt.Errorf("user %s: %w", in.User, err)
	}
	account, err := s.documentsAccount(ctx, u)
	if err != nil {
		return UploadView{}, err
	}
	id := store.NewID()
	statedJSON, _ := json.Marshal(stated)
	name := SafeFileName(in.FileName, ct)
	rec := store.Upload{ID: id, PartnerID: u.PartnerID, Environment: u.Environment, UserID: u.ID, AccountID: account,
		DocumentType: in.DocumentType, FileName: name, ContentType: ct, Size: int64(len(in.Data)), SHA256: filestore.Checksum(in.Data),
		StoredName: id + extensions[ct], Stated: statedJSON, CreatedAt: s.now()}
	if err := s.Files.Put(rec.StoredName, in.Data); err != nil {
		return UploadView{}, err
	}
	if err := s.Store.CreateUpload(ctx, rec); err != nil {
		s.Files.Remove(rec.StoredName)
		return UploadView{}, err
	}
	if err := s.queueUser(ctx, p.Scope(), u.ID); err != nil {
		// The upload is stored; the verification waits for the next upload or PATCH.
		s.Log.WarnContext(ctx, "queue documents verifications", "user", u.ID, "err", err)
	}
	return s.Render(rec, prefix), nil
}

// File returns an upload's file and its record, checked against its checksum.
func (s *Service) File(ctx context.Context, sc store.Scope, id string) ([]byte, store.Upload, error) {
	u, err := s.Store.Upload(ctx, sc, id)
	if err != nil {
		return nil, u, err
	}
	b, err := s.Files.Get(u.StoredName)
	if err != nil {
		return nil, u, fmt.Errorf("upload %s: %w", id, err)
	}
	b, err = filestore.Verify(b, u.SHA256)
	return b, u, err
}

// Get returns an upload visible in scope, its URL under prefix.
func (s *Service) Get(ctx context.Context, sc store.Scope, id, prefix string) (UploadView, error) {
	u, err := s.Store.Upload(ctx, sc, id)
	if err != nil {
		return UploadView{}, err
	}
	return s.Render(u, prefix), nil
}

// List returns one page of the uploads visible in scope, newest first.
func (s *Service) List(ctx context.Context, sc store.Scope, f store.UploadFilter, page store.Page) ([]store.Upload, error) {
	return s.Store.ListUploads(ctx, sc, f, page)
}

var (
	stProcessing = verification.Status{State: verification.StateProcessing, Code: verification.CodeDocumentsProcessing}
	stGenerating = verification.Status{State: verification.StateProcessing, Code: verification.CodeReportGenerating}
)

// queueUser queues every PENDING or PAUSED documents verification of a user.
func (s *Service) queueUser(ctx context.Context, sc store.Scope, userID string) error {
	page := store.Page{Limit: 200}
	queued := false
	for {
		batch, err := s.Store.ListVerifications(ctx, sc, store.VerificationFilter{UserID: userID, ReportType: "doc-voi-mortgage"}, page)
		if err != nil {
			return err
		}
		for _, rec := range batch {
			if rec.State == verification.StatePending || rec.State == verification.StatePaused {
				if err := s.queue(ctx, sc, rec.ID); err != nil {
					return err
				}
			}
			queued = queued || rec.State == verification.StateProcessing
		}
		if len(batch) < page.Limit {
			break
		}
		page.After = batch[len(batch)-1].ID
	}
	if queued {
		s.Wake()
	}
	return nil
}

// queue moves a PENDING or PAUSED verification to documents_processing, where the evaluator finds it.
func (s *Service) queue(ctx context.Context, sc store.Scope, id string) error {
	_, err := s.Verifications.Transition(ctx, sc, id, verification.Change{Event: verification.EventDocumentsReceived})
	var se *verification.StateError
	if errors.As(err, &se) {
		return nil // moved on meanwhile
	}
	if err == nil {
		s.Wake()
	}
	return err
}

// Ordered is the verification service's Ordered hook: after a documents
// verification is ordered, refreshed or updated it wakes the evaluator,
// which moves a PENDING one to documents_processing and evaluates it.
func (s *Service) Ordered(view verification.View) {
	if view.DataSource != DataSource {
		return
	}
	if view.Status.State == verification.StatePending || view.Status.State == verification.StateProcessing {
		s.Wake() // the evaluator takes it from here, after the response
	}
}

// Run evaluates queued verifications until ctx ends.
func (s *Service) Run(ctx context.Context) {
	s.Init()
	// RunOnce takes a whole batch of waiting verifications (up to 100 per
	// status) in one call, so it runs once per wake-up or tick: it reports
	// no further work to the loop.
	once := func(ctx context.Context) (bool, error) {
		_, err := s.RunOnce(ctx)
		return false, err
	}
	poll.Loop(ctx, s.Poll, s.wake, once, s.Log, "documents evaluation")
}

// RunOnce evaluates every verification waiting in documents_processing or
// report_generating and returns how many it finished with.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	s.Init()
	n := 0
	var errs []error
	// Newly ordered verifications start being processed here, so that the
	// order's response shows PENDING as the contract's example does.
	pending, err := s.Store.VerificationsInStatus(ctx, DataSource, verification.StatePending, verification.CodePending, 100)
	if err != nil {
		return n, err
	}
	for _, rec := range pending {
		if err := s.queue(ctx, store.Scope{PartnerID: rec.PartnerID, Environment: rec.Environment}, rec.ID); err != nil {
			errs = append(errs, fmt.Errorf("verification %s: %w", rec.ID, err))
		}
	}
	for _, st := range []verification.Status{stProcessing, stGenerating} {
		recs, err := s.Store.VerificationsInStatus(ctx, DataSource, st.State, st.Code, 100)
		if err != nil {
			return n, err
		}
		for _, rec := range recs {
			if err := s.Evaluate(ctx, rec); err != nil {
				errs = append(errs, fmt.Errorf("verification %s: %w", rec.ID, err))
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}

// Evaluate checks a queued verification's documents and moves it to
// PAUSED/more_data_required, or through report_generating to COMPLETED
// with a report. Evaluating again after a crash finishes the same way.
func (s *Service) Evaluate(ctx context.Context, rec store.Verification) error {
	sc := store.Scope{PartnerID: rec.PartnerID, Environment: rec.Environment}
	st := verification.Status{State: rec.State, Code: rec.Code}
	if st != stProcessing && st != stGenerating {
		return nil
	}
	emps, err := s.employments(ctx, sc, rec)
	if err != nil {
		return err
	}
	ups, err := s.Store.UploadsOfUser(ctx, rec.UserID)
	if err != nil {
		return err
	}
	now := s.now()
	ev := Evaluate(emps, ups, value.DateOf(now))
	if st == stProcessing {
		if len(ev.Missing) > 0 {
			_, err := s.Verifications.Transition(ctx, sc, rec.ID, verification.Change{Event: verification.EventMoreDocumentsRequired, Errors: ev.Missing})
			return ignoreMoved(err)
		}
		if rec, err = s.Verifications.Transition(ctx, sc, rec.ID, verification.Change{Event: verification.EventDocumentsComplete}); err != nil {
			return ignoreMoved(err)
		}
	}
	rep, err := s.Reports.Documents(ctx, rec, ev.Report)
	if err != nil {
		return err
	}
	// The stored report decides the outcome: after a crash between
	// generating and completing, the evaluation may differ (time passed).
	b, _, err := s.Reports.Open(ctx, sc, rep.ID, report.FormatJSON)
	if err != nil {
		return err
	}
	var stored report.Report
	if err := json.Unmarshal(b, &stored); err != nil || stored.Documents == nil {
		return fmt.Errorf("report %s: not a documents report: %v", rep.ID, err)
	}
	ref := s.Reports.Ref(rep)
	done := verification.Change{Event: verification.EventReportGenerated, Report: &ref}
	if !stored.Documents.Eligibility.Eligible {
		done.Event, done.Errors = verification.EventReportWithErrors, stored.Documents.Eligibility.Errors
	}
	_, err = s.Verifications.Transition(ctx, sc, rec.ID, done)
	return ignoreMoved(err)
}

// employments returns the employments a verification is evaluated
// against: its own, or, for a refresh (which lists none, like the
// contract's example), those of the user's latest documents verification
// that has some.
func (s *Service) employments(ctx context.Context, sc store.Scope, rec store.Verification) ([]verification.Employment, error) {
	var emps []verification.Employment
	if err := json.Unmarshal(rec.Employments, &emps); err != nil {
		return nil, fmt.Errorf("employments: %w", err)
	}
	if len(emps) > 0 {
		return emps, nil
	}
	page := store.Page{Limit: 50}
	for {
		batch, err := s.Store.ListVerifications(ctx, sc, store.VerificationFilter{UserID: rec.UserID, ReportType: rec.ReportType}, page)
		if err != nil {
			return nil, err
		}
		for _, prev := range batch {
			if prev.ID == rec.ID {
				continue
			}
			if err := json.Unmarshal(prev.Employments, &emps); err == nil && len(emps) > 0 {
				return emps, nil
			}
		}
		if len(batch) < page.Limit {
			return emps, nil
		}
		page.After = batch[len(batch)-1].ID
	}
}

// ignoreMoved drops the error of a change that another process made first.
func ignoreMoved(err error) error {
	var se *verification.StateError
	if errors.As(err, &se) {
		return nil
	}
	return err
}
