package value

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an amount of money in cents (hundredths of the currency unit).
// It marshals to and from the contract's decimal strings such as "1607.63".
type Money int64

// String formats m with exactly two decimals, such as "1607.63", "0.00" or "-5.10".
func (m Money) String() string { return formatHundredths(int64(m)) }

// MarshalText implements encoding.TextMarshaler, so JSON carries m as a string.
func (m Money) MarshalText() ([]byte, error) {
	return appendHundredths(make([]byte, 0, 24), int64(m)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using [ParseMoney].
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMoney parses a decimal string with at most two decimals, such as
// "1607.63", "-5.1", "12" or "+0.00".
func ParseMoney(s string) (Money, error) {
	v, err := parseHundredths(s)
	if err != nil {
		return 0, fmt.Errorf("connector: invalid money %q: %w", s, err)
	}
	return Money(v), nil
}

// Hours is a number of hours worked in hundredths of an hour.
// It marshals to and from decimal strings such as "49.60".
type Hours int64

// String formats h with exactly two decimals, such as "80.00".
func (h Hours) String() string { return formatHundredths(int64(h)) }

// MarshalText implements encoding.TextMarshaler, so JSON carries h as a string.
func (h Hours) MarshalText() ([]byte, error) {
	return appendHundredths(make([]byte, 0, 24), int64(h)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using [ParseHours].
func (h *Hours) UnmarshalText(b []byte) error {
	v, err := ParseHours(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHours parses a decimal string with at most two decimals, such as "49.6".
func ParseHours(s string) (Hours, error) {
	v, err := parseHundredths(s)
	if err != nil {
		return 0, fmt.Errorf("connector: invalid hours %q: %w", s, err)
	}
	return Hours(v), nil
}

func formatHundredths(v int64) string {
	var buf [24]byte
	return string(appendHundredths(buf[:0], v))
}

// appendHundredths appends v hundredths with exactly two decimals: JSON
// encodes every amount and hours figure through it, into a slice made
// large enough for any.
func appendHundredths(b []byte, v int64) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = -u // two's complement negation also handles math.MinInt64
	}
	b = strconv.AppendUint(b, u/100, 10)
	frac := u % 100
	return append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
}

var errSyntax = errors.New("want digits with at most two decimals")

func parseHundredths(s string) (int64, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && (frac == "" || len(frac) > 2)) {
		return 0, errSyntax
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, errSyntax
			}
		}
	}
	w, err := strconv.ParseUint(whole, 10, 63)
	if err != nil || w > math.MaxInt64/100-1 {
		return 0, errors.New("out of range")
	}
	f := uint64(0)
	for i := 0; i < 2; i++ {
		f *= 10
		if i < len(frac) {
			f += uint64(frac[i] - '0')
		}
	}
	v := int64(w*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}
