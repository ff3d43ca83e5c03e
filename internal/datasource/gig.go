package datasource

import (
	"time"

	"verigate/internal/value"
)

// Gig data: what a connector for a gig platform (rideshare, delivery)
// aggregates beside the identity. JSON names follow the /v2 contract's Gig,
// Shift, Rating and Vehicle schemas; the fields verigate derives from its
// own records (id, account, created_at, updated_at) are left to the store.
// Times are UTC and whole seconds.

// Gig types, as in the contract's Gig.type.
const (
	GigDelivery  = "delivery"
	GigRideshare = "rideshare"
	GigHourly    = "hourly"
	GigServices  = "services"
)

// Gig statuses, as in the contract's Gig.status and Shift.status.
const (
	GigScheduled  = "scheduled"
	GigInProgress = "in_progress"
	GigCompleted  = "completed"
	GigCancelled  = "cancelled"
)

// Gig is one gig assignment (a ride, a delivery run).
type Gig struct {
	// ID identifies the gig within the account.
	ID string `json:"id"`
	// Employer is the gig platform's name.
	Employer string `json:"employer"`
	// Status is GigCompleted, GigCancelled, ...
	Status string `json:"status"`
	// Type is GigDelivery, GigRideshare, GigHourly or GigServices.
	Type string `json:"type"`
	// TaskCount is the number of tasks (orders of a delivery run; 1 for a ride).
	TaskCount int `json:"task_count"`
	// Start and End bound the assignment; Duration is End-Start in seconds.
	Start    time.Time `json:"start_datetime"`
	End      time.Time `json:"end_datetime"`
	Times    GigTimes  `json:"all_datetimes"`
	Duration int64     `json:"duration"`
	// Timezone is the IANA zone the gig took place in, such as "America/New_York".
	Timezone string `json:"timezone"`
	// EarningType is "work", "incentive", "offer", "adjustment" or "other".
	EarningType   string      `json:"earning_type"`
	StartLocation Location    `json:"start_location"`
	EndLocation   Location    `json:"end_location"`
	TaskDetails   TaskDetails `json:"task_details"`
	// Distance is the distance travelled in DistanceUnit, such as "12.34".
	Distance     string `json:"distance"`
	DistanceUnit string `json:"distance_unit"`
	// Metadata holds uncategorised details; never nil.
	Metadata      map[string]any `json:"metadata"`
	Circumstances Circumstances  `json:"circumstances"`
	Income        GigIncome      `json:"income"`
	IncomeRates   IncomeRates    `json:"income_rates"`
}

// GigTimes is the contract's Gig.all_datetimes.
type GigTimes struct {
	RequestAt time.Time `json:"request_at"`
	AcceptAt  time.Time `json:"accept_at"`
	PickupAt  time.Time `json:"pickup_at"`
	DropoffAt time.Time `json:"dropoff_at"`
	// CancelAt is nil unless the gig was cancelled.
	CancelAt *time.Time `json:"cancel_at"`
	// ShiftStart and ShiftEnd bound the work shift the gig belongs to, or are nil.
	ShiftStart *time.Time `json:"shift_start"`
	ShiftEnd   *time.Time `json:"shift_end"`
	// Breaks lists breaks taken during the gig; never nil.
	Breaks []Break `json:"breaks"`
}

// Break is a break in a gig or shift.
type Break struct {
	Start time.Time `json:"break_start"`
	End   time.Time `json:"break_end"`
}

// Location is a place, with latitude and longitude as decimal degree strings.
type Location struct {
	Lat              string `json:"lat"`
	Lng              string `json:"lng"`
	FormattedAddress string `json:"formatted_address"`
}

// TaskDetails is the contract's Gig.task_details; neither list is nil.
type TaskDetails struct {
	Events []GigEvent `json:"events"`
	Orders []GigOrder `json:"orders"`
}

// GigEvent is one event of a gig (accept, pickup, dropoff, ...).
type GigEvent struct {
	// OrderID links the event to an order, or is nil.
	OrderID *string `json:"order_id"`
	// Sequence counts events from "1".
	Sequence string `json:"sequence"`
	// Type is "request", "accept", "pickup", "dropoff", "other" or "cancel".
	Type string `json:"type"`
	// Name is the place's name (a pickup's restaurant), or nil.
	Name             *string   `json:"name"`
	FormattedAddress string    `json:"formatted_address"`
	Lat              string    `json:"lat"`
	Lng              string    `json:"lng"`
	Datetime         time.Time `json:"datetime"`
}

