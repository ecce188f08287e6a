package ntpq

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// FuzzFileStoreLoad reads arbitrary bytes as ntp.json, the file every
// process of a user (and the agent, as root) reads before it asks a time
// server. A file Load refuses gives an error that names the file, which
// the Client takes as nothing remembered; a file it reads gives records
// that Save writes and Load reads back the same, and whose promises hold
// however they were garbled: a record holds its server off between
// MinInterval and forgetAfter, a kiss-of-death it recalls ends within
// that, and pruning leaves at most maxRecords, none older than
// forgetAfter.
//
// Seeds: a file Save wrote of an answer, a failure and a kiss-of-death
// (as the store tests make them), and the contents of
// TestStoreBadFileNeverBreaksTheQuery.
func FuzzFileStoreLoad(f *testing.F) {
	dir := roottest.Dir(f) // root reads its memory only where root alone writes
	store := FileStore{Path: filepath.Join(dir, "clearance", "ntp.json")}
	again := FileStore{Path: filepath.Join(dir, "again", "ntp.json")}
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	if err := store.Save(map[string]Record{
		"127.0.0.1:123": {Asked: now.Add(-time.Minute), Uptime: time.Hour, Answer: &Answer{
			ClockOffset: 3 * time.Millisecond, RTT: time.Millisecond, Version: 4, Stratum: 2,
			ReferenceTime: now.Add(-time.Minute), Time: now.Add(-time.Minute), Precision: -20, Poll: 64 * time.Second,
		}},
		"192.0.2.1:123":    {Asked: now.Add(-30 * time.Second), Failure: "timeout"},
		"198.51.100.1:123": {Asked: now.Add(-time.Hour), Uptime: 2 * time.Hour, Kiss: &KissOfDeath{Code: "RATE", Until: now.Add(time.Hour)}},
	}); err != nil {
		f.Fatal(err)
	}
	saved, err := os.ReadFile(store.Path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(saved)
	f.Add([]byte("{\"version\":1,\"servers\":{\"x\":"))
	f.Add([]byte(`{"version": 7, "servers": {"127.0.0.1:1": "yes"}}`))
	f.Add([]byte("\x00\xffclearance"))
	f.Add([]byte(""))
	f.Add([]byte(`{"version":1,"servers":{"a":{"asked":"9999-12-31T23:59:59Z","uptime_ns":-1,"kiss":{"until":"0001-01-01T00:00:00Z"}}}}`))
	f.Fuzz(func(t *testing.T, content []byte) {
		if err := os.WriteFile(store.Path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		recs, err := store.Load()
		if err != nil {
			if !strings.HasPrefix(err.Error(), "ntp store") || !strings.Contains(err.Error(), store.Path) {
				t.Fatalf("Load of %q: %q does not say which file it could not read", content, err)
			}
			return
		}
		if recs == nil {
			t.Fatalf("Load of %q: no error and no map", content)
		}
		want, _ := json.Marshal(recs)
		if err := again.Save(recs); err != nil {
			return // a time Load read but JSON cannot write (past year 9999 in UTC): the file is replaced on the next save
		}
		back, err := again.Load()
		if err != nil {
			t.Fatalf("records read from %q, saved, are refused: %v", content, err)
		}
		if got, _ := json.Marshal(back); !bytes.Equal(got, want) {
			t.Fatalf("records read from %q come back changed:\n%s\n%s", content, want, got)
		}
		for _, up := range []struct {
			d  time.Duration
			ok bool
		}{{time.Hour, true}, {0, false}} {
			for addr, r := range recs {
				if h := r.hold(); h < MinInterval || h > forgetAfter {
					t.Fatalf("%s holds its server off for %v, outside [%v, %v]", addr, h, MinInterval, forgetAfter)
				}
				age, steady, known := r.age(now, up.d, up.ok)
				if !known || age >= r.hold() {
					continue
				}
				_, err := r.remembered(addr, now, age, steady)
				var kiss *KissError
				if errors.As(err, &kiss) && (kiss.Until.Before(now) || kiss.Until.After(now.Add(forgetAfter))) {
					t.Fatalf("%s recalls a kiss-of-death until %v, at %v", addr, kiss.Until, now)
				}
			}
			pruned := make(map[string]Record, len(recs))
			for k, v := range recs {
				pruned[k] = v
			}
			prune(pruned, now, up.d, up.ok)
			if len(pruned) > maxRecords {
				t.Fatalf("pruning left %d records, want at most %d", len(pruned), maxRecords)
			}
			for addr, r := range pruned {
				if age, _, known := r.age(now, up.d, up.ok); known && age > forgetAfter {
					t.Fatalf("pruning kept %s, %v old", addr, age)
				}
			}
		}
	})
}
