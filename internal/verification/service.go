package verification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// ErrNoConnection is wrapped by the error a refresh returns when the user has nothing to refresh from.
var ErrNoConnection = errors.New("verification: nothing to refresh from")

// Service orders and changes verifications; every status change goes through
// it so that each one is recorded in the verification's history.
type Service struct {
	Store store.Store
	Now   func() time.Time
	// Notify, if set, is called after a change that raised an event.
	Notify func()
	// Requeued, if set, is called after a refresh queued an account's re-aggregation.
	Requeued func()
	// Connectable, if set, reports whether a connector serves a data source
	// (payroll, banking) in an environment; orders, refreshes and sessions
	// of a data source it reports false for are refused (see Unserved). Nil
	// means every data source is served everywhere.
	Connectable func(env store.Environment, dataSource string) bool
}

// Unserved returns why payroll or banking verifications cannot be served in
// env, as a field message, or "" when they can (documents always can).
func (s *Service) Unserved(env store.Environment, dataSource string) string {
	if s.Connectable == nil || (dataSource != Payroll && dataSource != Banking) || s.Connectable(env, dataSource) {
		return ""
	}
	return fmt.Sprintf("No %s data source is configured for the %s environment; a sandbox key can use the sandbox.", dataSource, env)
}

func (s *Service) notify() {
	if s.Notify != nil {
		s.Notify()
	}
}

// StatusError is one entry of a status's errors list.
type StatusError struct {
	Code      string          `json:"code"`
	Title     string          `json:"title"`
	Message   string          `json:"message"`
	Resources []ErrorResource `json:"resources,omitempty"`
}

// ErrorResource points at what a StatusError is about.
type ErrorResource struct {
	ID   *string `json:"id"`
	Type string  `json:"type"`
	Name string  `json:"name"`
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Order validates in and creates a PENDING verification for one of p's users.
func (s *Service) Order(ctx context.Context, p partner.Principal, in OrderInput) (View, error) {
	errs := v.Errors{}
	userID := userRef(errs, in.User)
	typ, ds := reportType(errs, in.Report)
	if msg := s.Unserved(p.Environment, ds); msg != "" {
		errs.Add("report.type", msg)
	}
	cfg := reportConfiguration(errs, in.Report, ds)
	var emps []Employment
	if ds == Documents {
		emps = employments(errs, in.Employments)
	}
	loan := mergeLoan(errs, in.Loan, Loan{})
	billing := mergeBilling(errs, in.Billing, Billing{})
	if err := errs.Err(); err != nil {
		return View{}, err
	}
	u, err := s.Store.User(ctx, p.Scope(), userID)
	if err != nil {
		return View{}, fmt.Errorf("user %s: %w", userID, err)
	}
	return s.create(ctx, u, typ, ds, cfg, emps, loan, billing, "ordered", "")
}

// userRef validates the user field of an order or refresh.
func userRef(errs v.Errors, o v.Opt[string]) string {
	if !v.Required(errs, "user", o) {
		return ""
	}
	id := strings.ToLower(o.V)
	if !v.IsUUID(id) {
		errs.Add("user", v.MsgUUID)
		return ""
	}
	return id
}

// create stores a new PENDING verification; with refreshAccount it also
// queues that account's re-aggregation, whose completion completes it.
func (s *Service) create(ctx context.Context, u store.User, typ, ds string, cfg json.RawMessage, emps []Employment, loan Loan, billing Billing, reason, refreshAccount string) (View, error) {
	now := s.now()
	if emps == nil {
		emps = []Employment{}
	}
	rec := store.Verification{
		ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment, ClientID: u.ClientID, UserID: u.ID,
		Channel: "api", DataSource: ds, ReportType: typ, State: StatePending, Code: CodePending, Errors: json.RawMessage("[]"),
		ReportConfiguration: cfg, LoanNumber: loan.Number, CreatedAt: now, UpdatedAt: now,
	}
	rec.Employments, _ = json.Marshal(emps)
	rec.Loan, _ = json.Marshal(loan)
	rec.Billing, _ = json.Marshal(billing)
	first := HistoryEntry(&rec, reason, now)
	if refreshAccount != "" {
		if err := s.Store.QueueRefresh(ctx, rec, *first, refreshAccount); err != nil {
			return View{}, fmt.Errorf("create refreshed verification: %w", err)
		}
		if s.Requeued != nil {
			s.Requeued()
		}
	} else if err := s.Store.CreateVerification(ctx, rec, *first); err != nil {
		return View{}, fmt.Errorf("create verification: %w", err)
	}
	s.notify()
	rec.Version = 1
	return Render(rec), nil
}

// Get returns a verification visible to p.
func (s *Service) Get(ctx context.Context, p partner.Principal, id string) (View, error) {
	rec, err := s.Store.Verification(ctx, p.Scope(), strings.ToLower(id))
	if err != nil {
		return View{}, err
	}
	return Render(rec), nil
}

// Head returns the identifying part and status of a verification visible in scope.
func (s *Service) Head(ctx context.Context, sc store.Scope, id string) (store.VerificationHead, error) {
	return s.Store.VerificationHead(ctx, sc, strings.ToLower(id))
}

// List returns one page of p's verifications, newest first.
func (s *Service) List(ctx context.Context, p partner.Principal, f store.VerificationFilter, page store.Page) ([]View, error) {
	recs, err := s.Store.ListVerifications(ctx, p.Scope(), f, page)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(recs))
	for _, r := range recs {
		out = append(out, Render(r))
	}
	return out, nil
}

