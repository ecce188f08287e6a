// Package otlp pushes the agent's metrics to an OpenTelemetry collector over
// OTLP/HTTP, once per run, when the machine's owner configures an endpoint
// (see the README, Metrics → OTLP).
//
// It must not wake the agent between runs: Push builds the message from the
// snapshot it is given and posts it, with no timer, no goroutine and no
// connection left behind. It takes its settings from the config alone; no
// OTEL_* variable is read (the agent is a root service whose environment is
// fixed by the service manager).
//
// And it must stay small, for every command of the one binary pays for what
// it links, `clearance check` included: it speaks the protocol with the
// generated OTLP message types and google.golang.org/protobuf, without the
// OTel SDK, its exporters, or the collector's gRPC service package (a test
// in internal/layering keeps them out).
package otlp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/metrics"
)

// pushTimeout bounds one Push, retries included: a collector that is down
// or hangs costs the agent at most this long per run, and the next run
// pushes again anyway.
const pushTimeout = 5 * time.Second

// metricsPath is where an OTLP/HTTP receiver takes metrics.
const metricsPath = "/v1/metrics"

// Exporter pushes a Snapshot to one collector.
type Exporter struct {
	// url is where metrics are posted, without the credentials, which go
	// in user (nil: none) as HTTP basic authentication, as Go's client
	// would send them from the URL; shown is the URL as errors name it,
	// its credentials redacted.
	url, shown string
	user       *url.Userinfo
	client     *http.Client
	timeout    time.Duration
	resource   *resourcepb.Resource
	// start is when the Exporter was made: where the counters count from
	// when the snapshot does not say when the agent started.
	start time.Time

	// mu serialises Push and Shutdown.
	mu     sync.Mutex
	closed bool
}

// settings are what tests change: the bound, and the TLS settings (nil: the
// system's roots) a collector's certificate is checked with.
type settings struct {
	timeout   time.Duration
	tlsConfig *tls.Config
}

// New returns an Exporter for the collector at endpoint, a URL from the
// config. It sends nothing until Push.
func New(endpoint, version string) (*Exporter, error) {
	return newExporter(endpoint, version, settings{timeout: pushTimeout})
}

func newExporter(endpoint, version string, s settings) (*Exporter, error) {
	u, err := metricsURL(endpoint)
	if err != nil {
		return nil, err
	}
	shown, user := config.RedactURL(u.String()), u.User
	u.User = nil
	return &Exporter{
		url:      u.String(),
		shown:    shown,
		user:     user,
		timeout:  s.timeout,
		resource: newResource(version),
		start:    time.Now(),
		client: &http.Client{
			Timeout: s.timeout,
			Transport: &http.Transport{
				// Direct, as the probes: the collector is the owner's own,
				// and the environment's proxy variables are not the config.
				Proxy:               nil,
				DialContext:         (&net.Dialer{Timeout: s.timeout}).DialContext,
				TLSClientConfig:     s.tlsConfig,
				TLSHandshakeTimeout: s.timeout,
				ForceAttemptHTTP2:   true,
				// One push per run, minutes apart: a connection kept alive
				// would hold a socket and two goroutines for nothing.
				DisableKeepAlives: true,
			},
		},
	}, nil
}

// metricsURL maps the config's endpoint to the URL metrics are posted to,
// as the OpenTelemetry exporter specification maps its two variables: a URL
// without a path is a collector's base address, like
// OTEL_EXPORTER_OTLP_ENDPOINT, and metrics go to its /v1/metrics; a URL with
// a path is the metrics endpoint itself, like
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, and is used as it is.
func metricsURL(endpoint string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(endpoint))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the OTLP endpoint %q is not an http:// or https:// URL; set [otlp] endpoint to a collector's address, such as http://collector.example:4318", config.RedactURL(endpoint))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = metricsPath
	}
	return u, nil
}

// Push sends s to the collector, within the push's bound, and returns when
// it is delivered or has failed. Nothing is left running after it returns.
func (e *Exporter) Push(ctx context.Context, s metrics.Snapshot) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("the OTLP exporter for %s is shut down and pushes nothing more", e.shown)
	}
	body, err := encode(e.message(s, time.Now()))
	if err != nil {
		return fmt.Errorf("encoding the metrics for OTLP: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	defer e.client.CloseIdleConnections()
	err = e.post(ctx, body)
	var rejected *rejectedError
	switch {
	case errors.As(err, &rejected):
		return fmt.Errorf("the OpenTelemetry collector at %s took the push but %w; its own log says why", e.shown, err)
	case err != nil:
		return fmt.Errorf("pushing metrics to the OpenTelemetry collector at %s failed; check that it runs and that [otlp] endpoint is its OTLP/HTTP address: %w", e.shown, err)
	}
	return nil
}

// Shutdown releases the exporter; Push fails after it.
func (e *Exporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	e.client.CloseIdleConnections()
	return nil
}
