package api

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"verigate/internal/customization"
	"verigate/internal/invite"
	"verigate/internal/items"
	"verigate/internal/partner"
	"verigate/internal/report"
	"verigate/internal/session"
	"verigate/internal/verification"
	"verigate/internal/webhook"
)

// bodyTypes are the types request bodies are decoded into.
var bodyTypes = []any{
	session.CreateInput{}, verification.OrderInput{}, verification.UpdateInput{},
	partner.UserInput{}, partner.TokenInput{}, items.FilterInput{}, customization.Input{},
	report.UserReportInput{}, receiptInput{}, invite.Input{},
	webhook.SubscriptionInput{}, webhook.V2SubscriptionInput{},
}

// TestUnmarshalMatchesLegacy decodes generated bodies for every body type
// both in one pass and with encoding/json alone, and requires the same
// value or the same error from both.
func TestUnmarshalMatchesLegacy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, zero := range bodyTypes {
		typ := reflect.TypeOf(zero)
		t.Run(typ.String(), func(t *testing.T) {
			onePass := 0
			for range 3000 {
				body := genValue(rng, typ, 0)
				got, want := reflect.New(typ), reflect.New(typ)
				gotErr := unmarshal([]byte(body), got.Interface())
				wantErr := unmarshalLegacy([]byte(body), want.Interface())
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
					t.Fatalf("%s\none pass: %v\nencoding/json: %v", body, gotErr, wantErr)
				}
				if !reflect.DeepEqual(got.Interface(), want.Interface()) {
					t.Fatalf("%s\none pass:      %+v\nencoding/json: %+v", body, got.Elem(), want.Elem())
				}
				if gotErr == nil {
					onePass++
				}
			}
			if onePass == 0 {
				t.Fatal("no generated body decoded without an error")
			}
		})
	}
}

// genValue returns a JSON text for a Go type t: usually a value of the
// right shape, sometimes one of the wrong type, null, or an object with
// unknown, duplicate or case-variant names.
func genValue(rng *rand.Rand, t reflect.Type, depth int) string {
	if rng.IntN(12) == 0 || depth > 4 {
		return oddValues[rng.IntN(len(oddValues))]
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Opt[") {
		t = t.Field(2).Type
		if rng.IntN(15) == 0 {
			return "null"
		}
		return genValue(rng, t, depth)
	}
	switch t.Kind() {
	case reflect.String:
		return stringValues[rng.IntN(len(stringValues))]
	case reflect.Bool:
		return []string{"true", "false"}[rng.IntN(2)]
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return []string{"0", "7", "-3", "2.5", "1e2", "12345678901234567890"}[rng.IntN(6)]
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // json.RawMessage
			return oddValues[rng.IntN(len(oddValues))]
		}
		n := rng.IntN(4)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = genValue(rng, t.Elem(), depth+1)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map, reflect.Interface:
		return oddValues[rng.IntN(len(oddValues))]
	case reflect.Struct:
		var parts []string
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || rng.IntN(3) == 0 {
				continue
			}
			if name == "" {
				name = f.Name
			}
			switch rng.IntN(20) {
			case 0:
				name = strings.ToUpper(name)
			case 1:
				parts = append(parts, fmt.Sprintf("%q: %s", name, genValue(rng, f.Type, depth+1)))
			}
			parts = append(parts, fmt.Sprintf("%q: %s", name, genValue(rng, f.Type, depth+1)))
		}
		if rng.IntN(10) == 0 {
			parts = append(parts, `"unknown": {"a": [1, "b"]}`)
		}
		rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		return "{" + strings.Join(parts, ",") + "}"
	}
	return "null"
}

var stringValues = []string{`""`, `"x"`, `"EN"`, `"payroll"`, `"01a213cf-bfec-740f-a0f1-b0cf61f41846"`,
	`"https://example.com/return"`, `"caf\u00e9 \"quoted\""`, `"\ud800"`, `"tab\tand\nline"`, `"  spaced  "`, `"Ωmega"`}

var oddValues = []string{`null`, `1`, `-2.5`, `true`, `"s"`, `[]`, `[1, "a", null]`, `{}`, `{"k": "v", "n": 1}`,
	`{"k": {"deep": [true]}}`, `{"k": 1, "k": 2}`, `["a", "b"]`}