// errUnchanged, returned by a change's fn, leaves the verification as it is.
var errUnchanged = errors.New("verification: unchanged")

// change reads a verification, lets fn modify it, and saves it with a history
// entry when fn changed the status (or always asks for one), retrying when a
// concurrent change got there first.
func (s *Service) change(ctx context.Context, sc store.Scope, id string, fn func(rec *store.Verification) (reason string, err error)) (store.Verification, error) {
	for {
		rec, err := s.Store.Verification(ctx, sc, strings.ToLower(id))
		if err != nil {
			return rec, err
		}
		before := Status{rec.State, rec.Code}
		reason, err := fn(&rec)
		if errors.Is(err, errUnchanged) {
			return rec, nil
		}
		if err != nil {
			return rec, err
		}
		var entry *store.StatusChange
		if reason != "" {
			entry = HistoryEntry(&rec, reason, s.now())
		} else {
			rec.UpdatedAt = s.now()
		}
		if entry == nil && (Status{rec.State, rec.Code}) != before {
			return rec, fmt.Errorf("verification %s: status changed without a reason", rec.ID)
		}
		err = s.Store.UpdateVerification(ctx, rec, entry)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return rec, fmt.Errorf("update verification: %w", err)
		}
		rec.Version++
		if entry != nil {
			s.notify()
		}
		return rec, nil
	}
}

// Update applies loan, billing and (documents, PAUSED only) employments, and
// puts the verification back into PROCESSING.
func (s *Service) Update(ctx context.Context, p partner.Principal, id string, in UpdateInput) (View, error) {
	rec, err := s.change(ctx, p.Scope(), id, func(rec *store.Verification) (string, error) {
		errs := v.Errors{}
		var loan Loan
		var billing Billing
		if err := json.Unmarshal(rec.Loan, &loan); err != nil {
			return "", err
		}
		if err := json.Unmarshal(rec.Billing, &billing); err != nil {
			return "", err
		}
		loan = mergeLoan(errs, in.Loan, loan)
		billing = mergeBilling(errs, in.Billing, billing)
		var emps []Employment
		newEmployments := rec.DataSource == Documents && in.Employments.Set
		if newEmployments {
			emps = employments(errs, in.Employments)
		}
		if err := errs.Err(); err != nil {
			return "", err
		}
		st := Status{rec.State, rec.Code}
		if st.Terminal() {
			return "", stateErrorf(st, "The verification is %s and can no longer be updated.", rec.State)
		}
		if newEmployments && rec.State != StatePaused {
			return "", stateErrorf(st, "Employments can only be updated while the verification is PAUSED; it is %s.", rec.State)
		}
		if newEmployments {
			rec.Employments, _ = json.Marshal(emps)
		}
		rec.Loan, _ = json.Marshal(loan)
		rec.Billing, _ = json.Marshal(billing)
		rec.LoanNumber = loan.Number
		rec.State = StateProcessing
		if rec.DataSource == Documents {
			rec.Code = CodeDocumentsProcessing
			rec.Errors = json.RawMessage("[]")
		}
		return "updated", nil
	})
	if err != nil {
		return View{}, err
	}
	return Render(rec), nil
}

