//go:build !linux && !windows && !darwin

package otlp

import "go.opentelemetry.io/otel/attribute"

// osType is left out where the agent does not run.
var osType attribute.KeyValue
