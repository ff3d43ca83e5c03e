package api

import (
	"net/http"

	"verigate/internal/gig"
	"verigate/internal/store"
	"verigate/internal/validate"
)

// Vehicles of connected gig accounts (/v2).

func (a *API) listVehicles(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	knownParams(errs, r, "account", "user")
	f := store.RecordFilter{
		AccountID: uuidParam(errs, q, "account", false),
		UserID:    uuidParam(errs, q, "user", false),
	}
	return listRecords(a, w, r, store.RecordVehicle, f, errs, marshalView(gig.RenderVehicle))
}

func (a *API) getVehicle(w http.ResponseWriter, r *http.Request) error {
	return getRecord(a, w, r, store.RecordVehicle, gig.RenderVehicle)
}
