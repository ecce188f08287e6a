package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// userAgent names the pushes in a collector's log, as the probes name
// theirs.
const userAgent = "Clearance/1 (+metrics)"

// maxAnswer bounds how much of a collector's answer is read: a status and
// a message, never more than a few hundred bytes from a real collector.
const maxAnswer = 64 << 10

// encode is the body of a push: an ExportMetricsServiceRequest holding rm,
// gzipped. The request message is written here, as its one field
// (`repeated ResourceMetrics resource_metrics = 1`, length-delimited),
// because its generated type lives in the collector's service package,
// which brings gRPC with it.
func encode(rm *metricpb.ResourceMetrics) ([]byte, error) {
	b, err := proto.Marshal(rm)
	if err != nil {
		return nil, err
	}
	req := protowire.AppendTag(make([]byte, 0, len(b)+16), 1, protowire.BytesType)
	req = protowire.AppendBytes(req, b)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(req); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// post sends body until the collector takes it, refuses it, or ctx ends. A
// collector that says "later" (429, 502, 503, 504, as the OTLP/HTTP
// specification lists) is asked again after a backoff that starts at a
// fifth of the push's bound, or after the Retry-After it asked for if that
// is longer; a wait that would outlast ctx ends the push at once.
func (e *Exporter) post(ctx context.Context, body []byte) error {
	backoff := e.timeout / 5
	for {
		err := e.send(ctx, body)
		var later *laterError
		if !errors.As(err, &later) {
			return err
		}
		wait := max(backoff, later.after)
		backoff = min(2*backoff, e.timeout/2)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// send posts body once and reads the collector's answer.
func (e *Exporter) send(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("User-Agent", userAgent)
	if e.user != nil {
		password, _ := e.user.Password()
		req.SetBasicAuth(e.user.Username(), password)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("reading the collector's answer: %w", err)
	}
	protobuf := resp.Header.Get("Content-Type") == "application/x-protobuf"
	switch resp.StatusCode {
	case http.StatusOK:
		if protobuf {
			return partialSuccess(answer)
		}
		return nil
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return &laterError{status: resp.Status, message: errorMessage(answer, protobuf), after: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	default:
		return fmt.Errorf("the collector answered %s: %s", resp.Status, errorMessage(answer, protobuf))
	}
}

// laterError is a collector's "try again later".
type laterError struct {
	status, message string
	after           time.Duration // as Retry-After asked; 0 when it did not
}

func (e *laterError) Error() string {
	return fmt.Sprintf("the collector answered %s: %s", e.status, e.message)
}

// rejectedError is a collector's partial success: it took the push but not
// every data point in it.
type rejectedError struct {
	points  int64
	message string
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("rejected %d of its data points (%s)", e.points, e.message)
}

// partialSuccess reads an ExportMetricsServiceResponse: its field 1,
// partial_success, holds rejected_data_points (1) and error_message (2).
// An answer it cannot read is taken as a success: the collector said 200.
func partialSuccess(answer []byte) error {
	ps, _ := field(answer, 1)
	if ps == nil {
		return nil
	}
	n, _ := field(ps, 1)
	msg, _ := field(ps, 2)
	var rejected int64
	if n != nil {
		if v, l := protowire.ConsumeVarint(n); l > 0 {
			rejected = int64(v)
		}
	}
	if rejected == 0 && len(msg) == 0 {
		return nil
	}
	return &rejectedError{points: rejected, message: string(msg)}
}

// errorMessage is what a collector said with a failure: the message of the
// google.rpc.Status an OTLP/HTTP server answers with (its field 2), or the
// start of a plain-text answer.
func errorMessage(answer []byte, protobuf bool) string {
	if protobuf {
		if msg, ok := field(answer, 2); ok && len(msg) > 0 {
			return string(msg)
		}
	}
	s := strings.TrimSpace(strings.ToValidUTF8(string(answer[:min(len(answer), 200)]), "?"))
	if s == "" {
		return "(no message)"
	}
	return s
}

// field returns the last field num of the protobuf message b: a varint's
// encoding, or a length-delimited field's contents. ok is false when it is
// absent or b is not a message.
func field(b []byte, num protowire.Number) (v []byte, ok bool) {
	for len(b) > 0 {
		n, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return nil, false
		}
		b = b[l:]
		l = protowire.ConsumeFieldValue(n, typ, b)
		if l < 0 {
			return nil, false
		}
		if n == num {
			v, ok = b[:l], true
			if typ == protowire.BytesType {
				v, _ = protowire.ConsumeBytes(v)
			}
		}
		b = b[l:]
	}
	return v, ok
}

// retryAfter reads a Retry-After header, in seconds (a day at most, which
// is as good as never within a push) or as an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s > 0 {
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
