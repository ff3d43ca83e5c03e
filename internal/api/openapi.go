package api

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the OpenAPI document of the operations verigate serves beyond
// the published contracts (flows, experiences, webhook deliveries, API keys,
// files, Link for a user token, operations endpoints), served at /openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(OpenAPI)
}
