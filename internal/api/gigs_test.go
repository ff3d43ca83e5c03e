package api_test

// Gigs, shifts, ratings and vehicles (/v2) of gig accounts aggregated from
// the gig sandbox as the worker stores them.

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/datasource"
	"verigate/internal/datasource/gigsandbox"
	"verigate/internal/store"
)

// gigAccount stores a gig account of user connected to a sandbox login and
// gig item, with its data aggregated as the worker does.
func (e *env) gigAccount(t testing.TB, k key, user, login, item string) (store.Account, datasource.Data) {
	t.Helper()
	ctx := context.Background()
	data, err := gigsandbox.DataFor(login, item, dataAsOf)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().UTC().Truncate(time.Millisecond)
	a := store.Account{
		ID: store.NewID(), PartnerID: k.Partner, Environment: k.Env, UserID: user, VerificationID: store.NewID(),
		DataSource: "gig", Item: item, Source: gigsandbox.Source, Employers: []string{}, ConnectionStatus: "connected",
		Aggregation: store.AggregationRunning, LeaseUntil: now.Add(time.Minute), CreatedAt: now, UpdatedAt: now,
	}
	if err := e.app.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Version = 1
	recs, err := aggregate.Records(a, data, now)
	if err != nil {
		t.Fatal(err)
	}
	a.Aggregation, a.ScannedAt, a.LeaseUntil = store.AggregationDone, &now, now
	if err := e.app.Store.FinishAggregation(ctx, a, recs); err != nil {
		t.Fatal(err)
	}
	a.Version++
	e.clock.Advance(time.Second)
	return a, data
}

type gigFixture struct {
	e                *env
	u1, u2, ub       string
	bob, joe, sarah  store.Account
	bobData, joeData datasource.Data
	sarahData        datasource.Data
}

func newGigFixture(t *testing.T) *gigFixture {
	t.Helper()
	db, _ := fuzzDB(t) // PostgreSQL too when VERIGATE_TEST_POSTGRES_URL is set
	e := newEnvOn(t, db)
	f := &gigFixture{e: e}
	f.u1, f.u2, f.ub = e.createUser(t, e.A, nil), e.createUser(t, e.A, nil), e.createUser(t, e.B, nil)
	f.bob, f.bobData = e.gigAccount(t, e.A, f.u1, "test_1", "item_000100001")     // rideshare
	f.joe, f.joeData = e.gigAccount(t, e.A, f.u2, "test_3", "item_000100002")     // delivery
	f.sarah, f.sarahData = e.gigAccount(t, e.B, f.ub, "test_2", "item_000100003") // rideshare, tenant B
	return f
}

const stamp = "2006-01-02T15:04:05Z"

