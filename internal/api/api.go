// Package api serves verigate's HTTP API on its URL surfaces (the Partners
// v2 API under /partners/v2 and the platform's general API under /v2):
// routing, authentication, decoding, and the one mapping from errors to
// HTTP responses.
package api

import (
	"log/slog"
	"net/http"

	"verigate/internal/accountdata"
	"verigate/internal/customization"
	"verigate/internal/documents"
	"verigate/internal/invite"
	"verigate/internal/items"
	"verigate/internal/metrics"
	"verigate/internal/partner"
	"verigate/internal/ratelimit"
	"verigate/internal/report"
	"verigate/internal/sandbox"
	"verigate/internal/session"
	"verigate/internal/verification"
	"verigate/internal/webhook"
)

// API holds what the API's handlers call.
type API struct {
	// DB is the database the readiness check pings.
	DB            Pinger
	Keys          *partner.Keys
	Users         *partner.Users
	Verifications *verification.Service
	Sessions      *session.Service
	Webhooks      *webhook.Service
	// Customizations keeps flows and experiences.
	Customizations *customization.Service
	// Reports serves report files and receipts.
	Reports *report.Service
	// Documents stores uploads and queues documents verifications.
	Documents *documents.Service
	// Accounts serves connected accounts and their records.
	Accounts *accountdata.Service
	// Items searches the environment's item catalogs and keeps item filters.
	Items *items.Service
	// Invites sends, resends and revokes invites.
	Invites *invite.Service
	// Sandbox applies the sandbox tenants' controls.
	Sandbox *sandbox.Service
	// PublicURL is the externally visible base URL, without a trailing slash.
	PublicURL string
	Log       *slog.Logger
	// Pages serves the connection experience under /connect/.
	Pages http.Handler
	// SDK serves the Web SDK under /sdk/.
	SDK http.Handler
	// Limits throttles each API key's requests; nil means no limit.
	Limits *ratelimit.Limiter
	// Metrics counts requests and serves /metrics; nil serves no metrics.
	Metrics *metrics.Metrics
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
}
