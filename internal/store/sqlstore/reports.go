package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"verigate/internal/store"
)

// AccountsOfUser returns a user's accounts of one data source, oldest first.
func (s *Store) AccountsOfUser(ctx context.Context, userID, dataSource string) ([]store.Account, error) {
	rows, err := s.query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE user_id = $1 AND data_source = $2 ORDER BY created_at, id`, userID, dataSource)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, a)
	}
	return out, s.mapErr(rows.Err())
}

// QueueAccountRefresh queues an account's re-aggregation on behalf of a
// verification. An aggregation in flight loses its lease (its result no
// longer saves), so the data the refresh reports is always fetched after
// the refresh was ordered.
func (s *Store) QueueAccountRefresh(ctx context.Context, verificationID, userID, accountID string, at time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO account_refreshes (verification_id, account_id, created_at) VALUES ($1, $2, $3)`,
			verificationID, accountID, ms(at)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET aggregation = 'pending', aggregation_attempts = 0, lease_until = 0, updated_at = $1, version = version + 1
WHERE id = $2 AND user_id = $3`, ms(at), accountID, userID)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// AccountRefreshes lists the verifications waiting for an account's aggregation.
func (s *Store) AccountRefreshes(ctx context.Context, accountID string) ([]string, error) {
	rows, err := s.fresh(ctx).QueryContext(ctx, `SELECT verification_id FROM account_refreshes WHERE account_id = $1 ORDER BY verification_id`, accountID)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, id)
	}
	return out, s.mapErr(rows.Err())
}

// DeleteAccountRefresh forgets a completed refresh.
func (s *Store) DeleteAccountRefresh(ctx context.Context, verificationID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM account_refreshes WHERE verification_id = $1`, verificationID)
		return err
	})
}

const reportColumns = `id, partner_id, environment, verification_id, user_id, type, schema_version, pdf_name, pdf_sha256, pdf_size,
json_name, json_sha256, json_size, created_at`

// CreateReport stores a report's record.
func (s *Store) CreateReport(ctx context.Context, r store.Report) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO reports (`+reportColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			r.ID, r.PartnerID, string(r.Environment), r.VerificationID, r.UserID, r.Type, r.Schema, r.PDFName, r.PDFSHA256, r.PDFSize,
			r.JSONName, r.JSONSHA256, r.JSONSize, ms(r.CreatedAt))
		return err
	})
}

func scanReport(row scanner) (store.Report, error) {
	var r store.Report
	var env string
	var created int64
	err := row.Scan(&r.ID, &r.PartnerID, &env, &r.VerificationID, &r.UserID, &r.Type, &r.Schema, &r.PDFName, &r.PDFSHA256, &r.PDFSize,
		&r.JSONName, &r.JSONSHA256, &r.JSONSize, &created)
	r.Environment, r.CreatedAt = store.Environment(env), fromMS(created)
	return r, err
}

// Report returns a report in scope.
func (s *Store) Report(ctx context.Context, sc store.Scope, id string) (store.Report, error) {
	r, err := scanReport(s.queryRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)))
	return r, s.mapErr(err)
}

// ReportOfVerification returns a verification's report. It reads through
// the writing pool: it decides whether a report must still be generated.
func (s *Store) ReportOfVerification(ctx context.Context, verificationID string) (store.Report, error) {
	r, err := scanReport(s.fresh(ctx).QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE verification_id = $1`, verificationID))
	return r, s.mapErr(err)
}

// SetReportPDF records the checksum and size of a report's PDF, rendered
// after the report was stored; a report whose PDF is recorded keeps it.
func (s *Store) SetReportPDF(ctx context.Context, id, sha256 string, size int64) error {
	return s.setPDF(ctx, "reports", id, sha256, size)
}

// setPDF records a PDF's checksum and size on a row of table (reports or
// user_reports) that has none yet.
func (s *Store) setPDF(ctx context.Context, table, id, sha256 string, size int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET pdf_sha256 = $1, pdf_size = $2 WHERE id = $3 AND pdf_sha256 = ''`, sha256, size, id)
		return err
	})
}

const uploadColumns = `id, partner_id, environment, user_id, account_id, document_type, file_name, content_type, size, sha256, stored_name, stated, created_at`

// CreateUpload stores an upload's record.
func (s *Store) CreateUpload(ctx context.Context, u store.Upload) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_uploads (`+uploadColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			u.ID, u.PartnerID, string(u.Environment), u.UserID, u.AccountID, u.DocumentType, u.FileName, u.ContentType, u.Size, u.SHA256,
			u.StoredName, orEmpty(u.Stated, "{}"), ms(u.CreatedAt))
		return err
	})
}

func scanUpload(row scanner) (store.Upload, error) {
	var u store.Upload
	var env, stated string
	var created int64
	err := row.Scan(&u.ID, &u.PartnerID, &env, &u.UserID, &u.AccountID, &u.DocumentType, &u.FileName, &u.ContentType, &u.Size, &u.SHA256,
		&u.StoredName, &stated, &created)
	u.Environment, u.Stated, u.CreatedAt = store.Environment(env), json.RawMessage(stated), fromMS(created)
	return u, err
}

// Upload returns an upload in scope.
func (s *Store) Upload(ctx context.Context, sc store.Scope, id string) (store.Upload, error) {
	u, err := scanUpload(s.queryRow(ctx, `SELECT `+uploadColumns+` FROM user_uploads WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)))
	return u, s.mapErr(err)
}

// UploadsOfUser returns a user's uploads, oldest first. It reads through the
// writing pool so that an evaluation right after an upload sees it.
func (s *Store) UploadsOfUser(ctx context.Context, userID string) ([]store.Upload, error) {
	rows, err := s.fresh(ctx).QueryContext(ctx, `SELECT `+uploadColumns+` FROM user_uploads WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, u)
	}
	return out, s.mapErr(rows.Err())
}

// VerificationsInStatus returns verifications of every tenant in one status,
// least recently updated first. It reads through the writing pool: workers
// act on what it returns.
func (s *Store) VerificationsInStatus(ctx context.Context, dataSource, state, code string, limit int) ([]store.Verification, error) {
	rows, err := s.fresh(ctx).QueryContext(ctx, `SELECT `+verificationColumns+` FROM verifications WHERE data_source = $1 AND state = $2 AND code = $3
ORDER BY updated_at, id LIMIT $4`, dataSource, state, code, limit)
	if err != nil {
		return nil, s.mapErr(err)
	}
	defer rows.Close()
	var out []store.Verification
	for rows.Next() {
		v, err := scanVerification(rows)
		if err != nil {
			return nil, s.mapErr(err)
		}
		out = append(out, v)
	}
	return out, s.mapErr(rows.Err())
}
