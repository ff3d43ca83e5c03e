package sandboxdata

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

type (
	money = value.Money
	hours = value.Hours
	date  = value.Date
)

// plan is the blueprint of one sample job.
type plan struct {
	cycle      string
	hourly     bool // base pay is an hourly rate, else an annual salary
	empType    string
	titles     []string
	base2020   [2]money // range of the 2020 salary or hourly rate
	raisePPM   [2]int64 // range of the yearly raise every 1 January
	hireYears  [2]int   // range of hire years
	terminated bool     // ended a few months before the as-of date
	termReason string

	partTimeQ    [2]int // range of quarter-hours per pay period; zero for full time
	shortPct     int    // chance in % that a full-time hourly period has fewer hours
	overtimePct  int    // chance in % of overtime in a pay period
	overtimeMaxQ int    // most overtime quarter-hours in a pay period

	bonusMonth time.Month // first paycheck of this month carries a bonus
	bonusName  string
	bonusPPM   [2]int64 // bonus as a share of annual salary, or
	bonusFixed [2]money // a fixed bonus amount range
	commission [2]money // commission on the second paycheck of each month
	k401PPM    [2]int64 // 401K deferral as a share of gross pay
	health     money    // pre-tax medical insurance per paycheck
	dental     money    // pre-tax dental insurance per paycheck
	postTax    []fixedDeduction
}

type fixedDeduction struct {
	name   string
	amount money
}

var bobJob = plan{
	cycle: datasource.PayBiweekly, empType: "full-time",
	titles:   []string{"Operations Analyst", "Store Manager", "Logistics Coordinator", "Customer Success Specialist"},
	base2020: [2]money{5800000, 7200000}, raisePPM: [2]int64{25000, 40000}, hireYears: [2]int{2014, 2020},
	overtimePct: 15, overtimeMaxQ: 32,
	bonusMonth: time.March, bonusName: "Annual Bonus", bonusPPM: [2]int64{30000, 70000},
	k401PPM: [2]int64{40000, 60000}, health: 9240, dental: 785,
	postTax: []fixedDeduction{{"Supplemental Life", 320}},
}

var sarahJob = plan{
	cycle: datasource.PaySemimonthly, empType: "full-time",
	titles:   []string{"Account Manager", "Regional Sales Manager", "Senior Account Executive"},
	base2020: [2]money{8600000, 9800000}, raisePPM: [2]int64{25000, 40000}, hireYears: [2]int{2012, 2019},
	commission: [2]money{35000, 185000},
	k401PPM:    [2]int64{60000, 80000}, health: 14000, dental: 1250,
	postTax: []fixedDeduction{{"Supplemental Life", 675}},
}

var joeMainJob = plan{
	cycle: datasource.PayWeekly, hourly: true, empType: "full-time",
	titles:   []string{"Warehouse Associate", "Line Cook", "Delivery Driver", "Maintenance Technician"},
	base2020: [2]money{1750, 2100}, raisePPM: [2]int64{30000, 45000}, hireYears: [2]int{2017, 2021},
	shortPct: 15, overtimePct: 35, overtimeMaxQ: 40,
	bonusMonth: time.December, bonusName: "Holiday Bonus", bonusFixed: [2]money{15000, 40000},
	k401PPM: [2]int64{30000, 30000}, health: 3860,
	postTax: []fixedDeduction{{"Union Dues", 1200}},
}

var joeSecondJob = plan{
	cycle: datasource.PayBiweekly, hourly: true, empType: "part-time",
	titles:   []string{"Weekend Cashier", "Event Staff", "Part-Time Barista"},
	base2020: [2]money{1500, 1850}, raisePPM: [2]int64{20000, 30000}, hireYears: [2]int{2019, 2022},
	terminated: true, termReason: "Voluntary resignation",
	partTimeQ: [2]int{120, 192},
}

