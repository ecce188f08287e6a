// Command fuzzall runs every fuzz target of the module for a fixed time
// each, and fails when one finds a crasher: `make fuzz` runs it, so a new
// Fuzz function is fuzzed in CI without being listed anywhere.
//
//	go run ./scripts/fuzzall [-fuzztime 10s] [-minimizetime 10s] [-run REGEXP] [PACKAGES]
//
// `go test -fuzz` takes one target of one package per run and links a test
// binary each time; fuzzall builds each package's instrumented test binary
// once (`go test -c -fuzz`) and runs it once per target, in the package's
// folder, so that a crasher is written to that package's testdata/fuzz/
// like `go test -fuzz` does: commit it, and it is a seed from then on. At
// the end it prints each target's executions per second.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// target is one fuzz function of one package.
type target struct {
	pkg  listed
	name string
}

// result is what one run of a target gave.
type result struct {
	target
	execs   int64
	elapsed time.Duration // fuzzing, as the fuzzer counts it
	wall    time.Duration // the whole run, baseline coverage included
	raced   bool          // Go's own deadline race ended it; its seeds pass (deadlineRace)
	err     error
}

// listed is the part of `go list -json` fuzzall reads.
type listed struct {
	ImportPath   string
	Dir          string
	TestGoFiles  []string
	XTestGoFiles []string
}

func main() {
	fuzztime := flag.String("fuzztime", "10s", "how long to fuzz each target: a duration, or Nx for N executions")
	// Go minimizes every input that finds new code, not only crashers, and
	// that time is taken from the target's fuzzing: with go test's 60 s,
	// a target with large seeds (FuzzNetlinkFilter) spent its whole 10 s
	// minimizing and ran 29 inputs. A crasher minimized for 1 s is still a
	// crasher.
	minimize := flag.String("minimizetime", "1s", "how long to minimize a crasher or a new input (the -fuzzminimizetime of go test)")
	run := flag.String("run", "", "fuzz only the targets whose name matches this regular expression")
	flag.Parse()
	patterns := flag.Args()
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	var only *regexp.Regexp
	if *run != "" {
		var err error
		if only, err = regexp.Compile(*run); err != nil {
			fail("-run: %v", err)
		}
	}
	for _, v := range []string{*fuzztime, *minimize} {
		if !validTime(v) {
			fail("%q is neither a duration nor Nx", v)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	start := time.Now()
	targets, err := findTargets(ctx, patterns, only)
	if err != nil {
		fail("%v", err)
	}
	if len(targets) == 0 {
		fail("no fuzz targets in %s", strings.Join(patterns, " "))
	}
	tmp, err := os.MkdirTemp("", "fuzzall-")
	if err != nil {
		fail("%v", err)
	}
	defer os.RemoveAll(tmp)
	cache, err := goEnv(ctx, "GOCACHE")
	if err != nil {
		fail("%v", err)
	}

	var results []result
	var build time.Duration
	bins := map[string]string{}
	for _, t := range targets {
		if ctx.Err() != nil {
			break
		}
		bin, ok := bins[t.pkg.ImportPath]
		if !ok {
			b := time.Now()
			bin, err = buildTest(ctx, tmp, t)
			build += time.Since(b)
			if err != nil {
				results = append(results, result{target: t, err: err})
				fmt.Printf("FAIL %s %s: %v\n", t.pkg.ImportPath, t.name, err)
				continue
			}
			bins[t.pkg.ImportPath] = bin
		}
		// The fuzz cache go test uses, so that what one run found
		// interesting is where the next starts.
		r := fuzz(ctx, bin, t, *fuzztime, *minimize, filepath.Join(cache, "fuzz", t.pkg.ImportPath))
		results = append(results, r)
		switch {
		case r.err != nil:
			fmt.Printf("FAIL %s %s: %v\n", t.pkg.ImportPath, t.name, r.err)
		case r.raced:
			fmt.Printf("ok   %s %s: %d execs in %s; go test failed it for its own deadline, with no input found, and its seeds pass\n", t.pkg.ImportPath, t.name, r.execs, r.elapsed)
		default:
			fmt.Printf("ok   %s %s: %d execs in %s\n", t.pkg.ImportPath, t.name, r.execs, r.elapsed)
		}
	}
	failed := report(os.Stdout, results)
	fmt.Printf("fuzz: %d targets in %d packages, %s each: %s in all, %s of it building\n",
		len(results), len(bins), *fuzztime, time.Since(start).Round(time.Second), build.Round(time.Second))
	if failed > 0 || ctx.Err() != nil {
		fmt.Printf("fuzz: %d targets failed; a crasher is in the package's testdata/fuzz/<target>/: fix the bug and commit the file as a seed\n", failed)
		os.Exit(1)
	}
}

// findTargets lists the packages' test files for this OS (go list applies
// the build constraints) and reads their Fuzz functions from the source,
// which costs no compiling, unlike `go test -list`.
func findTargets(ctx context.Context, patterns []string, only *regexp.Regexp) ([]target, error) {
	cmd := exec.CommandContext(ctx, goCmd(), append([]string{"list", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles"}, patterns...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var targets []target
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list: %w", err)
		}
		// The package's own test files and its _test package's are
		// compiled into one test binary; both may hold targets.
		for _, name := range append(p.TestGoFiles, p.XTestGoFiles...) {
			names, err := fuzzFuncs(filepath.Join(p.Dir, name))
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				if only == nil || only.MatchString(n) {
					targets = append(targets, target{pkg: p, name: n})
				}
			}
		}
	}
	return targets, nil
}

// fuzzFuncs returns the names of a test file's fuzz targets: top-level
// functions FuzzXxx(*testing.F), the shape go test looks for.
func fuzzFuncs(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !isFuzzName(fn.Name.Name) || len(fn.Type.Params.List) != 1 {
			continue
		}
		if star, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr); ok {
			if sel, ok := star.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "F" {
				names = append(names, fn.Name.Name)
			}
		}
	}
	return names, nil
}

