package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"modernc.org/sqlite"
)

// cachedStmts is how many statements a connection keeps prepared: the
// ones it ran last.
const cachedStmts = 64

// conn is what database/sql needs of a modernc.org/sqlite connection.
type conn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// stmt is what the cache needs of a prepared statement.
type stmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// connector opens connections that keep the statements they run prepared.
type connector struct {
	dsn string
}

// Connect opens a connection to the database of the connector's DSN.
func (c connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(conn)
	if !ok {
		dc.Close()
		return nil, errors.New("sqlite: the driver's connection lacks a method database/sql needs")
	}
	stmts, err := simplelru.NewLRU(cachedStmts, func(_ string, s *cachedStmt) { s.evict() })
	if err != nil {
		inner.Close()
		return nil, err
	}
	return &cachingConn{conn: inner, stmts: stmts}, nil
}

// Driver returns the SQLite driver.
func (connector) Driver() driver.Driver { return &sqlite.Driver{} }

// cachingConn keeps prepared the statements run through ExecContext and
// QueryContext, keyed by their text. database/sql hands a transaction's
// statements, and those of a pool it has not prepared, to these methods as
// text, which SQLite would otherwise parse and plan again each time; a
// batch of records saved in a transaction, for instance, repeats the same
// few statements.
type cachingConn struct {
	conn
	stmts *simplelru.LRU[string, *cachedStmt]
}

type cachedStmt struct {
	stmt
	// busy is set while rows read from the statement are open: a query
	// run again meanwhile is prepared on its own.
	busy bool
	// evicted is set when the statement left the cache while busy: the
	// rows close it.
	evicted bool
}

// evict closes a statement that left the cache, or has its rows close it.
func (s *cachedStmt) evict() {
	if s.busy {
		s.evicted = true
		return
	}
	s.stmt.Close()
}

// cached returns the connection's statement for query, preparing it once;
// nil means run query uncached (the statement is in use by open rows).
func (c *cachingConn) cached(ctx context.Context, query string) (*cachedStmt, error) {
	if s, ok := c.stmts.Get(query); ok {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	ds, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(stmt)
	if !ok {
		ds.Close()
		return nil, nil
	}
	s := &cachedStmt{stmt: st}
	c.stmts.Add(query, s)
	return s, nil
}

// drop forgets (and so closes) a statement that failed, so that the next
// run prepares it afresh.
func (c *cachingConn) drop(query string) {
	c.stmts.Remove(query)
}

// ExecContext runs query through its cached statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.conn.ExecContext(ctx, query, args)
	}
	res, err := s.ExecContext(ctx, args)
	if err != nil {
		c.drop(query)
	}
	return res, err
}

// QueryContext runs query through its cached statement.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.conn.QueryContext(ctx, query, args)
	}
	rows, err := s.QueryContext(ctx, args)
	if err != nil {
		c.drop(query)
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, stmt: s}, nil
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	c.stmts.Purge()
	return c.conn.Close()
}

// cachedRows frees its statement for the next run when closed.
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

// Close closes the rows, which resets the statement they were read from.
func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	if r.stmt.evicted {
		r.stmt.stmt.Close()
	}
	return err
}