// Line names used on sandbox paystubs.
const (
	taxFederal  = "Federal Income Tax"
	taxSS       = "Social Security Tax"
	taxMedicare = "Medicare Tax"
	ded401K     = "401K"
	dedMedical  = "Medical Insurance"
	dedDental   = "Dental Insurance"
)

var streets = []string{"Market St", "Commerce Blvd", "Industrial Pkwy", "Main St", "Harbor Ave", "Enterprise Dr"}

// job is a plan instantiated for one user and item.
type job struct {
	plan
	idx        int
	emp        datasource.Employment
	base       money // 2020 salary or hourly rate
	raise      int64
	k401       int64
	gridOffset int // days added to the weekly/biweekly pay grid
	ein        string
}

// generate builds the data of user u connected to itemID as of asOf.
func generate(u *user, itemID string, asOf date) (datasource.Data, error) {
	item, ok := catalog.Get(itemID)
	if !ok {
		return datasource.Data{}, fmt.Errorf("sandbox: %w %q", datasource.ErrUnknownItem, itemID)
	}
	n, _ := strconv.Atoi(itemID[len("item_"):])
	plans := u.jobs[:1]
	if n%2 == 1 {
		plans = u.jobs
	}
	from := asOf.AddDate(0, -24, 0) // paystubs are dated after from, up to asOf
	r := rngFor("user-item", u.username, itemID)

	data := datasource.Data{Identity: u.identity()}
	usedClients := map[int]bool{}
	for i, p := range plans {
		j := newJob(u, item, i, p, r, from, asOf, usedClients)
		stubs, docs := j.paystubs(u, itemID, from, asOf)
		data.Employments = append(data.Employments, j.emp)
		data.Paystubs = append(data.Paystubs, stubs...)
		data.Documents = append(data.Documents, docs...)
	}
	// Oldest first; ties keep employment order.
	slices.SortStableFunc(data.Paystubs, func(a, b datasource.Paystub) int {
		return a.PaystubDate.Compare(b.PaystubDate)
	})
	slices.SortStableFunc(data.Documents, func(a, b datasource.PayrollDocument) int { return a.Year - b.Year })
	if data.Documents == nil {
		data.Documents = []datasource.PayrollDocument{}
	}
	data.DepositDestinations = depositDestinations(u, itemID, data.Employments)
	splitNetPay(data.Paystubs, data.DepositDestinations)
	return data, nil
}