// GigOrder is the income of one order of a gig.
type GigOrder struct {
	OrderID  string    `json:"order_id"`
	Sequence string    `json:"sequence"`
	Income   GigIncome `json:"income"`
}

// GigIncome is the contract's income object: Total is Pay + Tips + Bonus +
// Other, and TotalCharge is CustomerPrice + Fees.
type GigIncome struct {
	Currency      string      `json:"currency"`
	TotalCharge   value.Money `json:"total_charge"`
	CustomerPrice value.Money `json:"customer_price"`
	Fees          value.Money `json:"fees"`
	Total         value.Money `json:"total"`
	Pay           value.Money `json:"pay"`
	Tips          value.Money `json:"tips"`
	Bonus         value.Money `json:"bonus"`
	Other         value.Money `json:"other"`
}

// Circumstances is the contract's Gig.circumstances.
type Circumstances struct {
	IsPool      bool    `json:"is_pool"`
	IsRush      bool    `json:"is_rush"`
	IsSurge     bool    `json:"is_surge"`
	ServiceType string  `json:"service_type"`
	Position    *string `json:"position"`
}

// IncomeRates is the contract's Gig.income_rates: earnings per hour and per mile.
type IncomeRates struct {
	Hour value.Money `json:"hour"`
	Mile value.Money `json:"mile"`
}

// Shift types, as in the contract's Shift.type.
const (
	ShiftHourly   = "hourly"
	ShiftServices = "services"
)

// Shift is one work shift (a session online on a gig platform).
type Shift struct {
	ID       string     `json:"id"`
	Employer string     `json:"employer"`
	Status   string     `json:"status"`
	Type     string     `json:"type"`
	Start    time.Time  `json:"start_datetime"`
	End      time.Time  `json:"end_datetime"`
	Times    ShiftTimes `json:"all_datetimes"`
	// Hours is the time worked, End-Start less breaks, in hours with up to four decimals.
	Hours    string `json:"hours"`
	Timezone string `json:"timezone"`
	// Location is the address the shift started from.
	Location string         `json:"location"`
	Metadata map[string]any `json:"metadata"`
}

// ShiftTimes is the contract's Shift.all_datetimes; Breaks is never nil.
type ShiftTimes struct {
	ShiftStart time.Time `json:"shift_start"`
	ShiftEnd   time.Time `json:"shift_end"`
	Breaks     []Break   `json:"breaks"`
}

// Rating is the worker's standing on a gig platform.
type Rating struct {
	ID string `json:"id"`
	// Rating is the average rating from "0.00" to "5.00".
	Rating string `json:"rating"`
	// AcceptanceRate and OntimeRate are decimals between 0 and 1, such as "0.91".
	AcceptanceRate string         `json:"acceptance_rate"`
	OntimeRate     string         `json:"ontime_rate"`
	Achievements   []Achievement  `json:"achievements"`
	Rewards        []Reward       `json:"rewards"`
	Employer       string         `json:"employer"`
	Metadata       map[string]any `json:"metadata"`
}

// Achievement is one badge or compliment count.
type Achievement struct {
	Count       int            `json:"count"`
	Label       string         `json:"label"`
	Points      *string        `json:"points"`
	Metadata    map[string]any `json:"metadata"`
	BadgeURL    string         `json:"badge_url"`
	Description string         `json:"description"`
}

// Reward is the worker's place in a rewards program.
type Reward struct {
	ProgramName  string `json:"program_name"`
	Tier         string `json:"tier"`
	ValidThrough string `json:"valid_through"`
	Points       string `json:"points"`
}

// Vehicle types, as in the contract's Vehicle.type.
const (
	VehicleCar        = "car"
	VehiclePedestrian = "pedestrian"
	VehicleEbike      = "ebike"
	VehicleBicycle    = "bicycle"
	VehicleScooter    = "scooter"
	VehicleMotorcycle = "motorcycle"
	VehicleOther      = "other"
)

// Vehicle is a vehicle the worker uses on a gig platform.
type Vehicle struct {
	ID             string         `json:"id"`
	Identification string         `json:"identification"`
	Make           string         `json:"make"`
	Model          string         `json:"model"`
	Type           string         `json:"type"`
	Year           string         `json:"year"`
	VIN            string         `json:"vin"`
	Employer       string         `json:"employer"`
	Metadata       map[string]any `json:"metadata"`
	// Registered is when the vehicle was added to the platform; it dates the record.
	Registered value.Date `json:"-"`
}
