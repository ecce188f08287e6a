package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestWine runs the Windows build under Wine 8 (Debian's wine64), in a
// throwaway prefix: the commands a person runs, the agent answering on its
// named pipe, the service registration, and every package's tests compiled
// for Windows. Every peer is on loopback. It proves that the Windows code
// starts, reads what Wine gives it, and fails by what Wine lacks only
// where the tests name the gap (internal/winegap); it does not prove the
// Windows service, the session-0 agent, W32Time, UDP or file access lists
// work on Windows (installer/packaging/wine/README.md).
//
// make test runs it alone, after the rest, through make wine-smoke.
func TestWine(t *testing.T) {
	start := time.Now()
	w := newWinePrefix(t)
	t0 := time.Now()
	exe := w.buildWindows(t, ".", "clearance.exe")
	unelevated := w.buildWindows(t, "../../internal/winegap/unelevated", "unelevated.exe")
	t.Logf("time: building clearance.exe and unelevated.exe: %v", time.Since(t0).Round(100*time.Millisecond))

	t.Run("version", func(t *testing.T) {
		r := w.clearance(t, exe, "version")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "clearance ") {
			t.Errorf("exit status %d, want 0 and the version\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("help", func(t *testing.T) {
		r := w.clearance(t, exe, "--help")
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "clearance check") {
			t.Errorf("exit status %d, want 0 and the usage\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	// Loopback peers for every probe, NTP server and the status page:
	// nothing leaves the machine. Go on Windows verifies certificates
	// against the system store, not SSL_CERT_FILE, so the HTTPS probes
	// fail verification here; the report must still come out whole.
	world := newWorld(t, worldOptions{})
	config := winPath(world.config)
	t.Run("check", func(t *testing.T) {
		r := w.clearance(t, exe, "check", "--json", "--config", config)
		if r.code != 0 && r.code != 1 {
			t.Errorf("exit status %d, want 0 or 1\n%s", r.code, r.stderr)
		}
		rep := decodeReport(t, r)
		if len(rep.Checks) == 0 {
			t.Errorf("no check in the report:\n%s", r.stdout)
		}
		for _, c := range rep.Checks {
			t.Logf("%s: %s: %s", c.Name, c.Status, c.Summary)
		}
	})
	t.Run("agent", func(t *testing.T) { testWineAgent(t, w, exe, unelevated, config) })
	t.Run("service", func(t *testing.T) { testWineService(t, w, exe) })
	t.Run("unit tests", func(t *testing.T) { testWineUnitTests(t, w) })
	t.Logf("time: the whole Wine smoke test: %v", time.Since(start).Round(100*time.Millisecond))
}

// clearance runs clearance.exe under Wine and fails the test on a panic.
func (w *winePrefix) clearance(t *testing.T, exe string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := w.runCmd(t, w.cmd(ctx, w.dir, append([]string{exe}, args...)...))
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("clearance %s panicked:\n%s", strings.Join(args, " "), r.stderr)
	}
	return r
}

// The agent runs in the foreground, unelevated: as a person runs it from a
// normal prompt. Elevated, it would refuse every configuration file under
// Wine, which keeps no file owners (winegap.FileSecurity), and it must not
// run with the defaults, which probe the internet.
func testWineAgent(t *testing.T, w *winePrefix, exe, unelevated, config string) {
	ctx, cancel := context.WithCancel(context.Background())
	agentOut := w.outputFile(t, "agent.log")
	agent := w.cmd(ctx, w.dir, unelevated, exe, "agent", "--config", config)
	agent.Stdout, agent.Stderr = agentOut, agentOut
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = agent.Wait()
		b, _ := os.ReadFile(agentOut.Name())
		t.Logf("agent's output:\n%s", b)
	})

	// The agent takes a moment to open its pipe ("File not found" until
	// then), and Wine loses the first connection to a new named pipe (the
	// client connects, the server never accepts it: that status times out);
	// the next must answer.
	var r result
	deadline := time.Now().Add(2 * time.Minute)
	for attempt := 1; ; attempt++ {
		r = w.clearance(t, exe, "status")
		if strings.Contains(r.stdout, "the agent answers") {
			t.Logf("status answered at attempt %d", attempt)
			break
		}
		t.Logf("status, attempt %d: exit status %d\n%s%s", attempt, r.code, r.stdout, r.stderr)
		if attempt >= 5 || time.Now().After(deadline) {
			t.Fatalf("the agent does not answer status over its pipe")
		}
		time.Sleep(time.Second)
	}
	if !strings.Contains(r.stdout, "Agent:    answering") {
		t.Errorf("status does not show the agent:\n%s", r.stdout)
	}

	// Unelevated, the agent may not change the system, and says so: the
	// answer comes from the agent, over the pipe.
	r = w.clearance(t, exe, "fix", "dns-flush", "--dry-run")
	if strings.Contains(r.stderr, "no agent answers") || !strings.Contains(r.stdout, "the agent is not running as an administrator") {
		t.Errorf("fix dns-flush --dry-run: exit status %d, want the agent's answer\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// install registers the service and uninstall removes it, as the service
// manager (sc query) sees. Under Debian's Wine, install refuses first:
// Wine keeps no file owners, so no configuration path can be the
// Administrators' alone, which install asks since the agent reads the file
// with full rights (winegap.FileSecurity).
func testWineService(t *testing.T, w *winePrefix, exe string) {
	r := w.clearance(t, exe, "install")
	if r.code != 0 && strings.Contains(r.stderr, `C:\ belongs to`) && strings.Contains(r.stderr, "not to the Administrators") {
		t.Skipf("Wine gap: file owners and access lists: install refuses, as it must, a configuration path that is not the Administrators' alone:\n%s", r.stderr)
	}
	t.Logf("install: exit status %d\n%s%s", r.code, r.stdout, r.stderr)
	if q := w.clearance(t, exe, "status"); q.code == 3 {
		t.Errorf("after install, status says not installed:\n%s", q.stdout)
	}
	if q := w.sc(t, "query", "clearance"); q.code != 0 {
		t.Errorf("after install, sc query clearance: exit status %d\n%s", q.code, q.stdout)
	}
	r = w.clearance(t, exe, "uninstall")
	if r.code != 0 {
		t.Errorf("uninstall: exit status %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if q := w.sc(t, "query", "clearance"); q.code == 0 {
		t.Errorf("after uninstall, sc query clearance still finds the service:\n%s", q.stdout)
	}
}

func (w *winePrefix) sc(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return w.runCmd(t, w.cmd(ctx, w.dir, append([]string{"sc"}, args...)...))
}

var (
	topLevelResult = regexp.MustCompile(`^--- (PASS|FAIL|SKIP): (\S+)`)
	wineGapSkip    = regexp.MustCompile(`Wine gap: ([^:]+):`)
)

// testWineUnitTests compiles every package's tests for Windows and runs
// each test binary under Wine from its package's directory (testdata).
// All must pass or skip; the counts, and the skips by Wine gap, are logged.
func testWineUnitTests(t *testing.T, w *winePrefix) {
	list := exec.Command("go", "list", "-f", "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}", "../../...")
	list.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct{ path, dir, bin string }
	var pkgs []pkg
	bins := filepath.Join(w.dir, "tests")
	t0 := time.Now()
	for line := range strings.Lines(string(out)) {
		path, dir, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		bin := filepath.Join(bins, strings.ReplaceAll(path, "/", "_")+".test.exe")
		build := exec.Command("go", "test", "-c", "-o", bin, path)
		build.Env = list.Env
		runOK(t, build)
		pkgs = append(pkgs, pkg{path, dir, bin})
	}
	t.Logf("time: compiling %d test binaries for Windows: %v", len(pkgs), time.Since(t0).Round(100*time.Millisecond))

	t0 = time.Now()
	counts := map[string]int{}
	gaps := map[string]int{}
	for _, p := range pkgs {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		cmd := w.cmd(ctx, p.dir, p.bin, "-test.v", "-test.count=1", "-test.timeout=8m")
		// Not under CI=true: it makes a skip for a missing Linux tool
		// (bash, desktop-file-validate) a failure, for the Linux run,
		// where CI installs them; Windows has none of them.
		cmd.Env = slices.DeleteFunc(slices.Clone(cmd.Env), func(kv string) bool { return strings.HasPrefix(kv, "CI=") })
		out := w.outputFile(t, filepath.Base(p.bin)+".log")
		cmd.Stdout, cmd.Stderr = out, out
		err := cmd.Run()
		cancel()
		log, rerr := os.ReadFile(out.Name())
		if rerr != nil {
			t.Fatal(rerr)
		}
		sc := bufio.NewScanner(bytes.NewReader(log))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if m := topLevelResult.FindStringSubmatch(sc.Text()); m != nil {
				counts[m[1]]++
			}
			if m := wineGapSkip.FindStringSubmatch(sc.Text()); m != nil {
				gaps[m[1]]++
			}
		}
		if err != nil {
			t.Errorf("%s under Wine: %v\n%s", p.path, err, failures(string(log)))
		}
	}
	t.Logf("time: running them under Wine: %v", time.Since(t0).Round(100*time.Millisecond))
	var byGap []string
	for g, n := range gaps {
		byGap = append(byGap, fmt.Sprintf("%s %d", g, n))
	}
	sort.Strings(byGap)
	t.Logf("Windows tests under Wine: %d passed, %d skipped, %d failed; skips naming a Wine gap (tests and subtests): %s",
		counts["PASS"], counts["SKIP"], counts["FAIL"], strings.Join(byGap, ", "))
}

// failures is what a test binary run with -test.v printed for each
// top-level test that failed (its output runs from its "=== RUN", "===
// NAME" or "=== CONT" lines to its result), or all of it when none is
// named (a panic, a build failure).
func failures(log string) string {
	byTest := map[string]*strings.Builder{}
	var failed []string
	current := ""
	for line := range strings.Lines(log) {
		trimmed := strings.TrimSpace(line)
		for _, prefix := range []string{"=== RUN", "=== NAME", "=== CONT", "=== PAUSE"} {
			if name, ok := strings.CutPrefix(trimmed, prefix); ok {
				current, _, _ = strings.Cut(strings.TrimSpace(name), "/")
			}
		}
		if name, ok := strings.CutPrefix(line, "--- FAIL: "); ok {
			name, _, _ = strings.Cut(name, " ")
			failed = append(failed, name)
		}
		if byTest[current] == nil {
			byTest[current] = &strings.Builder{}
		}
		byTest[current].WriteString(line)
	}
	if len(failed) == 0 {
		return log
	}
	var b strings.Builder
	for _, name := range failed {
		if out := byTest[name]; out != nil {
			b.WriteString(out.String())
		}
	}
	return b.String()
}
