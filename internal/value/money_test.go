package value

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func TestMoneyString(t *testing.T) {
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{0, "0.00"}, {1, "0.01"}, {10, "0.10"}, {-510, "-5.10"}, {-1, "-0.01"},
		{160763, "1607.63"}, {100, "1.00"}, {math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(tc.m), got, tc.want)
		}
		if got, _ := tc.m.MarshalText(); string(got) != tc.want {
			t.Errorf("Money(%d).MarshalText() = %q, want %q", int64(tc.m), got, tc.want)
		}
		if got, _ := Hours(tc.m).MarshalText(); string(got) != tc.want {
			t.Errorf("Hours(%d).MarshalText() = %q, want %q", int64(tc.m), got, tc.want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Money
	}{
		{"0.00", 0}, {"1607.63", 160763}, {"-5.10", -510}, {"-5.1", -510}, {"12", 1200},
		{"+3.07", 307}, {"0.5", 50}, {"-0.00", 0}, {"92233720368547757.99", 9223372036854775799},
	} {
		got, err := ParseMoney(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tc.in, int64(got), err, int64(tc.want))
		}
	}
	for _, bad := range []string{"", "-", ".5", "1.", "1.234", "1,00", "1e3", "abc", " 1.00", "--1",
		"1.-1", "99999999999999999999.00", "92233720368547758.00"} {
		if _, err := ParseMoney(bad); err == nil {
			t.Errorf("ParseMoney(%q) succeeded, want error", bad)
		}
	}
}

func TestMoneyRoundTrip(t *testing.T) {
	for v := int64(-100500); v <= 100500; v += 7 {
		m := Money(v)
		got, err := ParseMoney(m.String())
		if err != nil || got != m {
			t.Fatalf("ParseMoney(%q) = %d, %v; want %d", m.String(), int64(got), err, v)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	type doc struct {
		A Money `json:"a"`
		H Hours `json:"h"`
	}
	b, err := json.Marshal(doc{A: -510, H: 4960})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"a":"-5.10","h":"49.60"}` {
		t.Fatalf("json = %s", b)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"a":"1607.63","h":"0.00"}`), &d); err != nil || d.A != 160763 || d.H != 0 {
		t.Fatalf("unmarshal = %+v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`{"a":"1.234"}`), &d); err == nil {
		t.Fatal("unmarshal of 3 decimals succeeded")
	}
}

func TestDate(t *testing.T) {
	d := NewDate(2024, time.February, 30)
	if d != (Date{2024, time.March, 1}) || d.String() != "2024-03-01" {
		t.Fatalf("NewDate normalised to %v", d)
	}
	if got := DateOf(time.Date(2024, 5, 6, 23, 59, 0, 0, time.FixedZone("X", -5*3600))); got != (Date{2024, 5, 6}) {
		t.Fatalf("DateOf = %v", got)
	}
	b, _ := json.Marshal(struct{ A, B Date }{A: d})
	if string(b) != `{"A":"2024-03-01","B":null}` {
		t.Fatalf("json = %s", b)
	}
	var v struct{ A, B Date }
	if err := json.Unmarshal(b, &v); err != nil || v.A != d || !v.B.IsZero() {
		t.Fatalf("unmarshal = %+v, %v", v, err)
	}
	if !d.Before(d.AddDate(0, 0, 1)) || !d.After(d.AddDate(0, 0, -1)) || d.Compare(d) != 0 {
		t.Fatal("comparisons are wrong")
	}
	if _, err := ParseDate("2024-13-01"); err == nil {
		t.Fatal("ParseDate accepted month 13")
	}
}
