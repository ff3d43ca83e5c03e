package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"verigate/internal/store"
)

// AccountInScope returns an account visible in scope.
func (s *Store) AccountInScope(ctx context.Context, sc store.Scope, id string) (store.Account, error) {
	a, err := scanAccount(s.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)))
	return a, s.mapErr(err)
}

// ongoingRefreshSQL is store.OngoingRefresh as a condition on accounts.
var ongoingRefreshSQL = map[string]string{
	store.OngoingRefreshIdle:     `data_source = 'documents'`,
	store.OngoingRefreshDisabled: `data_source <> 'documents' AND (connection_status = 'error' OR refresh_disabled_at IS NOT NULL)`,
	store.OngoingRefreshEnabled:  `data_source <> 'documents' AND connection_status <> 'error' AND refresh_disabled_at IS NULL`,
}

// ListAccounts returns one keyset page of accounts, newest first.
func (s *Store) ListAccounts(ctx context.Context, sc store.Scope, f store.AccountFilter, p store.Page) ([]store.Account, error) {
	w := tenantWhere(sc)
	if f.UserID != "" {
		w.add("user_id = $%d", f.UserID)
	}
	if f.Item != "" {
		w.add("item = $%d", f.Item)
	}
	if f.OngoingRefreshStatus != "" {
		cond, ok := ongoingRefreshSQL[f.OngoingRefreshStatus]
		if !ok {
			return nil, fmt.Errorf("sqlstore: unknown ongoing refresh status %q", f.OngoingRefreshStatus)
		}
		w.add(cond)
	}
	return listPage(ctx, s, "accounts", accountColumns, w, p, scanAccount)
}

const recordColumns = `id, kind, account_id, user_id, partner_id, environment, source_id, employment, record_date, data, rendered, created_at, updated_at`

func (s *Store) scanRecord(r scanner) (store.AccountRecord, error) {
	var rec store.AccountRecord
	var env string
	var data, rendered []byte
	var created, updated int64
	if err := r.Scan(&rec.ID, &rec.Kind, &rec.AccountID, &rec.UserID, &rec.PartnerID, &env, &rec.SourceID, &rec.Employment,
		&rec.Date, &data, &rendered, &created, &updated); err != nil {
		return rec, err
	}
	rec.Environment = store.Environment(env)
	var err error
	if rec.Data, err = s.openRecord(rec, "data", data); err != nil {
		return rec, err
	}
	if len(rendered) > 0 {
		if rec.Rendered, err = s.openRecord(rec, "rendered", rendered); err != nil {
			return rec, err
		}
	}
	rec.CreatedAt, rec.UpdatedAt = fromMS(created), fromMS(updated)
	return rec, nil
}

// RecordInScope returns a record of one kind visible in scope.
func (s *Store) RecordInScope(ctx context.Context, sc store.Scope, kind, id string) (store.AccountRecord, error) {
	rec, err := s.scanRecord(s.queryRow(ctx, `SELECT `+recordColumns+` FROM account_records WHERE id = $1 AND kind = $2 AND partner_id = $3 AND environment = $4`,
		id, kind, sc.PartnerID, string(sc.Environment)))
	return rec, s.mapErr(err)
}

// ListRecords returns one keyset page of records, by date then id, both descending.
// The cursor compares (record_date, id) as a pair, written out rather than
// as a row value so that both databases use the (…, record_date, id) indexes.
func (s *Store) ListRecords(ctx context.Context, sc store.Scope, kind string, f store.RecordFilter, p store.Page) ([]store.AccountRecord, error) {
	w := &where{}
	w.add("kind = $%d", kind)
	w.add("partner_id = $%d", sc.PartnerID)
	w.add("environment = $%d", string(sc.Environment))
	if f.UserID != "" {
		w.add("user_id = $%d", f.UserID)
	}
	if f.AccountID != "" {
		w.add("account_id = $%d", f.AccountID)
	}
	if f.Employment != "" {
		w.add("employment = $%d", f.Employment)
	}
	if f.FromDate != "" {
		w.add("record_date >= $%d", f.FromDate)
	}
	if f.ToDate != "" {
		w.add("record_date <= $%d", f.ToDate)
	}
	order := "DESC"
	switch {
	case p.Before != "":
		date, id, ok := store.ParseRecordKey(p.Before)
		if !ok {
			return nil, fmt.Errorf("sqlstore: invalid record key %q", p.Before)
		}
		w.add("(record_date > $%d OR (record_date = $%d AND id > $%d))", date, date, id)
		order = "ASC"
	case p.After != "":
		date, id, ok := store.ParseRecordKey(p.After)
		if !ok {
			return nil, fmt.Errorf("sqlstore: invalid record key %q", p.After)
		}
		w.add("(record_date < $%d OR (record_date = $%d AND id < $%d))", date, date, id)
	}
	w.args = append(w.args, p.Limit)
	q := fmt.Sprintf(`SELECT %s FROM account_records WHERE %s ORDER BY record_date %s, id %s LIMIT $%d`,
		recordColumns, w, order, order, len(w.args))
	rows, err := s.query(ctx, q, w.args...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.AccountRecord
	for rows.Next() {
		rec, err := s.scanRecord(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, s.mapErr(err)
	}
	if order == "ASC" {
		reverse(out)
	}
	return out, nil
}

// CountAccountRecords returns how many records of each kind an account
// has, from the (account_id, kind, source_id) index alone.
func (s *Store) CountAccountRecords(ctx context.Context, accountID string) (map[string]int, error) {
	rows, err := s.query(ctx, `SELECT kind, COUNT(*) FROM account_records WHERE account_id = $1 GROUP BY kind`, accountID)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, s.mapErr(err)
		}
		out[kind] = n
	}
	return out, s.mapErr(rows.Err())
}

// SummarizeRecords counts the given accounts' records by account and kind.
func (s *Store) SummarizeRecords(ctx context.Context, accountIDs []string) ([]store.RecordSummary, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	marks := make([]string, len(accountIDs))
	args := make([]any, len(accountIDs))
	for i, id := range accountIDs {
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = id
	}
	// Dates are compared only where set: identities have none.
	q := `SELECT account_id, kind, COUNT(*), COALESCE(MIN(NULLIF(record_date, '')), ''), COALESCE(MAX(NULLIF(record_date, '')), ''), MAX(updated_at)
FROM account_records WHERE account_id IN (` + strings.Join(marks, ", ") + `) GROUP BY account_id, kind ORDER BY account_id, kind`
	var rows *sql.Rows
	var err error
	if len(accountIDs) <= 16 {
		rows, err = s.query(ctx, q, args...) // a handful of shapes: worth caching
	} else {
		rows, err = s.reader(ctx).QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.RecordSummary
	for rows.Next() {
		var r store.RecordSummary
		var updated int64
		if err := rows.Scan(&r.AccountID, &r.Kind, &r.Count, &r.FirstDate, &r.LastDate, &updated); err != nil {
			return nil, s.mapErr(err)
		}
		r.UpdatedAt = fromMS(updated)
		out = append(out, r)
	}
	return out, s.mapErr(rows.Err())
}
