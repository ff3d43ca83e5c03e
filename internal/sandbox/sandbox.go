// Package sandbox holds the controls integrators use to test against a
// sandbox tenant: shorter link and user-token lifetimes, a clock moved
// forward, a test webhook event sent on request, and new paystubs added
// to a connected account now. Every control refuses production tenants.
package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
	"verigate/internal/value"
	"verigate/internal/verification"
)

// ErrProduction refuses a control asked for with a production key.
var ErrProduction = errors.New("sandbox: the sandbox controls serve sandbox keys only")

// Limits of the controls.
const (
	// MinLifetime and MaxLifetime bound a link or user-token lifetime; the
	// default of both is one hour.
	MinLifetime = 10 * time.Second
	MaxLifetime = time.Hour
	// MaxClockOffset bounds how far a tenant's clock may run ahead.
	MaxClockOffset = 800 * 24 * time.Hour
	// MaxNewPaystubs bounds the paystubs one request adds.
	MaxNewPaystubs = 12
	// settingsTTL bounds how long settings are answered from memory
	// after a change made by another process.
	settingsTTL = time.Second
)

// Store is the storage the controls need.
type Store interface {
	SandboxSettings(ctx context.Context, partnerID string) (store.SandboxSettings, error)
	SaveSandboxSettings(ctx context.Context, st store.SandboxSettings) error
	Subscription(ctx context.Context, sc store.Scope, id string) (store.Subscription, error)
	AccountInScope(ctx context.Context, sc store.Scope, id string) (store.Account, error)
	AccountRecords(ctx context.Context, accountID, kind string) ([]store.AccountRecord, error)
	// RequeueAggregation sets an aggregated account back to pending, so
	// the worker fetches its data again as a refresh.
	RequeueAggregation(ctx context.Context, sc store.Scope, accountID string, at time.Time) error
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Outbox records webhook events to chosen subscriptions.
type Outbox interface {
	RecordTo(ctx context.Context, e store.Event, subscriptionIDs []string) error
	Notify()
}

// Secrets opens an account's sealed connection.
type Secrets interface {
	Open(tok string, dst any) error
}

// Service applies and answers the controls.
type Service struct {
	Store  Store
	Outbox Outbox
	// Connectors are the sandbox connectors "add paystubs" asks for the
	// paystubs to come; Secrets opens the accounts' connections for them.
	Connectors datasource.Registry
	Secrets    Secrets
	// Requeued, if set, is called after an account was queued for aggregation.
	Requeued func()
	Now      func() time.Time

	cache sync.Map // partner id → cached
}

type cached struct {
	st     store.SandboxSettings
	expiry time.Time
}

// settings returns a partner's settings, from memory for up to settingsTTL.
func (s *Service) settings(ctx context.Context, partnerID string) (store.SandboxSettings, error) {
	now := time.Now()
	if c, ok := s.cache.Load(partnerID); ok && now.Before(c.(cached).expiry) {
		return c.(cached).st, nil
	}
	st, err := s.Store.SandboxSettings(ctx, partnerID)
	if err != nil {
		return st, err
	}
	s.cache.Store(partnerID, cached{st, now.Add(settingsTTL)})
	return st, nil
}

// Clock returns the tenant's time: the real time, moved forward by a
// sandbox tenant's offset. It reads in ctx's transaction, if any. Should
// the settings not be readable, it is the real time.
func (s *Service) Clock(ctx context.Context, sc store.Scope) time.Time {
	now := s.Now()
	if sc.Environment != store.Sandbox {
		return now
	}
	st, err := s.settings(ctx, sc.PartnerID)
	if err != nil {
		return now
	}
	return now.Add(st.ClockOffset)
}

// LinkLifetime returns how long the tenant's session links work, or def.
func (s *Service) LinkLifetime(ctx context.Context, sc store.Scope, def time.Duration) time.Duration {
	return s.lifetime(ctx, sc, def, func(st store.SandboxSettings) time.Duration { return st.LinkLifetime })
}

// TokenLifetime returns how long the tenant's user tokens are valid, or def.
func (s *Service) TokenLifetime(ctx context.Context, sc store.Scope, def time.Duration) time.Duration {
	return s.lifetime(ctx, sc, def, func(st store.SandboxSettings) time.Duration { return st.TokenLifetime })
}

func (s *Service) lifetime(ctx context.Context, sc store.Scope, def time.Duration, of func(store.SandboxSettings) time.Duration) time.Duration {
	if sc.Environment != store.Sandbox {
		return def
	}
	st, err := s.settings(ctx, sc.PartnerID)
	if err != nil || of(st) == 0 {
		return def
	}
	return of(st)
}

// View is the tenant's settings as the API shows them; lifetimes are null
// while they are the default.
type View struct {
	LinkLifetimeSeconds      *int64 `json:"link_lifetime_seconds"`
	UserTokenLifetimeSeconds *int64 `json:"user_token_lifetime_seconds"`
	ClockOffsetSeconds       int64  `json:"clock_offset_seconds"`
	// Now is the tenant's clock.
	Now string `json:"now"`
}

func (s *Service) view(st store.SandboxSettings) View {
	secs := func(d time.Duration) *int64 {
		if d == 0 {
			return nil
		}
		n := int64(d / time.Second)
		return &n
	}
	return View{LinkLifetimeSeconds: secs(st.LinkLifetime), UserTokenLifetimeSeconds: secs(st.TokenLifetime),
		ClockOffsetSeconds: int64(st.ClockOffset / time.Second), Now: s.Now().Add(st.ClockOffset).UTC().Format(partner.TimeFormat)}
}

func refuseProduction(p partner.Principal) error {
	if p.Environment != store.Sandbox {
		return ErrProduction
	}
	return nil
}

// Settings returns the caller's sandbox settings.
func (s *Service) Settings(ctx context.Context, p partner.Principal) (View, error) {
	if err := refuseProduction(p); err != nil {
		return View{}, err
	}
	st, err := s.Store.SandboxSettings(ctx, p.PartnerID)
	return s.view(st), err
}

// SettingsInput is the body of a settings update: absent fields keep their
// value, null lifetimes return to the default.
type SettingsInput struct {
	LinkLifetimeSeconds      v.Opt[int64] `json:"link_lifetime_seconds"`
	UserTokenLifetimeSeconds v.Opt[int64] `json:"user_token_lifetime_seconds"`
	ClockOffsetSeconds       v.Opt[int64] `json:"clock_offset_seconds"`
	AdvanceClockSeconds      v.Opt[int64] `json:"advance_clock_seconds"`
}

// UpdateSettings changes the caller's sandbox settings.
func (s *Service) UpdateSettings(ctx context.Context, p partner.Principal, in SettingsInput) (View, error) {
	if err := refuseProduction(p); err != nil {
		return View{}, err
	}
	var out store.SandboxSettings
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		st, err := s.Store.SandboxSettings(ctx, p.PartnerID)
		if err != nil {
			return err
		}
		errs := v.Errors{}
		lifetime := func(field string, o v.Opt[int64], dst *time.Duration) {
			switch {
			case o.Null:
				*dst = 0 // the default
				return
			case !o.Set:
				return
			}
			d := time.Duration(o.V) * time.Second
			if d < MinLifetime || d > MaxLifetime {
				errs.Add(field, fmt.Sprintf("Ensure this value is between %d and %d (seconds), or null for the default of %d.",
					int64(MinLifetime/time.Second), int64(MaxLifetime/time.Second), int64(MaxLifetime/time.Second)))
				return
			}
			*dst = d
		}
		lifetime("link_lifetime_seconds", in.LinkLifetimeSeconds, &st.LinkLifetime)
		lifetime("user_token_lifetime_seconds", in.UserTokenLifetimeSeconds, &st.TokenLifetime)
		offset := st.ClockOffset
		if in.ClockOffsetSeconds.Has() && in.AdvanceClockSeconds.Has() {
			errs.Add("advance_clock_seconds", "Give clock_offset_seconds or advance_clock_seconds, not both.")
		}
		if v.NotNull(errs, "clock_offset_seconds", in.ClockOffsetSeconds) {
			offset = time.Duration(in.ClockOffsetSeconds.V) * time.Second
		}
		if v.NotNull(errs, "advance_clock_seconds", in.AdvanceClockSeconds) {
			if in.AdvanceClockSeconds.V < 0 {
				errs.Add("advance_clock_seconds", "Ensure this value is greater than or equal to 0: the clock only moves forward.")
			}
			offset += time.Duration(in.AdvanceClockSeconds.V) * time.Second
		}
		if offset < 0 || offset > MaxClockOffset {
			field := "clock_offset_seconds"
			if in.AdvanceClockSeconds.Has() {
				field = "advance_clock_seconds"
			}
			errs.Add(field, fmt.Sprintf("The clock may run from 0 to %d seconds (%d days) ahead.",
				int64(MaxClockOffset/time.Second), int(MaxClockOffset.Hours()/24)))
		}
		if err := errs.Err(); err != nil {
			return err
		}
		st.PartnerID, st.ClockOffset, st.UpdatedAt = p.PartnerID, offset, s.Now().UTC().Truncate(time.Millisecond)
		out = st
		return s.Store.SaveSandboxSettings(ctx, st)
	})
	if err != nil {
		return View{}, err
	}
	s.cache.Delete(p.PartnerID)
	return s.view(out), nil
}

