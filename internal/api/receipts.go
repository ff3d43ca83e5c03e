package api

import (
	"net/http"
	"strconv"
	"strings"

	"verigate/internal/validate"
)

// receiptInput is the body of POST /receipts.
type receiptInput struct {
	User validate.Opt[string] `json:"user"`
}

func (a *API) createReceipt(w http.ResponseWriter, r *http.Request) error {
	var in receiptInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	errs := validate.Errors{}
	if validate.Required(errs, "user", in.User) && !validate.IsUUID(in.User.V) {
		errs.Add("user", validate.MsgUUID)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	b, err := a.Reports.Receipt(r.Context(), principal(r).Scope(), strings.ToLower(in.User.V))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="receipt.pdf"`)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}
