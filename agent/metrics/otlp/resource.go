package otlp

import (
	"os"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
)

// schemaURL is the version of the semantic conventions the resource's
// attribute names follow.
const schemaURL = "https://opentelemetry.io/schemas/1.43.0"

// newResource says which machine the metrics are from. service.instance.id
// is the host name too: a collector's Prometheus exporter makes it the
// instance label, and without it every machine's series would share one
// (job="clearance", instance="") and overwrite each other.
func newResource(version string) *resourcepb.Resource {
	kv := []string{"service.name", "clearance", "service.version", version}
	if host, err := os.Hostname(); err == nil && host != "" {
		kv = append(kv, "host.name", host, "service.instance.id", host)
	}
	if osType != "" {
		kv = append(kv, "os.type", osType)
	}
	return &resourcepb.Resource{Attributes: attributes(kv)}
}

// attributes turns alternating keys and values into OTLP's string
// attributes.
func attributes(kv []string) []*commonpb.KeyValue {
	out := make([]*commonpb.KeyValue, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, &commonpb.KeyValue{
			Key:   kv[i],
			Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: kv[i+1]}},
		})
	}
	return out
}
