// Package invite sends users invitations to connect their accounts: an
// invite creates the user, carries a shareable link, and is delivered by
// email or SMS through a Sender when one is configured.
package invite

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// Invite statuses.
const (
	StatusSent      = "sent"
	StatusInitiated = "initiated"
	StatusAttempted = "attempted"
	StatusCompleted = "completed"
	StatusRevoked   = "revoked"
)

// Statuses lists every invite status the API knows.
var Statuses = []string{StatusSent, StatusInitiated, StatusAttempted, StatusCompleted, StatusRevoked}

// Delivery methods and statuses.
const (
	MethodEmail         = "email"
	MethodSMS           = "sms"
	DeliverySent        = "sent"
	DeliveryUndelivered = "undelivered"
)

// ErrRevoked means the invite was revoked and cannot be resent.
var ErrRevoked = errors.New("The invite is revoked and can no longer be resent.")

// Message is one invitation to deliver.
type Message struct {
	// Method is MethodEmail or MethodSMS; To is the address or number.
	Method, To string
	FirstName  string
	LastName   string
	// URL is the invite's link.
	URL     string
	ReplyTo []string
}

// Sender delivers invitations by email or SMS.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Store is the storage invites need.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateInvite(ctx context.Context, in store.Invite) error
	Invite(ctx context.Context, sc store.Scope, id string) (store.Invite, error)
	// InviteByToken returns the invite whose link carries token.
	InviteByToken(ctx context.Context, token string) (store.Invite, error)
	ListInvites(ctx context.Context, sc store.Scope, f store.InviteFilter, p store.Page) ([]store.Invite, error)
	UpdateInvite(ctx context.Context, in store.Invite) error
	// AdvanceInvites moves a user's unrevoked invites whose status is one
	// of from to status to.
	AdvanceInvites(ctx context.Context, userID string, from []string, to string, at time.Time) error
}

// Service sends, resends, revokes and reads invites.
type Service struct {
	Store Store
	// Users creates the invited user.
	Users *partner.Users
	// Sender delivers invites; nil stores them undelivered (the link can
	// still be shared by hand).
	Sender Sender
	// HasItem reports whether an item exists in an environment.
	HasItem func(env store.Environment, id string) bool
	// HasFlow reports whether a tenant has a flow customization with this id.
	HasFlow func(ctx context.Context, sc store.Scope, id string) (bool, error)
	// PublicURL is the base of invite links.
	PublicURL string
	Now       func() time.Time
}

// EmailInput is override_invite_template.email as a request may send it.
type EmailInput struct {
	ReplyTo v.Opt[[]string] `json:"reply_to"`
}

// TemplateInput is override_invite_template as a request may send it; its
// other fields are accepted and not used.
type TemplateInput struct {
	Email v.Opt[EmailInput] `json:"email"`
}

// Input is the body of POST /v2/invites (SendInviteRequest).
type Input struct {
	FirstName   v.Opt[string]        `json:"first_name"`
	LastName    v.Opt[string]        `json:"last_name"`
	FullName    v.Opt[string]        `json:"full_name"`
	Email       v.Opt[string]        `json:"email"`
	PhoneNumber v.Opt[string]        `json:"phone_number"`
	ExternalID  v.Opt[string]        `json:"external_id"`
	FlowID      v.Opt[string]        `json:"flow_id"`
	FlowItems   v.Opt[[]string]      `json:"flow_items"`
	Template    v.Opt[TemplateInput] `json:"override_invite_template"`
}

// Delivery is one delivery attempt (the InviteDelivery schema).
type Delivery struct {
	ID        string `json:"id"`
	Method    string `json:"method"`
	Status    string `json:"status"`
	SentAt    string `json:"sent_at"`
	UpdatedAt string `json:"updated_at"`
}

