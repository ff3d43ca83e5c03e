package banksandbox

import (
	"fmt"
	"strings"

	"verigate/internal/datasource"
)

// institutionEntry is one sandbox institution before it gets its id.
type institutionEntry struct {
	name        string
	creditUnion bool
	city, st    string
	zip, tz     string
	color       string
	status      string // datasource.Institution*; empty means online
	noVOI       bool   // not eligible for income reports
	oauth       bool
}

// institutionEntries is the sandbox institution catalog in popularity order;
// entry i gets the id ins_00000000(i+1). All names are fictional.
var institutionEntries = []institutionEntry{
	{name: "Harborview National Bank", city: "New York", st: "NY", zip: "10004", tz: "America/New_York", color: "#0B3D91"},
	{name: "Prairie State Bank & Trust", city: "Springfield", st: "IL", zip: "62701", tz: "America/Chicago", color: "#2E7D32"},
	{name: "Redwood Federal Credit Union", creditUnion: true, city: "Santa Rosa", st: "CA", zip: "95401", tz: "America/Los_Angeles", color: "#8B1E1E"},
	{name: "Liberty Bell Community Bank", city: "Philadelphia", st: "PA", zip: "19106", tz: "America/New_York", color: "#1F4E79"},
	{name: "Front Range Federal Credit Union", creditUnion: true, city: "Denver", st: "CO", zip: "80202", tz: "America/Denver", color: "#00695C", oauth: true},
	{name: "Empire Avenue Bank", city: "New York", st: "NY", zip: "10017", tz: "America/New_York", color: "#37474F"},
	{name: "Banco Río Azul", city: "San Antonio", st: "TX", zip: "78205", tz: "America/Chicago", color: "#0277BD"},
	{name: "Granite Peak Credit Union", creditUnion: true, city: "Salt Lake City", st: "UT", zip: "84111", tz: "America/Denver", color: "#5D4037"},
	{name: "Crescent City Savings Bank", city: "New Orleans", st: "LA", zip: "70112", tz: "America/Chicago", color: "#6A1B9A"},
	{name: "Crédit Acadien Bank", city: "Lafayette", st: "LA", zip: "70501", tz: "America/Chicago", color: "#C62828"},
	{name: "Bluestem Community Bank", city: "Wichita", st: "KS", zip: "67202", tz: "America/Chicago", color: "#1565C0"},
	{name: "Lakeshore Federal Savings", city: "Cleveland", st: "OH", zip: "44114", tz: "America/New_York", color: "#00838F", noVOI: true},
	{name: "Northstar Teachers Credit Union", creditUnion: true, city: "Minneapolis", st: "MN", zip: "55401", tz: "America/Chicago", color: "#283593"},
	{name: "Mesa Verde Credit Union", creditUnion: true, city: "Albuquerque", st: "NM", zip: "87102", tz: "America/Denver", color: "#BF360C"},
	{name: "Caisse Populaire Sainte-Émilie", creditUnion: true, city: "Manchester", st: "NH", zip: "03101", tz: "America/New_York", color: "#004D40"},
	{name: "Ironwood Trust Company", city: "Pittsburgh", st: "PA", zip: "15222", tz: "America/New_York", color: "#424242", noVOI: true},
	{name: "Pinecrest Bank", city: "Portland", st: "OR", zip: "97204", tz: "America/Los_Angeles", color: "#2E7D32", oauth: true},
	{name: "Old Mill Savings & Loan", city: "Lowell", st: "MA", zip: "01852", tz: "America/New_York", color: "#795548"},
	{name: "Sunbelt Heritage Bank", city: "Phoenix", st: "AZ", zip: "85004", tz: "America/Phoenix", color: "#F57F17"},
	{name: "Coöperative Farmers Credit Union", creditUnion: true, city: "Des Moines", st: "IA", zip: "50309", tz: "America/Chicago", color: "#558B2F"},
	{name: "Chesapeake Shoals Bank", city: "Annapolis", st: "MD", zip: "21401", tz: "America/New_York", color: "#01579B"},
	{name: "Magnolia Trust Bank", city: "Jackson", st: "MS", zip: "39201", tz: "America/Chicago", color: "#AD1457"},
	{name: "Silver Creek Online Bank", city: "Reno", st: "NV", zip: "89501", tz: "America/Los_Angeles", color: "#546E7A",
		status: datasource.InstitutionDegraded, oauth: true},
	{name: "Meridian Digital Bank", city: "Charlotte", st: "NC", zip: "28202", tz: "America/New_York", color: "#4527A0",
		status: datasource.InstitutionOffline},
}

func institutionID(n int) string { return fmt.Sprintf("ins_%09d", n) }

var institutions = newInstitutions()

func newInstitutions() *datasource.InstitutionCatalog {
	list := make([]datasource.Institution, len(institutionEntries))
	for i, e := range institutionEntries {
		id := institutionID(i + 1)
		slug := strings.ReplaceAll(datasource.Fold(e.name), " ", "")
		status := e.status
		if status == "" {
			status = datasource.InstitutionOnline
		}
		kind, class := "Banking", "banking"
		if e.creditUnion {
			kind = "Banking (Credit Union)"
		}
		oauth := 0
		if e.oauth {
			oauth = 1
		}
		list[i] = datasource.Institution{
			ID:                id,
			Name:              e.name,
			TransAgg:          true,
			ACH:               true,
			StateAgg:          i%3 != 2,
			VOI:               !e.noVOI,
			VOA:               true,
			AHA:               false,
			AvailBalance:      true,
			AccountOwner:      true,
			ChildInstitutions: []string{},
			InstitutionDetails: &datasource.InstitutionDetails{
				AccountTypeDescription: kind,
				Phone:                  fmt.Sprintf("1-800-555-%04d", 100+17*i),
				URLHomeApp:             "https://" + slug + ".example",
				URLLogonApp:            "https://" + slug + ".example/login",
				OAuthEnabled:           e.oauth,
				URLForgotPassword:      "https://" + slug + ".example/login/forgot",
				SpecialText:            "Please enter your " + e.name + " online banking username and password.",
				TimeZone:               e.tz,
				SpecialInstructions:    []string{},
				Address: datasource.InstitutionAddress{
					City: e.city, State: e.st, Country: "USA", PostalCode: e.zip,
					AddressLine1: fmt.Sprintf("%d Main St", 100+37*i),
				},
				Currency:         "USD",
				Email:            "support@" + slug + ".example",
				Status:           status,
				Branding:         datasource.InstitutionBranding{PrimaryColor: e.color},
				OAuthInstitution: oauth,
				Class:            class,
			},
		}
	}
	return datasource.NewInstitutionCatalog(list)
}
