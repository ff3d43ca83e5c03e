// Package value holds the small value types verigate's data speaks in:
// money and hours in hundredths, civil dates and work periods, each with the
// text and JSON forms the contracts use.
package value
