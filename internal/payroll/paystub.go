package payroll

import (
	"encoding/json"
	"fmt"

	"verigate/internal/datasource"
	"verigate/internal/store"
	"verigate/internal/value"
)

type (
	money = value.Money
	hours = value.Hours
)

// Paystub is the contract's PartnerPaystub. Money and hours are decimal
// strings with two decimals (value.Money and value.Hours marshal so).
//
// payroll_document is left out: it names the payroll document a paystub was
// read from, and connected paystubs are not read from documents (W-2 forms
// are yearly summaries, not a paystub's source), so there is no id to give;
// the contract does not allow null.
type Paystub struct {
	ID         string `json:"id"`
	Account    string `json:"account"`
	Employment string `json:"employment"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	PaystubBody
}

// PaystubBody is a Paystub less the fields its record's row holds: what
// aggregation stores as the record's Rendered JSON.
type PaystubBody struct {
	DeductionList      []Deduction    `json:"deduction_list"`
	FilingStatus       []FilingStatus `json:"filing_status"`
	TaxList            []Tax          `json:"tax_list"`
	Status             string         `json:"status"`
	PaystubDate        *string        `json:"paystub_date"`
	PaystubPeriod      Period         `json:"paystub_period"`
	Currency           string         `json:"currency"`
	GrossPay           money          `json:"gross_pay"`
	Deductions         money          `json:"deductions"`
	Taxes              money          `json:"taxes"`
	NetPay             money          `json:"net_pay"`
	Reimbursements     money          `json:"reimbursements"`
	Hours              hours          `json:"hours"`
	Fees               *money         `json:"fees"`
	NetPayYTD          money          `json:"net_pay_ytd"`
	GrossPayYTD        money          `json:"gross_pay_ytd"`
	Employer           string         `json:"employer"`
	EmployerAddress    Address        `json:"employer_address"`
	Destinations       []Destination  `json:"destinations"`
	HoursYTD           hours          `json:"hours_ytd"`
	DeductionsYTD      money          `json:"deductions_ytd"`
	TaxesYTD           money          `json:"taxes_ytd"`
	GrossPayList       []GrossPay     `json:"gross_pay_list"`
	GrossPayListTotals Totals         `json:"gross_pay_list_totals"`
	Metadata           map[string]any `json:"metadata"`
}

// Deduction is the contract's Deduction.
type Deduction struct {
	Amount            money  `json:"amount"`
	Name              string `json:"name"`
	TaxClassification string `json:"tax_classification"`
	AmountYTD         money  `json:"amount_ytd"`
}

// FilingStatus is the contract's FilingStatus; location is null for federal.
type FilingStatus struct {
	Type     string  `json:"type"`
	Location *string `json:"location"`
	Status   string  `json:"status"`
}

// Tax is the contract's Tax.
type Tax struct {
	Amount    money  `json:"amount"`
	Name      string `json:"name"`
	Type      string `json:"type"`
	AmountYTD money  `json:"amount_ytd"`
}

// Period is the contract's paystub_period, as date-times at midnight UTC.
type Period struct {
	StartDate *string `json:"start_date"`
	EndDate   *string `json:"end_date"`
}

// Address is the contract's employer_address.
type Address struct {
	City       string `json:"city"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	State      string `json:"state"`
	Country    string `json:"country"`
	PostalCode string `json:"postal_code"`
}

// GrossPay is the contract's GrossPay line; rate, hours and hours_ytd are
// null for lines not paid by the hour (bonus, commission).
type GrossPay struct {
	Name      string     `json:"name"`
	Type      string     `json:"type"`
	StartDate value.Date `json:"start_date"`
	EndDate   value.Date `json:"end_date"`
	Rate      *money     `json:"rate"`
	Hours     *hours     `json:"hours"`
	Amount    money      `json:"amount"`
	HoursYTD  *hours     `json:"hours_ytd"`
	AmountYTD money      `json:"amount_ytd"`
}

// Totals is the contract's gross_pay_list_totals: null for a category with
// no line on the paystub.
type Totals struct {
	Base       *GrossPayTotal `json:"base"`
	Overtime   *GrossPayTotal `json:"overtime"`
	Commission *GrossPayTotal `json:"commission"`
	Bonus      *GrossPayTotal `json:"bonus"`
	Other      *GrossPayTotal `json:"other"`
}

// GrossPayTotal is the contract's GrossPayTotal.
type GrossPayTotal struct {
	Amount         money  `json:"amount"`
	AmountYTD      money  `json:"amount_ytd"`
	Hours          *hours `json:"hours"`
	HoursYTD       *hours `json:"hours_ytd"`
	RateImplied    *Rate  `json:"rate_implied"`
	RateImpliedYTD *Rate  `json:"rate_implied_ytd"`
}

