package check

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/netip"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clearance-app/clearance/platform/browser"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/proxy"
	"github.com/clearance-app/clearance/platform/timesync"
)

// fakeHost is a machine described in plain fields, each read returning its
// own: a test that gives every check its own fakeHost runs in parallel with
// the others and never depends on the machine it runs on. The zero value
// is a machine with nothing: no interfaces, no routes, no processes, an
// unknown resolver, no time service, no proxy.
type fakeHost struct {
	interfaces    []netstate.Interface
	interfacesErr error
	routes        []netstate.Route
	routesErr     error
	// source is the local address towards every destination.
	source       netip.Addr
	sourceErr    error
	processes    []string
	processesErr error
	// scans counts the readings of the process list.
	scans        atomic.Int32
	tailscale    netstate.TailscaleExitNode
	tailscaleErr error
	resolver     dnsconf.ResolverInfo
	resolverErr  error
	timeSync     timesync.State
	timeSyncErr  error
	proxies      []proxy.Setting
	proxiesErr   error
	env          map[string]string
	browsers     []browser.Browser
	browsersErr  []error
	// profiles are each profile's extensions and settings, by its Dir.
	profiles map[string]BrowserProfile
}

func (h *fakeHost) Browsers(context.Context) ([]browser.Browser, []error) {
	return h.browsers, h.browsersErr
}

func (h *fakeHost) BrowserProfile(_ browser.Browser, p browser.Profile) (BrowserProfile, []error) {
	return h.profiles[p.Dir], nil
}

func (h *fakeHost) Interfaces(context.Context) ([]netstate.Interface, error) {
	return h.interfaces, h.interfacesErr
}

func (h *fakeHost) Routes(context.Context) ([]netstate.Route, error) {
	return h.routes, h.routesErr
}

func (h *fakeHost) SourceAddr(context.Context, netip.Addr) (netip.Addr, error) {
	return h.source, h.sourceErr
}

func (h *fakeHost) Processes(context.Context) (host.Processes, error) {
	h.scans.Add(1)
	if h.processesErr != nil {
		return host.Processes{}, h.processesErr
	}
	p := host.Processes{ByPID: map[string]string{}, Complete: true}
	for i, name := range h.processes {
		p.ByPID[strconv.Itoa(100+i)] = name
	}
	return p, nil
}

func (h *fakeHost) TailscaleExitNode(context.Context) (netstate.TailscaleExitNode, error) {
	return h.tailscale, h.tailscaleErr
}

// Resolver and TimeSync ask for the processes as the Linux ones do, which
// name the resolver and the time service by them.
func (h *fakeHost) Resolver(ctx context.Context, procs host.ProcessReader) (dnsconf.ResolverInfo, error) {
	if _, err := procs(ctx); err != nil {
		return dnsconf.ResolverInfo{}, err
	}
	return h.resolver, h.resolverErr
}

func (h *fakeHost) TimeSync(ctx context.Context, procs host.ProcessReader) (timesync.State, error) {
	if _, err := procs(ctx); err != nil {
		return timesync.State{}, err
	}
	return h.timeSync, h.timeSyncErr
}

func (h *fakeHost) ProxySettings(context.Context) ([]proxy.Setting, error) {
	return h.proxies, h.proxiesErr
}

func (h *fakeHost) Getenv(name string) string { return h.env[name] }

// platformPure are the functions of platform that read nothing but their
// arguments: a check may call them.
var platformPure = map[string]bool{
	"platform/dnsconf.AddrStrings":   true,
	"platform/proxy.MaskCredentials": true,
	"platform/proxy.SourceErrors":    true,
}

// stdlibOSReads are the standard library's reads of what Host stands for.
var stdlibOSReads = map[string]bool{
	"os.Getenv": true, "os.LookupEnv": true, "os.Environ": true,
	"net.Interfaces": true, "net.InterfaceAddrs": true, "net.InterfaceByName": true, "net.InterfaceByIndex": true,
	"exec.Command": true, "exec.CommandContext": true,
}

// Checks read the OS only through Env.Host: outside host.go (the real
// Host) and env.go (the real Env), no file of the package calls a
// function of platform or uses one of its variables other than a sentinel
// error; its types and constants are fine. A check that read the OS
// directly would be untestable beside the others and would ignore the
// test's machine.
func TestChecksReadTheOSOnlyThroughHost(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var scanned int
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "host.go" || name == "env.go" {
			continue
		}
		scanned++
		for _, v := range osReadsIn(t, name) {
			t.Errorf("%s; read the OS through env.Host (host.go)", v)
		}
	}
	if scanned < 10 {
		t.Fatalf("scanned %d files: the test is not looking at the checks", scanned)
	}
	// The scan sees host.go's reads: it would see them anywhere else.
	if got := osReadsIn(t, "host.go"); len(got) < 8 {
		t.Fatalf("host.go reads the OS %d times by the scan, want every Host method: %v", len(got), got)
	}
}

// osReadsIn lists where a file calls a function or uses a variable of
// platform (its pure functions and sentinel errors aside), or reads what
// Host stands for through the standard library.
func osReadsIn(t *testing.T, name string) []string {
	t.Helper()
	const module = "github.com/clearance-app/clearance/"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]string{} // local name → path
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		local := path.Base(p)
		if imp.Name != nil {
			local = imp.Name.Name
		}
		imports[local] = p
	}
	type decls struct{ funcs, vars map[string]bool }
	parsed := map[string]decls{}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok || x.Obj != nil { // x.Obj is set for a local name, nil for a package
			return true
		}
		p, ok := imports[x.Name]
		if !ok {
			return true
		}
		at := fset.Position(sel.Pos())
		if stdlibOSReads[path.Base(p)+"."+sel.Sel.Name] {
			out = append(out, fmt.Sprintf("%s: %s.%s reads the OS", at, x.Name, sel.Sel.Name))
			return true
		}
		rel, ok := strings.CutPrefix(p, module)
		if !ok || (rel != "platform" && !strings.HasPrefix(rel, "platform/")) {
			return true
		}
		d, ok := parsed[rel]
		if !ok {
			d.funcs, d.vars = packageFuncsAndVars(t, filepath.Join("..", "..", "..", filepath.FromSlash(rel)))
			parsed[rel] = d
		}
		switch id := sel.Sel.Name; {
		case d.funcs[id] && !platformPure[rel+"."+id]:
			out = append(out, fmt.Sprintf("%s: uses the platform function %s.%s", at, x.Name, id))
		case d.vars[id] && !strings.HasPrefix(id, "Err"):
			out = append(out, fmt.Sprintf("%s: uses the platform variable %s.%s", at, x.Name, id))
		}
		return true
	})
	return out
}

// packageFuncsAndVars lists the package-level functions and variables
// declared in a package's source, on every OS.
func packageFuncsAndVars(t *testing.T, dir string) (funcs, vars map[string]bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no source in %s: %v", dir, err)
	}
	funcs, vars = map[string]bool{}, map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					funcs[d.Name.Name] = true
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						vars[n.Name] = true
					}
				}
			}
		}
	}
	return funcs, vars
}