// Cancel cancels a PAUSED verification on the client's behalf.
func (s *Service) Cancel(ctx context.Context, p partner.Principal, id string) (View, error) {
	rec, err := s.change(ctx, p.Scope(), id, func(rec *store.Verification) (string, error) {
		if rec.State != StatePaused {
			return "", stateErrorf(Status{rec.State, rec.Code}, "Only PAUSED verifications can be cancelled; this one is %s.", rec.State)
		}
		rec.State, rec.Code = StateCancelled, CodeCancelledByClient
		// The pause's errors explained PAUSED; a cancelled verification has
		// none, as the contract's cancel example shows.
		rec.Errors = json.RawMessage("[]")
		return "cancelled", nil
	})
	if err != nil {
		return View{}, err
	}
	return Render(rec), nil
}

// Advance moves a verification along its data source's flow; it is how the
// connection experience and background work report progress.
func (s *Service) Advance(ctx context.Context, sc store.Scope, id string, to Status, errs []StatusError, reason string) (store.Verification, error) {
	return s.change(ctx, sc, id, func(rec *store.Verification) (string, error) {
		if err := Move(rec, to, errs); err != nil {
			return "", err
		}
		return reason, nil
	})
}

// Move sets rec's status to `to` when its data source's flow allows it; the
// caller saves rec together with the entry from HistoryEntry.
func Move(rec *store.Verification, to Status, errs []StatusError) error {
	from := Status{rec.State, rec.Code}
	if !CanMove(rec.DataSource, from, to) {
		return stateErrorf(from, "A %s verification cannot move from %s to %s.", rec.DataSource, from, to)
	}
	if errs == nil {
		errs = []StatusError{}
	}
	rec.State, rec.Code = to.State, to.Code
	rec.Errors, _ = json.Marshal(errs)
	return nil
}

// HistoryEntry returns the status-history entry for rec's current status,
// with the verifications.updated event it raises, stamping rec's UpdatedAt
// with now.
func HistoryEntry(rec *store.Verification, reason string, now time.Time) *store.StatusChange {
	rec.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	data, _ := json.Marshal(struct {
		User         string `json:"user"`
		Verification string `json:"verification"`
		Client       string `json:"client"`
	}{rec.UserID, rec.ID, rec.ClientID})
	resource, _ := json.Marshal(Render(*rec))
	return &store.StatusChange{ID: store.NewID(), VerificationID: rec.ID, State: rec.State, Code: rec.Code,
		Errors: rec.Errors, Reason: reason, CreatedAt: rec.UpdatedAt,
		Event: &store.Event{ID: store.NewID(), PartnerID: rec.PartnerID, Environment: rec.Environment,
			Event: store.EventVerificationsUpdated, VerificationID: rec.ID, Data: data, Resource: resource, CreatedAt: rec.UpdatedAt}}
}

