package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	pshost "github.com/shirou/gopsutil/v4/host"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/bundle"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/report"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/proxy"
)

// systemSources reads this machine for `clearance report`.
func systemSources(o reportOptions) reportSources {
	return reportSources{
		now:      time.Now,
		check:    func(ctx context.Context) ([]byte, error) { return checkJSON(ctx, o.configPath) },
		agent:    func(ctx context.Context) ([]byte, []byte, error) { return agentJSON(ctx, o.socket) },
		logs:     serviceLogParts,
		versions: versionsText,
		network:  networkJSON,
		resolver: resolverJSON,
		proxy:    func(ctx context.Context) ([]byte, error) { return proxyJSON(ctx, os.Getenv) },
		hosts:    hostNames,
		users:    loginNames,
		agentAt:  cmp.Or(o.socket, api.DefaultAddress),
	}
}

// checkJSON runs every check as `clearance check --json` does, here.
func checkJSON(ctx context.Context, configPath string) ([]byte, error) {
	cfg, err := config.Load(config.Locate(configPath, os.Getenv))
	if err != nil {
		return nil, fmt.Errorf("the configuration was refused, so the checks did not run: %w", err)
	}
	checks, err := check.Select(nil, nil)
	if err != nil {
		return nil, err
	}
	env := check.NewEnv(&cfg, slog.New(slog.DiscardHandler))
	defer env.Close()
	rep := check.Run(ctx, env, checks)
	var b bytes.Buffer
	if err := report.JSON(&b, rep); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// agentJSON asks the agent for its state and history, indented as
// `clearance status --json` prints them.
func agentJSON(ctx context.Context, socket string) (state, history []byte, err error) {
	c := api.NewAgentClient(socket)
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Health(ctx); err != nil {
		why := err
		if op := (*net.OpError)(nil); errors.As(err, &op) {
			why = op.Err // "connect: no such file or directory"
		}
		return nil, nil, fmt.Errorf("no agent is running: none answers at %s (%w)", cmp.Or(socket, api.DefaultAddress), why)
	}
	st, _, _, err := c.State(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	if state, err = json.MarshalIndent(st, "", "  "); err != nil {
		return nil, nil, err
	}
	h, err := c.History(ctx)
	if err != nil {
		return state, nil, err
	}
	history, err = json.MarshalIndent(h, "", "  ")
	return state, history, err
}

// versionsText is what `clearance version` says, and the operating system.
func versionsText(ctx context.Context) []byte {
	info, _ := debug.ReadBuildInfo()
	var b bytes.Buffer
	fmt.Fprintf(&b, "clearance %s\ncommit %s\n%s\nos %s/%s\n", version, commitOf(info), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if name, family, ver, err := pshost.PlatformInformationWithContext(ctx); err == nil {
		fmt.Fprintf(&b, "os release %s %s (%s)\n", name, ver, family)
	} else {
		fmt.Fprintf(&b, "os release unknown: %v\n", err)
	}
	if k, err := pshost.KernelVersionWithContext(ctx); err == nil {
		fmt.Fprintf(&b, "kernel %s\n", k)
	}
	return b.Bytes()
}

// networkJSON is the interface and route tables, as the checks read them.
func networkJSON(ctx context.Context) ([]byte, error) {
	ifaces, ierr := netstate.Interfaces(ctx)
	routes, rerr := netstate.Routes(ctx)
	doc := struct {
		Interfaces []netstate.Interface `json:"interfaces"`
		Routes     []netstate.Route     `json:"routes"`
		Errors     []string             `json:"errors"`
	}{check.NonNil(ifaces), check.NonNil(routes), errorTexts(ierr, rerr)}
	return json.MarshalIndent(doc, "", "  ")
}

// resolverJSON is the resolver in use and the name servers it is given.
func resolverJSON(ctx context.Context) ([]byte, error) {
	info, ierr := dnsconf.Resolver(ctx, platform.System, host.ReadProcesses)
	servers, serr := dnsconf.Servers(ctx)
	doc := struct {
		Resolver map[string]any `json:"resolver"`
		Servers  []string       `json:"servers"`
		Errors   []string       `json:"errors"`
	}{info.Data(), check.NonNil(servers), errorTexts(ierr, serr)}
	return json.MarshalIndent(doc, "", "  ")
}

// proxyEnv are the proxy variables in either case, as curl and Go read them.
var proxyEnv = []string{"HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"}

// proxyJSON is the proxy settings of the environment and the desktop or
// OS, every credential masked as everywhere in Clearance
// (proxy.MaskCredentials), before anything else sees them.
func proxyJSON(ctx context.Context, getenv func(string) string) ([]byte, error) {
	env := map[string]string{}
	for _, k := range proxyEnv {
		for _, name := range []string{k, strings.ToLower(k)} {
			if v := getenv(name); v != "" {
				env[name] = proxy.MaskCredentials(v)
			}
		}
	}
	settings, err := proxy.Settings(ctx, platform.System)
	shown := make([]string, 0, len(settings))
	for _, s := range settings {
		shown = append(shown, s.Display())
	}
	var unread []string
	for _, e := range proxy.SourceErrors(err) {
		unread = append(unread, proxy.MaskCredentials(e.Error()))
	}
	doc := struct {
		Environment map[string]string `json:"environment"`
		Settings    []string          `json:"settings"`
		Unread      []string          `json:"unread"`
	}{env, shown, check.NonNil(unread)}
	return json.MarshalIndent(doc, "", "  ")
}

func errorTexts(errs ...error) []string {
	out := []string{}
	for _, e := range errs {
		if e != nil {
			out = append(out, e.Error())
		}
	}
	return out
}

// hostNames are this machine's names: its host name, the short form of
// it, and the names the hosts file gives the same address (its FQDN).
func hostNames() []string {
	name, err := os.Hostname()
	if err != nil || name == "" {
		return nil
	}
	names := []string{name}
	if short, _, ok := strings.Cut(name, "."); ok {
		names = append(names, short)
	}
	if f, err := os.Open(hostsFile); err == nil {
		names = append(names, hostAliases(f, names)...)
		f.Close()
	}
	return names
}

// hostAliases reads a hosts(5) file: the names on every line that names
// one of names, but for localhost's.
func hostAliases(r io.Reader, names []string) []string {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 || !slices.ContainsFunc(f[1:], func(n string) bool {
			return slices.ContainsFunc(names, func(m string) bool { return strings.EqualFold(n, m) })
		}) {
			continue
		}
		for _, n := range f[1:] {
			if !strings.HasPrefix(strings.ToLower(n), "localhost") {
				out = append(out, n)
			}
		}
	}
	return out
}

// loginNames are the login names of this machine's people (accounts with
// a home and a login shell, host.Account.Person, and the names of the
// directories people's homes are in), the current user's and,
// when run with administrator rights on someone's behalf (SUDO_USER), that
// person's.
func loginNames() []string {
	var names []string
	var shells []string
	if f, err := os.Open(host.ShellsFile); err == nil {
		shells = host.ParseShells(f)
		f.Close()
	}
	if f, err := os.Open(host.PasswdFile); err == nil {
		names = people(host.ParsePasswd(f), shells)
		f.Close()
	}
	// On macOS, Windows, and Linux with SSSD or Active Directory, people
	// are not in the passwd file, but each has a home of their name.
	for _, root := range homeRoots {
		if entries, err := os.ReadDir(root); err == nil {
			var dirs []string
			for _, e := range entries {
				if e.IsDir() {
					dirs = append(dirs, e.Name())
				}
			}
			names = append(names, homeOwners(dirs)...)
		}
	}
	if u, err := user.Current(); err == nil {
		// Windows: DOMAIN\name.
		names = append(names, u.Username[strings.LastIndex(u.Username, `\`)+1:])
	}
	if s := os.Getenv("SUDO_USER"); s != "" {
		names = append(names, s)
	}
	return names
}

// notPeople are the directories of /home, /Users and C:\Users that are
// no one's: shared folders, templates for new profiles, and links kept
// for old programs.
var notPeople = []string{"Shared", "Public", "Default", "Default User", "All Users", "Default.migrated", "defaultuser0",
	"WDAGUtilityAccount", "Guest", "Deleted Users", "desktop.ini", "lost+found"}

// homeOwners are the login names that the directories of a home root
// (their names, as listed) stand for: all but the well-known ones that
// are nobody's, hidden ones (".localized"), and those no name is redacted
// for (bundle.Redactable: "root", shorter than three characters).
func homeOwners(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if strings.HasPrefix(d, ".") || slices.ContainsFunc(notPeople, func(n string) bool { return strings.EqualFold(n, d) }) || !bundle.Redactable(d) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// people are the login names of the accounts that look like a person's
// and, where the system lists its login shells (shells), log in with one
// of them: sync's /bin/sync is no login shell, and "sync" is a word the
// report needs.
func people(accounts []host.Account, shells []string) []string {
	var out []string
	for _, a := range accounts {
		if !a.Person() {
			continue
		}
		if shells != nil && !slices.Contains(shells, cmp.Or(a.Shell, "/bin/sh")) {
			continue
		}
		out = append(out, a.Name)
	}
	return out
}
