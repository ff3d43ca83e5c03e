package webhook

import (
	"context"
	"fmt"
	"slices"

	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// MaxDaysSynced bounds config.days_synced (ten years).
const MaxDaysSynced = 3650

// V2SubscriptionInput is the body of POST /v2/webhooks.
type V2SubscriptionInput struct {
	Events v.Opt[[]string]      `json:"events"`
	Name   v.Opt[string]        `json:"name"`
	URL    v.Opt[string]        `json:"url"`
	Secret v.Opt[string]        `json:"secret"`
	Config v.Opt[V2ConfigInput] `json:"config"`
}

// V2ConfigInput is a /v2 subscription's optional configuration.
type V2ConfigInput struct {
	IncludeResource v.Opt[bool] `json:"include_resource"`
	DaysSynced      v.Opt[int]  `json:"days_synced"`
}

// V2SubscriptionView is a subscription as /v2 shows it. Secret is always
// null: verigate never returns a subscription's secret.
type V2SubscriptionView struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	URL       string         `json:"url"`
	Events    []string       `json:"events"`
	Config    map[string]any `json:"config"`
	Secret    *string        `json:"secret"`
	CreatedAt string         `json:"created_at"`
	UpdatedAt string         `json:"updated_at"`
}

// V2View renders a subscription for /v2: config holds include_resource
// when it is true and days_synced when it was given.
func V2View(sub store.Subscription) V2SubscriptionView {
	events := sub.Events
	if events == nil {
		events = []string{}
	}
	cfg := map[string]any{}
	if sub.IncludeResource {
		cfg["include_resource"] = true
	}
	if sub.DaysSynced > 0 {
		cfg["days_synced"] = sub.DaysSynced
	}
	return V2SubscriptionView{ID: sub.ID, Name: sub.Name, URL: sub.URL, Events: events, Config: cfg,
		CreatedAt: stamp(sub.CreatedAt), UpdatedAt: stamp(sub.CreatedAt)}
}

// CreateV2 validates in and stores a /v2 subscription for p.
func (s *Service) CreateV2(ctx context.Context, p partner.Principal, in V2SubscriptionInput) (V2SubscriptionView, error) {
	errs := v.Errors{}
	// Clients of the platform send "secret": null and "config": null for
	// none (its reference client does): null means not given.
	if in.Secret.Null {
		in.Secret = v.Opt[string]{}
	}
	sub, err := s.common(p, errs, V2Events, in.Events, in.Name, in.URL, in.Secret)
	if err != nil {
		return V2SubscriptionView{}, err
	}
	if in.Config.Has() {
		c := in.Config.V
		if c.IncludeResource.Has() {
			sub.IncludeResource = c.IncludeResource.V
		}
		if c.DaysSynced.Has() {
			switch n := c.DaysSynced.V; {
			case n < 1 || n > MaxDaysSynced:
				errs.Add("config.days_synced", fmt.Sprintf("Ensure this value is between 1 and %d.", MaxDaysSynced))
			case !slices.ContainsFunc(sub.Events, PartiallySynced):
				errs.Add("config.days_synced", "days_synced applies to *.partially_synced events only; subscribe to one.")
			default:
				sub.DaysSynced = n
			}
		}
	}
	if err := errs.Err(); err != nil {
		return V2SubscriptionView{}, err
	}
	if err := s.Store.CreateSubscription(ctx, sub); err != nil {
		return V2SubscriptionView{}, fmt.Errorf("create subscription: %w", err)
	}
	return V2View(sub), nil
}

// ListV2 returns up to page.Limit of p's subscriptions, newest first, from
// the keyset position page gives (subscription ids). Subscriptions made on
// either surface are listed: they are one kind of record.
func (s *Service) ListV2(ctx context.Context, p partner.Principal, page store.Page) ([]V2SubscriptionView, error) {
	subs, err := s.Store.Subscriptions(ctx, p.Scope())
	if err != nil {
		return nil, err
	}
	// subs are newest first (ids are time-ordered).
	var rows []store.Subscription
	switch {
	case page.Before != "":
		for i := len(subs) - 1; i >= 0 && len(rows) < page.Limit; i-- {
			if subs[i].ID > page.Before {
				rows = append(rows, subs[i])
			}
		}
		slices.Reverse(rows)
	default:
		for _, sub := range subs {
			if len(rows) == page.Limit {
				break
			}
			if page.After == "" || sub.ID < page.After {
				rows = append(rows, sub)
			}
		}
	}
	out := make([]V2SubscriptionView, 0, len(rows))
	for _, sub := range rows {
		out = append(out, V2View(sub))
	}
	return out, nil
}

// GetV2 returns one of p's subscriptions as /v2 shows it.
func (s *Service) GetV2(ctx context.Context, p partner.Principal, id string) (V2SubscriptionView, error) {
	sub, err := s.Store.Subscription(ctx, p.Scope(), id)
	if err != nil {
		return V2SubscriptionView{}, err
	}
	return V2View(sub), nil
}
