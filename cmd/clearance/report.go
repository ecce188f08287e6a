package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/bundle"
)

// reportOptions are the flags of `clearance report`.
type reportOptions struct {
	out        string
	noRedact   bool
	socket     string
	configPath string
}

func reportFlags(o *reportOptions) *flag.FlagSet {
	fs := newFlagSet("report")
	fs.StringVar(&o.out, "out", "", "write the bundle to `FILE` (default clearance-report-TIME.zip in this directory);\nan existing file or link there is refused")
	fs.BoolVar(&o.noRedact, "no-redact", false, "keep host names, login names and IP and MAC addresses as they are")
	fs.StringVar(&o.socket, "socket", "", "the agent's socket or pipe (default "+api.DefaultAddress+")")
	fs.StringVar(&o.configPath, "config", "", "configuration file for the check (default: CLEARANCE_CONFIG, else the system file)")
	return fs
}

// runReport is `clearance report`: one zip with what support needs to
// understand this machine's problem, private names and addresses replaced,
// written with the caller's own rights. A part that cannot be read is
// listed with why; only the file's own failure fails the command.
func runReport(args []string, stdout, stderr io.Writer) int {
	var o reportOptions
	if code, done := parseFlags(reportFlags(&o), args, stderr); done {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	src := systemSources(o)
	now := src.now()
	out := o.out
	if out == "" {
		out = "clearance-report-" + now.UTC().Format("20060102T150405Z") + ".zip"
	}
	// Refused before the minute of collecting, and again when the file is
	// put in place (createExclusive), which is what counts.
	if err := refuseExisting(out); err != nil {
		return fail(stderr, err.Error(), "name a new file with --out, or remove that one")
	}
	if o.noRedact {
		fmt.Fprintln(stderr, "clearance: not redacting (--no-redact): the bundle holds this machine's host names, login names and addresses as they are")
	}

	var zipped bytes.Buffer
	m, err := buildReport(ctx, src, &zipped, !o.noRedact)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "clearance: interrupted; no bundle written")
		return 130
	}
	if err != nil {
		return fail(stderr, err.Error(), "")
	}
	if err := createExclusive(out, zipped.Bytes()); err != nil {
		return fail(stderr, err.Error(), "name a new file in a directory you can write with --out")
	}
	printReport(stdout, m, out, zipped.Len())
	return 0
}

// reportSources are what the bundle is made of. systemSources reads this
// machine; tests plant values in their own.
type reportSources struct {
	now func() time.Time
	// check is the JSON of `clearance check --json`, run here.
	check func(ctx context.Context) ([]byte, error)
	// agent is the running agent's state and history, as JSON; an error
	// when no agent answers.
	agent func(ctx context.Context) (state, history []byte, err error)
	// logs are the service's recent log lines, one part per source.
	logs     func(ctx context.Context) []bundle.Part
	versions func(ctx context.Context) []byte
	network  func(ctx context.Context) ([]byte, error)
	resolver func(ctx context.Context) ([]byte, error)
	// proxy is the proxy settings, credentials masked.
	proxy func(ctx context.Context) ([]byte, error)
	// hosts and users are the names to redact: this machine's host names
	// and the login names of its people.
	hosts, users func() []string
	// agentAt names where the agent was asked, for the manifest.
	agentAt string
}

