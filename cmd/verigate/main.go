// Command verigate serves the Partners v2 verification API and its connection
// pages, and manages partner API keys.
//
//	verigate [serve] [flags]        run the server (the default)
//	verigate keys create [flags]    create a partner API key
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"verigate/internal/aggregate"
	"verigate/internal/logbuf"
	"verigate/internal/partner"
	"verigate/internal/ratelimit"
	"verigate/internal/server"
	"verigate/internal/store"
	"verigate/internal/token"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "verigate:", err)
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "verigate:", err)
		os.Exit(1)
	}
}

// usage is what verigate -h prints.
const usage = `usage: verigate [serve] [flags]       run the server (the default command)
       verigate keys create [flags]     create a partner API key
       verigate keys list [flags]       list API keys, with when each was last used
       verigate keys revoke KEY_ID      stop a key working (within a second everywhere)
       verigate keys rotate KEY_ID      replace a key: a new secret, the old key revoked
       verigate secret-key              print a new random secret key (for --secret-keys-file)
       verigate reseal [flags]          seal stored secrets and personal data with the configured keys
       verigate --version               print the version
add -h to a command for its flags`

// usageError is a command line verigate does not understand; main exits 2 for it.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		switch {
		case len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help"):
			fmt.Fprintln(stdout, usage)
			return nil
		case len(args) > 0 && (args[0] == "--version" || args[0] == "-version"):
			fmt.Fprintln(stdout, "verigate", version())
			return nil
		}
		return serve(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "keys":
		if len(args) > 1 {
			switch args[1] {
			case "create":
				return keysCreate(ctx, args[2:], stdout, stderr)
			case "list", "revoke", "rotate":
				return keysManage(ctx, args[1], args[2:], stdout, stderr)
			}
		}
		return usageError{"usage: verigate keys create|list|revoke|rotate [flags]; add -h for a command's flags"}
	case "help":
		fmt.Fprintln(stdout, usage)
		return nil
	case "reseal":
		return reseal(ctx, args[1:], stdout, stderr)
	case "secret-key":
		k, err := token.NewKey()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(k))
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// version names the build: the module version, else the VCS revision it
// was built from, else "devel".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "devel-" + rev
}

// parseFlags parses a command's flags: -h prints its flags and is no error.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	if err != nil {
		return false, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return false, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return false, nil
}

// env returns the environment variable name's value, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envFloat is env for a number; a value that is not one is kept for the
// flag to refuse.
func envFloat(name string, def float64) float64 {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return def
}

// envInt is env for a whole number; a value that is not one gives 0, which
// the flags using it refuse.
func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0
		}
		return n
	}
	return def
}

// envDuration reads a duration like 1.5s from the environment, or def when unset or unreadable.
func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

const defaultDatabase = "./data/verigate.db"