// Rate is an implied hourly rate in cents. It marshals like the contract's
// example, rounded to the cent and written with four decimals: "25.6100".
type Rate int64

// MarshalText writes r with four decimals, the last two zero.
func (r Rate) MarshalText() ([]byte, error) { return []byte(money(r).String() + "00"), nil }

// ImpliedRate returns amount per hour rounded half away from zero to the
// cent, and false when there are no hours.
func ImpliedRate(amount money, h hours) (Rate, bool) {
	if h == 0 {
		return 0, false
	}
	// amount is in cents and h in hundredths of an hour, so cents per hour
	// is amount*100/h.
	num, den := int64(amount)*100, int64(h)
	neg := (num < 0) != (den < 0)
	if num < 0 {
		num = -num
	}
	if den < 0 {
		den = -den
	}
	q := (num + den/2) / den
	if neg {
		q = -q
	}
	return Rate(q), true
}

// Category returns the gross_pay_list_totals category of a gross pay type:
// base = base + pto, other = disability + benefits + tips + stock + other
// (and any type the contract does not list).
func Category(typ string) string {
	switch typ {
	case "base", "pto":
		return "base"
	case "overtime", "commission", "bonus":
		return typ
	}
	return "other"
}

// GrossPayTotals sums gross pay lines by category. A category's amount_ytd
// adds, for each line name in it, the year-to-date of that name's last
// line (a name's amount_ytd already counts its earlier lines); hours alike.
func GrossPayTotals(lines []datasource.GrossPayLine) Totals {
	type acc struct {
		amount    money
		hours     hours
		hourly    bool
		ytdByName map[string]money
		hrsByName map[string]hours
		names     []string
	}
	cats := map[string]*acc{}
	for _, l := range lines {
		c := Category(l.Type)
		a := cats[c]
		if a == nil {
			a = &acc{ytdByName: map[string]money{}, hrsByName: map[string]hours{}}
			cats[c] = a
		}
		if _, seen := a.ytdByName[l.Name]; !seen {
			a.names = append(a.names, l.Name)
		}
		a.amount += l.Amount
		a.ytdByName[l.Name] = l.AmountYTD
		if l.Hourly() {
			a.hourly = true
			a.hours += l.Hours
			a.hrsByName[l.Name] = l.HoursYTD
		}
	}
	total := func(c string) *GrossPayTotal {
		a := cats[c]
		if a == nil {
			return nil
		}
		t := &GrossPayTotal{Amount: a.amount}
		var hrsYTD hours
		for _, n := range a.names {
			t.AmountYTD += a.ytdByName[n]
			hrsYTD += a.hrsByName[n]
		}
		if a.hourly {
			h := a.hours
			t.Hours, t.HoursYTD = &h, &hrsYTD
			if r, ok := ImpliedRate(t.Amount, h); ok {
				t.RateImplied = &r
			}
			if r, ok := ImpliedRate(t.AmountYTD, hrsYTD); ok {
				t.RateImpliedYTD = &r
			}
		}
		return t
	}
	return Totals{Base: total("base"), Overtime: total("overtime"), Commission: total("commission"), Bonus: total("bonus"), Other: total("other")}
}