// View is an invite as the API shows it (the InviteObject schema).
type View struct {
	ID               string     `json:"id"`
	User             string     `json:"user"`
	UserToken        string     `json:"user_token"`
	Email            string     `json:"email,omitempty"`
	PhoneNumber      string     `json:"phone_number,omitempty"`
	FullName         string     `json:"full_name"`
	FirstName        string     `json:"first_name"`
	LastName         string     `json:"last_name"`
	RevokedAt        *string    `json:"revoked_at"`
	Status           string     `json:"status"`
	GroupID          *string    `json:"group_id"`
	URL              string     `json:"url"`
	CreatedAt        string     `json:"created_at"`
	UpdatedAt        string     `json:"updated_at"`
	InvitedAt        string     `json:"invited_at"`
	FlowID           *string    `json:"flow_id"`
	FlowItems        []string   `json:"flow_items"`
	ReplyTo          []string   `json:"reply_to"`
	Deliveries       []Delivery `json:"deliveries"`
	InviteTemplateID *string    `json:"invite_template_id"`
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// URL returns an invite's link.
func (s *Service) URL(in store.Invite) string { return s.PublicURL + "/link/invite/" + in.Token }

// Open returns the invite a link's token names and its user, marking a
// sent invite initiated the first time its link is opened:
// store.ErrNotFound for no such invite (or user), ErrRevoked for a revoked one.
func (s *Service) Open(ctx context.Context, token string) (store.Invite, store.User, error) {
	inv, err := s.Store.InviteByToken(ctx, token)
	if err != nil {
		return inv, store.User{}, err
	}
	if inv.RevokedAt != nil || inv.Status == StatusRevoked {
		return inv, store.User{}, ErrRevoked
	}
	sc := store.Scope{PartnerID: inv.PartnerID, Environment: inv.Environment}
	if inv.Status == StatusSent {
		if inv, err = s.update(ctx, sc, inv.ID, func(in *store.Invite) error {
			if in.Status == StatusSent {
				in.Status = StatusInitiated
			}
			return nil
		}); err != nil {
			return inv, store.User{}, err
		}
	}
	u, err := s.Users.Store.User(ctx, sc, inv.UserID)
	return inv, u, err
}

// Attempted marks the user's sent and initiated invites attempted: the
// user submitted credentials in Link.
func (s *Service) Attempted(ctx context.Context, userID string) error {
	return s.Store.AdvanceInvites(ctx, userID, []string{StatusSent, StatusInitiated}, StatusAttempted, s.now())
}

// Completed marks the user's unrevoked invites completed: an account of
// the user was connected. Call it in the transaction that stores the account.
func (s *Service) Completed(ctx context.Context, userID string) error {
	return s.Store.AdvanceInvites(ctx, userID, []string{StatusSent, StatusInitiated, StatusAttempted}, StatusCompleted, s.now())
}

// Send validates in, creates the invited user and the invite, and delivers
// it to the email address and phone number given.
func (s *Service) Send(ctx context.Context, p partner.Principal, in Input) (View, error) {
	errs := v.Errors{}
	first, last := name(errs, "first_name", in.FirstName), name(errs, "last_name", in.LastName)
	if !in.FirstName.Has() && !in.LastName.Has() && in.FullName.Has() {
		// full_name (deprecated) stands in for both names.
		delete(errs, "first_name")
		delete(errs, "last_name")
		parts := strings.Fields(in.FullName.V)
		if len(parts) == 0 {
			errs.Add("full_name", v.MsgBlank)
		} else {
			first, last = parts[0], strings.Join(parts[1:], " ")
		}
	}
	if !in.Email.Has() && !in.PhoneNumber.Has() {
		errs.Add("email", "Enter an email address or a phone number.")
		errs.Add("phone_number", "Enter a phone number or an email address.")
	}
	var flowID *string
	if in.FlowID.Has() {
		id := strings.TrimSpace(in.FlowID.V)
		ok := id != ""
		if ok && s.HasFlow != nil {
			var err error
			if ok, err = s.HasFlow(ctx, p.Scope(), id); err != nil {
				return View{}, err
			}
		}
		if !ok {
			errs.Add("flow_id", fmt.Sprintf(`No flow "%s".`, in.FlowID.V))
		} else {
			flowID = &id
		}
	}
	items := []string{}
	if v.NotNull(errs, "flow_items", in.FlowItems) {
		for i, id := range in.FlowItems.V {
			if s.HasItem != nil && !s.HasItem(p.Environment, id) {
				errs.Add(fmt.Sprintf("flow_items.%d", i), fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, id))
			}
			items = append(items, id)
		}
	}
	replyTo := []string{}
	if in.Template.Has() && in.Template.V.Email.Has() && in.Template.V.Email.V.ReplyTo.Has() {
		for i, addr := range in.Template.V.Email.V.ReplyTo.V {
			if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
				errs.Add(fmt.Sprintf("override_invite_template.email.reply_to.%d", i), "Enter a valid email address.")
			}
			replyTo = append(replyTo, addr)
		}
	}
	if err := errs.Err(); err != nil {
		return View{}, err
	}
	user := partner.UserInput{Email: in.Email, PhoneNumber: in.PhoneNumber, ExternalID: in.ExternalID}
	user.FirstName = v.Opt[string]{Set: true, V: first}
	if last != "" {
		user.LastName = v.Opt[string]{Set: true, V: last}
	}
	tok, err := newToken()
	if err != nil {
		return View{}, err
	}
	now := s.now()
	inv := store.Invite{ID: store.NewID(), PartnerID: p.PartnerID, Environment: p.Environment, Token: tok,
		FirstName: first, LastName: last, Email: strings.TrimSpace(in.Email.V), PhoneNumber: strings.TrimSpace(in.PhoneNumber.V),
		Status: StatusSent, FlowID: flowID, FlowItems: items, ReplyTo: replyTo,
		InvitedAt: now, CreatedAt: now, UpdatedAt: now}
	if s.Sender == nil {
		// Nothing to wait for: the deliveries are stored undelivered at once.
		inv.Deliveries = s.deliver(ctx, inv, nil)
	}
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		created, err := s.Users.CreateV2(ctx, p, user)
		if err != nil {
			return err
		}
		inv.UserID = created.ID
		return s.Store.CreateInvite(ctx, inv)
	})
	if err != nil {
		return View{}, err
	}
	inv.Version = 1
	if s.Sender != nil {
		// Sent after the commit, so that a link never reaches anyone
		// before the invite behind it exists.
		if inv, err = s.update(ctx, p.Scope(), inv.ID, func(in *store.Invite) error {
			in.Deliveries = s.deliver(ctx, *in, nil)
			return nil
		}); err != nil {
			return View{}, err
		}
	}
	return s.view(ctx, inv)
}

