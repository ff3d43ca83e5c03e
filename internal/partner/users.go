package partner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"verigate/internal/filestore"
	"verigate/internal/store"
	"verigate/internal/usertoken"
	v "verigate/internal/validate"
)

// Address is a user's postal address as the contract shapes it.
type Address struct {
	City       *string `json:"city,omitempty"`
	Line1      *string `json:"line1,omitempty"`
	Line2      *string `json:"line2"`
	State      *string `json:"state,omitempty"`
	Country    *string `json:"country,omitempty"`
	PostalCode *string `json:"postal_code"`
}

// BirthDate is a user's date of birth.
type BirthDate struct {
	Year  int `json:"year"`
	Month int `json:"month"`
	Day   int `json:"day"`
}

// EndUser describes the lender a banking report is made for.
type EndUser struct {
	Name    *string `json:"name,omitempty"`
	Address *string `json:"address,omitempty"`
	City    *string `json:"city,omitempty"`
	State   *string `json:"state,omitempty"`
	Zip     *string `json:"zip,omitempty"`
	Phone   *string `json:"phone,omitempty"`
}

// OpenBanking holds banking-specific user details.
type OpenBanking struct {
	EndUser *EndUser `json:"end_user,omitempty"`
}

// profile is what verigate stores of the partner-supplied user details.
type profile struct {
	FirstName        *string                    `json:"first_name,omitempty"`
	LastName         *string                    `json:"last_name,omitempty"`
	SSN              *string                    `json:"ssn,omitempty"`
	Email            *string                    `json:"email,omitempty"`
	PhoneNumber      *string                    `json:"phone_number,omitempty"`
	Address          *Address                   `json:"address,omitempty"`
	BirthDate        *BirthDate                 `json:"birth_date,omitempty"`
	ExternalMetadata map[string]json.RawMessage `json:"external_metadata"`
	OpenBanking      *OpenBanking               `json:"open_banking,omitempty"`
}

// AddressInput is the address as a request may send it.
type AddressInput struct {
	City       v.Opt[string] `json:"city"`
	Line1      v.Opt[string] `json:"line1"`
	Line2      v.Opt[string] `json:"line2"`
	State      v.Opt[string] `json:"state"`
	Country    v.Opt[string] `json:"country"`
	PostalCode v.Opt[string] `json:"postal_code"`
}

// BirthDateInput is the birth date as a request may send it.
type BirthDateInput struct {
	Year  v.Opt[int] `json:"year"`
	Month v.Opt[int] `json:"month"`
	Day   v.Opt[int] `json:"day"`
}

// EndUserInput is open_banking.end_user as a request may send it.
type EndUserInput struct {
	Name    v.Opt[string] `json:"name"`
	Address v.Opt[string] `json:"address"`
	City    v.Opt[string] `json:"city"`
	State   v.Opt[string] `json:"state"`
	Zip     v.Opt[string] `json:"zip"`
	Phone   v.Opt[string] `json:"phone"`
}

// OpenBankingInput is open_banking as a request may send it.
type OpenBankingInput struct {
	EndUser v.Opt[EndUserInput] `json:"end_user"`
}

// UserInput is the body of a create (all fields) or update (all but client) request.
type UserInput struct {
	Client           v.Opt[string]                     `json:"client"`
	FirstName        v.Opt[string]                     `json:"first_name"`
	LastName         v.Opt[string]                     `json:"last_name"`
	Email            v.Opt[string]                     `json:"email"`
	PhoneNumber      v.Opt[string]                     `json:"phone_number"`
	SSN              v.Opt[string]                     `json:"ssn"`
	Address          v.Opt[AddressInput]               `json:"address"`
	BirthDate        v.Opt[BirthDateInput]             `json:"birth_date"`
	ExternalMetadata v.Opt[map[string]json.RawMessage] `json:"external_metadata"`
	OpenBanking      v.Opt[OpenBankingInput]           `json:"open_banking"`
	ExternalID       v.Opt[string]                     `json:"external_id"`
}

