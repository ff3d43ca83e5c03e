package api

import (
	"encoding/json"
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
	writeJSON(w, http.StatusOK, a.verificationOut(r, out))
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
	writeJSON(w, http.StatusOK, a.verificationOut(r, out))
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
	writeJSON(w, http.StatusOK, a.verificationOut(r, out))
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
	writeJSON(w, http.StatusOK, a.verificationOut(r, out))
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
	writeJSON(w, http.StatusOK, a.verificationOut(r, out))
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
	if surfaceOf(r) == v2 {
		list := listPage[clientVerification]{Next: out.Next, Previous: out.Previous, Results: make([]clientVerification, 0, len(out.Results))}
		for _, v := range out.Results {
			list.Results = append(list.Results, a.clientVerification(v))
		}
		writeJSON(w, http.StatusOK, list)
		return nil
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// verificationOut presents a verification on the surface r came in on: the
// Partners v2 PartnerVerification, or the /v2 ClientVerification.
func (a *API) verificationOut(r *http.Request, v verification.View) any {
	if surfaceOf(r) == v2 {
		return a.clientVerification(v)
	}
	return v
}

// clientVerification is a verification in the /v2 document's
// ClientVerification shape: PartnerVerification without client, with the
// report's URLs on /v2.
type clientVerification struct {
	ID          string                  `json:"id"`
	User        string                  `json:"user"`
	CreatedAt   string                  `json:"created_at"`
	UpdatedAt   string                  `json:"updated_at"`
	Channel     string                  `json:"channel"`
	Status      verification.StatusView `json:"status"`
	Report      verification.ReportView `json:"report"`
	Employments json.RawMessage         `json:"employments"`
	Loan        json.RawMessage         `json:"loan"`
	Billing     json.RawMessage         `json:"billing"`
	DataSource  string                  `json:"data_source"`
}

func (a *API) clientVerification(v verification.View) clientVerification {
	rep := v.Report
	if rep.ID != nil && rep.FileURL != nil {
		ref := a.Reports.RefOn(*rep.ID, v2.prefix)
		rep.FileURL, rep.JSONURL = &ref.FileURL, &ref.JSONURL
	}
	return clientVerification{ID: v.ID, User: v.User, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Channel: v.Channel,
		Status: v.Status, Report: rep, Employments: v.Employments, Loan: v.Loan, Billing: v.Billing, DataSource: v.DataSource}
}
