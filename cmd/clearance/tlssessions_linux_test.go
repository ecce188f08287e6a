package main

import (
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// In the test internet, `clearance check` resumes the TLS sessions of its
// last run on the network it made them on, and offers none on another:
// once the client's default route goes through another gateway, or it is
// given other DNS servers, the next run does full handshakes, and the run
// after it resumes again.
func TestCheckOffersTLSSessionsOnlyOnTheirNetwork(t *testing.T) {
	n := newInternet(t, internetOptions{})
	n.env = append(n.env, "XDG_CACHE_HOME="+roottest.Dir(t)) // every run: after clearanceCmd's own
	run := func(what string) peerStats {
		t.Helper()
		before, wire := n.stats(t), n.wireBytes(t)
		n.check(t)
		st := n.stats(t).sub(before)
		t.Logf("%s: %d full and %d resumed handshakes, %d bytes on the wire", what, st.TLSFull, st.TLSResumed, n.wireBytes(t)-wire)
		if st.TLSFull+st.TLSResumed == 0 {
			t.Fatalf("%s: no TLS handshake with the test internet", what)
		}
		return st
	}

	run("first run")
	if st := run("second run"); st.TLSFull != 0 {
		t.Fatalf("the second run did %d full handshakes, want every one resumed", st.TLSFull)
	}
	for _, move := range []struct {
		what string
		do   func()
	}{
		{"another gateway", func() {
			const otherGateway = "10.77.0.254" // the same uplink
			n.inet.ip(t, "addr", "add", otherGateway+"/24", "dev", "i0")
			n.client.ip(t, "route", "replace", "default", "via", otherGateway)
		}},
		{"other DNS servers", func() {
			n.client.resolvConf(t, "nameserver "+inetDNS+"\nnameserver 1.1.1.1\n") // the first still answers
		}},
	} {
		move.do()
		// A run's own sessions may resume its later handshakes, never its
		// first; the file's sessions would resume every one.
		if st := run("with " + move.what); st.TLSFull == 0 {
			t.Errorf("with %s, every handshake resumed a session from the last network", move.what)
		}
		if st := run("again with " + move.what); st.TLSFull != 0 {
			t.Errorf("the next run with %s did %d full handshakes, want every one resumed", move.what, st.TLSFull)
		}
	}
}
