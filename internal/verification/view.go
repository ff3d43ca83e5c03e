package verification

import (
	"encoding/json"

	"verigate/internal/partner"
	"verigate/internal/store"
)

// View is a verification in the contract's PartnerVerification shape.
type View struct {
	ID          string          `json:"id"`
	User        string          `json:"user"`
	Client      string          `json:"client"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
	Channel     string          `json:"channel"`
	Status      StatusView      `json:"status"`
	Report      ReportView      `json:"report"`
	Employments json.RawMessage `json:"employments"`
	Loan        json.RawMessage `json:"loan"`
	Billing     json.RawMessage `json:"billing"`
	DataSource  string          `json:"data_source"`
}

// StatusView is the status part of a View.
type StatusView struct {
	State  string          `json:"state"`
	Code   string          `json:"code"`
	Errors json.RawMessage `json:"errors"`
}

// ReportView is the report part of a View.
type ReportView struct {
	ID            *string         `json:"id"`
	Type          string          `json:"type"`
	FileURL       *string         `json:"file_url"`
	JSONURL       *string         `json:"json_url"`
	Configuration json.RawMessage `json:"configuration,omitempty"`
}

func orJSON(b json.RawMessage, def string) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage(def)
	}
	return b
}

// Render turns a stored verification into its View.
func Render(r store.Verification) View {
	return View{
		ID: r.ID, User: r.UserID, Client: r.ClientID,
		CreatedAt: r.CreatedAt.UTC().Format(partner.TimeFormat), UpdatedAt: r.UpdatedAt.UTC().Format(partner.TimeFormat),
		Channel: r.Channel,
		Status:  StatusView{State: r.State, Code: r.Code, Errors: orJSON(r.Errors, "[]")},
		Report: ReportView{ID: r.ReportID, Type: r.ReportType, FileURL: r.FileURL, JSONURL: r.JSONURL,
			Configuration: r.ReportConfiguration},
		Employments: orJSON(r.Employments, "[]"), Loan: orJSON(r.Loan, "{}"), Billing: orJSON(r.Billing, "{}"),
		DataSource: r.DataSource,
	}
}
