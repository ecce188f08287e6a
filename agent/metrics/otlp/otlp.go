// Package otlp pushes the agent's metrics to an OpenTelemetry collector over
// OTLP/HTTP, once per run, when the machine's owner configures an endpoint
// (see the README, Metrics → OTLP).
//
// It must not wake the agent between runs: a manual reader is collected in
// Push, no periodic reader, no background goroutine, no connection kept
// open. And it takes its settings from the config alone: the SDK's
// OTEL_* environment variables are overridden (the agent is a root service
// whose environment is fixed by the service manager).
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

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/exemplar"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"

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
	url      string
	timeout  time.Duration
	res      *resource.Resource
	reader   *sdkmetric.ManualReader
	provider *sdkmetric.MeterProvider
	exporter *otlpmetrichttp.Exporter

	// mu serialises Push: the instruments' callback reads snap while the
	// reader collects, inside Push, on Push's goroutine.
	mu   sync.Mutex
	snap metrics.Snapshot
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
	client := &http.Client{
		Timeout: s.timeout,
		Transport: &http.Transport{
			// Direct, as the probes: the collector is the owner's own, and
			// the environment's proxy variables are not the config.
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: s.timeout}).DialContext,
			TLSClientConfig:     s.tlsConfig,
			TLSHandshakeTimeout: s.timeout,
			ForceAttemptHTTP2:   true,
			// One push per run, minutes apart: a connection kept alive
			// would hold a socket and two goroutines for nothing.
			DisableKeepAlives: true,
		},
	}
	// Every option the SDK would otherwise take from an OTEL_EXPORTER_OTLP_*
	// variable is given here, so that the config alone decides. The SDK still
	// looks the variables up when it is built (and reads the certificate
	// files they name), then these options replace what it found.
	exp, err := otlpmetrichttp.New(context.Background(),
		otlpmetrichttp.WithEndpointURL(u.String()),
		otlpmetrichttp.WithHTTPClient(client),
		otlpmetrichttp.WithTLSClientConfig(nil),
		otlpmetrichttp.WithHeaders(map[string]string{}),
		otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression),
		otlpmetrichttp.WithTimeout(s.timeout),
		otlpmetrichttp.WithTemporalitySelector(sdkmetric.DefaultTemporalitySelector),
		otlpmetrichttp.WithAggregationSelector(sdkmetric.DefaultAggregationSelector),
		otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig{
			// A collector that says "later" (429, 502, 503, 504) is asked
			// again a few times within the bound, not for the SDK's default
			// minute; a Retry-After beyond the bound ends the push at once.
			Enabled:         true,
			InitialInterval: s.timeout / 5,
			MaxInterval:     s.timeout / 2,
			MaxElapsedTime:  s.timeout,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("setting up the OTLP exporter for %s: %w", u, err)
	}
	reader := sdkmetric.NewManualReader()
	e := &Exporter{
		url:      u.String(),
		timeout:  s.timeout,
		res:      newResource(version),
		reader:   reader,
		exporter: exp,
		// The provider's resource is not used (Push sends e.res): the SDK's
		// would merge in OTEL_RESOURCE_ATTRIBUTES. The exemplar filter and
		// the cardinality limit are set so that their OTEL_* variables
		// change nothing either.
		provider: sdkmetric.NewMeterProvider(
			sdkmetric.WithReader(reader),
			sdkmetric.WithExemplarFilter(exemplar.AlwaysOffFilter),
			sdkmetric.WithCardinalityLimit(2000),
		),
	}
	if err := e.register(); err != nil {
		return nil, errors.Join(err, e.provider.Shutdown(context.Background()), exp.Shutdown(context.Background()))
	}
	return e, nil
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
		return nil, fmt.Errorf("the OTLP endpoint %q is not an http:// or https:// URL; set [otlp] endpoint to a collector's address, such as http://collector.example:4318", endpoint)
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
	e.snap = s
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	var rm metricdata.ResourceMetrics
	if err := e.reader.Collect(ctx, &rm); err != nil {
		return fmt.Errorf("collecting the metrics for OTLP: %w", err)
	}
	rm.Resource = e.res
	if err := e.exporter.Export(ctx, &rm); err != nil {
		return fmt.Errorf("pushing metrics to the OpenTelemetry collector at %s failed; check that it runs and that [otlp] endpoint is its OTLP/HTTP address: %w", e.url, err)
	}
	return nil
}

// Shutdown releases the exporter; Push fails after it.
func (e *Exporter) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return errors.Join(e.provider.Shutdown(ctx), e.exporter.Shutdown(ctx))
}
