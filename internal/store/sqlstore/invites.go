package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"verigate/internal/store"
)

const inviteColumns = `id, partner_id, environment, user_id, token, first_name, last_name, email, phone_number, status,
flow_id, flow_items, reply_to, deliveries, revoked_at, invited_at, created_at, updated_at, version`

// CreateInvite stores an invite.
func (s *Store) CreateInvite(ctx context.Context, in store.Invite) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO invites (`+inviteColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1)`,
			in.ID, in.PartnerID, string(in.Environment), in.UserID, in.Token, in.FirstName, in.LastName, in.Email, in.PhoneNumber, in.Status,
			in.FlowID, jsonList(in.FlowItems), jsonList(in.ReplyTo), orEmpty(in.Deliveries, "[]"), nullMS(in.RevokedAt),
			ms(in.InvitedAt), ms(in.CreatedAt), ms(in.UpdatedAt))
		return err
	})
}

func scanInvite(r scanner) (store.Invite, error) {
	var in store.Invite
	var env, items, replyTo, deliveries string
	var revoked sql.NullInt64
	var invited, created, updated int64
	err := r.Scan(&in.ID, &in.PartnerID, &env, &in.UserID, &in.Token, &in.FirstName, &in.LastName, &in.Email, &in.PhoneNumber, &in.Status,
		&in.FlowID, &items, &replyTo, &deliveries, &revoked, &invited, &created, &updated, &in.Version)
	if err != nil {
		return in, err
	}
	in.Environment = store.Environment(env)
	in.Deliveries = json.RawMessage(deliveries)
	if revoked.Valid {
		t := fromMS(revoked.Int64)
		in.RevokedAt = &t
	}
	in.InvitedAt, in.CreatedAt, in.UpdatedAt = fromMS(invited), fromMS(created), fromMS(updated)
	if in.FlowItems, err = parseList(items); err != nil {
		return in, err
	}
	in.ReplyTo, err = parseList(replyTo)
	return in, err
}

// Invite returns an invite of the tenant.
func (s *Store) Invite(ctx context.Context, sc store.Scope, id string) (store.Invite, error) {
	in, err := scanInvite(s.reader(ctx).QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE id = $1 AND partner_id = $2 AND environment = $3`,
		id, sc.PartnerID, string(sc.Environment)))
	return in, s.mapErr(err)
}

// InviteByToken returns the invite whose link carries token, of any tenant.
func (s *Store) InviteByToken(ctx context.Context, token string) (store.Invite, error) {
	in, err := scanInvite(s.reader(ctx).QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE token = $1`, token))
	return in, s.mapErr(err)
}

// ListInvites returns one page of the tenant's invites, newest first.
func (s *Store) ListInvites(ctx context.Context, sc store.Scope, f store.InviteFilter, p store.Page) ([]store.Invite, error) {
	w := tenantWhere(sc)
	if len(f.Statuses) > 0 {
		vals := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			vals[i] = st
		}
		w.add("status IN ("+strings.TrimSuffix(strings.Repeat("$%d, ", len(vals)), ", ")+")", vals...)
	}
	if f.ReplyTo != "" {
		// reply_to is a JSON array of strings: look for the address as one
		// of its quoted elements.
		quoted, _ := json.Marshal(f.ReplyTo)
		w.add(`reply_to LIKE $%d ESCAPE '!'`, "%"+likeEscaper.Replace(string(quoted))+"%")
	}
	return listPage(ctx, s, "invites", inviteColumns, w, p, scanInvite)
}

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// UpdateInvite saves in's status, deliveries and times when its version is current.
func (s *Store) UpdateInvite(ctx context.Context, in store.Invite) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE invites SET status = $1, deliveries = $2, revoked_at = $3, invited_at = $4, updated_at = $5, version = version + 1
WHERE id = $6 AND partner_id = $7 AND environment = $8 AND version = $9`,
			in.Status, orEmpty(in.Deliveries, "[]"), nullMS(in.RevokedAt), ms(in.InvitedAt), ms(in.UpdatedAt),
			in.ID, in.PartnerID, string(in.Environment), in.Version)
		if err != nil {
			return err
		}
		return expectOne(res)
	})
}

// AdvanceInvites moves a user's invites whose status is one of from to
// status to, at at.
func (s *Store) AdvanceInvites(ctx context.Context, userID string, from []string, to string, at time.Time) error {
	args := []any{to, ms(at), userID}
	marks := make([]string, len(from))
	for i, st := range from {
		args = append(args, st)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE invites SET status = $1, updated_at = $2, version = version + 1
WHERE user_id = $3 AND revoked_at IS NULL AND status IN (`+strings.Join(marks, ", ")+`)`, args...)
		return err
	})
}
