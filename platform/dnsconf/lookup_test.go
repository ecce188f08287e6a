package dnsconf

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/winegap"
)

// A resolver that drops the first query must still answer: the retry has
// to come within the lookup's own deadline, not after resolv.conf's 5 s.
func TestGoResolverRetriesALostQueryInTime(t *testing.T) {
	winegap.SkipIfNo(t, winegap.UDP)
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 512)
		seen := map[string]bool{}
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			// Lose each question once, as a lossy network would; a retry
			// has a new id, so the key is the rest of the message.
			if key := string(buf[2:n]); !seen[key] {
				seen[key] = true
				continue
			}
			pc.WriteTo(nxdomain(buf[:n]), addr)
		}
	}()
	r := goResolver()
	inner := r.Dial
	r.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return inner(ctx, "udp", pc.LocalAddr().String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	_, err = r.LookupIPAddr(ctx, "lost.test")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Fatalf("got %v; want the server's NXDOMAIN after a retry, not a timeout", err)
	}
}

// nxdomain turns a query into its NXDOMAIN answer.
func nxdomain(q []byte) []byte {
	a := append([]byte(nil), q...)
	a[2] |= 0x80 // QR
	a[3] = a[3]&0xf0 | 3
	return a
}