func newJob(u *user, item datasource.Item, idx int, p plan, r *rand.Rand, from, asOf date, usedClients map[int]bool) *job {
	j := &job{plan: p, idx: idx}
	j.base = between(r, p.base2020[0], p.base2020[1])
	if p.hourly {
		j.base = j.base / 5 * 5 // whole nickels
	} else {
		j.base = j.base / 10000 * 10000 // whole hundreds
	}
	j.raise = between(r, p.raisePPM[0], p.raisePPM[1]) / 500 * 500
	j.k401 = between(r, p.k401PPM[0], p.k401PPM[1]) / 10000 * 10000
	j.gridOffset = 7 * r.IntN(2)
	j.ein = fmt.Sprintf("%02d-%07d", 10+r.IntN(89), r.IntN(10000000))

	employer := item.Name
	if item.Kind == datasource.KindPlatform { // a platform pays its clients' employees
		k := r.IntN(len(clientEmployers))
		for usedClients[k] {
			k = (k + 1) % len(clientEmployers)
		}
		usedClients[k] = true
		employer = clientEmployers[k]
	}

	hire := value.NewDate(int(between(r, int64(p.hireYears[0]), int64(p.hireYears[1]))),
		time.Month(1+r.IntN(12)), 1+r.IntN(28))
	if latest := from.AddDate(0, -2, 0); hire.After(latest) {
		hire = latest
	}
	e := datasource.Employment{
		ID:       uuidFor("employment", u.username, item.ID, strconv.Itoa(idx)),
		Employer: employer,
		EmployerAddress: datasource.Address{
			Line1:      fmt.Sprintf("%d %s", 100+r.IntN(9800), streets[r.IntN(len(streets))]),
			Line2:      fmt.Sprintf("Suite %d", 100*(1+r.IntN(9))),
			City:       u.address.City,
			State:      u.address.State,
			PostalCode: u.address.PostalCode,
			Country:    "US",
		},
		JobTitle:         p.titles[r.IntN(len(p.titles))],
		Status:           datasource.EmploymentActive,
		Type:             p.empType,
		OriginalHireDate: hire,
		HireDate:         hire,
		PayCycle:         p.cycle,
		BasePay: datasource.BasePay{
			Amount:   j.rateIn(asOf.Year),
			Period:   datasource.PeriodAnnual,
			Currency: "USD",
		},
		PlatformIDs: datasource.PlatformIDs{
			EmployeeID:     token(r, 9),
			PositionID:     token(r, 9),
			PlatformUserID: token(r, 16),
		},
	}
	if p.hourly {
		e.BasePay.Period = datasource.PeriodHourly
	}
	if p.terminated {
		// The last paycheck on or before the end of a month 3 to 6 months back.
		end := value.NewDate(asOf.Year, asOf.Month-time.Month(3+r.IntN(4))+1, 0)
		dates := j.schedule(end.AddDate(0, -1, 0), end)
		term := dates[len(dates)-1].pay
		e.Status = datasource.EmploymentTerminated
		e.TerminationDate = term
		e.TerminationReason = p.termReason
		e.BasePay.Amount = j.rateIn(term.Year)
	}
	j.emp = e
	return j
}

// rateIn returns the annual salary or hourly rate in effect during year y:
// the 2020 amount raised by j.raise every 1 January since.
func (j *job) rateIn(y int) money {
	m := j.base
	for range y - 2020 {
		m += pct(m, j.raise)
	}
	return m
}

// payDate is one scheduled paycheck.
type payDate struct {
	pay, start, end date
}

var gridAnchor = value.NewDate(2021, time.January, 1) // a Friday

// schedule returns the paychecks dated after from and on or before to.
func (j *job) schedule(from, to date) []payDate {
	var out []payDate
	switch j.cycle {
	case datasource.PayWeekly, datasource.PayBiweekly:
		step := 7
		if j.cycle == datasource.PayBiweekly {
			step = 14
		}
		anchor := gridAnchor.AddDate(0, 0, j.gridOffset)
		k := floorDiv(daysBetween(anchor, from), step) + 1
		for d := anchor.AddDate(0, 0, k*step); !d.After(to); d = d.AddDate(0, 0, step) {
			end := d.AddDate(0, 0, -6) // the Saturday before payday
			out = append(out, payDate{pay: d, start: end.AddDate(0, 0, 1-step), end: end})
		}
	case datasource.PaySemimonthly:
		for m := value.NewDate(from.Year, from.Month, 1); !m.After(to); m = m.AddDate(0, 1, 0) {
			mid := value.NewDate(m.Year, m.Month, 15)
			last := value.NewDate(m.Year, m.Month+1, 0)
			for _, pd := range []payDate{
				{pay: weekdayOnOrBefore(mid), start: m, end: mid},
				{pay: weekdayOnOrBefore(last), start: mid.AddDate(0, 0, 1), end: last},
			} {
				if pd.pay.After(from) && !pd.pay.After(to) {
					out = append(out, pd)
				}
			}
		}
	}
	return out
}

// ytd accumulates one calendar year of one employment.
type ytd struct {
	year                      int
	gross, net, taxes, deds   money
	hours                     hours
	lines                     map[string]money
	lineHours                 map[string]hours
	wages, fica, fed, ss, med money // W-2 boxes 1, 3/5, 2, 4, 6
	k401, state, local        money // W-2 boxes 12D, 17, 19
	stubs                     int
}

