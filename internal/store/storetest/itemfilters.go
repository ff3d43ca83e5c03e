package storetest

import (
	"encoding/json"
	"testing"

	"verigate/internal/store"
	"verigate/internal/store/sqlstore"
)

// itemFilterTests cover the tenants' item filters.
var itemFilterTests = []storeTest{
	{"ItemFilterLifecycle", testItemFilterLifecycle},
}

func testItemFilterLifecycle(t *testing.T, s *sqlstore.Store) {
	a, b := newTenant(t, s, "Acme"), newTenant(t, s, "Other")
	sc := a.scope(store.Sandbox)
	var fs []store.ItemFilter
	for i := range 3 {
		f := store.ItemFilter{ID: store.NewID(), PartnerID: a.Partner.ID, Environment: store.Sandbox, Name: "Zoë's filter",
			Filters: json.RawMessage(`{"status":{"eq":"healthy"}}`), CreatedAt: at(i), UpdatedAt: at(i)}
		must(t, "CreateItemFilter", s.CreateItemFilter(ctx(t), f))
		f.CreatedAt, f.UpdatedAt, f.Version = stored(f.CreatedAt), stored(f.UpdatedAt), 1
		fs = append(fs, f)
	}
	got, err := s.ItemFilter(ctx(t), sc, fs[0].ID)
	must(t, "ItemFilter", err)
	mustEqual(t, "ItemFilter", fs[0], got)
	for _, other := range []store.Scope{b.scope(store.Sandbox), a.scope(store.Production)} {
		_, err = s.ItemFilter(ctx(t), other, fs[0].ID)
		mustErr(t, "ItemFilter out of scope", err, store.ErrNotFound)
		mustErr(t, "DeleteItemFilter out of scope", s.DeleteItemFilter(ctx(t), other, fs[0].ID), store.ErrNotFound)
		list, err := s.ListItemFilters(ctx(t), other, store.Page{Limit: 10})
		must(t, "ListItemFilters out of scope", err)
		if len(list) != 0 {
			t.Errorf("another tenant lists %d filters", len(list))
		}
	}
	list, err := s.ListItemFilters(ctx(t), sc, store.Page{Limit: 2})
	must(t, "ListItemFilters", err)
	mustEqual(t, "ListItemFilters", []store.ItemFilter{fs[2], fs[1]}, list)
	list, err = s.ListItemFilters(ctx(t), sc, store.Page{Limit: 2, After: fs[1].ID})
	must(t, "ListItemFilters after", err)
	mustEqual(t, "ListItemFilters after", []store.ItemFilter{fs[0]}, list)

	upd := got
	upd.Name, upd.Filters, upd.UpdatedAt = "renamed", json.RawMessage(`{}`), at(9)
	must(t, "UpdateItemFilter", s.UpdateItemFilter(ctx(t), upd))
	mustErr(t, "UpdateItemFilter stale", s.UpdateItemFilter(ctx(t), upd), store.ErrConflict)
	foreign := upd
	foreign.PartnerID, foreign.Version = b.Partner.ID, 2
	mustErr(t, "UpdateItemFilter of another tenant", s.UpdateItemFilter(ctx(t), foreign), store.ErrConflict)
	got, err = s.ItemFilter(ctx(t), sc, fs[0].ID)
	must(t, "ItemFilter after update", err)
	want := upd
	want.UpdatedAt, want.Version = stored(upd.UpdatedAt), 2
	mustEqual(t, "ItemFilter after update", want, got)

	must(t, "DeleteItemFilter", s.DeleteItemFilter(ctx(t), sc, fs[0].ID))
	mustErr(t, "DeleteItemFilter again", s.DeleteItemFilter(ctx(t), sc, fs[0].ID), store.ErrNotFound)
	_, err = s.ItemFilter(ctx(t), sc, fs[0].ID)
	mustErr(t, "ItemFilter deleted", err, store.ErrNotFound)
	list, err = s.ListItemFilters(ctx(t), sc, store.Page{Limit: 10})
	must(t, "ListItemFilters after delete", err)
	mustEqual(t, "ListItemFilters after delete", []store.ItemFilter{fs[2], fs[1]}, list)
}
