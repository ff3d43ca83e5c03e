// Package webhook keeps partners' webhook subscriptions and delivers the
// events their verifications raise: signed, retried, in order per
// verification, from a queue kept in the database.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	"verigate/internal/token"
	v "verigate/internal/validate"
)

// Events lists the event names a subscription may ask for.
var Events = []string{store.EventVerificationsUpdated, store.EventVerificationsCreationFailed}

// SubscriptionInput is the body of POST /partners/v2/webhooks.
type SubscriptionInput struct {
	Events v.Opt[[]string]    `json:"events"`
	Name   v.Opt[string]      `json:"name"`
	URL    v.Opt[string]      `json:"url"`
	Secret v.Opt[string]      `json:"secret"`
	Config v.Opt[ConfigInput] `json:"config"`
}

// ConfigInput is a subscription's optional delivery configuration.
type ConfigInput struct {
	IncludeResource v.Opt[bool] `json:"include_resource"`
}

// SubscriptionView is a subscription as the API returns it; the secret never appears.
type SubscriptionView struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Config    Config   `json:"config"`
	HasSecret bool     `json:"has_secret"`
	CreatedAt string   `json:"created_at"`
}

// Config is a subscription's delivery configuration.
type Config struct {
	IncludeResource bool `json:"include_resource"`
}

// DeliveryView is one delivery as the API returns it.
type DeliveryView struct {
	ID             string  `json:"id"`
	Event          string  `json:"event"`
	Verification   *string `json:"verification"`
	State          string  `json:"state"`
	Attempts       int     `json:"attempts"`
	LastStatusCode *int    `json:"last_status_code"`
	LastError      *string `json:"last_error"`
	NextAttemptAt  *string `json:"next_attempt_at"`
	DeliveredAt    *string `json:"delivered_at"`
	CreatedAt      string  `json:"created_at"`
}

// SubscriptionStore is the storage Service needs.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, sub store.Subscription) error
	Subscription(ctx context.Context, s store.Scope, id string) (store.Subscription, error)
	Subscriptions(ctx context.Context, s store.Scope) ([]store.Subscription, error)
	DeleteSubscription(ctx context.Context, s store.Scope, id string, at time.Time) error
	Deliveries(ctx context.Context, subscriptionID string, p store.Page) ([]store.Delivery, error)
	RetryDelivery(ctx context.Context, subscriptionID, id string, now time.Time) (store.Delivery, error)
}

// Service manages subscriptions for the partner API.
type Service struct {
	Store   SubscriptionStore
	Secrets *token.Sealer
	Now     func() time.Time
	// Wake tells the dispatcher that a delivery is due.
	Wake func()
}

// Create validates in and stores a subscription for p.
func (s *Service) Create(ctx context.Context, p partner.Principal, in SubscriptionInput) (SubscriptionView, error) {
	errs := v.Errors{}
	sub, err := s.common(p, errs, Events, in.Events, in.Name, in.URL, in.Secret)
	if err != nil {
		return SubscriptionView{}, err
	}
	if v.NotNull(errs, "config", in.Config) && v.NotNull(errs, "config.include_resource", in.Config.V.IncludeResource) {
		sub.IncludeResource = in.Config.V.IncludeResource.V
	}
	if err := errs.Err(); err != nil {
		return SubscriptionView{}, err
	}
	if err := s.Store.CreateSubscription(ctx, sub); err != nil {
		return SubscriptionView{}, fmt.Errorf("create subscription: %w", err)
	}
	return View(sub), nil
}

// common validates the fields both surfaces' subscriptions share, adding
// what is wrong to errs, and returns the subscription they describe.
func (s *Service) common(p partner.Principal, errs v.Errors, catalogue []string, events v.Opt[[]string], name, url, secret v.Opt[string]) (store.Subscription, error) {
	sub := store.Subscription{ID: store.NewID(), PartnerID: p.PartnerID, Environment: p.Environment, CreatedAt: s.Now().UTC().Truncate(time.Millisecond)}
	if v.Required(errs, "events", events) {
		if len(events.V) == 0 {
			errs.Add("events", "Subscribe to at least one event.")
		}
		for _, e := range events.V {
			if !contains(catalogue, e) {
				errs.Add("events", v.Choice(e))
			} else if !contains(sub.Events, e) {
				sub.Events = append(sub.Events, e)
			}
		}
	}
	if v.Required(errs, "name", name) {
		sub.Name = strings.TrimSpace(name.V)
		if sub.Name == "" {
			errs.Add("name", v.MsgBlank)
		}
		v.MaxLen(errs, "name", sub.Name, 200)
	}
	if v.Required(errs, "url", url) {
		if msg := CheckURL(url.V, p.Environment); msg != "" {
			errs.Add("url", msg)
		}
		sub.URL = strings.TrimSpace(url.V)
	}
	if v.NotNull(errs, "secret", secret) && secret.V != "" {
		v.MaxLen(errs, "secret", secret.V, 500)
		sealed, err := s.Secrets.Seal(secret.V)
		if err != nil {
			return sub, err
		}
		sub.Secret = sealed
	}
	return sub, nil
}

// List returns p's subscriptions, newest first.
func (s *Service) List(ctx context.Context, p partner.Principal) ([]SubscriptionView, error) {
	subs, err := s.Store.Subscriptions(ctx, p.Scope())
	if err != nil {
		return nil, err
	}
	out := make([]SubscriptionView, 0, len(subs))
	for _, sub := range subs {
		out = append(out, View(sub))
	}
	return out, nil
}

