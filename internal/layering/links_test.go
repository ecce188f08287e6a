package layering

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// heavy are libraries the product must not link: every command of the one
// binary would pay for them at start-up, `clearance check` included. The
// OTLP push speaks the protocol with the generated message types and
// google.golang.org/protobuf alone (see agent/metrics/otlp); the OTel SDK
// and its exporters, gRPC, grpc-gateway and genproto come with the
// collector's gRPC service stubs and are for tests only. The Prometheus
// exposition is built as client_model's messages and written with
// prometheus/common's expfmt (see agent/metrics); client_golang registers
// a global registry with Go and process collectors when it is loaded, and
// is for tests only (promlint).
var heavy = []string{
	"google.golang.org/grpc",
	"google.golang.org/genproto",
	"github.com/grpc-ecosystem/grpc-gateway",
	"go.opentelemetry.io/otel/sdk",
	"go.opentelemetry.io/otel/exporters",
	"go.opentelemetry.io/proto/otlp/collector",
	"github.com/prometheus/client_golang",
}

// isHeavy reports whether importPath is one of heavy or below it.
func isHeavy(importPath string) bool {
	return slices.ContainsFunc(heavy, func(h string) bool {
		return importPath == h || strings.HasPrefix(importPath, h+"/")
	})
}

// Every package of the product, cmd/clearance and what it may link later
// (a package is linked once the agent imports it), links none of heavy.
func TestProductLinksNoHeavyLibrary(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command to list the packages")
	}
	for _, goos := range []string{"linux", "windows", "darwin"} {
		cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...")
		cmd.Env = append(cmd.Environ(), "GOOS="+goos, "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list for %s: %v", goos, err)
		}
		listed := 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			pkg, _ := rel(f[0])
			if slices.ContainsFunc(testOnly, func(p string) bool { return match(p, pkg) }) {
				continue
			}
			listed++
			if bad := slices.DeleteFunc(f[1:], func(d string) bool { return !isHeavy(d) }); len(bad) > 0 {
				t.Errorf("%s: %s links %d packages it must not, such as %s", goos, pkg, len(bad), strings.Join(bad[:min(len(bad), 3)], ", "))
			}
		}
		if listed < 20 {
			t.Fatalf("%s: only %d packages listed", goos, listed)
		}
	}
}

func TestIsHeavy(t *testing.T) {
	for p, want := range map[string]bool{
		"google.golang.org/grpc":                                            true,
		"google.golang.org/grpc/codes":                                      true,
		"go.opentelemetry.io/otel/sdk/metric":                               true,
		"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp": true,
		"go.opentelemetry.io/proto/otlp/collector/metrics/v1":               true,
		"google.golang.org/genproto/googleapis/rpc/status":                  true,
		"go.opentelemetry.io/proto/otlp/metrics/v1":                         false,
		"google.golang.org/protobuf/proto":                                  false,
		"google.golang.org/grpcx":                                           false,
		"github.com/prometheus/client_golang/prometheus":                    true,
		"github.com/prometheus/client_golang/prometheus/promhttp":           true,
		"github.com/prometheus/client_model/go":                             false,
		"github.com/prometheus/common/expfmt":                               false,
	} {
		if got := isHeavy(p); got != want {
			t.Errorf("isHeavy(%s) = %v, want %v", p, got, want)
		}
	}
}
