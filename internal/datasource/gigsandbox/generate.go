package gigsandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the sandbox's time zones do not depend on the host

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

// profile is how a sample user works on gig platforms.
type profile struct {
	zone         string
	city, state  string
	zip          string // the first three digits of the user's ZIP codes
	lat, lng     int64  // the city's centre, in millionths of a degree
	streets      []string
	mph          int64 // average speed in the city's traffic
	years        int   // how far back the history goes from the as-of date
	workPct      [7]int
	weekdayHours [2]int // first and last hour a weekday shift may start at
	weekendHours [2]int
	gigsPerShift [2]int
	ratingBase   int // hundredths
	car          vehicleModel
	deliveryRide vehicleModel // used on delivery platforms
}

type vehicleModel struct {
	make, model, year, kind string
}

var profiles = map[string]profile{
	"test_1": {
		zone: "America/New_York", city: "New York", state: "NY", zip: "100", lat: 40730600, lng: -73986600,
		streets: []string{"Bleecker St", "Hudson St", "W 14th St", "Avenue A", "Lafayette St", "E 23rd St", "Broome St", "Greenwich Ave"},
		mph:     11, years: 3,
		workPct:      [7]int{30, 15, 15, 25, 15, 45, 60}, // Sunday first
		weekdayHours: [2]int{17, 19}, weekendHours: [2]int{10, 13}, gigsPerShift: [2]int{2, 5}, ratingBase: 493,
		car:          vehicleModel{"Kestrel", "Aria Sedan", "2019", datasource.VehicleCar},
		deliveryRide: vehicleModel{"Kestrel", "Aria Sedan", "2019", datasource.VehicleCar},
	},
	"test_2": {
		zone: "America/Denver", city: "Denver", state: "CO", zip: "802", lat: 39742000, lng: -104991500,
		streets: []string{"Larimer St", "Blake St", "Colfax Ave", "Broadway", "Speer Blvd", "Federal Blvd", "York St", "Tejon St"},
		mph:     22, years: 2,
		workPct:      [7]int{50, 0, 0, 0, 0, 0, 70},
		weekdayHours: [2]int{10, 14}, weekendHours: [2]int{10, 14}, gigsPerShift: [2]int{3, 6}, ratingBase: 487,
		car:          vehicleModel{"Norland", "Ridge SUV", "2021", datasource.VehicleCar},
		deliveryRide: vehicleModel{"Norland", "Ridge SUV", "2021", datasource.VehicleCar},
	},
	"test_3": {
		zone: "America/New_York", city: "Philadelphia", state: "PA", zip: "191", lat: 39952600, lng: -75165200,
		streets: []string{"Walnut St", "Chestnut St", "Spruce St", "Market St", "South St", "Girard Ave", "Passyunk Ave", "Spring Garden St"},
		mph:     15, years: 3,
		workPct:      [7]int{20, 25, 25, 25, 25, 45, 45},
		weekdayHours: [2]int{16, 19}, weekendHours: [2]int{11, 17}, gigsPerShift: [2]int{2, 5}, ratingBase: 471,
		car:          vehicleModel{"Corvant", "Vista Hatchback", "2017", datasource.VehicleCar},
		deliveryRide: vehicleModel{"Voltway", "Commuter 500", "2022", datasource.VehicleEbike},
	},
}

