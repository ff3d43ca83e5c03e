// Package sdk serves the verigate Web SDK: one small, dependency-free script
// that opens verigate's Link (a session link, or Link for a user token) in an
// accessible modal iframe on a partner's page and reports what happens there
// through postMessage, and its TypeScript declarations (docs/sdk.md). The
// script defines two globals: Argyle, the platform's Web SDK interface,
// which it also serves at the platform's path (/argyle.web.v5.js), and
// Verigate, verigate's own v1 interface.
package sdk

import (
	"bytes"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"net/http"
	"time"
)

// The SDK's paths; v1 is the message protocol's version, and the files
// under it stay compatible with it.
const (
	ScriptPath = "/sdk/v1/verigate.js"
	TypesPath  = "/sdk/v1/verigate.d.ts"
	// PlatformPath is where partners of the platform load its Web SDK
	// from (its plugin host); the same script.
	PlatformPath = "/argyle.web.v5.js"
	// PlatformAliasPath is the same script under /sdk/, versioned.
	PlatformAliasPath = "/sdk/v5/argyle.web.js"
)

//go:embed verigate.js verigate.d.ts
var files embed.FS

type file struct {
	body        []byte
	contentType string
	etag        string
}

var script = load("verigate.js", "text/javascript; charset=utf-8")

var served = map[string]file{
	ScriptPath:        script,
	PlatformPath:      script,
	PlatformAliasPath: script,
	// Not video/mp2t, which the system's MIME table gives .ts files.
	TypesPath: load("verigate.d.ts", "application/typescript; charset=utf-8"),
}

func load(name, contentType string) file {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	sum := sha512.Sum384(b)
	return file{body: b, contentType: contentType, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
}

// Script returns the script as served.
func Script() []byte { return bytes.Clone(served[ScriptPath].body) }

// Integrity is the script's Subresource Integrity value, "sha384-<base64>",
// for a <script integrity> attribute.
func Integrity() string {
	sum := sha512.Sum384(served[ScriptPath].body)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Handler serves the SDK's files (under /sdk/, and /argyle.web.v5.js): cacheable for a day, readable
// from any origin (so that Subresource Integrity works cross-origin), never
// sniffed.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		f, ok := served[r.URL.Path]
		if !ok {
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hd.Set("Allow", "GET, HEAD")
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
			return
		}
		hd.Set("Content-Type", f.contentType)
		hd.Set("Cache-Control", "public, max-age=86400")
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
		hd.Set("ETag", f.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
	})
}
