// Package aggregate fetches connected accounts' data in the background and
// stores it; accounts waiting for aggregation live in the database, so work
// survives restarts and is shared by every verigate process.
package aggregate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"verigate/internal/datasource"
	"verigate/internal/poll"
	"verigate/internal/store"
	"verigate/internal/token"
)

// Defaults for a Worker.
const (
	DefaultLease       = 2 * time.Minute
	DefaultPoll        = 5 * time.Second
	DefaultMaxAttempts = 5
)

// Store is the storage a Worker needs.
type Store interface {
	// ClaimAggregation leases one account waiting for aggregation until leaseUntil.
	ClaimAggregation(ctx context.Context, now, leaseUntil time.Time) (a store.Account, ok bool, err error)
	// FinishAggregation saves records and the account's outcome while the lease holds.
	FinishAggregation(ctx context.Context, a store.Account, records []store.AccountRecord) error
}

// Worker aggregates accounts one at a time.
type Worker struct {
	Store Store
	// Connectors serves each data source in each environment.
	Connectors datasource.Registry
	// Secrets opens the sealed connection state of accounts.
	Secrets *token.Sealer
	Now     func() time.Time
	Log     *slog.Logger
	// Aggregated is called after an account's data is stored; it is where
	// a report is generated and the verification completed. Nil leaves the
	// verification at PROCESSING/authenticated.
	Aggregated func(ctx context.Context, a store.Account) error
	// Lease is how long a claimed account is reserved for this worker.
	Lease time.Duration
	// Poll is how often the worker looks for work when not woken.
	Poll        time.Duration
	MaxAttempts int

	wake chan struct{}
}

// Wake tells a running worker that an account is waiting.
func (w *Worker) Wake() {
	select {
	case w.wakeChan() <- struct{}{}:
	default:
	}
}

func (w *Worker) wakeChan() chan struct{} {
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
	return w.wake
}

// Init prepares the worker; call it before Run and Wake are used concurrently.
func (w *Worker) Init() {
	w.wakeChan()
	if w.Lease == 0 {
		w.Lease = DefaultLease
	}
	if w.Poll == 0 {
		w.Poll = DefaultPoll
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = DefaultMaxAttempts
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
}

// Run works until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.Init()
	poll.Loop(ctx, w.Poll, w.wake, w.RunOnce, w.Log, "aggregation")
}

// RunOnce aggregates one waiting account, if any, and reports whether it found one.
func (w *Worker) RunOnce(ctx context.Context) (bool, error) {
	w.Init()
	now := w.Now()
	a, ok, err := w.Store.ClaimAggregation(ctx, now, now.Add(w.Lease))
	if err != nil || !ok {
		return false, err
	}
	records, aerr := w.aggregate(ctx, a)
	now = w.Now().UTC().Truncate(time.Millisecond)
	a.UpdatedAt = now
	switch {
	case aerr == nil:
		a.Aggregation, a.ScannedAt, a.ErrorCode, a.ErrorMessage, a.LeaseUntil = store.AggregationDone, &now, "", "", now
		a.Employers = employers(records)
	case ctx.Err() != nil:
		return true, ctx.Err() // shutting down: the lease runs out and another try follows
	case a.AggregationAttempts >= w.MaxAttempts || !retryable(aerr):
		a.Aggregation, a.ConnectionStatus, a.LeaseUntil = store.AggregationFailed, "error", now
		a.ErrorCode, a.ErrorMessage = datasource.ErrorCode(aerr), aerr.Error()
		records = nil
	default:
		// Leave it running with a short lease: the expired lease is the retry.
		backoff := time.Duration(1<<a.AggregationAttempts) * time.Second
		a.LeaseUntil = now.Add(backoff)
		a.ErrorCode, a.ErrorMessage = datasource.ErrorCode(aerr), aerr.Error()
		records = nil
	}
	if err := w.Store.FinishAggregation(ctx, a, records); err != nil {
		return true, fmt.Errorf("account %s: save aggregation: %w", a.ID, err)
	}
	a.Version++
	if aerr != nil {
		w.Log.Warn("aggregation failed", "account", a.ID, "attempt", a.AggregationAttempts, "error_code", a.ErrorCode)
		return true, nil
	}
	w.Log.Info("account aggregated", "account", a.ID, "records", len(records))
	if w.Aggregated != nil {
		if err := w.Aggregated(ctx, a); err != nil {
			return true, fmt.Errorf("account %s: after aggregation: %w", a.ID, err)
		}
	}
	return true, nil
}

