package partner

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"

	"verigate/internal/filestore"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// External ids are limited to 255 characters on the partners surface and
// to 100 on /v2, as each contract says.
const (
	partnerExternalIDMax = 255
	v2ExternalIDMax      = 100
)

// V2Address is a user's address as the /v2 User schema shapes it: every
// field present, null when unknown.
type V2Address struct {
	City       *string `json:"city"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	State      *string `json:"state"`
	Country    *string `json:"country"`
	PostalCode *string `json:"postal_code"`
}

// V2BirthDate is a user's birth date as the /v2 User schema shapes it.
type V2BirthDate struct {
	Year  *int `json:"year"`
	Month *int `json:"month"`
	Day   *int `json:"day"`
}

// V2UserView is a user as the /v2 API shows it (the User schema): the same
// record as UserView, with every field present and null when unset.
type V2UserView struct {
	ID                 string                     `json:"id"`
	CreatedAt          string                     `json:"created_at"`
	ItemsConnected     []string                   `json:"items_connected"`
	EmployersConnected []string                   `json:"employers_connected"`
	ExternalMetadata   map[string]json.RawMessage `json:"external_metadata"`
	ExternalID         *string                    `json:"external_id"`
	FirstName          *string                    `json:"first_name"`
	LastName           *string                    `json:"last_name"`
	Email              *string                    `json:"email"`
	PhoneNumber        *string                    `json:"phone_number"`
	SSN                *string                    `json:"ssn"`
	Address            V2Address                  `json:"address"`
	BirthDate          V2BirthDate                `json:"birth_date"`
}

// V2View renders a stored user in the /v2 User shape.
func V2View(u store.User) (V2UserView, error) {
	pv, err := View(u)
	if err != nil {
		return V2UserView{}, err
	}
	out := V2UserView{
		ID: pv.ID, CreatedAt: pv.CreatedAt, ItemsConnected: pv.ItemsConnected, EmployersConnected: pv.EmployersConnected,
		ExternalMetadata: pv.ExternalMetadata, ExternalID: pv.ExternalID,
		FirstName: pv.FirstName, LastName: pv.LastName, Email: pv.Email, PhoneNumber: pv.PhoneNumber, SSN: pv.SSN,
	}
	if a := pv.Address; a != nil {
		out.Address = V2Address{City: a.City, Line1: a.Line1, Line2: a.Line2, State: a.State, Country: a.Country, PostalCode: a.PostalCode}
	}
	if b := pv.BirthDate; b != nil {
		out.BirthDate = V2BirthDate{Year: &b.Year, Month: &b.Month, Day: &b.Day}
	}
	return out, nil
}

// CreateV2 validates in and stores a new user for p's default client (the
// /v2 body names no client; a client sent is ignored).
func (s *Users) CreateV2(ctx context.Context, p Principal, in UserInput) (CreatedUser, error) {
	errs := v.Errors{}
	var pr profile
	applyProfile(errs, &pr, in, s.Now(), v2ExternalIDMax)
	if err := errs.Err(); err != nil {
		return CreatedUser{}, err
	}
	return s.store(ctx, p, p.ClientID, pr, in.ExternalID.Ptr())
}

// GetV2 returns a user visible to p in the /v2 shape.
func (s *Users) GetV2(ctx context.Context, p Principal, id string) (V2UserView, error) {
	u, err := s.Store.User(ctx, p.Scope(), strings.ToLower(id))
	if err != nil {
		return V2UserView{}, err
	}
	return V2View(u)
}

// UpdateV2 applies the fields present in in, as Update does, and answers
// the /v2 shape.
func (s *Users) UpdateV2(ctx context.Context, p Principal, id string, in UserInput) (V2UserView, error) {
	u, err := s.update(ctx, p, id, in, v2ExternalIDMax)
	if err != nil {
		return V2UserView{}, err
	}
	return V2View(u)
}

// List returns one page of p's users, newest first.
func (s *Users) List(ctx context.Context, p Principal, f store.UserFilter, page store.Page) ([]store.User, error) {
	return s.Store.ListUsers(ctx, p.Scope(), f, page)
}

// Delete removes a user visible to p and everything stored for it (see
// store DeleteUser), then the files of its uploads and reports. A file that
// cannot be removed is logged and left behind; the user is gone either way.
func (s *Users) Delete(ctx context.Context, p Principal, id string) error {
	gone, err := s.Store.DeleteUser(ctx, p.Scope(), strings.ToLower(id))
	if err != nil {
		return err
	}
	log := s.Log
	if log == nil {
		log = defaultLog()
	}
	for _, f := range []struct {
		files filestore.Files
		names []string
	}{{s.UploadFiles, gone.UploadFiles}, {s.ReportFiles, gone.ReportFiles}} {
		if f.files == nil {
			continue
		}
		for _, name := range f.names {
			if err := f.files.Remove(name); err != nil {
				log.WarnContext(ctx, "deleted user's file not removed", "user", id, "file", name, "err", err)
			}
		}
	}
	return nil
}

func defaultLog() *slog.Logger { return slog.Default() }
