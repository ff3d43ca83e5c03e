package datasource

import (
	"encoding/json"
	"strings"
	"testing"
	"verigate/internal/value"
)

func testInstitutions() *InstitutionCatalog {
	title := "Before you start"
	return NewInstitutionCatalog([]Institution{
		{ID: "ins_1", Name: "Harborview National Bank", VOA: true, VOI: true,
			InstitutionDetails: &InstitutionDetails{Status: InstitutionOnline, Branding: InstitutionBranding{Logo: "https://x.example/l.svg"}}},
		{ID: "ins_2", Name: "Crédit Acadien Bank", VOA: true,
			InstitutionDetails: &InstitutionDetails{Status: InstitutionDegraded, SpecialInstructionsTitle: &title}},
		{ID: "ins_3", Name: "Redwood Federal Credit Union", VOA: true, VOI: true,
			InstitutionDetails: &InstitutionDetails{Status: InstitutionOffline}},
		{ID: "ins_4", Name: "Bare Bank"},
	})
}

func institutionNames(ins []Institution) string {
	s := make([]string, len(ins))
	for i, in := range ins {
		s[i] = in.Name
	}
	return strings.Join(s, "|")
}

func TestInstitutionSearch(t *testing.T) {
	c := testInstitutions()
	for _, tc := range []struct {
		q, typ string
		only   []string
		want   string
	}{
		{"credit", "", nil, "Crédit Acadien Bank|Redwood Federal Credit Union"},
		{"CREDIT", ReportVOI, nil, "Redwood Federal Credit Union"},
		{"bank", ReportVOA, nil, "Crédit Acadien Bank|Harborview National Bank"},
		{"bank", "", nil, "Bare Bank|Crédit Acadien Bank|Harborview National Bank"},
		{"", ReportVOI, []string{"ins_2", "ins_3"}, "Redwood Federal Credit Union"},
		{"", ReportVOI, []string{"ins_2"}, ""},
		{"", "voe", nil, ""},
		{"", "", []string{"ins_4", "ins_1"}, "Harborview National Bank|Bare Bank"},
	} {
		got := c.Search(tc.q, 0, tc.only, tc.typ)
		if institutionNames(got) != tc.want {
			t.Errorf("Search(%q, %v, %q) = %q, want %q", tc.q, tc.only, tc.typ, institutionNames(got), tc.want)
		}
		for _, in := range got {
			if in.InstitutionDetails != nil || in.ChildInstitutions == nil {
				t.Errorf("search result %+v", in)
			}
		}
	}
	if got := c.Search("", 2, nil, ""); institutionNames(got) != "Harborview National Bank|Crédit Acadien Bank" {
		t.Errorf("limited search = %q", institutionNames(got))
	}
}

func TestInstitutionItemsAndGet(t *testing.T) {
	c := testInstitutions()
	if c.Len() != 4 || !c.Has("ins_3") || c.Has("ins_9") {
		t.Fatal("Len or Has is wrong")
	}
	items := c.Items().Search("", 0, nil)
	want := []struct{ status, logo string }{{StatusHealthy, "https://x.example/l.svg"}, {StatusIssues, ""}, {StatusUnavailable, ""}, {StatusHealthy, ""}}
	for i, it := range items {
		if it.Kind != KindBank || it.Status != want[i].status || it.LogoURL != want[i].logo || it.MappingStatus != MappingVerified {
			t.Errorf("item %+v", it)
		}
		if (it.Status == StatusHealthy) != (it.StatusDetails == "") {
			t.Errorf("item %s status details %q", it.ID, it.StatusDetails)
		}
	}
	in, ok := c.Get("ins_2")
	if !ok || in.InstitutionDetails == nil || *in.SpecialInstructionsTitle != "Before you start" {
		t.Fatalf("Get = %+v, %v", in, ok)
	}
	*in.SpecialInstructionsTitle = "changed"
	in.Status = "changed"
	again, _ := c.Get("ins_2")
	if *again.SpecialInstructionsTitle != "Before you start" || again.Status != InstitutionDegraded {
		t.Fatal("mutating a Get result changed the catalog")
	}
	if _, ok := c.Get("ins_9"); ok {
		t.Fatal("Get found an unknown id")
	}
	b, _ := json.Marshal(again)
	for _, s := range []string{`"id":"ins_2"`, `"voa":true`, `"child_institutions":[]`, `"status":"degraded"`,
		`"special_instutions_title":"Before you start"`, `"special_instructions":[]`, `"branding":{`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("JSON lacks %s: %s", s, b)
		}
	}
	b, _ = json.Marshal(c.Search("bare", 1, nil, "")[0])
	if string(b) != `{"id":"ins_4","rssd":0,"name":"Bare Bank","trans_agg":false,"ach":false,"state_agg":false,"voi":false,`+
		`"voa":false,"aha":false,"avail_balance":false,"account_owner":false,"student_loan_data":false,`+
		`"loan_payment_details":false,"child_institutions":[]}` {
		t.Errorf("list JSON = %s", b)
	}
}

func TestTransactionJSON(t *testing.T) {
	tx := Transaction{ID: "t1", AccountID: "a1", PostedDate: value.NewDate(2026, 1, 2), Amount: -4599, Currency: "USD",
		Description: "RENT", Category: TxSpending}
	b, _ := json.Marshal(tx)
	want := `{"id":"t1","bank_account":"a1","posted_date":"2026-01-02","amount":"-45.99","currency":"USD",` +
		`"description":"RENT","counterparty":"","category":"spending","pending":false}`
	if string(b) != want {
		t.Errorf("JSON = %s", b)
	}
	var back Transaction
	if err := json.Unmarshal(b, &back); err != nil || back != tx {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}
