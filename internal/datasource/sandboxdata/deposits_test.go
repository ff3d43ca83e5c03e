package sandboxdata

import (
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