func TestGigsList(t *testing.T) {
	f := newGigFixture(t)
	e := f.e
	// The whole list of one account, page by page both ways: every gig,
	// newest start first, exactly the records aggregation stored.
	all := e.walkData(t, e.A, "/v2/gigs?account="+f.bob.ID+"&limit=200")
	sameList(t, "bob's gigs", inOrder(e.records(t, store.RecordGig, f.bob)), idsOf(all))
	if len(all) != len(f.bobData.Gigs) || len(all) < 300 {
		t.Fatalf("%d gigs listed, %d aggregated", len(all), len(f.bobData.Gigs))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1]["start_datetime"].(string) < all[i]["start_datetime"].(string) {
			t.Fatalf("gigs not newest first at %d", i)
		}
	}
	// Every gig is plausible and belongs to the account.
	for _, g := range all {
		if g["account"] != f.bob.ID || g["employer"] != "Hopwell Rides" || g["type"] != "rideshare" || g["status"] != "completed" {
			t.Fatalf("gig %v", g)
		}
		start, _ := time.Parse(stamp, g["start_datetime"].(string))
		end, _ := time.Parse(stamp, g["end_datetime"].(string))
		if d := g["duration"].(float64); d != end.Sub(start).Seconds() || d <= 0 {
			t.Fatalf("gig %s: duration %v for %s to %s", g["id"], d, start, end)
		}
		in := g["income"].(map[string]any)
		if cents(t, in["total"]) != cents(t, in["pay"])+cents(t, in["tips"])+cents(t, in["bonus"])+cents(t, in["other"]) ||
			cents(t, in["total_charge"]) != cents(t, in["customer_price"])+cents(t, in["fees"]) {
			t.Fatalf("gig %s: income %v does not add up", g["id"], in)
		}
		if !strings.HasSuffix(g["created_at"].(string), "Z") || g["distance_unit"] != "miles" {
			t.Fatalf("gig %v", g)
		}
	}
	// The user filter, and another user's account selects nothing.
	page := e.ok(t, e.A, "GET", "/v2/gigs?user="+f.u2, nil)
	for _, g := range anyMaps(page["results"]) {
		if g["account"] != f.joe.ID {
			t.Errorf("user filter lists %v", g["account"])
		}
	}
	if got := anyMaps(e.ok(t, e.A, "GET", "/v2/gigs?user="+f.u2+"&account="+f.bob.ID, nil)["results"]); len(got) != 0 {
		t.Errorf("user and another user's account list %d gigs", len(got))
	}
	// A delivery run: its orders add up to the gig's income.
	d := anyMaps(page["results"])[0]
	if d["type"] != "delivery" {
		t.Fatalf("joe's gig %v", d)
	}
	orders := anyMaps(d["task_details"].(map[string]any)["orders"])
	var total int64
	for _, o := range orders {
		total += int64(cents(t, o["income"].(map[string]any)["total"]))
	}
	if len(orders) != int(d["task_count"].(float64)) || total != int64(cents(t, d["income"].(map[string]any)["total"])) {
		t.Errorf("delivery orders %v do not add up to %v", orders, d["income"])
	}
	// The next URL is absolute and keeps the filters.
	first := e.ok(t, e.A, "GET", "/v2/gigs?limit=5&account="+f.bob.ID, nil)
	next, _ := first["next"].(string)
	if u, err := url.Parse(next); err != nil || !strings.HasPrefix(next, e.srv.URL+"/v2/gigs?") || u.Query().Get("account") != f.bob.ID {
		t.Errorf("next %q", next)
	}
}

func TestGigsStartDatetimeFilters(t *testing.T) {
	f := newGigFixture(t)
	e := f.e
	g := f.bobData.Gigs[len(f.bobData.Gigs)/2]
	id := aggregate.RecordID(f.bob, store.RecordGig, g.ID)
	list := func(q string) []string {
		t.Helper()
		return idsOf(anyMaps(e.ok(t, e.A, "GET", "/v2/gigs?account="+f.bob.ID+"&limit=200&"+q, nil)["results"]))
	}
	at := g.Start.UTC()
	enc := func(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339Nano)) }
	// Both bounds are inclusive and exact to the second, in any offset.
	if got := list("from_start_datetime=" + enc(at) + "&to_start_datetime=" + enc(at)); !slices.Equal(got, []string{id}) {
		t.Errorf("from = to = its start: %v, want [%s]", got, id)
	}
	ny := at.In(time.FixedZone("EDT", -4*3600))
	if got := list("from_start_datetime=" + enc(ny) + "&to_start_datetime=" + enc(ny)); !slices.Equal(got, []string{id}) {
		t.Errorf("bounds with an offset: %v", got)
	}
	half := 500 * time.Millisecond
	if got := list("from_start_datetime=" + enc(at.Add(-half)) + "&to_start_datetime=" + enc(at.Add(half))); !slices.Equal(got, []string{id}) {
		t.Errorf("bounds half a second around its start: %v", got)
	}
	if got := list("from_start_datetime=" + enc(at.Add(half)) + "&to_start_datetime=" + enc(at.Add(time.Hour))); slices.Contains(got, id) {
		t.Error("a from bound after the start lists the gig")
	}
	if got := list("to_start_datetime=" + enc(at.Add(-half)) + "&from_start_datetime=" + enc(at.Add(-time.Hour))); slices.Contains(got, id) {
		t.Error("a to bound before the start lists the gig")
	}
	// A month by dates: exactly the gigs that start in it.
	want := 0
	from, to := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 23, 59, 59, 0, time.UTC)
	for _, x := range f.bobData.Gigs {
		if !x.Start.Before(from) && !x.Start.After(to) {
			want++
		}
	}
	month := e.walkData(t, e.A, "/v2/gigs?account="+f.bob.ID+"&from_start_datetime=2024-03-01&to_start_datetime=2024-03-31T23:59:59Z&limit=7")
	if len(month) != want || want == 0 {
		t.Errorf("March 2024: %d gigs, want %d", len(month), want)
	}
}

