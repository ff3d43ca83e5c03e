// Package datasource defines the seam between verigate's core and the payroll
// providers and banks it reads data from.
//
// A [Connector] signs a user in to one payroll item, completes any
// multi-factor challenge, and aggregates the connected account's identity,
// employments, paystubs and payroll documents. A [BankConnector] does the
// same for a financial institution: its connections list the user's
// accounts ([AccountChoice]) and it aggregates the shared accounts' balances
// and transactions ([BankAccount], [Transaction]). Everything a web flow must
// keep between HTTP requests ([Challenge], [Connection]) is a plain
// serialisable value, and every failure a user can cause or see is one of the
// sentinel errors in this package, so callers never depend on a particular
// connector.
package datasource

import "context"

// Credentials are the login details a user typed for a payroll item.
type Credentials struct {
	// Username is the login name or e-mail address.
	Username string
	// Password is the secret typed by the user.
	Password string
}

// MFAKind names how a multi-factor code is delivered to the user.
type MFAKind string

// Multi-factor delivery kinds.
const (
	// MFASMS means the code was sent by text message.
	MFASMS MFAKind = "sms"
	// MFAEmail means the code was sent by e-mail.
	MFAEmail MFAKind = "email"
	// MFAAuthenticator means the code comes from an authenticator app.
	MFAAuthenticator MFAKind = "authenticator"
)

// Challenge is a pending multi-factor step; it is safe to persist as JSON
// between requests and must be handed back unchanged to [Connector.Verify].
type Challenge struct {
	// Ref is opaque connector state; callers store it server-side and never show it.
	Ref string `json:"ref"`
	// ItemID is the item the user is signing in to.
	ItemID string `json:"item_id"`
	// Kind is how the code is delivered.
	Kind MFAKind `json:"kind"`
	// Destination is the masked place the code was sent to, such as "***-***-1234"; empty for authenticator apps.
	Destination string `json:"destination,omitempty"`
	// Prompt is a ready-to-show instruction such as "Enter the code sent to ***-***-1234".
	Prompt string `json:"prompt"`
	// CodeLength is the number of characters expected, or 0 when unknown.
	CodeLength int `json:"code_length,omitempty"`
}

// Connection is an established account connection; it is safe to persist as
// JSON and is all a connector needs to aggregate the account again later.
type Connection struct {
	// Ref is opaque connector state; callers store it server-side and never show it.
	Ref string `json:"ref"`
	// ItemID is the connected item.
	ItemID string `json:"item_id"`
	// Source names the payroll data source, as in the contract's Account.source.
	Source string `json:"source"`
	// Accounts lists the financial accounts a banking user may choose to
	// share, as the bank connector found them at sign-in; empty for payroll.
	Accounts []AccountChoice `json:"accounts,omitempty"`
	// Shared holds the ids (from Accounts) the user chose to share; empty
	// means all. The web flow sets it before the first Aggregate; a bank
	// connector's Aggregate returns only these accounts. Empty for payroll.
	Shared []string `json:"shared,omitempty"`
}

// SignInResult is the outcome of a successful [Connector.SignIn]: exactly one
// of Challenge and Connection is set.
type SignInResult struct {
	// Challenge is set when a second factor is required; complete it with Verify.
	Challenge *Challenge
	// Connection is set when the account connected without a second factor.
	Connection *Connection
}

// Connector is a payroll provider integration.
//
// Implementations must be safe for concurrent use and must return the
// sentinel errors of this package (possibly wrapped) for every failure that
// the user can cause or should be told about.
type Connector interface {
	// Catalog returns the items this connector can connect to.
	Catalog() Catalog
	// SignIn checks credentials for an item; it returns a Challenge when a second factor is required.
	SignIn(ctx context.Context, itemID string, c Credentials) (SignInResult, error)
	// Verify completes a multi-factor challenge with the code the user typed.
	Verify(ctx context.Context, challenge Challenge, code string) (Connection, error)
	// Aggregate fetches the connected account's data; it may take a while and honours ctx.
	Aggregate(ctx context.Context, conn Connection) (Data, error)
}
