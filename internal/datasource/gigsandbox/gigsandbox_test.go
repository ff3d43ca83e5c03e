package gigsandbox

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

var asOf = value.NewDate(2025, time.May, 30)

func data(t *testing.T, login, item string) datasource.Data {
	t.Helper()
	d, err := DataFor(login, item, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCatalog(t *testing.T) {
	c := New().Catalog()
	all := c.Search("", 0, nil)
	if len(all) != len(platforms) {
		t.Fatalf("%d items", len(all))
	}
	payroll := sandboxdata.PayrollCatalog()
	kinds := map[string]int{}
	for _, it := range all {
		if it.Kind != datasource.KindGig || !strings.HasPrefix(it.ID, "item_0001") || len(it.ID) != len("item_000000001") {
			t.Errorf("item %+v", it)
		}
		if payroll.Has(it.ID) {
			t.Errorf("%s is also a payroll sandbox item", it.ID)
		}
		kinds[byItem[it.ID].gigType]++
	}
	if kinds[datasource.GigRideshare] == 0 || kinds[datasource.GigDelivery] == 0 {
		t.Errorf("kinds %v", kinds)
	}
	if got := c.Search("forkfl", 5, nil); len(got) != 1 || got[0].Name != "Forkflight Eats" {
		t.Errorf("search: %+v", got)
	}
}

func TestSignInScenarios(t *testing.T) {
	ctx := context.Background()
	c := New()
	c.Now = func() time.Time { return asOf.Time().Add(15 * time.Hour) }
	c.SlowDelay = 20 * time.Millisecond
	item := itemID(0)
	for _, u := range sandboxdata.SampleUsers() {
		res, err := c.SignIn(ctx, item, datasource.Credentials{Username: u.Email, Password: sandboxdata.PasswordGood})
		if err != nil || res.Challenge == nil || res.Challenge.Kind != u.MFA || res.Challenge.Prompt != u.Prompt {
			t.Fatalf("%s: %+v %v", u.Username, res, err)
		}
		if _, err := c.Verify(ctx, *res.Challenge, "0000"); !errors.Is(err, datasource.ErrInvalidCode) {
			t.Errorf("%s: wrong code: %v", u.Username, err)
		}
		conn, err := c.Verify(ctx, *res.Challenge, u.Code)
		if err != nil || conn.ItemID != item || conn.Source != Source {
			t.Fatalf("%s: verify: %+v %v", u.Username, conn, err)
		}
		if _, err := c.Aggregate(ctx, datasource.Connection{Ref: res.Challenge.Ref}); !errors.Is(err, datasource.ErrReauthRequired) {
			t.Errorf("a challenge's reference aggregates: %v", err)
		}
		got, err := c.Aggregate(ctx, conn)
		if err != nil || !reflect.DeepEqual(got, data(t, u.Username, item)) {
			t.Errorf("%s: aggregate differs from DataFor (%v)", u.Username, err)
		}
	}
	for pw, want := range map[string]error{
		sandboxdata.PasswordLocked: datasource.ErrAccountLocked, sandboxdata.PasswordUnsupportedMFA: datasource.ErrUnsupportedMFA,
		sandboxdata.PasswordUnavailable: datasource.ErrProviderUnavailable, "nope": datasource.ErrInvalidCredentials,
	} {
		if _, err := c.SignIn(ctx, item, datasource.Credentials{Username: "test_1", Password: pw}); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", pw, err, want)
		}
	}
	if _, err := c.SignIn(ctx, "item_000000001", datasource.Credentials{Username: "test_1", Password: "passgood"}); !errors.Is(err, datasource.ErrUnknownItem) {
		t.Errorf("a payroll item signs in to the gig sandbox: %v", err)
	}
	res, err := c.SignIn(ctx, item, datasource.Credentials{Username: "test_2", Password: sandboxdata.PasswordNoMFA})
	if err != nil || res.Connection == nil {
		t.Fatalf("passnomfa: %+v %v", res, err)
	}
	res, _ = c.SignIn(ctx, item, datasource.Credentials{Username: "test_2", Password: sandboxdata.PasswordMFATimeout})
	if _, err := c.Verify(ctx, *res.Challenge, "8082"); !errors.Is(err, datasource.ErrMFATimeout) {
		t.Errorf("passmfatimeout: %v", err)
	}
	res, _ = c.SignIn(ctx, item, datasource.Credentials{Username: "test_3", Password: sandboxdata.PasswordSlow})
	conn, _ := c.Verify(ctx, *res.Challenge, "8083")
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if _, err := c.Aggregate(short, conn); err == nil {
		t.Error("a slow aggregation ignores its context")
	}
	if _, err := c.Aggregate(ctx, conn); err != nil {
		t.Errorf("slow aggregation: %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	for _, u := range []string{"test_1", "test_2", "test_3"} {
		a, b := data(t, u, itemID(1)), data(t, strings.ToUpper(u), itemID(1))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two generations differ", u)
		}
		// A later as-of date keeps the gigs of the days both cover.
		later, err := DataFor(u, itemID(1), asOf.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]datasource.Gig{}
		for _, g := range later.Gigs {
			ids[g.ID] = g
		}
		kept := 0
		for _, g := range a.Gigs {
			if l, ok := ids[g.ID]; ok {
				kept++
				if !reflect.DeepEqual(l, g) {
					t.Errorf("%s: gig %s changed with the as-of date", u, g.ID)
				}
			}
		}
		if kept < len(a.Gigs)*9/10 {
			t.Errorf("%s: %d of %d gigs kept a week later", u, kept, len(a.Gigs))
		}
	}
	if reflect.DeepEqual(data(t, "test_1", itemID(0)).Gigs, data(t, "test_1", itemID(2)).Gigs) {
		t.Error("two items give the same gigs")
	}
}

func TestPlausible(t *testing.T) {
	for _, u := range sandboxdata.SampleUsers() {
		id, _ := sandboxdata.Identity(u.Username)
		for i := range platforms {
			item := itemID(i)
			d := data(t, u.Username, item)
			if d.Identity != id {
				t.Errorf("%s %s: identity %+v", u.Username, item, d.Identity)
			}
			if len(d.Gigs) < 300 || len(d.Shifts) < 80 || len(d.Ratings) != 1 || len(d.Vehicles) != 1 {
				t.Fatalf("%s %s: %d gigs, %d shifts, %d ratings, %d vehicles", u.Username, item, len(d.Gigs), len(d.Shifts), len(d.Ratings), len(d.Vehicles))
			}
			if first := d.Gigs[0].Start; asOf.Time().Sub(first) < 365*24*time.Hour {
				t.Errorf("%s %s: history starts %s", u.Username, item, first)
			}
			if last := d.Gigs[len(d.Gigs)-1].End; !last.Before(asOf.Time().Add(12 * time.Hour)) {
				t.Errorf("%s %s: gig ends %s, after the as-of date", u.Username, item, last)
			}
			seen := map[string]bool{}
			shifts := map[time.Time]datasource.Shift{}
			for _, s := range d.Shifts {
				shifts[s.Start] = s
				worked := s.End.Sub(s.Start)
				for _, b := range s.Times.Breaks {
					if !b.Start.After(s.Start) || !b.End.Before(s.End) || !b.End.After(b.Start) {
						t.Errorf("shift %s: break %+v", s.ID, b)
					}
					worked -= b.End.Sub(b.Start)
				}
				if s.Hours != HoursOf(worked) || s.Times.ShiftStart != s.Start || s.Times.ShiftEnd != s.End {
					t.Errorf("shift %s: hours %s for %s", s.ID, s.Hours, worked)
				}
			}
			var prev time.Time
			for _, g := range d.Gigs {
				if seen[g.ID] {
					t.Fatalf("gig id %s repeats", g.ID)
				}
				seen[g.ID] = true
				if g.Start.Before(prev) {
					t.Errorf("gig %s starts before the previous one ends", g.ID)
				}
				prev = g.End
				if g.Duration != int64(g.End.Sub(g.Start)/time.Second) || g.Duration < 300 || g.Duration > 4*3600 {
					t.Errorf("gig %s: duration %d for %s to %s", g.ID, g.Duration, g.Start, g.End)
				}
				ts := g.Times
				if ts.RequestAt != g.Start || ts.DropoffAt != g.End || !ts.AcceptAt.After(ts.RequestAt) ||
					!ts.PickupAt.After(ts.AcceptAt) || !ts.DropoffAt.After(ts.PickupAt) || ts.CancelAt != nil {
					t.Errorf("gig %s: times %+v", g.ID, ts)
				}
				s, ok := shifts[*ts.ShiftStart]
				if !ok || *ts.ShiftEnd != s.End || g.Start.Before(s.Start) || g.End.After(s.End) {
					t.Errorf("gig %s is not within its shift", g.ID)
				}
				in := g.Income
				if in.Total != in.Pay+in.Tips+in.Bonus+in.Other || in.TotalCharge != in.CustomerPrice+in.Fees || in.Pay <= 0 || in.Currency != "USD" {
					t.Errorf("gig %s: income %+v", g.ID, in)
				}
				dist, err := strconv.ParseFloat(g.Distance, 64)
				if err != nil || dist <= 0 || dist > 60 || g.DistanceUnit != "miles" {
					t.Errorf("gig %s: distance %q", g.ID, g.Distance)
				}
				if g.Type != byItem[item].gigType || g.Employer != byItem[item].name || g.Status != datasource.GigCompleted {
					t.Errorf("gig %s: %s %s %s", g.ID, g.Type, g.Employer, g.Status)
				}
				if g.Type == datasource.GigDelivery {
					var sum datasource.GigIncome
					for _, o := range g.TaskDetails.Orders {
						sum.Total += o.Income.Total
						sum.Tips += o.Income.Tips
					}
					if len(g.TaskDetails.Orders) != g.TaskCount || sum.Total != in.Total || sum.Tips != in.Tips ||
						len(g.TaskDetails.Events) != 1+2*g.TaskCount {
						t.Errorf("delivery %s: orders %+v do not add up to %+v", g.ID, g.TaskDetails.Orders, in)
					}
				}
			}
			r := d.Ratings[0]
			if v, err := strconv.ParseFloat(r.Rating, 64); err != nil || v < 4 || v > 5 {
				t.Errorf("rating %q", r.Rating)
			}
			if v := d.Vehicles[0]; v.Year == "" || v.Make == "" || v.Identification == "" || (v.Type == datasource.VehicleCar) != (len(v.VIN) == 17) {
				t.Errorf("vehicle %+v", v)
			}
			b, err := json.Marshal(d)
			if err != nil || strings.Contains(string(b), `"breaks":null`) || strings.Contains(string(b), `"metadata":null`) {
				t.Errorf("%s %s: JSON has null lists or metadata (%v)", u.Username, item, err)
			}
		}
	}
}

func TestHoursOf(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7*time.Hour + 12*time.Minute: "7.2", 3*time.Hour + 25*time.Minute: "3.4167", time.Hour: "1", 90 * time.Second: "0.025",
	} {
		if got := HoursOf(d); got != want {
			t.Errorf("HoursOf(%s) = %s, want %s", d, got, want)
		}
	}
}
