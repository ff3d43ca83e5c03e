package api

import (
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"

	"verigate/internal/store"
)

// Handler returns the whole HTTP surface: the API's surfaces, health checks
// and the link pages.
//
// # How the HTTP layer is laid out
//
// The API serves its operations on URL surfaces: a surface is a URL prefix
// with its own contract, like /partners/v2 (the Partners v2 contract) and,
// later, /v2 (the platform's general API). One domain serves them all, and
// one handler serves an operation on every surface it belongs to.
//
//   - operations is the table of every operation: its method, its
//     path under a surface's prefix, its handler and the surfaces it is
//     served on. Handler registers each operation once per surface, under
//     that surface's prefix, behind authentication and method dispatch.
//   - A handler that presents something differently per surface (a view
//     with fields one contract lacks, a URL that names the surface) asks
//     surfaceOf(r); an operation whose behaviour differs beyond that gets
//     one row per surface, each with its own handler. Pagination links
//     reuse the request's own path, so they stay on the surface the request
//     came in on.
//   - Handlers are thin: decode and validate the request, call a domain
//     service, encode the answer. They live in files named after their URL
//     group (users.go, paystubs.go, payroll_documents.go, ...); decode.go,
//     multipart.go, params.go, pagination.go and encode.go hold the shared
//     reading and writing, errors.go the one mapping from errors to
//     responses, middleware.go request ids, logging and authentication.
//
// A new operation gets a row in operations and a handler in its group's
// file; an operation that another surface already serves gets that
// surface added to its row. A new surface is a surface value added to
// served. docs/api.md describes the same in its section "How the HTTP layer
// is laid out".
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	ops := a.operations()
	for _, s := range served {
		paths := map[string]methods{}
		for _, op := range ops {
			for _, on := range op.surfaces {
				if on != s {
					continue
				}
				if paths[op.path] == nil {
					paths[op.path] = methods{}
				}
				if paths[op.path][op.method] != nil {
					panic(fmt.Sprintf("api: %s %s%s is listed twice", op.method, s.prefix, op.path))
				}
				paths[op.path][op.method] = op.handler
			}
		}
		for path, m := range paths {
			mux.Handle(s.prefix+path, a.authenticated(a.dispatch(m)))
		}
		mux.Handle(s.tree, a.authenticated(http.HandlerFunc(a.notFound)))
	}

	if a.Metrics != nil {
		mux.Handle("GET /metrics", a.Metrics.Handler(a.MetricsToken))
	}
	mux.HandleFunc("GET /openapi.yaml", a.openAPI)
	mux.HandleFunc("GET /{$}", a.landing)
	mux.HandleFunc("GET /docs/{name}", a.docsPage)
	mux.HandleFunc("GET /logos/{colour}/{file}", a.logoTile)
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.Pages != nil {
		mux.Handle("/connect/", a.Pages)
		mux.Handle("/link/", a.Pages)
		mux.Handle("/assets/", a.Pages)
	}
	if a.SDK != nil {
		mux.Handle("/sdk/", a.SDK)
		mux.Handle("/argyle.web.v5.js", a.SDK) // the platform's Web SDK path (docs/sdk.md)
	}
	mux.HandleFunc("/", a.notFound)
	return a.observe(compressor(a.canonical(mux)))
}

// canonical answers a path that is not in its clean form ("//partners/v2/...",
// "/v2/./users", "/a/../b") with the ordinary 404 — JSON, or the pages'
// not-found page under /connect/ and /link/ — instead of the redirect the
// router would send: an API client must never be redirected elsewhere.
func (a *API) canonical(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		clean := path.Clean(p)
		if strings.HasSuffix(p, "/") && clean != "/" {
			clean += "/"
		}
		if p == "" || clean == p {
			next.ServeHTTP(w, r)
			return
		}
		if a.Pages != nil && (strings.HasPrefix(clean, "/connect/") || strings.HasPrefix(clean, "/link/")) {
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawPath = "/connect/", ""
			a.Pages.ServeHTTP(w, r2) // the pages' not-found page
			return
		}
		a.writeError(w, r, errNotFound)
	})
}

// operation is one method on one path, served on the surfaces it lists.
type operation struct {
	method string
	// path follows the surface's prefix: "/users/{id}".
	path     string
	handler  handlerFunc
	surfaces []surface
}

