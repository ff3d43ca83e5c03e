package api

import (
	"net/http"
	"strings"

	"verigate/internal/validate"
	"verigate/internal/webhook"
)

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, a.Webhooks.Create)
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	out, err := a.Webhooks.List(r.Context(), principal(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listPage[webhook.SubscriptionView]{Results: out})
	return nil
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, a.Webhooks.Get)
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	return deleteByID(w, r, a.Webhooks.Delete)
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	errs := validate.Errors{}
	page := pageParams(errs, r.URL.Query())
	if err := errs.Err(); err != nil {
		return err
	}
	limit := page.Limit
	page.Limit++
	rows, err := a.Webhooks.Deliveries(r.Context(), principal(r), id, page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, paginate(a, r, page, limit, rows, func(d webhook.DeliveryView) string { return d.ID }))
	return nil
}

func (a *API) retryDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	delivery := r.PathValue("delivery")
	if !validate.IsUUID(delivery) {
		return errNotFound
	}
	out, err := a.Webhooks.Retry(r.Context(), principal(r), id, strings.ToLower(delivery))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// /v2 webhooks: the same subscriptions, with the /v2 catalogue of events,
// config.days_synced, and the /v2 shape of a subscription.

func (a *API) createWebhookV2(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, a.Webhooks.CreateV2)
}

func (a *API) listWebhooksV2(w http.ResponseWriter, r *http.Request) error {
	errs := validate.Errors{}
	page := pageParams(errs, r.URL.Query())
	if err := errs.Err(); err != nil {
		return err
	}
	limit := page.Limit
	page.Limit++
	rows, err := a.Webhooks.ListV2(r.Context(), principal(r), page)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, paginate(a, r, page, limit, rows, func(s webhook.V2SubscriptionView) string { return s.ID }))
	return nil
}

func (a *API) getWebhookV2(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, a.Webhooks.GetV2)
}
