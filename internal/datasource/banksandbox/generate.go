package banksandbox

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

type (
	money = value.Money
	date  = value.Date
)

// PayrollItem is the sandbox payroll item whose paystubs the sample users'
// payroll deposits match: each paystub of sandboxdata.Payroll(login, PayrollItem,
// asOf) is deposited (net pay, on the pay date) into the user's checking
// account. Joe's earlier job comes from OldPayrollItem.
const PayrollItem = "item_000000001"

// OldPayrollItem is the sandbox payroll item of Joe's job before his job
// change (Müller Logistics).
const OldPayrollItem = "item_000000006"

// Months is the length of the transaction history.
const Months = 24

// acct is one account of a user at an institution.
type acct struct {
	spec
	id, last4 string
	opening   money
	pos       int // 1-based display position
}

// tx is a transaction before it gets its id.
type tx struct {
	acct     int // index into gen.accts
	date     date
	day      int // days from gen.start to date
	amount   money
	desc, cp string
	cat      string
	card     bool // a card purchase, pending when made in the last two days
	balancer bool // a balancing credit card payment
	seq      int  // insertion order
}

// gen builds one user's banking data at one institution as of one date.
type gen struct {
	p           *profile
	login       string // canonical username
	inst        datasource.Institution
	asOf, start date // transactions are dated in (start, asOf]
	accts       []*acct
	txs         []*tx
	seq         int
	payrolls    map[string]datasource.Data // sandbox payroll data by item
}

// payrollData returns the sandbox payroll data of the user on itemID.
func (g *gen) payrollData(itemID string) (datasource.Data, error) {
	if d, ok := g.payrolls[itemID]; ok {
		return d, nil
	}
	d, err := sandboxdata.Payroll(g.login, itemID, g.asOf)
	if err != nil {
		return datasource.Data{}, err
	}
	if g.payrolls == nil {
		g.payrolls = map[string]datasource.Data{}
	}
	g.payrolls[itemID] = d
	return d, nil
}

// generate builds the full data (all accounts) of p at inst as of asOf.
func generate(p *profile, inst datasource.Institution, asOf date) (datasource.Data, error) {
	g := &gen{p: p, login: p.username, inst: inst, asOf: asOf, start: asOf.AddDate(0, -Months, 0)}
	used := map[string]bool{}
	for i, s := range p.accounts {
		r := g.rng("account", s.key)
		a := &acct{spec: s, pos: i + 1, id: accountID(g.login, inst.ID, s.key)}
		for a.last4 == "" || used[a.last4] {
			a.last4 = fmt.Sprintf("%04d", r.IntN(10000))
		}
		used[a.last4] = true
		a.opening = between(r, s.opening[0], s.opening[1])
		g.accts = append(g.accts, a)
	}
	if err := p.build(g); err != nil {
		return datasource.Data{}, err
	}
	return g.data()
}

// rng returns a generator seeded from the user, the institution and parts.
func (g *gen) rng(parts ...string) *rand.Rand {
	return rngFor(append([]string{"banksandbox", g.login, g.inst.ID}, parts...)...)
}

func (g *gen) in(d date) bool { return d.After(g.start) && !d.After(g.asOf) }

// add records a transaction on account a if d is in the window.
func (g *gen) add(a int, d date, amount money, desc, cp, cat string) *tx {
	if !g.in(d) || amount == 0 {
		return nil
	}
	g.seq++
	t := &tx{acct: a, date: d, day: daysBetween(g.start, d), amount: amount, desc: desc, cp: cp, cat: cat, seq: g.seq}
	g.txs = append(g.txs, t)
	return t
}

// transfer moves amount from account a to account b on d.
func (g *gen) transfer(a, b int, d date, amount money, memo string) {
	from, to := g.accts[a], g.accts[b]
	g.add(a, d, -amount, strings.TrimSpace("ONLINE TRANSFER TO "+strings.ToUpper(to.name)+" …"+to.last4+" "+memo), "", datasource.TxTransfer)
	g.add(b, d, amount, strings.TrimSpace("ONLINE TRANSFER FROM "+strings.ToUpper(from.name)+" …"+from.last4+" "+memo), "", datasource.TxTransfer)
}

// months calls f with the first day of every month that overlaps the window.
func (g *gen) months(f func(m date)) {
	for m := value.NewDate(g.start.Year, g.start.Month, 1); !m.After(g.asOf); m = m.AddDate(0, 1, 0) {
		f(m)
	}
}

// days calls f with every day of the window.
func (g *gen) days(f func(d date)) {
	for d := g.start.AddDate(0, 0, 1); !d.After(g.asOf); d = d.AddDate(0, 0, 1) {
		f(d)
	}
}

// dayOf returns day n of month m, clamped to the month's last day.
func dayOf(m date, n int) date {
	last := value.NewDate(m.Year, m.Month+1, 0)
	if n > last.Day {
		return last
	}
	return value.NewDate(m.Year, m.Month, n)
}