// operations lists every operation of the API.
func (a *API) operations() []operation {
	p := []surface{partners}
	g := []surface{v2}
	ops := []operation{
		// Users and user tokens.
		{"POST", "/user-tokens", a.createUserToken, g},
		{"POST", "/users", a.createUserV2, g},
		{"GET", "/users", a.listUsersV2, g},
		{"GET", "/users/{id}", a.getUserV2, g},
		{"PATCH", "/users/{id}", a.updateUserV2, g},
		{"DELETE", "/users/{id}", a.deleteUserV2, g},

		// Items, employer search and item filters (/v2).
		{"GET", "/items", a.listItems, g},
		{"GET", "/items/{id}", a.getItem, g},
		{"GET", "/employer-search", a.searchEmployers, g},
		{"POST", "/item-filters", a.createItemFilter, g},
		{"GET", "/item-filters", a.listItemFilters, g},
		{"GET", "/item-filters/{id}", a.getItemFilter, g},
		{"PUT", "/item-filters/{id}", a.replaceItemFilter, g},
		{"DELETE", "/item-filters/{id}", a.deleteItemFilter, g},

		// Invites (/v2).
		{"POST", "/invites", a.sendInvite, g},
		{"GET", "/invites", a.listInvites, g},
		{"GET", "/invites/{id}", a.getInvite, g},
		{"POST", "/invites/{id}", a.resendInvite, g},
		{"POST", "/invites/{id}/revoke", a.revokeInvite, g},

		// Accounts and their payroll data (/v2).
		{"GET", "/accounts", a.listV2Accounts, g},
		{"GET", "/accounts/{id}", a.getAccount, g},
		{"DELETE", "/accounts/{id}", a.deleteAccount, g},
		{"POST", "/accounts/{id}/disable-ongoing-refresh", a.disableOngoingRefresh, g},
		{"GET", "/identities", a.listIdentities, g},
		{"GET", "/identities/{id}", a.getIdentity, g},
		{"GET", "/employments", a.listEmployments, g},
		{"GET", "/paystubs", a.listPaystubs, g},
		{"GET", "/paystubs/{id}", a.getPaystub, g},
		{"GET", "/payroll-documents", a.listPayrollDocuments, g},
		{"GET", "/payroll-documents/{id}", a.getPayrollDocument, g},
		{"GET", "/payroll-documents/{id}/file", a.getPayrollDocumentFile, g},
		{"GET", "/deposit-destinations", a.listDepositDestinations, g},
		{"GET", "/deposit-destinations/{id}", a.getDepositDestination, g},

		// Gigs, shifts, ratings and vehicles (/v2).
		{"GET", "/gigs", a.listGigs, g},
		{"GET", "/gigs/{id}", a.getGig, g},
		{"GET", "/shifts", a.listShifts, g},
		{"GET", "/shifts/{id}", a.getShift, g},
		{"GET", "/ratings", a.listRatings, g},
		{"GET", "/ratings/{id}", a.getRating, g},
		{"GET", "/vehicles", a.listVehicles, g},
		{"GET", "/vehicles/{id}", a.getVehicle, g},

		// Webhooks (/v2).
		{"GET", "/webhooks", a.listWebhooksV2, g},
		{"POST", "/webhooks", a.createWebhookV2, g},
		{"GET", "/webhooks/{id}", a.getWebhookV2, g},
		{"DELETE", "/webhooks/{id}", a.deleteWebhook, g},

		// Reports, user uploads and receipts (/v2). POST /reports/{type}
		// shares its pattern with /reports/{id}: the type is the {id} value.
		{"POST", "/reports/{id}", a.createReport, g},
		{"GET", "/reports", a.listReports, g},
		{"GET", "/reports/{id}", a.getReport, g},
		{"DELETE", "/reports/{id}", a.deleteReport, g},
		{"GET", "/user-uploads", a.listUploads, g},

		// API keys (verigate additions).
		{"GET", "/api-keys", a.listAPIKeys, p},
		{"POST", "/api-keys/{key}/revoke", a.revokeAPIKey, p},
		{"POST", "/api-keys/{key}/rotate", a.rotateAPIKey, p},

		// Partners v2.

		{"POST", "/users", a.createUser, p},
		{"GET", "/users/{id}", a.getUser, p},
		{"PATCH", "/users/{id}", a.updateUser, p},

		{"GET", "/verifications", a.listVerifications, []surface{partners, v2}},
		{"POST", "/verifications", a.orderVerification, []surface{partners, v2}},
		{"POST", "/verifications/refresh", a.refreshVerification, []surface{partners, v2}},
		{"GET", "/verifications/{id}", a.getVerification, []surface{partners, v2}},
		{"PATCH", "/verifications/{id}", a.updateVerification, []surface{partners, v2}},
		{"POST", "/verifications/{id}/cancel", a.cancelVerification, []surface{partners, v2}},

		{"POST", "/sessions", a.createSession, []surface{partners, v2}},

		{"GET", "/webhooks", a.listWebhooks, p},
		{"POST", "/webhooks", a.createWebhook, p},
		{"GET", "/webhooks/{id}", a.getWebhook, p},
		{"DELETE", "/webhooks/{id}", a.deleteWebhook, p},
		{"GET", "/webhooks/{id}/deliveries", a.listDeliveries, p},
		{"POST", "/webhooks/{id}/deliveries/{delivery}/retry", a.retryDelivery, p},

		{"GET", "/accounts", a.listAccounts, p},
		{"GET", "/accounts/{id}", a.getAccount, p},
		{"GET", "/paystubs", a.listPaystubs, p},
		{"GET", "/paystubs/{id}", a.getPaystub, p},
		{"GET", "/payroll-documents", a.listPayrollDocuments, p},
		{"GET", "/payroll-documents/{id}", a.getPayrollDocument, p},
		{"GET", "/payroll-documents/{id}/file", a.getPayrollDocumentFile, p},
		{"GET", "/bank-accounts", a.listBankAccounts, p},
		{"GET", "/bank-accounts/{id}", a.getBankAccount, p},
		{"GET", "/bank-transactions", a.listBankTransactions, p},
		{"GET", "/bank-transactions/{id}", a.getBankTransaction, p},

		{"POST", "/user-uploads", a.createUpload, []surface{partners, v2}},
		{"GET", "/user-uploads/{id}", a.getUpload, []surface{partners, v2}},
		{"GET", "/user-uploads/{id}/file", a.uploadFile, []surface{partners, v2}},

		{"GET", "/reports/{id}/{format}", a.reportFile, []surface{partners, v2}},
		{"POST", "/receipts", a.createReceipt, []surface{partners, v2}},

		// Sandbox controls (verigate additions, sandbox keys only).
		{"GET", "/sandbox/settings", a.getSandboxSettings, []surface{partners, v2}},
		{"PATCH", "/sandbox/settings", a.updateSandboxSettings, []surface{partners, v2}},
		{"POST", "/sandbox/webhooks/{id}/test", a.fireTestWebhook, []surface{partners, v2}},
		{"POST", "/sandbox/accounts/{id}/paystubs", a.addSandboxPaystubs, []surface{partners, v2}},
	}
	for _, c := range []struct{ path, kind string }{
		{"/flows", store.CustomizationFlow},
		{"/experiences", store.CustomizationExperience},
	} {
		ops = append(ops,
			operation{"GET", c.path, a.listCustomizations(c.kind), p},
			operation{"POST", c.path, a.createCustomization(c.kind), p},
			operation{"GET", c.path + "/{id}", a.getCustomization(c.kind), p},
			operation{"PATCH", c.path + "/{id}", a.updateCustomization(c.kind), p},
			operation{"DELETE", c.path + "/{id}", a.deleteCustomization(c.kind), p},
			operation{"PUT", c.path + "/{id}/logo", a.setCustomizationLogo(c.kind), p},
			operation{"DELETE", c.path + "/{id}/logo", a.deleteCustomizationLogo(c.kind), p},
		)
	}
	return ops
}

