package api

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"verigate/internal/store"
)

// Handler returns the whole HTTP surface: the partner API, health checks and the link pages.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	api := func(path string, m methods) {
		mux.Handle(path, a.authenticated(a.dispatch(m)))
	}

	api("/partners/v2/users", methods{"POST": a.createUser})
	api("/partners/v2/users/{id}", methods{"GET": a.getUser, "PATCH": a.updateUser})
	api("/partners/v2/verifications", methods{"GET": a.listVerifications, "POST": a.orderVerification})
	api("/partners/v2/verifications/refresh", methods{"POST": a.refreshVerification})
	api("/partners/v2/verifications/{id}", methods{"GET": a.getVerification, "PATCH": a.updateVerification})
	api("/partners/v2/verifications/{id}/cancel", methods{"POST": a.cancelVerification})
	api("/partners/v2/sessions", methods{"POST": a.createSession})
	api("/partners/v2/webhooks", methods{"GET": a.listWebhooks, "POST": a.createWebhook})
	api("/partners/v2/webhooks/{id}", methods{"GET": a.getWebhook, "DELETE": a.deleteWebhook})
	api("/partners/v2/webhooks/{id}/deliveries", methods{"GET": a.listDeliveries})
	api("/partners/v2/webhooks/{id}/deliveries/{delivery}/retry", methods{"POST": a.retryDelivery})
	api("/partners/v2/accounts", methods{"GET": a.listAccounts})
	api("/partners/v2/accounts/{id}", methods{"GET": a.getAccount})
	api("/partners/v2/paystubs", methods{"GET": a.listPaystubs})
	api("/partners/v2/paystubs/{id}", methods{"GET": a.getPaystub})
	api("/partners/v2/payroll-documents", methods{"GET": a.listPayrollDocuments})
	api("/partners/v2/payroll-documents/{id}", methods{"GET": a.getPayrollDocument})
	api("/partners/v2/payroll-documents/{id}/file", methods{"GET": a.getPayrollDocumentFile})
	api("/partners/v2/bank-accounts", methods{"GET": a.listBankAccounts})
	api("/partners/v2/bank-accounts/{id}", methods{"GET": a.getBankAccount})
	api("/partners/v2/bank-transactions", methods{"GET": a.listBankTransactions})
	api("/partners/v2/bank-transactions/{id}", methods{"GET": a.getBankTransaction})
	api("/partners/v2/user-uploads", methods{"POST": a.createUpload})
	api("/partners/v2/user-uploads/{id}", methods{"GET": a.getUpload})
	api("/partners/v2/user-uploads/{id}/file", methods{"GET": a.uploadFile})
	api("/partners/v2/reports/{id}/{format}", methods{"GET": a.reportFile})
	api("/partners/v2/receipts", methods{"POST": a.createReceipt})
	for path, kind := range map[string]string{"flows": store.CustomizationFlow, "experiences": store.CustomizationExperience} {
		collection, item, logo := a.customizationRoutes(kind)
		api("/partners/v2/"+path, collection)
		api("/partners/v2/"+path+"/{id}", item)
		api("/partners/v2/"+path+"/{id}/logo", logo)
	}
	mux.Handle("/partners/", a.authenticated(http.HandlerFunc(a.notFound)))

	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.Pages != nil {
		mux.Handle("/connect/", a.Pages)
		mux.Handle("/assets/", a.Pages)
	}
	if a.SDK != nil {
		mux.Handle("/sdk/", a.SDK)
	}
	mux.HandleFunc("/", a.notFound)
	return a.observe(mux)
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
