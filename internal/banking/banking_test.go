package banking_test

import (
	"encoding/json"
	"testing"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/banking"
	"verigate/internal/datasource"
	"verigate/internal/datasource/banksandbox"
	"verigate/internal/store"
	"verigate/internal/value"
)

var at = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func records(t *testing.T, login string) (store.Account, datasource.Data, []store.AccountRecord) {
	t.Helper()
	data, err := banksandbox.DataFor(login, "ins_000000004", nil, value.DateOf(at))
	if err != nil {
		t.Fatal(err)
	}
	scanned := at
	a := store.Account{ID: store.NewID(), PartnerID: store.NewID(), Environment: store.Sandbox, UserID: store.NewID(),
		DataSource: "banking", Item: "ins_000000004", Source: banksandbox.Source, ConnectionStatus: "connected",
		Aggregation: store.AggregationDone, ScannedAt: &scanned, CreatedAt: at.Add(-time.Minute), UpdatedAt: at}
	recs, err := aggregate.Records(a, data, at)
	if err != nil {
		t.Fatal(err)
	}
	return a, data, recs
}

func TestRenderBankAccount(t *testing.T) {
	a, data, recs := records(t, "test_2")
	var n int
	for _, rec := range recs {
		if rec.Kind != store.RecordBankAccount {
			continue
		}
		n++
		v, err := banking.RenderBankAccount(rec, a)
		if err != nil {
			t.Fatal(err)
		}
		ba := data.BankAccounts[0]
		if v.ID != rec.ID || v.User != a.UserID || v.Account != a.ID || v.Institution != "ins_000000004" || v.Name != ba.Name ||
			v.AccountNumberDisplay != ba.Last4 || v.RealAccountNumberLast4 != ba.Last4 || v.Type != "checking" ||
			v.Balance.String() != ba.Balances.Current.String() || v.AvailableBalance.String() != ba.Balances.Available.String() ||
			v.BalanceDate != "2025-06-01T00:00:00.000Z" || v.AggregationStatusCode != 0 || v.ErrorCode != nil ||
			v.AggregationSuccessDate != "2025-06-01T12:00:00.000Z" || v.LinkedAccountDate != "2025-06-01T11:59:00.000Z" ||
			len(v.Owners) != 2 || v.Status != "active" || v.MarketSegment != "personal" || v.OldestTransactionDate == nil {
			t.Errorf("rendered %+v from %+v", v, ba)
		}
		// Balances are JSON numbers, as in the catalog contract.
		b, _ := json.Marshal(v)
		var m map[string]any
		json.Unmarshal(b, &m)
		if _, ok := m["balance"].(float64); !ok {
			t.Errorf("balance is %T", m["balance"])
		}
		if _, ok := m["institution_login"]; ok {
			t.Error("institution_login is rendered")
		}
		// A later failed aggregation shows on the data it left.
		failed := a
		failed.Aggregation, failed.ConnectionStatus, failed.ErrorCode = store.AggregationFailed, "error", "auth_required"
		v, _ = banking.RenderBankAccount(rec, failed)
		if v.AggregationStatusCode != banking.AggregationFailed || v.ErrorCode == nil || *v.ErrorCode != "auth_required" || v.ErrorMessage == nil {
			t.Errorf("failed account renders %+v", v)
		}
	}
	if n != 1 {
		t.Fatalf("%d bank accounts for test_2", n)
	}
	if _, err := banking.RenderBankAccount(recs[0], a); err == nil {
		t.Error("an identity record renders as a bank account")
	}
}

func TestRenderTransaction(t *testing.T) {
	_, data, recs := records(t, "test_1")
	bySource := map[string]datasource.Transaction{}
	for _, tx := range data.Transactions {
		bySource[tx.ID] = tx
	}
	accounts := map[string]string{}
	for _, rec := range recs {
		if rec.Kind == store.RecordBankAccount {
			accounts[rec.SourceID] = rec.ID
		}
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		if rec.Kind != store.RecordTransaction {
			continue
		}
		v, err := banking.RenderTransaction(rec)
		if err != nil {
			t.Fatal(err)
		}
		tx := bySource[rec.SourceID]
		if v.ID != rec.ID || v.BankAccount != accounts[tx.AccountID] || v.Amount.String() != tx.Amount.String() ||
			v.PostedDate != tx.PostedDate.String()+"T00:00:00.000Z" || v.Description != tx.Description || v.Pending != tx.Pending ||
			(tx.Category == "") != (v.Category == nil) || (tx.Counterparty == "") != (v.Counterparty == nil) {
			t.Fatalf("rendered %+v from %+v", v, tx)
		}
		if v.Category != nil {
			seen[*v.Category] = true
		}
	}
	if !seen[datasource.TxPayroll] || !seen[datasource.TxTransfer] {
		t.Errorf("categories seen: %v", seen)
	}
	if _, err := banking.RenderTransaction(recs[0]); err == nil {
		t.Error("an identity record renders as a transaction")
	}
}
