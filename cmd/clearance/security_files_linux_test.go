package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/internal/roottest"
)

// What root writes, in the security suite (see security_linux_test.go):
// links planted where it writes are never followed, and every file it
// creates is root's, closed to others' changes, and private when it holds
// what others must not read. Needs root; mandatory in CI.

// victim is a file of root's that a planted link points at, and the
// directory it is in, which must hold nothing else afterwards.
type victim struct{ dir, file string }

const victimText = "root's own; must not change\n"

func newVictim(t *testing.T) victim {
	t.Helper()
	v := victim{dir: roottest.Dir(t)}
	v.file = filepath.Join(v.dir, "victim")
	if err := os.WriteFile(v.file, []byte(victimText), 0o600); err != nil {
		t.Fatal(err)
	}
	return v
}

// unchanged fails the test when the victim's content or mode changed, or
// anything was created beside it.
func (v victim) unchanged(t *testing.T, after string) {
	t.Helper()
	if b, err := os.ReadFile(v.file); err != nil || string(b) != victimText {
		t.Errorf("%s: the file a link pointed at now holds %q (%v)", after, b, err)
	}
	if fi, err := os.Stat(v.file); err != nil || fi.Mode() != 0o600 {
		t.Errorf("%s: the file a link pointed at is now %v (%v), was 0600", after, fi.Mode(), err)
	}
	if got := files(t, v.dir); len(got) != 1 {
		t.Errorf("%s: created where a link pointed: %v", after, got)
	}
}

// A link at the socket's path, to a file of root's: the agent refuses to
// start, saying what is in the way, and neither removes the link nor
// touches (chmod 0666) what it points at.
func TestSecuritySocketLinkIsNotFollowed(t *testing.T) {
	ns := newNetns(t)
	ns.offlineResolver(t)
	v := newVictim(t)
	sock := filepath.Join(roottest.Dir(t), "agent.sock")
	if err := os.Symlink(v.file, sock); err != nil {
		t.Fatal(err)
	}
	cmd := clearanceCmd(t, ns.prefix(), "agent", "--socket", sock, "--config", agentTestConfig(t))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("the agent ran with a link at its socket's path:\n%s", out.String())
	}
	if cmd.ProcessState.ExitCode() == 0 || !strings.Contains(out.String(), sock+" exists and is not a socket") {
		t.Errorf("exit %d:\n%s\nwant a failure saying %s is not a socket", cmd.ProcessState.ExitCode(), out.String(), sock)
	}
	if fi, err := os.Lstat(sock); err != nil || fi.Mode().Type() != fs.ModeSymlink {
		t.Errorf("the link at the socket's path is gone or replaced: %v %v", fi, err)
	}
	v.unchanged(t, "the agent's start")
}

// Links planted in the state directory, at the names the agent and
// `clearance fix` write there (the fix lock, remembered NTP answers and
// addresses, the results directory), pointing at a file of root's or at a
// name in its directory, the links uid 65534's: a run, dns-public and
// dns-restore through the agent, and a fix with --result, write nothing
// through them. A link at the DNS journal's name is refused as a damaged
// journal, and the fix with it. Others may not write in the state
// directory (host.MakeRootOwnedDir); this is what holds when they once
// could, or root was led to make the links.
func TestSecurityStateDirLinksAreNotFollowed(t *testing.T) {
	v := newVictim(t)
	state := roottest.Dir(t)
	plant := func(name, to string) {
		t.Helper()
		link := filepath.Join(state, name)
		if err := os.Symlink(to, link); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(link, 65534, 65534); err != nil { // as another user would have planted it
			t.Fatal(err)
		}
	}
	plant("fix.lock", filepath.Join(v.dir, "lock")) // a name that does not exist: O_CREAT would make it
	plant("ntp.json", v.file)
	plant("addrs.json", v.file)
	plant("results", v.dir)
	a := startSecurityAgent(t, "", "CLEARANCE_STATE_DIR="+state)
	// Refused or run, what matters is where it wrote.
	fix := func(id string) (api.FixResult, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		res, err := a.client.RunFix(ctx, id, api.FixOptions{Confirm: true})
		t.Logf("%s through the agent: %v %s: %s", id, err, res.Result, res.Message)
		return res, err
	}
	fix("dns-public")
	fix("dns-restore")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	a.client.CheckNow(ctx)
	cancel()
	r := fixWithState(t, a.ns.prefix(), state, "dns-flush", "--dry-run", "--local", "--result", resultToken)
	t.Logf("clearance fix dns-flush --result: exit %d %s", r.code, r.stderr)
	v.unchanged(t, "a run, dns-public, dns-restore and a fix with --result")

	journal := filepath.Join(state, "dns-journal.json")
	os.Remove(journal)
	plant("dns-journal.json", v.file)
	os.Remove(filepath.Join(state, "fix.lock")) // so that the fix gets as far as the journal
	before := a.nsResolv(t)
	if res, err := fix("dns-public"); err != nil || res.Result != api.Failed || !strings.Contains(res.Message, journal) {
		t.Errorf("dns-public with a link at the journal's name: %v %s %q, want a failure naming the journal", err, res.Result, res.Message)
	}
	if after := a.nsResolv(t); after != before {
		t.Errorf("dns-public ran with a link at the journal's name: resolv.conf is now\n%s", after)
	}
	v.unchanged(t, "dns-public with a link at the journal's name")
}

