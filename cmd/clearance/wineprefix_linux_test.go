package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
)

// Debian's wine64 package installs Wine here, with nothing on PATH.
const (
	wineBin       = "/usr/lib/wine/wine64"
	wineserverBin = "/usr/lib/wine/wineserver"
	mingwCC       = "x86_64-w64-mingw32-gcc"
)

// winePrefix is a throwaway Wine prefix with the two shim DLLs that let
// Go 1.26 programs run under Wine 8 (installer/packaging/wine/README.md).
// Everything Wine starts is stopped, and the prefix removed, when the test
// ends; Wine's $HOME is a directory of the test's own, so that nothing is
// written to the real one.
type winePrefix struct {
	dir    string // holds the prefix, $HOME and the built programs
	prefix string
	env    []string
}

// newWinePrefix makes the prefix, or skips the test (fails it under CI,
// which installs wine64 and gcc-mingw-w64-x86-64) when Wine or mingw-w64
// is missing.
func newWinePrefix(t *testing.T) *winePrefix {
	t.Helper()
	if _, err := os.Stat(wineBin); err != nil {
		roottest.Need(t, "needs Wine (Debian package wine64): "+err.Error())
	}
	if _, err := exec.LookPath(mingwCC); err != nil {
		roottest.Need(t, "needs mingw-w64 (Debian package gcc-mingw-w64-x86-64): "+err.Error())
	}
	dir := t.TempDir()
	w := &winePrefix{dir: dir, prefix: filepath.Join(dir, "prefix")}
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	w.env = append(withoutProxyEnv(os.Environ()),
		"WINEPREFIX="+w.prefix,
		"WINEDEBUG=-all",
		// No Mono or Gecko installer, no menu entries or file
		// associations on the host, and no browser opened there.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d;winebrowser.exe=d",
		"HOME="+home,
		"DISPLAY=", "WAYLAND_DISPLAY=",
	)
	t.Cleanup(w.stop)

	start := time.Now()
	w.run(t, wineBin, "wineboot", "-i")
	w.run(t, wineserverBin, "-w")
	t.Logf("time: a fresh Wine prefix: %v", time.Since(start).Round(100*time.Millisecond))

	start = time.Now()
	sys32 := filepath.Join(w.prefix, "drive_c", "windows", "system32")
	shims := filepath.Join(dir, "shims")
	runOK(t, exec.Command("sh", "../../installer/packaging/wine/build.sh", shims, filepath.Join(sys32, "iphlpapi.dll")))
	t.Logf("time: building the two shim DLLs: %v", time.Since(start).Round(100*time.Millisecond))
	// Wine's own iphlpapi under the name the new one forwards to; the new
	// one in its place, loaded instead of Wine's builtin.
	copyFile(t, filepath.Join(sys32, "iphlpapi.dll"), filepath.Join(sys32, "wine_iphlpapi.dll"))
	copyFile(t, filepath.Join(shims, "iphlpapi.dll"), filepath.Join(sys32, "iphlpapi.dll"))
	copyFile(t, filepath.Join(shims, "bcryptprimitives.dll"), filepath.Join(sys32, "bcryptprimitives.dll"))
	w.run(t, wineBin, "reg", "add", `HKCU\Software\Wine\DllOverrides`, "/v", "iphlpapi", "/d", "native", "/f")
	return w
}

// stop ends every process of the prefix: wineserver -k kills them all.
func (w *winePrefix) stop() {
	cmd := exec.Command(wineserverBin, "-k")
	cmd.Env = w.env
	_ = cmd.Run() // fails when no wineserver runs: nothing to stop
	cmd = exec.Command(wineserverBin, "-w")
	cmd.Env = w.env
	_ = cmd.Run()
}

// cmd is argv run under Wine, in dir.
func (w *winePrefix) cmd(ctx context.Context, dir string, argv ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, wineBin, argv...)
	cmd.Env = w.env
	cmd.Dir = dir
	return cmd
}

// runCmd runs cmd, a Wine command, and collects its output and exit
// status. The output goes through files, not pipes: the Wine processes a
// command may start (wineserver, services.exe) outlive it and inherit its
// output, and a pipe they hold open would never end.
func (w *winePrefix) runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	stdout, stderr := w.outputFile(t, "stdout"), w.outputFile(t, "stderr")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	out, err := os.ReadFile(stdout.Name())
	if err != nil {
		t.Fatal(err)
	}
	errOut, err := os.ReadFile(stderr.Name())
	if err != nil {
		t.Fatal(err)
	}
	return result{string(out), string(errOut), code}
}

// outputFile is a new file for a Wine command's output, closed when the
// test ends.
func (w *winePrefix) outputFile(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.CreateTemp(w.dir, name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func (w *winePrefix) run(t *testing.T, argv ...string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = w.env
	runOK(t, cmd)
}

// winPath is the Windows name of a host path: Wine's Z: is the host's /.
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// buildWindows builds a Windows program from pkg into the prefix's
// directory.
func (w *winePrefix) buildWindows(t *testing.T, pkg, name string) string {
	t.Helper()
	out := filepath.Join(w.dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	runOK(t, cmd)
	return out
}

// runOK runs cmd and fails the test if it fails. Its output goes through
// a file, as in runCmd.
func runOK(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "output-")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