// deliver attempts the invite's deliveries and returns them ahead of the
// earlier ones.
func (s *Service) deliver(ctx context.Context, inv store.Invite, earlier []Delivery) json.RawMessage {
	var out []Delivery
	for _, d := range []struct{ method, to string }{{MethodEmail, inv.Email}, {MethodSMS, inv.PhoneNumber}} {
		if d.to == "" {
			continue
		}
		status := DeliveryUndelivered
		if s.Sender != nil {
			err := s.Sender.Send(ctx, Message{Method: d.method, To: d.to, FirstName: inv.FirstName, LastName: inv.LastName,
				URL: s.URL(inv), ReplyTo: inv.ReplyTo})
			if err == nil {
				status = DeliverySent
			}
		}
		at := s.now().Format(partner.TimeFormat)
		out = append(out, Delivery{ID: store.NewID(), Method: d.method, Status: status, SentAt: at, UpdatedAt: at})
	}
	b, _ := json.Marshal(append(out, earlier...))
	return b
}

// update applies change to an invite and saves it, reading it again when
// it changed under us.
func (s *Service) update(ctx context.Context, sc store.Scope, id string, change func(*store.Invite) error) (store.Invite, error) {
	for {
		inv, err := s.Store.Invite(ctx, sc, strings.ToLower(id))
		if err != nil {
			return inv, err
		}
		if err := change(&inv); err != nil {
			return inv, err
		}
		err = s.Store.UpdateInvite(ctx, inv)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return inv, fmt.Errorf("update invite: %w", err)
		}
		inv.Version++
		return inv, nil
	}
}

