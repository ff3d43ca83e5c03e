package value

import (
	"bytes"
	"fmt"
	"time"
)

// Date is a calendar date without a time of day or time zone; the zero Date
// means "no date" and marshals to JSON null.
type Date struct {
	// Year is the year, such as 2024.
	Year int
	// Month is the month of the year.
	Month time.Month
	// Day is the day of the month, starting at 1.
	Day int
}

// NewDate returns the date y-m-d, normalising out-of-range values the way time.Date does.
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses a date in the ISO 8601 form "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("connector: invalid date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// Time returns the start of d in UTC.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

// AddDate returns d plus the given years, months and days, normalised like time.AddDate.
func (d Date) AddDate(years, months, days int) Date {
	return DateOf(d.Time().AddDate(years, months, days))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.Time().Compare(e.Time()) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// MarshalJSON encodes d as "2006-01-02", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON decodes "2006-01-02" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = Date{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("connector: invalid date %s", b)
	}
	v, err := ParseDate(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Period is a work period, the contract's paystub_period.
type Period struct {
	// StartDate is the first day worked.
	StartDate Date `json:"start_date"`
	// EndDate is the last day worked.
	EndDate Date `json:"end_date"`
}
