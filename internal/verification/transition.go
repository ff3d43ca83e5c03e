package verification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"verigate/internal/store"
)

// Change is one event to apply to a verification.
type Change struct {
	Event Event
	// Errors are the status's errors after the change (none when nil).
	Errors []StatusError
	// Report is attached by EventReportGenerated and EventReportWithErrors.
	Report *ReportRef
	// Check, if set, validates the change against the verification as
	// read, before the flow is consulted, and names the event to apply
	// in place of Event.
	Check func(rec *store.Verification) (Event, error)
	// Apply, if set, edits the verification once the flow allowed the event.
	Apply func(rec *store.Verification)
}

// Transition applies one event to a verification visible in scope. It is
// the only way a verification's status changes: it checks the event
// against the data source's flow (Next), saves the new status, appends the
// status-history entry and records the verifications.updated webhook event
// in one transaction, joining the caller's when ctx carries one. A refused
// event returns a *StateError and writes nothing. Outside a caller's
// transaction, a concurrent change of the same verification is retried;
// inside one, store.ErrConflict is returned for the caller to retry.
func (s *Service) Transition(ctx context.Context, sc store.Scope, id string, c Change) (store.Verification, error) {
	id = strings.ToLower(id)
	defer s.heads.forget(id)
	for {
		var rec store.Verification
		err := s.Store.InTx(ctx, func(ctx context.Context) error {
			var err error
			rec, err = s.apply(ctx, sc, id, c)
			return err
		})
		switch {
		case errors.Is(err, errUnchanged):
			return rec, nil
		case errors.Is(err, store.ErrConflict) && !store.InTransaction(ctx):
			continue
		case err != nil:
			return rec, err
		}
		s.Outbox.Notify()
		return rec, nil
	}
}

// errUnchanged leaves a verification as it is: the change was made already.
var errUnchanged = errors.New("verification: unchanged")

// apply reads the verification, applies c and writes it, inside ctx's transaction.
func (s *Service) apply(ctx context.Context, sc store.Scope, id string, c Change) (store.Verification, error) {
	rec, err := s.Store.VerificationForUpdate(ctx, sc, id)
	if err != nil {
		return rec, err
	}
	from := Status{rec.State, rec.Code}
	event := c.Event
	if c.Check != nil {
		if event, err = c.Check(&rec); err != nil {
			return rec, err
		}
	}
	if c.Report != nil && rec.State == StateCompleted && rec.ReportID != nil && *rec.ReportID == c.Report.ID {
		// Completed with this report already: a repeated completion (a
		// retried worker step) changes nothing.
		return rec, errUnchanged
	}
	to, ok := Next(rec.DataSource, from, event)
	if !ok {
		return rec, refusal(rec.DataSource, from, event)
	}
	rec.State, rec.Code = to.State, to.Code
	if event != EventUpdated || rec.DataSource == Documents {
		// A PATCH of a payroll or banking verification keeps its errors.
		errs := c.Errors
		if errs == nil {
			errs = []StatusError{}
		}
		rec.Errors, _ = json.Marshal(errs)
	}
	if c.Report != nil {
		rec.ReportID, rec.FileURL, rec.JSONURL = &c.Report.ID, &c.Report.FileURL, &c.Report.JSONURL
	}
	if c.Apply != nil {
		c.Apply(&rec)
	}
	rec.UpdatedAt = s.now()
	if err := s.Store.UpdateVerification(ctx, rec); err != nil {
		return rec, err
	}
	rec.Version++
	return rec, s.recordStatus(ctx, rec, event.reason())
}

// recordStatus appends rec's current status to its history and records the
// verifications.updated event that announces it, in ctx's transaction.
func (s *Service) recordStatus(ctx context.Context, rec store.Verification, reason string) error {
	if err := s.Store.AddStatusChange(ctx, store.StatusChange{ID: store.NewID(), VerificationID: rec.ID, State: rec.State, Code: rec.Code,
		Errors: rec.Errors, Reason: reason, CreatedAt: rec.UpdatedAt}); err != nil {
		return err
	}
	data, _ := json.Marshal(struct {
		User         string `json:"user"`
		Verification string `json:"verification"`
		Client       string `json:"client"`
	}{rec.UserID, rec.ID, rec.ClientID})
	resource, err := json.Marshal(Render(rec))
	if err != nil {
		return err
	}
	return s.Outbox.Record(ctx, store.Event{ID: store.NewID(), PartnerID: rec.PartnerID, Environment: rec.Environment,
		Event: store.EventVerificationsUpdated, VerificationID: rec.ID, Data: data, Resource: resource, CreatedAt: rec.UpdatedAt})
}

