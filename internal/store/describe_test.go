package store

import (
	"strings"
	"testing"
)

func TestDescribeHidesPasswords(t *testing.T) {
	for _, u := range []string{
		"postgres://user:hunter2@db:5432/verigate",
		"postgres://db/verigate?sslmode=disable&password=hunter2",
		"postgres://user@db/verigate?PASSWORD=hunter2",
		"host=db user=u password=hunter2 dbname=verigate",
		"host=db password='hunter2' dbname=verigate",
	} {
		if got := Describe(u); strings.Contains(got, "hunter2") {
			t.Errorf("Describe(%q) = %q", u, got)
		}
	}
	if got := Describe("./data/verigate.db"); got != "./data/verigate.db" {
		t.Errorf("Describe(path) = %q", got)
	}
}
