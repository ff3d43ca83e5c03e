package income

import (
	"strings"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// noiseWords are dropped from payer names: ACH and deposit jargon, legal
// suffixes and payment-app names.
var noiseWords = map[string]bool{
	"payroll": true, "pay": true, "paycheck": true, "dir": true, "dep": true, "direct": true, "deposit": true,
	"ppd": true, "ccd": true, "ach": true, "web": true, "edi": true, "id": true, "des": true, "indn": true,
	"salary": true, "sal": true, "wages": true, "credit": true, "payment": true, "pmt": true, "instant": true,
	"inc": true, "llc": true, "ltd": true, "corp": true, "corporation": true, "co": true, "company": true,
	"the": true, "zelle": true, "from": true, "venmo": true, "cashout": true, "payout": true, "payouts": true,
}

// NormalizePayer returns the key deposits are grouped by: the payer text
// folded (lower case, no diacritics or punctuation, see datasource.Fold)
// without tokens that contain digits (ids, dates, store numbers) or are
// noise words (payroll, direct deposit, ppd, inc, llc, zelle, ...). When
// nothing is left it returns the folded text.
func NormalizePayer(s string) string {
	folded := datasource.Fold(s)
	var kept []string
	for _, w := range strings.Fields(folded) {
		if noiseWords[w] || strings.ContainsAny(w, "0123456789") {
			continue
		}
		kept = append(kept, w)
	}
	if len(kept) == 0 {
		return folded
	}
	return strings.Join(kept, " ")
}

// excludeWords mark an uncategorised credit as a transfer, refund, reversal
// or interest rather than income; they are matched as whole words or
// phrases of the folded description.
var excludeWords = []string{
	"transfer", "xfer", "trnsfr", "tfr", "refund", "refunded", "reversal", "reversed", "return", "returned",
	"chargeback", "rebate", "cashback", "cash back", "interest", "dividend", "tax ref", "adjustment",
	"from savings", "from checking", "overdraft protection",
}

// payrollPhrases mark an uncategorised credit as payroll.
var payrollPhrases = []string{"payroll", "salary", "dir dep", "direct dep", "direct deposit", "paycheck", "wages", "net pay"}

func excludedByWords(desc string) bool { return containsPhrase(desc, excludeWords) }

func payrollWords(desc string) bool { return containsPhrase(desc, payrollPhrases) }

// containsPhrase reports whether one of phrases occurs in s as whole words,
// ignoring case, diacritics and punctuation.
func containsPhrase(s string, phrases []string) bool {
	f := " " + datasource.Fold(s) + " "
	for _, p := range phrases {
		if strings.Contains(f, " "+p+" ") {
			return true
		}
	}
	return false
}

// ownTransfers marks the uncategorised credits that mirror a debit of the
// same amount in another account within 3 days; each debit explains one
// credit. It reports by index into txs.
func ownTransfers(txs []datasource.Transaction) map[int]bool {
	debits := map[value.Money][]int{}
	for i, t := range txs {
		if t.Amount < 0 && !t.Pending && t.AccountID != "" {
			debits[-t.Amount] = append(debits[-t.Amount], i)
		}
	}
	used := map[int]bool{}
	out := map[int]bool{}
	for i, t := range txs {
		if t.Amount <= 0 || t.Pending || t.Category != "" || t.AccountID == "" {
			continue
		}
		best, bestGap := -1, 4
		for _, j := range debits[t.Amount] {
			d := txs[j]
			if used[j] || d.AccountID == t.AccountID {
				continue
			}
			if gap := abs(days(d.PostedDate, t.PostedDate)); gap < bestGap {
				best, bestGap = j, gap
			}
		}
		if best >= 0 {
			used[best] = true
			out[i] = true
		}
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
