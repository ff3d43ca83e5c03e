package banksandbox

import (
	"strconv"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

// spec describes one account of a sample user.
type spec struct {
	key           string // stable key within the user: "checking", "bills", "savings"
	name          string
	typ, subtype  string
	coOwners      []string
	opening       [2]money // range of the balance just before the window
	interestAPYPP int64    // savings interest rate, parts per million a year
}

// profile is a sample user's banking profile.
type profile struct {
	username    string
	mfa         datasource.MFAKind
	destination string
	accounts    []spec
	build       func(g *gen) error
}

var profiles = []profile{
	{
		username: "test_1", mfa: datasource.MFASMS, destination: "***-***-0181",
		accounts: []spec{
			{key: "checking", name: "Everyday Checking", typ: datasource.AccountChecking, subtype: "checking",
				opening: [2]money{180000, 320000}},
			{key: "savings", name: "High-Yield Savings", typ: datasource.AccountSavings, subtype: "high_yield_savings",
				opening: [2]money{600000, 1200000}, interestAPYPP: 40000},
		},
		build: buildBob,
	},
	{
		username: "test_2", mfa: datasource.MFAEmail, destination: "t***2@argyle.com",
		accounts: []spec{
			{key: "checking", name: "Premier Checking", typ: datasource.AccountChecking, subtype: "interest_checking",
				coOwners: []string{"Daniel Longfield"}, opening: [2]money{400000, 700000}},
		},
		build: buildSarah,
	},
	{
		username: "test_3", mfa: datasource.MFAAuthenticator,
		accounts: []spec{
			{key: "checking", name: "Free Checking", typ: datasource.AccountChecking, subtype: "checking",
				opening: [2]money{30000, 80000}},
			{key: "bills", name: "Bills Checking", typ: datasource.AccountChecking, subtype: "checking",
				opening: [2]money{60000, 110000}},
			{key: "savings", name: "Savings", typ: datasource.AccountSavings, subtype: "savings",
				opening: [2]money{50000, 150000}, interestAPYPP: 5000},
		},
		build: buildJoe,
	},
}

// lookup finds a sample user's banking profile by username or e-mail,
// ignoring case and surrounding spaces, with the sample user's login.
func lookup(login string) (*profile, sandboxdata.SampleUser, bool) {
	if u, ok := sandboxdata.Lookup(login); ok {
		for i := range profiles {
			if profiles[i].username == u.Username {
				return &profiles[i], u, true
			}
		}
	}
	return nil, sandboxdata.SampleUser{}, false
}

// prompt returns the MFA prompt for p.
func (p *profile) prompt() string {
	switch p.mfa {
	case datasource.MFASMS:
		return "Enter the code sent by text message to " + p.destination
	case datasource.MFAEmail:
		return "Enter the code sent by e-mail to " + p.destination
	default:
		return "Enter the code shown in your authenticator app"
	}
}

// Common merchants.
var (
	groceriesNY = []merchant{
		{"FRESH BASKET GROCERY #214 NEW YORK NY", "Fresh Basket Grocery", 1800, 13500},
		{"GREENLEAF MARKET NEW YORK NY", "Greenleaf Market", 900, 6500},
	}
	diningNY = []merchant{
		{"BLUE DOOR COFFEE NEW YORK NY", "Blue Door Coffee", 450, 1400},
		{"UPTOWN PIZZA CO NEW YORK NY", "Uptown Pizza Co.", 1200, 3800},
		{"LUCKY NOODLE BAR NEW YORK NY", "Lucky Noodle Bar", 1600, 4800},
		{"CORNER PHARMACY NEW YORK NY", "Corner Pharmacy", 600, 4200},
	}
	groceriesCO = []merchant{
		{"PEAK FRESH MARKET #31 DENVER CO", "Peak Fresh Market", 2500, 19000},
		{"MILE HIGH BUTCHER DENVER CO", "Mile High Butcher", 1800, 6400},
	}
	otherCO = []merchant{
		{"QUICK FUEL 0412 DENVER CO", "Quick Fuel", 3000, 7000},
		{"COPPER KETTLE BISTRO DENVER CO", "Copper Kettle Bistro", 2800, 9600},
		{"TRAILHEAD OUTFITTERS DENVER CO", "Trailhead Outfitters", 1900, 15800},
		{"BLUE DOOR COFFEE DENVER CO", "Blue Door Coffee", 450, 1500},
	}
	groceriesPA = []merchant{
		{"FRESH BASKET GROCERY #88 PHILADELPHIA PA", "Fresh Basket Grocery", 1200, 9500},
		{"WALNUT CORNER DELI PHILADELPHIA PA", "Walnut Corner Deli", 700, 2400},
	}
	otherPA = []merchant{
		{"QUICK FUEL 1187 PHILADELPHIA PA", "Quick Fuel", 2500, 6000},
		{"LIBERTY CHEESESTEAKS PHILADELPHIA PA", "Liberty Cheesesteaks", 900, 2600},
		{"BLUE DOOR COFFEE PHILADELPHIA PA", "Blue Door Coffee", 400, 1100},
		{"SCHUYLKILL HARDWARE PHILADELPHIA PA", "Schuylkill Hardware", 800, 6400},
	}
)

// buildBob: biweekly salary from Whole Goods, irregular gig payouts from
// DashCrate Delivery for the last 14 months, rent, bills, card payments,
// occasional refunds, a monthly transfer to savings and a yearly one back.
func buildBob(g *gen) error {
	const checking, savings = 0, 1
	if _, err := g.payroll(checking, PayrollItem, g.start, g.asOf); err != nil {
		return err
	}

	// Gig payouts, cashed out every 3 to 12 days.
	r := g.rng("gig")
	for d := g.asOf.AddDate(0, -14, 0).AddDate(0, 0, r.IntN(5)); !d.After(g.asOf); d = d.AddDate(0, 0, 3+r.IntN(10)) {
		g.add(checking, d, between(r, money(2800), 31000), "DASHCRATE DELIVERY INSTANT PAY", "DashCrate Delivery", datasource.TxIncomeOther)
	}

	// Refunds now and then.
	r = g.rng("refunds")
	for d := g.start.AddDate(0, 0, 20+r.IntN(40)); !d.After(g.asOf); d = d.AddDate(0, 0, 60+r.IntN(70)) {
		g.add(checking, d, between(r, money(1999), 12900), "REFUND NORTHWIND OUTFITTERS ONLINE", "Northwind Outfitters", datasource.TxRefund)
	}

	// Rent rises 3 % at every lease renewal on 1 June.
	rent := between(g.rng("rent"), money(220000), 255000) / 500 * 500
	g.bill(checking, 1, "VICTORIA PLAZA MGMT RENT WEB PMT", "Victoria Plaza Management", func(m date) money {
		amount := rent
		for y := g.start.Year; y <= m.Year; y++ {
			if renewal := value.NewDate(y, time.June, 1); renewal.After(g.start) && !renewal.After(m) {
				amount += pct(amount, 30000) / 100 * 100
			}
		}
		return amount
	})
	g.bill(checking, 2, "CITY TRANSIT FARE MONTHLY PASS", "City Transit", fixed(13200))
	g.bill(checking, 12, "HUDSON ELECTRIC & GAS AUTOPAY", "Hudson Electric & Gas", g.seasonal("electric", 5500, 14000, cooling))
	g.bill(checking, 18, "METROLINK FIBER INTERNET", "Metrolink Fiber", fixed(6499))
	g.bill(checking, 24, "BEACON WIRELESS AUTOPAY", "Beacon Wireless", fixed(7240))
	g.purchases(checking, "groceries", 20, groceriesNY)
	g.purchases(checking, "dining", 30, diningNY)

	// Savings: a monthly transfer in, a summer withdrawal, interest.
	g.months(func(m date) {
		amt := between(g.rng("save", m.String()), money(25), 60) * 1000
		g.transfer(checking, savings, weekdayOnOrAfter(dayOf(m, 16)), amt, "")
		if m.Month == time.July {
			g.transfer(savings, checking, weekdayOnOrAfter(dayOf(m, 5)), 150000, "VACATION")
		}
	})
	g.balanceCard(checking, 26, "LUMEN CARD SERVICES PAYMENT", "Lumen Card Services", [2]int64{94, 99}, 5000, 600000)
	g.addInterest(savings, g.accts[savings].interestAPYPP)
	return nil
}

// buildSarah: semimonthly salary with commission from Whole Goods, monthly
// rent from a tenant, a yearly tax refund, a mortgage and bills paid from a
// joint checking account, and a monthly transfer to her brokerage account.
func buildSarah(g *gen) error {
	const checking = 0
	if _, err := g.payroll(checking, PayrollItem, g.start, g.asOf); err != nil {
		return err
	}

	// The tenant pays between the 1st and the 5th; the rent rises $75 at
	// every lease renewal on 1 September.
	g.months(func(m date) {
		amount := money(165000)
		for y := g.start.Year; y <= m.Year; y++ {
			if renewal := value.NewDate(y, time.September, 1); renewal.After(g.start) && !renewal.After(m) {
				amount += 7500
			}
		}
		d := dayOf(m, 1+g.rng("tenant", m.String()).IntN(5))
		g.add(checking, d, amount, "ZELLE FROM PRIYA RAMAN RENT UNIT 2B", "Priya Raman", datasource.TxIncomeOther)
	})

	// Federal tax refund in April.
	for y := g.start.Year; y <= g.asOf.Year; y++ {
		r := g.rng("taxrefund", strconv.Itoa(y))
		g.add(checking, value.NewDate(y, time.April, 8+r.IntN(16)), between(r, money(80000), 240000),
			"IRS TREAS 310 TAX REF", "IRS", datasource.TxRefund)
	}

	g.bill(checking, 1, "FRONT RANGE HOME LOANS MTG PMT", "Front Range Home Loans", fixed(241218))
	g.bill(checking, 5, "LARIMER LOFTS HOA DUES", "Larimer Lofts HOA", fixed(28500))
	g.bill(checking, 14, "CENTENNIAL POWER & GAS AUTOPAY", "Centennial Power & Gas", g.seasonal("power", 7000, 21000, heating))
	g.bill(checking, 18, "METROLINK FIBER INTERNET", "Metrolink Fiber", fixed(7999))
	g.bill(checking, 20, "PLATTE VALLEY WATER", "Platte Valley Water", g.seasonal("water", 3800, 9500, cooling))
	g.bill(checking, 24, "BEACON WIRELESS AUTOPAY", "Beacon Wireless", fixed(13850))
	g.purchases(checking, "groceries", 25, groceriesCO)
	g.purchases(checking, "other", 30, otherCO)
	g.months(func(m date) {
		g.add(checking, weekdayOnOrAfter(dayOf(m, 20)), -50000, "ONLINE TRANSFER TO PINNACLE BROKERAGE …4410", "", datasource.TxTransfer)
	})
	g.balanceCard(checking, 25, "ASPEN CARD SERVICES PAYMENT", "Aspen Card Services", [2]int64{92, 98}, 5000, 1200000)
	return nil
}

// buildJoe: weekly pay from Müller Logistics until about ten months ago,
// then, after a two-week gap bridged from savings, weekly pay from Whole
// Goods; a weekly transfer to a bills account that pays rent and utilities;
// spending, ATM withdrawals and fees; and two NSF fees on his main checking.
func buildJoe(g *gen) error {
	const checking, bills, savings = 0, 1, 2
	switchDate := g.asOf.AddDate(0, -10, 0)
	old, err := g.payroll(checking, OldPayrollItem, g.start, switchDate)
	if err != nil {
		return err
	}
	lastOld := g.start
	if len(old) > 0 {
		lastOld = old[len(old)-1]
	}
	if _, err := g.payroll(checking, PayrollItem, lastOld.AddDate(0, 0, 14), g.asOf); err != nil {
		return err
	}
	g.transfer(savings, checking, lastOld.AddDate(0, 0, 5), 80000, "")

	rent := between(g.rng("rent"), money(115000), 130000) / 500 * 500
	weekly := (rent + 23000) * 12 / 52
	weekly = (weekly + 499) / 500 * 500
	for d := g.start.AddDate(0, 0, 1); !d.After(g.asOf); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Friday {
			g.transfer(checking, bills, d, weekly, "")
		}
	}
	g.bill(bills, 1, "WALNUT STREET APTS RENT", "Walnut Street Apartments", fixed(rent))
	g.bill(bills, 9, "DELAWARE VALLEY ENERGY AUTOPAY", "Delaware Valley Energy", g.seasonal("electric", 6000, 16000, cooling))
	g.bill(bills, 18, "METROLINK FIBER INTERNET", "Metrolink Fiber", fixed(4999))
	g.bill(bills, 24, "BEACON WIRELESS AUTOPAY", "Beacon Wireless", fixed(5500))

	const insurance = money(14267)
	const insuranceDesc, insurer = "SAFEHARBOR AUTO INSURANCE AUTOPAY", "SafeHarbor Auto Insurance"
	insuranceTx := map[date]*tx{}
	g.months(func(m date) {
		if t := g.add(checking, dayOf(m, 8), -insurance, insuranceDesc, insurer, datasource.TxSpending); t != nil {
			insuranceTx[t.date] = t
		}
		g.add(checking, dayOf(m, 15), -1549, "STREAMFLIX SUBSCRIPTION", "Streamflix", datasource.TxSpending)
		g.transfer(checking, savings, weekdayOnOrAfter(dayOf(m, 20)), 10000, "")
	})
	g.purchases(checking, "groceries", 25, groceriesPA)
	g.purchases(checking, "other", 30, otherPA)
	g.days(func(d date) {
		r := g.rng("atm", d.String())
		if r.IntN(100) < 5 {
			g.add(checking, d, -money(2000*(2+r.IntN(4))), "ATM WITHDRAWAL 1500 MARKET ST PHILADELPHIA", "", datasource.TxSpending)
			g.add(checking, d, -300, "NON-NETWORK ATM FEE", g.inst.Name, datasource.TxFee)
		}
	})
	g.balanceCard(checking, 27, "LUMEN CARD SERVICES PAYMENT", "Lumen Card Services", [2]int64{96, 100}, 2500, 300000)
	g.addInterest(savings, g.accts[savings].interestAPYPP)

	// Two NSF events: in each half of the window, the insurance autopay on
	// the day the balance is lowest is returned unpaid (after an unexpected
	// car repair the day before) and paid again a week later.
	mid := g.start.AddDate(0, Months/2, 0)
	for _, w := range [][2]date{{g.start.AddDate(0, 0, 45), mid}, {mid, g.asOf.AddDate(0, 0, -10)}} {
		eod := g.endOfDay(checking)
		var best date
		var low money
		for d := range insuranceTx {
			if d.Before(w[0]) || !d.Before(w[1]) {
				continue
			}
			b := eod[daysBetween(g.start, d)-2] // end of the day before
			if best.IsZero() || b < low || (b == low && d.Before(best)) {
				best, low = d, b
			}
		}
		if best.IsZero() {
			continue
		}
		const target = money(6000)
		if low > target {
			g.add(checking, best.AddDate(0, 0, -1), -(low - target), "PHILLY AUTO CARE REPAIR", "Philly Auto Care", datasource.TxSpending)
		}
		t := insuranceTx[best]
		t.amount, t.desc, t.cp, t.cat = -3500, "NSF RETURNED ITEM FEE "+insuranceDesc, g.inst.Name, datasource.TxNSF
		g.add(checking, best.AddDate(0, 0, 7), -insurance, insuranceDesc+" REPRESENTED", insurer, datasource.TxSpending)
	}
	return nil
}