func newYTD(year int) *ytd {
	return &ytd{year: year, lines: map[string]money{}, lineHours: map[string]hours{}}
}

// paystubs returns the job's paystubs in (from, asOf] and the W-2 forms of
// the calendar years they fully cover.
func (j *job) paystubs(u *user, itemID string, from, asOf date) ([]datasource.Paystub, []datasource.PayrollDocument) {
	to := asOf
	if !j.emp.TerminationDate.IsZero() {
		to = j.emp.TerminationDate
	}
	periods := periodsPerYear(j.cycle)
	var (
		stubs []datasource.Paystub
		docs  []datasource.PayrollDocument
		y     *ytd
	)
	closeYear := func() {
		if y == nil || y.stubs == 0 {
			return
		}
		if doc, ok := j.w2(u, itemID, y, from, asOf); ok {
			docs = append(docs, doc)
		}
	}
	for _, pd := range j.schedule(from, to) {
		if pd.start.Before(j.emp.HireDate) {
			continue
		}
		if y == nil || y.year != pd.pay.Year {
			closeYear()
			y = newYTD(pd.pay.Year)
		}
		r := rngFor("paystub", u.username, itemID, strconv.Itoa(j.idx), pd.pay.String())
		rate := j.rateIn(pd.pay.Year)
		hourly := rate
		if !j.hourly {
			hourly = RoundDiv(int64(rate), 2080)
		}

		// Earnings.
		var lines []datasource.GrossPayLine
		addLine := func(name, typ string, rate money, h hours, amount money) {
			y.lines[name] += amount
			y.lineHours[name] += h
			l := datasource.GrossPayLine{Name: name, Type: typ, StartDate: pd.start, EndDate: pd.end,
				Rate: rate, Hours: h, Amount: amount, AmountYTD: y.lines[name]}
			if h != 0 {
				l.HoursYTD = y.lineHours[name]
			}
			lines = append(lines, l)
		}
		switch {
		case !j.hourly:
			addLine("Regular", datasource.GrossBase, hourly, standardHours(j.cycle), RoundDiv(int64(rate), int64(periods)))
		default:
			q := 160 * weeksPerPeriod(j.cycle)
			switch {
			case j.partTimeQ[1] > 0:
				q = int(between(r, int64(j.partTimeQ[0]), int64(j.partTimeQ[1])))
			case r.IntN(100) < j.shortPct:
				q -= 1 + r.IntN(32)
			}
			addLine("Regular", datasource.GrossBase, rate, hours(q*25), RoundDiv(int64(rate)*int64(q), 4))
		}
		if j.overtimePct > 0 && r.IntN(100) < j.overtimePct {
			q := 4 + r.IntN(j.overtimeMaxQ-3)
			otRate := pct(hourly, 1500000)
			addLine("Overtime", datasource.GrossOvertime, otRate, hours(q*25), RoundDiv(int64(otRate)*int64(q), 4))
		}
		if j.bonusName != "" && pd.pay.Month == j.bonusMonth && firstPaycheckOfMonth(j.cycle, pd.pay) {
			br := rngFor("bonus", u.username, itemID, strconv.Itoa(j.idx), strconv.Itoa(pd.pay.Year))
			var b money
			if j.bonusPPM[1] > 0 {
				b = pct(rate, between(br, j.bonusPPM[0], j.bonusPPM[1])) / 100 * 100
			} else {
				b = between(br, j.bonusFixed[0], j.bonusFixed[1]) / 500 * 500
			}
			addLine(j.bonusName, datasource.GrossBonus, 0, 0, b)
		}
		if j.commission[1] > 0 && pd.pay.Day > 15 {
			addLine("Commission", datasource.GrossCommission, 0, 0, between(r, j.commission[0], j.commission[1]))
		}
		var gross money
		var hrs hours
		for _, l := range lines {
			gross += l.Amount
			hrs += l.Hours
		}

		// Deductions and taxes.
		k401 := pct(gross, j.k401)
		sec125 := j.health + j.dental
		wages := gross - k401 - sec125 // federal and state taxable wages
		fica := gross - sec125         // Social Security and Medicare wages
		fed := federalTax(wages, periods, u.fedMarried)
		ss := pct(fica, 62000)
		med := pct(fica, 14500)
		state := pct(max(0, wages-RoundDiv(int64(u.state.stdAnnul), int64(periods))), u.state.ratePPM)
		var local money
		if u.local != nil {
			local = pct(wages, u.local.ratePPM)
		}

		var taxList []datasource.Tax
		addTax := func(name, typ string, amount money) {
			y.lines["tax:"+name] += amount
			taxList = append(taxList, datasource.Tax{Name: name, Type: typ, Amount: amount, AmountYTD: y.lines["tax:"+name]})
		}
		addTax(taxFederal, datasource.TaxFederal, fed)
		addTax(u.state.name, datasource.TaxState, state)
		if u.local != nil {
			addTax(u.local.name, datasource.TaxLocal, local)
		}
		addTax(taxSS, datasource.TaxFICA, ss)
		addTax(taxMedicare, datasource.TaxFICA, med)

		dedList := []datasource.Deduction{}
		addDed := func(name, class string, amount money) {
			if amount == 0 {
				return
			}
			y.lines["ded:"+name] += amount
			dedList = append(dedList, datasource.Deduction{Name: name, TaxClassification: class, Amount: amount, AmountYTD: y.lines["ded:"+name]})
		}
		addDed(ded401K, datasource.PreTax, k401)
		addDed(dedMedical, datasource.PreTax, j.health)
		addDed(dedDental, datasource.PreTax, j.dental)
		for _, d := range j.postTax {
			addDed(d.name, datasource.PostTax, d.amount)
		}

		var taxes, deds money
		for _, t := range taxList {
			taxes += t.Amount
		}
		for _, d := range dedList {
			deds += d.Amount
		}
		net := gross - taxes - deds

		y.stubs++
		y.gross += gross
		y.net += net
		y.taxes += taxes
		y.deds += deds
		y.hours += hrs
		y.wages += wages
		y.fica += fica
		y.fed += fed
		y.ss += ss
		y.med += med
		y.k401 += k401
		y.state += state
		y.local += local

		filing := []datasource.FilingStatus{
			{Type: "federal", Status: u.filing},
			{Type: "state", Location: u.state.code, Status: u.filing},
		}
		stubs = append(stubs, datasource.Paystub{
			ID:              uuidFor("paystub", u.username, itemID, strconv.Itoa(j.idx), pd.pay.String()),
			Employment:      j.emp.ID,
			Employer:        j.emp.Employer,
			EmployerAddress: j.emp.EmployerAddress,
			Status:          "completed",
			PaystubDate:     pd.pay,
			Period:          value.Period{StartDate: pd.start, EndDate: pd.end},
			Currency:        "USD",
			GrossPay:        gross,
			Taxes:           taxes,
			Deductions:      deds,
			NetPay:          net,
			Hours:           hrs,
			GrossPayYTD:     y.gross,
			NetPayYTD:       y.net,
			TaxesYTD:        y.taxes,
			DeductionsYTD:   y.deds,
			HoursYTD:        y.hours,
			GrossPayList:    lines,
			TaxList:         taxList,
			DeductionList:   dedList,
			FilingStatus:    filing,
		})
	}
	closeYear()
	return stubs, docs
}