// headTTL bounds how long a verification's head is answered from memory.
// Changes made through this Service drop the entry at once; the TTL bounds
// how stale a head can be after a change made by another process.
const headTTL = time.Second

// headCache keeps recently read verification heads by id.
type headCache struct {
	m     sync.Map // id → cachedHead
	count atomic.Uint64
}

type cachedHead struct {
	h      store.VerificationHead
	expiry time.Time
}

func (c *headCache) get(sc store.Scope, id string) (store.VerificationHead, bool) {
	if v, ok := c.m.Load(id); ok {
		ch := v.(cachedHead)
		if time.Now().Before(ch.expiry) && ch.h.PartnerID == sc.PartnerID && ch.h.Environment == sc.Environment {
			return ch.h, true
		}
	}
	return store.VerificationHead{}, false
}

func (c *headCache) put(h store.VerificationHead) {
	now := time.Now()
	if c.count.Add(1)%4096 == 0 {
		c.m.Range(func(k, v any) bool { // drop expired entries now and then
			if now.After(v.(cachedHead).expiry) {
				c.m.Delete(k)
			}
			return true
		})
	}
	c.m.Store(h.ID, cachedHead{h: h, expiry: now.Add(headTTL)})
}

func (c *headCache) forget(id string) { c.m.Delete(id) }

// AccountAggregated completes, once a payroll or banking account's data is
// stored (records, as the aggregation stored them), the verification that
// connected the account and every refresh waiting for it, each with a new
// report. A verification that connected several accounts completes when
// the last one is aggregated. Running it again for the same aggregation
// changes nothing.
func (s *Service) AccountAggregated(ctx context.Context, a store.Account, records []store.AccountRecord) error {
	if a.DataSource != Payroll && a.DataSource != Banking {
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
		if err := s.complete(ctx, sc, id, Aggregated{Account: a, Records: records}); err != nil {
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

// complete generates the report of a verification of from's data source and completes it.
func (s *Service) complete(ctx context.Context, sc store.Scope, id string, from Aggregated) error {
	a := from.Account
	rec, err := s.Store.Verification(ctx, sc, id)
	if errors.Is(err, store.ErrNotFound) {
		s.log().Warn("aggregated account names no verification", "account", a.ID, "verification", id)
		return nil
	}
	if err != nil {
		return err
	}
	st := Status{rec.State, rec.Code}
	if st.Terminal() || rec.DataSource != a.DataSource {
		return nil // completed already (a repeated hook), or cancelled
	}
	accts, err := s.Store.AccountsOfUser(ctx, rec.UserID, rec.DataSource)
	if err != nil {
		return err
	}
	for _, o := range accts {
		if o.ID != a.ID && o.VerificationID == rec.ID && (o.Aggregation == store.AggregationPending || o.Aggregation == store.AggregationRunning) {
			return nil
		}
	}
	if st != authenticated {
		if _, ok := Next(rec.DataSource, st, EventConnectionReused); !ok {
			s.log().Warn("verification cannot complete from its status", "verification", rec.ID, "status", st.String())
			return nil
		}
		// A refresh: the existing connection stands in for a new session.
		if rec, err = s.Transition(ctx, sc, rec.ID, Change{Event: EventConnectionReused}); err != nil {
			return err
		}
	}
	ref, err := s.Reports.Generate(ctx, rec, from)
	if err != nil {
		return err
	}
	_, err = s.Transition(ctx, sc, rec.ID, Change{Event: EventReportGenerated, Report: &ref, Errors: ref.Errors})
	var se *StateError
	if errors.As(err, &se) {
		s.log().Warn("verification changed before completion", "verification", rec.ID, "err", err)
		return nil
	}
	return err
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}
