package api_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestUserCreateGetPatch(t *testing.T) {
	e := newEnv(t)
	k := e.A
	m := e.ok(t, k, "POST", "/partners/v2/users", map[string]any{
		"client": strings.ToUpper(k.Client), "first_name": "Jane", "last_name": "Doe", "email": "jane@example.com",
		"phone_number": "+1 (555) 555-5555", "ssn": "123456789",
		"address":           map[string]any{"city": "New York", "line1": "1 Main St", "line2": nil, "state": "NY", "country": "us", "postal_code": "10001"},
		"birth_date":        map[string]any{"year": 1990, "month": 2, "day": 28},
		"external_id":       "ext-1",
		"external_metadata": map[string]any{"a": 1, "nested": map[string]any{"b": []any{true}}},
		"open_banking":      map[string]any{"end_user": map[string]any{"name": "Lender Inc", "zip": "10001"}},
	})
	if len(m) != 2 {
		t.Errorf("create answers exactly id and user_token, got %v", m)
	}
	id := m["id"].(string)
	if !uuidRE.MatchString(id) {
		t.Fatalf("id %q", id)
	}
	tok, _ := m["user_token"].(string)
	if tok == "" {
		t.Fatal("no user_token")
	}
	second := e.ok(t, k, "POST", "/partners/v2/users", map[string]any{"client": k.Client})
	if second["id"] == id || second["user_token"] == tok {
		t.Error("two users share an id or a token")
	}

	got := e.ok(t, k, "GET", "/partners/v2/users/"+strings.ToUpper(id), nil)
	want := map[string]any{
		"id": id, "created_at": "", "items_connected": []any{}, "employers_connected": []any{},
		"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone_number": "+1 (555) 555-5555",
		"ssn":         "123-45-6789",
		"address":     map[string]any{"city": "New York", "line1": "1 Main St", "line2": nil, "state": "NY", "country": "US", "postal_code": "10001"},
		"birth_date":  map[string]any{"year": 1990, "month": 2, "day": 28},
		"external_id": "ext-1", "external_metadata": map[string]any{"a": 1, "nested": map[string]any{"b": []any{true}}},
		"open_banking": map[string]any{"end_user": map[string]any{"name": "Lender Inc", "zip": "10001"}},
	}
	sameAsExample(t, want, got)
	if got["created_at"] != e.clock.Now().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("created_at %v, want the clock's %v", got["created_at"], e.clock.Now())
	}

	// Partial update: absent fields stay, external_metadata is replaced,
	// external_id null clears it.
	e.clock.Advance(1)
	p := e.ok(t, k, "PATCH", "/partners/v2/users/"+id, map[string]any{
		"first_name": "Janet", "external_id": nil, "external_metadata": map[string]any{"c": "d"},
	})
	want["first_name"] = "Janet"
	want["external_id"] = nil
	want["external_metadata"] = map[string]any{"c": "d"}
	sameAsExample(t, want, p)
	sameAsExample(t, want, e.ok(t, k, "GET", "/partners/v2/users/"+id, nil))

	// An empty patch changes nothing.
	sameAsExample(t, want, e.ok(t, k, "PATCH", "/partners/v2/users/"+id, map[string]any{}))
	// A patch may not move the user to another client: client is not part of an update.
	e.ok(t, k, "PATCH", "/partners/v2/users/"+id, map[string]any{"last_name": "Roe"})
	if g := e.ok(t, k, "GET", "/partners/v2/users/"+id, nil); g["last_name"] != "Roe" || g["first_name"] != "Janet" {
		t.Errorf("after patching last_name: %v", g)
	}

	// Unknown and malformed ids.
	detailOf(t, e.call(t, k, "GET", "/partners/v2/users/0196f0a0-0000-7000-8000-000000000001", nil), 404)
	detailOf(t, e.call(t, k, "GET", "/partners/v2/users/not-a-uuid", nil), 404)
	detailOf(t, e.call(t, k, "PATCH", "/partners/v2/users/0196f0a0-0000-7000-8000-000000000001", map[string]any{"first_name": "X"}), 404)
}

