package storetest

// Query plans at scale: the hot queries must read their rows through an
// index that bounds them by the query's filter and gives the query's order,
// whether or not the planner has statistics.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// PlanRows is how many verifications, paystubs, events and deliveries Plans
// loads; users, accounts, uploads and user reports are a tenth or a fifth
// of it.
const PlanRows = 100_000

// planCheck is one hot store call and the columns its plan must bound its
// index reads by.
type planCheck struct {
	name   string
	bounds []string
	call   func(ctx context.Context) error
}

// Plans grows a fresh store s (through db, a pool on the same database) to
// PlanRows rows, runs every hot query through the store's own methods and
// fails when a plan reads a loaded table without an index that bounds it
// by the query's filter (SQLite's SCAN, PostgreSQL's Seq Scan, or an index
// search on other columns) or sorts instead of reading in index order. It
// checks the plans without statistics, then after Optimize.
func Plans(t *testing.T, s *sqlstore.Store, db *sql.DB, postgres bool) {
	c := t.Context()
	start := time.Now()
	g, err := Grow(c, s, db, postgres, PlanRows)
	must(t, "Grow", err)
	t.Logf("grew the store to %d verifications in %s", PlanRows, time.Since(start).Round(time.Millisecond))
	sc, user, mid := g.Scope, g.UserID(g.Users/2), g.Verifications/2
	ps := store.Page{Limit: 10}
	after := func(cursor string) store.Page { return store.Page{Limit: 10, After: cursor} }
	err1 := func(_ any, err error) error { return err }
	checks := []planCheck{
		{"verification by id", []string{"id"}, func(c context.Context) error { return err1(s.Verification(c, sc, g.VerificationID(mid))) }},
		{"verification head", []string{"id"}, func(c context.Context) error { return err1(s.VerificationHead(c, sc, g.VerificationID(mid))) }},
		{"verifications by user", []string{"user_id"}, func(c context.Context) error {
			return err1(s.ListVerifications(c, sc, store.VerificationFilter{UserID: user}, ps))
		}},
		{"verifications by user, next page", []string{"user_id"}, func(c context.Context) error {
			return err1(s.ListVerifications(c, sc, store.VerificationFilter{UserID: user}, after(g.VerificationID(mid))))
		}},
		{"verifications, next page", []string{"id"}, func(c context.Context) error {
			return err1(s.ListVerifications(c, sc, store.VerificationFilter{}, after(g.VerificationID(mid))))
		}},
		{"user by id", []string{"id"}, func(c context.Context) error { return err1(s.User(c, sc, user)) }},
		{"users, next page", []string{"id"}, func(c context.Context) error { return err1(s.ListUsers(c, sc, store.UserFilter{}, after(user))) }},
		{"account by id", []string{"id"}, func(c context.Context) error { return err1(s.Account(c, g.AccountID(g.Accounts/2))) }},
		{"accounts by user", []string{"user_id"}, func(c context.Context) error {
			return err1(s.ListAccounts(c, sc, store.AccountFilter{UserID: user}, ps))
		}},
		{"paystub by id", []string{"id"}, func(c context.Context) error {
			return err1(s.RecordInScope(c, sc, store.RecordPaystub, g.PaystubID(mid)))
		}},
		{"paystubs by user", []string{"user_id"}, func(c context.Context) error {
			return err1(s.ListRecords(c, sc, store.RecordPaystub, store.RecordFilter{UserID: user}, ps))
		}},
		{"paystubs by user, next page", []string{"user_id"}, func(c context.Context) error {
			return err1(s.ListRecords(c, sc, store.RecordPaystub, store.RecordFilter{UserID: user}, after(store.RecordKey(store.AccountRecord{Date: "2025-01-03", ID: g.PaystubID(mid)}))))
		}},
		{"paystubs by account", []string{"account_id"}, func(c context.Context) error {
			return err1(s.ListRecords(c, sc, store.RecordPaystub, store.RecordFilter{AccountID: g.AccountID(g.Accounts / 2)}, ps))
		}},
		{"an account's records", []string{"account_id"}, func(c context.Context) error {
			return err1(s.AllAccountRecords(c, g.AccountID(g.Accounts/2)))
		}},
		{"an account's paystubs", []string{"account_id", "kind"}, func(c context.Context) error {
			return err1(s.AccountRecords(c, g.AccountID(g.Accounts/2), store.RecordPaystub))
		}},
		{"user reports by user", []string{"user_id"}, func(c context.Context) error { return err1(s.ListUserReports(c, sc, user, ps)) }},
		{"uploads by user", []string{"user_id"}, func(c context.Context) error {
			return err1(s.ListUploads(c, sc, store.UploadFilter{UserID: user}, ps))
		}},
		// All the deliveries are the one subscription's, so reading the
		// newest by id and checking the subscription is as good a plan.
		{"deliveries of a subscription", nil, func(c context.Context) error {
			return err1(s.Deliveries(c, g.Subscription, ps))
		}},
		{"webhook claim", []string{"next_attempt_at", "order_key"}, func(c context.Context) error {
			now := time.Now()
			_, _, ok, err := s.ClaimDelivery(c, now, now.Add(time.Minute))
			if err == nil && !ok {
				err = fmt.Errorf("nothing claimed from a backlog of %d", g.Deliveries/2)
			}
			return err
		}},
	}
	// Without statistics PostgreSQL's planner assumes every equality
	// condition keeps 0.5 % of the rows, so that the tenant's condition
	// alone looks as selective as the user's and it may search the tenant
	// index for one user's rows. It still must not scan or sort; with
	// statistics (after Optimize, which migrations and a 10-minute tick run,
	// and autovacuum) it must use the right index. SQLite must always.
	checkPlans(t, s, checks, postgres, !postgres)
	must(t, "Optimize", s.Optimize(c))
	stats := `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'verifications'`
	if postgres {
		stats = `SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = 'verifications'::regclass`
	}
	var n int
	must(t, "read statistics", db.QueryRowContext(c, stats).Scan(&n))
	if n <= 0 {
		t.Errorf("no statistics on verifications after Optimize (%s gave %d)", stats, n)
	}
	t.Run("after Optimize", func(t *testing.T) { checkPlans(t, s, checks, postgres, true) })
}