func databaseFlag(fs *flag.FlagSet) *string {
	return fs.String("database-url", env("VERIGATE_DATABASE_URL", defaultDatabase),
		"database: an SQLite file path, or a postgres:// URL (env VERIGATE_DATABASE_URL)")
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("VERIGATE_ADDR", "127.0.0.1:8080"), "listen address (env VERIGATE_ADDR)")
	dbURL := databaseFlag(fs)
	publicURL := fs.String("public-url", env("VERIGATE_PUBLIC_URL", ""), "base URL of session links; default http://<addr> (env VERIGATE_PUBLIC_URL)")
	frames := fs.String("frame-ancestors", env("VERIGATE_FRAME_ANCESTORS", ""), "origins allowed to frame the connection pages, space- or comma-separated; none by default (env VERIGATE_FRAME_ANCESTORS)")
	reportsDir := fs.String("reports-dir", env("VERIGATE_REPORTS_DIR", "./data/reports"), "directory generated reports are stored in (env VERIGATE_REPORTS_DIR)")
	uploadsDir := fs.String("uploads-dir", env("VERIGATE_UPLOADS_DIR", "./data/uploads"), "directory uploaded documents are stored in (env VERIGATE_UPLOADS_DIR)")
	logFormat := fs.String("log-format", env("VERIGATE_LOG_FORMAT", "text"), "log format: text or json (env VERIGATE_LOG_FORMAT)")
	mode := fs.String("mode", env("VERIGATE_MODE", "development"), "development or production; production refuses to start without secret keys (env VERIGATE_MODE)")
	keysFile := fs.String("secret-keys-file", env("VERIGATE_SECRET_KEYS_FILE", ""), "file of secret keys, one base64 key a line, the current one first; or the keys themselves, comma-separated, in env VERIGATE_SECRET_KEYS")
	rateLimit := fs.Float64("rate-limit", envFloat("VERIGATE_RATE_LIMIT", ratelimit.DefaultRate), "requests per second each API key may make, across every process on the database; 0 means no limit (env VERIGATE_RATE_LIMIT)")
	connectingMin := fs.Duration("connecting-min", envDuration("VERIGATE_CONNECTING_MIN", server.DefaultConnectingMinimum), "how long the hosted pages show \"connecting\" after an account is connected, however fast its data arrives; 0 shows it only while the data is fetched (env VERIGATE_CONNECTING_MIN)")
	aggWorkers := fs.Int("aggregation-workers", envInt("VERIGATE_AGGREGATION_WORKERS", aggregate.DefaultWorkers), "accounts aggregated at the same time, 1 to 64 (env VERIGATE_AGGREGATION_WORKERS)")
	metricsToken := fs.String("metrics-token", env("VERIGATE_METRICS_TOKEN", ""), "bearer token GET /metrics asks for; none means open (env VERIGATE_METRICS_TOKEN)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *publicURL != "" {
		if err := checkPublicURL(*publicURL); err != nil {
			return err
		}
	}
	secretKeys, err := loadSecretKeys(*keysFile, os.Getenv("VERIGATE_SECRET_KEYS"))
	if err != nil {
		return err
	}
	switch *mode {
	case "development":
	case "production":
		if len(secretKeys) == 0 {
			return errors.New("production mode needs secret keys (--secret-keys-file or VERIGATE_SECRET_KEYS; make one with `verigate secret-key`): " +
				"without them the key that protects links and webhook secrets would live in the database it protects")
		}
	default:
		return usageError{fmt.Sprintf("--mode must be development or production, not %q", *mode)}
	}
	if *connectingMin < 0 {
		return usageError{fmt.Sprintf("--connecting-min: %v is negative", *connectingMin)}
	}
	if *aggWorkers < 1 || *aggWorkers > 64 {
		return usageError{fmt.Sprintf("--aggregation-workers: %d is not a number of workers from 1 to 64 (VERIGATE_AGGREGATION_WORKERS must be a whole number)", *aggWorkers)}
	}
	if *rateLimit < 0 || math.IsNaN(*rateLimit) || math.IsInf(*rateLimit, 0) {
		return usageError{fmt.Sprintf("--rate-limit: %v is not a number of requests per second (0 for no limit)", *rateLimit)}
	}
	// Log lines are written out in batches, within 100 ms: one system call
	// per request would cost more than formatting the line.
	logOut := logbuf.New(stderr, 100*time.Millisecond)
	defer logOut.Flush()
	log, err := newLogger(*logFormat, logOut)
	if err != nil {
		return err
	}
	ancestors, err := parseOrigins(*frames)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	memLimit, memFromEnv := server.SetMemoryLimit(os.Getenv)
	gcPercent, gcFromEnv := server.SetGCPercent(os.Getenv)

	st, err := server.OpenStore(ctx, *dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := *publicURL
	if base == "" {
		base = localURL(ln.Addr())
	}
	app, err := server.New(ctx, st, server.Options{PublicURL: base, Log: log, FrameAncestors: ancestors,
		ReportsDir: *reportsDir, UploadsDir: *uploadsDir, MetricsToken: *metricsToken, RateLimit: *rateLimit, SecretKeys: secretKeys,
		ConnectingMinimum: *connectingMin})
	if err != nil {
		ln.Close()
		return err
	}
	if err := bootstrap(ctx, app.Keys, st, base, stdout); err != nil {
		ln.Close()
		return err
	}
	// A testing knob, deliberately not a flag: end-to-end tests shorten the
	// first webhook retry (10 s by default) so they need not wait for it.
	if v := os.Getenv("VERIGATE_WEBHOOK_FIRST_RETRY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			ln.Close()
			return fmt.Errorf("VERIGATE_WEBHOOK_FIRST_RETRY: %q is not a positive duration like 500ms", v)
		}
		app.Dispatcher.FirstRetry = d
		log.Warn("webhook first retry shortened for testing", "first_retry", d.String())
	}
	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("verigate listening", "addr", ln.Addr().String(), "public_url", base, "database", store.Describe(*dbURL),
		"memory_limit", memLimit, "memory_limit_from_gomemlimit", memFromEnv, "gc_percent", gcPercent, "gc_percent_from_gogc", gcFromEnv)
	workCtx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	go app.Keys.Run(workCtx, 10*time.Second, log)
	if app.Limits != nil {
		go app.Limits.Run(workCtx, st, time.Second, log)
	}
	go app.Aggregator.Run(workCtx, *aggWorkers)
	go app.Documents.Run(workCtx)
	go app.Dispatcher.Run(workCtx, 4)
	go st.RunOptimize(workCtx, 10*time.Minute, log)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; letting in-flight requests finish")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopWork()
	log.Info("stopped")
	return nil
}

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("unknown --log-format %q (want text or json)", format)
}

