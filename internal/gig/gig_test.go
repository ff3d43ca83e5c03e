package gig

import (
	"strings"
	"testing"
	"time"

	"verigate/internal/store"
)

func TestRenderChecksKindAndFillsLists(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	rec := store.AccountRecord{ID: "r", AccountID: "a", Kind: store.RecordShift, Data: []byte(`{"id":"src","hours":"7.2"}`), CreatedAt: now, UpdatedAt: now}
	if _, err := RenderGig(rec); err == nil || !strings.Contains(err.Error(), "not a gig") {
		t.Errorf("a shift record renders as a gig: %v", err)
	}
	s, err := RenderShift(rec)
	if err != nil || s.ID != "r" || s.Account != "a" || s.Hours != "7.2" || s.Times.Breaks == nil || s.Metadata == nil ||
		s.CreatedAt != "2025-06-01T12:00:00.000Z" {
		t.Errorf("shift %+v, %v", s, err)
	}
	rec.Kind, rec.Data = store.RecordGig, []byte(`{"id":"src"}`)
	g, err := RenderGig(rec)
	if err != nil || g.ID != "r" || g.TaskDetails.Events == nil || g.TaskDetails.Orders == nil || g.Times.Breaks == nil {
		t.Errorf("gig %+v, %v", g, err)
	}
	rec.Kind, rec.Data = store.RecordRating, []byte(`not json`)
	if _, err := RenderRating(rec); err == nil {
		t.Error("a broken record renders")
	}
}