// payroll deposits into account a the net pay of every paystub of the first
// employment of the sandbox user on itemID dated in [from, to].
func (g *gen) payroll(a int, itemID string, from, to date) ([]date, error) {
	d, err := g.payrollData(itemID)
	if err != nil {
		return nil, err
	}
	if len(d.Employments) == 0 {
		return nil, nil
	}
	emp := d.Employments[0]
	companyID := fmt.Sprintf("%010d", companyHash(emp.Employer)%10000000000)
	var dates []date
	for _, ps := range d.Paystubs {
		if ps.Employment != emp.ID || ps.PaystubDate.Before(from) || ps.PaystubDate.After(to) || ps.NetPay <= 0 {
			continue
		}
		desc := strings.ToUpper(ps.Employer) + " PAYROLL PPD ID: " + companyID
		if g.add(a, ps.PaystubDate, ps.NetPay, desc, ps.Employer, datasource.TxPayroll) != nil {
			dates = append(dates, ps.PaystubDate)
		}
	}
	return dates, nil
}

// merchant is a place the user buys from with a debit card.
type merchant struct {
	desc, name string
	lo, hi     money
}

// purchases adds card purchases on account a: every day, with probability
// pct %, one purchase at a random merchant of ms.
func (g *gen) purchases(a int, key string, pct int, ms []merchant) {
	g.days(func(d date) {
		r := g.rng("purchase", key, d.String())
		if r.IntN(100) >= pct {
			return
		}
		m := ms[r.IntN(len(ms))]
		if t := g.add(a, d, -between(r, m.lo, m.hi), m.desc, m.name, datasource.TxSpending); t != nil {
			t.card = true
		}
	})
}

// bill adds a monthly debit on day n of every month; amount gets the month.
func (g *gen) bill(a, n int, desc, payee string, amount func(m date) money) {
	g.months(func(m date) {
		g.add(a, dayOf(m, n), -amount(m), desc, payee, datasource.TxSpending)
	})
}

// fixed returns an amount func for a constant bill.
func fixed(m money) func(date) money { return func(date) money { return m } }

// seasonal returns an amount func between lo and hi following a heating (or
// cooling) season: seasonPct[month-1] percent of the way from lo to hi,
// varied ±10 % by month.
func (g *gen) seasonal(key string, lo, hi money, season [12]int64) func(date) money {
	return func(m date) money {
		r := g.rng("bill", key, m.String())
		base := lo + sandboxdata.RoundDiv(int64(hi-lo)*season[m.Month-1], 100)
		return pct(base, between(r, int64(900000), 1100000))
	}
}

var heating = [12]int64{100, 90, 70, 45, 25, 20, 30, 30, 20, 35, 65, 90}
var cooling = [12]int64{35, 30, 25, 20, 45, 80, 100, 95, 60, 25, 25, 35}

// balanceCard adds a monthly credit card payment on day n of every month
// from account a: fPct[0]–fPct[1] percent of the account's credits in the 30
// days before, less its other debits in those days, within [lo, hi]. It
// keeps the account's balance drifting slowly upwards like a real budget.
func (g *gen) balanceCard(a, n int, desc, payee string, fPct [2]int64, lo, hi money) {
	g.months(func(m date) {
		d := dayOf(m, n)
		if !g.in(d) {
			return
		}
		var credits, debits money
		to := daysBetween(g.start, d)
		for _, t := range g.txs {
			if t.acct != a || t.balancer || t.day < to-30 || t.day >= to {
				continue
			}
			if t.amount > 0 {
				credits += t.amount
			} else {
				debits -= t.amount
			}
		}
		r := g.rng("card", strconv.Itoa(a), m.String())
		amount := pct(credits, between(r, fPct[0], fPct[1])*10000) - debits
		amount = min(max(amount, lo), hi)
		if t := g.add(a, d, -amount, desc, payee, datasource.TxSpending); t != nil {
			t.balancer = true
		}
	})
}

// sorted returns the transactions in final order: by date, then account,
// then insertion.
func (g *gen) sorted() []*tx {
	out := slices.Clone(g.txs)
	slices.SortStableFunc(out, func(a, b *tx) int {
		if a.day != b.day {
			return a.day - b.day
		}
		if a.acct != b.acct {
			return a.acct - b.acct
		}
		return a.seq - b.seq
	})
	return out
}

// endOfDay returns account a's ledger balance at the end of every day of the
// window, indexed from the first day (start+1).
func (g *gen) endOfDay(a int) []money {
	n := daysBetween(g.start, g.asOf)
	delta := make([]money, n+1)
	for _, t := range g.txs {
		if t.acct == a {
			delta[t.day] += t.amount
		}
	}
	out := make([]money, n)
	bal := g.accts[a].opening
	for i := 1; i <= n; i++ {
		bal += delta[i]
		out[i-1] = bal
	}
	return out
}

