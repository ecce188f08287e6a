//go:build linux || darwin

package host

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// The kernel's answer about a real peer: this process, at the other end of
// a Unix socket.
func TestPeerCredOfUnixSocket(t *testing.T) {
	dir, err := os.MkdirTemp("/tmp", "clr-peer-") // short: sun_path is small
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("unix", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	got, err := PeerCredOf(server)
	if err != nil {
		t.Fatal(err)
	}
	want := PeerCred{UID: os.Geteuid(), GID: os.Getegid(), PID: os.Getpid(), Admin: os.Geteuid() == 0}
	if got != want {
		t.Fatalf("PeerCredOf = %+v, want %+v", got, want)
	}
}

func TestPeerCredOfTCPNotSupported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := PeerCredOf(client); !errors.Is(err, platform.ErrNotSupported) {
		t.Fatalf("a TCP peer: %v, want ErrNotSupported", err)
	}
}
