// Package store defines verigate's persistent records and the errors every
// database implementation returns; each domain package declares the small
// storage interface it needs, and sqlstore implements them all.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Errors returned by every Store implementation.
var (
	// ErrNotFound means no record matched, or the record belongs to another tenant.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a record changed since it was read (optimistic locking).
	ErrConflict = errors.New("store: record changed concurrently")
	// ErrDuplicate means a record with the same key already exists.
	ErrDuplicate = errors.New("store: duplicate key")
)

// Environment names the world a key and its objects live in.
type Environment string

// The two environments.
const (
	Sandbox    Environment = "sandbox"
	Production Environment = "production"
)

// Valid reports whether e is a known environment.
func (e Environment) Valid() bool { return e == Sandbox || e == Production }

// Scope is the tenant boundary every partner-facing read goes through.
type Scope struct {
	PartnerID   string
	Environment Environment
}

// Partner is an organisation that orders verifications.
type Partner struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Client is a party a partner acts for; users belong to one client.
type Client struct {
	ID        string
	PartnerID string
	Name      string
	CreatedAt time.Time
}

// APIKey is a partner credential; only a hash of its secret is kept.
type APIKey struct {
	ID          string
	PartnerID   string
	ClientID    string // the partner's default client for this key
	Name        string
	Environment Environment
	SecretHash  []byte
	CreatedAt   time.Time
	// RevokedAt is when the key stopped working, or nil.
	RevokedAt *time.Time
	// LastUsedAt is when the key last authenticated a request (to within a
	// few seconds), or nil.
	LastUsedAt *time.Time
}

// User is a borrower whose income or employment is verified.
type User struct {
	ID          string
	PartnerID   string
	Environment Environment
	ClientID    string
	// Profile holds the partner-supplied details (names, contact, address,
	// birth date, SSN, metadata) as a JSON object.
	Profile            json.RawMessage
	ExternalID         *string
	ItemsConnected     []string
	EmployersConnected []string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int64
}

// UserFilter narrows ListUsers; empty fields match everything.
type UserFilter struct {
	// ExternalID matches users whose external_id is exactly this value.
	ExternalID string
}

// DeletedAccount is an account as it was when deleted, with the files of
// its uploads, which live outside the database.
type DeletedAccount struct {
	Account
	// UploadFiles are the stored names of the account's uploads.
	UploadFiles []string
}

// DeletedUser names what deleting a user removed from the database but
// that lives outside it: the files of its uploads and of its reports.
type DeletedUser struct {
	// UploadFiles are the stored names of the user's uploads.
	UploadFiles []string
	// ReportFiles are the names of the PDF and JSON files of its reports.
	ReportFiles []string
}