// Refresh orders a new verification that reuses what the user already
// connected (payroll, banking) or the user's earlier documents verification.
func (s *Service) Refresh(ctx context.Context, p partner.Principal, in OrderInput) (View, error) {
	errs := v.Errors{}
	userID := userRef(errs, in.User)
	typ, ds := reportType(errs, in.Report)
	if msg := s.Unserved(p.Environment, ds); msg != "" {
		errs.Add("report.type", msg)
	}
	cfg := reportConfiguration(errs, in.Report, ds)
	loan := mergeLoan(errs, in.Loan, Loan{})
	billing := mergeBilling(errs, in.Billing, Billing{})
	if err := errs.Err(); err != nil {
		return View{}, err
	}
	u, err := s.Store.User(ctx, p.Scope(), userID)
	if err != nil {
		return View{}, fmt.Errorf("user %s: %w", userID, err)
	}
	if ds == Documents {
		// The new report is generated from the documents of the earlier
		// verification; like the contract's example, the refreshed
		// verification lists no employments of its own.
		prev, err := s.Store.ListVerifications(ctx, p.Scope(), store.VerificationFilter{UserID: u.ID, ReportType: typ}, store.Page{Limit: 1})
		if err != nil {
			return View{}, err
		}
		if len(prev) == 0 {
			return View{}, s.creationFailed(ctx, u, typ, ds, loan, billing,
				v.Field("user", "The user has no earlier documents verification to refresh; order one first."))
		}
	}
	refreshAccount := ""
	if ds == Payroll || ds == Banking {
		// The newest connected payroll or banking account is aggregated
		// again for the new verification, which its completion completes;
		// no session.
		accts, err := s.Store.AccountsOfUser(ctx, u.ID, ds)
		if err != nil {
			return View{}, err
		}
		for _, a := range accts {
			if a.ConnectionStatus == "connected" {
				refreshAccount = a.ID
			}
		}
	}
	if ds != Documents && refreshAccount == "" {
		// No connected account to aggregate again: the order is refused.
		ok, err := s.Store.HasConnectedAccount(ctx, u.ID, ds)
		if err != nil {
			return View{}, err
		}
		if !ok {
			return View{}, s.creationFailed(ctx, u, typ, ds, loan, billing,
				v.Field("user", fmt.Sprintf("The user has no connected %s account yet; create a session and let the user connect first.", ds)))
		}
	}
	return s.create(ctx, u, typ, ds, cfg, nil, loan, billing, "refreshed", refreshAccount)
}

// ReportRef names a generated report and where it is downloaded.
type ReportRef struct {
	ID      string
	FileURL string
	JSONURL string
}

// Complete attaches a generated report to a verification and moves it to
// COMPLETED/code (completed, or completed_with_errors with errs) in one
// update carrying its history entry and webhook event. Completing again
// with the same report changes nothing, so a repeated completion (a retried
// worker step) is harmless.
func (s *Service) Complete(ctx context.Context, sc store.Scope, id string, r ReportRef, code string, errs []StatusError, reason string) (store.Verification, error) {
	return s.change(ctx, sc, id, func(rec *store.Verification) (string, error) {
		if rec.State == StateCompleted && rec.ReportID != nil && *rec.ReportID == r.ID {
			return "", errUnchanged
		}
		if err := Move(rec, Status{StateCompleted, code}, errs); err != nil {
			return "", err
		}
		rec.ReportID, rec.FileURL, rec.JSONURL = &r.ID, &r.FileURL, &r.JSONURL
		return reason, nil
	})
}

// creationFailed raises verifications.creation_failed for an order refused
// because of the user's state, and returns the refusal.
func (s *Service) creationFailed(ctx context.Context, u store.User, typ, ds string, loan Loan, billing Billing, refusal error) error {
	now := s.now()
	type attempt struct {
		User        string  `json:"user"`
		AttemptedAt string  `json:"attempted_at"`
		Channel     string  `json:"channel"`
		DataSource  string  `json:"data_source"`
		ReportType  string  `json:"report_type"`
		Loan        Loan    `json:"loan"`
		Billing     Billing `json:"billing"`
	}
	data, err := json.Marshal(struct {
		User    string  `json:"user"`
		Client  string  `json:"client"`
		Context attempt `json:"context"`
	}{u.ID, u.ClientID, attempt{u.ID, now.Format(partner.TimeFormat), "api", ds, typ, loan, billing}})
	if err != nil {
		return err
	}
	if err := s.Store.RecordEvent(ctx, store.Event{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment,
		Event: store.EventVerificationsCreationFailed, Data: data, CreatedAt: now}); err != nil {
		return fmt.Errorf("record creation_failed: %w", err)
	}
	s.notify()
	return fmt.Errorf("%w: %w", ErrNoConnection, refusal)
}
