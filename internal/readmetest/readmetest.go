// Package readmetest reads the project's README for the tests that keep it
// true to the code: the README is where a person reads what the code does.
package readmetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Read is the README at the root of the module, found from the test's
// directory whatever its depth. A README that cannot be read fails the
// test: a skip is how such a test goes silent.
func Read(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			b, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil {
				t.Fatalf("read the README: %v", err)
			}
			return string(b)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("read the README: no go.mod above " + dir)
		}
		dir = parent
	}
}

// Section is the README's section under heading (a whole line, such as
// "## Findings and fixes"), with its subsections, up to the next heading
// of the same level or higher.
func Section(t testing.TB, heading string) string {
	t.Helper()
	_, section, ok := strings.Cut(Read(t), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	level := len(heading) - len(strings.TrimLeft(heading, "#"))
	lines := strings.Split(section, "\n")
	for i, l := range lines {
		if n := len(l) - len(strings.TrimLeft(l, "#")); n > 0 && n <= level && strings.HasPrefix(l[n:], " ") {
			return strings.Join(lines[:i], "\n")
		}
	}
	return section
}
