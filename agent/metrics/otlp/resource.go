package otlp

import (
	"os"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// newResource says which machine the metrics are from. service.instance.id
// is the host name too: a collector's Prometheus exporter makes it the
// instance label, and without it every machine's series would share one
// (job="clearance", instance="") and overwrite each other.
func newResource(version string) *resource.Resource {
	kv := []attribute.KeyValue{semconv.ServiceName("clearance"), semconv.ServiceVersion(version)}
	if host, err := os.Hostname(); err == nil && host != "" {
		kv = append(kv, semconv.HostName(host), semconv.ServiceInstanceID(host))
	}
	if osType.Valid() {
		kv = append(kv, osType)
	}
	return resource.NewWithAttributes(semconv.SchemaURL, kv...)
}
