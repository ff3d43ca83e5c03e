package payrollsandbox

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/datasource/sandboxdata"
	"verigate/internal/value"
)

var asOf = time.Date(2025, time.November, 25, 15, 4, 5, 0, time.UTC)

func newTest() *Connector {
	c := New()
	c.Now = func() time.Time { return asOf }
	c.SlowDelay = 50 * time.Millisecond
	return c
}

func signIn(t *testing.T, c *Connector, item, login, password string) datasource.SignInResult {
	t.Helper()
	res, err := c.SignIn(context.Background(), item, datasource.Credentials{Username: login, Password: password})
	if err != nil {
		t.Fatalf("SignIn(%s, %s, %s): %v", item, login, password, err)
	}
	return res
}

// persist round-trips v through JSON as a web flow storing it would.
func persist[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSampleUsersSignIn(t *testing.T) {
	c := newTest()
	ctx := context.Background()
	users := sandboxdata.SampleUsers()
	if len(users) != 3 {
		t.Fatalf("%d sample users", len(users))
	}
	wantCodes := map[string]string{"test_1": "8081", "test_2": "8082", "test_3": "8083"}
	for _, u := range users {
		if u.Code != wantCodes[u.Username] || u.Password != "passgood" {
			t.Errorf("sample user %+v", u)
		}
		for _, login := range []string{u.Username, u.Email, strings.ToUpper(u.Email), " " + u.Email + " "} {
			res := signIn(t, c, "item_000000001", login, "passgood")
			if res.Challenge == nil || res.Connection != nil {
				t.Fatalf("%s: want only a challenge, got %+v", login, res)
			}
			ch := persist(t, *res.Challenge)
			if ch.ItemID != "item_000000001" || ch.Prompt == "" || ch.CodeLength != 4 || ch.Kind == "" {
				t.Errorf("%s: challenge %+v", login, ch)
			}
			if _, err := c.Verify(ctx, ch, "0000"); !errors.Is(err, datasource.ErrInvalidCode) {
				t.Errorf("%s: wrong code gave %v", login, err)
			}
			conn, err := c.Verify(ctx, ch, u.Code)
			if err != nil {
				t.Fatalf("%s: Verify: %v", login, err)
			}
			if conn.ItemID != "item_000000001" || conn.Source != "sandbox" || conn.Ref == "" {
				t.Errorf("%s: connection %+v", login, conn)
			}
			data, err := c.Aggregate(ctx, persist(t, conn))
			if err != nil {
				t.Fatalf("%s: Aggregate: %v", login, err)
			}
			if data.Identity.FullName != u.FullName || !strings.EqualFold(data.Identity.Email, u.Email) {
				t.Errorf("%s: identity %+v", login, data.Identity)
			}
		}
	}
	// Each user's code is their own.
	res := signIn(t, c, "item_000000001", "test_1", "passgood")
	if _, err := c.Verify(ctx, *res.Challenge, "8082"); !errors.Is(err, datasource.ErrInvalidCode) {
		t.Errorf("another user's code gave %v", err)
	}
}

func TestChallengeHints(t *testing.T) {
	c := newTest()
	want := map[string]datasource.Challenge{
		"test_1": {Kind: datasource.MFASMS, Destination: "***-***-0181"},
		"test_2": {Kind: datasource.MFAEmail, Destination: "t***2@argyle.com"},
		"test_3": {Kind: datasource.MFAAuthenticator},
	}
	for login, w := range want {
		ch := signIn(t, c, "item_000000004", login, "passgood").Challenge
		if ch.Kind != w.Kind || ch.Destination != w.Destination || (w.Destination != "" && !strings.Contains(ch.Prompt, w.Destination)) {
			t.Errorf("%s: challenge %+v", login, ch)
		}
	}
}

func TestSignInFailures(t *testing.T) {
	c := newTest()
	ctx := context.Background()
	for _, tc := range []struct {
		item, login, password string
		want                  error
	}{
		{"item_000000001", "test_1", "passbad", datasource.ErrInvalidCredentials},
		{"item_000000001", "test_1", "PASSGOOD", datasource.ErrInvalidCredentials},
		{"item_000000001", "test_9", "passgood", datasource.ErrInvalidCredentials},
		{"item_000000001", "", "", datasource.ErrInvalidCredentials},
		{"item_000000001", "test_2", "passlocked", datasource.ErrAccountLocked},
		{"item_000000001", "test3@argyle.com", "passunsupportedmfa", datasource.ErrUnsupportedMFA},
		{"item_000000001", "test_1", "passunavailable", datasource.ErrProviderUnavailable},
		{"item_123456789", "test_1", "passgood", datasource.ErrUnknownItem},
		{unavailableItem(t), "test_1", "passgood", datasource.ErrProviderUnavailable},
	} {
		res, err := c.SignIn(ctx, tc.item, datasource.Credentials{Username: tc.login, Password: tc.password})
		if !errors.Is(err, tc.want) || res.Challenge != nil || res.Connection != nil {
			t.Errorf("SignIn(%s, %q, %q) = %+v, %v; want %v", tc.item, tc.login, tc.password, res, err, tc.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.SignIn(cancelled, "item_000000001", datasource.Credentials{Username: "test_1", Password: "passgood"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled SignIn gave %v", err)
	}
}

func unavailableItem(t *testing.T) string {
	for _, it := range New().Catalog().Search("", 0, nil) {
		if it.Status == datasource.StatusUnavailable {
			return it.ID
		}
	}
	t.Fatal("no unavailable item")
	return ""
}

func TestMFATimeout(t *testing.T) {
	c := newTest()
	ch := signIn(t, c, "item_000000003", "test_2", "passmfatimeout").Challenge
	if ch == nil {
		t.Fatal("no challenge")
	}
	for _, code := range []string{"8082", "1111"} {
		if _, err := c.Verify(context.Background(), *ch, code); !errors.Is(err, datasource.ErrMFATimeout) {
			t.Errorf("Verify(%q) gave %v, want ErrMFATimeout", code, err)
		}
	}
}

func TestNoMFA(t *testing.T) {
	c := newTest()
	res := signIn(t, c, "item_000000002", "test_1", "passnomfa")
	if res.Challenge != nil || res.Connection == nil {
		t.Fatalf("SignIn = %+v", res)
	}
	if _, err := c.Aggregate(context.Background(), *res.Connection); err != nil {
		t.Fatal(err)
	}
}

func TestSlow(t *testing.T) {
	c := newTest()
	c.SlowDelay = 200 * time.Millisecond
	ch := signIn(t, c, "item_000000005", "test_3", "passslow").Challenge
	conn, err := c.Verify(context.Background(), *ch, "8083")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	data, err := c.Aggregate(context.Background(), conn)
	if err != nil || len(data.Paystubs) == 0 {
		t.Fatalf("Aggregate: %v", err)
	}
	if d := time.Since(start); d < c.SlowDelay {
		t.Errorf("slow Aggregate returned after %v, want at least %v", d, c.SlowDelay)
	}
	normal, _ := DataFor("test_3", "item_000000005", value.DateOf(asOf))
	if !reflect.DeepEqual(data, normal) {
		t.Error("slow data differs from normal data")
	}

	c.SlowDelay = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err := c.Aggregate(ctx, conn); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled Aggregate gave %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled Aggregate took %v", d)
	}
	if New().SlowDelay != 10*time.Second {
		t.Error("default SlowDelay is not 10s")
	}
}

func TestBadReferences(t *testing.T) {
	c := newTest()
	ctx := context.Background()
	ch := signIn(t, c, "item_000000001", "test_1", "passgood").Challenge
	// A challenge reference is not a connection.
	if _, err := c.Aggregate(ctx, datasource.Connection{Ref: ch.Ref, ItemID: ch.ItemID}); !errors.Is(err, datasource.ErrReauthRequired) {
		t.Errorf("Aggregate with a challenge ref gave %v", err)
	}
	for _, ref := range []string{"", "garbage", "sandbox:mfa:v1:test_9:item_000000001:normal",
		"sandbox:mfa:v1:test_1:item_999999999:normal", "sandbox:mfa:v1:test_1:item_000000001:weird"} {
		if _, err := c.Verify(ctx, datasource.Challenge{Ref: ref}, "8081"); !errors.Is(err, datasource.ErrReauthRequired) {
			t.Errorf("Verify(%q) gave %v", ref, err)
		}
	}
}

func TestDeterminism(t *testing.T) {
	c := newTest()
	ctx := context.Background()
	for _, u := range sandboxdata.SampleUsers() {
		for _, item := range []string{"item_000000001", "item_000000002", "item_000000003"} {
			ch := signIn(t, c, item, u.Username, "passgood").Challenge
			conn, err := c.Verify(ctx, *ch, u.Code)
			if err != nil {
				t.Fatal(err)
			}
			a, err := c.Aggregate(ctx, conn)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.Aggregate(ctx, conn)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s/%s: two aggregates differ", u.Username, item)
			}
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				t.Fatalf("%s/%s: JSON differs", u.Username, item)
			}
			// The e-mail login gives the same data.
			e, _ := DataFor(strings.ToUpper(u.Email), item, value.DateOf(asOf))
			if !reflect.DeepEqual(a, e) {
				t.Fatalf("%s/%s: e-mail login data differs", u.Username, item)
			}
		}
	}
	// Different items give different data.
	a, _ := DataFor("test_1", "item_000000001", value.DateOf(asOf))
	b, _ := DataFor("test_1", "item_000000002", value.DateOf(asOf))
	if a.Paystubs[0].GrossPay == b.Paystubs[0].GrossPay && a.Employments[0].Employer == b.Employments[0].Employer {
		t.Error("two items gave the same data")
	}
}

func TestAggregateUsesNowUTCDate(t *testing.T) {
	c := newTest()
	// 2025-11-25 22:00 in UTC-5 is already 2025-11-26 in UTC.
	c.Now = func() time.Time { return time.Date(2025, 11, 25, 22, 0, 0, 0, time.FixedZone("EST", -5*3600)) }
	res := signIn(t, c, "item_000000008", "test_3", "passnomfa")
	got, err := c.Aggregate(context.Background(), *res.Connection)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DataFor("test_3", "item_000000008", value.NewDate(2025, 11, 26))
	if !reflect.DeepEqual(got, want) {
		t.Error("Aggregate did not use the UTC date of Now")
	}
}
