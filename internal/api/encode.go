package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
)

// writeJSON sends body as JSON with status.
func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"detail":"Internal server error."}`)
	}
	writeRawJSON(w, status, b)
}

// writeRawJSON sends b, a JSON value already encoded, with status.
func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeFile sends an immutable file with its checksum as the entity tag.
func writeFile(w http.ResponseWriter, contentType, disposition, fileName, sha string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": fileName}))
	h.Set("ETag", `"`+sha+`"`)
	h.Set("Cache-Control", "private, max-age=86400, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
