package finding_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/internal/readmetest"
)

// contractProblems checks the declared findings against the fix list, the
// checks and docs/contracts.md: every finding names a known check, fixes
// that exist, and registered findings to depend on, without a cycle; every
// code, fix id and check is in the contracts document, and every row of its
// tables is something the code declares.
func contractProblems(defs []*finding.Definition, fixes []fix.Info, checks []string, contracts string) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	// The checks that raise findings: the diagnosis checks, plus the
	// agent's own and the browser's (run by the tray).
	known := append(slices.Clone(checks), "agent", "browser")
	for _, d := range defs {
		if d.Code == "" || d.Title == "" || d.Detail == "" {
			bad("%q: a finding needs a code, a title and a detail", d.Code)
		}
		if !slices.Contains(known, d.Check) {
			bad("%s: raised by %q, which is no check", d.Code, d.Check)
		}
		for _, id := range d.Fixes {
			if !slices.ContainsFunc(fixes, func(f fix.Info) bool { return f.ID == id }) {
				bad("%s: offers the fix %q, which is not in the fix list", d.Code, id)
			}
		}
		for _, dep := range d.DependsOn {
			if dep == nil || finding.Lookup(dep.Code) != dep {
				bad("%s: depends on a finding that is not registered", d.Code)
			}
		}
		if cycle := dependencyCycle(d, nil); cycle != "" {
			bad("%s: depends on itself: %s", d.Code, cycle)
		}
	}
	return append(out, documentProblems("docs/contracts.md", contracts, defs, fixes, checks)...)
}

// documentProblems checks a document that lists the findings and fixes
// for people: every code and fix id has a table row of its own (a line
// that starts "| `name` |"), every check is named, and every such row is something the
// code declares.
func documentProblems(doc, text string, defs []*finding.Definition, fixes []fix.Info, checks []string) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	// A row is the line that starts with the name: a fix named in a
	// finding's row is no row of its own.
	hasRow := func(name string) bool { return strings.Contains("\n"+text, "\n| `"+name+"` |") }
	for _, d := range defs {
		if !hasRow(string(d.Code)) {
			bad("%s: not in the findings table of %s", d.Code, doc)
		}
	}
	for _, f := range fixes {
		if !hasRow(f.ID) {
			bad("the fix %s is not in the fixes table of %s", f.ID, doc)
		}
	}
	for _, c := range checks {
		if !strings.Contains(text, "`"+c+"`") {
			bad("the check %s is not named in %s", c, doc)
		}
	}
	// Every row of a table whose first cell is a name must be declared.
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\|")
	for _, m := range row.FindAllStringSubmatch(text, -1) {
		name := m[1]
		if finding.Lookup(finding.Code(name)) == nil && !slices.ContainsFunc(fixes, func(f fix.Info) bool { return f.ID == name }) &&
			!slices.ContainsFunc(defs, func(d *finding.Definition) bool { return string(d.Code) == name }) {
			bad("%s lists %q, which the code does not declare", doc, name)
		}
	}
	return out
}

// dependencyCycle walks d's dependencies and returns the way back to a
// finding already on the path, or "".
func dependencyCycle(d *finding.Definition, path []*finding.Definition) string {
	if slices.Contains(path, d) {
		var names []string
		for _, p := range append(path, d) {
			names = append(names, string(p.Code))
		}
		return strings.Join(names, " → ")
	}
	for _, dep := range d.DependsOn {
		if dep != nil {
			if c := dependencyCycle(dep, append(path, d)); c != "" {
				return c
			}
		}
	}
	return ""
}

func readContracts(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../../docs/contracts.md") // the repository's, from agent/diag/finding
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The README is where a newcomer reads what each finding means and what
// each fix changes: a code or fix id left out of it is one they cannot
// look up.
func TestREADMEListsEveryFindingAndFix(t *testing.T) {
	for _, p := range documentProblems("README.md (Findings and fixes)", readmetest.Section(t, "## Findings and fixes"), finding.All(), fix.All, check.Names()) {
		t.Error(p)
	}
}

func TestFindingsKeepTheirContract(t *testing.T) {
	for _, p := range contractProblems(finding.All(), fix.All, check.Names(), readContracts(t)) {
		t.Error(p)
	}
}

// The contract test catches what it is for: a finding offering a fix that
// does not exist, depending on a finding nobody registered, left out of the
// document; a fix left out of the document; a cycle; a row for a name the
// code does not declare.
func TestContractProblemsCatchABrokenContract(t *testing.T) {
	stray := &finding.Definition{Code: "stray", Check: "dns", Title: "t", Detail: "d"}
	loopA := &finding.Definition{Code: "loop-a", Check: "dns", Title: "t", Detail: "d"}
	loopB := &finding.Definition{Code: "loop-b", Check: "dns", Title: "t", Detail: "d", DependsOn: []*finding.Definition{loopA}}
	loopA.DependsOn = []*finding.Definition{loopB}
	broken := &finding.Definition{Code: "broken", Check: "dsn", Title: "t", Detail: "d",
		Fixes: []string{"dns-flsuh"}, DependsOn: []*finding.Definition{stray}}
	doc := "| `broken` |\n| `loop-a` |\n| `loop-b` |\n| `dns-flush` |\n| `ghost` |\n`dns`\n"
	got := contractProblems([]*finding.Definition{broken, loopA, loopB},
		[]fix.Info{{ID: "dns-flush"}, {ID: "recheck"}}, []string{"dns"}, doc)
	for _, want := range []string{
		`broken: raised by "dsn", which is no check`,
		`broken: offers the fix "dns-flsuh", which is not in the fix list`,
		"broken: depends on a finding that is not registered",
		"loop-a: depends on itself: loop-a → loop-b → loop-a",
		"the fix recheck is not in the fixes table",
		`docs/contracts.md lists "ghost"`,
	} {
		if !slices.ContainsFunc(got, func(p string) bool { return strings.HasPrefix(p, want) }) {
			t.Errorf("no problem %q among:\n  %s", want, strings.Join(got, "\n  "))
		}
	}
}
