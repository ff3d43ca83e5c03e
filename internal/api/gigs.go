package api

import (
	"net/http"

	"verigate/internal/gig"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Gigs of connected gig accounts (/v2), newest start first.

func (a *API) listGigs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	knownParams(errs, r, "account", "user", "from_start_datetime", "to_start_datetime")
	f := store.RecordFilter{
		AccountID: uuidParam(errs, q, "account", false),
		UserID:    uuidParam(errs, q, "user", false),
		FromDate:  dateTimeBound(errs, q, "from_start_datetime", true),
		ToDate:    dateTimeBound(errs, q, "to_start_datetime", false),
	}
	return listRecords(a, w, r, store.RecordGig, f, errs, marshalView(gig.RenderGig))
}

func (a *API) getGig(w http.ResponseWriter, r *http.Request) error {
	return getRecord(a, w, r, store.RecordGig, gig.RenderGig)
}
