package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"verigate/internal/partner"
	"verigate/internal/payroll"
	"verigate/internal/store"
)

// SyncStore is the storage Sync needs besides its Outbox's.
type SyncStore interface {
	Subscriptions(ctx context.Context, s store.Scope) ([]store.Subscription, error)
	SummarizeRecords(ctx context.Context, accountIDs []string) ([]store.RecordSummary, error)
	ListAccounts(ctx context.Context, s store.Scope, f store.AccountFilter, p store.Page) ([]store.Account, error)
	User(ctx context.Context, s store.Scope, id string) (store.User, error)
}

// Sync records the account, data and user events of the /v2 catalogue.
// Every method is called inside the transaction that makes the change it
// reports (linkflow's connection, each stored batch of an aggregation, an
// account's deletion) and records its events through the Outbox in that
// transaction, so the events commit or roll back with the change.
//
// Events are ordered per user (store.Event.OrderKey): a subscription gets
// a user's account, data and user events one after another, in the order
// they were recorded. An event no live subscription asks for is not
// recorded at all.
type Sync struct {
	Outbox *Outbox
	Store  SyncStore
	Now    func() time.Time
}

// Notify tells the dispatcher that recorded events may be due; call it
// once the recording transaction has committed.
func (s *Sync) Notify() { s.Outbox.Notify() }

// AccountConnected records accounts.added, accounts.connected and
// accounts.updated for an account stored by a successful sign-in.
func (s *Sync) AccountConnected(ctx context.Context, a store.Account) error {
	return s.accountEvents(ctx, a, EventAccountsAdded, EventAccountsConnected, EventAccountsUpdated)
}

// AccountReconnected records accounts.connected and accounts.updated for an
// existing account that a sign-in connected again (Link's reconnection):
// no accounts.added, the account is not new.
func (s *Sync) AccountReconnected(ctx context.Context, a store.Account) error {
	return s.accountEvents(ctx, a, EventAccountsConnected, EventAccountsUpdated)
}

// AccountFailed records accounts.failed and accounts.updated for an account
// whose aggregation failed for good.
func (s *Sync) AccountFailed(ctx context.Context, a store.Account) error {
	return s.accountEvents(ctx, a, EventAccountsFailed, EventAccountsUpdated)
}

// AccountRemoved records accounts.removed for an account being deleted;
// call it in the transaction that deletes it (the account as it was).
func (s *Sync) AccountRemoved(ctx context.Context, a store.Account) error {
	subs, err := s.subscriptions(ctx, a)
	if err != nil {
		return err
	}
	return s.emit(ctx, a, subs, EventAccountsRemoved, accountData{Account: a.ID, User: a.UserID}, nil)
}