// Get returns one of p's subscriptions.
func (s *Service) Get(ctx context.Context, p partner.Principal, id string) (SubscriptionView, error) {
	sub, err := s.Store.Subscription(ctx, p.Scope(), id)
	if err != nil {
		return SubscriptionView{}, err
	}
	return View(sub), nil
}

// Delete stops one of p's subscriptions.
func (s *Service) Delete(ctx context.Context, p partner.Principal, id string) error {
	return s.Store.DeleteSubscription(ctx, p.Scope(), id, s.Now())
}

// Deliveries returns a page of a subscription's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, p partner.Principal, id string, page store.Page) ([]DeliveryView, error) {
	if _, err := s.Store.Subscription(ctx, p.Scope(), id); err != nil {
		return nil, err
	}
	ds, err := s.Store.Deliveries(ctx, id, page)
	if err != nil {
		return nil, err
	}
	out := make([]DeliveryView, 0, len(ds))
	for _, d := range ds {
		out = append(out, s.deliveryView(ctx, d))
	}
	return out, nil
}

// Retry queues one of a subscription's deliveries for another attempt now.
func (s *Service) Retry(ctx context.Context, p partner.Principal, id, delivery string) (DeliveryView, error) {
	if _, err := s.Store.Subscription(ctx, p.Scope(), id); err != nil {
		return DeliveryView{}, err
	}
	d, err := s.Store.RetryDelivery(ctx, id, delivery, s.Now())
	if err != nil {
		return DeliveryView{}, err
	}
	if s.Wake != nil {
		s.Wake()
	}
	return s.deliveryView(ctx, d), nil
}

func (s *Service) deliveryView(ctx context.Context, d store.Delivery) DeliveryView {
	out := DeliveryView{ID: d.ID, State: d.State, Attempts: d.Attempts, LastStatusCode: d.LastStatus, CreatedAt: stamp(d.CreatedAt),
		Event: d.EventName}
	if d.VerificationID != "" {
		out.Verification = &d.VerificationID
	}
	if d.LastError != "" {
		out.LastError = &d.LastError
	}
	if d.State == store.DeliveryPending {
		t := stamp(d.NextAttemptAt)
		out.NextAttemptAt = &t
	}
	if d.DeliveredAt != nil {
		t := stamp(*d.DeliveredAt)
		out.DeliveredAt = &t
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(partner.TimeFormat) }

// View renders a subscription without its secret.
func View(sub store.Subscription) SubscriptionView {
	events := sub.Events
	if events == nil {
		events = []string{}
	}
	return SubscriptionView{ID: sub.ID, Name: sub.Name, URL: sub.URL, Events: events,
		Config: Config{IncludeResource: sub.IncludeResource}, HasSecret: sub.Secret != "", CreatedAt: stamp(sub.CreatedAt)}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CheckURL returns why raw is not an acceptable webhook URL for env, or "".
// In production, hosts that are loopback, private or link-local addresses
// (or obviously local names) are refused; names are checked again when they
// are resolved at delivery.
func CheckURL(raw string, env store.Environment) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "Enter an absolute http:// or https:// URL without credentials."
	}
	if len(raw) > 2048 {
		return "Ensure this field has no more than 2048 characters."
	}
	if env != store.Production {
		return ""
	}
	// "localhost." and "127.0.0.1." name the same hosts as without the dot.
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") {
		return "Webhook URLs in production must not point at local hosts."
	}
	if a, err := netip.ParseAddr(host); err == nil && !PublicIP(net.IP(a.WithZone("").AsSlice())) {
		return "Webhook URLs in production must not point at loopback, private or link-local addresses."
	}
	// A name is resolved now too (and again at every delivery): one that
	// resolves to a non-public address is refused. A name that does not
	// resolve yet is accepted; deliveries to it fail until it does.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host); err == nil {
		for _, a := range addrs {
			if !PublicIP(net.IP(a.WithZone("").AsSlice())) {
				return "Webhook URLs in production must not point at loopback, private or link-local addresses."
			}
		}
	}
	return ""
}

// PublicIP reports whether ip is a publicly routable unicast address.
func PublicIP(ip net.IP) bool {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	a = a.Unmap()
	if a.Is6() && nat64.Contains(a) {
		// The well-known NAT64 prefix reaches the IPv4 address it embeds.
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return false
		}
	}
	return !(a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsUnspecified() || a.IsMulticast() || a.IsInterfaceLocalMulticast())
}

var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// notPublic lists special-purpose ranges the net package's predicates miss.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),          // IPv4-compatible (deprecated)
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
}

// message is the body of a delivery, as the contract's webhook examples show it.
type message struct {
	Event string          `json:"event"`
	Name  string          `json:"name"`
	Data  json.RawMessage `json:"data"`
}

// Body returns the exact bytes delivered for an event to a subscription.
func Body(e store.Event, sub store.Subscription) ([]byte, error) {
	data := e.Data
	if sub.IncludeResource && e.Resource != nil {
		trimmed := strings.TrimSpace(string(data))
		if !strings.HasSuffix(trimmed, "}") {
			return nil, fmt.Errorf("event %s: data is not an object", e.ID)
		}
		sep := ","
		if trimmed == "{}" {
			sep = ""
		}
		data = json.RawMessage(trimmed[:len(trimmed)-1] + sep + `"resource":` + string(e.Resource) + "}")
	}
	return json.Marshal(message{Event: e.Event, Name: sub.Name, Data: data})
}
