// Package gigsandbox is a deterministic, offline connector to gig platforms
// (rideshare and delivery), for developing and testing against verigate's
// gigs, shifts, ratings and vehicles without a real gig platform.
//
// The sample users and the special passwords are those of the payroll
// sandbox (package sandboxdata): the same logins, codes, MFA behaviour and
// failure scenarios. Aggregated data is generated from the user, the item
// and the as-of date only, so the same inputs always give identical data;
// a day's gigs do not depend on the as-of date, so a later aggregation keeps
// the ids of the gigs it repeats. docs/sandbox.md describes the data.
package gigsandbox

import (
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
)

// Source is the Connection.Source of gig sandbox connections.
const Source = "sandbox_gig"

// Connector is the gig sandbox connector; create it with [New]. Its fields
// (Now, SlowDelay) may be changed before first use, and it is then safe for
// concurrent use.
type Connector struct {
	sandboxdata.Connector
}

var _ datasource.Connector = (*Connector)(nil)

// New returns a gig sandbox connector using the real clock and sandboxdata.DefaultSlowDelay.
func New() *Connector {
	return &Connector{sandboxdata.Connector{Name: "gigsandbox", Source: Source, Items: catalog, Data: DataFor,
		Now: time.Now, SlowDelay: sandboxdata.DefaultSlowDelay}}
}