// UserView is a user as the partner API returns it.
type UserView struct {
	ID                 string                     `json:"id"`
	CreatedAt          string                     `json:"created_at"`
	ItemsConnected     []string                   `json:"items_connected"`
	EmployersConnected []string                   `json:"employers_connected"`
	FirstName          *string                    `json:"first_name,omitempty"`
	LastName           *string                    `json:"last_name,omitempty"`
	SSN                *string                    `json:"ssn,omitempty"`
	Email              *string                    `json:"email,omitempty"`
	PhoneNumber        *string                    `json:"phone_number,omitempty"`
	Address            *Address                   `json:"address,omitempty"`
	BirthDate          *BirthDate                 `json:"birth_date,omitempty"`
	ExternalMetadata   map[string]json.RawMessage `json:"external_metadata"`
	OpenBanking        *OpenBanking               `json:"open_banking,omitempty"`
	ExternalID         *string                    `json:"external_id"`
}

// CreatedUser is the answer to a create request.
type CreatedUser struct {
	UserToken string `json:"user_token"`
	ID        string `json:"id"`
}

// MaxExternalMetadata bounds a user's external_metadata, in bytes of JSON:
// it is the partner's notes about the user, not a document store.
const MaxExternalMetadata = 16 << 10

// TimeFormat is how the partner API writes timestamps: RFC 3339, UTC, milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// UserStore is the storage Users needs.
type UserStore interface {
	Client(ctx context.Context, id string) (store.Client, error)
	CreateUser(ctx context.Context, u store.User) error
	User(ctx context.Context, s store.Scope, id string) (store.User, error)
	UpdateUser(ctx context.Context, u store.User) error
	ListUsers(ctx context.Context, s store.Scope, f store.UserFilter, p store.Page) ([]store.User, error)
	DeleteUser(ctx context.Context, s store.Scope, id string) (store.DeletedUser, error)
}

// Users creates, reads and updates users within a principal's scope.
type Users struct {
	Store UserStore
	Now   func() time.Time
	// Tokens issues the user tokens that open Link for a user.
	Tokens *usertoken.Tokens
	// UploadFiles and ReportFiles hold the files of uploads and reports;
	// deleting a user removes its files from them. Nil keeps the files.
	UploadFiles, ReportFiles filestore.Files
	// Log records files that could not be removed; nil means slog.Default().
	Log *slog.Logger
	// Tenants, if set, gives each tenant's clock and user-token lifetime
	// (a sandbox tenant may move the one and shorten the other); nil means
	// the tokens' clock and usertoken.Lifetime.
	Tenants TokenClock
}

// TokenClock gives a tenant's time and how long its user tokens are valid.
type TokenClock interface {
	Clock(ctx context.Context, sc store.Scope) time.Time
	TokenLifetime(ctx context.Context, sc store.Scope, def time.Duration) time.Duration
}

// IssueToken returns a new user token for u, on its tenant's clock (read
// in ctx's transaction, if any).
func (s *Users) IssueToken(ctx context.Context, u store.User) (string, error) {
	if s.Tenants == nil {
		return s.Tokens.Issue(u.ClientID, u.ID, string(u.Environment))
	}
	sc := store.Scope{PartnerID: u.PartnerID, Environment: u.Environment}
	return s.Tokens.IssueAt(u.ClientID, u.ID, string(u.Environment), s.Tenants.Clock(ctx, sc), s.Tenants.TokenLifetime(ctx, sc, usertoken.Lifetime))
}

// Create validates in and stores a new user.
func (s *Users) Create(ctx context.Context, p Principal, in UserInput) (CreatedUser, error) {
	errs := v.Errors{}
	var clientID string
	if v.Required(errs, "client", in.Client) {
		clientID = strings.ToLower(in.Client.V)
		if !v.IsUUID(clientID) {
			errs.Add("client", v.MsgUUID)
			clientID = ""
		}
	}
	var pr profile
	applyProfile(errs, &pr, in, s.Now(), partnerExternalIDMax)
	if clientID != "" {
		c, err := s.Store.Client(ctx, clientID)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && c.PartnerID != p.PartnerID):
			errs.Add("client", fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, clientID))
		case err != nil:
			return CreatedUser{}, err
		}
	}
	if err := errs.Err(); err != nil {
		return CreatedUser{}, err
	}
	return s.store(ctx, p, clientID, pr, in.ExternalID.Ptr())
}

