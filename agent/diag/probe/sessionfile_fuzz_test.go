package probe

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// FuzzSessionFileLoad reads arbitrary bytes as tls-sessions.json, the
// file whose sessions `clearance check` offers to the hosts it probes.
// Whatever the file holds, Load keeps only what it promises: sessions of
// a whole file of this version made on this network, at most maxSessions,
// none from the future or older than sessionMaxAge, each under a key the
// file has. What it keeps, saved, is loaded back the same.
//
// Seeds: a file saved after a real handshake with a loopback TLS peer, as
// TestSessionFileRoundTrip makes it, and that file spoilt as
// TestSessionFileUnusable spoils it.
func FuzzSessionFileLoad(f *testing.F) {
	dir := roottest.Dir(f) // what a process with full rights reads, root alone writes
	path := filepath.Join(dir, "tls-sessions.json")
	copyPath := filepath.Join(dir, "copy", "tls-sessions.json")
	saveSessions(f, newSessionPeer(f), path, "net-a")
	saved, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	c := &SessionCache{Path: path, Network: "net-a", Now: func() time.Time { return now }}
	if c.Load(); len(c.sessions) != 1 {
		f.Fatalf("the saved file gives %d sessions, want the one saved: the seeds would not reach the round trip", len(c.sessions))
	}
	f.Add(saved)
	f.Add(saved[:len(saved)/2])
	f.Add(bytes.Replace(saved, []byte(`"state":"`), []byte(`"state":"AAAA`), 1))
	f.Add(bytes.Replace(saved, []byte(`"version":1`), []byte(`"version":2`), 1))
	f.Add(bytes.Replace(saved, []byte(`"network":"net-a"`), []byte(`"network":"net-b"`), 1))
	f.Add([]byte(`{"version":1,"network":"net-a","sessions":{"a":{"made":"2026-11-27T14:00:00Z","ticket":"","state":""}}}`))
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		c := &SessionCache{Path: path, Network: "net-a", Now: func() time.Time { return now }}
		c.Load()
		var file sessionFile
		whole := len(content) <= maxSessionFile && json.Unmarshal(content, &file) == nil &&
			file.Version == sessionFileVersion && file.Network == "net-a"
		if !whole && len(c.sessions) > 0 {
			t.Fatalf("%d sessions kept from a file that is not whole, of this version and network: %q", len(c.sessions), content)
		}
		if len(c.sessions) > maxSessions {
			t.Fatalf("%d sessions kept, want at most %d", len(c.sessions), maxSessions)
		}
		for key, s := range c.sessions {
			if _, ok := file.Sessions[key]; !ok {
				t.Fatalf("a session under %q, which the file does not have", key)
			}
			if age := now.Sub(s.made); age < 0 || age > sessionMaxAge {
				t.Fatalf("a session %v old kept", age)
			}
		}
		if len(c.sessions) == 0 {
			return
		}
		saver := &SessionCache{Path: copyPath, Network: "net-a", Now: c.Now, sessions: c.sessions, changed: true}
		if err := saver.Save(); err != nil {
			t.Fatal(err)
		}
		back := &SessionCache{Path: copyPath, Network: "net-a", Now: c.Now}
		back.Load()
		if !slices.Equal(slices.Sorted(maps.Keys(back.sessions)), slices.Sorted(maps.Keys(c.sessions))) {
			t.Fatalf("saved %v, loaded back %v", slices.Sorted(maps.Keys(c.sessions)), slices.Sorted(maps.Keys(back.sessions)))
		}
		for key, s := range back.sessions {
			if !s.made.Equal(c.sessions[key].made) {
				t.Fatalf("%s: made %v, loaded back as %v", key, c.sessions[key].made, s.made)
			}
		}
	})
}