// surface is one URL tree of the API: the operations of one contract under
// a common prefix.
type surface struct {
	// name names the surface: "partners" or "v2".
	name string
	// prefix starts each of the surface's paths; it has no trailing slash.
	prefix string
	// tree is the subtree whose unknown paths answer 404 after
	// authentication, like the surface's operations.
	tree string
}

var (
	// partners is the Partners v2 API.
	partners = surface{name: "partners", prefix: "/partners/v2", tree: "/partners/"}
	// v2 is the platform's general API.
	v2 = surface{name: "v2", prefix: "/v2", tree: "/v2/"}

	// surfaces lists every surface surfaceOf knows.
	surfaces = []surface{partners, v2}
	// served lists the surfaces Handler registers.
	served = []surface{partners, v2}
)

// surfaceOf returns the surface whose route r matched; it is partners for a
// request that matched none.
func surfaceOf(r *http.Request) surface {
	p := r.Pattern
	if i := strings.IndexByte(p, '/'); i > 0 {
		p = p[i:] // drop a method or host
	}
	for _, s := range surfaces {
		if strings.HasPrefix(p, s.tree) {
			return s
		}
	}
	return partners
}

// handlerFunc is an API handler that returns its error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// methods maps an HTTP method to the handler for one path.
type methods map[string]handlerFunc

// dispatch serves one path by method and answers other methods with a JSON 405.
func (a *API) dispatch(m methods) http.Handler {
	allowed := make([]string, 0, len(m))
	for k := range m {
		allowed = append(allowed, k)
	}
	sort.Strings(allowed)
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := m[r.Method]
		if !ok {
			w.Header().Set("Allow", allow)
			a.writeError(w, r, detail(http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method)))
			return
		}
		if err := checkQuery(r); err != nil {
			a.writeError(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

func (a *API) notFound(w http.ResponseWriter, r *http.Request) {
	a.writeError(w, r, errNotFound)
}