// loaded names the tables Grow fills.
var loaded = map[string]bool{"users": true, "verifications": true, "accounts": true, "account_records": true,
	"user_uploads": true, "user_reports": true, "webhook_events": true, "webhook_deliveries": true}

// checkPlans runs each check's call, explains the queries it ran and
// reports scans and sorts, and, if bounds, reads not bounded by the check's
// columns.
func checkPlans(t *testing.T, s *sqlstore.Store, checks []planCheck, postgres, bounds bool) {
	for _, ck := range checks {
		type query struct {
			q    string
			args []any
		}
		var seen []query
		s.TraceQueries(func(q string, args []any) { seen = append(seen, query{q, args}) })
		err := ck.call(t.Context())
		s.TraceQueries(nil)
		if err != nil {
			t.Errorf("%s: %v", ck.name, err)
			continue
		}
		if len(seen) == 0 {
			t.Errorf("%s: ran no traced query", ck.name)
			continue
		}
		bounded, plans := map[string]bool{}, ""
		for _, qa := range seen {
			plan, err := s.Explain(t.Context(), qa.q, qa.args...)
			if err != nil {
				t.Errorf("%s: explain: %v", ck.name, err)
				continue
			}
			plans += plan + "\n"
			var problems []string
			if postgres {
				problems = pgProblems(plan, bounded)
			} else {
				problems = sqliteProblems(plan, bounded)
			}
			for _, p := range problems {
				t.Errorf("%s: %s\nquery: %s\nplan:\n%s", ck.name, p, qa.q, plan)
			}
		}
		for _, col := range ck.bounds {
			if bounds && !bounded[col] {
				t.Errorf("%s: no index read is bounded by %s; plans:\n%s", ck.name, col, plans)
			}
		}
	}
}

// boundColumn finds the columns an index condition constrains, in
// SQLite's "(a=? AND b<?)" and PostgreSQL's "((a = $1) AND (b < $2))".
var boundColumn = regexp.MustCompile(`(\w+)\s*(?:=|<=|>=|<|>)`)

func addBounds(cond string, bounded map[string]bool) {
	for _, m := range boundColumn.FindAllStringSubmatch(cond, -1) {
		bounded[m[1]] = true
	}
}

// sqliteProblems reads EXPLAIN QUERY PLAN lines: a SCAN of a loaded table
// reads all of it (through its rows or an index), a temporary B-tree sorts.
// Scans under an alias are caught by the bounds their check requires.
func sqliteProblems(plan string, bounded map[string]bool) []string {
	var out []string
	for _, line := range strings.Split(plan, "\n") {
		switch {
		case strings.HasPrefix(line, "SCAN ") && loaded[strings.Fields(line)[1]]:
			out = append(out, "full scan: "+line)
		case strings.HasPrefix(line, "USE TEMP B-TREE"):
			out = append(out, "sort instead of index order: "+line)
		case strings.HasPrefix(line, "SEARCH "):
			if i := strings.Index(line, "("); i >= 0 {
				addBounds(line[i:], bounded)
			}
		}
	}
	return out
}

// pgNode is a node of PostgreSQL's JSON plan.
type pgNode struct {
	NodeType  string   `json:"Node Type"`
	Relation  string   `json:"Relation Name"`
	IndexCond string   `json:"Index Cond"`
	Plans     []pgNode `json:"Plans"`
}

// pgProblems reads EXPLAIN (FORMAT JSON): a Seq Scan of a loaded table
// reads all of it, a Sort sorts what the index should have given in order.
func pgProblems(plan string, bounded map[string]bool) []string {
	var top []struct{ Plan pgNode }
	if err := json.Unmarshal([]byte(plan), &top); err != nil || len(top) == 0 {
		return []string{fmt.Sprintf("unreadable plan: %v", err)}
	}
	var out []string
	var walk func(n pgNode)
	walk = func(n pgNode) {
		switch {
		case n.NodeType == "Seq Scan" && loaded[n.Relation]:
			out = append(out, "full scan of "+n.Relation)
		case n.NodeType == "Sort" || n.NodeType == "Incremental Sort":
			out = append(out, "sort instead of index order")
		}
		addBounds(n.IndexCond, bounded)
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(top[0].Plan)
	return out
}
