// Package income detects recurring income streams in bank transactions, for
// verification of income (voi, voai) and of employment from transactions
// (voe-transactions) reports.
//
// [Detect] groups the credits of a set of transactions by normalised payer,
// recognises each group's pay frequency from the intervals between deposits
// and grades it with a confidence from 0 to 100; [Employers] lists the
// employers behind payroll streams. The algorithm and its known limits are
// described in docs/reports.md, "Income stream detection".
package income

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// Frequencies of a stream.
const (
	// Weekly is a deposit about every 7 days.
	Weekly = "weekly"
	// Biweekly is a deposit every 14 days.
	Biweekly = "biweekly"
	// Semimonthly is a deposit on two fixed days of every month, such as the 15th and the last day.
	Semimonthly = "semimonthly"
	// Monthly is a deposit about every month.
	Monthly = "monthly"
	// Irregular is any other pattern, such as gig payouts cashed out at will.
	Irregular = "irregular"
)

// PeriodsPerYear returns the number of deposits a year of a regular
// frequency (52, 26, 24 or 12), or 0 for Irregular and unknown values.
func PeriodsPerYear(frequency string) int {
	switch frequency {
	case Weekly:
		return 52
	case Biweekly:
		return 26
	case Semimonthly:
		return 24
	case Monthly:
		return 12
	}
	return 0
}

// expectedDays is the typical interval between deposits of a frequency.
func expectedDays(frequency string) int {
	switch frequency {
	case Weekly:
		return 7
	case Biweekly:
		return 14
	case Semimonthly:
		return 16 // the longest usual gap, the 15th to the 31st
	case Monthly:
		return 31
	}
	return 0
}

// Options bound and filter detection.
type Options struct {
	// From is the earliest posted date of the deposits considered (the
	// report's income_from_date, or its from_date); zero means no bound.
	From value.Date
	// AsOf is the date detection is done as of: later transactions are
	// ignored and activity is judged against it. Zero means the latest
	// posted date among the transactions.
	AsOf value.Date
	// MinConfidence drops streams whose Confidence is below it (the report's
	// income_stream_confidence_minimum); 0 keeps every stream.
	MinConfidence int
}

// Stream is one detected income stream.
type Stream struct {
	// ID is stable for the same normalised payer: "inc_" and 16 hex digits.
	ID string `json:"id"`
	// Payer is the display name: the payer's most frequent counterparty name,
	// or else its most frequent description.
	Payer string `json:"payer"`
	// Key is the normalised payer the deposits were grouped by (see NormalizePayer).
	Key string `json:"key"`
	// Payroll reports whether the stream is wages from an employer: at least
	// half of its transactions are categorised payroll or, uncategorised,
	// carry payroll words ("payroll", "salary", "direct deposit", ...).
	Payroll bool `json:"payroll"`
	// Frequency is Weekly, Biweekly, Semimonthly, Monthly or Irregular.
	Frequency string `json:"frequency"`
	// AverageAmount is Total divided by Deposits, rounded to the cent.
	AverageAmount value.Money `json:"average_amount"`
	// ProjectedAnnual is the expected income of the next 12 months: zero for
	// an inactive stream, AverageAmount × PeriodsPerYear for a regular one, and
	// Total annualised over the days from FirstDate to the as-of date for an
	// irregular one.
	ProjectedAnnual value.Money `json:"projected_annual_amount"`
	// Total is the sum of the stream's deposits.
	Total value.Money `json:"total_amount"`
	// FirstDate is the date of the first deposit.
	FirstDate value.Date `json:"first_deposit_date"`
	// LastDate is the date of the latest deposit.
	LastDate value.Date `json:"last_deposit_date"`
	// Deposits is the number of deposits; credits from the payer on the same
	// day count as one deposit.
	Deposits int `json:"deposits"`
	// Active reports whether the last deposit is recent relative to the
	// as-of date: within twice the frequency's interval plus 5 days (19
	// days weekly, 33 biweekly, 37 semimonthly, 67 monthly), or for an
	// irregular stream within three median intervals and at least 45 days.
	Active bool `json:"active"`
	// Confidence grades from 0 to 100 how surely the deposits are recurring
	// income (see docs/reports.md).
	Confidence int `json:"confidence"`
	// AccountIDs lists the bank accounts the deposits went to, sorted.
	AccountIDs []string `json:"bank_accounts"`
	// TransactionIDs lists the deposits' transactions, oldest first.
	TransactionIDs []string `json:"transactions"`
}

