package api

import (
	"net/http"
	"strings"

	"verigate/internal/store"
	"verigate/internal/validate"
	"verigate/internal/verification"
)

func (a *API) orderVerification(w http.ResponseWriter, r *http.Request) error {
	var in verification.OrderInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Verifications.Order(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) refreshVerification(w http.ResponseWriter, r *http.Request) error {
	var in verification.OrderInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Verifications.Refresh(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getVerification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.Verifications.Get(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) updateVerification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in verification.UpdateInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := a.Verifications.Update(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) cancelVerification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := a.Verifications.Cancel(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listVerifications(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	errs := validate.Errors{}
	f := store.VerificationFilter{
		State:      enumParam(errs, q, "status_state", verification.States),
		Code:       enumParam(errs, q, "status_code", verification.Codes),
		ReportType: enumParam(errs, q, "report_type", verification.ReportTypeNames),
		LoanNumber: q.Get("loan_number"),
	}
	if u := q.Get("user"); u != "" {
		if !validate.IsUUID(u) {
			errs.Add("user", validate.MsgUUID)
		}
		f.UserID = strings.ToLower(u)
	}
	page := pageParams(errs, q)
	if err := errs.Err(); err != nil {
		return err
	}
	limit := page.Limit
	page.Limit++ // one more tells whether another page exists
	rows, err := a.Verifications.List(r.Context(), principal(r), f, page)
	if err != nil {
		return err
	}
	out := paginate(a, r, page, limit, rows, func(v verification.View) string { return v.ID })
	writeJSON(w, http.StatusOK, out)
	return nil
}