// DataFor returns the data Aggregate returns for a sample user (by username
// or e-mail) connected to a gig item as of the given date: the identity,
// the gigs and shifts of every day before asOf within the user's history,
// oldest first, one rating and the vehicles used. The same inputs always
// give identical data.
func DataFor(login, itemID string, asOf value.Date) (datasource.Data, error) {
	u, ok := sandboxdata.Lookup(login)
	if !ok {
		return datasource.Data{}, datasource.ErrInvalidCredentials
	}
	p, ok := byItem[itemID]
	if !ok {
		return datasource.Data{}, fmt.Errorf("gig sandbox: %w %q", datasource.ErrUnknownItem, itemID)
	}
	id, _ := sandboxdata.Identity(u.Username)
	g := &generator{user: u.Username, item: itemID, p: p, pr: profiles[u.Username]}
	loc, err := time.LoadLocation(g.pr.zone)
	if err != nil {
		return datasource.Data{}, fmt.Errorf("gig sandbox: %w", err)
	}
	g.loc = loc
	d := datasource.Data{Identity: id, Gigs: []datasource.Gig{}, Shifts: []datasource.Shift{}}
	start := asOf.AddDate(-g.pr.years, 0, 0)
	for day := start; day.Before(asOf); day = day.AddDate(0, 0, 1) {
		shift, gigs, ok := g.day(day)
		if !ok {
			continue
		}
		d.Shifts = append(d.Shifts, shift)
		d.Gigs = append(d.Gigs, gigs...)
	}
	d.Ratings = []datasource.Rating{g.rating(asOf, d.Gigs)}
	d.Vehicles = g.vehicles(start)
	return d, nil
}

type generator struct {
	user, item string
	p          *platform
	pr         profile
	loc        *time.Location
}

func between(r *rand.Rand, lo, hi int64) int64 { return sandboxdata.Between(r, lo, hi) }

func secs(r *rand.Rand, lo, hi int64) time.Duration {
	return time.Duration(between(r, lo, hi)) * time.Second
}

// place returns a random address near the city's centre.
func (g *generator) place(r *rand.Rand) datasource.Location {
	lat := g.pr.lat + between(r, -45000, 45000)
	lng := g.pr.lng + between(r, -60000, 60000)
	addr := fmt.Sprintf("%d %s, %s, %s %s%02d, US", between(r, 10, 2400), g.pr.streets[r.IntN(len(g.pr.streets))],
		g.pr.city, g.pr.state, g.pr.zip, between(r, 1, 40))
	return datasource.Location{Lat: degrees(lat), Lng: degrees(lng), FormattedAddress: addr}
}

// degrees formats millionths of a degree, such as "40.730600".
func degrees(micro int64) string {
	sign := ""
	if micro < 0 {
		sign, micro = "-", -micro
	}
	return fmt.Sprintf("%s%d.%06d", sign, micro/1000000, micro%1000000)
}

// day generates the shift worked on day and its gigs, if the user worked.
func (g *generator) day(day value.Date) (datasource.Shift, []datasource.Gig, bool) {
	r := sandboxdata.RandFor("gig-day", g.user, g.item, day.String())
	if r.IntN(100) >= g.pr.workPct[day.Weekday()] {
		return datasource.Shift{}, nil, false
	}
	hours := g.pr.weekdayHours
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		hours = g.pr.weekendHours
	}
	h := int(between(r, int64(hours[0]), int64(hours[1])))
	shiftStart := time.Date(day.Year, day.Month, day.Day, h, int(between(r, 0, 59)), int(between(r, 0, 59)), 0, g.loc).UTC()
	n := int(between(r, int64(g.pr.gigsPerShift[0]), int64(g.pr.gigsPerShift[1])))
	breakAfter := -1
	if n >= 4 {
		breakAfter = n / 2 // one break, halfway through a long shift
	}
	var gigs []datasource.Gig
	var breaks []datasource.Break
	t := shiftStart.Add(secs(r, 120, 600))
	for i := range n {
		gig := g.gig(r, day, i, t)
		gigs = append(gigs, gig)
		t = gig.End.Add(secs(r, 120, 720))
		if i == breakAfter-1 {
			b := datasource.Break{Start: gig.End.Add(secs(r, 60, 180))}
			b.End = b.Start.Add(secs(r, 15*60, 30*60))
			breaks = append(breaks, b)
			t = b.End.Add(secs(r, 60, 300))
		}
	}
	shiftEnd := gigs[len(gigs)-1].End.Add(secs(r, 60, 360))
	for i := range gigs {
		gigs[i].Times.ShiftStart, gigs[i].Times.ShiftEnd = ptr(shiftStart), ptr(shiftEnd)
	}
	worked := shiftEnd.Sub(shiftStart)
	for _, b := range breaks {
		worked -= b.End.Sub(b.Start)
	}
	if breaks == nil {
		breaks = []datasource.Break{}
	}
	shift := datasource.Shift{
		ID: sandboxdata.UUIDFor("gig-shift", g.user, g.item, day.String()), Employer: g.p.name,
		Status: datasource.GigCompleted, Type: datasource.ShiftHourly, Start: shiftStart, End: shiftEnd,
		Times:    datasource.ShiftTimes{ShiftStart: shiftStart, ShiftEnd: shiftEnd, Breaks: breaks},
		Hours:    HoursOf(worked),
		Timezone: g.pr.zone, Location: gigs[0].StartLocation.FormattedAddress, Metadata: map[string]any{},
	}
	return shift, gigs, true
}

