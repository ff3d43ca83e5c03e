package sandboxdata

import (
	"fmt"

	"verigate/internal/datasource"
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
