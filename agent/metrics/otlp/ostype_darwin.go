package otlp

import semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

// osType is the resource's os.type.
var osType = semconv.OSTypeDarwin
