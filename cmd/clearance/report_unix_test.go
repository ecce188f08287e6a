//go:build unix

package main

import (
	"os"
	"testing"
)

// wantPrivate fails unless the file at p is mode 0600.
func wantPrivate(t *testing.T, p string) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s is mode %v, want 0600", p, fi.Mode().Perm())
	}
}
