package sandbox

import (
	"fmt"

	"verigate/internal/connector"
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
	{name: "Whole Goods", kind: connector.KindEmployer, limitations: "First 5 digits of SSN obfuscated."},
	{name: "Bullseye", kind: connector.KindEmployer},
	{name: "Triple", kind: connector.KindPlatform, mapping: connector.MappingMapped},
	{name: "GigAndGo", kind: connector.KindGig},
	{name: "Café Riviera Foods", kind: connector.KindEmployer},
	{name: "Müller Logistics", kind: connector.KindEmployer},
	{name: "Ledgerline Payroll", kind: connector.KindPlatform},
	{name: "Mart Foods", kind: connector.KindEmployer},
	{name: "Smartway Hardware", kind: connector.KindEmployer},
	{name: "Jalapeño Express", kind: connector.KindEmployer},
	{name: "Élan Hotels & Resorts", kind: connector.KindEmployer},
	{name: "Harbor & Pine Staffing", kind: connector.KindEmployer},
	{name: "Northgate Health Partners", kind: connector.KindEmployer},
	{name: "RideLoop", kind: connector.KindGig},
	{name: "DashCrate Delivery", kind: connector.KindGig},
	{name: "Brightwell Pharmacy", kind: connector.KindEmployer},
	{name: "Summit Ridge Bank", kind: connector.KindEmployer},
	{name: "Bluefin Seafood Markets", kind: connector.KindEmployer},
	{name: "Copperleaf Payroll Services", kind: connector.KindPlatform},
	{name: "Evergreen School District", kind: connector.KindEmployer},
	{name: "Ironclad Manufacturing", kind: connector.KindEmployer},
	{name: "Lakeside Medical Center", kind: connector.KindEmployer},
	{name: "Maple Street Grocers", kind: connector.KindEmployer},
	{name: "Orbitline Airways", kind: connector.KindEmployer},
	{name: "Pioneer Freightways", kind: connector.KindEmployer},
	{name: "Quillfeather Books", kind: connector.KindEmployer},
	{name: "Redstone Construction", kind: connector.KindEmployer},
	{name: "Silverline Transit", kind: connector.KindEmployer},
	{name: "Tidewater Energy", kind: connector.KindEmployer},
	{name: "Union Square Fitness", kind: connector.KindEmployer},
	{name: "Vantage Point Security", kind: connector.KindEmployer},
	{name: "Willow Creek Senior Living", kind: connector.KindEmployer},
	{name: "Yellowfinch Cafés", kind: connector.KindEmployer},
	{name: "Zephyr Outdoor Co.", kind: connector.KindEmployer},
	{name: "TaskHive", kind: connector.KindGig},
	{name: "Timberline Workforce Cloud", kind: connector.KindPlatform},
	{name: "Renée's Home Care", kind: connector.KindEmployer},
	{name: "São Miguel Coffee Roasters", kind: connector.KindEmployer},
	{name: "Åsgard Outfitters", kind: connector.KindEmployer},
	{name: "Kinderhook Childcare", kind: connector.KindEmployer},
	{name: "Granite Crest Insurance", kind: connector.KindEmployer},
	{name: "Hollowbrook Farms", kind: connector.KindEmployer},
	{name: "Lumenfield Labs", kind: connector.KindEmployer},
	{name: "Martinez Landscaping", kind: connector.KindEmployer},
	{name: "Corner Mart Stores", kind: connector.KindEmployer},
	{name: "Valuemart Stores", kind: connector.KindEmployer},
	{name: "Oakhaven Property Management", kind: connector.KindEmployer},
	{name: "Parkside Veterinary Clinics", kind: connector.KindEmployer},
	{name: "Riverbend Casino & Hotel", kind: connector.KindEmployer, status: connector.StatusIssues,
		statusDetails: "Connections are slower than usual; data refreshes may be delayed."},
	{name: "Starlight Cinemas", kind: connector.KindEmployer},
	{name: "Tandem Couriers", kind: connector.KindGig},
	{name: "Uptown Pizza Co.", kind: connector.KindEmployer},
	{name: "Valleyview Hospital", kind: connector.KindEmployer},
	{name: "Westbrook University", kind: connector.KindEmployer},
	{name: "SparkShift", kind: connector.KindGig},
	{name: "Brightpath Charter Schools", kind: connector.KindEmployer, mapping: connector.MappingMapped},
	{name: "Sandbox State Benefits", kind: connector.KindBenefits},
	{name: "Keystone Payroll Bureau", kind: connector.KindPlatform, status: connector.StatusUnavailable,
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

func newCatalog() *connector.StaticCatalog {
	items := make([]connector.Item, len(entries))
	for i, e := range entries {
		it := connector.Item{
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
			it.Status = connector.StatusHealthy
		}
		if it.MappingStatus == "" {
			it.MappingStatus = connector.MappingVerified
		}
		items[i] = it
	}
	return connector.NewStaticCatalog(items)
}

// features describes what every sandbox item returns.
func features() *connector.ItemFeatures {
	yes := connector.FieldSupport{Supported: true}
	no := connector.FieldSupport{Supported: false}
	set := func(fields ...string) map[string]connector.FieldSupport {
		m := make(map[string]connector.FieldSupport, len(fields))
		for _, f := range fields {
			m[f] = yes
		}
		return m
	}
	f := &connector.ItemFeatures{
		DataRetrieval: connector.DataRetrieval{RefreshFrequency: "24h"},
		FieldCoverage: map[string]map[string]connector.FieldSupport{
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
