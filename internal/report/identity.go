package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"verigate/internal/value"
	"verigate/internal/verification"
)

// Results of an identity comparison, overall and per field.
const (
	IdentityMatch       = "match"
	IdentityMismatch    = "mismatch"
	IdentityNotCompared = "not_compared" // overall: no field could be compared
	IdentityNotOrdered  = "not_ordered"  // the user was created without it
	IdentityNotReturned = "not_returned" // the connected source did not return it
)

// CodeIdentityMismatch is the status error code a verification whose
// report found a mismatch completes with.
const CodeIdentityMismatch = "identity_mismatch"

// IdentityCheck compares the identity a report was ordered for (the user's
// name, SSN and birth date) with the identity of the connected accounts.
type IdentityCheck struct {
	Result string          `json:"result"`
	Fields []IdentityField `json:"fields"`
}

// IdentityField is one compared field: name, ssn_last4 or birth_date.
type IdentityField struct {
	Field     string  `json:"field"`
	Ordered   *string `json:"ordered"`
	Connected *string `json:"connected"`
	Result    string  `json:"result"`
}

// Ordered is the identity a report was ordered for, from the user's profile.
type Ordered struct {
	FirstName string
	LastName  string
	// SSNLast4 is the last four digits of the SSN, or "".
	SSNLast4  string
	BirthDate value.Date
}

// OrderedFromProfile reads the ordered identity from a user's stored profile.
func OrderedFromProfile(profile json.RawMessage) (Ordered, error) {
	var p struct {
		FirstName *string `json:"first_name"`
		LastName  *string `json:"last_name"`
		SSN       *string `json:"ssn"`
		BirthDate *struct {
			Year, Month, Day int
		} `json:"birth_date"`
	}
	if len(profile) > 0 {
		if err := json.Unmarshal(profile, &p); err != nil {
			return Ordered{}, fmt.Errorf("report: user profile: %w", err)
		}
	}
	var o Ordered
	if p.FirstName != nil {
		o.FirstName = *p.FirstName
	}
	if p.LastName != nil {
		o.LastName = *p.LastName
	}
	if p.SSN != nil {
		o.SSNLast4 = last4(*p.SSN)
	}
	if b := p.BirthDate; b != nil && b.Year > 0 && b.Month > 0 && b.Day > 0 {
		o.BirthDate = value.NewDate(b.Year, time.Month(b.Month), b.Day)
	}
	return o, nil
}

// last4 returns the last four digits of an SSN, or "" when it has fewer.
func last4(ssn string) string {
	var d []rune
	for _, c := range ssn {
		if c >= '0' && c <= '9' {
			d = append(d, c)
		}
	}
	if len(d) < 4 {
		return ""
	}
	return string(d[len(d)-4:])
}

// foldName lowers a name and drops accents, punctuation and extra spaces,
// so "José  O'Neil" and "jose oneil" compare equal.
func foldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	var b strings.Builder
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, w)
		if w == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CheckIdentity compares the ordered identity with the report's connected
// one. A field is compared when both sides have it: names ignoring case,
// accents and punctuation (first and last name each, or the whole name when
// only it is known), the SSN by its last four digits, the birth date exactly.
func CheckIdentity(o Ordered, connected *Identity) *IdentityCheck {
	var c Identity
	if connected != nil {
		c = *connected
	}
	field := func(name, ordered, conn string, equal bool) IdentityField {
		f := IdentityField{Field: name, Ordered: opt(ordered), Connected: opt(conn)}
		switch {
		case ordered == "":
			f.Result = IdentityNotOrdered
		case conn == "":
			f.Result = IdentityNotReturned
		case equal:
			f.Result = IdentityMatch
		default:
			f.Result = IdentityMismatch
		}
		return f
	}
	orderedName := strings.TrimSpace(o.FirstName + " " + o.LastName)
	connName := strings.TrimSpace(c.FirstName + " " + c.LastName)
	if connName == "" {
		connName = c.FullName
	}
	nameEqual := foldName(orderedName) == foldName(connName)
	if o.FirstName != "" && o.LastName != "" && c.FirstName != "" && c.LastName != "" {
		nameEqual = foldName(o.FirstName) == foldName(c.FirstName) && foldName(o.LastName) == foldName(c.LastName)
	} else if o.LastName == "" && c.FirstName != "" {
		nameEqual = foldName(o.FirstName) == foldName(c.FirstName) // only a first name was ordered
	} else if o.FirstName == "" && c.LastName != "" {
		nameEqual = foldName(o.LastName) == foldName(c.LastName) // only a last name was ordered
	}
	connSSN := ""
	if c.SSN != nil {
		connSSN = last4(*c.SSN)
	}
	check := &IdentityCheck{Fields: []IdentityField{
		field("name", orderedName, connName, nameEqual),
		field("ssn_last4", o.SSNLast4, connSSN, o.SSNLast4 == connSSN),
		field("birth_date", o.BirthDate.String(), c.BirthDate.String(), o.BirthDate == c.BirthDate),
	}}
	check.Result = IdentityNotCompared
	for _, f := range check.Fields {
		switch {
		case f.Result == IdentityMismatch:
			check.Result = IdentityMismatch
		case f.Result == IdentityMatch && check.Result == IdentityNotCompared:
			check.Result = IdentityMatch
		}
	}
	return check
}

// StatusErrors are the status errors a verification completes with for
// this check: one identity_mismatch naming the fields that differ (not
// their values, which the report holds), or none.
func (c *IdentityCheck) StatusErrors(reportID string) []verification.StatusError {
	if c == nil || c.Result != IdentityMismatch {
		return nil
	}
	resources := []verification.ErrorResource{}
	for _, f := range c.Fields {
		if f.Result == IdentityMismatch {
			resources = append(resources, verification.ErrorResource{ID: &reportID, Type: "identity_check", Name: f.Field})
		}
	}
	return []verification.StatusError{{Code: CodeIdentityMismatch, Title: "Identity mismatch",
		Message: "The connected account's " + c.differing() + " differ from the user the verification was ordered for; " +
			"see identity_check in the report.", Resources: resources}}
}

// fieldPhrases name the compared fields in a sentence.
var fieldPhrases = map[string]string{"name": "name", "ssn_last4": "SSN last 4 digits", "birth_date": "date of birth"}

// differing names the fields that differ, in a sentence: "name, date of birth".
func (c *IdentityCheck) differing() string {
	var names []string
	for _, f := range c.Fields {
		if f.Result == IdentityMismatch {
			names = append(names, fieldPhrases[f.Field])
		}
	}
	return strings.Join(names, ", ")
}
