package sandboxdata

import (
	"strings"
	"testing"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

func TestDepositDestinations(t *testing.T) {
	forEachData(t, someItems, func(t *testing.T, login, item string, asOf value.Date, d datasource.Data) {
		remainders := map[string]int{}
		ids := map[string]bool{}
		for _, dd := range d.DepositDestinations {
			if ids[dd.ID] {
				t.Errorf("destination id %s twice", dd.ID)
			}
			ids[dd.ID] = true
			var emp *datasource.Employment
			for i := range d.Employments {
				if d.Employments[i].ID == dd.Employment {
					emp = &d.Employments[i]
				}
			}
			if emp == nil {
				t.Fatalf("destination %s names no employment of the data", dd.ID)
			}
			if dd.Employer != emp.Employer || dd.Currency != "USD" || dd.AllocationType != "amount" || len(dd.RoutingNumber) != 9 {
				t.Errorf("destination %+v", dd)
			}
			if (dd.Status == "active") != (emp.Status == datasource.EmploymentActive) {
				t.Errorf("destination status %s for a job %s", dd.Status, emp.Status)
			}
			if dd.AllocationValue == "remainder" {
				remainders[dd.Employment]++
			} else if _, err := value.ParseMoney(dd.AllocationValue); err != nil {
				t.Errorf("allocation_value %q: %v", dd.AllocationValue, err)
			}
		}
		for _, e := range d.Employments {
			if remainders[e.ID] != 1 {
				t.Errorf("employment %s has %d remainder destinations, want 1", e.ID, remainders[e.ID])
			}
		}
		again, err := Payroll(login, item, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.DepositDestinations) != len(d.DepositDestinations) || (len(d.DepositDestinations) > 0 && again.DepositDestinations[0] != d.DepositDestinations[0]) {
			t.Error("deposit destinations differ between two generations")
		}
	})
}

// TestPaystubDestinations: each paystub's net pay is split over its
// employment's deposit destinations: fixed amounts first, the rest to the
// remainder account, adding up to the net pay.
func TestPaystubDestinations(t *testing.T) {
	forEachData(t, someItems, func(t *testing.T, login, item string, asOf value.Date, d datasource.Data) {
		byEmployment := map[string]map[string]datasource.DepositDestination{}
		for _, dd := range d.DepositDestinations {
			if byEmployment[dd.Employment] == nil {
				byEmployment[dd.Employment] = map[string]datasource.DepositDestination{}
			}
			byEmployment[dd.Employment][dd.AccountNumber] = dd
		}
		for _, p := range d.Paystubs {
			dests := byEmployment[p.Employment]
			if len(p.Destinations) != len(dests) || len(dests) == 0 {
				t.Fatalf("paystub %s: %d destinations, its employment has %d", p.ID, len(p.Destinations), len(dests))
			}
			var sum value.Money
			for i, pd := range p.Destinations {
				dd, ok := dests[pd.AccountNumber]
				if !ok || pd.BankName != dd.BankName || pd.RoutingNumber != dd.RoutingNumber || pd.Method != dd.Method ||
					pd.Reference != strings.ToUpper(dd.AccountType)+" "+dd.AccountNumber || pd.Amount < 0 {
					t.Fatalf("paystub %s destination %+v; deposit destinations %+v", p.ID, pd, dests)
				}
				if (i == 0) != (dd.AllocationValue == "remainder") {
					t.Errorf("paystub %s: the remainder account is not listed first: %+v", p.ID, p.Destinations)
				}
				if fixed, err := value.ParseMoney(dd.AllocationValue); err == nil && pd.Amount != min(fixed, p.NetPay) {
					t.Errorf("paystub %s: %s to a destination of %s with net pay %s", p.ID, pd.Amount, fixed, p.NetPay)
				}
				sum += pd.Amount
			}
			if sum != p.NetPay {
				t.Errorf("paystub %s: destinations add up to %s, net pay %s", p.ID, sum, p.NetPay)
			}
		}
	})
}