// Employer is an employer inferred from a payroll stream.
type Employer struct {
	// Name is the stream's payer.
	Name string `json:"name"`
	// StreamID is the payroll stream's ID.
	StreamID string `json:"income_stream"`
	// FirstDeposit is the date of the first payroll deposit seen.
	FirstDeposit value.Date `json:"first_deposit_date"`
	// LastDeposit is the date of the latest payroll deposit seen.
	LastDeposit value.Date `json:"last_deposit_date"`
	// Deposits is the number of payroll deposits.
	Deposits int `json:"deposits"`
	// Frequency is the stream's pay frequency.
	Frequency string `json:"frequency"`
	// AverageAmount is the average net pay per deposit.
	AverageAmount value.Money `json:"average_amount"`
	// Active reports whether the stream is active, a hint of current employment.
	Active bool `json:"active"`
}

// Employers returns the employers behind the payroll streams, the most
// recently paying first.
func Employers(streams []Stream) []Employer {
	var out []Employer
	for _, s := range streams {
		if !s.Payroll {
			continue
		}
		out = append(out, Employer{Name: s.Payer, StreamID: s.ID, FirstDeposit: s.FirstDate, LastDeposit: s.LastDate,
			Deposits: s.Deposits, Frequency: s.Frequency, AverageAmount: s.AverageAmount, Active: s.Active})
	}
	slices.SortStableFunc(out, func(a, b Employer) int {
		if c := b.LastDeposit.Compare(a.LastDeposit); c != 0 {
			return c
		}
		if c := b.FirstDeposit.Compare(a.FirstDeposit); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// deposit is one day's credits from one payer.
type deposit struct {
	date   value.Date
	amount value.Money
}

// Detect returns the income streams in txs, active streams first, each
// group by decreasing projected annual amount, then by latest deposit.
//
// A credit counts as income when it is posted (not pending), dated on or
// before the as-of date and on or after opts.From, has a payer, and is
// categorised datasource.TxPayroll or datasource.TxIncomeOther, or is
// uncategorised and neither looks like a transfer, refund or interest by
// its description nor mirrors a debit of the same amount in another of the
// given accounts within 3 days (a transfer between own accounts). Credits of
// any other category (transfer, refund, interest, spending reversals) never
// count. A payer needs at least two deposit days to form a stream.
func Detect(txs []datasource.Transaction, opts Options) []Stream {
	asOf := opts.AsOf
	if asOf.IsZero() {
		for _, t := range txs {
			if t.PostedDate.After(asOf) {
				asOf = t.PostedDate
			}
		}
	}
	paired := ownTransfers(txs)
	groups := map[string][]datasource.Transaction{}
	var keys []string
	for i, t := range txs {
		if t.Amount <= 0 || t.Pending || t.PostedDate.After(asOf) || t.PostedDate.IsZero() ||
			(!opts.From.IsZero() && t.PostedDate.Before(opts.From)) {
			continue
		}
		switch t.Category {
		case datasource.TxPayroll, datasource.TxIncomeOther:
		case "":
			if paired[i] || excludedByWords(t.Description) {
				continue
			}
		default:
			continue
		}
		key := NormalizePayer(payerText(t))
		if key == "" {
			continue
		}
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], t)
	}
	var out []Stream
	for _, key := range keys {
		s, ok := stream(key, groups[key], asOf)
		if ok && s.Confidence >= opts.MinConfidence {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Stream) int {
		if a.Active != b.Active {
			if a.Active {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.ProjectedAnnual, a.ProjectedAnnual); c != 0 {
			return c
		}
		if c := b.LastDate.Compare(a.LastDate); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

func payerText(t datasource.Transaction) string {
	if strings.TrimSpace(t.Counterparty) != "" {
		return t.Counterparty
	}
	return t.Description
}

// stream builds the stream of one payer's credits, or reports false when
// they make no stream.
func stream(key string, txs []datasource.Transaction, asOf value.Date) (Stream, bool) {
	slices.SortStableFunc(txs, func(a, b datasource.Transaction) int { return a.PostedDate.Compare(b.PostedDate) })
	var deps []deposit
	accounts := map[string]bool{}
	s := Stream{Key: key, TransactionIDs: make([]string, 0, len(txs))}
	payrollLike := 0
	names, descs := map[string]int{}, map[string]int{}
	for _, t := range txs {
		if n := len(deps); n > 0 && deps[n-1].date == t.PostedDate {
			deps[n-1].amount += t.Amount
		} else {
			deps = append(deps, deposit{t.PostedDate, t.Amount})
		}
		s.Total += t.Amount
		s.TransactionIDs = append(s.TransactionIDs, t.ID)
		if t.AccountID != "" {
			accounts[t.AccountID] = true
		}
		if t.Category == datasource.TxPayroll || (t.Category == "" && payrollWords(t.Description)) {
			payrollLike++
		}
		if c := strings.TrimSpace(t.Counterparty); c != "" {
			names[c]++
		}
		descs[strings.TrimSpace(t.Description)]++
	}
	if len(deps) < 2 {
		return Stream{}, false
	}
	s.Payer = mostFrequent(names, txs, func(t datasource.Transaction) string { return strings.TrimSpace(t.Counterparty) })
	if s.Payer == "" {
		s.Payer = mostFrequent(descs, txs, func(t datasource.Transaction) string { return strings.TrimSpace(t.Description) })
	}
	sum := sha256.Sum256([]byte(key))
	s.ID = "inc_" + hex.EncodeToString(sum[:8])
	s.Payroll = 2*payrollLike >= len(txs)
	s.Deposits = len(deps)
	s.FirstDate, s.LastDate = deps[0].date, deps[len(deps)-1].date
	s.AverageAmount = roundDiv(int64(s.Total), int64(len(deps)))
	for a := range accounts {
		s.AccountIDs = append(s.AccountIDs, a)
	}
	slices.Sort(s.AccountIDs)

	freq, regularity, medianGap := classify(deps)
	s.Frequency = freq
	gap := days(s.LastDate, asOf)
	if freq == Irregular {
		s.Active = gap <= max(45, 3*medianGap)
	} else {
		s.Active = gap <= 2*expectedDays(freq)+5
	}
	if s.Active {
		if n := PeriodsPerYear(freq); n > 0 {
			s.ProjectedAnnual = s.AverageAmount * value.Money(n)
		} else {
			span := max(days(s.FirstDate, asOf)+1, 30)
			s.ProjectedAnnual = roundDiv(int64(s.Total)*365, int64(span))
		}
	}
	if freq == Irregular {
		regularity = coverage(deps, asOf) / 2
	}
	s.Confidence = confidence(regularity, consistency(deps), len(deps), s.Payroll)
	return s, true
}

// confidence combines regularity (0–1: the share of intervals that fit the
// frequency, or half the share of months with a deposit for irregular
// streams), amount consistency (0–1), the number of deposits and the payroll
// signal into a grade from 0 to 100:
//
//	e × (40 × regularity + 25 × consistency) + 20 × min(1, deposits/6) + 15 if payroll
//
// where the evidence factor e = min(1, (deposits − 1)/3) discounts patterns
// seen in fewer than four deposits.
func confidence(regularity, consistency float64, deposits int, payroll bool) int {
	e := min(1, float64(deposits-1)/3)
	c := e*(40*regularity+25*consistency) + 20*min(1, float64(deposits)/6)
	if payroll {
		c += 15
	}
	return min(100, max(0, int(c+0.5)))
}

// consistency is the share of deposits within 20 % of the median deposit.
func consistency(deps []deposit) float64 {
	amounts := make([]value.Money, len(deps))
	for i, d := range deps {
		amounts[i] = d.amount
	}
	slices.Sort(amounts)
	median := amounts[(len(amounts)-1)/2]
	tol := median / 5
	n := 0
	for _, a := range amounts {
		if a >= median-tol && a <= median+tol {
			n++
		}
	}
	return float64(n) / float64(len(amounts))
}

// coverage is the share of calendar months, from the first deposit's month
// to the as-of date's, that have a deposit.
func coverage(deps []deposit, asOf value.Date) float64 {
	months := map[int]bool{}
	for _, d := range deps {
		months[d.date.Year*12+int(d.date.Month)] = true
	}
	first := deps[0].date.Year*12 + int(deps[0].date.Month)
	total := asOf.Year*12 + int(asOf.Month) - first + 1
	if total <= 0 {
		return 0
	}
	return min(1, float64(len(months))/float64(total))
}

// classify returns the frequency of deposits (at least two), the share of
// intervals that fit it (its regularity) and the median interval in days.
func classify(deps []deposit) (freq string, regularity float64, medianGap int) {
	gaps := make([]int, len(deps)-1)
	for i := 1; i < len(deps); i++ {
		gaps[i-1] = days(deps[i-1].date, deps[i].date)
	}
	sorted := slices.Sorted(slices.Values(gaps))
	medianGap = sorted[(len(sorted)-1)/2]
	share := func(lo, hi int) float64 {
		n := 0
		for _, g := range gaps {
			if g >= lo && g <= hi {
				n++
			}
		}
		return float64(n) / float64(len(gaps))
	}
	const minRegularity = 0.6
	switch {
	case medianGap >= 4 && medianGap <= 10:
		freq, regularity = Weekly, share(6, 8)
	case medianGap >= 11 && medianGap <= 20:
		exact14, near14 := share(14, 14), share(13, 15)
		switch {
		case exact14 >= 0.75:
			freq, regularity = Biweekly, near14
		case len(deps) >= 4 && semimonthlyFit(deps) >= 0.8:
			freq, regularity = Semimonthly, semimonthlyFit(deps)*share(9, 20)
		default:
			freq, regularity = Biweekly, near14
		}
	case medianGap >= 21 && medianGap <= 45:
		freq, regularity = Monthly, share(26, 35)
	default:
		return Irregular, 0, medianGap
	}
	if regularity < minRegularity {
		return Irregular, 0, medianGap
	}
	return freq, regularity, medianGap
}

// semimonthlyFit is the best share of deposits paid on, or up to 3 days
// before or 2 days after, one of two days of the month 13 to 16 days apart
// (a day from the 28th on meaning the month's last day), such as the 15th and
// the last day or the 1st and the 15th, over all such pairs of days.
func semimonthlyFit(deps []deposit) float64 {
	best := 0
	for a := 1; a <= 15; a++ {
		for b := a + 13; b <= a+16; b++ {
			n := 0
			for _, d := range deps {
				if nearAnchor(d.date, a) || nearAnchor(d.date, b) {
					n++
				}
			}
			best = max(best, n)
		}
	}
	return float64(best) / float64(len(deps))
}

// nearAnchor reports whether d is from 3 days before to 2 days after day x
// (28 or more: the last day) of its month or of the next or previous month.
func nearAnchor(d value.Date, x int) bool {
	for dm := -1; dm <= 1; dm++ {
		m := value.NewDate(d.Year, d.Month+time.Month(dm), 1)
		last := value.NewDate(m.Year, m.Month+1, 0)
		day := x
		if x >= 28 || x > last.Day {
			day = last.Day
		}
		diff := days(d, value.NewDate(m.Year, m.Month, day))
		if diff >= -2 && diff <= 3 {
			return true
		}
	}
	return false
}

// days returns the number of days from a to b.
func days(a, b value.Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// roundDiv returns a/b rounded half away from zero, for b > 0.
func roundDiv(a, b int64) value.Money {
	if a < 0 {
		return -value.Money((-a + b/2) / b)
	}
	return value.Money((a + b/2) / b)
}

func mostFrequent(counts map[string]int, txs []datasource.Transaction, text func(datasource.Transaction) string) string {
	best, n := "", 0
	for _, t := range txs { // first seen wins ties, for determinism
		if s := text(t); s != "" && counts[s] > n {
			best, n = s, counts[s]
		}
	}
	return best
}
