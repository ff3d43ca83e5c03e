package verification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// ErrNoConnection is wrapped by the error a refresh returns when the user has nothing to refresh from.
var ErrNoConnection = errors.New("verification: nothing to refresh from")

// Store is the storage verifications need.
type Store interface {
	// InTx runs fn in one transaction that every call with fn's context joins.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	User(ctx context.Context, s store.Scope, id string) (store.User, error)
	CreateVerification(ctx context.Context, v store.Verification) error
	Verification(ctx context.Context, s store.Scope, id string) (store.Verification, error)
	// VerificationForUpdate is Verification that, in a transaction, locks the row until it ends.
	VerificationForUpdate(ctx context.Context, s store.Scope, id string) (store.Verification, error)
	VerificationHead(ctx context.Context, s store.Scope, id string) (store.VerificationHead, error)
	ListVerifications(ctx context.Context, s store.Scope, f store.VerificationFilter, p store.Page) ([]store.Verification, error)
	// UpdateVerification saves v if its Version is still current (store.ErrConflict otherwise).
	UpdateVerification(ctx context.Context, v store.Verification) error
	AddStatusChange(ctx context.Context, c store.StatusChange) error
	AccountsOfUser(ctx context.Context, userID, dataSource string) ([]store.Account, error)
	HasConnectedAccount(ctx context.Context, userID, dataSource string) (bool, error)
	// QueueAccountRefresh queues an account's re-aggregation on a verification's behalf.
	QueueAccountRefresh(ctx context.Context, verificationID, userID, accountID string, at time.Time) error
	AccountRefreshes(ctx context.Context, accountID string) ([]string, error)
	DeleteAccountRefresh(ctx context.Context, verificationID string) error
}

// Outbox records webhook events in the caller's transaction.
type Outbox interface {
	// Record saves an event with its deliveries, joining ctx's transaction.
	Record(ctx context.Context, e store.Event) error
	// Notify tells the deliverer that recorded events may be due.
	Notify()
}

// Reports generates the report of a verification whose data is complete.
type Reports interface {
	// Generate makes (once) the report of a payroll or banking
	// verification; from is the aggregation that completes it, whose
	// records the report may use instead of reading them back.
	Generate(ctx context.Context, v store.Verification, from Aggregated) (ReportRef, error)
}

// Aggregated is an account as its aggregation saved it, with the records
// that aggregation stored.
type Aggregated struct {
	Account store.Account
	Records []store.AccountRecord
}

// Service orders and changes verifications; every status change goes
// through its Transition, so that each one is checked against the flow,
// recorded in the status history and announced to webhooks in one
// transaction.
type Service struct {
	Store  Store
	Outbox Outbox
	// Reports completes payroll and banking verifications once their accounts are aggregated.
	Reports Reports
	Now     func() time.Time
	Log     *slog.Logger
	// Requeued, if set, is called after a refresh queued an account's re-aggregation.
	Requeued func()
	// Connectable, if set, reports whether a connector serves a data source
	// (payroll, banking) in an environment; orders, refreshes and sessions
	// of a data source it reports false for are refused (see Unserved). Nil
	// means every data source is served everywhere.
	Connectable func(env store.Environment, dataSource string) bool
	// Ordered, if set, is called with each verification just ordered,
	// refreshed or updated, before the caller sees it; the documents
	// evaluator takes up documents verifications from it.
	Ordered func(View)

	heads headCache
}

// Unserved returns why payroll or banking verifications cannot be served in
// env, as a field message, or "" when they can (documents always can).
func (s *Service) Unserved(env store.Environment, dataSource string) string {
	if s.Connectable == nil || (dataSource != Payroll && dataSource != Banking) || s.Connectable(env, dataSource) {
		return ""
	}
	return fmt.Sprintf("No %s data source is configured for the %s environment; a sandbox key can use the sandbox.", dataSource, env)
}

// ordered passes a verification just ordered, refreshed or updated to the Ordered hook.
func (s *Service) ordered(view View) View {
	if s.Ordered != nil {
		s.Ordered(view)
	}
	return view
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

// create stores a new PENDING verification with its first history entry
// and event; with refreshAccount it also queues that account's
// re-aggregation, whose completion completes it.
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
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateVerification(ctx, rec); err != nil {
			return err
		}
		if err := s.recordStatus(ctx, rec, reason); err != nil {
			return err
		}
		if refreshAccount == "" {
			return nil
		}
		return s.Store.QueueAccountRefresh(ctx, rec.ID, rec.UserID, refreshAccount, now)
	})
	if err != nil {
		return View{}, fmt.Errorf("create verification: %w", err)
	}
	if refreshAccount != "" && s.Requeued != nil {
		s.Requeued()
	}
	s.Outbox.Notify()
	rec.Version = 1
	return s.ordered(Render(rec)), nil
}