// store saves a new user with profile pr and answers its id and a token.
func (s *Users) store(ctx context.Context, p Principal, clientID string, pr profile, externalID *string) (CreatedUser, error) {
	now := s.Now().UTC().Truncate(time.Millisecond)
	u := store.User{ID: store.NewID(), PartnerID: p.PartnerID, Environment: p.Environment, ClientID: clientID,
		ExternalID: externalID, CreatedAt: now, UpdatedAt: now}
	var err error
	if u.Profile, err = json.Marshal(pr); err != nil {
		return CreatedUser{}, err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return CreatedUser{}, fmt.Errorf("create user: %w", err)
	}
	tok, err := s.IssueToken(ctx, u)
	if err != nil {
		return CreatedUser{}, err
	}
	return CreatedUser{UserToken: tok, ID: u.ID}, nil
}

// TokenInput is the body of POST /v2/user-tokens.
type TokenInput struct {
	User v.Opt[string] `json:"user"`
}

// Token is the answer to a user-token request.
type Token struct {
	UserToken string `json:"user_token"`
}

// Token issues a new user token for one of p's users.
func (s *Users) Token(ctx context.Context, p Principal, in TokenInput) (Token, error) {
	errs := v.Errors{}
	id := ""
	if v.Required(errs, "user", in.User) {
		id = strings.ToLower(in.User.V)
		if !v.IsUUID(id) {
			errs.Add("user", v.MsgUUID)
		}
	}
	if err := errs.Err(); err != nil {
		return Token{}, err
	}
	u, err := s.Store.User(ctx, p.Scope(), id)
	if errors.Is(err, store.ErrNotFound) {
		return Token{}, v.Field("user", fmt.Sprintf(`Invalid pk "%s" - object does not exist.`, id))
	}
	if err != nil {
		return Token{}, err
	}
	tok, err := s.IssueToken(ctx, u)
	return Token{UserToken: tok}, err
}

// ForToken returns the user a user token was issued for, after checking the
// token: usertoken.ErrExpired or usertoken.ErrInvalid for a token that is
// not valid now, store.ErrNotFound when its user no longer exists.
func (s *Users) ForToken(ctx context.Context, tok string) (store.User, error) {
	c, err := s.Tokens.Check(tok)
	if err != nil {
		return store.User{}, err
	}
	client, err := s.Store.Client(ctx, c.ClientID)
	if err != nil {
		return store.User{}, err
	}
	sc := store.Scope{PartnerID: client.PartnerID, Environment: store.Environment(c.Environment)}
	now := s.Now()
	if s.Tenants != nil {
		now = s.Tenants.Clock(ctx, sc)
	}
	if c.ExpiredAt(now) {
		return store.User{}, usertoken.ErrExpired
	}
	u, err := s.Store.User(ctx, sc, c.UserID)
	if err != nil {
		return store.User{}, err
	}
	if u.ClientID != c.ClientID {
		return store.User{}, store.ErrNotFound
	}
	return u, nil
}

// Get returns a user visible to p.
func (s *Users) Get(ctx context.Context, p Principal, id string) (UserView, error) {
	u, err := s.Store.User(ctx, p.Scope(), strings.ToLower(id))
	if err != nil {
		return UserView{}, err
	}
	return View(u)
}

// Update applies the fields present in in to a user visible to p.
func (s *Users) Update(ctx context.Context, p Principal, id string, in UserInput) (UserView, error) {
	u, err := s.update(ctx, p, id, in, partnerExternalIDMax)
	if err != nil {
		return UserView{}, err
	}
	return View(u)
}