// TestEventInput is the body of a test webhook request.
type TestEventInput struct {
	Event v.Opt[string] `json:"event"`
}

// TestEvent is the event a test webhook request recorded.
type TestEvent struct {
	ID           string          `json:"id"`
	Event        string          `json:"event"`
	Subscription string          `json:"subscription"`
	Data         json.RawMessage `json:"data"`
	CreatedAt    string          `json:"created_at"`
}

// FireWebhook records a test event of one of a subscription's events for
// that subscription alone; the dispatcher signs, delivers and retries it
// like any other.
func (s *Service) FireWebhook(ctx context.Context, p partner.Principal, subscriptionID string, in TestEventInput) (TestEvent, error) {
	if err := refuseProduction(p); err != nil {
		return TestEvent{}, err
	}
	sub, err := s.Store.Subscription(ctx, p.Scope(), subscriptionID)
	if err != nil {
		return TestEvent{}, err
	}
	errs := v.Errors{}
	if v.Required(errs, "event", in.Event) && !slices.Contains(sub.Events, in.Event.V) {
		errs.Add("event", fmt.Sprintf("The subscription does not receive %q; it receives %s.", in.Event.V, strings.Join(sub.Events, ", ")))
	}
	if err := errs.Err(); err != nil {
		return TestEvent{}, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	data, _ := json.Marshal(map[string]any{"test": true})
	e := store.Event{ID: store.NewID(), PartnerID: p.PartnerID, Environment: p.Environment, Event: in.Event.V, Data: data,
		OrderKey: "test:" + sub.ID, CreatedAt: now}
	if err := s.Outbox.RecordTo(ctx, e, []string{sub.ID}); err != nil {
		return TestEvent{}, err
	}
	s.Outbox.Notify()
	return TestEvent{ID: e.ID, Event: e.Event, Subscription: sub.ID, Data: data, CreatedAt: now.Format(partner.TimeFormat)}, nil
}

// PaystubsInput is the body of an "add paystubs" request.
type PaystubsInput struct {
	Count v.Opt[int] `json:"count"`
}

// NewPaystubs says what an "add paystubs" request did.
type NewPaystubs struct {
	Account string `json:"account"`
	// PayDates are the new paystubs' pay dates, oldest first.
	PayDates []string `json:"pay_dates"`
	// Now is the tenant's clock, moved to the last of them if it was earlier.
	Now string `json:"now"`
	// Aggregation is the account's aggregation status: pending, until the
	// worker has fetched the new paystubs.
	Aggregation string `json:"aggregation"`
}

// AddPaystubs makes a connected sandbox payroll account's next paydays
// come now: it moves the tenant's clock forward to the count-th payday
// after the account's latest paystub (when it is earlier) and queues the
// account's re-aggregation, which stores the new paystubs and sends
// paystubs.added and the other refresh events as a refresh does.
func (s *Service) AddPaystubs(ctx context.Context, p partner.Principal, accountID string, in PaystubsInput) (NewPaystubs, error) {
	if err := refuseProduction(p); err != nil {
		return NewPaystubs{}, err
	}
	errs := v.Errors{}
	count := 1
	if v.NotNull(errs, "count", in.Count) {
		count = in.Count.V
		if count < 1 || count > MaxNewPaystubs {
			errs.Add("count", fmt.Sprintf("Ensure this value is between 1 and %d.", MaxNewPaystubs))
		}
	}
	if err := errs.Err(); err != nil {
		return NewPaystubs{}, err
	}
	a, err := s.Store.AccountInScope(ctx, p.Scope(), accountID)
	if err != nil {
		return NewPaystubs{}, err
	}
	switch {
	case a.DataSource != verification.Payroll:
		return NewPaystubs{}, v.Field("account", "Paystubs are added to payroll accounts; this is a "+a.DataSource+" account.")
	case store.OngoingRefresh(a) != store.OngoingRefreshEnabled:
		return NewPaystubs{}, v.Field("account", "The account's ongoing refresh is disabled; connect it again.")
	case a.Aggregation != store.AggregationDone:
		return NewPaystubs{}, errRetrieving
	}
	dates, err := s.nextPaydays(ctx, a, count)
	if err != nil {
		return NewPaystubs{}, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	var st store.SandboxSettings
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if st, err = s.Store.SandboxSettings(ctx, p.PartnerID); err != nil {
			return err
		}
		last := dates[len(dates)-1]
		if today := value.DateOf(now.Add(st.ClockOffset)); today.Before(last) {
			st.ClockOffset += time.Duration(daysBetween(today, last)) * 24 * time.Hour
			if st.ClockOffset > MaxClockOffset {
				return v.Field("count", "The paydays lie beyond the furthest the clock may move; add fewer paystubs.")
			}
			st.PartnerID, st.UpdatedAt = p.PartnerID, now
			if err := s.Store.SaveSandboxSettings(ctx, st); err != nil {
				return err
			}
		}
		return s.Store.RequeueAggregation(ctx, p.Scope(), a.ID, now)
	})
	if errors.Is(err, store.ErrConflict) {
		return NewPaystubs{}, errRetrieving // its aggregation started meanwhile
	}
	if err != nil {
		return NewPaystubs{}, err
	}
	s.cache.Delete(p.PartnerID)
	if s.Requeued != nil {
		s.Requeued()
	}
	out := NewPaystubs{Account: a.ID, Now: now.Add(st.ClockOffset).Format(partner.TimeFormat), Aggregation: store.AggregationPending}
	for _, d := range dates {
		out.PayDates = append(out.PayDates, d.String())
	}
	return out, nil
}

