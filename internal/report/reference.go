package report

import (
	"crypto/sha256"
	"strings"
)

// crockford is Crockford's base-32 alphabet (no I, L, O, U), and its
// check symbols after the 32 digits.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"

// Reference returns the reference number of the report with this id, the
// number a lender submits with the loan file: "VG-" and 15 Crockford
// base-32 digits (75 bits of the SHA-256 of the id) in groups of four, the
// last character being a mod-37 check symbol that catches a mistyped or
// swapped digit. It depends on the id alone, so a report always has the
// same number, and different ids collide with negligible probability.
func Reference(id string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(id)))
	digits := make([]byte, 0, 16)
	var acc uint64
	var bits, check int
	for _, b := range sum {
		acc = acc<<8 | uint64(b)
		bits += 8
		for bits >= 5 && len(digits) < 15 {
			bits -= 5
			d := int(acc>>bits) & 31
			digits = append(digits, crockford[d])
			check = (check*32 + d) % 37
		}
		if len(digits) == 15 {
			break
		}
	}
	digits = append(digits, crockford[check])
	var b strings.Builder
	b.WriteString("VG")
	for i, d := range digits {
		if i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(d)
	}
	return b.String()
}

// ValidReference reports whether s is a well-formed reference number
// whose check symbol matches its digits.
func ValidReference(s string) bool {
	s, ok := strings.CutPrefix(strings.ToUpper(s), "VG-")
	if !ok {
		return false
	}
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 16 {
		return false
	}
	check := 0
	for i := range 15 {
		d := strings.IndexByte(crockford[:32], s[i])
		if d < 0 {
			return false
		}
		check = (check*32 + d) % 37
	}
	return s[15] == crockford[check]
}

// BuildsOn names the earlier report a report builds on: a voe ordered
// after a voie for the same user names that voie.
type BuildsOn struct {
	Type            string `json:"type"`
	Verification    string `json:"verification"`
	Report          string `json:"report"`
	ReferenceNumber string `json:"reference_number"`
	GeneratedAt     string `json:"generated_at"`
}