// w2 returns the W-2 of year y if all of that year's paychecks are in the
// window after from and the form is available by asOf.
func (j *job) w2(u *user, itemID string, y *ytd, from, asOf date) (datasource.PayrollDocument, bool) {
	available := weekdayOnOrBefore(value.NewDate(y.year+1, time.January, 31))
	if !from.Before(value.NewDate(y.year, time.January, 1)) || available.After(asOf) {
		return datasource.PayrollDocument{}, false
	}
	year := strconv.Itoa(y.year)
	control := uuidFor("w2-control", u.username, itemID, strconv.Itoa(j.idx), year)[:8]
	form := &datasource.W2{
		OMBNumber: "1545-0008",
		Employee: datasource.Party{
			Name:    strings.ToUpper(u.first + " " + u.last),
			Address: u.address,
		},
		EmployeeSSN:         u.maskedSSN(),
		Employer:            datasource.Party{Name: strings.ToUpper(j.emp.Employer), Address: j.emp.EmployerAddress},
		EmployerEIN:         j.ein,
		ControlNumber:       control,
		Wages:               y.wages,
		FederalIncomeTax:    y.fed,
		SocialSecurityWages: y.fica,
		SocialSecurityTax:   y.ss,
		MedicareWages:       y.fica,
		MedicareTax:         y.med,
		Plan401k:            y.k401,
		EmployerStateID:     u.state.code + " " + j.ein,
		StateWages:          y.wages,
		StateIncomeTax:      y.state,
	}
	if u.local != nil {
		form.LocalWages = y.wages
		form.LocalIncomeTax = y.local
		form.LocalityName = u.local.locality
	}
	return datasource.PayrollDocument{
		ID:                      uuidFor("w2", u.username, itemID, strconv.Itoa(j.idx), year),
		Employment:              j.emp.ID,
		Employer:                j.emp.Employer,
		DocumentType:            datasource.DocumentW2,
		DocumentTypeDescription: "W-2 Form " + year,
		DocumentNumber:          control,
		AvailableDate:           available,
		Year:                    y.year,
		W2:                      form,
	}, true
}

