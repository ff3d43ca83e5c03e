package sandboxdata

import (
	"fmt"

	"verigate/internal/datasource"
)

// catalogEntry is one sandbox item before it gets its id.
type catalogEntry struct {
	name, kind            string
	status, statusDetails string
	mapping               string
	limitations           string
}

// entries is the sandbox catalog in popularity order; entry i gets the id
// item_00000000(i+1). Names are fictional.
var entries = []catalogEntry{
	{name: "Whole Goods", kind: datasource.KindEmployer, limitations: "First 5 digits of SSN obfuscated."},
	{name: "Bullseye", kind: datasource.KindEmployer},
	{name: "Triple", kind: datasource.KindPlatform, mapping: datasource.MappingMapped},
	{name: "GigAndGo", kind: datasource.KindGig},
	{name: "Café Riviera Foods", kind: datasource.KindEmployer},
	{name: "Müller Logistics", kind: datasource.KindEmployer},
	{name: "Ledgerline Payroll", kind: datasource.KindPlatform},
	{name: "Mart Foods", kind: datasource.KindEmployer},
	{name: "Smartway Hardware", kind: datasource.KindEmployer},
	{name: "Jalapeño Express", kind: datasource.KindEmployer},
	{name: "Élan Hotels & Resorts", kind: datasource.KindEmployer},
	{name: "Harbor & Pine Staffing", kind: datasource.KindEmployer},
	{name: "Northgate Health Partners", kind: datasource.KindEmployer},
	{name: "RideLoop", kind: datasource.KindGig},
	{name: "DashCrate Delivery", kind: datasource.KindGig},
	{name: "Brightwell Pharmacy", kind: datasource.KindEmployer},
	{name: "Summit Ridge Bank", kind: datasource.KindEmployer},
	{name: "Bluefin Seafood Markets", kind: datasource.KindEmployer},
	{name: "Copperleaf Payroll Services", kind: datasource.KindPlatform},
	{name: "Evergreen School District", kind: datasource.KindEmployer},
	{name: "Ironclad Manufacturing", kind: datasource.KindEmployer},
	{name: "Lakeside Medical Center", kind: datasource.KindEmployer},
	{name: "Maple Street Grocers", kind: datasource.KindEmployer},
	{name: "Orbitline Airways", kind: datasource.KindEmployer},
	{name: "Pioneer Freightways", kind: datasource.KindEmployer},
	{name: "Quillfeather Books", kind: datasource.KindEmployer},
	{name: "Redstone Construction", kind: datasource.KindEmployer},
	{name: "Silverline Transit", kind: datasource.KindEmployer},
	{name: "Tidewater Energy", kind: datasource.KindEmployer},
	{name: "Union Square Fitness", kind: datasource.KindEmployer},
	{name: "Vantage Point Security", kind: datasource.KindEmployer},
	{name: "Willow Creek Senior Living", kind: datasource.KindEmployer},
	{name: "Yellowfinch Cafés", kind: datasource.KindEmployer},
	{name: "Zephyr Outdoor Co.", kind: datasource.KindEmployer},
	{name: "TaskHive", kind: datasource.KindGig},
	{name: "Timberline Workforce Cloud", kind: datasource.KindPlatform},
	{name: "Renée's Home Care", kind: datasource.KindEmployer},
	{name: "São Miguel Coffee Roasters", kind: datasource.KindEmployer},
	{name: "Åsgard Outfitters", kind: datasource.KindEmployer},
	{name: "Kinderhook Childcare", kind: datasource.KindEmployer},
	{name: "Granite Crest Insurance", kind: datasource.KindEmployer},
	{name: "Hollowbrook Farms", kind: datasource.KindEmployer},
	{name: "Lumenfield Labs", kind: datasource.KindEmployer},
	{name: "Martinez Landscaping", kind: datasource.KindEmployer},
	{name: "Corner Mart Stores", kind: datasource.KindEmployer},
	{name: "Valuemart Stores", kind: datasource.KindEmployer},
	{name: "Oakhaven Property Management", kind: datasource.KindEmployer},
	{name: "Parkside Veterinary Clinics", kind: datasource.KindEmployer},
	{name: "Riverbend Casino & Hotel", kind: datasource.KindEmployer, status: datasource.StatusIssues,
		statusDetails: "Connections are slower than usual; data refreshes may be delayed."},
	{name: "Starlight Cinemas", kind: datasource.KindEmployer},
	{name: "Tandem Couriers", kind: datasource.KindGig},
	{name: "Uptown Pizza Co.", kind: datasource.KindEmployer},
	{name: "Valleyview Hospital", kind: datasource.KindEmployer},
	{name: "Westbrook University", kind: datasource.KindEmployer},
	{name: "SparkShift", kind: datasource.KindGig},
	{name: "Brightpath Charter Schools", kind: datasource.KindEmployer, mapping: datasource.MappingMapped},
	{name: "Sandbox State Benefits", kind: datasource.KindBenefits},
	{name: "Keystone Payroll Bureau", kind: datasource.KindPlatform, status: datasource.StatusUnavailable,
		statusDetails: "The Item is down due to scheduled maintenance but should be back shortly."},
}

