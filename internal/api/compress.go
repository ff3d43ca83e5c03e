package api

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
)

// compressMinSize is the smallest response body worth compressing: below it
// gzip's header and the work cost more than they save.
const compressMinSize = 1024

// compressedTypes are the media types verigate compresses; everything else
// (PDFs, images, uploaded files) is sent as it is.
var compressedTypes = []string{"text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
	"application/json", "application/problem+json", "application/yaml", "image/svg+xml"}

// compressor gzips responses of compressedTypes over compressMinSize for
// clients that accept it (never HEAD, 304 or partial responses; Vary:
// Accept-Encoding always). A compressed response's entity tag is made weak:
// it still answers If-None-Match, while If-Range, which needs a strong
// match, no longer mixes ranges of the two encodings.
func compressor(next http.Handler) http.Handler {
	// The fastest level: a 200-paystub page (about 425 KB of JSON) still
	// shrinks about tenfold, at a fraction of the default level's time.
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(compressMinSize), gzhttp.ContentTypes(compressedTypes), gzhttp.EnableZstd(false),
		gzhttp.CompressionLevel(gzip.BestSpeed))
	if err != nil {
		panic(err) // the options are constants
	}
	gz := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") == "" {
			// Nothing to choose between: spare the hot path the wrapper.
			w.Header().Add("Vary", "Accept-Encoding")
			next.ServeHTTP(w, r)
			return
		}
		gz.ServeHTTP(&weakETag{ResponseWriter: w}, r)
	})
}

// weakETag makes a strong entity tag weak when the response goes out with a
// Content-Encoding.
type weakETag struct {
	http.ResponseWriter
	wrote bool
}

func (w *weakETag) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		h := w.Header()
		if et := h.Get("ETag"); h.Get("Content-Encoding") != "" && strings.HasPrefix(et, `"`) {
			h.Set("ETag", "W/"+et)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *weakETag) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *weakETag) Unwrap() http.ResponseWriter { return w.ResponseWriter }