// addInterest credits account a with a month's interest at apy (parts per
// million) on the last day of every month, computed on that day's balance.
func (g *gen) addInterest(a int, apyPPM int64) {
	g.months(func(m date) {
		d := value.NewDate(m.Year, m.Month+1, 0)
		if !g.in(d) {
			return
		}
		bal := g.endOfDay(a)[daysBetween(g.start, d)-1]
		if interest := sandboxdata.RoundDiv(int64(bal)*apyPPM, 12*1000000); interest > 0 {
			g.add(a, d, interest, "INTEREST PAYMENT", g.inst.Name, datasource.TxInterest)
		}
	})
}

// data turns the generated transactions into connector data.
func (g *gen) data() (datasource.Data, error) {
	txs := g.sorted()
	pd, err := g.payrollData(PayrollItem)
	if err != nil {
		return datasource.Data{}, err
	}
	id := pd.Identity
	id.BirthDate, id.SSN, id.MaritalStatus, id.Gender = date{}, "", "", ""
	data := datasource.Data{
		Identity:    id,
		Employments: []datasource.Employment{},
		Paystubs:    []datasource.Paystub{},
		Documents:   []datasource.PayrollDocument{},
	}
	perDay := map[string]int{}
	days := make([]int, len(txs)) // day index of data.Transactions[i]
	pendingFrom := daysBetween(g.start, g.asOf) - 1
	for i, t := range txs {
		days[i] = t.day
		a := g.accts[t.acct]
		key := a.key + "|" + t.date.String()
		n := perDay[key]
		perDay[key]++
		data.Transactions = append(data.Transactions, datasource.Transaction{
			ID:           uuidFor("txn", g.login, g.inst.ID, a.key, t.date.String(), strconv.Itoa(n)),
			AccountID:    a.id,
			PostedDate:   t.date,
			Amount:       t.amount,
			Currency:     "USD",
			Description:  t.desc,
			Counterparty: t.cp,
			Category:     t.cat,
			Pending:      t.card && t.day >= pendingFrom,
		})
	}
	n := daysBetween(g.start, g.asOf)
	for _, a := range g.accts {
		ba := datasource.BankAccount{
			ID:              a.id,
			InstitutionID:   g.inst.ID,
			Name:            a.name,
			OfficialName:    g.inst.Name + " " + a.name,
			Type:            a.typ,
			Subtype:         a.subtype,
			Last4:           a.last4,
			Currency:        "USD",
			DisplayPosition: a.pos,
			MarketSegment:   "personal",
			Owners:          append([]string{id.FullName}, a.coOwners...),
			BalanceDate:     g.asOf,
			BalanceHistory:  make([]datasource.DailyBalance, n),
		}
		posted := make([]money, n+1)
		pending := make([]money, n+1)
		for i, t := range data.Transactions {
			if t.AccountID != a.id {
				continue
			}
			if ba.OldestTransactionDate.IsZero() {
				ba.OldestTransactionDate = t.PostedDate
			}
			ba.LastTransactionDate = t.PostedDate
			k := days[i]
			switch {
			case !t.Pending:
				posted[k] += t.Amount
			case t.Amount < 0:
				pending[k] += t.Amount
			}
		}
		cur, held := a.opening, money(0)
		for k := 1; k <= n; k++ {
			cur += posted[k]
			held += pending[k]
			ba.BalanceHistory[k-1] = datasource.DailyBalance{
				Date: g.start.AddDate(0, 0, k), Current: cur, Available: cur + held,
			}
		}
		last := ba.BalanceHistory[n-1]
		ba.Balances = datasource.Balances{Current: last.Current, Available: last.Available}
		data.BankAccounts = append(data.BankAccounts, ba)
	}
	return data, nil
}

// accountID returns a stable 10-digit account id.
func accountID(login, institutionID, key string) string {
	d := sandboxdata.Digest("bank-account", login, institutionID, key)
	return strconv.FormatUint(1000000000+binary.LittleEndian.Uint64(d[:8])%9000000000, 10)
}

func companyHash(name string) uint64 {
	d := sandboxdata.Digest("company", name)
	return binary.LittleEndian.Uint64(d[:8])
}

func daysBetween(a, b date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// The bank sandbox draws its numbers with the shared sandbox helpers.
var (
	pct     = sandboxdata.Percent
	rngFor  = sandboxdata.RandFor
	uuidFor = sandboxdata.UUIDFor
)

// between returns a uniformly random value in [lo, hi].
func between[T ~int64](r *rand.Rand, lo, hi T) T { return sandboxdata.Between(r, lo, hi) }

// weekdayOnOrAfter returns d, or the Monday after when d falls on a weekend.
func weekdayOnOrAfter(d date) date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, 2)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}