// privateOK names what root creates that others may read: directories,
// the socket (which everyone may also write, to connect), a fix's result
// (the tray, run as the person, reads it), and the namespace's
// resolv.conf (every program reads it).
func privateOK(rel string, mode fs.FileMode) bool {
	return mode.IsDir() || mode.Type() == fs.ModeSocket || strings.HasPrefix(rel, "results/") || rel == "resolv.conf"
}

// checkModes fails the test for anything under dir that is not root's,
// that group or others may change (but the socket), or that group or
// others may read when it is not one of privateOK's.
func checkModes(t *testing.T, dir, when string) []string {
	t.Helper()
	var seen []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Errorf("%s: %v", when, err)
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: %v", when, err)
			return nil
		}
		rel, _ := filepath.Rel(filepath.Dir(dir), p)
		seen = append(seen, rel+" "+fi.Mode().String())
		st := fi.Sys().(*syscall.Stat_t)
		switch mode := fi.Mode(); {
		case st.Uid != 0 || st.Gid != 0:
			t.Errorf("%s: %s belongs to %d:%d, want root's", when, p, st.Uid, st.Gid)
		case mode.Type() == fs.ModeSymlink:
			t.Errorf("%s: %s is a link", when, p)
		case mode.Type() == fs.ModeSocket:
			if mode.Perm() != 0o666 {
				t.Errorf("%s: the socket %s is %v, want 0666 (every user connects; the API judges each)", when, p, mode.Perm())
			}
		case mode.Perm()&0o022 != 0:
			t.Errorf("%s: %s is %v: others may change it", when, p, mode)
		case mode.Perm()&0o077 != 0 && !privateOK(strings.TrimPrefix(rel, filepath.Base(dir)+"/"), mode):
			t.Errorf("%s: %s is %v: others may read it", when, p, mode)
		}
		return nil
	})
	return seen
}

// Every file and directory root creates (the socket and its directory,
// the state directory, the fix lock, the DNS journal, remembered NTP
// answers and addresses, a fix's result, the cache, resolv.conf written by
// dns-public), made under umask 0, as a careless service manager may start
// the agent: all root's, none that others may change, and those that hold
// what others must not read (the journal keeps the previous DNS settings)
// open to root alone.
func TestSecurityFilesRootCreatesAreClosed(t *testing.T) {
	top := roottest.Dir(t)
	state, cache, run := filepath.Join(top, "state"), filepath.Join(top, "cache"), filepath.Join(top, "run")
	env := []string{"CLEARANCE_STATE_DIR=" + state, "XDG_CACHE_HOME=" + cache}
	ns := newNetns(t)
	ns.offlineResolver(t)
	umask0 := append([]string{"sh", "-c", `umask 0 && exec "$@"`, "sh"}, ns.prefix()...)
	a := startAgentAt(t, umask0, agentTestConfig(t), filepath.Join(run, "agent.sock"), env...)
	a.waitState(t, 60*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if res, err := a.client.RunFix(ctx, "dns-public", api.FixOptions{DryRun: true}); err != nil || len(res.Commands) == 0 {
		t.Fatalf("dns-public --dry-run: %v %+v", err, res)
	}
	if res, err := a.client.RunFix(ctx, "dns-public", api.FixOptions{Confirm: true}); err != nil || res.Result != api.Fixed {
		t.Fatalf("dns-public: %v %+v", err, res)
	}
	r := fixWithState(t, umask0, state, "dns-flush", "--dry-run", "--local", "--result", resultToken)
	if r.code != 0 {
		t.Fatalf("clearance fix dns-flush --result: exit %d\n%s", r.code, r.stderr)
	}
	nsEtc := filepath.Join("/etc/netns", ns.name)
	var seen []string
	for _, d := range []string{state, cache, run, nsEtc} {
		if _, err := os.Lstat(d); d == cache && os.IsNotExist(err) {
			continue // nothing of the agent's is kept there today
		}
		seen = append(seen, checkModes(t, d, "with dns-public in effect")...)
	}
	t.Logf("root created: %s", strings.Join(seen, ", "))
	if !strings.Contains(strings.Join(seen, "\n"), "state/dns-journal.json") {
		t.Fatalf("no journal while dns-public is in effect: %v", seen)
	}
	if res, err := a.client.RunFix(ctx, "dns-restore", api.FixOptions{Confirm: true}); err != nil || res.Result != api.Fixed {
		t.Fatalf("dns-restore: %v %+v", err, res)
	}
	for _, d := range []string{state, run, nsEtc} {
		checkModes(t, d, "after dns-restore")
	}
}