// ItemFilter is a named set of conditions on items, kept per tenant, that
// the item listing applies when asked to.
type ItemFilter struct {
	ID          string
	PartnerID   string
	Environment Environment
	Name        string
	// Filters is the JSON object of conditions as the partner sent it.
	Filters   json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Invite is an invitation for a user to connect accounts through a
// shareable link.
type Invite struct {
	ID          string
	PartnerID   string
	Environment Environment
	UserID      string
	// Token is the opaque, unguessable part of the invite's URL.
	Token       string
	FirstName   string
	LastName    string
	Email       string // "" when none
	PhoneNumber string // "" when none
	// Status is the invite's status: sent, initiated, attempted, completed or revoked.
	Status    string
	FlowID    *string
	FlowItems []string
	ReplyTo   []string
	// Deliveries is the JSON array of delivery attempts, newest first.
	Deliveries json.RawMessage
	RevokedAt  *time.Time
	InvitedAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int64
}

// InviteFilter narrows ListInvites; empty fields match everything.
type InviteFilter struct {
	// Statuses matches invites in any of these statuses.
	Statuses []string
	// ReplyTo matches invites whose reply_to list holds this address.
	ReplyTo string
}

// Verification is one ordered verification with its current status.
type Verification struct {
	ID          string
	PartnerID   string
	Environment Environment
	ClientID    string
	UserID      string
	Channel     string
	DataSource  string
	ReportType  string
	State       string
	Code        string
	// Errors is the JSON array of status errors.
	Errors json.RawMessage
	// ReportID, FileURL and JSONURL are set once a report exists.
	ReportID *string
	FileURL  *string
	JSONURL  *string
	// ReportConfiguration is the JSON object of banking report options, or nil.
	ReportConfiguration json.RawMessage
	// Employments, Loan and Billing are JSON documents as the partner gave them.
	Employments json.RawMessage
	Loan        json.RawMessage
	Billing     json.RawMessage
	LoanNumber  *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
}

// VerificationHead is the part of a verification that decides whether a
// session may be created for it.
type VerificationHead struct {
	ID          string
	PartnerID   string
	Environment Environment
	DataSource  string
	State       string
	Code        string
}

// StatusChange is one entry in a verification's status history.
type StatusChange struct {
	ID             string
	VerificationID string
	State          string
	Code           string
	Errors         json.RawMessage
	// Reason says what caused the change (e.g. "ordered", "updated", "cancelled").
	Reason    string
	CreatedAt time.Time
}

// Webhook event names.
const (
	EventVerificationsUpdated        = "verifications.updated"
	EventVerificationsCreationFailed = "verifications.creation_failed"
)

// Event is something partners subscribe to; the webhook outbox saves it
// with a delivery for each live subscription of its tenant to its name.
type Event struct {
	ID             string
	PartnerID      string
	Environment    Environment
	Event          string
	VerificationID string // "" for events without a verification
	// Data is the message's data object without resource.
	Data json.RawMessage
	// Resource is the object the event is about as the API showed it at
	// the change (the verification, the account, the user), or nil; it is
	// delivered to subscriptions with include_resource.
	Resource json.RawMessage
	// OrderKey names the sequence the event's deliveries are ordered in, per
	// subscription; "" means VerificationID (verifications.* events order
	// per verification, account and user events per user).
	OrderKey  string
	CreatedAt time.Time
}

// Kinds of customization.
const (
	CustomizationFlow       = "flow"       // payroll, named by a session's flow_id
	CustomizationExperience = "experience" // banking, named by a session's experience
)

// Customization is a partner's branding and limits for the connection
// experience; its id is unique within its tenant and kind.
type Customization struct {
	ID          string
	Kind        string
	PartnerID   string
	Environment Environment
	Name        string
	BrandName   string
	AccentColor string // "#1f5eff", or "" for verigate's
	// Intro maps a language (EN, ES, RU, ZH) to the introduction text.
	Intro map[string]string
	// Allowed lists the items (flows) or institutions (experiences) offered; empty means all.
	Allowed []string
	// FrameOrigins lists the origins allowed to frame the pages.
	FrameOrigins []string
	// Logo is the logo image, base64, with its sniffed content type.
	Logo      string
	LogoType  string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Subscription is a partner's webhook subscription.
type Subscription struct {
	ID          string
	PartnerID   string
	Environment Environment
	Name        string
	URL         string
	Events      []string
	// Secret is the sealed signing secret, or "" when there is none.
	Secret          string
	IncludeResource bool
	// DaysSynced is config.days_synced (how many days of data a
	// *.partially_synced event waits for); 0 when not given.
	DaysSynced int
	CreatedAt  time.Time
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event's delivery to one subscription, with its attempts.
type Delivery struct {
	ID             string
	SubscriptionID string
	EventID        string
	EventName      string
	VerificationID string
	State          string
	Attempts       int
	NextAttemptAt  time.Time
	LeaseUntil     time.Time
	LastStatus     *int
	LastError      string
	DeliveredAt    *time.Time
	CreatedAt      time.Time
	Version        int64
	// Event is the delivered event, filled by ClaimDelivery.
	Event *Event
}

// Account is a user's connection to a payroll provider or a bank.
type Account struct {
	ID               string
	PartnerID        string
	Environment      Environment
	UserID           string
	VerificationID   string // the verification whose session connected it
	DataSource       string
	Item             string
	Source           string
	Employers        []string
	ConnectionStatus string
	ErrorCode        string
	ErrorMessage     string
	// Connection is the connector's sealed connection state.
	Connection string
	// Aggregation is "pending", "running", "done" or "failed".
	Aggregation         string
	AggregationAttempts int
	LeaseUntil          time.Time
	ScannedAt           *time.Time
	// RefreshDisabledAt is when ongoing refresh was disabled for the
	// account; nil while it is not.
	RefreshDisabledAt *time.Time
	// RecordIDs is how the account's records are named: "" for ids that
	// begin with bytes of the account's, RecordIDsHashed for accounts
	// stored before that, whose records keep the ids they were given.
	RecordIDs string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// RecordIDsHashed names the records of accounts stored before schema
// version 20 by a hash of the account, kind and source id alone.
const RecordIDsHashed = "hashed"

// Aggregation states of an account.
const (
	AggregationPending = "pending"
	AggregationRunning = "running"
	AggregationDone    = "done"
	AggregationFailed  = "failed"
)

// ConnectSession is the server-side state of a session link, written when
// the link is first opened.
type ConnectSession struct {
	ID string
	// VerificationID is the verification whose session link this is, or ""
	// for Link opened with a user token, which belongs to UserID alone.
	VerificationID string
	UserID         string
	// Stage is where the borrower is in the flow (e.g. "search", "mfa", "done").
	Stage    string
	Item     string
	Failures int
	// Challenge is the connector's sealed multi-factor challenge, if any.
	Challenge          string
	AccountID          string
	AttemptedSelection bool
	ErrorCode          string
	// Connection is the sealed connector.Connection of a bank sign-in
	// waiting for the borrower's choice of accounts; empty otherwise.
	Connection string
	// Experience is the session's configuration.experience, or empty.
	Experience string
	// UsedAt is when a single-use link connected an account; nil otherwise.
	UsedAt    *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Kinds of account records.
const (
	RecordIdentity        = "identity"
	RecordEmployment      = "employment"
	RecordPaystub         = "paystub"
	RecordPayrollDocument = "payroll_document"
	// RecordBankAccount is a shared bank account (connector.BankAccount,
	// balance history included), dated by its balance date.
	RecordBankAccount = "bank_account"
	// RecordTransaction is a bank account's transaction
	// (connector.Transaction), dated by its posted date; its Employment
	// holds the id of its bank_account record.
	RecordTransaction = "transaction"
	// RecordGig (connector.Gig) and RecordShift (connector.Shift) are
	// dated by their start_datetime as a UTC instant to the second,
	// "2006-01-02T15:04:05Z" (RecordDateTime), so that range filters and
	// the listing order are exact to the second.
	RecordGig   = "gig"
	RecordShift = "shift"
	// RecordRating (connector.Rating) is dated by the day it was aggregated
	// as of, RecordVehicle (connector.Vehicle) by its registration day.
	RecordRating  = "rating"
	RecordVehicle = "vehicle"
	// RecordDepositDestination is where an employment's pay is deposited
	// (datasource.DepositDestination); undated, its Employment is the
	// employment record's id.
	RecordDepositDestination = "deposit_destination"
)

// RecordDateTime is the layout of the Date of records dated to the second.
const RecordDateTime = "2006-01-02T15:04:05Z"

// AccountRecord is one aggregated record of an account, kept as JSON.
type AccountRecord struct {
	ID          string
	Kind        string
	AccountID   string
	UserID      string
	PartnerID   string
	Environment Environment
	// SourceID is the connector's id for the record, unique per account and kind.
	SourceID string
	// Employment is the id of the record the record belongs to: the
	// employment record of a paystub or payroll document, the bank_account
	// record of a transaction; "" for the other kinds.
	Employment string
	// Date is the record's date (YYYY-MM-DD), or instant (RecordDateTime)
	// for gigs and shifts, for range filters and ordering, or "".
	Date string
	Data json.RawMessage
	// Rendered is the record as the /v2 API shows it, less the id,
	// account, employment and timestamps that the other fields hold; it is
	// made at aggregation (paystubs today) and nil for records without it.
	Rendered json.RawMessage
	// Decoded is the value Data was encoded from, on a record aggregation
	// has just made (its paystubs), so that whoever reads the record next
	// in the same process need not decode Data again; stores neither write
	// nor read it.
	Decoded   any
	CreatedAt time.Time
	UpdatedAt time.Time
}

// VerificationFilter narrows ListVerifications; empty fields match everything.
type VerificationFilter struct {
	UserID     string
	State      string
	Code       string
	ReportType string
	LoanNumber string
}

// Page asks for one page of a newest-first listing by keyset.
type Page struct {
	Limit int
	// After returns records older than this id (next page); Before returns
	// records newer than this id (previous page). At most one is set.
	// ListRecords takes a RecordKey here instead of an id.
	After  string
	Before string
}

// AccountFilter narrows ListAccounts; empty fields match everything.
type AccountFilter struct {
	UserID string
	Item   string
	// OngoingRefreshStatus is one of the OngoingRefresh* values.
	OngoingRefreshStatus string
}

// The contract's ongoing_refresh.status of an account.
const (
	OngoingRefreshEnabled  = "enabled"
	OngoingRefreshDisabled = "disabled"
	OngoingRefreshIdle     = "idle"
)

// DocumentsItem and DocumentsSource are the item and source of the account a
// user's uploads belong to, as the contract's examples show it
// (item_000012271, doc_upload_item).
const (
	DocumentsItem   = "item_000012271"
	DocumentsSource = "doc_upload_item"
)

// OngoingRefresh returns an account's ongoing_refresh.status: idle for an
// account that has no payroll or bank connection (data source "documents":
// uploads only), disabled for a connection in error (verigate refreshes
// only connected accounts, until the user connects again) or one whose
// refresh was disabled through the API, enabled otherwise. ListAccounts
// filters by the same rule.
func OngoingRefresh(a Account) string {
	switch {
	case a.DataSource == "documents":
		return OngoingRefreshIdle
	case a.ConnectionStatus == "error", a.RefreshDisabledAt != nil:
		return OngoingRefreshDisabled
	}
	return OngoingRefreshEnabled
}

// RecordFilter narrows ListRecords; empty fields match everything.
type RecordFilter struct {
	UserID     string
	AccountID  string
	Employment string
	// FromDate and ToDate are inclusive YYYY-MM-DD bounds on the record's
	// Date, or RecordDateTime bounds for kinds dated to the second.
	FromDate string
	ToDate   string
}

// RecordKey is the keyset position of a record in ListRecords' order
// (Date descending, then ID descending): "2024-01-05|<id>",
// "2024-01-05T13:22:05Z|<id>" for records dated to the second, or "|<id>"
// for an undated record (identities, deposit destinations). Record ids are
// name-based hashes, not time-ordered, so the date leads the key.
func RecordKey(r AccountRecord) string { return r.Date + "|" + r.ID }

// ParseRecordKey splits a RecordKey; ok is false when s is not one.
func ParseRecordKey(s string) (date, id string, ok bool) {
	date, id, ok = strings.Cut(s, "|")
	layout := "2006-01-02"
	if len(date) == len(RecordDateTime) {
		layout = RecordDateTime
	}
	if !ok || (date != "" && len(date) != len(layout)) || id == "" {
		return "", "", false
	}
	if t, err := time.Parse(layout, date); date != "" && (err != nil || t.Format(layout) != date) {
		return "", "", false
	}
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return "", "", false
	}
	return date, strings.ToLower(id), true
}

// RecordSummary counts one account's records of one kind.
type RecordSummary struct {
	AccountID string
	Kind      string
	Count     int
	// FirstDate and LastDate are the least and greatest record dates ("" when none is dated).
	FirstDate string
	LastDate  string
	// UpdatedAt is the latest UpdatedAt of the records.
	UpdatedAt time.Time
}

// Report is a generated verification report: its JSON and PDF files in the
// report file store, each with its SHA-256. Reports never change.
type Report struct {
	ID             string
	PartnerID      string
	Environment    Environment
	VerificationID string
	UserID         string
	Type           string
	// Schema is the version of the JSON document, such as "verigate.report/v1".
	Schema     string
	PDFName    string
	PDFSHA256  string
	PDFSize    int64
	JSONName   string
	JSONSHA256 string
	JSONSize   int64
	CreatedAt  time.Time
}

// UserReport is a report generated on request for a user (POST
// /v2/reports/{type}) rather than for a verification: its JSON and PDF files
// in the report file store, each with its SHA-256. It never changes; it can
// be deleted.
type UserReport struct {
	ID          string
	PartnerID   string
	Environment Environment
	UserID      string
	Type        string
	// Schema is the version of the JSON document, such as "verigate.report/v1".
	Schema string
	// Metadata is the JSON object the client attached when asking for it.
	Metadata json.RawMessage
	// ExternalID is the user's external_id when the report was generated.
	ExternalID *string
	// Accounts is the JSON array of the accounts it was built from.
	Accounts json.RawMessage
	// LastSyncedAt is when the most recently aggregated of those accounts was aggregated.
	LastSyncedAt *time.Time
	PDFName      string
	PDFSHA256    string
	PDFSize      int64
	JSONName     string
	JSONSHA256   string
	JSONSize     int64
	CreatedAt    time.Time
}

// UploadFilter narrows ListUploads; empty fields match everything.
type UploadFilter struct {
	UserID       string
	AccountID    string
	DocumentType string
}

// Upload is a document a partner uploaded for a user.
type Upload struct {
	ID           string
	PartnerID    string
	Environment  Environment
	UserID       string
	AccountID    string
	DocumentType string
	FileName     string
	ContentType  string
	Size         int64
	SHA256       string
	// StoredName is the file's name in the upload file store.
	StoredName string
	// Stated is the JSON object of what the uploader stated about the document.
	Stated    json.RawMessage
	CreatedAt time.Time
}

// NewID returns a new time-ordered (version 7) UUID; listings rely on ids
// sorting in creation order.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Describe names a database URL for logs without its password (in the
// user information, a password= query parameter or a key=value setting).
func Describe(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		rest := url[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			url = url[:i+3] + "***@" + rest[at+1:]
		}
	}
	return passwordSetting.ReplaceAllString(url, "${1}***")
}

// passwordSetting matches a password given as a query parameter or a
// key=value connection setting, quoted or not.
var passwordSetting = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)`)

// txKey is the context key under which a transaction travels.
type txKey struct{}

type txValue struct{ owner, tx any }

// WithTx returns a context that carries owner's open transaction tx, so
// that every call owner serves with it joins that transaction.
func WithTx(ctx context.Context, owner, tx any) context.Context {
	return context.WithValue(ctx, txKey{}, txValue{owner, tx})
}

// TxOf returns the transaction ctx carries for owner, or nil.
func TxOf(ctx context.Context, owner any) any {
	if v, ok := ctx.Value(txKey{}).(txValue); ok && v.owner == owner {
		return v.tx
	}
	return nil
}

// InTransaction reports whether ctx carries an open transaction; a change
// made with it commits or rolls back with that transaction.
func InTransaction(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(txValue)
	return ok
}

// SandboxSettings are the controls of a partner's sandbox tenant: link and
// user-token lifetimes (0: the default) and how far its clock is ahead of
// the real one.
type SandboxSettings struct {
	PartnerID     string
	LinkLifetime  time.Duration
	TokenLifetime time.Duration
	ClockOffset   time.Duration
	UpdatedAt     time.Time
}
