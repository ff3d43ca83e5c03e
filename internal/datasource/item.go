package datasource

import "encoding/json"

// Item kinds, as in the catalog contract's Item.kind.
const (
	// KindEmployer is an individual employer.
	KindEmployer = "employer"
	// KindGig is a gig platform.
	KindGig = "gig"
	// KindPlatform is a payroll provider platform serving many employers.
	KindPlatform = "platform"
	// KindBenefits is a government benefits provider.
	KindBenefits = "benefits"
)

// Item health statuses, as in the catalog contract's Item.status.
const (
	// StatusHealthy means normal service.
	StatusHealthy = "healthy"
	// StatusIssues means impacted service that still accepts new connections.
	StatusIssues = "issues"
	// StatusUnavailable means new connections are not supported for now.
	StatusUnavailable = "unavailable"
)

// Item mapping statuses, as in the catalog contract's Item.mapping_status.
const (
	// MappingVerified means the payroll system is known and has returned paystubs before.
	MappingVerified = "verified"
	// MappingMapped means the payroll system is known but awaits a first successful connection.
	MappingMapped = "mapped"
	// MappingUnmapped means the payroll system is not yet known.
	MappingUnmapped = "unmapped"
)

// Item is a payroll item (employer, gig or payroll platform) a user can
// connect to, shaped like the catalog contract's Item schema.
//
// Empty KnownLimitations and StatusDetails marshal as JSON null, an empty
// MatchingScore and a nil Features are omitted.
type Item struct {
	// ID is the item id, such as "item_000000001".
	ID string `json:"id"`
	// Name is the display name.
	Name string `json:"name"`
	// Kind is one of KindEmployer, KindGig, KindPlatform or KindBenefits.
	Kind string `json:"kind"`
	// KnownLimitations describes data limits of the item, or is empty.
	KnownLimitations string `json:"known_limitations"`
	// Status is one of StatusHealthy, StatusIssues or StatusUnavailable.
	Status string `json:"status"`
	// StatusDetails explains a non-healthy status, or is empty.
	StatusDetails string `json:"status_details"`
	// LogoURL locates the logo image; it may be empty, in which case the UI draws initials.
	LogoURL string `json:"logo_url"`
	// IsGrouping reports whether the item only groups other items.
	IsGrouping bool `json:"is_grouping"`
	// MappingStatus is one of MappingVerified, MappingMapped or MappingUnmapped.
	MappingStatus string `json:"mapping_status"`
	// MatchingScore is the search relevance from "0.01" to "1.00"; set only on results of a non-empty search.
	MatchingScore string `json:"matching_score,omitempty"`
	// Features describes supported data; set only by Catalog.Get.
	Features *ItemFeatures `json:"features,omitempty"`
}

// ItemFeatures is the contract's Item.features object.
type ItemFeatures struct {
	// DataRetrieval says how often the item is re-scanned.
	DataRetrieval DataRetrieval `json:"data_retrieval"`
	// FieldCoverage maps a data set ("identities", "paystubs", ...) to its fields' support.
	FieldCoverage map[string]map[string]FieldSupport `json:"field_coverage"`
	// DirectDepositSwitch describes deposit switch capabilities.
	DirectDepositSwitch DirectDepositSwitch `json:"direct_deposit_switch"`
}

// DataRetrieval is the contract's features.data_retrieval object.
type DataRetrieval struct {
	// RefreshFrequency is how often the item is re-scanned, such as "5h".
	RefreshFrequency string `json:"refresh_frequency"`
}

// FieldSupport says whether the item returns one data field.
type FieldSupport struct {
	// Supported reports whether the field is returned.
	Supported bool `json:"supported"`
}

// DirectDepositSwitch is the contract's features.direct_deposit_switch object.
type DirectDepositSwitch struct {
	// Card describes payouts to debit cards.
	Card FieldSupport `json:"card"`
	// DepositAccount describes switching bank deposit accounts.
	DepositAccount FieldSupport `json:"deposit_account"`
}

// MarshalJSON encodes the item with the contract's nulls for empty nullable fields.
func (it Item) MarshalJSON() ([]byte, error) {
	type plain Item // no methods: avoids recursion
	return json.Marshal(struct {
		plain
		KnownLimitations *string `json:"known_limitations"`
		StatusDetails    *string `json:"status_details"`
	}{plain(it), nullable(it.KnownLimitations), nullable(it.StatusDetails)})
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Catalog is a searchable, read-only list of items.
type Catalog interface {
	// Get returns the item with the given id, including Features.
	Get(id string) (Item, bool)
	// Has reports whether an item exists, without building it.
	Has(id string) bool
	// Search returns up to limit items (all when limit <= 0) whose name
	// matches query, restricted to the ids in only when only is non-empty.
	//
	// An item matches when its whole name, or the part of it starting at any
	// word, begins with query; matching ignores case, diacritics and
	// punctuation. Whole-name matches rank first, then word matches, each
	// alphabetically. An empty query returns items in popularity order.
	Search(query string, limit int, only []string) []Item
}
