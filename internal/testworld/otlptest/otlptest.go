// Package otlptest is an OTLP/HTTP receiver on loopback for tests: it
// decodes what it is sent as a collector's otlp receiver does, and helpers
// read the metrics out of a push.
package otlptest

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"
)

// Received is one request an in-test OTLP/HTTP receiver took.
type Received struct {
	Path   string
	Header http.Header
	Body   *colmetricpb.ExportMetricsServiceRequest
	Err    error
}

// Receiver is an OTLP/HTTP receiver on loopback that decodes what it is
// sent, as a collector's otlp receiver does, and answers 200.
type Receiver struct {
	Srv  *httptest.Server
	Reqs chan Received
}

func NewReceiver(t *testing.T, tls bool) *Receiver {
	t.Helper()
	r := &Receiver{Reqs: make(chan Received, 16)}
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got := Received{Path: req.URL.Path, Header: req.Header.Clone()}
		got.Body, got.Err = Decode(req)
		r.Reqs <- got
		if got.Err != nil {
			http.Error(w, got.Err.Error(), http.StatusBadRequest)
			return
		}
		out, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	})
	if tls {
		r.Srv = httptest.NewTLSServer(h)
	} else {
		r.Srv = httptest.NewServer(h)
	}
	t.Cleanup(r.Srv.Close)
	return r
}

// Decode reads an OTLP/HTTP push as a collector does: a POST of
// protobuf, gzipped or not.
func Decode(req *http.Request) (*colmetricpb.ExportMetricsServiceRequest, error) {
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/x-protobuf" {
		return nil, fmt.Errorf("want a POST of application/x-protobuf, got a %s of %q", req.Method, req.Header.Get("Content-Type"))
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			return nil, err
		}
		body = gz
	}
	raw, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return nil, err
	}
	var m colmetricpb.ExportMetricsServiceRequest
	return &m, proto.Unmarshal(raw, &m)
}

// Next waits for the receiver's next request.
func (r *Receiver) Next(t *testing.T) Received {
	t.Helper()
	select {
	case got := <-r.Reqs:
		if got.Err != nil {
			t.Fatalf("the receiver could not read the push: %v", got.Err)
		}
		return got
	case <-time.After(30 * time.Second):
		t.Fatal("the receiver got nothing")
		return Received{}
	}
}

// MetricsOf returns the request's metrics by name, and its resource's
// attributes, checking that it holds one resource and one scope.
func MetricsOf(t *testing.T, req *colmetricpb.ExportMetricsServiceRequest) (map[string]*metricpb.Metric, map[string]string) {
	t.Helper()
	if len(req.ResourceMetrics) != 1 {
		t.Fatalf("want one resource, got %d", len(req.ResourceMetrics))
	}
	rm := req.ResourceMetrics[0]
	res := AttrMap(rm.GetResource().GetAttributes())
	byName := map[string]*metricpb.Metric{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if byName[m.Name] != nil {
				t.Fatalf("metric %s sent twice", m.Name)
			}
			byName[m.Name] = m
		}
	}
	return byName, res
}

func AttrMap(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[kv.Key] = kv.GetValue().GetStringValue()
	}
	return out
}

// Points returns a metric's data points by their attributes, written
// "k=v,k=v" in key order ("" for none).
func Points(t *testing.T, m *metricpb.Metric) map[string]float64 {
	t.Helper()
	var dps []*metricpb.NumberDataPoint
	switch {
	case m.GetGauge() != nil:
		dps = m.GetGauge().DataPoints
	case m.GetSum() != nil:
		dps = m.GetSum().DataPoints
	default:
		t.Fatalf("%s is neither a gauge nor a sum", m.Name)
	}
	out := map[string]float64{}
	for _, dp := range dps {
		var kv []string
		for k, v := range AttrMap(dp.Attributes) {
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		key := strings.Join(kv, ",")
		if _, dup := out[key]; dup {
			t.Fatalf("%s has two points for {%s}", m.Name, key)
		}
		switch v := dp.Value.(type) {
		case *metricpb.NumberDataPoint_AsInt:
			out[key] = float64(v.AsInt)
		case *metricpb.NumberDataPoint_AsDouble:
			out[key] = v.AsDouble
		}
	}
	return out
}

// Kind is "gauge", "counter" (a cumulative monotonic sum) or what else the
// metric is.
func Kind(m *metricpb.Metric) string {
	switch {
	case m.GetGauge() != nil:
		return "gauge"
	case m.GetSum() != nil:
		s := m.GetSum()
		if s.IsMonotonic && s.AggregationTemporality == metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE {
			return "counter"
		}
		return fmt.Sprintf("sum (monotonic %v, %v)", s.IsMonotonic, s.AggregationTemporality)
	}
	return fmt.Sprintf("%T", m.Data)
}

// Settle waits until no more goroutines run than before (the receiver's
// own included in base), and fails with their stacks if some stay.
func Settle(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines stay after the push, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
