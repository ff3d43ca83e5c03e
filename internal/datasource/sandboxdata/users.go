package sandboxdata

import (
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/value"
)

// SampleUser is one sandbox login.
type SampleUser struct {
	// Username is the login name, such as "test_1".
	Username string
	// Email is the alternative login, such as "test1@argyle.com".
	Email string
	// Password is the password of the normal scenario.
	Password string
	// Code is the verification code Verify accepts.
	Code string
	// FullName is the name in the user's identity.
	FullName string
	// MFA is how the user's verification code is delivered.
	MFA datasource.MFAKind
	// Destination is the masked place the code is sent to; empty for an authenticator app.
	Destination string
	// Prompt is the instruction a sign-in challenge shows the user.
	Prompt string
}

// user is a sample user's full profile.
type user struct {
	username, email, code string
	first, last           string
	birth                 value.Date
	phone                 string // E.164
	ssnLast4              string
	marital, gender       string
	address               datasource.Address
	mfa                   datasource.MFAKind
	fedMarried            bool
	filing                string // printed filing status
	state                 stateTax
	local                 *localTax
	jobs                  []plan // jobs[1:] only on odd-numbered items
}

// stateTax approximates a state's income tax withholding as a flat rate.
type stateTax struct {
	code     string
	name     string
	ratePPM  int64       // parts per million of state wages
	stdAnnul value.Money // annual amount exempt from withholding
}

// localTax is a flat city wage tax.
type localTax struct {
	name     string // tax line name
	locality string // W-2 box 20
	ratePPM  int64
}

var users = []user{
	{
		username: "test_1", email: "test1@argyle.com", code: "8081",
		first: "Bob", last: "Jones", birth: value.NewDate(1985, time.April, 12),
		phone: "+12125550181", ssnLast4: "4821", marital: "Single", gender: "Male",
		address: datasource.Address{Line1: "759 Victoria Plaza", Line2: "Apt 4C", City: "New York",
			State: "NY", PostalCode: "10014", Country: "US"},
		mfa: datasource.MFASMS, filing: "single",
		state: stateTax{code: "NY", name: "NY State Income Tax", ratePPM: 55000, stdAnnul: 800000},
		jobs:  []plan{bobJob},
	},
	{
		username: "test_2", email: "test2@argyle.com", code: "8082",
		first: "Sarah", last: "Longfield", birth: value.NewDate(1980, time.October, 30),
		phone: "+13035550142", ssnLast4: "1191", marital: "Married filing jointly", gender: "Female",
		address: datasource.Address{Line1: "1420 Larimer St", Line2: "Unit 5B", City: "Denver",
			State: "CO", PostalCode: "80202", Country: "US"},
		mfa: datasource.MFAEmail, fedMarried: true, filing: "married filing jointly",
		state: stateTax{code: "CO", name: "CO State Income Tax", ratePPM: 44000},
		jobs:  []plan{sarahJob},
	},
	{
		username: "test_3", email: "test3@argyle.com", code: "8083",
		first: "Joe", last: "Rodriguez", birth: value.NewDate(1992, time.February, 3),
		phone: "+12155550117", ssnLast4: "7730", marital: "Single", gender: "Male",
		address: datasource.Address{Line1: "2214 Walnut St", City: "Philadelphia",
			State: "PA", PostalCode: "19103", Country: "US"},
		mfa: datasource.MFAAuthenticator, filing: "single",
		state: stateTax{code: "PA", name: "PA State Income Tax", ratePPM: 30700},
		local: &localTax{name: "Philadelphia City Wage Tax", locality: "PHILADELPHIA", ratePPM: 37500},
		jobs:  []plan{joeMainJob, joeSecondJob},
	},
}

// SampleUsers returns the sandbox logins.
func SampleUsers() []SampleUser {
	out := make([]SampleUser, len(users))
	for i := range users {
		out[i] = users[i].sample()
	}
	return out
}

// Lookup finds a sample user by username or e-mail, ignoring case and
// surrounding spaces.
func Lookup(login string) (SampleUser, bool) {
	u, ok := lookupUser(login)
	if !ok {
		return SampleUser{}, false
	}
	return u.sample(), true
}

// sample returns u's login.
func (u *user) sample() SampleUser {
	kind, dest, prompt := u.challenge()
	return SampleUser{Username: u.username, Email: u.email, Password: PasswordGood,
		Code: u.code, FullName: u.first + " " + u.last, MFA: kind, Destination: dest, Prompt: prompt}
}

// lookupUser finds a user by username or e-mail, ignoring case and
// surrounding spaces.
func lookupUser(login string) (*user, bool) {
	login = strings.TrimSpace(login)
	for i := range users {
		if strings.EqualFold(login, users[i].username) || strings.EqualFold(login, users[i].email) {
			return &users[i], true
		}
	}
	return nil, false
}

// identity returns the user's connector identity.
func (u *user) identity() datasource.Identity {
	return datasource.Identity{
		FirstName:     u.first,
		LastName:      u.last,
		FullName:      u.first + " " + u.last,
		BirthDate:     u.birth,
		Email:         u.email,
		PhoneNumber:   u.phone,
		SSN:           u.maskedSSN(),
		MaritalStatus: u.marital,
		Gender:        u.gender,
		Address:       u.address,
	}
}

func (u *user) maskedSSN() string { return "XXX-XX-" + u.ssnLast4 }

// challenge describes where u's code goes.
func (u *user) challenge() (kind datasource.MFAKind, dest, prompt string) {
	switch u.mfa {
	case datasource.MFASMS:
		dest = "***-***-" + u.phone[len(u.phone)-4:]
		return u.mfa, dest, "Enter the code sent by text message to " + dest
	case datasource.MFAEmail:
		local, domain, _ := strings.Cut(u.email, "@")
		dest = local[:1] + strings.Repeat("*", len(local)-2) + local[len(local)-1:] + "@" + domain
		return u.mfa, dest, "Enter the code sent by e-mail to " + dest
	default:
		return u.mfa, "", "Enter the code shown in your authenticator app"
	}
}

// Identity returns a sample user's (by username or e-mail) identity, as
// every sandbox connector reports it.
func Identity(login string) (datasource.Identity, bool) {
	u, ok := lookupUser(login)
	if !ok {
		return datasource.Identity{}, false
	}
	return u.identity(), true
}
