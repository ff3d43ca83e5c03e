package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"verigate/internal/store"
)

// CreateVerification stores a new verification.
func (s *Store) CreateVerification(ctx context.Context, v store.Verification) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO verifications (id, partner_id, environment, client_id, user_id, channel, data_source, report_type, state, code, errors,
report_id, file_url, json_url, report_configuration, employments, loan, billing, loan_number, created_at, updated_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 1)`,
			v.ID, v.PartnerID, string(v.Environment), v.ClientID, v.UserID, v.Channel, v.DataSource, v.ReportType, v.State, v.Code, orEmpty(v.Errors, "[]"),
			v.ReportID, v.FileURL, v.JSONURL, nullJSON(v.ReportConfiguration), orEmpty(v.Employments, "[]"), orEmpty(v.Loan, "{}"), orEmpty(v.Billing, "{}"),
			v.LoanNumber, ms(v.CreatedAt), ms(v.UpdatedAt))
		return err
	})
}

// AddStatusChange appends an entry to a verification's status history.
func (s *Store) AddStatusChange(ctx context.Context, c store.StatusChange) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO verification_status_history (id, verification_id, state, code, errors, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, c.VerificationID, c.State, c.Code, orEmpty(c.Errors, "[]"), c.Reason, ms(c.CreatedAt))
		return err
	})
}

const verificationColumns = `id, partner_id, environment, client_id, user_id, channel, data_source, report_type, state, code, errors,
report_id, file_url, json_url, report_configuration, employments, loan, billing, loan_number, created_at, updated_at, version`

func scanVerification(r scanner) (store.Verification, error) {
	var v store.Verification
	var env, errs, employments, loan, billing string
	var cfg sql.NullString
	var created, updated int64
	err := r.Scan(&v.ID, &v.PartnerID, &env, &v.ClientID, &v.UserID, &v.Channel, &v.DataSource, &v.ReportType, &v.State, &v.Code, &errs,
		&v.ReportID, &v.FileURL, &v.JSONURL, &cfg, &employments, &loan, &billing, &v.LoanNumber, &created, &updated, &v.Version)
	if err != nil {
		return v, err
	}
	v.Environment = store.Environment(env)
	v.Errors = json.RawMessage(errs)
	if cfg.Valid {
		v.ReportConfiguration = json.RawMessage(cfg.String)
	}
	v.Employments, v.Loan, v.Billing = json.RawMessage(employments), json.RawMessage(loan), json.RawMessage(billing)
	v.CreatedAt, v.UpdatedAt = fromMS(created), fromMS(updated)
	return v, nil
}

// Verification returns a verification in scope.
func (s *Store) Verification(ctx context.Context, sc store.Scope, id string) (store.Verification, error) {
	row := s.queryRow(ctx, `SELECT `+verificationColumns+` FROM verifications WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment))
	v, err := scanVerification(row)
	return v, s.mapErr(err)
}

// VerificationForUpdate returns a verification in scope and, inside a
// transaction, locks it until the transaction ends, so that a change read
// and written in it is never overtaken by another.
func (s *Store) VerificationForUpdate(ctx context.Context, sc store.Scope, id string) (store.Verification, error) {
	q := `SELECT ` + verificationColumns + ` FROM verifications WHERE id = $1 AND partner_id = $2 AND environment = $3`
	if s.tx(ctx) != nil {
		q += s.d.ForUpdate
	}
	v, err := scanVerification(s.reader(ctx).QueryRowContext(ctx, q, id, sc.PartnerID, string(sc.Environment)))
	return v, s.mapErr(err)
}

// VerificationHead returns the head of a verification in scope.
func (s *Store) VerificationHead(ctx context.Context, sc store.Scope, id string) (store.VerificationHead, error) {
	h := store.VerificationHead{ID: id, PartnerID: sc.PartnerID, Environment: sc.Environment}
	err := s.queryRow(ctx, `SELECT data_source, state, code FROM verifications WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)).Scan(&h.DataSource, &h.State, &h.Code)
	return h, s.mapErr(err)
}

// ListVerifications returns one keyset page, newest first.
func (s *Store) ListVerifications(ctx context.Context, sc store.Scope, f store.VerificationFilter, p store.Page) ([]store.Verification, error) {
	w := tenantWhere(sc)
	for _, c := range []struct{ col, v string }{{"user_id", f.UserID}, {"state", f.State}, {"code", f.Code},
		{"report_type", f.ReportType}, {"loan_number", f.LoanNumber}} {
		if c.v != "" {
			w.add(c.col+" = $%d", c.v)
		}
	}
	return listPage(ctx, s, "verifications", verificationColumns, w, p, scanVerification)
}

// UpdateVerification saves v when its version is current.
func (s *Store) UpdateVerification(ctx context.Context, v store.Verification) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE verifications SET state = $1, code = $2, errors = $3, report_id = $4, file_url = $5, json_url = $6,
report_configuration = $7, employments = $8, loan = $9, billing = $10, loan_number = $11, updated_at = $12, version = version + 1
WHERE id = $13 AND version = $14`,
			v.State, v.Code, orEmpty(v.Errors, "[]"), v.ReportID, v.FileURL, v.JSONURL, nullJSON(v.ReportConfiguration),
			orEmpty(v.Employments, "[]"), orEmpty(v.Loan, "{}"), orEmpty(v.Billing, "{}"), v.LoanNumber, ms(v.UpdatedAt), v.ID, v.Version)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// StatusHistory returns a verification's history, oldest first.
func (s *Store) StatusHistory(ctx context.Context, verificationID string) ([]store.StatusChange, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, `SELECT id, verification_id, state, code, errors, reason, created_at FROM verification_status_history WHERE verification_id = $1 ORDER BY id`, verificationID)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.StatusChange
	for rows.Next() {
		var c store.StatusChange
		var errs string
		var created int64
		if err := rows.Scan(&c.ID, &c.VerificationID, &c.State, &c.Code, &errs, &c.Reason, &created); err != nil {
			return nil, s.mapErr(err)
		}
		c.Errors = json.RawMessage(errs)
		c.CreatedAt = fromMS(created)
		out = append(out, c)
	}
	return out, s.mapErr(rows.Err())
}