// Retrieved records the events of one stored batch of an account's initial
// retrieval: an added event per new identity, employment and payroll
// document; for each synced kind still incomplete, partially_synced to the
// subscriptions whose days_synced lies in (prevDays, days] (the batches
// now cover days days back from the kind's most recent record, the
// previous ones prevDays); and with the final batch, fully_synced for each
// synced kind, accounts.updated and, once every payroll account of the
// user is retrieved, users.fully_synced and reports.ready.
func (s *Sync) Retrieved(ctx context.Context, a store.Account, records []store.AccountRecord, prevDays, days int, incomplete []string, final bool) error {
	subs, err := s.subscriptions(ctx, a)
	if err != nil {
		return err
	}
	if err := s.perRecord(ctx, a, subs, suffixAdded, records); err != nil {
		return err
	}
	sums, err := s.summaries(ctx, a)
	if err != nil {
		return err
	}
	if !final {
		for _, kind := range sortedKinds(incomplete) {
			ev, ok := RecordKinds[kind]
			if !ok || !ev.Synced {
				continue
			}
			name := ev.Resource + "." + suffixPartiallySynced
			byDays := map[int][]string{}
			for _, sub := range subs {
				n := sub.DaysSynced
				if n == 0 {
					n = DefaultDaysSynced
				}
				if slices.Contains(sub.Events, name) && prevDays < n && n <= days {
					byDays[n] = append(byDays[n], sub.ID)
				}
			}
			ns := make([]int, 0, len(byDays))
			for n := range byDays {
				ns = append(ns, n)
			}
			sort.Ints(ns)
			for _, n := range ns {
				d := syncData(a, sums[kind])
				d.DaysSynced = n
				if err := s.emitTo(ctx, a, byDays[n], name, d, nil); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, kind := range s.syncedKinds(a, sums) {
		if err := s.emit(ctx, a, subs, RecordKinds[kind].Resource+"."+suffixFullySynced, syncData(a, sums[kind]), nil); err != nil {
			return err
		}
	}
	if err := s.accountEventsWith(ctx, a, subs, sums, EventAccountsUpdated); err != nil {
		return err
	}
	return s.userSynced(ctx, a, subs, true)
}

// Refreshed records the events of a refresh (a later aggregation of an
// account) by comparing the records stored before it with the records it
// stored: per synced kind, one added, updated and removed event with the
// counts and date ranges of the records that are new, changed or gone; per
// other kind, one event per record; then accounts.updated and, for a
// payroll account once the user's payroll accounts are all retrieved,
// reports.ready.
func (s *Sync) Refreshed(ctx context.Context, a store.Account, before, after []store.AccountRecord) error {
	subs, err := s.subscriptions(ctx, a)
	if err != nil {
		return err
	}
	sums, err := s.summaries(ctx, a)
	if err != nil {
		return err
	}
	old := map[string]store.AccountRecord{}
	for _, r := range before {
		old[r.ID] = r
	}
	seen := map[string]bool{}
	var added, updated, removed []store.AccountRecord
	for _, r := range after {
		seen[r.ID] = true
		prev, ok := old[r.ID]
		switch {
		case !ok:
			added = append(added, r)
		case string(prev.Data) != string(r.Data) || prev.Date != r.Date || prev.Employment != r.Employment:
			updated = append(updated, r)
		}
	}
	for _, r := range before {
		if !seen[r.ID] {
			removed = append(removed, r)
		}
	}
	for _, change := range []struct {
		suffix  string
		records []store.AccountRecord
	}{{suffixAdded, added}, {suffixUpdated, updated}, {suffixRemoved, removed}} {
		if err := s.perRecord(ctx, a, subs, change.suffix, change.records); err != nil {
			return err
		}
		byKind := map[string][]store.AccountRecord{}
		for _, r := range change.records {
			if ev, ok := RecordKinds[r.Kind]; ok && ev.Synced {
				byKind[r.Kind] = append(byKind[r.Kind], r)
			}
		}
		for _, kind := range sortedKeys(byKind) {
			d := syncData(a, sums[kind])
			rs := byKind[kind]
			count, from, to := len(rs), stampDate(minDate(rs)), stampDate(maxDate(rs))
			switch change.suffix {
			case suffixAdded:
				d.AddedCount, d.AddedFrom, d.AddedTo = &count, from, to
			case suffixUpdated:
				d.UpdatedCount, d.UpdatedFrom, d.UpdatedTo = &count, from, to
			case suffixRemoved:
				d.RemovedCount, d.RemovedFrom, d.RemovedTo = &count, from, to
			}
			if err := s.emit(ctx, a, subs, RecordKinds[kind].Resource+"."+change.suffix, d, nil); err != nil {
				return err
			}
		}
	}
	if err := s.accountEventsWith(ctx, a, subs, sums, EventAccountsUpdated); err != nil {
		return err
	}
	if a.DataSource != "payroll" {
		return nil
	}
	return s.userSynced(ctx, a, subs, false)
}

// perRecord records "<resource>.<suffix>" for each record of a per-record kind.
func (s *Sync) perRecord(ctx context.Context, a store.Account, subs []store.Subscription, suffix string, records []store.AccountRecord) error {
	for _, r := range records {
		ev, ok := RecordKinds[r.Kind]
		if !ok || ev.Synced {
			continue
		}
		if err := s.emit(ctx, a, subs, ev.Resource+"."+suffix, recordData(a, ev.Field, r.ID), nil); err != nil {
			return err
		}
	}
	return nil
}

// syncedKinds lists the synced kinds an account's final batch reports
// fully_synced for: those it has records of, and paystubs for every payroll
// account (with a count of 0 when there are none).
func (s *Sync) syncedKinds(a store.Account, sums map[string]store.RecordSummary) []string {
	var out []string
	for kind, ev := range RecordKinds {
		if !ev.Synced {
			continue
		}
		if sums[kind].Count > 0 || (kind == store.RecordPaystub && a.DataSource == "payroll") {
			out = append(out, kind)
		}
	}
	return sortedKinds(out)
}

// userSynced records, when no payroll account of a's user is waiting for
// or in its initial retrieval and at least one of them was retrieved,
// users.fully_synced (after an initial retrieval only) and then
// reports.ready, which names the payroll accounts a report is built from.
func (s *Sync) userSynced(ctx context.Context, a store.Account, subs []store.Subscription, initial bool) error {
	wantUser := initial && len(Subscribers(subs, EventUsersFullySynced)) > 0
	wantReady := len(Subscribers(subs, EventReportsReady)) > 0
	if !wantUser && !wantReady {
		return nil
	}
	sc := store.Scope{PartnerID: a.PartnerID, Environment: a.Environment}
	accts, err := s.Store.ListAccounts(ctx, sc, store.AccountFilter{UserID: a.UserID}, store.Page{Limit: 200})
	if err != nil {
		return err
	}
	done := []string{}
	ready := []readyAccount{}
	for _, x := range accts {
		if x.DataSource != "payroll" && x.DataSource != "gig" {
			continue // a gig platform is one of the user's payroll accounts too
		}
		switch {
		case x.Aggregation == store.AggregationDone:
			done = append(done, x.ID)
			if x.DataSource == "payroll" && x.ScannedAt != nil {
				ready = append(ready, readyAccount{ID: x.ID, LastSyncedAt: stamp(*x.ScannedAt)})
			}
		case x.Aggregation == store.AggregationFailed:
		case x.ScannedAt == nil:
			return nil // still in its initial retrieval
		}
	}
	if len(done) == 0 {
		return nil
	}
	slices.Sort(done)
	slices.SortFunc(ready, func(x, y readyAccount) int { return strings.Compare(x.ID, y.ID) })
	u, err := s.Store.User(ctx, sc, a.UserID)
	if err != nil {
		return err
	}
	if wantUser {
		view, err := partner.View(u)
		if err != nil {
			return err
		}
		// The user resource is part of every users.fully_synced message, as
		// the platform's reference shows it (clients read accounts_connected
		// from it), include_resource or not.
		data := struct {
			User     string       `json:"user"`
			Resource userResource `json:"resource"`
		}{a.UserID, userResource{ID: u.ID, AccountsConnected: done, ItemsConnected: view.ItemsConnected,
			EmployersConnected: view.EmployersConnected, ExternalMetadata: view.ExternalMetadata, ExternalID: u.ExternalID,
			CreatedAt: stamp(u.CreatedAt)}}
		if err := s.emit(ctx, a, subs, EventUsersFullySynced, data, nil); err != nil {
			return err
		}
	}
	if !wantReady || len(ready) == 0 {
		return nil // a report is built from payroll accounts, not gig ones
	}
	return s.emit(ctx, a, subs, EventReportsReady, readyData{User: u.ID, ExternalID: u.ExternalID, Accounts: ready}, nil)
}

// ReportGenerated records reports.generated for a /v2 report just stored;
// call it in the transaction that stores the report.
func (s *Sync) ReportGenerated(ctx context.Context, r store.UserReport) error {
	subs, err := s.Store.Subscriptions(ctx, store.Scope{PartnerID: r.PartnerID, Environment: r.Environment})
	if err != nil {
		return err
	}
	a := store.Account{PartnerID: r.PartnerID, Environment: r.Environment, UserID: r.UserID}
	return s.emit(ctx, a, subs, EventReportsGenerated, generatedData{User: r.UserID, ExternalID: r.ExternalID, Type: r.Type, Report: r.ID}, nil)
}

func (s *Sync) accountEvents(ctx context.Context, a store.Account, names ...string) error {
	subs, err := s.subscriptions(ctx, a)
	if err != nil {
		return err
	}
	sums, err := s.summaries(ctx, a)
	if err != nil {
		return err
	}
	return s.accountEventsWith(ctx, a, subs, sums, names...)
}

// accountEventsWith records account events whose resource is the account
// as GET /v2/accounts/{id} shows it at the change.
func (s *Sync) accountEventsWith(ctx context.Context, a store.Account, subs []store.Subscription, sums map[string]store.RecordSummary, names ...string) error {
	list := make([]store.RecordSummary, 0, len(sums))
	for _, k := range sortedKeys(sums) {
		list = append(list, sums[k])
	}
	resource, err := json.Marshal(payroll.RenderAccount(a, list))
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := s.emit(ctx, a, subs, name, accountData{Account: a.ID, User: a.UserID}, resource); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sync) subscriptions(ctx context.Context, a store.Account) ([]store.Subscription, error) {
	return s.Store.Subscriptions(ctx, store.Scope{PartnerID: a.PartnerID, Environment: a.Environment})
}

func (s *Sync) summaries(ctx context.Context, a store.Account) (map[string]store.RecordSummary, error) {
	list, err := s.Store.SummarizeRecords(ctx, []string{a.ID})
	if err != nil {
		return nil, err
	}
	out := map[string]store.RecordSummary{}
	for _, sum := range list {
		if sum.AccountID == a.ID {
			out[sum.Kind] = sum
		}
	}
	return out, nil
}

// emit records an event for the subscriptions to name, if there are any.
func (s *Sync) emit(ctx context.Context, a store.Account, subs []store.Subscription, name string, data any, resource json.RawMessage) error {
	return s.emitTo(ctx, a, Subscribers(subs, name), name, data, resource)
}

func (s *Sync) emitTo(ctx context.Context, a store.Account, ids []string, name string, data any, resource json.RawMessage) error {
	if len(ids) == 0 {
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("%s data: %w", name, err)
	}
	e := store.Event{ID: store.NewID(), PartnerID: a.PartnerID, Environment: a.Environment, Event: name, Data: b,
		Resource: resource, OrderKey: a.UserID, CreatedAt: s.Now().UTC().Truncate(time.Millisecond)}
	return s.Outbox.RecordTo(ctx, e, ids)
}

// accountData is the data of accounts.* events (and, with only its
// fields, of events about an account's records).
type accountData struct {
	Account string `json:"account"`
	User    string `json:"user"`
}

type userData struct {
	User string `json:"user"`
}

// readyData is the data of reports.ready.
type readyData struct {
	User       string         `json:"user"`
	ExternalID *string        `json:"external_id"`
	Accounts   []readyAccount `json:"accounts"`
}

type readyAccount struct {
	ID           string `json:"id"`
	LastSyncedAt string `json:"last_synced_at"`
}

// generatedData is the data of reports.generated.
type generatedData struct {
	User       string  `json:"user"`
	ExternalID *string `json:"external_id"`
	Type       string  `json:"type"`
	Report     string  `json:"report"`
}

// userResource is users.fully_synced's resource.
type userResource struct {
	ID                 string                     `json:"id"`
	AccountsConnected  []string                   `json:"accounts_connected"`
	ItemsConnected     []string                   `json:"items_connected"`
	EmployersConnected []string                   `json:"employers_connected"`
	ExternalMetadata   map[string]json.RawMessage `json:"external_metadata"`
	ExternalID         *string                    `json:"external_id"`
	CreatedAt          string                     `json:"created_at"`
}

// recordData is the data of a per-record event: account, user and the
// record's id under field ("identity", "employment", ...).
func recordData(a store.Account, field, id string) json.RawMessage {
	b, _ := json.Marshal(accountData{Account: a.ID, User: a.UserID})
	f, _ := json.Marshal(field)
	v, _ := json.Marshal(id)
	return json.RawMessage(string(b[:len(b)-1]) + "," + string(f) + ":" + string(v) + "}")
}

// syncedData is the data of a synced kind's events.
type syncedData struct {
	Account        string  `json:"account"`
	User           string  `json:"user"`
	AvailableFrom  *string `json:"available_from"`
	AvailableTo    *string `json:"available_to"`
	AvailableCount int     `json:"available_count"`
	DaysSynced     int     `json:"days_synced,omitempty"`
	AddedCount     *int    `json:"added_count,omitempty"`
	AddedFrom      *string `json:"added_from,omitempty"`
	AddedTo        *string `json:"added_to,omitempty"`
	UpdatedCount   *int    `json:"updated_count,omitempty"`
	UpdatedFrom    *string `json:"updated_from,omitempty"`
	UpdatedTo      *string `json:"updated_to,omitempty"`
	RemovedCount   *int    `json:"removed_count,omitempty"`
	RemovedFrom    *string `json:"removed_from,omitempty"`
	RemovedTo      *string `json:"removed_to,omitempty"`
}

func syncData(a store.Account, sum store.RecordSummary) syncedData {
	return syncedData{Account: a.ID, User: a.UserID, AvailableFrom: stampDate(sum.FirstDate), AvailableTo: stampDate(sum.LastDate),
		AvailableCount: sum.Count}
}

// stampDate renders a record date as the timestamps of the data it
// summarizes ("2025-05-30T00:00:00Z"), or nil for "".
func stampDate(d string) *string {
	if d == "" {
		return nil
	}
	s := d + "T00:00:00Z"
	return &s
}

func minDate(rs []store.AccountRecord) string {
	out := ""
	for _, r := range rs {
		if r.Date != "" && (out == "" || r.Date < out) {
			out = r.Date
		}
	}
	return out
}

func maxDate(rs []store.AccountRecord) string {
	out := ""
	for _, r := range rs {
		if r.Date > out {
			out = r.Date
		}
	}
	return out
}

func sortedKinds(kinds []string) []string {
	out := slices.Clone(kinds)
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
