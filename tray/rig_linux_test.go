package tray

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/assets"
	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/testbuf"
	"github.com/clearance-app/clearance/tray/notify/notifytest"
)

// The test rig: a private session bus, a StatusNotifierWatcher and a
// notification server on it, the agent's real API server on a Unix socket
// fed by a scripted state, and the tray running as a child process. The
// test reads the menu with com.canonical.dbusmenu.GetLayout and clicks with
// Event, as a tray host does.

// patience bounds every wait: generous, since only the outcome is under
// test, never the speed.
const patience = 30 * time.Second

// watcher is a StatusNotifierWatcher stub: it takes registrations and
// reports the registering connection's unique name.
type watcher struct{ registered chan string }

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, _ string) *dbus.Error {
	select {
	case w.registered <- string(sender):
	default:
	}
	return nil
}

func startWatcher(t testing.TB, addr string) *watcher {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect the watcher: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &watcher{registered: make(chan string, 8)}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("take the watcher's name: %v %v", reply, err)
	}
	return w
}

// testAgent is the agent's real API server, which a test can stop and
// start again on the same socket.
type testAgent struct {
	t       testing.TB
	addr    string
	state   *scriptedState
	checker *countingChecker
	fixes   *recordingFixes

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan error
}

func newTestAgent(t testing.TB, dir string, st api.State) *testAgent {
	return &testAgent{t: t, addr: filepath.Join(dir, "agent.sock"), state: newScriptedState(st), checker: newCountingChecker(), fixes: newRecordingFixes()}
}

func (a *testAgent) start() {
	a.t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	ln, err := api.Listen(a.addr)
	if err != nil {
		a.t.Fatal(err)
	}
	h := api.New(api.Config{State: a.state, Checker: a.checker, Fixes: a.fixes, Version: "test-agent",
		LookupMember: func(uid int, _ string) (string, bool, error) { return "tester", uid == os.Geteuid(), nil }})
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel, a.done = cancel, make(chan error, 1)
	go func() { a.done <- h.Serve(ctx, ln) }()
	a.t.Cleanup(a.stop)
}

// stop ends the server; its socket goes with it.
func (a *testAgent) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancel == nil {
		return
	}
	a.cancel()
	if err := <-a.done; err != nil {
		a.t.Errorf("the agent's server: %v", err)
	}
	a.cancel = nil
}

// trayProc is the tray running as a child.
type trayProc struct {
	t      testing.TB
	cmd    *exec.Cmd
	lines  chan string
	stderr *testbuf.Buffer
	exited chan struct{}
}

// startTray runs the tray child with env added to this process's.
func startTray(t testing.TB, env ...string) *trayProc {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
	p := &trayProc{t: t, cmd: cmd, lines: make(chan string, 256), stderr: &testbuf.Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("tray log:\n%s", p.stderr.String())
		}
	})
	return p
}

// stop asks the tray to quit, and kills it if it does not.
func (p *trayProc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(patience):
		p.t.Errorf("the tray did not quit on SIGTERM")
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// expect waits for a report line starting with prefix and returns the rest.
func (p *trayProc) expect(prefix string) string {
	p.t.Helper()
	deadline := time.After(patience)
	for {
		select {
		case l := <-p.lines:
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				return rest
			}
		case <-deadline:
			p.t.Fatalf("the tray reported no %q within %v", prefix, patience)
		}
	}
}

// rig is one test's world.
type rig struct {
	t       testing.TB
	dir     string
	addr    string
	conn    *dbus.Conn
	notes   *notifytest.Server
	watch   *watcher
	agent   *testAgent
	tray    *trayProc
	item    string // the tray's unique bus name
	opens   *openRecorder
	browser *openRecorder // the default browser's program (a recorder)
	home    string
}