// Get returns a verification visible to p.
func (s *Service) Get(ctx context.Context, p partner.Principal, id string) (View, error) {
	rec, err := s.Store.Verification(ctx, p.Scope(), strings.ToLower(id))
	if err != nil {
		return View{}, err
	}
	return Render(rec), nil
}

// Head returns the identifying part and status of a verification visible
// in scope. It is read on every session creation, so recent heads are kept
// in memory for a second; changes made through this Service drop them at once.
func (s *Service) Head(ctx context.Context, sc store.Scope, id string) (store.VerificationHead, error) {
	id = strings.ToLower(id)
	if h, ok := s.heads.get(sc, id); ok {
		return h, nil
	}
	h, err := s.Store.VerificationHead(ctx, sc, id)
	if err != nil {
		return h, err
	}
	s.heads.put(h)
	return h, nil
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

// Update applies loan, billing and (documents, PAUSED only) employments, and
// puts the verification back into PROCESSING.
func (s *Service) Update(ctx context.Context, p partner.Principal, id string, in UpdateInput) (View, error) {
	var emps []Employment
	var loan Loan
	var billing Billing
	check := func(rec *store.Verification) (Event, error) {
		errs := v.Errors{}
		loan, billing = Loan{}, Billing{}
		if err := json.Unmarshal(rec.Loan, &loan); err != nil {
			return "", err
		}
		if err := json.Unmarshal(rec.Billing, &billing); err != nil {
			return "", err
		}
		loan = mergeLoan(errs, in.Loan, loan)
		billing = mergeBilling(errs, in.Billing, billing)
		if rec.DataSource == Documents && in.Employments.Set {
			emps = employments(errs, in.Employments)
			return EventEmploymentsUpdated, errs.Err()
		}
		return EventUpdated, errs.Err()
	}
	apply := func(rec *store.Verification) {
		if rec.DataSource == Documents && in.Employments.Set {
			rec.Employments, _ = json.Marshal(emps)
		}
		rec.Loan, _ = json.Marshal(loan)
		rec.Billing, _ = json.Marshal(billing)
		rec.LoanNumber = loan.Number
	}
	rec, err := s.Transition(ctx, p.Scope(), id, Change{Check: check, Apply: apply})
	if err != nil {
		return View{}, err
	}
	return s.ordered(Render(rec)), nil
}

// Cancel cancels a PAUSED verification on the client's behalf.
func (s *Service) Cancel(ctx context.Context, p partner.Principal, id string) (View, error) {
	rec, err := s.Transition(ctx, p.Scope(), id, Change{Event: EventCancelled})
	if err != nil {
		return View{}, err
	}
	return Render(rec), nil
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
		// Accounts whose ongoing refresh was disabled are not aggregated again.
		for _, a := range accts {
			if a.ConnectionStatus == "connected" && a.RefreshDisabledAt == nil {
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
		msg := fmt.Sprintf("The user has no connected %s account yet; create a session and let the user connect first.", ds)
		if ok {
			msg = fmt.Sprintf("Ongoing refresh is disabled for the user's connected %s accounts; create a session and let the user connect again.", ds)
		}
		return View{}, s.creationFailed(ctx, u, typ, ds, loan, billing, v.Field("user", msg))
	}
	return s.create(ctx, u, typ, ds, cfg, nil, loan, billing, "refreshed", refreshAccount)
}

// ReportRef names a generated report and where it is downloaded.
type ReportRef struct {
	ID      string
	FileURL string
	JSONURL string
	// Errors are the status errors the verification completes with: what
	// the report found wrong (an identity mismatch), or none.
	Errors []StatusError
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
	if err := s.Outbox.Record(ctx, store.Event{ID: store.NewID(), PartnerID: u.PartnerID, Environment: u.Environment,
		Event: store.EventVerificationsCreationFailed, Data: data, CreatedAt: now}); err != nil {
		return fmt.Errorf("record creation_failed: %w", err)
	}
	s.Outbox.Notify()
	return fmt.Errorf("%w: %w", ErrNoConnection, refusal)
}