// clientEmployers are the businesses a payroll platform item pays, used for
// the second employment of a user connected through a platform.
var clientEmployers = []string{
	"Cedar Hollow Dental Group",
	"Bayside Auto Repair",
	"Fairmont Event Rentals",
	"Greenline Cleaning Services",
	"Highland Bakery & Deli",
	"Prairie Wind Architects",
}

func itemID(n int) string { return fmt.Sprintf("item_%09d", n) }

var catalog = newCatalog()

// PayrollCatalog returns the sandbox payroll items, item_000000001 onwards.
func PayrollCatalog() datasource.Catalog { return catalog }

func newCatalog() *datasource.StaticCatalog {
	items := make([]datasource.Item, len(entries))
	for i, e := range entries {
		it := datasource.Item{
			ID:               itemID(i + 1),
			Name:             e.name,
			Kind:             e.kind,
			KnownLimitations: e.limitations,
			Status:           e.status,
			StatusDetails:    e.statusDetails,
			MappingStatus:    e.mapping,
			Features:         features(),
		}
		if it.Status == "" {
			it.Status = datasource.StatusHealthy
		}
		if it.MappingStatus == "" {
			it.MappingStatus = datasource.MappingVerified
		}
		items[i] = it
	}
	return datasource.NewStaticCatalog(items)
}

// features describes what every sandbox item returns.
func features() *datasource.ItemFeatures {
	yes := datasource.FieldSupport{Supported: true}
	no := datasource.FieldSupport{Supported: false}
	set := func(fields ...string) map[string]datasource.FieldSupport {
		m := make(map[string]datasource.FieldSupport, len(fields))
		for _, f := range fields {
			m[f] = yes
		}
		return m
	}
	f := &datasource.ItemFeatures{
		DataRetrieval: datasource.DataRetrieval{RefreshFrequency: "24h"},
		FieldCoverage: map[string]map[string]datasource.FieldSupport{
			"identities": set("first_name", "last_name", "full_name", "birth_date", "email",
				"phone_number", "ssn", "address", "employment_status", "employment_type", "job_title",
				"hire_date", "original_hire_date", "termination_date", "base_pay", "pay_cycle"),
			"paystubs": set("paystub_date", "paystub_period", "gross_pay", "net_pay", "taxes",
				"deductions", "hours", "gross_pay_ytd", "net_pay_ytd", "hours_ytd", "tax_list",
				"deduction_list", "gross_pay_list", "filing_status"),
			"payroll_documents": set("document_type", "available_date", "ocr_data"),
			"shifts":            {"...": no},
			"gigs":              {"...": no},
			"vehicles":          {"...": no},
			"ratings":           {"...": no},
		},
	}
	return f
}