func retryable(err error) bool {
	return errors.Is(err, datasource.ErrProviderUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		!(errors.Is(err, datasource.ErrReauthRequired) || errors.Is(err, datasource.ErrAccountLocked) || errors.Is(err, datasource.ErrUnknownItem))
}

func (w *Worker) aggregate(ctx context.Context, a store.Account) ([]store.AccountRecord, error) {
	cx, ok := w.Connectors.For(string(a.Environment), a.DataSource)
	if !ok {
		return nil, fmt.Errorf("no connector for %s in %s", a.DataSource, a.Environment)
	}
	var conn datasource.Connection
	if err := w.Secrets.Open(a.Connection, &conn); err != nil {
		return nil, fmt.Errorf("%w: sealed connection does not open", datasource.ErrReauthRequired)
	}
	actx, cancel := context.WithTimeout(ctx, w.Lease)
	defer cancel()
	data, err := cx.Aggregate(actx, conn)
	if err != nil {
		return nil, err
	}
	return Records(a, data, w.Now())
}

// RecordID is the verigate id of an account's record: stable across
// re-aggregations, so refreshed data updates records instead of duplicating them.
func RecordID(accountID, kind, sourceID string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("verigate:"+accountID+":"+kind+":"+sourceID)).String()
}

// Records turns aggregated data into the account's records.
func Records(a store.Account, d datasource.Data, now time.Time) ([]store.AccountRecord, error) {
	now = now.UTC().Truncate(time.Millisecond)
	var out []store.AccountRecord
	add := func(kind, sourceID, employment, date string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		emp := ""
		if employment != "" {
			emp = RecordID(a.ID, store.RecordEmployment, employment)
		}
		out = append(out, store.AccountRecord{
			ID: RecordID(a.ID, kind, sourceID), Kind: kind, AccountID: a.ID, UserID: a.UserID, PartnerID: a.PartnerID,
			Environment: a.Environment, SourceID: sourceID, Employment: emp, Date: date, Data: b, CreatedAt: now, UpdatedAt: now,
		})
		return nil
	}
	// The identity is the person as the account's current (first)
	// employment knows them: it carries that employment, whose id its
	// Employment column holds for the identities' employment filter.
	ident := Identity{Identity: d.Identity}
	primary := ""
	if len(d.Employments) > 0 {
		ident.Employment = &d.Employments[0]
		primary = d.Employments[0].ID
	}
	if err := add(store.RecordIdentity, "identity", primary, "", ident); err != nil {
		return nil, err
	}
	for _, e := range d.Employments {
		if err := add(store.RecordEmployment, e.ID, e.ID, e.HireDate.String(), e); err != nil {
			return nil, err
		}
	}
	for _, p := range d.Paystubs {
		if err := add(store.RecordPaystub, p.ID, p.Employment, p.PaystubDate.String(), p); err != nil {
			return nil, err
		}
	}
	for _, doc := range d.Documents {
		if err := add(store.RecordPayrollDocument, doc.ID, doc.Employment, doc.AvailableDate.String(), doc); err != nil {
			return nil, err
		}
	}
	for _, dd := range d.DepositDestinations {
		if err := add(store.RecordDepositDestination, dd.ID, dd.Employment, "", dd); err != nil {
			return nil, err
		}
	}
	// Bank data: one record per shared account (with its balance history)
	// and per transaction; a transaction's Employment column holds its bank
	// account's record id, which the bank_account listing filter uses.
	for _, ba := range d.BankAccounts {
		if err := add(store.RecordBankAccount, ba.ID, "", ba.BalanceDate.String(), ba); err != nil {
			return nil, err
		}
	}
	for _, t := range d.Transactions {
		if err := add(store.RecordTransaction, t.ID, "", t.PostedDate.String(), t); err != nil {
			return nil, err
		}
		out[len(out)-1].Employment = RecordID(a.ID, store.RecordBankAccount, t.AccountID)
	}
	return out, nil
}

// Identity is the data of an identity record: the person and, when the
// account has one, its current employment.
type Identity struct {
	datasource.Identity
	Employment *datasource.Employment `json:"primary_employment,omitempty"`
}

// employers lists the employer names of the employment records.
func employers(records []store.AccountRecord) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range records {
		if r.Kind != store.RecordEmployment {
			continue
		}
		var e struct {
			Employer string `json:"employer"`
		}
		if json.Unmarshal(r.Data, &e) == nil && e.Employer != "" && !seen[e.Employer] {
			seen[e.Employer] = true
			out = append(out, e.Employer)
		}
	}
	return out
}