// Get returns an invite of p's tenant.
func (s *Service) Get(ctx context.Context, p partner.Principal, id string) (View, error) {
	inv, err := s.Store.Invite(ctx, p.Scope(), strings.ToLower(id))
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inv)
}

// List returns one page of p's invites, newest first.
func (s *Service) List(ctx context.Context, p partner.Principal, f store.InviteFilter, page store.Page) ([]store.Invite, error) {
	return s.Store.ListInvites(ctx, p.Scope(), f, page)
}

// Resend delivers an invite again; a revoked invite is ErrRevoked.
func (s *Service) Resend(ctx context.Context, p partner.Principal, id string) (View, error) {
	inv, err := s.update(ctx, p.Scope(), id, func(in *store.Invite) error {
		if in.Status == StatusRevoked {
			return ErrRevoked
		}
		var earlier []Delivery
		if err := json.Unmarshal(in.Deliveries, &earlier); err != nil {
			return fmt.Errorf("invite %s: stored deliveries: %w", in.ID, err)
		}
		in.Deliveries = s.deliver(ctx, *in, earlier)
		in.InvitedAt, in.UpdatedAt = s.now(), s.now()
		return nil
	})
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inv)
}

// Revoke invalidates an invite; revoking a revoked invite changes nothing.
func (s *Service) Revoke(ctx context.Context, p partner.Principal, id string) (View, error) {
	inv, err := s.Store.Invite(ctx, p.Scope(), strings.ToLower(id))
	if err == nil && inv.Status != StatusRevoked {
		inv, err = s.update(ctx, p.Scope(), id, func(in *store.Invite) error {
			now := s.now()
			in.Status, in.RevokedAt, in.UpdatedAt = StatusRevoked, &now, now
			return nil
		})
	}
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, inv)
}

// ViewOf renders a listed invite.
func (s *Service) ViewOf(ctx context.Context, inv store.Invite) (View, error) {
	return s.view(ctx, inv)
}

func (s *Service) view(ctx context.Context, inv store.Invite) (View, error) {
	u, err := s.Users.Store.User(ctx, store.Scope{PartnerID: inv.PartnerID, Environment: inv.Environment}, inv.UserID)
	if err != nil {
		return View{}, fmt.Errorf("invite %s: user: %w", inv.ID, err)
	}
	tok, err := s.Users.IssueToken(ctx, u)
	if err != nil {
		return View{}, err
	}
	var deliveries []Delivery
	if err := json.Unmarshal(inv.Deliveries, &deliveries); err != nil {
		return View{}, fmt.Errorf("invite %s: stored deliveries: %w", inv.ID, err)
	}
	if deliveries == nil {
		deliveries = []Delivery{}
	}
	out := View{ID: inv.ID, User: inv.UserID, UserToken: tok, Email: inv.Email, PhoneNumber: inv.PhoneNumber,
		FullName: strings.TrimSpace(inv.FirstName + " " + inv.LastName), FirstName: inv.FirstName, LastName: inv.LastName,
		Status: inv.Status, URL: s.URL(inv), FlowID: inv.FlowID, FlowItems: inv.FlowItems, ReplyTo: inv.ReplyTo, Deliveries: deliveries,
		CreatedAt: inv.CreatedAt.UTC().Format(partner.TimeFormat), UpdatedAt: inv.UpdatedAt.UTC().Format(partner.TimeFormat),
		InvitedAt: inv.InvitedAt.UTC().Format(partner.TimeFormat)}
	if inv.RevokedAt != nil {
		r := inv.RevokedAt.UTC().Format(partner.TimeFormat)
		out.RevokedAt = &r
	}
	return out, nil
}

func name(errs v.Errors, field string, o v.Opt[string]) string {
	if !v.Required(errs, field, o) {
		return ""
	}
	n := strings.TrimSpace(o.V)
	if n == "" {
		errs.Add(field, v.MsgBlank)
	}
	v.MaxLen(errs, field, n, 150)
	return n
}

func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
