package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"verigate/internal/poll"
	"verigate/internal/store"
	"verigate/internal/token"
)

// Delivery timing.
const (
	// Timeout bounds one delivery attempt.
	Timeout = 10 * time.Second
	// RetryFor is how long verigate keeps retrying a delivery that fails.
	RetryFor = 24 * time.Hour
	// FirstRetry is the default wait before the second attempt; each later
	// wait doubles, up to maxRetry.
	FirstRetry = 10 * time.Second
	maxRetry   = time.Hour
	// maxRetryAfter caps how long a receiver's Retry-After can postpone an attempt.
	maxRetryAfter = 6 * time.Hour
)

// Headers of a delivery.
const (
	HeaderSignature = "X-Argyle-Signature"
	HeaderDelivery  = "X-Verigate-Delivery"
	HeaderAttempt   = "X-Verigate-Attempt"
	HeaderEvent     = "X-Verigate-Event"
	// HeaderTimestamp is when the attempt was signed, in Unix seconds, and
	// HeaderTimestampSignature the signature of "<timestamp>.<body>": a
	// receiver that checks it can refuse replays of old deliveries.
	HeaderTimestamp          = "X-Verigate-Timestamp"
	HeaderTimestampSignature = "X-Verigate-Signature"
)

// SignTimestamped returns the lowercase hex HMAC-SHA512 of
// "<timestamp>.<body>" keyed with secret, as X-Verigate-Signature carries it.
func SignTimestamped(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10) + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Sign returns the lowercase hex HMAC-SHA512 of body keyed with secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// DeliveryStore is the storage a Dispatcher needs.
type DeliveryStore interface {
	// ClaimDelivery leases one due delivery whose verification has no
	// earlier undelivered event for the same subscription.
	ClaimDelivery(ctx context.Context, now, leaseUntil time.Time) (d store.Delivery, sub store.Subscription, ok bool, err error)
	// FinishDelivery saves an attempt's outcome while the lease holds.
	FinishDelivery(ctx context.Context, d store.Delivery) error
}

// Dispatcher delivers due webhook deliveries.
type Dispatcher struct {
	// Outcome, if set, is told how each attempt ended: delivered,
	// retrying (still pending) or failed.
	Outcome func(state string)
	Store   DeliveryStore
	Secrets *token.Sealer
	Now     func() time.Time
	Log     *slog.Logger
	// Sandbox sends sandbox deliveries; Production sends production ones
	// and refuses private addresses. Nil means the defaults.
	Sandbox, Production *http.Client
	// Jitter returns a factor near 1 that spreads retries; nil means random in [0.8, 1.2).
	Jitter func() float64
	// Poll is how often idle workers look for due deliveries.
	Poll time.Duration
	// FirstRetry, when positive, replaces the FirstRetry constant as the
	// first wait of the backoff schedule (still doubling up to an hour).
	// It is a testing knob: `verigate serve` sets it from the environment
	// variable VERIGATE_WEBHOOK_FIRST_RETRY so that end-to-end tests need
	// not wait 10 s for a retry.
	FirstRetry time.Duration

	once sync.Once
	wake chan struct{}
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 1)
		if d.Sandbox == nil {
			d.Sandbox = NewClient(false)
		}
		if d.Production == nil {
			d.Production = NewClient(true)
		}
		if d.Jitter == nil {
			d.Jitter = func() float64 { return 0.8 + 0.4*rand.Float64() }
		}
		if d.Poll == 0 {
			d.Poll = time.Second
		}
		if d.Log == nil {
			d.Log = slog.Default()
		}
	})
}

// Wake tells idle workers that a delivery may be due.
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// errPrivateAddress is returned when a production delivery would reach a non-public address.
var errPrivateAddress = errors.New("webhook: destination is not a public address")

// NewClient returns the HTTP client deliveries use; a guarded client refuses
// to connect to loopback, private and link-local addresses, whatever the
// name resolved to. Redirects are not followed.
func NewClient(guarded bool) *http.Client {
	dialer := &net.Dialer{Timeout: Timeout}
	if guarded {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !PublicIP(ip) {
				return errPrivateAddress
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         dialer.DialContext,
			TLSHandshakeTimeout: Timeout,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run delivers with workers concurrent workers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, workers int) {
	d.init()
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() { poll.Loop(ctx, d.Poll, d.wake, d.RunOnce, d.Log, "webhook delivery") })
	}
	wg.Wait()
}