func TestShiftsRatingsVehicles(t *testing.T) {
	f := newGigFixture(t)
	e := f.e
	shifts := e.walkData(t, e.A, "/v2/shifts?user="+f.u2+"&limit=200")
	sameList(t, "joe's shifts", inOrder(e.records(t, store.RecordShift, f.joe)), idsOf(shifts))
	if len(shifts) != len(f.joeData.Shifts) {
		t.Fatalf("%d shifts, want %d", len(shifts), len(f.joeData.Shifts))
	}
	for _, s := range shifts {
		start, _ := time.Parse(stamp, s["start_datetime"].(string))
		end, _ := time.Parse(stamp, s["end_datetime"].(string))
		worked := end.Sub(start)
		for _, b := range anyMaps(s["all_datetimes"].(map[string]any)["breaks"]) {
			bs, _ := time.Parse(stamp, b["break_start"].(string))
			be, _ := time.Parse(stamp, b["break_end"].(string))
			worked -= be.Sub(bs)
		}
		if s["hours"] != gigsandbox.HoursOf(worked) || s["type"] != "hourly" || s["account"] != f.joe.ID {
			t.Fatalf("shift %v: hours for %s", s, worked)
		}
	}
	s := f.joeData.Shifts[3]
	window := "from_start_datetime=" + s.Start.Format(stamp) + "&to_start_datetime=" + s.Start.Format(stamp)
	got := anyMaps(e.ok(t, e.A, "GET", "/v2/shifts?"+window, nil)["results"])
	if len(got) != 1 || got[0]["id"] != aggregate.RecordID(f.joe, store.RecordShift, s.ID) {
		t.Errorf("shift by its start: %v", got)
	}
	one := e.ok(t, e.A, "GET", "/v2/shifts/"+got[0]["id"].(string), nil)
	if one["id"] != got[0]["id"] || one["hours"] != s.Hours || one["location"] != s.Location {
		t.Errorf("shift %v", one)
	}

	// One rating and one vehicle per account.
	ratings := e.walkData(t, e.A, "/v2/ratings")
	sameList(t, "A's ratings", inOrder(append(e.records(t, store.RecordRating, f.bob), e.records(t, store.RecordRating, f.joe)...)), idsOf(ratings))
	r := e.ok(t, e.A, "GET", "/v2/ratings?account="+f.bob.ID, nil)
	rs := anyMaps(r["results"])
	if len(rs) != 1 || rs[0]["rating"] != f.bobData.Ratings[0].Rating || rs[0]["employer"] != "Hopwell Rides" || len(anyMaps(rs[0]["rewards"])) != 1 {
		t.Fatalf("bob's rating %v", rs)
	}
	if one := e.ok(t, e.A, "GET", "/v2/ratings/"+rs[0]["id"].(string), nil); one["acceptance_rate"] != rs[0]["acceptance_rate"] {
		t.Errorf("rating %v", one)
	}
	vs := anyMaps(e.ok(t, e.A, "GET", "/v2/vehicles?user="+f.u2, nil)["results"])
	if len(vs) != 1 || vs[0]["type"] != "ebike" || vs[0]["year"] != "2022" || vs[0]["account"] != f.joe.ID {
		t.Fatalf("joe's delivery vehicle %v", vs)
	}
	car := anyMaps(e.ok(t, e.A, "GET", "/v2/vehicles?account="+f.bob.ID, nil)["results"])
	if len(car) != 1 || car[0]["type"] != "car" || len(car[0]["vin"].(string)) != 17 {
		t.Fatalf("bob's car %v", car)
	}
	if one := e.ok(t, e.A, "GET", "/v2/vehicles/"+car[0]["id"].(string), nil); one["identification"] != car[0]["identification"] {
		t.Errorf("vehicle %v", one)
	}
	if _, ok := car[0]["registered"]; ok {
		t.Error("a vehicle shows the registration day it is dated by")
	}
}

