package datasource

// Environments a [Registry] tells apart: the environments of API keys and
// of everything they create.
const (
	// EnvSandbox is the environment of sandbox keys, served by test data.
	EnvSandbox = "sandbox"
	// EnvProduction is the environment of production keys, served by real providers only.
	EnvProduction = "production"
)

// Registry picks the connector that serves a data source ("payroll",
// "banking") for tenants of an environment, so that sandbox data never
// reaches a production tenant and production connectors never serve a
// sandbox one. The zero Registry serves nothing.
type Registry struct {
	// Sandbox serves sandbox tenants, by data source.
	Sandbox map[string]Connector
	// Production serves production tenants, by data source; a data source without an entry is not served in production.
	Production map[string]Connector
}

// For returns the connector serving dataSource in env; ok is false when
// none is configured there or env is neither EnvSandbox nor EnvProduction.
func (r Registry) For(env, dataSource string) (c Connector, ok bool) {
	var m map[string]Connector
	switch env {
	case EnvSandbox:
		m = r.Sandbox
	case EnvProduction:
		m = r.Production
	}
	c, ok = m[dataSource]
	return c, ok && c != nil
}
