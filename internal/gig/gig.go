// Package gig renders the gig data of connected accounts (gigs, shifts,
// ratings and vehicles) in the /v2 contract's Gig, Shift, Rating and
// Vehicle shapes, from the records aggregation stored.
package gig

import (
	"encoding/json"
	"fmt"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/partner"
	"verigate/internal/store"
)

// The views add verigate's own fields (the record's id, its account and its
// timestamps) to the connector's data; the outer id hides the connector's.

// Gig is the contract's Gig.
type Gig struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	datasource.Gig
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// Shift is the contract's Shift.
type Shift struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	datasource.Shift
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// Rating is the contract's Rating.
type Rating struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	datasource.Rating
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// Vehicle is the contract's Vehicle.
type Vehicle struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	datasource.Vehicle
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func ts(t time.Time) string { return t.UTC().Format(partner.TimeFormat) }

// decode reads a record of kind into v.
func decode(r store.AccountRecord, kind string, v any) error {
	if r.Kind != kind {
		return fmt.Errorf("gig: record %s is a %s, not a %s", r.ID, r.Kind, kind)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("gig: %s %s: %w", kind, r.ID, err)
	}
	return nil
}

// RenderGig renders a gig record.
func RenderGig(r store.AccountRecord) (Gig, error) {
	out := Gig{ID: r.ID, Account: r.AccountID, CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt)}
	if err := decode(r, store.RecordGig, &out.Gig); err != nil {
		return Gig{}, err
	}
	g := &out.Gig
	if g.Times.Breaks == nil {
		g.Times.Breaks = []datasource.Break{}
	}
	if g.TaskDetails.Events == nil {
		g.TaskDetails.Events = []datasource.GigEvent{}
	}
	if g.TaskDetails.Orders == nil {
		g.TaskDetails.Orders = []datasource.GigOrder{}
	}
	if g.Metadata == nil {
		g.Metadata = map[string]any{}
	}
	return out, nil
}

// RenderShift renders a shift record.
func RenderShift(r store.AccountRecord) (Shift, error) {
	out := Shift{ID: r.ID, Account: r.AccountID, CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt)}
	if err := decode(r, store.RecordShift, &out.Shift); err != nil {
		return Shift{}, err
	}
	if out.Times.Breaks == nil {
		out.Times.Breaks = []datasource.Break{}
	}
	if out.Metadata == nil {
		out.Metadata = map[string]any{}
	}
	return out, nil
}

// RenderRating renders a rating record.
func RenderRating(r store.AccountRecord) (Rating, error) {
	out := Rating{ID: r.ID, Account: r.AccountID, CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt)}
	if err := decode(r, store.RecordRating, &out.Rating); err != nil {
		return Rating{}, err
	}
	if out.Achievements == nil {
		out.Achievements = []datasource.Achievement{}
	}
	if out.Rewards == nil {
		out.Rewards = []datasource.Reward{}
	}
	if out.Metadata == nil {
		out.Metadata = map[string]any{}
	}
	return out, nil
}

// RenderVehicle renders a vehicle record.
func RenderVehicle(r store.AccountRecord) (Vehicle, error) {
	out := Vehicle{ID: r.ID, Account: r.AccountID, CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt)}
	if err := decode(r, store.RecordVehicle, &out.Vehicle); err != nil {
		return Vehicle{}, err
	}
	if out.Metadata == nil {
		out.Metadata = map[string]any{}
	}
	return out, nil
}
