package otlp

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/testworld/otlptest"
)

// secret is the token planted in endpoints here; no error may show it.
const secret = "S3cretToken"

// closedPort is a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Credentials in the endpoint reach the collector as HTTP basic
// authentication, as Go's client would send them from the URL: a user and
// a password, or a token alone as the user.
func TestPushSendsTheEndpointsCredentials(t *testing.T) {
	r := otlptest.NewReceiver(t, false)
	for _, tc := range []struct{ userinfo, user, password string }{
		{"ops:" + secret, "ops", secret},
		{secret, secret, ""},
		{"", "", ""},
	} {
		endpoint := r.Srv.URL
		if tc.userinfo != "" {
			endpoint = strings.Replace(endpoint, "://", "://"+tc.userinfo+"@", 1)
		}
		e, err := New(endpoint, "1.2.3-test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Shutdown(context.Background()) })
		if err := e.Push(context.Background(), known()); err != nil {
			t.Fatal(err)
		}
		got := r.Next(t)
		user, password, ok := (&http.Request{Header: got.Header}).BasicAuth()
		switch {
		case tc.userinfo == "" && got.Header.Get("Authorization") != "":
			t.Errorf("no credentials in the endpoint, and the push sent Authorization %q", got.Header.Get("Authorization"))
		case tc.userinfo != "" && (!ok || user != tc.user || password != tc.password):
			t.Errorf("endpoint with %q: basic authentication %q:%q (%v), want %q:%q", tc.userinfo, user, password, ok, tc.user, tc.password)
		}
	}
}

// A push that fails says where it went without the credentials the
// endpoint holds: the agent logs the error, and its log goes into the
// diagnostics bundle.
func TestPushErrorsHideTheCredentials(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such tenant", http.StatusBadRequest)
	}))
	t.Cleanup(refusing.Close)
	for _, tc := range []struct{ name, base string }{
		{"nothing listens", "http://" + closedPort(t)},
		{"the collector refuses", refusing.URL},
	} {
		for _, userinfo := range []string{"ops:" + secret, secret} {
			endpoint := strings.Replace(tc.base, "://", "://"+userinfo+"@", 1) + "/v1/metrics"
			e, err := New(endpoint, "1.2.3-test")
			if err != nil {
				t.Fatal(err)
			}
			err = e.Push(context.Background(), known())
			t.Logf("%s, %s: %v", tc.name, userinfo, err)
			if err == nil {
				t.Fatalf("%s: the push succeeded", tc.name)
			}
			if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "xxxxx@") {
				t.Errorf("%s: %q, want the endpoint with its credentials redacted", tc.name, err)
			}
			e.Shutdown(context.Background())
			if err := e.Push(context.Background(), known()); err == nil || strings.Contains(err.Error(), secret) {
				t.Errorf("push after Shutdown: %v, want an error without the credentials", err)
			}
		}
	}
	if _, err := New("grpc://ops:"+secret+"@collector.example:4317", "x"); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("New with a gRPC endpoint: %v, want an error without the credentials", err)
	}
}
