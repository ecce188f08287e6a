package otlp

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

// received is one request an in-test OTLP/HTTP receiver took.
type received struct {
	path   string
	header http.Header
	body   *colmetricpb.ExportMetricsServiceRequest
	err    error
}

// receiver is an OTLP/HTTP receiver on loopback that decodes what it is
// sent, as a collector's otlp receiver does, and answers 200.
type receiver struct {
	srv  *httptest.Server
	reqs chan received
}

func newReceiver(t *testing.T, tls bool) *receiver {
	t.Helper()
	r := &receiver{reqs: make(chan received, 16)}
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got := received{path: req.URL.Path, header: req.Header.Clone()}
		got.body, got.err = decode(req)
		r.reqs <- got
		if got.err != nil {
			http.Error(w, got.err.Error(), http.StatusBadRequest)
			return
		}
		out, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	})
	if tls {
		r.srv = httptest.NewTLSServer(h)
	} else {
		r.srv = httptest.NewServer(h)
	}
	t.Cleanup(r.srv.Close)
	return r
}

func decode(req *http.Request) (*colmetricpb.ExportMetricsServiceRequest, error) {
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

// next waits for the receiver's next request.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case got := <-r.reqs:
		if got.err != nil {
			t.Fatalf("the receiver could not read the push: %v", got.err)
		}
		return got
	case <-time.After(30 * time.Second):
		t.Fatal("the receiver got nothing")
		return received{}
	}
}

// metricsOf returns the request's metrics by name, and its resource's
// attributes, checking that it holds one resource and one scope.
func metricsOf(t *testing.T, req *colmetricpb.ExportMetricsServiceRequest) (map[string]*metricpb.Metric, map[string]string) {
	t.Helper()
	if len(req.ResourceMetrics) != 1 {
		t.Fatalf("want one resource, got %d", len(req.ResourceMetrics))
	}
	rm := req.ResourceMetrics[0]
	res := attrMap(rm.GetResource().GetAttributes())
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

func attrMap(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[kv.Key] = kv.GetValue().GetStringValue()
	}
	return out
}

// points returns a metric's data points by their attributes, written
// "k=v,k=v" in key order ("" for none).
func points(t *testing.T, m *metricpb.Metric) map[string]float64 {
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
		for k, v := range attrMap(dp.Attributes) {
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

// kind is "gauge", "counter" (a cumulative monotonic sum) or what else the
// metric is.
func kind(m *metricpb.Metric) string {
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

// settle waits until no more goroutines run than before (the receiver's
// own included in base), and fails with their stacks if some stay.
func settle(t *testing.T, base int) {
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