// dateTime writes a date as the contract's midnight-UTC date-time, or null.
func dateTime(d value.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String() + "T00:00:00Z"
	return &s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Destination is the contract's paystub Destination: where a part of the
// net pay was sent. verigate's are bank accounts; card is always null.
type Destination struct {
	Reference         string              `json:"reference"`
	Amount            value.Money         `json:"amount"`
	Method            string              `json:"method"`
	ACHDepositAccount *DestinationAccount `json:"ach_deposit_account"`
	Card              *struct{}           `json:"card"`
}

// DestinationAccount is a Destination's ach_deposit_account.
type DestinationAccount struct {
	BankName      string `json:"bank_name"`
	RoutingNumber string `json:"routing_number"`
	AccountNumber string `json:"account_number"`
}

// RenderPaystub returns a stored paystub record as the contract shows it.
func RenderPaystub(r store.AccountRecord) (Paystub, error) {
	if r.Kind != store.RecordPaystub {
		return Paystub{}, fmt.Errorf("payroll: record %s is a %s, not a paystub", r.ID, r.Kind)
	}
	var p datasource.Paystub
	if err := json.Unmarshal(r.Data, &p); err != nil {
		return Paystub{}, fmt.Errorf("payroll: paystub %s: %w", r.ID, err)
	}
	return Paystub{ID: r.ID, Account: r.AccountID, Employment: r.Employment, CreatedAt: ts(r.CreatedAt), UpdatedAt: ts(r.UpdatedAt),
		PaystubBody: paystubBody(p)}, nil
}

// RenderedPaystub returns the JSON that aggregation stores as a paystub
// record's Rendered value: the contract's Paystub less the row's fields.
func RenderedPaystub(p datasource.Paystub) (json.RawMessage, error) {
	return json.Marshal(paystubBody(p))
}

// PaystubJSON returns a stored paystub record as the contract's JSON: its
// Rendered value completed with the row's fields when it has one, else its
// data rendered anew.
func PaystubJSON(r store.AccountRecord) ([]byte, error) {
	if r.Kind != store.RecordPaystub {
		return nil, fmt.Errorf("payroll: record %s is a %s, not a paystub", r.ID, r.Kind)
	}
	if len(r.Rendered) < 2 || r.Rendered[0] != '{' {
		p, err := RenderPaystub(r)
		if err != nil {
			return nil, err
		}
		return json.Marshal(p)
	}
	head, err := json.Marshal(struct {
		ID         string `json:"id"`
		Account    string `json:"account"`
		Employment string `json:"employment"`
		CreatedAt  string `json:"created_at"`
		UpdatedAt  string `json:"updated_at"`
	}{r.ID, r.AccountID, r.Employment, ts(r.CreatedAt), ts(r.UpdatedAt)})
	if err != nil {
		return nil, err
	}
	// {"id":...,"updated_at":"..."} and {"deduction_list":...} make
	// {"id":...,"updated_at":"...","deduction_list":...}.
	out := make([]byte, 0, len(head)+len(r.Rendered))
	out = append(out, head[:len(head)-1]...)
	out = append(out, ',')
	return append(out, r.Rendered[1:]...), nil
}

// paystubBody renders a connector's paystub as the contract shows it.
func paystubBody(p datasource.Paystub) PaystubBody {
	out := PaystubBody{
		Status: p.Status, PaystubDate: dateTime(p.PaystubDate),
		PaystubPeriod: Period{StartDate: dateTime(p.Period.StartDate), EndDate: dateTime(p.Period.EndDate)},
		Currency:      p.Currency, GrossPay: p.GrossPay, Deductions: p.Deductions, Taxes: p.Taxes, NetPay: p.NetPay,
		Reimbursements: p.Reimbursements, Hours: p.Hours, NetPayYTD: p.NetPayYTD, GrossPayYTD: p.GrossPayYTD,
		Employer: p.Employer,
		EmployerAddress: Address{City: p.EmployerAddress.City, Line1: p.EmployerAddress.Line1, Line2: p.EmployerAddress.Line2,
			State: p.EmployerAddress.State, Country: p.EmployerAddress.Country, PostalCode: p.EmployerAddress.PostalCode},
		Destinations: []Destination{}, HoursYTD: p.HoursYTD, DeductionsYTD: p.DeductionsYTD, TaxesYTD: p.TaxesYTD,
		DeductionList: []Deduction{}, FilingStatus: []FilingStatus{}, TaxList: []Tax{}, GrossPayList: []GrossPay{},
		GrossPayListTotals: GrossPayTotals(p.GrossPayList),
	}
	if out.Status == "" {
		out.Status = "completed"
	}
	for _, d := range p.Destinations {
		out.Destinations = append(out.Destinations, Destination{Reference: d.Reference, Amount: d.Amount, Method: d.Method,
			ACHDepositAccount: &DestinationAccount{BankName: d.BankName, RoutingNumber: d.RoutingNumber, AccountNumber: d.AccountNumber}})
	}
	for _, d := range p.DeductionList {
		out.DeductionList = append(out.DeductionList, Deduction{Amount: d.Amount, Name: d.Name, TaxClassification: d.TaxClassification, AmountYTD: d.AmountYTD})
	}
	for _, f := range p.FilingStatus {
		out.FilingStatus = append(out.FilingStatus, FilingStatus{Type: f.Type, Location: optional(f.Location), Status: f.Status})
	}
	for _, t := range p.TaxList {
		out.TaxList = append(out.TaxList, Tax{Amount: t.Amount, Name: t.Name, Type: t.Type, AmountYTD: t.AmountYTD})
	}
	for _, l := range p.GrossPayList {
		g := GrossPay{Name: l.Name, Type: l.Type, StartDate: l.StartDate, EndDate: l.EndDate, Amount: l.Amount, AmountYTD: l.AmountYTD}
		if l.Hourly() {
			rate, h, hytd := l.Rate, l.Hours, l.HoursYTD
			g.Rate, g.Hours, g.HoursYTD = &rate, &h, &hytd
		}
		out.GrossPayList = append(out.GrossPayList, g)
	}
	return out
}