var errReconnect = v.Field("account", "The sandbox no longer accepts the account's connection; connect it again.")

var errRetrieving = v.Field("account", "The account's data is being retrieved; add paystubs once its aggregation is done.")

func daysBetween(a, b value.Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// horizon is how far ahead nextPaydays looks for each paystub asked for:
// longer than any pay cycle.
const horizon = 40 * 24 * time.Hour

// nextPaydays asks the account's connector for its data ahead of time
// and returns the pay dates of the count paystubs after the latest stored one.
func (s *Service) nextPaydays(ctx context.Context, a store.Account, count int) ([]value.Date, error) {
	cx, ok := s.Connectors.For(string(a.Environment), a.DataSource)
	if !ok {
		return nil, fmt.Errorf("sandbox: no connector for %s in %s", a.DataSource, a.Environment)
	}
	var conn datasource.Connection
	if err := s.Secrets.Open(a.Connection, &conn); err != nil {
		return nil, errReconnect
	}
	recs, err := s.Store.AccountRecords(ctx, a.ID, store.RecordPaystub)
	if err != nil {
		return nil, err
	}
	var latest value.Date
	for _, r := range recs {
		if d, err := value.ParseDate(r.Date); err == nil && d.After(latest) {
			latest = d
		}
	}
	ahead := s.Clock(ctx, store.Scope{PartnerID: a.PartnerID, Environment: a.Environment}).Add(time.Duration(count) * horizon)
	data, err := cx.Aggregate(datasource.WithNow(ctx, ahead), conn)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, errReconnect // the connector refuses the connection now
	}
	var dates []value.Date
	for _, ps := range data.Paystubs {
		if ps.PaystubDate.After(latest) {
			dates = append(dates, ps.PaystubDate)
		}
	}
	slices.SortFunc(dates, value.Date.Compare)
	dates = slices.Compact(dates)
	if len(dates) < count {
		return nil, v.Field("account", "The account has no further paydays: its jobs have ended.")
	}
	return dates[:count], nil
}
