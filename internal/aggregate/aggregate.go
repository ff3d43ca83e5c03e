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
	"sync"
	"time"

	"github.com/google/uuid"

	"verigate/internal/datasource"
	"verigate/internal/payroll"
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
	// InTx runs fn in one transaction that every call with fn's context joins.
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// SaveAggregationBatch saves one batch of records while the lease holds
	// (a.Version current) and increments the account's version.
	SaveAggregationBatch(ctx context.Context, a store.Account, records []store.AccountRecord) error
	// AllAccountRecords returns every record of an account.
	AllAccountRecords(ctx context.Context, accountID string) ([]store.AccountRecord, error)
	// DeleteAccountRecords deletes records of an account by id.
	DeleteAccountRecords(ctx context.Context, accountID string, ids []string) error
}

// Sync is told what an aggregation stored, inside the transaction that
// stores it, so that the events it records commit with the data
// (webhook.Sync implements it).
type Sync interface {
	// Retrieved reports one batch of an account's initial retrieval: the
	// records it stored; how many days back from each dated kind's most
	// recent record the batches now cover (days), and covered before
	// (prevDays); the dated kinds with older records still to come; and
	// whether it is the final batch, which also saved the account as
	// aggregated.
	Retrieved(ctx context.Context, a store.Account, records []store.AccountRecord, prevDays, days int, incomplete []string, final bool) error
	// Refreshed reports a later aggregation: the account's records before
	// it and the records it stored (records no longer found are deleted).
	Refreshed(ctx context.Context, a store.Account, before, after []store.AccountRecord) error
	// AccountFailed reports an aggregation that failed for good.
	AccountFailed(ctx context.Context, a store.Account) error
	// Notify is called once what was reported has committed.
	Notify()
}

// Stages are the batches, in days back from the most recent record of each
// dated kind, in which an account's initial retrieval is stored, newest
// first: the records of the last 30 days, then back to 90, then to 365,
// then the rest. Identities, employments and bank accounts come with the
// first batch.
var Stages = []int{30, 90, 365}

// Worker aggregates accounts one at a time.
type Worker struct {
	// Outcome, if set, is told how each aggregation ended (done, retried,
	// failed) and how long it took.
	Outcome func(outcome string, took time.Duration)
	Store   Store
	// Connectors serves each data source in each environment.
	Connectors datasource.Registry
	// Clock, if set, is the tenant's time the connector aggregates as of
	// (a sandbox tenant's clock may be moved forward); nil is the real time.
	Clock func(ctx context.Context, sc store.Scope) time.Time
	// Secrets opens the sealed connection state of accounts.
	Secrets *token.Sealer
	Now     func() time.Time
	Log     *slog.Logger
	// Sync, if set, records what each aggregation stored (webhook events);
	// with it, an initial retrieval is stored in batches (Stages) and a
	// refresh deletes the payroll records the source no longer has.
	Sync Sync
	// Aggregated is called after an account's data is stored, with the
	// account as saved and the records stored; it is where a report is
	// generated and the verification completed. Nil leaves the
	// verification at PROCESSING/authenticated.
	Aggregated func(ctx context.Context, a store.Account, records []store.AccountRecord) error
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

// DefaultWorkers is how many accounts `verigate serve` aggregates at the
// same time unless told otherwise. Two overlap one account's database
// writes with another's fetching and encoding; on SQLite, whose writes go
// through one connection, more only hold more accounts in memory at once
// (docs/perf.md, Aggregation).
const DefaultWorkers = 2

// Run works with the given number of concurrent workers until ctx ends.
// Several workers overlap one account's database writes with another's
// fetching and rendering; claims keep each account to one of them.
func (w *Worker) Run(ctx context.Context, workers int) {
	w.Init()
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() { poll.Loop(ctx, w.Poll, w.wake, w.RunOnce, w.Log, "aggregation") })
	}
	wg.Wait()
}

