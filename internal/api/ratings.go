package api

import (
	"net/http"

	"verigate/internal/gig"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Ratings of connected gig accounts (/v2): one per account.

func (a *API) listRatings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	knownParams(errs, r, "account", "user")
	f := store.RecordFilter{
		AccountID: uuidParam(errs, q, "account", false),
		UserID:    uuidParam(errs, q, "user", false),
	}
	return listRecords(a, w, r, store.RecordRating, f, errs, marshalView(gig.RenderRating))
}

func (a *API) getRating(w http.ResponseWriter, r *http.Request) error {
	return getRecord(a, w, r, store.RecordRating, gig.RenderRating)
}
