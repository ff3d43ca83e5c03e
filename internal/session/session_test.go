package session

import (
	"reflect"
	"testing"
	"time"

	"verigate/internal/store"
	"verigate/internal/token"
	v "verigate/internal/validate"
	"verigate/internal/verification"
)

func newService(t *testing.T, now time.Time) *Service {
	t.Helper()
	sealer, err := token.NewSealer(make([]byte, token.KeySize), "session")
	if err != nil {
		t.Fatal(err)
	}
	return &Service{Sealer: sealer, Now: func() time.Time { return now }}
}

func ptr[T any](v T) *T { return &v }

// TestClaimsRoundTrip seals claims with every configuration field set, and
// with none, and opens them unchanged.
func TestClaimsRoundTrip(t *testing.T) {
	now := time.UnixMilli(1_760_000_000_000)
	s := newService(t, now)
	full := Claims{SessionID: "sid", VerificationID: "01a213cf-bfec-740f-a0f1-b0cf61f41846", PartnerID: "p1",
		Environment: store.Sandbox, DataSource: "payroll", CreatedAt: now.UnixMilli(),
		Configuration: Configuration{Experience: ptr("e"), SingleUseURL: true, RedirectURL: ptr("https://example.com/r"),
			FlowID: ptr("12ABCD3E"), Items: ptr([]string{}), Language: ptr("ES"), MobileApp: ptr(false)}}
	bare := Claims{SessionID: "sid", UserID: "u1", PartnerID: "p1", Environment: store.Production,
		DataSource: "banking", CreatedAt: now.UnixMilli()}
	for _, c := range []Claims{full, bare} {
		tok, err := s.Seal(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Open(tok)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("opened %+v, sealed %+v", got, c)
		}
	}
}

// TestOpenEarlierForm opens a link sealed with the configuration whole under
// "c", as links were sealed before the short form, and finds the short
// form shorter.
func TestOpenEarlierForm(t *testing.T) {
	now := time.UnixMilli(1_760_000_000_000)
	s := newService(t, now)
	cfg := Configuration{RedirectURL: ptr("https://your-application.com/return"), FlowID: ptr("12ABCD3E"),
		Items: ptr([]string{"item_000000001", "item_000000002"}), Language: ptr("EN"), MobileApp: ptr(true)}
	earlier := map[string]any{"s": "sid", "v": "01a213cf-bfec-740f-a0f1-b0cf61f41846", "p": "p1", "e": "sandbox",
		"d": "payroll", "t": now.UnixMilli(), "c": cfg}
	old, err := s.Sealer.Seal(earlier)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Open(old)
	if err != nil {
		t.Fatal(err)
	}
	want := Claims{SessionID: "sid", VerificationID: "01a213cf-bfec-740f-a0f1-b0cf61f41846", PartnerID: "p1",
		Environment: store.Sandbox, DataSource: "payroll", CreatedAt: now.UnixMilli(), Configuration: cfg}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("opened %+v, want %+v", got, want)
	}
	short, err := s.Seal(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(short) >= len(old) {
		t.Errorf("short form %d characters, earlier form %d", len(short), len(old))
	}
	t.Logf("link token: %d characters, %d before", len(short), len(old))
}

// TestFlowIDMustBeText: a flow_id that is not text (a NUL, invalid UTF-8),
// as a user link's query can carry, is refused on the field before any
// store is asked for the flow (PostgreSQL refuses such text with an error).
func TestFlowIDMustBeText(t *testing.T) {
	s := newService(t, time.Now())
	for _, id := range []string{"F\x001", "F\xff", "12ABCD3E"} {
		errs := v.Errors{}
		s.configuration(errs, v.Opt[ConfigurationInput]{Set: true, V: ConfigurationInput{FlowID: v.Opt[string]{Set: true, V: id}}},
			verification.Payroll, store.Sandbox)
		if got, refused := errs["configuration.flow_id"], id != "12ABCD3E"; (len(got) > 0) != refused {
			t.Errorf("flow_id %q: errors %v, want refused %v", id, errs, refused)
		}
	}
}