// validTime is what go test takes for -fuzztime: a duration or Nx.
func validTime(s string) bool {
	if n, ok := strings.CutSuffix(s, "x"); ok {
		_, err := strconv.ParseUint(n, 10, 64)
		return err == nil
	}
	_, err := time.ParseDuration(s)
	return err == nil
}

// isFuzzName is go test's rule: "Fuzz" and then not a lower-case letter.
func isFuzzName(s string) bool {
	rest, ok := strings.CutPrefix(s, "Fuzz")
	return ok && (rest == "" || !(rest[0] >= 'a' && rest[0] <= 'z'))
}

// buildTest compiles the package's test binary with the coverage
// instrumentation fuzzing needs; -fuzz names one target only because go
// test wants one, the binary holds them all.
func buildTest(ctx context.Context, dir string, t target) (string, error) {
	bin := filepath.Join(dir, strings.ReplaceAll(t.pkg.ImportPath, "/", "_")+".test")
	cmd := exec.CommandContext(ctx, goCmd(), "test", "-c", "-o", bin, "-fuzz", "^"+t.name+"$", t.pkg.ImportPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go test -c: %w\n%s", err, out)
	}
	return bin, nil
}

// progress is the fuzzer's status line: "fuzz: elapsed: 3s, execs: 34446 (11481/sec), ...".
var progress = regexp.MustCompile(`^fuzz: elapsed: (\S+), execs: (\d+) `)

// fuzz runs one target, in its package's folder (testdata/fuzz is read
// and written there), and keeps the last execution count the fuzzer
// printed.
func fuzz(ctx context.Context, bin string, t target, fuzztime, minimize, cacheDir string) result {
	r := result{target: t}
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.fuzz", "^"+t.name+"$",
		"-test.fuzztime", fuzztime, "-test.fuzzminimizetime", minimize,
		"-test.fuzzcachedir", cacheDir)
	cmd.Dir = t.pkg.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r.wall = time.Since(start)
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		m := progress.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if d, err := time.ParseDuration(m[1]); err == nil {
			r.elapsed = d
		}
		r.execs, _ = strconv.ParseInt(m[2], 10, 64)
	}
	if err != nil && deadlineRace(out.Bytes()) && ctx.Err() == nil {
		// Nothing was found; the target's seeds and corpus, run again
		// without fuzzing, tell whether anything reproducible fails.
		replay := exec.CommandContext(ctx, bin, "-test.run", "^"+t.name+"$")
		replay.Dir = t.pkg.Dir
		if rout, rerr := replay.CombinedOutput(); rerr != nil {
			r.err = fmt.Errorf("%w\n%s", rerr, rout)
			return r
		}
		r.raced = true
		return r
	}
	if err != nil {
		r.err = fmt.Errorf("%w\n%s", err, out.Bytes())
	}
	return r
}

// deadlineRace tells Go's fuzzing coordinator failing a target at the end
// of -fuzztime for its own deadline: "context deadline exceeded" and no
// input written. It is a race inside internal/fuzz (CoordinateFuzzing
// compares its two contexts' errors while the parent's cancellation is
// still reaching the child), seen on loaded machines; it finds nothing.
func deadlineRace(out []byte) bool {
	return bytes.Contains(out, []byte("\n    context deadline exceeded\n")) &&
		!bytes.Contains(out, []byte("Failing input written")) && !bytes.Contains(out, []byte("panic:"))
}

// report prints the table of targets and rates, and returns how many
// failed.
func report(w io.Writer, results []result) int {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "package\ttarget\texecs\texecs/sec\twall\tresult\t")
	failed := 0
	for _, r := range results {
		verdict := "ok"
		if r.raced {
			verdict = "ok (deadline race)"
		}
		if r.err != nil {
			verdict = "FAIL"
			failed++
		}
		rate := "-"
		if r.elapsed > 0 {
			rate = strconv.FormatInt(int64(float64(r.execs)/r.elapsed.Seconds()), 10)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t\n", strings.TrimPrefix(r.pkg.ImportPath, "github.com/clearance-app/clearance/"),
			r.name, r.execs, rate, r.wall.Round(100*time.Millisecond), verdict)
	}
	tw.Flush()
	return failed
}

// goCmd is the go command make passes as $GO, so that fuzzall uses the
// same toolchain as the rest of the build.
func goCmd() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

func goEnv(ctx context.Context, name string) (string, error) {
	out, err := exec.CommandContext(ctx, goCmd(), "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "fuzzall: "+format+"\n", args...)
	os.Exit(2)
}
