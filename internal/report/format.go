package report

import (
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// Locale is the locale reports format amounts, rates and hours in: US
// English, the language of US loan files ("$77,173.69").
const Locale = "en-US"

var printer = message.NewPrinter(language.MustParse(Locale))

// decimal formats hundredths (cents, hundredths of an hour) with the
// locale's thousands and decimal separators: "1,607.63".
func decimal(hundredths int64) string {
	return printer.Sprint(number.Decimal(float64(hundredths)/100, number.Scale(2)))
}

// money formats an amount in US dollars: "$1,607.63", "-$5.10".
func money(m value.Money) string { return amountIn(m, "USD") }

// amountIn formats an amount in a currency: its symbol before the number
// ("$1,607.63"), or its ISO code after it when the locale has no symbol of
// its own for it ("1,607.63 CHF").
func amountIn(m value.Money, code string) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	unit, err := currency.ParseISO(code)
	if err != nil {
		return sign + decimal(int64(m)) + " " + strings.ToUpper(code)
	}
	sym := printer.Sprint(currency.Symbol(unit))
	if sym == unit.String() {
		return sign + decimal(int64(m)) + " " + sym
	}
	return sign + sym + decimal(int64(m))
}

// hours formats hours: "1,040.00".
func hours(h value.Hours) string { return decimal(int64(h)) }

// payRate formats a base pay: "$77,173.69 per year", "$24.50 per hour".
func payRate(b datasource.BasePay) string {
	code := b.Currency
	if code == "" {
		code = "USD"
	}
	return amountIn(b.Amount, code) + " per " + perPeriod(b.Period)
}
