package sandboxdata

import (
	"fmt"
	"strings"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// depositBanks are the banks sandbox pay is deposited at, with their
// routing numbers.
var depositBanks = []struct{ name, routing string }{
	{"NW Regional Bank", "026010000"},
	{"First Harbor Credit Union", "016012008"},
	{"Lakeside Savings", "071000013"},
}

// depositDestinations returns where each employment's pay goes: a checking
// account taking the remainder and, for some users and jobs, a savings
// account taking a fixed amount first. Jobs that ended leave them
// inactive. It draws from a random stream of its own, so the other data
// does not depend on it.
func depositDestinations(u *user, itemID string, emps []datasource.Employment) []datasource.DepositDestination {
	var out []datasource.DepositDestination
	for _, e := range emps {
		r := rngFor("deposit-destinations", u.username, itemID, e.ID)
		bank := depositBanks[r.IntN(len(depositBanks))]
		status := "active"
		if e.Status != datasource.EmploymentActive {
			status = "inactive"
		}
		acct := func() string { return fmt.Sprintf("********%04d", r.IntN(10000)) }
		dd := datasource.DepositDestination{
			ID: uuidFor("deposit-destination", u.username, itemID, e.ID, "checking"), Employment: e.ID, Employer: e.Employer,
			Status: status, AllocationType: "amount", AllocationValue: "remainder", Currency: "USD", Method: "Direct deposit",
			AccountNumber: acct(), BankName: bank.name, RoutingNumber: bank.routing, AccountType: "checking",
		}
		out = append(out, dd)
		if r.IntN(2) == 0 {
			savings := dd
			savings.ID = uuidFor("deposit-destination", u.username, itemID, e.ID, "savings")
			savings.AllocationValue = fmt.Sprintf("%d.00", 50*(1+r.IntN(6)))
			savings.AccountNumber, savings.AccountType = acct(), "savings"
			out = append(out, savings)
		}
	}
	return out
}

// splitNetPay records on each paystub where its net pay went: the fixed
// amounts of its employment's deposit destinations first (as far as the net
// pay reaches), the remainder to the destination taking it.
func splitNetPay(stubs []datasource.Paystub, dests []datasource.DepositDestination) {
	byEmployment := map[string][]datasource.DepositDestination{}
	for _, d := range dests {
		byEmployment[d.Employment] = append(byEmployment[d.Employment], d)
	}
	for i := range stubs {
		p := &stubs[i]
		left := p.NetPay
		var fixed, rest []datasource.PaystubDestination
		for _, d := range byEmployment[p.Employment] {
			pd := datasource.PaystubDestination{Reference: strings.ToUpper(d.AccountType) + " " + d.AccountNumber,
				Method: d.Method, BankName: d.BankName, RoutingNumber: d.RoutingNumber, AccountNumber: d.AccountNumber}
			if d.AllocationValue == "remainder" {
				rest = append(rest, pd)
				continue
			}
			amount, err := value.ParseMoney(d.AllocationValue)
			if err != nil {
				continue
			}
			pd.Amount = min(amount, left)
			left -= pd.Amount
			fixed = append(fixed, pd)
		}
		if len(rest) > 0 {
			rest[0].Amount = left
			fixed = append(rest[:1], fixed...)
		}
		p.Destinations = fixed
	}
}
