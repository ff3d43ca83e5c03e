// Package baseline holds the bare net/http handler that verigate's
// throughput is measured against (docs/perf.md): the session call's JSON
// work and nothing of verigate's.
package baseline

import (
	"encoding/json"
	"net/http"
)

// Handler decodes a session request into a map and encodes a response of
// the same shape as verigate's: what a Go handler costs without
// authentication, storage, validation or sealing.
func Handler(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"verification": in["verification"], "configuration": in["configuration"],
		"link": "http://verigate.test/connect/0123456789abcdef", "data_source": "payroll"})
}
