package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/internal/winegap"
)

// completions sources the bash script the program prints and asks its
// completion function for the words after line (the last word being
// completed), as bash does on a Tab.
func completions(t *testing.T, script string, line ...string) []string {
	t.Helper()
	words := make([]string, len(line))
	for i, w := range line {
		words[i] = `'` + w + `'`
	}
	prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(line)-1) + "\n_clearance\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command("bash", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	r := runCmd(t, clearanceCmd(t, nil, "completion", "bash"))
	if r.code != 0 {
		t.Fatalf("exit status %d\n%s", r.code, r.stderr)
	}
	script := filepath.Join(winegap.TempDir(t), "clearance.bash")
	if err := os.WriteFile(script, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		line []string
		want []string
	}{
		{[]string{"clearance", "ch"}, []string{"check"}},
		{[]string{"clearance", ""}, commandNames(completionWords())},
		{[]string{"clearance", "fix", ""}, fixIDList()},
		{[]string{"clearance", "check", "--only", ""}, check.Names()},
		{[]string{"clearance", "check", "--j"}, []string{"--json"}},
		{[]string{"clearance", "completion", "f"}, []string{"fish"}},
	} {
		got := completions(t, script, tc.line...)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%q<Tab>: %q, want %q", strings.Join(tc.line, " "), got, tc.want)
		}
	}
}

// Every script names every command and each command's every flag: they
// are generated from the command table, so a new one cannot be missed.
func TestCompletionScriptsNameEveryCommandAndFlag(t *testing.T) {
	for _, sh := range shells {
		r := runCmd(t, clearanceCmd(t, nil, "completion", sh))
		if r.code != 0 {
			t.Fatalf("%s: exit status %d\n%s", sh, r.code, r.stderr)
		}
		for _, c := range commands {
			if !strings.Contains(r.stdout, c.name) {
				t.Errorf("%s: no command %s", sh, c.name)
			}
			if c.flags == nil {
				continue
			}
			c.flags().VisitAll(func(f *flag.Flag) {
				if !strings.Contains(r.stdout, f.Name) {
					t.Errorf("%s: %s has no flag --%s", sh, c.name, f.Name)
				}
			})
		}
	}
}

func TestCompletionUnknownShell(t *testing.T) {
	r := runCmd(t, clearanceCmd(t, nil, "completion", "tcsh"))
	if r.code != 2 || !strings.Contains(r.stderr, strings.Join(shells, ", ")) {
		t.Errorf("exit status %d, stderr %q; want 2 and the shells", r.code, r.stderr)
	}
}
