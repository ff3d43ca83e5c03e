package api_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/linkflow"
	"verigate/internal/partner"
	"verigate/internal/verification"
)

// TestCorrectCodeSurvivesConcurrentChanges: a correct MFA code entered
// while the partner updates the verification over and over connects the
// account every time; it is never answered "busy" and lost.
func TestCorrectCodeSurvivesConcurrentChanges(t *testing.T) {
	dbURL, _ := fuzzDB(t)
	e := newEnvOn(t, dbURL)
	k := e.A
	ctx := context.Background()
	p := partner.Principal{PartnerID: k.Partner, ClientID: k.Client, Environment: k.Env}
	for trial := range 5 {
		user := e.createUser(t, k, nil)
		v := e.orderID(t, k, user, "voie")
		link := e.ok(t, k, "POST", "/partners/v2/sessions", map[string]any{"verification": v})["link"].(string)
		claims, err := e.app.Sessions.Open(link[strings.LastIndex(link, "/")+1:])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Flow.Open(ctx, claims); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Flow.Select(ctx, claims, "item_000000001"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Flow.SignIn(ctx, claims, datasource.Credentials{Username: "test_1", Password: sandboxdata.PasswordGood}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 20 {
			wg.Go(func() {
				<-start
				var in verification.UpdateInput
				in.Loan.Set, in.Loan.V.Number.Set, in.Loan.V.Number.V = true, true, "L-"+v[:8]
				e.app.Verifs.Update(ctx, p, v, in)
			})
		}
		var st linkflow.State
		wg.Go(func() {
			<-start
			st, err = e.app.Flow.Verify(ctx, claims, "8081")
		})
		close(start)
		wg.Wait()
		if err != nil || st.Session.AccountID == "" {
			t.Fatalf("trial %d: the correct code gave %v (stage %q)", trial, err, st.Session.Stage)
		}
	}
}