func TestGigsTenancyAndBadInput(t *testing.T) {
	f := newGigFixture(t)
	e := f.e
	ids := map[string]string{
		"gigs":     aggregate.RecordID(f.bob, store.RecordGig, f.bobData.Gigs[0].ID),
		"shifts":   aggregate.RecordID(f.bob, store.RecordShift, f.bobData.Shifts[0].ID),
		"ratings":  aggregate.RecordID(f.bob, store.RecordRating, f.bobData.Ratings[0].ID),
		"vehicles": aggregate.RecordID(f.bob, store.RecordVehicle, f.bobData.Vehicles[0].ID),
	}
	for group, id := range ids {
		base := "/v2/" + group
		e.ok(t, e.A, "GET", base+"/"+id, nil)
		// Another tenant's ids: 404, and as filters they select nothing.
		for _, k := range []key{e.B, e.AProd} {
			detailOf(t, e.call(t, k, "GET", base+"/"+id, nil), http.StatusNotFound)
			for _, q := range []string{"?account=" + f.bob.ID, "?user=" + f.u1} {
				if got := anyMaps(e.ok(t, k, "GET", base+q, nil)["results"]); len(got) != 0 {
					t.Errorf("%s%s lists %d of A's objects", base, q, len(got))
				}
			}
		}
		// Ids of another kind, unknown ids and ids that are not UUIDs.
		for other, oid := range ids {
			if other != group {
				detailOf(t, e.call(t, e.A, "GET", base+"/"+oid, nil), http.StatusNotFound)
			}
		}
		detailOf(t, e.call(t, e.A, "GET", base+"/"+unknownID, nil), http.StatusNotFound)
		detailOf(t, e.call(t, e.A, "GET", base+"/nope", nil), http.StatusNotFound)
		// Bad parameters: 400 on the parameter.
		for param, q := range map[string]string{
			"account": "account=nope", "user": "user=1234", "limit": "limit=201", "cursor": "cursor=bm9wZQ",
			"colour": "colour=red",
		} {
			fieldError(t, e.call(t, e.A, "GET", base+"?"+q, nil), param)
		}
		fieldError(t, e.call(t, e.A, "GET", base+"?limit=0", nil), "limit")
		if r := e.call(t, e.A, "DELETE", base+"/"+id, nil); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("DELETE %s: %s", base, r)
		}
		// B sees its own.
		if got := anyMaps(e.ok(t, e.B, "GET", base+"?user="+f.ub, nil)["results"]); len(got) == 0 {
			t.Errorf("B's %s: none", group)
		}
	}
	for _, group := range []string{"gigs", "shifts"} {
		for _, v := range []string{"yesterday", "2024-13-01", "2024-01-05T25:00:00Z", "10000-01-01T00:00:00Z", "2024-01-05T10:00:00"} {
			for _, p := range []string{"from_start_datetime", "to_start_datetime"} {
				fieldError(t, e.call(t, e.A, "GET", "/v2/"+group+"?"+p+"="+url.QueryEscape(v), nil), p)
			}
		}
	}
	// Ratings and vehicles take no date filters.
	fieldError(t, e.call(t, e.A, "GET", "/v2/ratings?from_start_datetime=2024-01-01", nil), "from_start_datetime")
	// A gig account is an account like any other on the Partners v2 surface
	// (checked against that contract); it has no paystubs.
	if a := e.ok(t, e.A, "GET", "/partners/v2/accounts/"+f.bob.ID, nil); a["item"] != "item_000100001" || a["source"] != gigsandbox.Source {
		t.Errorf("partners account %v", a)
	}
	if got := anyMaps(e.ok(t, e.A, "GET", "/partners/v2/paystubs?account="+f.bob.ID, nil)["results"]); len(got) != 0 {
		t.Errorf("a gig account lists %d paystubs", len(got))
	}
	// A records cursor of another list is still a valid position: it pages on.
	first := e.ok(t, e.A, "GET", "/v2/gigs?limit=2&account="+f.bob.ID, nil)
	next, _ := first["next"].(string)
	u, _ := url.Parse(next)
	e.ok(t, e.A, "GET", "/v2/shifts?cursor="+u.Query().Get("cursor"), nil)
}
