// Package tcptest gives tests the plainest peers on loopback: an address
// where nothing listens (a connect is refused at once), and a listener
// that hands each connection to the test. It is for tests only.
package tcptest

import (
	"net"
	"testing"
)

// Closed returns a loopback address where nothing listens.
func Closed(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Serve listens on loopback until the test ends and gives each connection
// to serve, on a goroutine of its own; nil closes each one at once (a
// peer that only accepts). It returns the address.
func Serve(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	if serve == nil {
		serve = func(c net.Conn) { c.Close() }
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}
