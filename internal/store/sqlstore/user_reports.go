package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"verigate/internal/store"
)

const userReportColumns = `id, partner_id, environment, user_id, type, schema_version, metadata, external_id, accounts, last_synced_at,
pdf_name, pdf_sha256, pdf_size, json_name, json_sha256, json_size, created_at`

// CreateUserReport stores a user report's record.
func (s *Store) CreateUserReport(ctx context.Context, r store.UserReport) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_reports (`+userReportColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			r.ID, r.PartnerID, string(r.Environment), r.UserID, r.Type, r.Schema, orEmpty(r.Metadata, "{}"), r.ExternalID, orEmpty(r.Accounts, "[]"),
			nullMS(r.LastSyncedAt), r.PDFName, r.PDFSHA256, r.PDFSize, r.JSONName, r.JSONSHA256, r.JSONSize, ms(r.CreatedAt))
		return err
	})
}

func scanUserReport(row scanner) (store.UserReport, error) {
	var r store.UserReport
	var env, metadata, accounts string
	var synced sql.NullInt64
	var created int64
	err := row.Scan(&r.ID, &r.PartnerID, &env, &r.UserID, &r.Type, &r.Schema, &metadata, &r.ExternalID, &accounts, &synced,
		&r.PDFName, &r.PDFSHA256, &r.PDFSize, &r.JSONName, &r.JSONSHA256, &r.JSONSize, &created)
	r.Environment, r.CreatedAt = store.Environment(env), fromMS(created)
	r.Metadata, r.Accounts = json.RawMessage(metadata), json.RawMessage(accounts)
	if synced.Valid {
		t := fromMS(synced.Int64)
		r.LastSyncedAt = &t
	}
	return r, err
}

// UserReport returns a user report in scope.
func (s *Store) UserReport(ctx context.Context, sc store.Scope, id string) (store.UserReport, error) {
	r, err := scanUserReport(s.queryRow(ctx, `SELECT `+userReportColumns+` FROM user_reports WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)))
	return r, s.mapErr(err)
}

// SetUserReportPDF records the checksum and size of a user report's PDF,
// rendered after the report was stored; a report whose PDF is recorded keeps it.
func (s *Store) SetUserReportPDF(ctx context.Context, id, sha256 string, size int64) error {
	return s.setPDF(ctx, "user_reports", id, sha256, size)
}

// ListUserReports returns one page of a tenant's user reports, newest
// first, of one user when userID is not "".
func (s *Store) ListUserReports(ctx context.Context, sc store.Scope, userID string, p store.Page) ([]store.UserReport, error) {
	w := tenantWhere(sc)
	if userID != "" {
		w.add("user_id = $%d", userID)
	}
	return listPage(ctx, s, "user_reports", userReportColumns, w, p, scanUserReport)
}

// CountUserReportsSince counts a user's reports created at or after since.
// It reads through the writing pool: it decides whether another may be made.
func (s *Store) CountUserReportsSince(ctx context.Context, userID string, since time.Time) (int, error) {
	var n int
	err := s.fresh(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM user_reports WHERE user_id = $1 AND created_at >= $2`, userID, ms(since)).Scan(&n)
	return n, s.mapErr(err)
}

// DeleteUserReport deletes a user report in scope; ErrNotFound when there is none.
func (s *Store) DeleteUserReport(ctx context.Context, sc store.Scope, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_reports WHERE id = $1 AND partner_id = $2 AND environment = $3`,
			id, sc.PartnerID, string(sc.Environment))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// ListUploads returns one page of a tenant's uploads, newest first, narrowed by f.
func (s *Store) ListUploads(ctx context.Context, sc store.Scope, f store.UploadFilter, p store.Page) ([]store.Upload, error) {
	w := tenantWhere(sc)
	if f.UserID != "" {
		w.add("user_id = $%d", f.UserID)
	}
	if f.AccountID != "" {
		w.add("account_id = $%d", f.AccountID)
	}
	if f.DocumentType != "" {
		w.add("document_type = $%d", f.DocumentType)
	}
	return listPage(ctx, s, "user_uploads", uploadColumns, w, p, scanUpload)
}