// bootstrap creates a sandbox partner on an empty database and prints its
// key once, with a command to try it.
func bootstrap(ctx context.Context, keys *partner.Keys, st interface {
	CountPartners(ctx context.Context) (int, error)
}, base string, w io.Writer) error {
	if n, err := st.CountPartners(ctx); err != nil || n > 0 {
		return err
	}
	k, created, err := keys.CreateFirstPartner(ctx, "Sandbox partner", "first start", store.Sandbox)
	if err != nil || !created {
		return err // another process made the first partner at the same moment
	}
	fmt.Fprintf(w, `
verigate: first start on an empty database; created a sandbox partner.
  api_key_id:     %s
  api_key_secret: %s   (shown only now; verigate keeps a hash)
  client:         %s

Try it:
  curl -u '%s:%s' -H 'Content-Type: application/json' -d '{"client": "%s", "first_name": "Jane", "last_name": "Doe"}' %s/partners/v2/users

`, k.ID, k.Secret, k.ClientID, k.ID, k.Secret, k.ClientID, base)
	return nil
}

func keysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "api key", "a name for the key")
	envName := fs.String("environment", "sandbox", "sandbox or production")
	client := fs.String("client", "", "add the key to the partner owning this client (default: a new partner)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	dbURL := databaseFlag(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	environment := store.Environment(*envName)
	if !environment.Valid() {
		return fmt.Errorf("--environment must be sandbox or production, not %q", *envName)
	}
	st, err := server.OpenStore(ctx, *dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	keys := &partner.Keys{Store: st, Now: time.Now}
	var k partner.NewKey
	if *client != "" {
		k, err = keys.CreateKeyForClient(ctx, *client, *name, environment)
	} else {
		k, err = keys.CreatePartner(ctx, "Partner", *name, environment)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(k)
	}
	fmt.Fprintf(stdout, "api_key_id:     %s\napi_key_secret: %s   (shown only now)\nclient:         %s\nenvironment:    %s\n", k.ID, k.Secret, k.ClientID, k.Environment)
	return nil
}

// keysManage lists, revokes or rotates API keys.
func keysManage(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := databaseFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	client := new(string)
	if cmd == "list" {
		client = fs.String("client", "", "only the keys of the partner owning this client")
	}
	// The key id comes first or last: verigate keys revoke KEY_ID [flags].
	id := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if cmd != "list" && id == "" {
		return usageError{fmt.Sprintf("usage: verigate keys %s KEY_ID [--json] [--database-url URL]", cmd)}
	}
	st, err := server.OpenStore(ctx, *dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	keys := &partner.Keys{Store: st, Now: time.Now}
	var out any
	switch cmd {
	case "list":
		sc := partner.KeyScope{}
		if *client != "" {
			c, err := st.Client(ctx, strings.ToLower(*client))
			if err != nil {
				return fmt.Errorf("client %s: %w", *client, err)
			}
			sc.PartnerID = c.PartnerID
		}
		list, err := keys.List(ctx, sc)
		if err != nil {
			return err
		}
		if !*asJSON {
			for _, k := range list {
				used, revoked := "never", ""
				if k.LastUsedAt != nil {
					used = *k.LastUsedAt
				}
				if k.RevokedAt != nil {
					revoked = "  revoked " + *k.RevokedAt
				}
				fmt.Fprintf(stdout, "%s  %-10s  client %s  %q  created %s  last used %s%s\n", k.ID, k.Environment, k.Client, k.Name, k.CreatedAt, used, revoked)
			}
			return nil
		}
		out = list
	case "revoke":
		if out, err = keys.Revoke(ctx, partner.KeyScope{}, id); err != nil {
			return fmt.Errorf("revoke %s: %w", id, err)
		}
		if !*asJSON {
			fmt.Fprintf(stdout, "revoked %s; it stops working within a second on every verigate process\n", id)
			return nil
		}
	case "rotate":
		k, err := keys.Rotate(ctx, partner.KeyScope{}, id)
		if err != nil {
			return fmt.Errorf("rotate %s: %w", id, err)
		}
		if !*asJSON {
			fmt.Fprintf(stdout, "api_key_id:     %s\napi_key_secret: %s   (shown only now)\nclient:         %s\nenvironment:    %s\n%s is revoked.\n", k.ID, k.Secret, k.ClientID, k.Environment, id)
			return nil
		}
		out = k
	}
	return json.NewEncoder(stdout).Encode(out)
}

// reseal seals a database's secrets and personal data again with the
// configured keys and removes its development key.
func reseal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reseal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := databaseFlag(fs)
	keysFile := fs.String("secret-keys-file", env("VERIGATE_SECRET_KEYS_FILE", ""), "file of secret keys, the current one first (or VERIGATE_SECRET_KEYS)")
	reportsDir := fs.String("reports-dir", env("VERIGATE_REPORTS_DIR", "./data/reports"), "directory of the report files to seal again (env VERIGATE_REPORTS_DIR)")
	uploadsDir := fs.String("uploads-dir", env("VERIGATE_UPLOADS_DIR", "./data/uploads"), "directory of the uploaded files to seal again (env VERIGATE_UPLOADS_DIR)")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	keys, err := loadSecretKeys(*keysFile, os.Getenv("VERIGATE_SECRET_KEYS"))
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return usageError{"reseal needs the secret keys: --secret-keys-file or VERIGATE_SECRET_KEYS"}
	}
	st, err := server.OpenStore(ctx, *dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	rep, err := server.Reseal(ctx, st, keys, *reportsDir, *uploadsDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sealed again: %d files, %d secrets, %d user profiles, %d account records; the database keeps no key\n",
		rep.Files, rep.Secrets, rep.Profiles, rep.Records)
	return nil
}

// loadSecretKeys reads the secret keys from a file (one base64 key a line;
// blank lines and # comments ignored) or, without a file, from a
// comma-separated list; the first key is the current one.
func loadSecretKeys(file, list string) ([][]byte, error) {
	var entries []string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--secret-keys-file: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				entries = append(entries, line)
			}
		}
	} else {
		for _, e := range strings.Split(list, ",") {
			if e = strings.TrimSpace(e); e != "" {
				entries = append(entries, e)
			}
		}
	}
	var keys [][]byte
	for i, e := range entries {
		k, err := base64.StdEncoding.DecodeString(e)
		if err != nil {
			k, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(e, "="))
		}
		if err != nil || len(k) < token.KeySize {
			return nil, fmt.Errorf("secret key %d is not %d or more bytes in base64 (make one with `verigate secret-key`)", i+1, token.KeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// checkPublicURL refuses a --public-url that is not an absolute http(s) URL
// without query or fragment.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return usageError{fmt.Sprintf("--public-url: %q is not an http(s) base URL like https://verigate.example", s)}
	}
	return nil
}

// localURL is a URL a person can open for a listening address: a wildcard
// host (":8080", "[::]:8080", "0.0.0.0:8080") becomes localhost.
func localURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// parseOrigins reads a space- or comma-separated list of web origins.
func parseOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return nil, fmt.Errorf("--frame-ancestors: %q is not an origin like https://partner.example", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}