// RunOnce aggregates one waiting account, if any, and reports whether it found one.
func (w *Worker) RunOnce(ctx context.Context) (bool, error) {
	w.Init()
	now := w.Now()
	a, ok, err := w.Store.ClaimAggregation(ctx, now, now.Add(w.Lease))
	if err != nil || !ok {
		return false, err
	}
	w.Wake() // another account may be waiting: a sleeping worker can take it
	started := time.Now()
	refresh := a.ScannedAt != nil // aggregated before: not the initial retrieval
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
	if err := w.save(ctx, &a, records, aerr, refresh); err != nil {
		return true, fmt.Errorf("account %s: save aggregation: %w", a.ID, err)
	}
	if w.Sync != nil {
		w.Sync.Notify()
	}
	if w.Outcome != nil {
		outcome := "done"
		switch {
		case a.Aggregation == store.AggregationFailed:
			outcome = "failed"
		case aerr != nil:
			outcome = "retried"
		}
		w.Outcome(outcome, time.Since(started))
	}
	if aerr != nil {
		w.Log.Warn("aggregation failed", "account", a.ID, "attempt", a.AggregationAttempts, "error_code", a.ErrorCode)
		return true, nil
	}
	w.Log.Info("account aggregated", "account", a.ID, "records", len(records))
	if w.Aggregated != nil {
		if err := w.Aggregated(ctx, a, records); err != nil {
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
	if w.Clock != nil {
		// A sandbox tenant's clock may run ahead: its data is as of then.
		actx = datasource.WithNow(actx, w.Clock(actx, store.Scope{PartnerID: a.PartnerID, Environment: a.Environment}))
	}
	data, err := cx.Aggregate(actx, conn)
	if err != nil {
		return nil, err
	}
	return Records(a, data, w.Now())
}

// RecordID is the verigate id of an account's record: stable across
// re-aggregations, so refreshed data updates records instead of duplicating
// them. Its first six bytes are the account's alone (a.RecordIDs ""), so
// that the records an aggregation inserts sit together in the id index;
// accounts stored before that (store.RecordIDsHashed) keep their ids.
func RecordID(a store.Account, kind, sourceID string) string {
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte("verigate:"+a.ID+":"+kind+":"+sourceID))
	if a.RecordIDs != store.RecordIDsHashed {
		prefix := uuid.NewSHA1(uuid.NameSpaceURL, []byte("verigate:"+a.ID))
		copy(id[:6], prefix[:6])
	}
	return id.String()
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
			emp = RecordID(a, store.RecordEmployment, employment)
		}
		out = append(out, store.AccountRecord{
			ID: RecordID(a, kind, sourceID), Kind: kind, AccountID: a.ID, UserID: a.UserID, PartnerID: a.PartnerID,
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
	// Paystubs also keep the JSON the /v2 API shows, so that listings copy
	// it out instead of rendering hundreds of paystubs per page, and the
	// paystub itself, so that the report that follows need not decode them.
	for _, p := range d.Paystubs {
		if err := add(store.RecordPaystub, p.ID, p.Employment, p.PaystubDate.String(), p); err != nil {
			return nil, err
		}
		rendered, err := payroll.RenderedPaystub(p)
		if err != nil {
			return nil, err
		}
		out[len(out)-1].Rendered, out[len(out)-1].Decoded = rendered, p
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
		out[len(out)-1].Employment = RecordID(a, store.RecordBankAccount, t.AccountID)
	}
	// Gig data: gigs and shifts dated to the second by their start.
	for _, g := range d.Gigs {
		if err := add(store.RecordGig, g.ID, "", g.Start.UTC().Format(store.RecordDateTime), g); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Shifts {
		if err := add(store.RecordShift, s.ID, "", s.Start.UTC().Format(store.RecordDateTime), s); err != nil {
			return nil, err
		}
	}
	for _, r := range d.Ratings {
		if err := add(store.RecordRating, r.ID, "", now.Format(time.DateOnly), r); err != nil {
			return nil, err
		}
	}
	for _, v := range d.Vehicles {
		date := now.Format(time.DateOnly)
		if !v.Registered.IsZero() {
			date = v.Registered.String()
		}
		if err := add(store.RecordVehicle, v.ID, "", date, v); err != nil {
			return nil, err
		}
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

// save stores an aggregation's outcome. Without a Sync, in one
// FinishAggregation. With one: a failure with the Sync's report of it if
// final; an initial retrieval batch by batch, newest first, each batch in
// its own transaction with its report; a refresh in one transaction that
// also deletes the records no longer found, with its report.
func (w *Worker) save(ctx context.Context, a *store.Account, records []store.AccountRecord, aerr error, refresh bool) error {
	if w.Sync == nil {
		if err := w.Store.FinishAggregation(ctx, *a, records); err != nil {
			return err
		}
		a.Version++
		return nil
	}
	var err error
	switch {
	case aerr != nil:
		err = w.Store.InTx(ctx, func(ctx context.Context) error {
			if err := w.Store.FinishAggregation(ctx, *a, nil); err != nil {
				return err
			}
			if a.Aggregation != store.AggregationFailed {
				return nil
			}
			return w.Sync.AccountFailed(ctx, *a)
		})
	case refresh:
		err = w.Store.InTx(ctx, func(ctx context.Context) error {
			before, err := w.Store.AllAccountRecords(ctx, a.ID)
			if err != nil {
				return err
			}
			if err := w.Store.FinishAggregation(ctx, *a, records); err != nil {
				return err
			}
			if err := w.Store.DeleteAccountRecords(ctx, a.ID, gone(before, records)); err != nil {
				return err
			}
			return w.Sync.Refreshed(ctx, *a, before, records)
		})
	default:
		return w.saveStaged(ctx, a, records)
	}
	if err != nil {
		return err
	}
	a.Version++
	return nil
}

// saveStaged stores an initial retrieval in the batches of Stages.
func (w *Worker) saveStaged(ctx context.Context, a *store.Account, records []store.AccountRecord) error {
	batches, incomplete := stage(records)
	prev := 0
	for i, b := range batches {
		final := i == len(batches)-1
		days := 0
		if !final {
			days = Stages[i]
		}
		err := w.Store.InTx(ctx, func(ctx context.Context) error {
			if final {
				if err := w.Store.FinishAggregation(ctx, *a, b); err != nil {
					return err
				}
			} else if err := w.Store.SaveAggregationBatch(ctx, *a, b); err != nil {
				return err
			}
			return w.Sync.Retrieved(ctx, *a, b, prev, days, incomplete[i], final)
		})
		if err != nil {
			return err
		}
		a.Version++
		prev = days
	}
	return nil
}

// firstBatchKinds are the kinds stored with the first batch whatever their date.
var firstBatchKinds = map[string]bool{store.RecordIdentity: true, store.RecordEmployment: true, store.RecordBankAccount: true}

// stage splits an initial retrieval into batches, newest first: batch i
// (i < len(Stages)) holds the dated records at most Stages[i] days older
// than the most recent record of their kind (and not in an earlier batch),
// the last batch the rest. Batches after the last non-empty one are
// dropped (there is always at least one). incomplete[i] lists the dated
// kinds with records in later batches.
func stage(records []store.AccountRecord) (batches [][]store.AccountRecord, incomplete [][]string) {
	staged := func(r store.AccountRecord) bool { return r.Date != "" && !firstBatchKinds[r.Kind] }
	newest := map[string]time.Time{}
	dates := make([]time.Time, len(records))
	for i, r := range records {
		if !staged(r) {
			continue
		}
		d, err := time.Parse("2006-01-02", r.Date)
		if err != nil {
			continue
		}
		dates[i] = d
		if d.After(newest[r.Kind]) {
			newest[r.Kind] = d
		}
	}
	batches = make([][]store.AccountRecord, len(Stages)+1)
	last := 0
	for i, r := range records {
		b := 0
		if staged(r) && !dates[i].IsZero() {
			age := int(newest[r.Kind].Sub(dates[i]).Hours() / 24)
			b = len(Stages)
			for j, days := range Stages {
				if age <= days {
					b = j
					break
				}
			}
		}
		batches[b] = append(batches[b], r)
		last = max(last, b)
	}
	batches = batches[:last+1]
	incomplete = make([][]string, len(batches))
	for i := range batches {
		seen := map[string]bool{}
		for _, later := range batches[i+1:] {
			for _, r := range later {
				if !seen[r.Kind] {
					seen[r.Kind] = true
					incomplete[i] = append(incomplete[i], r.Kind)
				}
			}
		}
	}
	return batches, incomplete
}

// noRemoval are the kinds a refresh never deletes: bank data keeps the
// history a bank's later answers no longer go back to.
var noRemoval = map[string]bool{store.RecordBankAccount: true, store.RecordTransaction: true}

// gone returns the ids of the records of before that after no longer has.
func gone(before, after []store.AccountRecord) []string {
	now := map[string]bool{}
	for _, r := range after {
		now[r.ID] = true
	}
	var out []string
	for _, r := range before {
		if !now[r.ID] && !noRemoval[r.Kind] {
			out = append(out, r.ID)
		}
	}
	return out
}
