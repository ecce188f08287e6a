package probe

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// Files are made under roottest.Dir: a process with full rights keeps its
// files only where nobody else can change them (statefile.Save).

// saveSessions makes a session with the peer through a cache kept at
// path on network, as one run of `clearance check` does, and saves it.
func saveSessions(t testing.TB, peer *sessionPeer, path, network string) {
	t.Helper()
	c := &SessionCache{Path: path, Network: network}
	c.Load()
	peer.get(t, peer.prober(t, c))
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
}

// resumesFrom reports whether a new run (a new cache and Prober, as a new
// process has) on network, at now, resumes a session from the file.
func resumesFrom(t *testing.T, peer *sessionPeer, path, network string, now time.Time) bool {
	t.Helper()
	c := &SessionCache{Path: path, Network: network, Now: func() time.Time { return now }}
	c.Load()
	resumed, _ := peer.get(t, peer.prober(t, c))
	return resumed
}

// A session saved by one run is resumed by the next, on the same network,
// with nothing but the file in common.
func TestSessionFileRoundTrip(t *testing.T) {
	peer := newSessionPeer(t)
	path := filepath.Join(roottest.Dir(t), "clearance", "tls-sessions.json")
	saveSessions(t, peer, path, "net-a")
	if !resumesFrom(t, peer, path, "net-a", time.Now()) {
		t.Fatal("the next run did a full handshake, want the saved session resumed")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes for one session", path, fi.Size())
}

// Whatever in the file cannot be used is nothing remembered: a full
// handshake, and no error.
func TestSessionFileUnusable(t *testing.T) {
	peer := newSessionPeer(t)
	for _, c := range []struct {
		name    string
		spoil   func(t *testing.T, path string)
		network string
		after   time.Duration // the next run's clock, from now
	}{
		{"another network", nil, "net-b", 0},
		{"a day and more later", nil, "net-a", sessionMaxAge + time.Hour},
		{"the clock set back before the session", nil, "net-a", -time.Hour},
		{"damaged", func(t *testing.T, path string) { rewrite(t, path, func(b []byte) []byte { return b[:len(b)/2] }) }, "net-a", 0},
		{"a state crypto/tls cannot read", func(t *testing.T, path string) {
			rewrite(t, path, func(b []byte) []byte { return bytes.Replace(b, []byte(`"state":"`), []byte(`"state":"AAAA`), 1) })
		}, "net-a", 0},
		{"over the size bound", func(t *testing.T, path string) {
			rewrite(t, path, func(b []byte) []byte { return append(b, bytes.Repeat([]byte(" "), maxSessionFile)...) })
		}, "net-a", 0},
		{"another version", func(t *testing.T, path string) {
			rewrite(t, path, func(b []byte) []byte { return bytes.Replace(b, []byte(`"version":1`), []byte(`"version":2`), 1) })
		}, "net-a", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(roottest.Dir(t), "tls-sessions.json")
			saveSessions(t, peer, path, "net-a")
			if c.spoil != nil {
				c.spoil(t, path)
			}
			if resumesFrom(t, peer, path, c.network, time.Now().Add(c.after)) {
				t.Fatal("a session was resumed from a file that should not be used")
			}
		})
	}
}

// An unknown network keeps the sessions in this process only: nothing is
// read or written.
func TestSessionFileNeedsANetwork(t *testing.T) {
	peer := newSessionPeer(t)
	path := filepath.Join(roottest.Dir(t), "tls-sessions.json")
	saveSessions(t, peer, path, "")
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("a file was written for an unknown network: %v", err)
	}
}

// rewrite changes the file at path, keeping its mode.
func rewrite(t *testing.T, path string, change func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, change(b), 0o600); err != nil {
		t.Fatal(err)
	}
}