// update applies in to a user visible to p, allowing external ids of up
// to maxExternalID characters, and returns the user as stored.
func (s *Users) update(ctx context.Context, p Principal, id string, in UserInput, maxExternalID int) (store.User, error) {
	for {
		u, err := s.Store.User(ctx, p.Scope(), strings.ToLower(id))
		if err != nil {
			return store.User{}, err
		}
		var pr profile
		if err := json.Unmarshal(u.Profile, &pr); err != nil {
			return store.User{}, fmt.Errorf("user %s: stored profile: %w", u.ID, err)
		}
		errs := v.Errors{}
		applyProfile(errs, &pr, in, s.Now(), maxExternalID)
		if err := errs.Err(); err != nil {
			return store.User{}, err
		}
		if in.ExternalID.Set {
			u.ExternalID = in.ExternalID.Ptr()
		}
		if u.Profile, err = json.Marshal(pr); err != nil {
			return store.User{}, err
		}
		u.UpdatedAt = s.Now().UTC().Truncate(time.Millisecond)
		err = s.Store.UpdateUser(ctx, u)
		if errors.Is(err, store.ErrConflict) {
			continue // changed under us: read again and reapply
		}
		if err != nil {
			return store.User{}, fmt.Errorf("update user: %w", err)
		}
		u.Version++
		return u, nil
	}
}

// View renders a stored user in the contract's PartnerUser shape.
func View(u store.User) (UserView, error) {
	var pr profile
	if err := json.Unmarshal(u.Profile, &pr); err != nil {
		return UserView{}, fmt.Errorf("user %s: stored profile: %w", u.ID, err)
	}
	meta := pr.ExternalMetadata
	if meta == nil {
		meta = map[string]json.RawMessage{}
	}
	items, employers := u.ItemsConnected, u.EmployersConnected
	if items == nil {
		items = []string{}
	}
	if employers == nil {
		employers = []string{}
	}
	return UserView{
		ID: u.ID, CreatedAt: u.CreatedAt.UTC().Format(TimeFormat),
		ItemsConnected: items, EmployersConnected: employers,
		FirstName: pr.FirstName, LastName: pr.LastName, SSN: pr.SSN, Email: pr.Email, PhoneNumber: pr.PhoneNumber,
		Address: pr.Address, BirthDate: pr.BirthDate, ExternalMetadata: meta, OpenBanking: pr.OpenBanking,
		ExternalID: u.ExternalID,
	}, nil
}

var (
	ssnRE   = regexp.MustCompile(`^(\d{3})-?(\d{2})-?(\d{4})$`)
	phoneRE = regexp.MustCompile(`^\+?[0-9]{7,15}$`)
	alpha2  = regexp.MustCompile(`^[A-Za-z]{2}$`)
)

// text validates an optional, non-null, non-blank string field of at most
// max characters and returns it, or nil when absent or invalid.
func text(errs v.Errors, field string, o v.Opt[string], max int) *string {
	if !v.NotNull(errs, field, o) {
		return nil
	}
	s := strings.TrimSpace(o.V)
	if s == "" {
		errs.Add(field, v.MsgBlank)
		return nil
	}
	v.MaxLen(errs, field, s, max)
	return &s
}

// nullableText is text for fields the contract allows to be null.
func nullableText(errs v.Errors, field string, o v.Opt[string], max int) *string {
	if o.Null {
		return nil
	}
	return text(errs, field, o, max)
}