// buildReport collects the parts and writes the zip to w.
func buildReport(ctx context.Context, src reportSources, w io.Writer, redact bool) (bundle.Manifest, error) {
	part := func(name, source string, read func(context.Context) ([]byte, error)) bundle.Part {
		b, err := read(ctx)
		return bundle.Part{Name: name, Source: source, Data: b, Err: err}
	}
	parts := []bundle.Part{
		{Name: "versions.txt", Source: "this program and the operating system", Data: src.versions(ctx)},
		part("check.json", "clearance check --json, run by this command", src.check),
	}
	state, history, err := src.agent(ctx)
	stateErr, historyErr := err, err
	if state == nil && err != nil {
		historyErr = errors.New("as for agent-state.json")
	} else {
		stateErr = nil
	}
	parts = append(parts,
		bundle.Part{Name: "agent-state.json", Source: "GET /v1/state from the agent at " + src.agentAt, Data: state, Err: stateErr},
		bundle.Part{Name: "agent-history.json", Source: "GET /v1/history from the agent at " + src.agentAt, Data: history, Err: historyErr})
	parts = append(parts, src.logs(ctx)...)
	parts = append(parts,
		part("network.json", "the interfaces and routes as the system reports them", src.network),
		part("dns.json", "the resolver configuration", src.resolver),
		part("proxy.json", "the proxy settings of the environment and the desktop, credentials masked", src.proxy))
	var r *bundle.Redactor
	if redact {
		r = bundle.NewRedactor(src.hosts(), src.users())
	}
	return bundle.Write(w, parts, r, src.now())
}

// printReport says what the bundle holds, what could not be read and why,
// and where it is.
func printReport(w io.Writer, m bundle.Manifest, path string, size int) {
	fmt.Fprintln(w, "Collected:")
	var unread []bundle.PartEntry
	admin := false
	for _, p := range m.Parts {
		if !p.Read {
			unread = append(unread, p)
			admin = admin || p.NeedsAdmin
			continue
		}
		cut := ""
		if p.Truncated {
			cut = fmt.Sprintf(" (cut at %d KiB)", bundle.MaxPartBytes>>10)
		}
		fmt.Fprintf(w, "  %-22s %s%s\n", p.Name, p.Source, cut)
	}
	if len(unread) > 0 {
		fmt.Fprintln(w, "Could not read:")
		for _, p := range unread {
			fmt.Fprintf(w, "  %-22s %s\n", p.Name, p.Error)
		}
	}
	if admin {
		fmt.Fprintf(w, "Only an administrator may read the service's log; to include it, run %s.\n", asAdmin("clearance report"))
	}
	if m.Redacted {
		fmt.Fprintf(w, "Redacted: host names, login names, IP and MAC addresses became placeholders (host-1, user-1, ip4-1…): %s.\n", describeReplaced(m.Replaced))
	} else {
		fmt.Fprintln(w, "Not redacted: the bundle shows host names, login names and addresses as they are.")
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	fmt.Fprintf(w, "Wrote %s (%s).\n", path, humanSize(size))
}

func describeReplaced(n map[string]int) string {
	var parts []string
	for _, k := range []struct{ kind, one, many string }{
		{"host", "host name", "host names"}, {"user", "login name", "login names"},
		{"ip4", "IPv4 address", "IPv4 addresses"}, {"ip6", "IPv6 address", "IPv6 addresses"}, {"mac", "MAC address", "MAC addresses"},
	} {
		what := k.many
		if n[k.kind] == 1 {
			what = k.one
		}
		parts = append(parts, fmt.Sprintf("%d %s", n[k.kind], what))
	}
	return strings.Join(parts, ", ")
}

func humanSize(n int) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
}

// refuseExisting refuses a path that is there already, a link above all:
// the bundle never replaces a file, nor writes through a link.
func refuseExisting(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; the bundle is never written through one", path)
	}
	return fmt.Errorf("%s exists; the bundle never replaces a file", path)
}

// createExclusive puts data at path, mode 0600, as a file of its own: it
// is written in full to a new file next to it and then linked to path,
// which fails if anything — a file, a link — has appeared there, so that
// neither a half-written bundle nor a link planted by someone else is ever
// followed or replaced. Run with administrator rights on someone's behalf
// (SUDO_UID), the file is given to that person, through the descriptor of
// the file this process created, never by its name.
func createExclusive(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".clearance-report-*.tmp") // O_EXCL, 0600
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", filepath.Dir(path), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := giveToSudoUser(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrExist):
		if e := refuseExisting(path); e != nil {
			return e
		}
		return fmt.Errorf("%s appeared and went while the bundle was written; try again", path)
	}
	// A file system without hard links (FAT, some network shares): create
	// the file itself, still never through a link or over a file.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return refuseExisting(path)
	}
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = giveToSudoUser(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