func TestUserValidation(t *testing.T) {
	e := newEnv(t)
	k := e.A
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"client": k.Client}
		for f, v := range extra {
			m[f] = v
		}
		return m
	}
	addr := func(f string, v any) map[string]any {
		a := map[string]any{"city": "New York", "line1": "1 Main St", "state": "NY", "country": "US"}
		a[f] = v
		return map[string]any{"address": a}
	}
	bd := func(y, m, d any) map[string]any {
		return map[string]any{"birth_date": map[string]any{"year": y, "month": m, "day": d}}
	}
	thisYear := e.clock.Now().Year()
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"missing client", map[string]any{"first_name": "Jane"}, "client"},
		{"null client", map[string]any{"client": nil}, "client"},
		{"client not a uuid", map[string]any{"client": "abc"}, "client"},
		{"unknown client", map[string]any{"client": "0196f0a0-0000-7000-8000-000000000001"}, "client"},
		{"another partner's client", map[string]any{"client": e.B.Client}, "client"},
		{"client a number", map[string]any{"client": 5}, "client"},
		{"bad email", base(map[string]any{"email": "not-an-email"}), "email"},
		{"email with name", base(map[string]any{"email": "Jane <jane@example.com>"}), "email"},
		{"bad phone", base(map[string]any{"phone_number": "call me"}), "phone_number"},
		{"short phone", base(map[string]any{"phone_number": "12345"}), "phone_number"},
		{"bad ssn", base(map[string]any{"ssn": "12-345-6789"}), "ssn"},
		{"ssn letters", base(map[string]any{"ssn": "abc-de-fghi"}), "ssn"},
		{"blank first name", base(map[string]any{"first_name": "  "}), "first_name"},
		{"null first name", base(map[string]any{"first_name": nil}), "first_name"},
		{"long last name", base(map[string]any{"last_name": strings.Repeat("x", 151)}), "last_name"},
		{"birth year before 1900", base(bd(1899, 1, 1)), "birth_date.year"},
		{"birth year in the future", base(bd(thisYear+1, 1, 1)), "birth_date.year"},
		{"birth month 13", base(bd(1990, 13, 1)), "birth_date.month"},
		{"birth month 0", base(bd(1990, 0, 1)), "birth_date.month"},
		{"birth day 0", base(bd(1990, 1, 0)), "birth_date.day"},
		{"february 30", base(bd(1990, 2, 30)), "birth_date.day"},
		{"february 29 of a common year", base(bd(1990, 2, 29)), "birth_date.day"},
		{"birth date tomorrow", base(bd(thisYear, int(e.clock.Now().Month()), e.clock.Now().Day()+1)), "birth_date"},
		{"birth date missing day", base(map[string]any{"birth_date": map[string]any{"year": 1990, "month": 1}}), "birth_date.day"},
		{"birth year a string", base(bd("1990", 1, 1)), "birth_date.year"},
		{"birth year fractional", base(bd(1990.5, 1, 1)), "birth_date.year"},
		{"birth_date null", base(map[string]any{"birth_date": nil}), "birth_date"},
		{"birth_date a string", base(map[string]any{"birth_date": "1990-01-01"}), "birth_date"},
		{"country three letters", base(addr("country", "USA")), "address.country"},
		{"country digits", base(addr("country", "12")), "address.country"},
		{"city a number", base(addr("city", 7)), "address.city"},
		{"city null", base(addr("city", nil)), "address.city"},
		{"address null", base(map[string]any{"address": nil}), "address"},
		{"address a list", base(map[string]any{"address": []any{}}), "address"},
		{"external_metadata a string", base(map[string]any{"external_metadata": "x"}), "external_metadata"},
		{"external_metadata null", base(map[string]any{"external_metadata": nil}), "external_metadata"},
		{"external_id a number", base(map[string]any{"external_id": 5}), "external_id"},
		{"external_id too long", base(map[string]any{"external_id": strings.Repeat("x", 256)}), "external_id"},
		{"end_user name a number", base(map[string]any{"open_banking": map[string]any{"end_user": map[string]any{"name": 1}}}), "open_banking.end_user.name"},
		{"first_name a bool", base(map[string]any{"first_name": true}), "first_name"},
	}
	before := e.counts(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fieldError(t, e.call(t, k, "POST", "/partners/v2/users", c.body), c.field)
		})
	}
	if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rejected creates wrote rows: before %v, after %v", before, after)
	}
	// The same validation applies to a patch (which has no client).
	id := e.createUser(t, k, nil)
	before = e.counts(t)
	for _, c := range cases {
		body, ok := c.body.(map[string]any)
		if !ok || c.field == "client" {
			continue
		}
		t.Run("patch "+c.name, func(t *testing.T) {
			fieldError(t, e.call(t, k, "PATCH", "/partners/v2/users/"+id, body), c.field)
		})
	}
	if after := e.counts(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("rejected requests wrote rows: before %v, after %v", before, after)
	}
	// A valid birth date on the boundary is accepted: today.
	now := e.clock.Now()
	e.createUser(t, k, bd(now.Year(), int(now.Month()), now.Day()))
	e.createUser(t, k, bd(1900, 1, 1))
	e.createUser(t, k, bd(2000, 2, 29))
}