type rigOptions struct {
	state      api.State
	noAgent    bool // the agent's socket stays closed at start
	noWatcher  bool // no tray host
	standalone *api.State
	user       []finding.Finding
	fast       bool
	settings   string // the settings file's content, when there is one
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	addr := notifytest.StartBus(t)
	dir, err := os.MkdirTemp("/tmp", "clr-tray-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := &rig{t: t, dir: dir, addr: addr, notes: notifytest.Start(t)}
	r.conn, err = dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.conn.Close() })
	if !o.noWatcher {
		r.watch = startWatcher(t, addr)
	}
	r.agent = newTestAgent(t, roottest.Dir(t), o.state) // a socket's directory only root can change, as api.Listen asks
	if !o.noAgent {
		r.agent.start()
	}
	r.opens = newOpenRecorder(t, dir)
	r.home = filepath.Join(dir, "home")
	r.browser = fakeDefaultBrowser(t, filepath.Join(dir, "opt", "google", "chrome"), filepath.Join(dir, "config"), filepath.Join(r.home, ".local", "share"))
	env := []string{
		"PATH=" + r.opens.bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"TRAY_SOCKET=" + r.agent.addr,
		"TRAY_SETTINGS=" + filepath.Join(dir, "config", "tray.toml"),
		"HOME=" + r.home,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"XDG_DATA_HOME=" + filepath.Join(r.home, ".local", "share"),
		"XDG_DATA_DIRS=" + filepath.Join(dir, "no-system-data"),
		// xdg-utils then read the default browser from mimeapps.list
		// rather than a desktop's own settings.
		"XDG_CURRENT_DESKTOP=", "DESKTOP_SESSION=",
	}
	if o.fast {
		env = append(env, "TRAY_FAST=1")
	}
	// A download directory by another name, as xdg-user-dirs writes it for
	// a French session: "Details…" pages go there (detailsDir).
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "user-dirs.dirs"), []byte(`XDG_DOWNLOAD_DIR="$HOME/Téléchargements"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if o.settings != "" {
		os.MkdirAll(filepath.Join(dir, "config"), 0o700)
		if err := os.WriteFile(filepath.Join(dir, "config", "tray.toml"), []byte(o.settings), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if o.standalone != nil {
		b, _ := json.Marshal(*o.standalone)
		env = append(env, "TRAY_STANDALONE="+string(b))
	}
	if o.user != nil {
		b, _ := json.Marshal(o.user)
		env = append(env, "TRAY_USER="+string(b))
	}
	r.tray = startTray(t, env...)
	if r.watch != nil {
		select {
		case r.item = <-r.watch.registered:
		case <-r.tray.exited:
			t.Fatalf("the tray exited: %s", r.tray.stderr.String())
		case <-time.After(patience):
			t.Fatalf("the tray did not register its icon; log:\n%s", r.tray.stderr.String())
		}
	} else {
		r.item = fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", r.tray.cmd.Process.Pid)
	}
	return r
}

// openRecorder is an xdg-open placed first on the tray's PATH that records
// the arguments of every call, one line per call, tab-separated, and
// exits 0 as xdg-open does when it has handed the target to a program.
// The tray's real opener (tray/open) runs it, as it would the real one.
type openRecorder struct {
	t    testing.TB
	bin  string
	log  string
	seen int // calls already returned by next
}

func newOpenRecorder(t testing.TB, dir string) *openRecorder {
	t.Helper()
	return newRecorder(t, filepath.Join(dir, "bin"), "xdg-open")
}

// newRecorder is a program called name in bin that records its
// arguments in bin/../name.log.
func newRecorder(t testing.TB, bin, name string) *openRecorder {
	t.Helper()
	o := &openRecorder{t: t, bin: bin, log: filepath.Join(filepath.Dir(bin), name+".log")}
	if err := os.MkdirAll(o.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\n" +
		"line=$(printf '%s\\t' \"$@\")\n" +
		"printf '%s\\n' \"$line\" >>" + shellQuote([]string{o.log}) + "\n"
	if err := os.WriteFile(filepath.Join(o.bin, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return o
}

// fakeDefaultBrowser makes a recorder the desktop's default browser, as
// the system's xdg-utils read it (platform.System runs only programs of
// the system's own directories): a program called chrome in dir, as
// Chrome's package installs it in /opt/google/chrome, started by the
// desktop file google-chrome.desktop in the data directory, which
// mimeapps.list in the config directory names for web pages. It is on no
// PATH, so only that desktop file leads to it. The tray's real opener
// finds and starts it as it would Chrome; no real browser ever runs.
func fakeDefaultBrowser(t testing.TB, dir, config, data string) *openRecorder {
	t.Helper()
	chrome := newRecorder(t, dir, "chrome")
	apps := filepath.Join(data, "applications")
	for _, d := range []string{apps, config} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	entry := "[Desktop Entry]\nType=Application\nName=Google Chrome\nExec=" + filepath.Join(dir, "chrome") + " %U\n" +
		"MimeType=text/html;x-scheme-handler/http;x-scheme-handler/https;\n"
	if err := os.WriteFile(filepath.Join(apps, "google-chrome.desktop"), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	mime := "[Default Applications]\ntext/html=google-chrome.desktop\nx-scheme-handler/http=google-chrome.desktop\nx-scheme-handler/https=google-chrome.desktop\n"
	if err := os.WriteFile(filepath.Join(config, "mimeapps.list"), []byte(mime), 0o644); err != nil {
		t.Fatal(err)
	}
	return chrome
}

// next waits for the next call and returns its arguments.
func (o *openRecorder) next(tray *trayProc) []string {
	o.t.Helper()
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(o.log)
		lines := strings.SplitAfter(string(b), "\n")
		if complete := len(lines) - 1; complete > o.seen {
			line := strings.TrimSuffix(strings.TrimSuffix(lines[o.seen], "\n"), "\t")
			o.seen++
			return strings.Split(line, "\t")
		}
		time.Sleep(50 * time.Millisecond)
	}
	o.t.Fatalf("%s was not run within %v; tray log:\n%s", filepath.Base(o.log), patience, tray.stderr.String())
	return nil
}

// opened waits for the tray to hand something to xdg-open and returns
// the arguments it passed.
func (r *rig) opened() []string {
	r.t.Helper()
	return r.opens.next(r.tray)
}

// menuNode is one item of the menu as a tray host reads it.
type menuNode struct {
	ID       int32
	Label    string
	Enabled  bool
	Sep      bool
	Toggle   string
	Checked  bool
	Children []menuNode
}

func (n menuNode) String() string {
	var b strings.Builder
	var walk func(menuNode, string)
	walk = func(n menuNode, indent string) {
		for _, c := range n.Children {
			switch {
			case c.Sep:
				b.WriteString(indent + "---\n")
			default:
				flags := ""
				if !c.Enabled {
					flags += " [disabled]"
				}
				if c.Toggle != "" {
					flags += fmt.Sprintf(" [%s %v]", c.Toggle, c.Checked)
				}
				fmt.Fprintf(&b, "%s%s%s\n", indent, c.Label, flags)
			}
			walk(c, indent+"    ")
		}
	}
	walk(n, "")
	return b.String()
}

// find returns the item at a path of labels.
func (n menuNode) find(path ...string) (menuNode, bool) {
	if len(path) == 0 {
		return n, true
	}
	for _, c := range n.Children {
		if c.Label == path[0] {
			return c.find(path[1:]...)
		}
	}
	return menuNode{}, false
}

// has reports whether an item with that path exists.
func (n menuNode) has(path ...string) bool { _, ok := n.find(path...); return ok }

func parseNode(id int32, props map[string]dbus.Variant, kids []dbus.Variant) menuNode {
	n := menuNode{ID: id, Enabled: true}
	if v, ok := props["label"]; ok {
		n.Label, _ = v.Value().(string)
	}
	if v, ok := props["enabled"]; ok {
		n.Enabled, _ = v.Value().(bool)
	}
	if v, ok := props["type"]; ok {
		n.Sep = v.Value() == "separator"
	}
	if v, ok := props["toggle-type"]; ok {
		n.Toggle, _ = v.Value().(string)
	}
	if v, ok := props["toggle-state"]; ok {
		n.Checked = fmt.Sprint(v.Value()) == "1"
	}
	for _, k := range kids {
		if s, ok := k.Value().([]any); ok && len(s) == 3 {
			cid, _ := s[0].(int32)
			cprops, _ := s[1].(map[string]dbus.Variant)
			ckids, _ := s[2].([]dbus.Variant)
			n.Children = append(n.Children, parseNode(cid, cprops, ckids))
		}
	}
	return n
}

func (r *rig) menuObject() dbus.BusObject {
	r.t.Helper()
	v, err := r.conn.Object(r.item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		r.t.Fatalf("read the item's Menu property: %v", err)
	}
	path, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		r.t.Fatalf("Menu is %T", v.Value())
	}
	return r.conn.Object(r.item, path)
}

// layout reads the whole menu and its revision.
func (r *rig) layout() (menuNode, uint32, error) {
	var rev uint32
	var raw struct {
		ID    int32
		Props map[string]dbus.Variant
		Kids  []dbus.Variant
	}
	err := r.menuObject().Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &raw)
	if err != nil {
		return menuNode{}, 0, err
	}
	return parseNode(raw.ID, raw.Props, raw.Kids), rev, nil
}

// waitMenu reads the menu until pred holds and the menu has stopped
// changing (its revision is the same 300 ms later), so that a click finds
// the items it was read with. The library answers the first read after a
// rebuild one level deep, so submenus need a second read anyway.
func (r *rig) waitMenu(what string, pred func(menuNode) bool) menuNode {
	r.t.Helper()
	deadline := time.Now().Add(patience)
	var last menuNode
	var lastErr error
	for time.Now().Before(deadline) {
		m, rev, err := r.layout()
		last, lastErr = m, err
		if err == nil && pred(m) {
			time.Sleep(300 * time.Millisecond)
			if m2, rev2, err := r.layout(); err == nil && rev2 == rev && pred(m2) {
				return m2
			}
			continue
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatalf("the menu never showed %s (error %v); last menu:\n%s\ntray log:\n%s", what, lastErr, last, r.tray.stderr.String())
	return menuNode{}
}

// click clicks the item at path once the menu shows it enabled.
func (r *rig) click(path ...string) {
	r.t.Helper()
	m := r.waitMenu(strings.Join(path, " › ")+" (enabled)", func(m menuNode) bool {
		n, ok := m.find(path...)
		return ok && n.Enabled
	})
	n, _ := m.find(path...)
	err := r.menuObject().Call("com.canonical.dbusmenu.Event", 0, n.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
	if err != nil {
		r.t.Fatalf("click %q: %v", path, err)
	}
}

// pixmap converts a PNG as the systray library does for IconPixmap: ARGB,
// row by row.
func pixmap(t testing.TB, b []byte) []byte {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return argb(img)
}

func argb(img image.Image) []byte {
	bounds := img.Bounds()
	out := make([]byte, 0, bounds.Dx()*bounds.Dy()*4)
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			out = append(out, byte(a), byte(r), byte(g), byte(b))
		}
	}
	return out
}

// iconState names the assets icon the item shows, from its IconPixmap.
func (r *rig) iconState() (assets.IconState, bool) {
	r.t.Helper()
	v, err := r.conn.Object(r.item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		return 0, false
	}
	pxs, ok := v.Value().([][]any)
	if !ok || len(pxs) != 1 || len(pxs[0]) != 3 {
		return 0, false
	}
	pix, _ := pxs[0][2].([]byte)
	for _, s := range []assets.IconState{assets.IconUnknown, assets.IconClear, assets.IconWarning, assets.IconCritical} {
		if bytes.Equal(pix, pixmap(r.t, assets.Icon(s))) {
			return s, true
		}
	}
	return 0, false
}

func (r *rig) waitIcon(want assets.IconState) {
	r.t.Helper()
	deadline := time.Now().Add(patience)
	var got assets.IconState
	var ok bool
	for time.Now().Before(deadline) {
		if got, ok = r.iconState(); ok && got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatalf("icon %v (known: %v), want %v", got, ok, want)
}

// tooltip is the item's ToolTip title.
func (r *rig) tooltip() string {
	v, err := r.conn.Object(r.item, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		return ""
	}
	if s, ok := v.Value().([]any); ok && len(s) == 4 {
		title, _ := s[2].(string)
		return title
	}
	return ""
}

// waitNote waits for a notification with that summary, skipping others.
func (r *rig) waitNote(summary string) notifytest.Call {
	r.t.Helper()
	for {
		if c := r.notes.WaitCall(r.t); c.Summary == summary {
			return c
		}
	}
}

// waitRun waits for the agent to be asked to run a fix.
func (r *rig) waitRun() fixRun {
	r.t.Helper()
	select {
	case run := <-r.agent.fixes.ran:
		return run
	case <-time.After(patience):
		r.t.Fatalf("no fix reached the agent; tray log:\n%s", r.tray.stderr.String())
		return fixRun{}
	}
}

// at is a time a few minutes before now, for states.
func at(minutesAgo int) time.Time {
	return time.Now().Add(-time.Duration(minutesAgo) * time.Minute).UTC().Truncate(time.Second)
}

// findingOf is the finding of a code as a check raises it.
func findingOf(code finding.Code, sev finding.Severity, evidence map[string]any) finding.Finding {
	f := finding.Lookup(code).New(at(30), evidence)
	if sev != "" {
		f.Severity = sev
	}
	return f
}
