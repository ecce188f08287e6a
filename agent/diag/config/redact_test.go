package config

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://collector.example:4318":                   "https://collector.example:4318",
		"https://ops:S3cretToken@collector.example:4318":   "https://ops:xxxxx@collector.example:4318",
		"https://S3cretToken@collector.example/v1/metrics": "https://xxxxx@collector.example/v1/metrics",
		"https://ops:@collector.example":                   "https://ops:xxxxx@collector.example",
		"https://gw.example/tenant@a/v1/metrics":           "https://gw.example/tenant@a/v1/metrics",
		"http://ops:S3cret/Token@collector.example":        "http://ops:xxxxx@collector.example",
		"grpc://ops:S3cretToken@collector.example:4317":    "grpc://ops:xxxxx@collector.example:4317",
		"ops:S3cretToken@collector.example:4318":           "ops:xxxxx@collector.example:4318",
		"http://ops:S3cretToken@collector example?a=b@c":   "http://ops:xxxxx@collector example?a=b@c",
		"collector.example:4318":                           "collector.example:4318",
		"":                                                 "",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// An OTLP endpoint may carry credentials (they are sent as HTTP basic
// authentication); an endpoint the file gets wrong is named in the error
// without them, for the error is logged and shown by `clearance status`.
func TestOTLPEndpointCredentials(t *testing.T) {
	c, err := Parse("c.toml", []byte("[otlp]\nendpoint = \"https://ops:S3cretToken@collector.example:4318\"\n"))
	if err != nil || c.OTLP.Endpoint != "https://ops:S3cretToken@collector.example:4318" {
		t.Fatalf("an endpoint with credentials: %q, %v", c.OTLP.Endpoint, err)
	}
	for _, v := range []string{
		"grpc://ops:S3cretToken@collector.example:4317",
		"ops:S3cretToken@collector.example:4318",
		"http://ops:S3cret/Token@collector.example:4318",
		"S3cretToken@collector.example:4318",
	} {
		_, err := Parse("c.toml", []byte("[otlp]\nendpoint = \""+v+"\"\n"))
		t.Logf("%s: %v", v, err)
		if err == nil || !strings.Contains(err.Error(), "otlp.endpoint") || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("%q: %v, want an error about otlp.endpoint without the credentials", v, err)
		}
	}
}