// applyProfile validates the profile fields present in in and writes them into pr.
func applyProfile(errs v.Errors, pr *profile, in UserInput, now time.Time, maxExternalID int) {
	set := func(dst **string, s *string, o v.Opt[string]) {
		if o.Set && s != nil {
			*dst = s
		}
	}
	set(&pr.FirstName, text(errs, "first_name", in.FirstName, 150), in.FirstName)
	set(&pr.LastName, text(errs, "last_name", in.LastName, 150), in.LastName)
	if e := text(errs, "email", in.Email, 254); e != nil {
		if a, err := mail.ParseAddress(*e); err != nil || a.Address != *e {
			errs.Add("email", "Enter a valid email address.")
		} else {
			pr.Email = e
		}
	}
	if ph := text(errs, "phone_number", in.PhoneNumber, 32); ph != nil {
		digits := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(*ph)
		if !phoneRE.MatchString(digits) {
			errs.Add("phone_number", "Enter a valid phone number, e.g. +15555555555.")
		} else {
			pr.PhoneNumber = ph
		}
	}
	if ssn := text(errs, "ssn", in.SSN, 11); ssn != nil {
		if m := ssnRE.FindStringSubmatch(*ssn); m == nil {
			errs.Add("ssn", "Enter a valid Social Security number, e.g. 123-45-6789.")
		} else {
			norm := m[1] + "-" + m[2] + "-" + m[3]
			pr.SSN = &norm
		}
	}
	if v.NotNull(errs, "address", in.Address) {
		a := in.Address.V
		addr := &Address{
			City:       text(errs, "address.city", a.City, 100),
			Line1:      text(errs, "address.line1", a.Line1, 200),
			Line2:      nullableText(errs, "address.line2", a.Line2, 200),
			State:      text(errs, "address.state", a.State, 100),
			PostalCode: nullableText(errs, "address.postal_code", a.PostalCode, 20),
		}
		if c := text(errs, "address.country", a.Country, 2); c != nil {
			if !alpha2.MatchString(*c) {
				errs.Add("address.country", "Enter a two-letter ISO 3166-1 country code, e.g. US.")
			} else {
				up := strings.ToUpper(*c)
				addr.Country = &up
			}
		}
		pr.Address = addr
	}
	if v.NotNull(errs, "birth_date", in.BirthDate) {
		pr.BirthDate = birthDate(errs, in.BirthDate.V, now)
	}
	if v.NotNull(errs, "external_metadata", in.ExternalMetadata) {
		pr.ExternalMetadata = in.ExternalMetadata.V
		if b, _ := json.Marshal(pr.ExternalMetadata); len(b) > MaxExternalMetadata {
			errs.Add("external_metadata", fmt.Sprintf("Ensure this object has no more than %d bytes of JSON; it has %d.", MaxExternalMetadata, len(b)))
		}
	}
	if v.NotNull(errs, "open_banking", in.OpenBanking) {
		ob := &OpenBanking{}
		if v.NotNull(errs, "open_banking.end_user", in.OpenBanking.V.EndUser) {
			e := in.OpenBanking.V.EndUser.V
			ob.EndUser = &EndUser{
				Name:    text(errs, "open_banking.end_user.name", e.Name, 200),
				Address: text(errs, "open_banking.end_user.address", e.Address, 200),
				City:    text(errs, "open_banking.end_user.city", e.City, 100),
				State:   text(errs, "open_banking.end_user.state", e.State, 100),
				Zip:     text(errs, "open_banking.end_user.zip", e.Zip, 20),
				Phone:   text(errs, "open_banking.end_user.phone", e.Phone, 32),
			}
		}
		pr.OpenBanking = ob
	}
	if in.ExternalID.Has() {
		v.MaxLen(errs, "external_id", in.ExternalID.V, maxExternalID)
	}
}

func birthDate(errs v.Errors, in BirthDateInput, now time.Time) *BirthDate {
	ok := v.Required(errs, "birth_date.year", in.Year)
	ok = v.Required(errs, "birth_date.month", in.Month) && ok
	ok = v.Required(errs, "birth_date.day", in.Day) && ok
	if !ok {
		return nil
	}
	b := BirthDate{Year: in.Year.V, Month: in.Month.V, Day: in.Day.V}
	switch {
	case b.Year < 1900 || b.Year > now.Year():
		errs.Add("birth_date.year", fmt.Sprintf("Birth year must be between 1900 and %d.", now.Year()))
	case b.Month < 1 || b.Month > 12:
		errs.Add("birth_date.month", "Birth month must be between 1 and 12.")
	default:
		d := time.Date(b.Year, time.Month(b.Month), b.Day, 0, 0, 0, 0, time.UTC)
		if b.Day < 1 || d.Day() != b.Day {
			errs.Add("birth_date.day", "Birth day is not a valid day of that month.")
		} else if d.After(now) {
			errs.Add("birth_date", "Birth date may not be in the future.")
		}
	}
	return &b
}