func ptr[T any](v T) *T { return &v }

// HoursOf renders a duration in hours with up to four decimals, such as "7.2" or "3.4167".
func HoursOf(d time.Duration) string {
	tenThousandths := (int64(d/time.Second)*10000 + 1800) / 3600
	s := fmt.Sprintf("%d.%04d", tenThousandths/10000, tenThousandths%10000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// miles returns the hundredths of a mile driven in d.
func (g *generator) miles(d time.Duration) int64 {
	return max(30, int64(d/time.Second)*g.pr.mph*100/3600)
}

// gig generates the i-th gig of day, requested at t.
func (g *generator) gig(r *rand.Rand, day value.Date, i int, t time.Time) datasource.Gig {
	gig := datasource.Gig{
		ID: sandboxdata.UUIDFor("gig", g.user, g.item, day.String(), strconv.Itoa(i)), Employer: g.p.name,
		Status: datasource.GigCompleted, Type: g.p.gigType, TaskCount: 1, Start: t, Timezone: g.pr.zone, EarningType: "work",
		DistanceUnit: "miles", Metadata: map[string]any{},
		Circumstances: datasource.Circumstances{ServiceType: g.p.services[0]},
		TaskDetails:   datasource.TaskDetails{Events: []datasource.GigEvent{}, Orders: []datasource.GigOrder{}},
	}
	if k := r.IntN(10); k >= 7 && len(g.p.services) > 1 {
		gig.Circumstances.ServiceType = g.p.services[1+r.IntN(len(g.p.services)-1)]
	}
	times := &gig.Times
	times.RequestAt = t
	times.AcceptAt = t.Add(secs(r, 8, 60))
	times.Breaks = []datasource.Break{}
	if g.p.gigType == datasource.GigRideshare {
		g.ride(r, &gig)
	} else {
		g.delivery(r, &gig)
	}
	gig.End = times.DropoffAt
	gig.Duration = int64(gig.End.Sub(gig.Start) / time.Second)
	in := gig.Income
	if hundredths, _ := strconv.ParseInt(strings.ReplaceAll(gig.Distance, ".", ""), 10, 64); hundredths > 0 && gig.Duration > 0 {
		gig.IncomeRates = datasource.IncomeRates{
			Hour: sandboxdata.RoundDiv(int64(in.Total)*3600, gig.Duration),
			Mile: sandboxdata.RoundDiv(int64(in.Total)*100, hundredths),
		}
	}
	return gig
}

// ride fills a rideshare trip: pickup, trip, dropoff and the fare.
func (g *generator) ride(r *rand.Rand, gig *datasource.Gig) {
	times := &gig.Times
	times.PickupAt = times.AcceptAt.Add(secs(r, 3*60, 9*60))
	trip := secs(r, 8*60, 38*60)
	times.DropoffAt = times.PickupAt.Add(trip)
	gig.StartLocation, gig.EndLocation = g.place(r), g.place(r)
	dist := g.miles(times.DropoffAt.Sub(times.AcceptAt))
	gig.Distance = value.Money(dist).String()
	pay := 250 + 95*dist/100 + 24*int64(trip/time.Minute)
	if r.IntN(100) < 15 {
		gig.Circumstances.IsSurge = true
		pay = pay * between(r, 120, 180) / 100
	}
	gig.Circumstances.IsPool = strings.HasSuffix(gig.Circumstances.ServiceType, "Share")
	in := datasource.GigIncome{Currency: "USD", Pay: value.Money(pay)}
	if r.IntN(100) < 55 {
		in.Tips = value.Money(between(r, 100, 900))
	}
	if r.IntN(100) < 5 {
		in.Bonus = value.Money(between(r, 300, 1000))
	}
	if r.IntN(100) < 4 {
		in.Other = value.Money(between(r, 250, 1100)) // a toll, reimbursed
		gig.Metadata["income.other"] = map[string]any{"name": "Toll reimbursement", "value": in.Other.String()}
	}
	in.CustomerPrice = in.Pay
	in.Fees = sandboxdata.Percent(in.Pay, between(r, 250000, 320000))
	finish(&in)
	gig.Income = in
}

// delivery fills a delivery run of one or two orders from the same pickup.
func (g *generator) delivery(r *rand.Rand, gig *datasource.Gig) {
	times := &gig.Times
	orders := 1
	if r.IntN(100) < 20 {
		orders = 2
	}
	gig.TaskCount = orders
	gig.Circumstances.IsRush = r.IntN(100) < 10
	pickupName := g.p.pickups[r.IntN(len(g.p.pickups))]
	pickup := g.place(r)
	gig.StartLocation = pickup
	times.PickupAt = times.AcceptAt.Add(secs(r, 6*60, 15*60))
	seq := 0
	event := func(orderID *string, kind string, name *string, at datasource.Location, when time.Time) {
		seq++
		gig.TaskDetails.Events = append(gig.TaskDetails.Events, datasource.GigEvent{
			OrderID: orderID, Sequence: strconv.Itoa(seq), Type: kind, Name: name,
			FormattedAddress: at.FormattedAddress, Lat: at.Lat, Lng: at.Lng, Datetime: when,
		})
	}
	event(nil, "accept", nil, pickup, times.AcceptAt)
	for o := 1; o <= orders; o++ {
		event(ptr(strconv.Itoa(o)), "pickup", ptr(pickupName), pickup, times.PickupAt)
	}
	t := times.PickupAt
	total := datasource.GigIncome{Currency: "USD"}
	for o := 1; o <= orders; o++ {
		leg := secs(r, 6*60, 18*60)
		t = t.Add(leg)
		drop := g.place(r)
		gig.EndLocation = drop
		event(ptr(strconv.Itoa(o)), "dropoff", nil, drop, t)
		in := datasource.GigIncome{Currency: "USD", Pay: value.Money(between(r, 250, 450) + 60*g.miles(leg)/100)}
		if r.IntN(100) < 80 {
			in.Tips = value.Money(between(r, 200, 1200))
		}
		if gig.Circumstances.IsRush {
			in.Bonus = value.Money(between(r, 100, 300))
		}
		in.CustomerPrice = value.Money(between(r, 1200, 6500))
		in.Fees = sandboxdata.Percent(in.CustomerPrice, between(r, 120000, 200000))
		finish(&in)
		gig.TaskDetails.Orders = append(gig.TaskDetails.Orders, datasource.GigOrder{OrderID: strconv.Itoa(o), Sequence: strconv.Itoa(o), Income: in})
		total.CustomerPrice += in.CustomerPrice
		total.Fees += in.Fees
		total.Pay += in.Pay
		total.Tips += in.Tips
		total.Bonus += in.Bonus
		total.Other += in.Other
	}
	times.DropoffAt = t
	gig.Distance = value.Money(g.miles(t.Sub(times.AcceptAt))).String()
	finish(&total)
	gig.Income = total
}

// finish sets an income's totals from its parts.
func finish(in *datasource.GigIncome) {
	in.TotalCharge = in.CustomerPrice + in.Fees
	in.Total = in.Pay + in.Tips + in.Bonus + in.Other
}

var rideBadges = []string{"excellent_service", "great_conversation", "expert_navigation", "clean_car"}
var deliveryBadges = []string{"above_and_beyond", "fast_delivery", "careful_handling", "friendly_courier"}

// rating is the user's standing on the platform as of asOf.
func (g *generator) rating(asOf value.Date, gigs []datasource.Gig) datasource.Rating {
	r := sandboxdata.RandFor("gig-rating", g.user, g.item, asOf.String())
	badges := rideBadges
	if g.p.gigType == datasource.GigDelivery {
		badges = deliveryBadges
	}
	slug := strings.ToLower(strings.Fields(g.p.name)[0])
	rt := datasource.Rating{
		ID: sandboxdata.UUIDFor("gig-rating", g.user, g.item), Employer: g.p.name, Metadata: map[string]any{},
		Rating:         hundredths(int64(g.pr.ratingBase) + between(r, -3, 3)),
		AcceptanceRate: hundredths(between(r, 72, 95)),
		OntimeRate:     hundredths(between(r, 86, 99)),
		Achievements:   []datasource.Achievement{},
	}
	for i, b := range badges {
		count := len(gigs)/(25+10*i) + int(between(r, 0, 3))
		if count == 0 {
			continue
		}
		rt.Achievements = append(rt.Achievements, datasource.Achievement{
			Count: count, Label: b, Metadata: map[string]any{},
			BadgeURL:    "https://" + slug + ".example/badges/" + b,
			Description: strings.ToUpper(b[:1]) + strings.ReplaceAll(b[1:], "_", " "),
		})
	}
	recent := 0
	since := asOf.AddDate(0, 0, -90).Time()
	for _, gig := range gigs {
		if !gig.Start.Before(since) {
			recent++
		}
	}
	tier := "Blue"
	switch {
	case recent >= 100:
		tier = "Diamond"
	case recent >= 60:
		tier = "Platinum"
	case recent >= 25:
		tier = "Gold"
	}
	quarterEnd := value.NewDate(asOf.Year, time.Month((int(asOf.Month)-1)/3*3+1), 1).AddDate(0, 6, -1)
	rt.Rewards = []datasource.Reward{{ProgramName: g.p.name + " Rewards", Tier: tier, ValidThrough: quarterEnd.String(),
		Points: strconv.Itoa(recent * 5)}}
	return rt
}

// hundredths formats n/100 with two decimals, such as "4.93" or "0.91".
func hundredths(n int64) string { return value.Money(n).String() }

// vehicles lists the vehicle the user drives or rides on the platform.
func (g *generator) vehicles(since value.Date) []datasource.Vehicle {
	m := g.pr.car
	if g.p.gigType == datasource.GigDelivery {
		m = g.pr.deliveryRide
	}
	r := sandboxdata.RandFor("gig-vehicle", g.user, m.make, m.model)
	v := datasource.Vehicle{
		ID: sandboxdata.UUIDFor("gig-vehicle", g.user, g.item, m.make, m.model), Make: m.make, Model: m.model, Type: m.kind,
		Year: m.year, Employer: g.p.name, Metadata: map[string]any{}, Registered: since,
	}
	const letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
	const vinChars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[r.IntN(len(set))]
		}
		return string(b)
	}
	if m.kind == datasource.VehicleCar {
		v.Identification = pick(letters, 3) + fmt.Sprint(between(r, 1000, 9999))
		v.VIN = pick(vinChars, 17)
	} else {
		v.Identification = "EB-" + fmt.Sprint(between(r, 100000, 999999)) // the frame's serial number
	}
	return []datasource.Vehicle{v}
}
