package dnstest

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

func TestServeAnswersFromTheTable(t *testing.T) {
	_, r := Serve(t, Table{
		"ok.test":       Addrs("203.0.113.7", "2001:db8::7"),
		"ZERO.test.":    Addrs("0.0.0.0"),
		"nx.test":       NXDomain(),
		"servfail.test": ServFail(),
		"nodata.test":   NoData(),
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	got, err := r.LookupIPAddr(ctx, "ok.test")
	if err != nil {
		t.Fatalf("ok.test: %v", err)
	}
	var ips []string
	for _, a := range got {
		ips = append(ips, a.IP.String())
	}
	slices.Sort(ips)
	if want := []string{"2001:db8::7", "203.0.113.7"}; !slices.Equal(ips, want) {
		t.Errorf("ok.test = %v, want %v", ips, want)
	}

	got, err = r.LookupIPAddr(ctx, "zero.test")
	if err != nil || len(got) != 1 || !got[0].IP.Equal(net.IPv4zero) {
		t.Errorf("zero.test (table key in another case) = %v, %v; want 0.0.0.0", got, err)
	}

	for _, name := range []string{"nx.test", "unknown.test", "nodata.test"} {
		_, err := r.LookupIPAddr(ctx, name)
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound {
			t.Errorf("%s: err = %v, want a not-found *net.DNSError", name, err)
		}
	}

	_, err = r.LookupIPAddr(ctx, "servfail.test")
	var de *net.DNSError
	if !errors.As(err, &de) || de.IsNotFound || de.IsTimeout || de.Err != "server misbehaving" {
		t.Errorf("servfail.test: err = %#v, want \"server misbehaving\"", err)
	}
}

func TestServeHangTimesOut(t *testing.T) {
	_, r := Serve(t, Table{"hang.test": Hang()})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := r.LookupIPAddr(ctx, "hang.test")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsTimeout {
		t.Errorf("hang.test: err = %#v, want a timeout *net.DNSError", err)
	}
}

func TestServeAnswersOverTCP(t *testing.T) {
	addr, _ := Serve(t, Table{"ok.test": Addrs("203.0.113.7")})
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}
	got, err := r.LookupIPAddr(t.Context(), "ok.test")
	if err != nil || len(got) != 1 || got[0].IP.String() != "203.0.113.7" {
		t.Errorf("over TCP: %v, %v", got, err)
	}
}

func TestServeRejectsABadAddress(t *testing.T) {
	if _, err := newHandler(Table{"bad.test": Addrs("not-an-ip")}); err == nil {
		t.Error("newHandler accepted a bad address")
	}
}

func TestServeCountingCountsByNameAndType(t *testing.T) {
	_, r, q := ServeCounting(t, Table{"ok.test": Addrs("203.0.113.7", "2001:db8::7")})
	for range 2 {
		if _, err := r.LookupIPAddr(t.Context(), "ok.test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.LookupIP(t.Context(), "ip4", "OK.test."); err != nil {
		t.Fatal(err)
	}
	if a, aaaa := q.Of("ok.test", "A"), q.Of("ok.test.", "AAAA"); a != 3 || aaaa != 2 {
		t.Errorf("A %d AAAA %d, want 3 and 2", a, aaaa)
	}
	if q.Of("other.test", "A") != 0 || q.Total() != 5 {
		t.Errorf("other.test %d, total %d; want 0 and 5", q.Of("other.test", "A"), q.Total())
	}
}
