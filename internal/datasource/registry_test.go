package datasource

import (
	"context"
	"testing"
)

// named is a connector told apart by its name.
type named string

func (named) Catalog() Catalog { return NewStaticCatalog(nil) }
func (named) SignIn(context.Context, string, Credentials) (SignInResult, error) {
	return SignInResult{}, ErrInvalidCredentials
}
func (named) Verify(context.Context, Challenge, string) (Connection, error) {
	return Connection{}, ErrInvalidCode
}
func (named) Aggregate(context.Context, Connection) (Data, error) { return Data{}, ErrReauthRequired }

func TestRegistryFor(t *testing.T) {
	r := Registry{
		Sandbox:    map[string]Connector{"payroll": named("sandbox payroll"), "banking": named("sandbox bank")},
		Production: map[string]Connector{"payroll": named("production payroll"), "banking": nil},
	}
	for _, tc := range []struct {
		env, ds string
		want    Connector
	}{
		{EnvSandbox, "payroll", named("sandbox payroll")},
		{EnvSandbox, "banking", named("sandbox bank")},
		{EnvProduction, "payroll", named("production payroll")},
		{EnvProduction, "banking", nil}, // a nil entry serves nothing
		{EnvProduction, "documents", nil},
		{"", "payroll", nil},
		{"Sandbox", "payroll", nil},
	} {
		c, ok := r.For(tc.env, tc.ds)
		if c != tc.want || ok != (tc.want != nil) {
			t.Errorf("For(%q, %q) = %v, %v; want %v", tc.env, tc.ds, c, ok, tc.want)
		}
	}
	if c, ok := (Registry{}).For(EnvSandbox, "payroll"); ok || c != nil {
		t.Errorf("the zero Registry serves %v", c)
	}
}