// RunOnce makes one due delivery attempt, if any, and reports whether it found one.
func (d *Dispatcher) RunOnce(ctx context.Context) (bool, error) {
	d.init()
	now := d.Now()
	del, sub, ok, err := d.Store.ClaimDelivery(ctx, now, now.Add(Timeout+20*time.Second))
	if err != nil || !ok {
		return false, err
	}
	status, retryAfter, sendErr := d.send(ctx, del, sub)
	if ctx.Err() != nil {
		return true, ctx.Err() // shutting down: the lease runs out and the attempt is made again
	}
	now = d.Now().UTC().Truncate(time.Millisecond)
	del.LeaseUntil = now
	if status != 0 {
		del.LastStatus = &status
	}
	del.LastError = ""
	switch {
	case sendErr == nil && status >= 200 && status < 300:
		del.State, del.DeliveredAt = store.DeliveryDelivered, &now
	case sendErr == nil && status != http.StatusTooManyRequests && status < 500:
		del.State, del.LastError = store.DeliveryFailed, fmt.Sprintf("receiver answered %d; not retried", status)
	case now.Sub(del.CreatedAt) >= RetryFor:
		del.State = store.DeliveryFailed
		del.LastError = describe(status, sendErr) + "; gave up after " + RetryFor.String()
	default:
		del.State, del.LastError = store.DeliveryPending, describe(status, sendErr)
		del.NextAttemptAt = now.Add(d.backoff(del.Attempts, retryAfter))
	}
	if err := d.Store.FinishDelivery(ctx, del); err != nil {
		return true, fmt.Errorf("delivery %s: save attempt: %w", del.ID, err)
	}
	if d.Outcome != nil {
		state := del.State
		if state == store.DeliveryPending {
			state = "retrying"
		}
		d.Outcome(state)
	}
	if del.State == store.DeliveryDelivered {
		d.Log.Info("webhook attempt", "delivery", del.ID, "subscription", sub.ID, "attempt", del.Attempts, "status", status, "state", del.State)
	} else {
		// The operator sees why, the full error included; the partner's
		// delivery log keeps the reason without addresses.
		d.Log.Warn("webhook attempt failed", "delivery", del.ID, "subscription", sub.ID, "attempt", del.Attempts, "status", status,
			"state", del.State, "reason", del.LastError, "err", sendErr)
	}
	return true, nil
}

// describe is why an attempt failed, as the partner's delivery log shows
// it: never a resolver's, proxy's or receiver's address.
func describe(status int, err error) string {
	if err == nil {
		return fmt.Sprintf("receiver answered %d", status)
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var unknownAuth x509.UnknownAuthorityError
	switch {
	case errors.As(err, &dnsErr):
		return "the receiver's host name could not be resolved"
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &unknownAuth):
		return "the receiver's TLS certificate was not accepted"
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return "the receiver did not answer in time"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the receiver refused the connection"
	case errors.Is(err, errPrivateAddress):
		return "the receiver's address is not a public one"
	case errors.As(err, &opErr):
		return "the receiver could not be reached (" + opErr.Op + " failed)"
	}
	return "the receiver could not be reached"
}

// Backoff is the wait before attempt n+1 after n failed attempts, without jitter.
func Backoff(n int) time.Duration { return backoffFrom(FirstRetry, n) }

// backoffFrom is Backoff with first as the first wait.
func backoffFrom(first time.Duration, n int) time.Duration {
	wait := first
	for i := 1; i < n && wait < maxRetry; i++ {
		wait *= 2
	}
	return min(wait, maxRetry)
}

func (d *Dispatcher) backoff(attempts int, retryAfter time.Duration) time.Duration {
	first := FirstRetry
	if d.FirstRetry > 0 {
		first = d.FirstRetry
	}
	wait := time.Duration(float64(backoffFrom(first, attempts)) * d.Jitter())
	if retryAfter > wait {
		wait = min(retryAfter, maxRetryAfter)
	}
	return wait
}

// send makes one HTTP attempt and returns the status, any Retry-After, and a transport error.
func (d *Dispatcher) send(ctx context.Context, del store.Delivery, sub store.Subscription) (int, time.Duration, error) {
	body, err := Body(*del.Event, sub)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "verigate-webhooks/1")
	req.Header.Set(HeaderDelivery, del.ID)
	req.Header.Set(HeaderAttempt, strconv.Itoa(del.Attempts))
	req.Header.Set(HeaderEvent, del.Event.Event)
	if sub.Secret != "" {
		var secret string
		if err := d.Secrets.Open(sub.Secret, &secret); err != nil {
			return 0, 0, fmt.Errorf("open subscription secret: %w", err)
		}
		req.Header.Set(HeaderSignature, Sign(secret, body)) // the platform's, unchanged
		ts := d.Now().Unix()
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(HeaderTimestampSignature, "v1="+SignTimestamped(secret, ts, body))
	}
	client := d.Sandbox
	if sub.Environment == store.Production {
		client = d.Production
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), d.Now()), nil
}

// retryAfter reads a Retry-After header (seconds or an HTTP date).
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(h); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
