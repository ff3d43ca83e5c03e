package sandboxdata

import (
	"errors"
	"testing"

	"verigate/internal/datasource"
)

func TestLookup(t *testing.T) {
	for _, login := range []string{"test_2", "TEST2@argyle.com", " test2@ARGYLE.com "} {
		u, ok := Lookup(login)
		if !ok || u.Username != "test_2" || u.Code != "8082" || u.FullName != "Sarah Longfield" ||
			u.MFA != datasource.MFAEmail || u.Destination != "t***2@argyle.com" ||
			u.Prompt != "Enter the code sent by e-mail to t***2@argyle.com" {
			t.Errorf("Lookup(%q) = %+v, %v", login, u, ok)
		}
	}
	if u, ok := Lookup("test_9"); ok {
		t.Errorf("Lookup(test_9) = %+v", u)
	}
	for _, u := range SampleUsers() {
		if got, ok := Lookup(u.Email); !ok || got != u {
			t.Errorf("Lookup(%q) = %+v, want %+v", u.Email, got, u)
		}
	}
}

func TestPasswordScenario(t *testing.T) {
	for _, tc := range []struct {
		password string
		scenario string
		noMFA    bool
		err      error
	}{
		{PasswordGood, ScenarioNormal, false, nil},
		{PasswordNoMFA, ScenarioNormal, true, nil},
		{PasswordSlow, ScenarioSlow, false, nil},
		{PasswordMFATimeout, ScenarioMFATimeout, false, nil},
		{PasswordLocked, "", false, datasource.ErrAccountLocked},
		{PasswordUnsupportedMFA, "", false, datasource.ErrUnsupportedMFA},
		{PasswordUnavailable, "", false, datasource.ErrProviderUnavailable},
		{"PASSGOOD", "", false, datasource.ErrInvalidCredentials},
		{"", "", false, datasource.ErrInvalidCredentials},
	} {
		scenario, noMFA, err := PasswordScenario(tc.password)
		if scenario != tc.scenario || noMFA != tc.noMFA || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("PasswordScenario(%q) = %q, %v, %v", tc.password, scenario, noMFA, err)
		}
	}
}

func TestPayrollErrors(t *testing.T) {
	if _, err := Payroll("test_9", "item_000000001", asOfDates[0]); !errors.Is(err, datasource.ErrInvalidCredentials) {
		t.Errorf("unknown user gave %v", err)
	}
	if _, err := Payroll("test_1", "item_999999999", asOfDates[0]); !errors.Is(err, datasource.ErrUnknownItem) {
		t.Errorf("unknown item gave %v", err)
	}
}
