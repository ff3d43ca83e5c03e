// Package pgtest gives a test or a benchmark a PostgreSQL schema of its
// own, so that runs sharing one database never see each other's rows.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Schema creates a schema named prefix plus a random suffix in the database at
// base (a postgres:// URL), drops it with everything in it when tb ends,
// and returns base with a search_path that makes connections use it.
func Schema(tb testing.TB, base, prefix string) string {
	tb.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	schema := prefix + "_" + strings.ToLower(rand.Text()) // letters and digits
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		db.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