// federalTax approximates federal income tax withholding on one paycheck by
// annualising wages and applying the 2024 standard deduction and brackets.
func federalTax(wages money, periods int, married bool) money {
	type bracket struct {
		upTo money
		ppm  int64
	}
	std := money(1460000)
	brackets := []bracket{{1160000, 100000}, {4715000, 120000}, {10052500, 220000},
		{19195000, 240000}, {24372500, 320000}, {60935000, 350000}, {1 << 62, 370000}}
	if married {
		std = 2920000
		brackets = []bracket{{2320000, 100000}, {9430000, 120000}, {20105000, 220000},
			{38390000, 240000}, {48745000, 320000}, {73120000, 350000}, {1 << 62, 370000}}
	}
	taxable := wages*money(periods) - std
	var tax, lower money
	for _, b := range brackets {
		if taxable <= lower {
			break
		}
		tax += pct(min(taxable, b.upTo)-lower, b.ppm)
		lower = b.upTo
	}
	return RoundDiv(int64(tax), int64(periods))
}

// periodsPerYear is how many paychecks a sandbox job's cycle makes in a
// year (its cycles are all known; monthly otherwise).
func periodsPerYear(cycle string) int {
	if n := datasource.PaychecksPerYear(cycle); n > 0 {
		return n
	}
	return 12
}

func weeksPerPeriod(cycle string) int {
	if cycle == datasource.PayBiweekly {
		return 2
	}
	return 1
}

// standardHours is a salaried employee's hours per paycheck.
func standardHours(cycle string) hours {
	return hours(RoundDiv(2080*100, int64(periodsPerYear(cycle))))
}

func firstPaycheckOfMonth(cycle string, pay date) bool {
	switch cycle {
	case datasource.PayWeekly:
		return pay.Day <= 7
	case datasource.PayBiweekly:
		return pay.Day <= 14
	default:
		return pay.Day <= 15
	}
}

func weekdayOnOrBefore(d date) date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, -1)
	case time.Sunday:
		return d.AddDate(0, 0, -2)
	}
	return d
}

func daysBetween(a, b date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

const tokenChars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

func token(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = tokenChars[r.IntN(len(tokenChars))]
	}
	return string(b)
}
