package report

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"verigate/internal/store"
	"verigate/internal/verification"
)

// Receipt renders the PDF receipt of a user's billable transactions: every
// completed verification (completed or completed_with_errors), oldest first.
func (s *Service) Receipt(ctx context.Context, sc store.Scope, userID string) ([]byte, error) {
	u, err := s.Store.User(ctx, sc, userID)
	if err != nil {
		return nil, err
	}
	var done []store.Verification
	page := store.Page{Limit: 200}
	for {
		batch, err := s.Store.ListVerifications(ctx, sc, store.VerificationFilter{UserID: u.ID, State: verification.StateCompleted}, page)
		if err != nil {
			return nil, err
		}
		done = append(done, batch...)
		if len(batch) < page.Limit {
			break
		}
		page.After = batch[len(batch)-1].ID
	}
	sort.SliceStable(done, func(i, j int) bool {
		if !done[i].UpdatedAt.Equal(done[j].UpdatedAt) {
			return done[i].UpdatedAt.Before(done[j].UpdatedAt)
		}
		return done[i].ID < done[j].ID
	})
	return RenderReceipt(ReceiptInput{At: s.now(), User: u, Client: s.clientName(ctx, u.ClientID), Verifications: done})
}

func (s *Service) clientName(ctx context.Context, id string) string {
	c, err := s.Store.Client(ctx, id)
	if err != nil {
		return ""
	}
	return c.Name
}

// ReceiptInput is what a receipt shows.
type ReceiptInput struct {
	At            time.Time
	User          store.User
	Client        string
	Verifications []store.Verification
}

// RenderReceipt renders a receipt PDF.
func RenderReceipt(in ReceiptInput) ([]byte, error) {
	var name struct {
		FirstName *string `json:"first_name"`
		LastName  *string `json:"last_name"`
	}
	json.Unmarshal(in.User.Profile, &name)
	var full []string
	for _, p := range []*string{name.FirstName, name.LastName} {
		if p != nil && *p != "" {
			full = append(full, *p)
		}
	}
	who := in.User.ID
	if len(full) > 0 {
		who = strings.Join(full, " ") + " (" + in.User.ID + ")"
	}
	generated := in.At.UTC().Format("2006-01-02 15:04:05")
	h := headerInfo{
		Title: "Receipt: billable verifications",
		Lines: []string{
			"Generated: " + generated + " UTC",
			"User: " + who,
		},
		Footer: "verigate receipt  " + in.User.ID,
	}
	if in.Client != "" {
		h.Lines = append(h.Lines, "Client: "+in.Client+" ("+in.User.ClientID+")")
	}
	if in.User.Environment == store.Sandbox {
		h.Lines = append(h.Lines, "SANDBOX: sandbox verifications are not billed.")
	}
	d := newDoc(h, in.At)
	d.section("Billable transactions")
	if len(in.Verifications) == 0 {
		d.para("The user has no completed verifications: nothing is billable.")
		return d.bytes()
	}
	rows := make([][]string, 0, len(in.Verifications))
	byType := map[string]int{}
	for _, v := range in.Verifications {
		loan, cost := "-", "-"
		if v.LoanNumber != nil {
			loan = *v.LoanNumber
		}
		var b verification.Billing
		if json.Unmarshal(v.Billing, &b) == nil && b.CostCenter != nil {
			cost = *b.CostCenter
		}
		rows = append(rows, []string{v.UpdatedAt.UTC().Format("2006-01-02 15:04"), v.ID, v.ReportType, loan, cost, words(v.Code)})
		byType[v.ReportType]++
	}
	d.table([]column{{"Completed (UTC)", 17, "L"}, {"Verification", 38, "L"}, {"Report type", 12, "L"},
		{"Loan number", 13, "L"}, {"Cost center", 12, "L"}, {"Outcome", 12, "L"}}, rows)
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	summary := make([]string, 0, len(types))
	for _, t := range types {
		summary = append(summary, fmt.Sprintf("%s: %d", t, byType[t]))
	}
	d.section("Summary")
	d.kv([][2]string{{"Billable transactions", fmt.Sprint(len(in.Verifications))}, {"By report type", strings.Join(summary, ", ")}})
	return d.bytes()
}
