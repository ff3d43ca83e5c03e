package storetest

import (
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// customizationTests cover flow and experience customizations.
var customizationTests = []storeTest{
	{"Customizations", testCustomizations},
}

func testCustomizations(t *testing.T, s *sqlstore.Store) {
	a := newTenant(t, s, "Acme")
	b := newTenant(t, s, "Bank")
	sc := a.scope(store.Sandbox)
	flow := store.Customization{ID: "FLOW1", Kind: store.CustomizationFlow, PartnerID: a.Partner.ID, Environment: store.Sandbox,
		Name: "Main", BrandName: "Acme Lending", AccentColor: "#1f5eff", Intro: map[string]string{"EN": "Hello", "ZH": "你好"},
		Allowed: []string{"item_000000001"}, FrameOrigins: []string{"https://app.acme.example"}, Logo: "iVBORw0KGgo=", LogoType: "image/png",
		CreatedAt: at(1), UpdatedAt: at(1)}
	must(t, "CreateCustomization", s.CreateCustomization(ctx(t), flow))
	mustErr(t, "CreateCustomization again", s.CreateCustomization(ctx(t), flow), store.ErrDuplicate)
	// The same id is free in another kind, environment or tenant.
	exp := flow
	exp.Kind, exp.Allowed = store.CustomizationExperience, []string{}
	must(t, "CreateCustomization experience", s.CreateCustomization(ctx(t), exp))
	other := flow
	other.PartnerID = b.Partner.ID
	must(t, "CreateCustomization other partner", s.CreateCustomization(ctx(t), other))

	got, err := s.Customization(ctx(t), sc, store.CustomizationFlow, "FLOW1")
	must(t, "Customization", err)
	want := flow
	want.CreatedAt, want.UpdatedAt, want.Version = stored(flow.CreatedAt), stored(flow.UpdatedAt), 1
	mustEqual(t, "Customization", want, got)
	_, err = s.Customization(ctx(t), a.scope(store.Production), store.CustomizationFlow, "FLOW1")
	mustErr(t, "Customization in production", err, store.ErrNotFound)

	got.BrandName, got.Intro, got.UpdatedAt = "Acme", map[string]string{}, at(5)
	must(t, "UpdateCustomization", s.UpdateCustomization(ctx(t), got))
	mustErr(t, "UpdateCustomization stale", s.UpdateCustomization(ctx(t), got), store.ErrConflict)
	again, err := s.Customization(ctx(t), sc, store.CustomizationFlow, "FLOW1")
	must(t, "Customization after update", err)
	if again.BrandName != "Acme" || len(again.Intro) != 0 || again.Version != 2 {
		t.Fatalf("after update: %+v", again)
	}

	second := flow
	second.ID, second.CreatedAt, second.UpdatedAt = "FLOW2", at(9), at(9)
	must(t, "CreateCustomization second", s.CreateCustomization(ctx(t), second))
	list, err := s.Customizations(ctx(t), sc, store.CustomizationFlow)
	must(t, "Customizations", err)
	if len(list) != 2 || list[0].ID != "FLOW2" || list[1].ID != "FLOW1" {
		t.Fatalf("Customizations = %v", list)
	}
	must(t, "DeleteCustomization", s.DeleteCustomization(ctx(t), sc, store.CustomizationFlow, "FLOW1"))
	mustErr(t, "DeleteCustomization again", s.DeleteCustomization(ctx(t), sc, store.CustomizationFlow, "FLOW1"), store.ErrNotFound)
	_, err = s.Customization(ctx(t), b.scope(store.Sandbox), store.CustomizationFlow, "FLOW1")
	must(t, "other partner's flow survives", err)
}
