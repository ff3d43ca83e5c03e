package store

import "testing"

func TestParseRecordKey(t *testing.T) {
	const id = "0187dbfa-6f5e-a33a-af26-7e12ff408fea"
	for key, ok := range map[string]bool{
		"2024-01-05|" + id:                true,
		"2024-01-05T13:22:05Z|" + id:      true,
		"2024-02-30|" + id:                false,
		"2024-01-05T25:22:05Z|" + id:      false,
		"2024-01-05T13:22:05+01:00|" + id: false,
		"2024-01-05 13:22:05Z|" + id:      false,
		"2024-01-05T13:22:05Z|nope":       false,
		"2024-01-05T13:22:05Z":            false,
		"|" + id:                          true, // an undated record (identities, deposit destinations)
		"|nope":                           false,
	} {
		date, gotID, got := ParseRecordKey(key)
		if got != ok || (ok && (date+"|"+gotID != key)) {
			t.Errorf("ParseRecordKey(%q) = %q, %q, %v; want ok %v", key, date, gotID, got, ok)
		}
	}
}
