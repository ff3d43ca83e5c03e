package gigsandbox

import (
	"fmt"

	"verigate/internal/datasource"
)

// FirstItem is the number of the first gig item: gig items are
// item_000100001 onwards, a range apart from the payroll sandbox's.
const FirstItem = 100001

// platform is one sandbox gig platform.
type platform struct {
	name    string
	gigType string // datasource.GigRideshare or datasource.GigDelivery
	// services are the service types its gigs are offered as, most common first.
	services []string
	// pickups are the places deliveries are collected from.
	pickups               []string
	status, statusDetails string
}

var restaurants = []string{"Lotus Noodle Bar", "Brick Oven Corner", "Green Fork Salads", "Taqueria Sol", "Maple & Rye Bakery",
	"Sunny Side Diner", "Harbor Poke", "Golden Wok", "Pepper Tree Grill", "Little Athens Gyro"}

var grocers = []string{"Fresh Basket Market", "Corner Pantry", "Greenleaf Grocers", "Daily Harvest Foods", "Northside Pharmacy"}

// platforms is the gig catalog in popularity order; platform i gets the id
// item_(FirstItem+i). Names are fictional.
var platforms = []platform{
	{name: "Hopwell Rides", gigType: datasource.GigRideshare, services: []string{"Hopwell Standard", "Hopwell Share", "Hopwell XL"}},
	{name: "Forkflight Eats", gigType: datasource.GigDelivery, services: []string{"Food delivery"}, pickups: restaurants},
	{name: "Metrohail", gigType: datasource.GigRideshare, services: []string{"Metro", "Metro Comfort"}},
	{name: "Cartcrew Grocery", gigType: datasource.GigDelivery, services: []string{"Grocery delivery", "Same-day essentials"}, pickups: grocers},
	{name: "Parcelpine Courier", gigType: datasource.GigDelivery, services: []string{"Parcel delivery"},
		pickups: []string{"Parcelpine Hub North", "Parcelpine Hub South", "Parcelpine Locker Center"}},
	{name: "Nightowl Rides", gigType: datasource.GigRideshare, services: []string{"Nightowl", "Nightowl Plus"},
		status: datasource.StatusIssues, statusDetails: "Data refreshes may be delayed while the platform recovers from an outage."},
}

func itemID(i int) string { return fmt.Sprintf("item_%09d", FirstItem+i) }

var catalog = newCatalog()

// byItem maps an item id to its platform.
var byItem = map[string]*platform{}

// ItemCatalog returns the gig sandbox items.
func ItemCatalog() datasource.Catalog { return catalog }

func newCatalog() *datasource.StaticCatalog {
	items := make([]datasource.Item, len(platforms))
	for i := range platforms {
		p := &platforms[i]
		byItem[itemID(i)] = p
		it := datasource.Item{
			ID: itemID(i), Name: p.name, Kind: datasource.KindGig, Status: p.status, StatusDetails: p.statusDetails,
			MappingStatus: datasource.MappingVerified, Features: features(),
		}
		if it.Status == "" {
			it.Status = datasource.StatusHealthy
		}
		items[i] = it
	}
	return datasource.NewStaticCatalog(items)
}

// features describes what every gig sandbox item returns: identity, gigs,
// shifts, ratings and vehicles, no paystubs or payroll documents.
func features() *datasource.ItemFeatures {
	yes, no := datasource.FieldSupport{Supported: true}, datasource.FieldSupport{Supported: false}
	set := func(s datasource.FieldSupport, fields ...string) map[string]datasource.FieldSupport {
		m := make(map[string]datasource.FieldSupport, len(fields))
		for _, f := range fields {
			m[f] = s
		}
		return m
	}
	return &datasource.ItemFeatures{
		DataRetrieval: datasource.DataRetrieval{RefreshFrequency: "24h"},
		FieldCoverage: map[string]map[string]datasource.FieldSupport{
			"identities": set(yes, "first_name", "last_name", "full_name", "birth_date", "email", "phone_number", "ssn", "address"),
			"gigs": set(yes, "status", "type", "task_count", "start_datetime", "end_datetime", "all_datetimes", "duration",
				"timezone", "earning_type", "start_location", "end_location", "task_details", "distance", "circumstances",
				"income", "income_rates"),
			"shifts":            set(yes, "status", "type", "start_datetime", "end_datetime", "all_datetimes", "hours", "timezone", "location"),
			"ratings":           set(yes, "rating", "acceptance_rate", "ontime_rate", "achievements", "rewards"),
			"vehicles":          set(yes, "identification", "make", "model", "type", "year", "vin"),
			"paystubs":          {"...": no},
			"payroll_documents": {"...": no},
		},
	}
}
